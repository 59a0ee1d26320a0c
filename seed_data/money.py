"""Seed step 3: envelopes, awards, budget lines, the expenditure ledger, hires, crowd work,
training sessions and job postings, for every confirmed selection of every programme.

Program scale: ~150 awards and ~30k ledger entries. National scale (2017–2025): ~1,300
awards and about a million ledger entries, bulk-inserted in chunks with explicit ids.
Dates follow each programme's year: agreements run 05-01..12-31, some extended to 02-28
of the next year. A posting is open on a day within its dates unless withdrawn (one in ten is);
the job board judges that on the programme's reference date (budgeting.queries.list_public_jobs).

Planted in the 2021 programme (ctx.planted; ids in brackets): round_trip_payee [expenditure],
hire_without_insurance [hire], ghost_employee [hire, both awards' rows], inflated_labour
[award], out_of_period [expenditure], line_overrun [budget_line], indirect_over_cap [award],
crowd_shortfall [award]. The last three groups of legacy rows bypass the service, which
refuses them.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, text
from sqlmodel import Session

from budgeting import rules
from budgeting.models import (
    Award,
    AwardExtension,
    BudgetLine,
    CrowdActivity,
    Envelope,
    Expenditure,
    Hire,
    JobPosting,
    TrainingSession,
)
from budgeting.service import envelope_plan
from core import audit
from program.models import ConsortiumMember, Organization, Program, ProgramRules, Project, Proposal
from scoring.models import Selection
from seed_data.common import SEED_CLOCK, SeedContext, bulk_insert, call_2021
from seed_data.names import business_number

ACTOR = "seed"
CHUNK = 50_000
_VENDOR_STEMS = ["한빛", "누리", "가온", "다온", "새롬", "바름", "해솔", "라온", "도담", "별빛",
                 "푸른", "청솔", "한울", "늘봄", "세움", "이음", "나래", "보람", "슬기", "참빛", "고운", "단비",
                 "마루", "여울", "은빛", "지음", "초록", "한결"]
_VENDOR_KINDS = {
    "outsourcing": ["데이터가공", "라벨링서비스", "솔루션", "시스템"],
    "collection": ["수집", "촬영", "리서치", "미디어"],
    "equipment": ["컴퓨터", "클라우드", "장비", "소프트"],
    "quality": ["품질연구소", "검증센터", "컨설팅"],
    "travel": ["여행사", "회의실", "교통"],
}
_DESCRIPTIONS = {
    "labour": "참여인력 인건비 지급",
    "crowdsourcing": "크라우드워커 작업비 정산",
    "outsourcing": "데이터 가공 외주용역 대금",
    "collection": "원천데이터 수집비",
    "equipment": "장비·SW 구입",
    "quality": "품질검증 및 자문료",
    "travel": "출장여비 및 회의비",
    "indirect": "간접비 정산",
}
_ROLES = ["데이터 라벨러", "검수자", "데이터 엔지니어", "AI 개발자", "품질관리자", "프로젝트 매니저",
          "수집 담당", "기획자"]
_TRAININGS = ["라벨링 도구 교육", "품질 기준 교육", "데이터 윤리 교육", "검수 실무 교육"]
_PLATFORMS = ["크라우드웍스", "에이모", "테스트웍스", "셀렉트스타", "딥네츄럴"]  # platform brands (job board text)
_PLATFORM_SLUGS = {"크라우드웍스": "crowdworks", "에이모": "aimmo", "테스트웍스": "testworks",
                   "셀렉트스타": "selectstar", "딥네츄럴": "deepnatural"}


class _Ids:
    def __init__(self) -> None:
        self.next: dict[str, int] = defaultdict(lambda: 1)

    def take(self, table: str) -> int:
        n = self.next[table]
        self.next[table] = n + 1
        return n


def _split(rng: random.Random, amount: int, k: int, unit: int = 1000) -> list[int]:
    """`amount` in `k` random parts (multiples of `unit` except the last), adding up exactly."""
    if k <= 1 or amount < unit * k:
        return [amount]
    weights = [rng.randint(5, 100) for _ in range(k)]
    total = sum(weights)
    parts = [amount * w // total // unit * unit for w in weights[:-1]]
    parts.append(amount - sum(parts))
    return parts


def _month_starts(start: date, end: date) -> list[date]:
    return rules.month_starts(start, end)


def seed_money(session: Session, ctx: SeedContext) -> None:
    rng = ctx.rng("money")
    ids = _Ids()
    shares = {c["code"]: Decimal(c["typical_share"]) for c in call_2021()["cost_categories"]}
    national = ctx.scale == "national"
    per_line_month = (8, 15) if national else (2, 4)
    orgs = {o[0]: o[1:] for o in session.execute(select(Organization.id, Organization.name,
                                                        Organization.business_number)).all()}
    taken_bn = {bn for _, bn in orgs.values()}
    vendors: dict[str, list[tuple[str, str]]] = {}
    for cat, kinds in _VENDOR_KINDS.items():
        pool = []
        for i in range(60 if national else 25):
            name = f"(주){rng.choice(_VENDOR_STEMS)}{rng.choice(kinds)}{'' if i < 20 else ' ' + str(i)}"
            pool.append((name, business_number(rng, taken_bn)))
        vendors[cat] = pool

    envelopes: list[dict[str, Any]] = []
    awards: list[dict[str, Any]] = []
    extensions: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    hires: list[dict[str, Any]] = []
    crowd: list[dict[str, Any]] = []
    trainings: list[dict[str, Any]] = []
    postings: list[dict[str, Any]] = []
    created_at: dict[date, datetime] = {}
    contexts: dict[int, dict[str, Any]] = {}

    def stamp(d: date) -> datetime:
        ts = created_at.get(d)
        if ts is None:
            ts = created_at[d] = datetime.combine(d, time(9, 0), tzinfo=UTC)
        return ts

    programs = session.execute(select(Program.id, Program.year, Program.rules_json)
                               .where(Program.id.in_(ctx.program_ids)).order_by(Program.id)).all()  # type: ignore[attr-defined]
    for program_id, year, rules_json in programs:
        prules = ProgramRules.model_validate(rules_json or {})
        env_by_key: dict[tuple[int, int | None], int] = {}
        for row in envelope_plan(session, program_id):
            eid = ids.take("envelope")
            envelopes.append({"id": eid, **row})
            env_by_key[(row["call_type_id"], row["field_id"])] = eid
        sels = session.execute(
            select(Selection.id, Selection.project_id, Selection.proposal_id, Selection.recommended_grant_krw,
                   Project.ceiling_krw, Project.call_type_id, Project.field_id, Project.region, Project.title_ko,
                   Proposal.consortium_id, Proposal.private_matching_krw, Proposal.planned_crowd_workers,
                   Proposal.planned_training_hours, Proposal.planned_crowd_payment_krw)
            .join(Project, Project.id == Selection.project_id).join(Proposal, Proposal.id == Selection.proposal_id)
            .where(Selection.program_id == program_id).order_by(Selection.id)
        ).all()
        if not sels:
            continue
        members: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for cid, org_id, role in session.execute(
                select(ConsortiumMember.consortium_id, ConsortiumMember.org_id, ConsortiumMember.role)
                .where(ConsortiumMember.consortium_id.in_({s[9] for s in sels}))  # type: ignore[attr-defined]
                .order_by(ConsortiumMember.id)).all():
            members[cid].append((org_id, str(role)))
        start = date(year, 5, 1)
        end = date(year, 12, 31)
        ext_end = date(year + 1, 2, 28)
        main = program_id == ctx.main_program_id
        for (sel_id, project_id, proposal_id, recommended, ceiling, ct_id, field_id, region, title, cid, matching,
             planned_workers, planned_hours, planned_crowd_pay) in ctx.bar(sels, f"money {year}"):
            grant = min(recommended, ceiling)
            aid = ids.take("award")
            env_id = env_by_key.get((ct_id, field_id)) or env_by_key[(ct_id, None)]
            extended = rng.random() < 0.2
            current_end = ext_end if extended else end
            awards.append({"id": aid, "program_id": program_id, "project_id": project_id, "selection_id": sel_id,
                           "proposal_id": proposal_id, "consortium_id": cid, "envelope_id": env_id,
                           "grant_krw": grant, "matching_krw": matching, "start_date": start, "end_date": end,
                           "current_end_date": current_end, "status": "active", "created_by": ACTOR,
                           "created_at": stamp(start - timedelta(days=3))})
            if extended:
                extensions.append({"id": ids.take("extension"), "award_id": aid, "previous_end_date": end,
                                   "new_end_date": ext_end, "reason": "데이터 수집 지연에 따른 협약기간 연장",
                                   "created_by": ACTOR, "created_at": stamp(date(year, 12, 1))})
            jitter = {k: v * Decimal(rng.randint(85, 115)) / 100 for k, v in shares.items()}
            if planned_crowd_pay:  # the crowd line as the proposal promised it
                jitter["crowdsourcing"] = Decimal(planned_crowd_pay) / (grant + matching)
            budget = rules.default_budget_lines(grant + matching, jitter, prules.indirect_cost_cap)
            line_ids = {}
            for cat, amount in budget.items():
                lid = ids.take("line")
                line_ids[cat] = lid
                lines.append({"id": lid, "award_id": aid, "category": cat, "budget_krw": amount, "spent_krw": 0})
            award_ctx = {"id": aid, "grant": grant, "cid": cid, "start": start, "end": current_end,
                         "budget": budget, "line_ids": line_ids, "field_id": field_id, "region": region,
                         "title": title, "year": year, "planned_workers": planned_workers,
                         "planned_hours": planned_hours, "prules": prules, "main": main,
                         "member_orgs": [org for org, _ in members[cid]]}
            contexts[aid] = award_ctx
            _spend(rng, ctx, ids, award_ctx, entries, vendors, per_line_month, stamp, program_id)
            _obligations(rng, ids, award_ctx, members[cid], hires, crowd, trainings, postings, stamp)

    if not awards:
        bulk_insert(session, Envelope, envelopes)
        ctx.count("envelope", len(envelopes))
        return
    _plant(rng, ctx, ids, awards, contexts, lines, entries, hires, crowd, orgs, stamp)

    # running line totals from the ledger
    spent: dict[int, int] = defaultdict(int)
    for e in entries:
        spent[e["line_id"]] += e["amount_krw"]
    for ln in lines:
        ln["spent_krw"] = spent.get(ln["id"], 0)

    for model, rows, name in ((Envelope, envelopes, "envelope"), (Award, awards, "award"),
                              (AwardExtension, extensions, "award_extension"), (BudgetLine, lines, "budget_line")):
        bulk_insert(session, model, rows)
        ctx.count(name, len(rows))
    entries.sort(key=lambda e: e["id"])
    for i in ctx.bar(range(0, len(entries), CHUNK), "ledger", total=-(-len(entries) // CHUNK)):
        bulk_insert(session, Expenditure, entries[i:i + CHUNK], chunk=CHUNK)
    ctx.count("expenditure", len(entries))
    for model, rows, name in ((Hire, hires, "hire"), (CrowdActivity, crowd, "crowd_activity"),
                              (TrainingSession, trainings, "training_session"), (JobPosting, postings, "job_posting")):
        bulk_insert(session, model, rows)
        ctx.count(name, len(rows))
    _advance_sequences(session, [Envelope, Award, AwardExtension, BudgetLine, Expenditure, Hire, CrowdActivity,
                                 TrainingSession, JobPosting])
    audit.record(session, audit.SYSTEM, "seed.money", "program", ctx.main_program_id,
                 after={"awards": len(awards), "expenditures": len(entries), "hires": len(hires),
                        "job_postings": len(postings)},
                 occurred_at=SEED_CLOCK + timedelta(days=60))


def _advance_sequences(session: Session, models: list[Any]) -> None:
    """On PostgreSQL, move each id sequence past the explicit ids the seed inserted (later inserts use it)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        name = model.__tablename__
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                             f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM \"{name}\""))


def _spend(rng: random.Random, ctx: SeedContext, ids: _Ids, a: dict[str, Any], entries: list[dict[str, Any]],
           vendors: dict[str, list[tuple[str, str]]], per_line_month: tuple[int, int], stamp: Any,
           program_id: int) -> None:
    """Monthly spending on every line through the agreement period, with a few reversals."""
    months = _month_starts(a["start"], a["end"])
    underspender = rng.random() < 0.08
    rate = rng.uniform(0.55, 0.7) if underspender else rng.uniform(0.92, 0.99)
    a["underspender"] = underspender
    for cat, budget in a["budget"].items():
        target = int(budget * rate)
        if underspender:  # spending fades towards the end
            weights = [max(1, 100 - 12 * i) for i in range(len(months))]
        else:
            weights = [rng.randint(70, 130) for _ in months]
        wsum = sum(weights)
        per_month = [target * w // wsum for w in weights]
        per_month[-1] += target - sum(per_month)
        line_id = a["line_ids"][cat]
        pool = vendors.get(cat)
        for m, amount in zip(months, per_month, strict=True):
            last_day = (date(m.year + (m.month == 12), m.month % 12 + 1, 1) - timedelta(days=1)).day
            k = rng.randint(*per_line_month)
            for part in _split(rng, amount, k):
                day = m.replace(day=rng.randint(1, last_day))
                if day > a["end"]:
                    day = a["end"]
                if pool:
                    payee, bn = pool[rng.randrange(len(pool))]
                else:
                    payee, bn = _DESCRIPTIONS[cat].split()[0] + " 지급", None
                eid = ids.take("expenditure")
                entries.append({"id": eid, "program_id": program_id, "award_id": a["id"], "line_id": line_id,
                                "spent_date": day, "amount_krw": part, "payee_name": payee,
                                "payee_business_number": bn, "description": f"{m.month}월 {_DESCRIPTIONS[cat]}",
                                "evidence_ref": f"EV-{a['id']}-{eid}", "reverses_id": None, "created_by": ACTOR,
                                "created_at": stamp(day)})
                if rng.random() < 0.002:  # a correction: reversal, then the right entry again
                    fix_day = min(day + timedelta(days=3), a["end"])
                    rid = ids.take("expenditure")
                    entries.append({**entries[-1], "id": rid, "amount_krw": -part, "spent_date": fix_day,
                                    "description": f"정정(reversal) of #{eid}: 증빙 누락", "reverses_id": eid,
                                    "evidence_ref": f"EV-{a['id']}-{eid}", "created_at": stamp(fix_day)})
                    nid = ids.take("expenditure")
                    entries.append({**entries[-2], "id": nid, "spent_date": fix_day,
                                    "evidence_ref": f"EV-{a['id']}-{nid}",
                                    "description": f"{m.month}월 {_DESCRIPTIONS[cat]} (재처리)",
                                    "created_at": stamp(fix_day)})


def _obligations(rng: random.Random, ids: _Ids, a: dict[str, Any], members: list[tuple[int, str]],
                 hires: list[dict[str, Any]], crowd: list[dict[str, Any]], trainings: list[dict[str, Any]],
                 postings: list[dict[str, Any]], stamp: Any) -> None:
    """Hires (most awards compliant, some short), crowd work, trainings and job postings."""
    required = rules.required_direct_hires(a["grant"], a["prules"].hires_per_100m_krw)
    roll = rng.random()
    if roll < 0.12:
        n = max(0, required - rng.randint(1, 6))  # short of the 2.4 rule
    else:
        n = required + rng.randint(0, 5)
    lacking = rng.randint(1, 3) if rng.random() < 0.06 else 0
    employers = [org for org, role in members if role != "crowd_platform"] or [members[0][0]]
    start, end = a["start"], a["end"]
    a["hire_ids"] = []
    for i in range(n + lacking + rng.randint(1, 3)):
        hid = ids.take("hire")
        is_crowd = i >= n + lacking
        cs = start + timedelta(days=rng.randint(0, 40))
        ce = end - timedelta(days=rng.randint(0, 30))
        evidence = not (n <= i < n + lacking)
        hires.append({"id": hid, "award_id": a["id"], "person_key": f"PK-{a['year']}-{hid:07d}",
                      "org_id": rng.choice(employers), "job_role": "크라우드워커" if is_crowd else rng.choice(_ROLES),
                      "employment_type": "crowd" if is_crowd else "direct", "contract_start": cs,
                      "contract_end": ce, "full_time": not is_crowd and rng.random() < 0.85,
                      "social_insurance": not is_crowd,
                      "evidence_contract": f"CT-{hid}" if not is_crowd else None,
                      "evidence_insurance": f"INS-{hid}" if not is_crowd else None,
                      "evidence_payroll": (f"PAY-{hid}" if evidence else None) if not is_crowd else None,
                      "created_by": ACTOR, "created_at": stamp(cs)})
        if not is_crowd and evidence:
            a["hire_ids"].append(hid)
    months = _month_starts(start, end)
    workers = a["planned_workers"] * rng.randint(90, 125) // 100
    items_per_worker = rng.randint(800, 3000)
    for m, w in zip(months, _split(rng, workers, len(months), unit=1), strict=True):
        period_end = min(date(m.year + (m.month == 12), m.month % 12 + 1, 1) - timedelta(days=1), end)
        crowd.append({"id": ids.take("crowd"), "award_id": a["id"], "period_start": m, "period_end": period_end,
                      "workers_engaged": w, "items_labelled": w * items_per_worker + rng.randint(0, 5000),
                      "created_by": ACTOR, "created_at": stamp(period_end)})
    sessions = rng.randint(2, 6)
    hours = _split(rng, max(sessions, a["planned_hours"] * rng.randint(90, 120) // 100), sessions, unit=1)
    for h in hours:
        held = start + timedelta(days=rng.randint(10, (end - start).days))
        trainings.append({"id": ids.take("training"), "award_id": a["id"], "held_date": held,
                          "title": rng.choice(_TRAININGS),
                          "hours": max(1, h), "attendees": rng.randint(15, 120), "created_by": ACTOR,
                          "created_at": stamp(held)})
    for _ in range(rng.randint(1, 3)):
        opened = start + timedelta(days=rng.randint(0, 150))
        closed = opened + timedelta(days=rng.randint(14, 90))
        platform = rng.choice(_PLATFORMS)
        pid = ids.take("posting")
        postings.append({"id": pid, "award_id": a["id"],
                         "title": f"{a['title']} 라벨링 작업자 모집", "platform": platform,
                         "pay_krw": rng.choice([50, 80, 100, 150, 300, 500, 12_000]),
                         "pay_unit": "건", "open_date": opened, "close_date": closed,
                         "is_open": pid % 10 != 0, "field_id": a["field_id"],  # one in ten withdrawn
                         "region": a["region"] or "전국", "apply_url": apply_url(platform, pid),
                         "created_by": ACTOR, "created_at": stamp(opened)})


def apply_url(platform: str, posting_id: int) -> str:
    """The seeded posting's apply link on its platform (demo addresses under example.com, https)."""
    return f"https://{_PLATFORM_SLUGS.get(platform, 'jobs')}.example.com/jobs/{posting_id}"


def _plant(rng: random.Random, ctx: SeedContext, ids: _Ids, awards: list[dict[str, Any]],
           contexts: dict[int, dict[str, Any]], lines: list[dict[str, Any]], entries: list[dict[str, Any]],
           hires: list[dict[str, Any]], crowd: list[dict[str, Any]], orgs: dict[int, tuple[str, str]],
           stamp: Any) -> None:
    """The patterns real audits found, few and realistic, in the main programme."""
    main = [a for a in awards if a["program_id"] == ctx.main_program_id
            and not contexts[a["id"]]["underspender"] and len(contexts[a["id"]]["hire_ids"]) >= 3]
    if len(main) < 12:
        return
    pick = rng.sample(main, 12)
    pick.sort(key=lambda a: a["id"])
    lines_of: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for ln in lines:
        lines_of[ln["award_id"]][ln["category"]] = ln
    picked = {a["id"] for a in pick}
    line_cat = {ln["id"]: ln["category"] for ln in lines if ln["award_id"] in picked}
    entries_of: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for e in entries:
        if e["award_id"] in picked:
            entries_of[(e["award_id"], line_cat[e["line_id"]])].append(e)

    def add_entry(award: dict[str, Any], cat: str, day: date, amount: int, payee: str, bn: str | None,
                  desc: str) -> dict[str, Any]:
        eid = ids.take("expenditure")
        row = {"id": eid, "program_id": award["program_id"], "award_id": award["id"],
               "line_id": lines_of[award["id"]][cat]["id"], "spent_date": day, "amount_krw": amount,
               "payee_name": payee, "payee_business_number": bn, "description": desc,
               "evidence_ref": f"EV-{award['id']}-{eid}", "reverses_id": None, "created_by": "legacy-import",
               "created_at": stamp(day)}
        entries.append(row)
        return row

    def vendor(cat: str) -> str:
        return f"(주){rng.choice(_VENDOR_STEMS)}{rng.choice(_VENDOR_KINDS.get(cat, ['상사']))}"

    # round_trip_payee: "collection" fees paid to a supplier that shares a member's business number (kickback)
    for a in pick[0:2]:
        member = contexts[a["id"]]["member_orgs"][-1]
        bn = orgs[member][1]
        for e in [x for x in entries_of[(a["id"], "collection")] if x["reverses_id"] is None][:4]:
            e["payee_name"] = f"(주){rng.choice(_VENDOR_STEMS)}수집"
            e["payee_business_number"] = bn
            ctx.plant("round_trip_payee", e["id"])
    # hire_without_insurance: direct hires on payroll with no social-insurance enrolment
    for a in pick[2:4]:
        for hid in contexts[a["id"]]["hire_ids"][:3]:
            h = hires[hid - 1]
            h["social_insurance"] = False
            h["evidence_insurance"] = None
            ctx.plant("hire_without_insurance", hid)
    # ghost_employee: one person key employed full-time by two awards at once
    h1 = hires[contexts[pick[4]["id"]]["hire_ids"][0] - 1]
    h2 = hires[contexts[pick[5]["id"]]["hire_ids"][0] - 1]
    h2["person_key"] = h1["person_key"]
    h1["full_time"] = h2["full_time"] = True
    ctx.plant("ghost_employee", h1["id"], h2["id"])
    # inflated_labour: the outsourcing, collection and crowd budgets (and their spending) paid as labour
    # for work volume that was never delivered (the prosecuted "overstated work volume" pattern)
    for a in pick[6:8]:
        ls = lines_of[a["id"]]
        for cat in ("outsourcing", "collection", "crowdsourcing"):
            ls["labour"]["budget_krw"] += ls[cat]["budget_krw"]
            ls[cat]["budget_krw"] = 0
            for e in entries_of[(a["id"], cat)]:
                e["line_id"] = ls["labour"]["id"]
                e["payee_name"], e["payee_business_number"] = "참여인력 인건비 지급", None
                e["description"] = e["description"].split(" ")[0] + " 참여인력 인건비 (추가 투입)"
        ctx.plant("inflated_labour", a["id"])
    # out_of_period: payments before the start and after the end of the agreement
    a = pick[8]
    for day, cat in ((a["start_date"] - timedelta(days=20), "equipment"),
                     (a["current_end_date"] + timedelta(days=15), "travel"),
                     (a["current_end_date"] + timedelta(days=40), "quality")):
        row = add_entry(a, cat, day, 3_300_000, vendor(cat), None, "협약기간 외 집행")
        ctx.plant("out_of_period", row["id"])
    # line_overrun: equipment spent to 118% of its budget
    a = pick[9]
    ln = lines_of[a["id"]]["equipment"]
    spent = sum(e["amount_krw"] for e in entries_of[(a["id"], "equipment")])
    add_entry(a, "equipment", a["current_end_date"] - timedelta(days=10), ln["budget_krw"] * 118 // 100 - spent,
              vendor("equipment"), None, "GPU 서버 추가 구입")
    ctx.plant("line_overrun", ln["id"])
    # indirect_over_cap: indirect costs at ~9% of direct costs, budgeted and spent
    a = pick[10]
    ls = lines_of[a["id"]]
    direct = sum(v["budget_krw"] for k, v in ls.items() if k != "indirect")
    delta = direct * 9 // 100 - ls["indirect"]["budget_krw"]
    ls["indirect"]["budget_krw"] += delta
    a["matching_krw"] += delta  # the consortium "matched" the extra overhead, so the lines still add up
    add_entry(a, "indirect", a["current_end_date"] - timedelta(days=5), delta, "주관기관 간접비", None,
              "간접비 추가 정산")
    ctx.plant("indirect_over_cap", a["id"])
    # crowd_shortfall: a fifth of the promised crowd work, and crowd payments to match
    a = pick[11]
    for c in crowd:
        if c["award_id"] == a["id"]:
            c["workers_engaged"] //= 5
            c["items_labelled"] //= 5
    by_id = {e["id"]: e for e in entries_of[(a["id"], "crowdsourcing")]}
    for e in by_id.values():
        if e["reverses_id"] is None:
            e["amount_krw"] = e["amount_krw"] // 5 // 1000 * 1000
    for e in by_id.values():
        if e["reverses_id"] is not None:
            e["amount_krw"] = -by_id[e["reverses_id"]]["amount_krw"]
    ctx.plant("crowd_shortfall", a["id"])
