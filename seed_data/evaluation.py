"""Seed step 2: rubrics, evaluators, screening, panels, score sheets, selections.

Program scale: ~300 evaluators (national: ~1,500) without logins, one rubric per call type
from `program_2021.json`, screening of every proposal with `scoring.rules.screen`, a
conflict-free panel of 5–9 evaluators per project with eligible proposals, submitted
sheets with a realistic spread (a few lenient and harsh evaluators, a few weak projects
that must be re-announced), and confirmed selections computed with the same
`scoring.evaluation_frame.Frame.decide` the service uses. Three projects of the 2021 call are left
under evaluation with missing sheets (for the demo evaluator).

Planted: `conflicted_sheet_counted` (a conflict declared after the selection was confirmed
on a sheet that was counted) and `selection_without_reason` (a rank-2 proposal confirmed
without an override reason).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from core import audit
from program.models import (
    CallType,
    Consortium,
    ConsortiumMember,
    CoreField,
    Organization,
    Program,
    Project,
    ProjectStatus,
    Proposal,
    ProposalStatus,
)
from scoring import rules
from scoring.evaluation_frame import load_frame
from scoring.models import (
    BonusItem,
    ConflictRecord,
    CriterionScore,
    Evaluator,
    EvaluatorEmployment,
    PanelMember,
    Rubric,
    RubricCriterion,
    ScoreSheet,
    Screening,
    Selection,
    SheetStatus,
)
from seed_data.common import SEED_CLOCK, SeedContext, bulk_insert, call_2021

SURNAMES = ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권", "황", "안", "송"]
GIVEN = ["민", "서", "지", "현", "준", "수", "영", "은", "하", "도", "윤", "재", "성", "혜", "진", "우", "경", "태"]
OFFICIALS = ["박서연 사무관", "김도현 서기관", "이하늘 사무관"]
INCOMPLETE_PROJECTS = 3


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def seed_evaluation(session: Session, ctx: SeedContext) -> None:
    rng = ctx.rng("evaluation")
    data = call_2021()
    programs = {p.id: p for p in session.exec(select(Program).order_by(Program.id)).all()}
    call_types = {str(t.code.value if hasattr(t.code, "value") else t.code): t.id
                  for t in session.exec(select(CallType)).all()}
    field_ids = [f.id for f in session.exec(select(CoreField).order_by(CoreField.id)).all()]
    orgs = {r[0]: {"kind": str(r[1]), "region": r[2], "restricted_until": r[3], "name": r[4]} for r in session.execute(
        select(Organization.id, Organization.kind, Organization.region, Organization.restricted_until,
               Organization.name).order_by(Organization.id)).all()}
    projects = [dict(r._mapping) for r in session.execute(
        select(Project.id, Project.program_id, Project.field_id, Project.call_type_id, Project.ceiling_krw,
               Project.region).order_by(Project.id)).all()]
    proposals = [dict(r._mapping) for r in session.execute(
        select(Proposal.id, Proposal.project_id, Proposal.consortium_id, Proposal.requested_grant_krw,
               Proposal.private_matching_krw, Proposal.planned_direct_hires, Proposal.submitted_at,
               Consortium.lead_org_id).join(Consortium, Consortium.id == Proposal.consortium_id)
        .order_by(Proposal.id)).all()]
    members: dict[int, list[int]] = defaultdict(list)
    for cid, org in session.execute(select(ConsortiumMember.consortium_id, ConsortiumMember.org_id)
                                    .order_by(ConsortiumMember.id)).all():
        members[cid].append(org)
    project_by_id = {p["id"]: p for p in projects}
    props_by_project: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for p in proposals:
        props_by_project[p["project_id"]].append(p)

    # --- rubrics (one per programme and call type)
    rubric_rows, crit_rows, bonus_rows = [], [], []
    heaviest: dict[tuple[int, int], int] = {}
    criteria: dict[tuple[int, int], list[tuple[int, int]]] = {}  # (program, call type) → [(criterion id, max half)]
    for pid in programs:
        for ct_id in sorted(call_types.values()):
            rid = len(rubric_rows) + 1
            rubric_rows.append({"id": rid, "program_id": pid, "call_type_id": ct_id,
                                "step": Decimal(data["rubric_step"]), "updated_at": SEED_CLOCK})
            crits = []
            for order, c in enumerate(data["rubric"]):
                cid = len(crit_rows) + 1
                crit_rows.append({"id": cid, "rubric_id": rid, "code": c["code"], "name_ko": c["name_ko"],
                                  "name_en": c["name_en"], "max_points": Decimal(c["max_points"]),
                                  "sort_order": order})
                crits.append((cid, int(Decimal(c["max_points"]) * 2)))
            criteria[(pid, ct_id)] = crits
            heaviest[(pid, ct_id)] = max(crits, key=lambda x: x[1])[0]
            for b in data["bonus_items"]:
                bonus_rows.append({"id": len(bonus_rows) + 1, "rubric_id": rid, "code": b["code"],
                                   "name_ko": b["name_ko"], "name_en": b["name_en"], "points": Decimal(b["points"])})
    bulk_insert(session, Rubric, rubric_rows)
    bulk_insert(session, RubricCriterion, crit_rows)
    bulk_insert(session, BonusItem, bonus_rows)

    # --- evaluators: affiliation (some at bidding organisations) and past employment
    n_eval = 1500 if ctx.scale == "national" else 300
    org_ids = list(orgs)
    bidders = sorted({o for p in proposals for o in members[p["consortium_id"]]})
    eval_rows, job_rows = [], []
    for i in range(1, n_eval + 1):
        r = rng.random()
        affiliation = rng.choice(bidders) if r < 0.25 else rng.choice(org_ids) if r < 0.6 else None
        eval_rows.append({"id": i, "code": f"EV{i:04d}", "user_id": None, "name": _name(rng),
                          "expertise_field_id": rng.choice(field_ids), "affiliation_org_id": affiliation,
                          "active": True})
        for _ in range(rng.choices([0, 1, 2], [50, 35, 15])[0]):
            end = date(2021, 3, 12) - timedelta(days=rng.randint(30, 365 * 7))
            job_rows.append({"id": len(job_rows) + 1, "evaluator_id": i, "org_id": rng.choice(bidders),
                             "start_date": end - timedelta(days=rng.randint(365, 365 * 6)), "end_date": end})
    bulk_insert(session, Evaluator, eval_rows)
    bulk_insert(session, EvaluatorEmployment, job_rows)
    jobs: dict[int, list[tuple[int, date | None]]] = defaultdict(list)
    for j in job_rows:
        jobs[j["evaluator_id"]].append((j["org_id"], j["end_date"]))

    # --- screening, with the same rule the service applies
    lead_fields: dict[tuple[int, int], set[int]] = defaultdict(set)
    for p in proposals:
        prj = project_by_id[p["project_id"]]
        lead_fields[(prj["program_id"], p["lead_org_id"])].add(prj["field_id"])
    screen_rows = []
    eligible: dict[int, bool] = {}
    for p in proposals:
        prj = project_by_id[p["project_id"]]
        program = programs[prj["program_id"]]
        r = program.rules
        on = date(program.year, 4, 1)
        lead_kind = orgs[p["lead_org_id"]]["kind"]
        facts = rules.EligibilityFacts(
            member_count=len(members[p["consortium_id"]]),
            lead_fields=len(lead_fields[(prj["program_id"], p["lead_org_id"])]),
            requested_grant_krw=p["requested_grant_krw"], ceiling_krw=prj["ceiling_krw"],
            planned_direct_hires=p["planned_direct_hires"], private_matching_krw=p["private_matching_krw"],
            lead_kind=lead_kind,
            restricted_members=[orgs[o]["name"] for o in members[p["consortium_id"]]
                                if orgs[o]["restricted_until"] is not None and orgs[o]["restricted_until"] >= on])
        reasons = rules.screen(facts, min_members=r.min_consortium_members, max_fields=r.max_fields_per_lead,
                               hires_per_100m_krw=r.hires_per_100m_krw,
                               min_matching_rate=r.min_matching_rate(lead_kind))
        eligible[p["id"]] = not reasons
        screen_rows.append({"id": len(screen_rows) + 1, "proposal_id": p["id"], "project_id": prj["id"],
                            "screened_on": on, "eligible": not reasons, "reasons": reasons,
                            "override_eligible": None, "override_reason": None, "overridden_by": None,
                            "screened_at": datetime(program.year, 4, 1, 1, 0, tzinfo=UTC)})
    bulk_insert(session, Screening, screen_rows)

    # --- panels: balanced load, matching expertise, no conflicts
    main_id = ctx.main_program_id
    main_candidates = [p for p in projects if p["program_id"] == main_id
                       and sum(eligible[x["id"]] for x in props_by_project[p["id"]]) == 2]
    incomplete = {p["id"] for p in rng.sample(main_candidates, min(INCOMPLETE_PROJECTS, len(main_candidates)))}
    weak = {p["id"] for p in projects if rng.random() < 0.025 and p["id"] not in incomplete}
    evaluator_bias = {}
    for e in eval_rows:
        r = rng.random()
        evaluator_bias[e["id"]] = 7.0 if r < 0.06 else -7.0 if r < 0.12 else rng.gauss(0, 2)
    by_field: dict[int, list[int]] = defaultdict(list)
    for e in eval_rows:
        by_field[e["expertise_field_id"]].append(e["id"])
    load: dict[tuple[int, int], int] = defaultdict(int)
    panel_rows, sheet_rows, score_rows = [], [], []
    for prj in ctx.bar(projects, "panels"):
        elig = [p for p in props_by_project[prj["id"]] if eligible[p["id"]]]
        if not elig:
            continue
        program = programs[prj["program_id"]]
        ref = program.call_opened_date or date(program.year, 3, 12)
        bidding = {o for p in props_by_project[prj["id"]] for o in members[p["consortium_id"]]}
        size = rng.choices([5, 6, 7, 8, 9], [25, 25, 25, 15, 10])[0]
        if prj["id"] in incomplete:
            size = min(size, 7)
        pool = sorted(by_field[prj["field_id"]], key=lambda e: (load[(prj["program_id"], e)], rng.random()))
        rest = sorted((e["id"] for e in eval_rows if e["expertise_field_id"] != prj["field_id"]),
                      key=lambda e: (load[(prj["program_id"], e)], rng.random()))
        chosen: list[int] = []
        for e in pool + rest:
            if len(chosen) == size:
                break
            ev = eval_rows[e - 1]
            if rules.detect_conflicts(ev["affiliation_org_id"], jobs[e], bidding, ref,
                                      program.rules.conflict_lookback_years):
                continue
            chosen.append(e)
        quality = {p["id"]: (rng.gauss(60, 4) if prj["id"] in weak else rng.gauss(77, 6.5)) for p in elig}
        base = datetime(program.year, 4, 20, 0, 0, tzinfo=UTC)
        crits = criteria[(prj["program_id"], prj["call_type_id"])]
        for k, e in enumerate(chosen):
            load[(prj["program_id"], e)] += 1
            pm_id = len(panel_rows) + 1
            panel_rows.append({"id": pm_id, "project_id": prj["id"], "evaluator_id": e, "code": f"E{k + 1:02d}",
                               "assigned_at": datetime(program.year, 4, 10, 0, 0, tzinfo=UTC)})
            for p in elig:
                sid = len(sheet_rows) + 1
                missing = prj["id"] in incomplete and k >= size - 2
                status = SheetStatus.submitted
                if missing:
                    status = SheetStatus.draft if k == size - 2 else SheetStatus.assigned
                ratio = (quality[p["id"]] + evaluator_bias[e] + rng.gauss(0, 3.5)
                         + (rng.choice([-22, 22]) if rng.random() < 0.01 else 0)) / 100
                ratio = min(max(ratio, 0.2), 1.0)
                halves = []
                if status != SheetStatus.assigned:
                    for cid, mx in crits:
                        h = min(max(round(ratio * mx + rng.gauss(0, 0.8)), 0), mx)
                        halves.append(h)
                        score_rows.append({"id": len(score_rows) + 1, "sheet_id": sid, "criterion_id": cid,
                                           "points": Decimal(h) / 2,
                                           "comment": ("보완 필요: 구체적 계획 부족 (plan lacks detail)"
                                                       if rules.comment_required(Decimal(h) / 2, Decimal(mx) / 2,
                                                                                 program.rules.comment_required_below)
                                                       else None)})
                submitted = status == SheetStatus.submitted
                at = base + timedelta(minutes=rng.randint(0, 14 * 24 * 60))
                sheet_rows.append({
                    "id": sid, "project_id": prj["id"], "proposal_id": p["id"], "evaluator_id": e,
                    "panel_member_id": pm_id, "status": status.value,
                    "total": rules.sheet_total(Decimal(h) / 2 for h in halves) if submitted else None,
                    "submitted_at": at if submitted else None, "updated_at": at,
                    "counted_at_confirmation": False, "reopen_count": 0})
    bulk_insert(session, PanelMember, panel_rows)
    bulk_insert(session, ScoreSheet, sheet_rows)
    bulk_insert(session, CriterionScore, score_rows)
    session.flush()

    # --- outcomes through the service's own aggregation, then selections and statuses
    sel_rows: list[dict[str, Any]] = []
    counted_ids: list[int] = []
    project_status: dict[str, list[int]] = defaultdict(list)
    proposal_status: dict[str, list[int]] = defaultdict(list)
    plant_done = False
    for pid, program in programs.items():
        fr = load_frame(session, pid)
        confirmed_at = datetime(program.year, 5, 28, 6, 0, tzinfo=UTC)
        for prj_id in fr.projects:
            decision = fr.decide(prj_id)
            by_id = decision.by_id()
            if decision.outcome == "pending":
                project_status[ProjectStatus.under_evaluation.value].append(prj_id)
                for o in decision.proposals:
                    proposal_status[ProposalStatus.ineligible.value if o.outcome == "ineligible"
                                    else ProposalStatus.under_review.value].append(o.proposal_id)
                continue
            if decision.outcome == "re-announce":
                project_status[ProjectStatus.reannounced.value].append(prj_id)
                for o in decision.proposals:
                    proposal_status[ProposalStatus.ineligible.value if o.outcome == "ineligible"
                                    else ProposalStatus.not_selected.value].append(o.proposal_id)
                continue
            chosen = by_id[decision.winner_id]  # type: ignore[index]
            reserves = [o for o in decision.proposals if o.outcome == "reserve"]
            if pid == main_id and not plant_done and reserves and len(sel_rows) >= 10:
                chosen = min(reserves, key=lambda o: o.rank or 0)  # departs from the ranking, no reason
                plant_done = True
                ctx.plant("selection_without_reason", len(sel_rows) + 1)
            sel_rows.append({"id": len(sel_rows) + 1, "program_id": pid, "project_id": prj_id,
                             "proposal_id": chosen.proposal_id, "final_score": rules.to_decimal(chosen.final_score),
                             "recommended_grant_krw": chosen.recommended_grant_krw, "confirmed_by_user_id": None,
                             "confirmed_by": OFFICIALS[prj_id % len(OFFICIALS)], "confirmed_at": confirmed_at,
                             "override_reason": None, "rank_at_confirmation": chosen.rank})
            project_status[ProjectStatus.awarded.value].append(prj_id)
            for o in decision.proposals:
                status = ("ineligible" if o.outcome == "ineligible" else "selected" if o is chosen
                          else "reserve" if o.outcome in ("selected", "reserve") else "not_selected")
                proposal_status[status].append(o.proposal_id)
                counted_ids.extend(s.id for s in fr.counted(o.proposal_id))
    bulk_insert(session, Selection, sel_rows)
    for status, ids in project_status.items():
        for i in range(0, len(ids), 900):
            session.execute(update(Project).where(Project.id.in_(ids[i:i + 900])).values(status=status))  # type: ignore[attr-defined]
    for status, ids in proposal_status.items():
        for i in range(0, len(ids), 900):
            session.execute(update(Proposal).where(Proposal.id.in_(ids[i:i + 900])).values(status=status))  # type: ignore[attr-defined]
    for i in range(0, len(counted_ids), 900):
        session.execute(update(ScoreSheet).where(ScoreSheet.id.in_(counted_ids[i:i + 900]))  # type: ignore[attr-defined]
                        .values(counted_at_confirmation=True))
    audit.record_bulk(session, audit.SYSTEM, ScoreSheet, counted_ids, occurred_at=SEED_CLOCK)

    # --- plant: a conflict declared after confirmation on a sheet that was counted
    planted_sel = set(ctx.planted.get("selection_without_reason", []))
    n_eligible = {prj: sum(eligible[x["id"]] for x in props) for prj, props in props_by_project.items()}
    candidates = [s for s in sel_rows if s["program_id"] == main_id and s["id"] not in planted_sel and s["id"] > 20]
    target = next((s for s in candidates if n_eligible[s["project_id"]] == 1), candidates[0] if candidates else None)
    if target is not None:
        sheet = next(s for s in sheet_rows if s["proposal_id"] == target["proposal_id"]
                     and s["status"] == SheetStatus.submitted.value)
        bulk_insert(session, ConflictRecord, [{
            "id": 1, "evaluator_id": sheet["evaluator_id"], "project_id": target["project_id"], "kind": "declared",
            "reason": "평가 후 신고: 주관기관 자문위원 경력 (declared after submission: former adviser of the lead)",
            "recorded_by": "system", "recorded_at": target["confirmed_at"] + timedelta(days=20)}])
        ctx.plant("conflicted_sheet_counted", *[s["id"] for s in sheet_rows if s["project_id"] == target["project_id"]
                                                and s["evaluator_id"] == sheet["evaluator_id"]])
    ctx.plant("incomplete_panel_projects", *sorted(incomplete))
    ctx.plant("reannounce_weak_projects", *sorted(p for p in weak if project_by_id[p]["program_id"] == main_id))

    for table, n in (("rubric", len(rubric_rows)), ("evaluator", len(eval_rows)), ("panel_member", len(panel_rows)),
                     ("score_sheet", len(sheet_rows)), ("criterion_score", len(score_rows)),
                     ("screening", len(screen_rows)), ("selection", len(sel_rows))):
        ctx.count(table, n)
    audit.record(session, audit.SYSTEM, "seed.evaluation", "program", main_id,
                 after={"evaluators": len(eval_rows), "sheets": len(sheet_rows), "selections": len(sel_rows),
                        "ineligible": sum(1 for v in eligible.values() if not v)},
                 occurred_at=SEED_CLOCK + timedelta(days=77))
