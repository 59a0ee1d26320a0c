"""Seed step 1: programmes, fields, call types, organisations, projects, consortia, proposals.

Program scale: the 2021 call (292.5B KRW, 150 projects: 130 designated across six fields,
10 regional, 10 free), ~450 organisations, 2–5 proposals per project. National scale adds
the calls of 2017–2025 so that about 1,300 data types exist, with ~3,000 organisations.

Planted for the evaluation issue (recorded in `ctx.planted`): proposals planning too few
direct hires, single-member consortia, and one lead bidding in four fields.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from budgeting.rules import required_direct_hires
from core import audit
from core.money import split_largest_remainder
from program.models import (
    REGIONS,
    CallType,
    Consortium,
    ConsortiumMember,
    CoreField,
    DataType,
    MemberRole,
    Organization,
    OrgKind,
    Program,
    ProgramRules,
    Project,
    ProjectStatus,
    Proposal,
    ProposalStatus,
)
from seed_data.common import SEED_CLOCK, SeedContext, bulk_insert, call_2021, largest_remainder_counts
from seed_data.names import business_number, org_name

MILLION = 1_000_000

# Calls of the national history (2017–2025): data types and budget per year. 2017–2021 are
# facts; 2022–2025 are our model of reaching 1,300 types by 2025.
NATIONAL_PLAN: list[tuple[int, int, int]] = [
    (2017, 4, 4_000_000_000),
    (2018, 7, 9_000_000_000),
    (2019, 10, 19_500_000_000),
    (2020, 170, 331_500_000_000),
    (2021, 150, 292_500_000_000),
    (2022, 240, 468_000_000_000),
    (2023, 240, 468_000_000_000),
    (2024, 240, 468_000_000_000),
    (2025, 239, 466_000_000_000),
]

_KIND_WEIGHTS = [
    (OrgKind.sme, 45), (OrgKind.startup, 20), (OrgKind.large, 7), (OrgKind.university, 12),
    (OrgKind.hospital, 6), (OrgKind.public, 5), (OrgKind.crowd_platform, 5),
]
_REGION_WEIGHTS = [40, 8, 5, 5, 5, 6, 2, 2, 18, 2, 2, 3, 2, 2, 3, 3, 2]  # Seoul and Gyeonggi heavy
_LEAD_KINDS = (OrgKind.sme, OrgKind.startup, OrgKind.large, OrgKind.university, OrgKind.hospital)
_QUALIFIERS = [("", ""), ("고도화 ", "enhanced "), ("다중 환경 ", "multi-environment "), ("대규모 ", "large-scale "),
               ("실환경 ", "real-world "), ("전문가 검수 ", "expert-reviewed ")]


class _Ids:
    """Explicit, sequential primary keys so that inserts need no RETURNING and stay deterministic."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def take(self, table: str) -> int:
        n = self._next.get(table, 1)
        self._next[table] = n + 1
        return n


def seed_programme(session: Session, ctx: SeedContext) -> None:
    rng = ctx.rng("programme")
    data = call_2021()
    ids = _Ids()

    # --- reference data
    fields = []
    for i, f in enumerate(data["fields"]):
        fid = ids.take("field")
        fields.append({"id": fid, "code": f["code"], "name_ko": f["name_ko"], "name_en": f["name_en"], "sort_order": i})
    bulk_insert(session, CoreField, fields)
    types = []
    for t in data["call_types"]:
        types.append({"id": ids.take("call_type"), "code": t["code"], "name_ko": t["name_ko"], "name_en": t["name_en"]})
    bulk_insert(session, CallType, types)
    type_id = {t["code"]: t["id"] for t in types}
    field_id = {f["code"]: f["id"] for f in fields}

    plan = NATIONAL_PLAN if ctx.scale == "national" else [p for p in NATIONAL_PLAN if p[0] == 2021]
    n_orgs = 3000 if ctx.scale == "national" else 450

    # --- organisations
    orgs = _make_orgs(rng, ids, n_orgs)
    bulk_insert(session, Organization, orgs)
    ctx.count("organization", len(orgs))

    rules = ProgramRules.model_validate(data["rules"])
    projects: list[dict[str, Any]] = []
    data_types: list[dict[str, Any]] = []
    consortia: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    proposals: list[dict[str, Any]] = []
    lead_fields: dict[int, set[str]] = {}
    for year, n_types, budget in plan:
        pid = ids.take("program")
        p = data["program"]
        session.execute(Program.__table__.insert(), [{  # type: ignore[attr-defined]
            "id": pid, "year": year,
            "name_ko": p["name_ko"] if year == 2021 else f"{year}년 인공지능 학습용 데이터 구축 사업",
            "name_en": p["name_en"] if year == 2021 else f"{year} AI training data construction project",
            "total_budget_krw": budget,
            "call_opened_date": date.fromisoformat(p["call_opened_date"]).replace(year=year),
            "reporting_date": date(year + 1, 12, 31),  # after agreements, verification and opening deadlines
            "rules_json": rules.model_dump(mode="json"), "created_at": SEED_CLOCK.replace(year=year),
        }])
        audit.record_bulk(session, audit.SYSTEM, Program, [pid], occurred_at=SEED_CLOCK)
        ctx.program_ids.append(pid)
        if year == 2021:
            ctx.main_program_id = pid
        year_projects = _make_projects(rng, ids, pid, year, n_types, budget, data, field_id, type_id)
        projects.extend(year_projects)
        for pr in year_projects:
            data_types.append({"id": ids.take("data_type"), "project_id": pr["id"], "name_ko": pr["title_ko"],
                               "name_en": pr["title_en"], "modality": pr.pop("_modality"),
                               "contracted_volume": pr["planned_volume"], "volume_unit": "건"})
        _make_proposals(rng, ids, year, year_projects, orgs, rules, consortia, members, proposals, lead_fields,
                        field_code={v: k for k, v in field_id.items()})

    _plant_ineligible(rng, ctx, ids, projects, orgs, rules, consortia, members, proposals, field_id)

    bulk_insert(session, Project, projects)
    bulk_insert(session, DataType, data_types)
    bulk_insert(session, Consortium, consortia)
    bulk_insert(session, ConsortiumMember, members)
    bulk_insert(session, Proposal, proposals)
    for table, rows in (("program", plan), ("project", projects), ("data_type", data_types), ("consortium", consortia),
                        ("consortium_member", members), ("proposal", proposals)):
        ctx.count(table, len(rows))
    audit.record(session, audit.SYSTEM, "seed.programme", "program", ctx.main_program_id,
                 after={"scale": ctx.scale, "seed": ctx.seed, "counts": dict(ctx.counts)},
                 occurred_at=SEED_CLOCK)


def _make_orgs(rng: random.Random, ids: _Ids, n: int) -> list[dict[str, Any]]:
    kinds = [k for k, _ in _KIND_WEIGHTS]
    weights = [w for _, w in _KIND_WEIGHTS]
    names: set[str] = set()
    numbers: set[str] = set()
    rows = []
    for _ in range(n):
        kind = rng.choices(kinds, weights)[0]
        region = rng.choices(REGIONS, _REGION_WEIGHTS)[0]
        name, name_en = org_name(rng, kind.value, region, names)
        rows.append({"id": ids.take("org"), "name": name, "name_en": name_en,
                     "business_number": business_number(rng, numbers), "kind": kind.value, "region": region,
                     "restricted_until": None, "restriction_reason": None})
    # a few organisations under a participation restriction (참여제한)
    for row in rng.sample(rows, max(2, n // 150)):
        row["restricted_until"] = date(2023, 12, 31)
        row["restriction_reason"] = ("이전 사업 부정수급으로 인한 참여제한 "
                                     "(participation restriction after misuse of funds)")
    return rows


def _make_projects(rng: random.Random, ids: _Ids, program_id: int, year: int, n_types: int, budget: int,
                   data: dict[str, Any], field_id: dict[str, int], type_id: dict[str, int]) -> list[dict[str, Any]]:
    # split of this call's types over call types and fields, in the 2021 proportions
    ct_counts = largest_remainder_counts(n_types, [t["projects"] for t in data["call_types"]])
    designated_by_field = largest_remainder_counts(ct_counts[0], [f["designated"] for f in data["fields"]])
    slots: list[tuple[str, str]] = []  # (call type, field code)
    for f, n in zip(data["fields"], designated_by_field, strict=True):
        slots += [("designated", f["code"])] * n
    codes = [f["code"] for f in data["fields"]]
    slots += [("regional", codes[i % len(codes)]) for i in range(ct_counts[1])]
    slots += [("free", codes[(i + 3) % len(codes)]) for i in range(ct_counts[2])]

    # ceilings: a floor of ~97.4% of the average (1.9B in 2021), the rest spread unevenly, in 1M won
    units = budget // MILLION
    floor_units = units * 974 // (1000 * n_types)
    extra = units - floor_units * n_types
    weights = [Decimal(str(round(rng.expovariate(1.0), 6))) + Decimal("0.01") for _ in slots]
    extras = split_largest_remainder(extra, weights)
    used: dict[str, int] = {}
    rows = []
    non_capital = [r for r in REGIONS if r not in ("서울", "경기", "인천")]
    for i, ((ct, fcode), extra_units) in enumerate(zip(slots, extras, strict=True)):
        ideas = data["data_type_ideas"][fcode]
        k = used.get(fcode, 0)
        used[fcode] = k + 1
        idea_ko, idea_en = ideas[k % len(ideas)]
        q_ko, q_en = _QUALIFIERS[(k // len(ideas)) % len(_QUALIFIERS)]
        title_ko = f"{q_ko}{idea_ko} 데이터"
        title_en = f"{q_en}{idea_en} dataset".capitalize()
        if ct == "regional":
            region = non_capital[i % len(non_capital)]
            title_ko = f"{region} 지역특화 {idea_ko} 데이터"
            title_en = f"{idea_en} dataset for {region} (regional)"
        else:
            region = None
        volume = rng.randrange(200_000, 1_500_000, 1000)
        modality = _modality(fcode, k, idea_ko)
        rows.append({"id": ids.take("project"), "program_id": program_id,
                     "code": f"{year}-{ct[0].upper()}-{fcode}-{k + 1:03d}" if ct == "designated"
                     else f"{year}-{ct[0].upper()}-{i + 1:03d}",
                     "field_id": field_id[fcode], "call_type_id": type_id[ct], "title_ko": title_ko,
                     "title_en": title_en, "region": region, "ceiling_krw": (floor_units + extra_units) * MILLION,
                     "planned_volume": volume, "volume_unit": "건", "status": ProjectStatus.open.value,
                     "_modality": modality})
    return rows


def _modality(fcode: str, k: int, idea_ko: str) -> str:
    if fcode == "LANG":
        return "speech" if k % 2 == 0 else "text"
    if "센서" in idea_ko or "신호" in idea_ko:
        return "sensor"
    return "video" if "영상" in idea_ko else "image"


def _submitted_at(rng: random.Random, year: int) -> datetime:
    start = datetime(year, 3, 12, 0, 0, tzinfo=UTC)
    return start + timedelta(minutes=rng.randrange(0, 31 * 24 * 60))


def _proposal_row(rng: random.Random, ids: _Ids, year: int, project: dict[str, Any], consortium_id: int,
                  lead_kind: str, rules: ProgramRules, *, hires_delta: int | None = None) -> dict[str, Any]:
    ceiling = project["ceiling_krw"]
    grant = ceiling * rng.randint(860, 1000) // 1000 // MILLION * MILLION
    rate = rules.min_matching_rate(lead_kind) + Decimal(rng.randint(0, 40)) / 1000
    matching = int((Decimal(grant) * rate / (1 - rate)).to_integral_value(rounding="ROUND_CEILING"))
    matching = -(-matching // MILLION) * MILLION
    required = required_direct_hires(grant, rules.hires_per_100m_krw)
    hires = required + (rng.randint(0, 8) if hires_delta is None else hires_delta)
    crowd_share = Decimal(rng.randint(120, 420)) / 1000
    crowd = int(Decimal(grant) * crowd_share) // MILLION * MILLION
    return {"id": ids.take("proposal"), "project_id": project["id"], "consortium_id": consortium_id,
            "title": f"{project['title_ko']} 구축 사업계획서", "requested_grant_krw": grant,
            "private_matching_krw": matching, "planned_direct_hires": max(hires, 0),
            "planned_crowd_payment_krw": crowd,
            "planned_crowd_workers": max(20, crowd // rng.randint(1_500_000, 4_000_000)),
            "planned_training_hours": rng.randint(20, 200),
            "planned_volume": project["planned_volume"] * rng.randint(1000, 1150) // 1000,
            "vulnerable_hiring_plan": rng.random() < 0.45, "submitted_at": _submitted_at(rng, year),
            "status": ProposalStatus.submitted.value}


def _make_proposals(rng: random.Random, ids: _Ids, year: int, projects: list[dict[str, Any]],
                    orgs: list[dict[str, Any]],
                    rules: ProgramRules, consortia: list[dict[str, Any]], members: list[dict[str, Any]],
                    proposals: list[dict[str, Any]], lead_fields: dict[int, set[str]],
                    field_code: dict[int, str]) -> None:
    leads = [o for o in orgs if o["kind"] in _LEAD_KINDS and o["restricted_until"] is None]
    partners = [o for o in orgs if o["kind"] not in (OrgKind.crowd_platform.value,)]
    platforms = [o for o in orgs if o["kind"] == OrgKind.crowd_platform.value]
    year_lead_fields: dict[int, set[str]] = {}
    for project in projects:
        fcode = field_code[project["field_id"]]
        n_props = rng.choices([2, 3, 4, 5], [35, 35, 20, 10])[0]
        used_leads: set[int] = set()
        for _ in range(n_props):
            # a lead may apply to at most `max_fields_per_lead` fields in a call
            for _attempt in range(50):
                lead = rng.choice(leads)
                fields_so_far = year_lead_fields.get(lead["id"], set())
                if lead["id"] in used_leads:
                    continue
                if project["region"] and rng.random() < 0.7 and lead["region"] != project["region"]:
                    continue
                if fcode in fields_so_far or len(fields_so_far) < rules.max_fields_per_lead:
                    break
            used_leads.add(lead["id"])
            year_lead_fields.setdefault(lead["id"], set()).add(fcode)
            cid = ids.take("consortium")
            consortia.append({"id": cid, "name": f"{lead['name']} 컨소시엄", "lead_org_id": lead["id"]})
            n_members = rng.choices([2, 3, 4, 5, 6, 7, 8], [20, 30, 22, 13, 8, 4, 3])[0]
            chosen = [lead]
            if rng.random() < 0.85 and platforms:
                chosen.append(rng.choice(platforms))
            while len(chosen) < n_members:
                cand = rng.choice(partners)
                if all(cand["id"] != c["id"] for c in chosen):
                    chosen.append(cand)
            shares = split_largest_remainder(10000, [60] + [rng.randint(10, 40) for _ in chosen[1:]])
            for org, share in zip(chosen, shares, strict=True):
                role = (MemberRole.lead if org is lead else MemberRole.crowd_platform
                        if org["kind"] == OrgKind.crowd_platform.value else MemberRole.participant)
                members.append({"id": ids.take("member"), "consortium_id": cid, "org_id": org["id"],
                                "role": role.value, "share_bp": share})
            proposals.append(_proposal_row(rng, ids, year, project, cid, lead["kind"], rules))
    for k, v in year_lead_fields.items():
        lead_fields.setdefault(k, set()).update(v)


def _plant_ineligible(rng: random.Random, ctx: SeedContext, ids: _Ids, projects: list[dict[str, Any]],
                      orgs: list[dict[str, Any]], rules: ProgramRules, consortia: list[dict[str, Any]],
                      members: list[dict[str, Any]], proposals: list[dict[str, Any]], field_id: dict[str, int]) -> None:
    """A few proposals of the 2021 call that screening must reject, each for one reason."""
    main = [p for p in projects if p["program_id"] == ctx.main_program_id]
    smes = [o for o in orgs if o["kind"] == OrgKind.sme.value and o["restricted_until"] is None]
    partner_pool = [o for o in orgs if o["kind"] == OrgKind.startup.value and o["restricted_until"] is None]

    def consortium(lead: dict[str, Any], with_partner: bool) -> int:
        cid = ids.take("consortium")
        consortia.append({"id": cid, "name": f"{lead['name']} 컨소시엄", "lead_org_id": lead["id"]})
        members.append({"id": ids.take("member"), "consortium_id": cid, "org_id": lead["id"], "role": "lead",
                        "share_bp": 10000 if not with_partner else 7000})
        if with_partner:
            partner = rng.choice(partner_pool)
            members.append({"id": ids.take("member"), "consortium_id": cid, "org_id": partner["id"],
                            "role": "participant", "share_bp": 3000})
        return cid

    # too few direct hires planned (one short of the requirement)
    for project in rng.sample(main, 3):
        lead = rng.choice(smes)
        row = _proposal_row(rng, ids, 2021, project, consortium(lead, True), lead["kind"], rules, hires_delta=-1)
        proposals.append(row)
        ctx.plant("too_few_hires", row["id"])
    # single-member consortium
    for project in rng.sample(main, 2):
        lead = rng.choice(smes)
        row = _proposal_row(rng, ids, 2021, project, consortium(lead, False), lead["kind"], rules)
        proposals.append(row)
        ctx.plant("single_member", row["id"])
    # one lead bidding in four fields (a fresh SME so that it has no other bids)
    lead = smes[-1]
    by_field: dict[int, dict[str, Any]] = {}
    for p in main:
        by_field.setdefault(p["field_id"], p)
    for project in list(by_field.values())[:4]:
        row = _proposal_row(rng, ids, 2021, project, consortium(lead, True), lead["kind"], rules)
        proposals.append(row)
        ctx.plant("lead_four_fields", row["id"])
    ctx.plant("lead_four_fields_org", lead["id"])
