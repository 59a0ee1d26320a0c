"""Service tests of the evaluation domain (SQLite and PostgreSQL)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from core.audit import SYSTEM
from core.errors import Conflict, RuleViolation
from core.models import AuditEvent, Role
from program.models import Project, ProjectStatus, Proposal, ProposalStatus
from scoring import service
from scoring.models import ConflictIn, ScoreSheet, Selection
from tests.builders import count, fresh, make_consortium, make_org, make_project, make_proposal, make_user
from tests.scoring.builders import CALL_DATE, add_job, make_evaluator, make_rubric, scenario, score

TODAY = date(2021, 4, 1)


def test_screening_rules_through_the_service(session):
    from tests.builders import make_program

    program = make_program(session, call_opened_date=CALL_DATE)
    project = make_project(session, program)
    restricted_today = make_org(session, restricted_until=TODAY)
    restricted_before = make_org(session, restricted_until=TODAY - timedelta(days=1))
    ok = make_proposal(session, project)
    single = make_proposal(session, project, make_consortium(session, others=[]))
    r_today = make_proposal(session, project, make_consortium(session, others=[restricted_today]))
    r_before = make_proposal(session, project, make_consortium(session, others=[restricted_before]))
    few_hires = make_proposal(session, project, planned_direct_hires=45)  # 1.9B needs ceil(45.6) = 46
    at_hires = make_proposal(session, project, planned_direct_hires=46)
    over = make_proposal(session, project, requested_grant_krw=1_950_000_001, planned_direct_hires=60,
                         private_matching_krw=300_000_000)
    # a lead bidding in four fields: its fourth field makes all its proposals ineligible
    lead = make_org(session)
    multi = [make_proposal(session, make_project(session, program, field_code=f),
                           make_consortium(session, lead=lead)) for f in ("LANG", "VISION", "HEALTH")]
    service.screen_project(session, SYSTEM, project.id, today=TODAY)
    fresh(session)
    res = {s.proposal_id: [r["code"] for r in s.reasons] for s in service.list_screening(session, project.id)}
    assert res[ok.id] == [] and res[at_hires.id] == [] and res[r_before.id] == []
    assert res[single.id] == ["too_few_members"]
    assert res[r_today.id] == ["member_restricted"]
    assert res[few_hires.id] == ["too_few_hires"]
    assert res[over.id] == ["grant_above_ceiling"]

    def lead_codes():
        service.screen_project(session, SYSTEM, multi[2].project_id, today=TODAY)
        fresh(session)
        return [s.reasons for s in service.list_screening(session, multi[2].project_id)][0]

    assert lead_codes() == []  # three fields: still fine
    make_proposal(session, make_project(session, program, field_code="AGRI"), make_consortium(session, lead=lead))
    assert [r["code"] for r in lead_codes()] == ["lead_too_many_fields"]
    assert session.get(Proposal, single.id).status == ProposalStatus.ineligible


def test_screening_override_needs_reason_and_is_audited(session):
    s = scenario(session, n_props=1, panel=False)
    bad = make_proposal(session, s["project"], make_consortium(session, others=[]))
    service.screen_project(session, SYSTEM, s["project"].id, today=TODAY)
    service.override_screening(session, SYSTEM, bad.id, True, "member merged into the lead in March")
    fresh(session)
    ev = session.exec(select(AuditEvent).where(AuditEvent.action == "screening.override")).one()
    assert ev.reason == "member merged into the lead in March" and ev.entity_id == str(bad.id)
    assert service.list_screening(session, s["project"].id)[1].effective_eligible is True


def test_conflicts_detected_through_membership_and_employment(session):
    s = scenario(session, n_eval=5, panel=False)
    project, prop = s["project"], s["proposals"][0]
    member_org = make_org(session)
    partner = session.exec(select(Proposal).where(Proposal.id == prop.id)).one()
    from program.models import ConsortiumMember

    session.add(ConsortiumMember(consortium_id=partner.consortium_id, org_id=member_org.id, role="participant"))
    session.commit()
    at_member = make_evaluator(session, affiliation=member_org)
    job_at_edge = make_evaluator(session)
    add_job(session, job_at_edge, member_org, CALL_DATE.replace(year=2018))           # 2018-03-12: within
    job_too_old = make_evaluator(session)
    add_job(session, job_too_old, member_org, CALL_DATE.replace(year=2018) - timedelta(days=1))
    found = service.conflicts_for_project(session, project)
    assert set(found) == {at_member.id, job_at_edge.id}
    assert found[at_member.id][0][0] == "membership" and found[job_at_edge.id][0][0] == "employment"
    ids = [e.id for e in s["evaluators"][:4]]
    with pytest.raises(RuleViolation) as exc:
        service.set_panel(session, SYSTEM, project.id, ids + [at_member.id])
    assert at_member.code in exc.value.message
    service.set_panel(session, SYSTEM, project.id, ids + [job_too_old.id])
    # the official clears a detected conflict with a reason; a declaration adds one
    service.record_conflict(session, SYSTEM, ConflictIn(evaluator_id=at_member.id, project_id=project.id,
                                                        reason="left the organisation before the call", clear=True))
    assert at_member.id not in service.conflicts_for_project(session, project)
    service.record_conflict(session, SYSTEM, ConflictIn(evaluator_id=s["evaluators"][0].id, project_id=project.id,
                                                        reason="co-author of the lead's proposal"))
    assert s["evaluators"][0].id in service.conflicts_for_project(session, project)


def test_auto_panel_balances_load_matches_field_and_avoids_conflicts(session):
    s = scenario(session, n_eval=0, panel=False)
    project = s["project"]
    conflicted = make_evaluator(session, expertise_field_id=project.field_id)
    member = session.exec(select(Proposal).where(Proposal.id == s["proposals"][0].id)).one()
    from program.models import Consortium

    lead_org = session.get(Consortium, member.consortium_id).lead_org_id
    conflicted.affiliation_org_id = lead_org
    session.add(conflicted)
    session.commit()
    same_field = [make_evaluator(session, expertise_field_id=project.field_id) for _ in range(6)]
    other = [make_evaluator(session, expertise_field_id=None) for _ in range(3)]
    panel = service.auto_panel(session, SYSTEM, project.id, size=7)
    ids = {m.evaluator_id for m in panel.members}
    assert conflicted.id not in ids
    assert {e.id for e in same_field} <= ids and len(ids & {e.id for e in other}) == 1
    assert [m.panel_code for m in panel.members] == [f"E0{i}" for i in range(1, 8)]
    assert count(session, ScoreSheet) == 7 * 2
    with pytest.raises(RuleViolation):
        service.set_panel(session, SYSTEM, project.id, [e.id for e in same_field[:4]])  # 4 < 5


def test_full_flow_result_confirm_and_statuses(session):
    s = scenario(session, n_eval=5, n_props=2)
    a, b = s["proposals"]
    for u, ta, tb in zip(s["users"], [80, 82, 84, 86, 100], [70, 71, 72, 73, 60], strict=True):
        score(session, u, a, ta)
        score(session, u, b, tb)
    r = service.project_result(session, s["project"].id)
    assert r.outcome == "selected" and r.complete
    ra = next(p for p in r.proposals if p.proposal_id == a.id)
    rb = next(p for p in r.proposals if p.proposal_id == b.id)
    assert ra.rank == 1 and ra.panel_score == Decimal("84.0000")          # (82+84+86)/3
    assert [t.trimmed for t in ra.sheets] == [True, False, False, False, True]
    assert rb.panel_score == Decimal("71.0000") and rb.outcome == "reserve"  # (70+71+72)/3
    assert ra.recommended_grant_krw == 1_805_000_000                      # 1.9B × 95%
    assert [t.evaluator_code for t in ra.sheets] == ["E01", "E02", "E03", "E04", "E05"]
    with pytest.raises(RuleViolation):
        service.confirm_selection(session, SYSTEM, s["project"].id, proposal_id=b.id)   # no reason
    sel = service.confirm_selection(session, SYSTEM, s["project"].id)
    fresh(session)
    assert sel.proposal_id == a.id and sel.override_reason is None and sel.confirmed_by == "system"
    assert sel.recommended_grant_krw == 1_805_000_000 and sel.final_score == Decimal("84.0000")
    assert session.get(Project, s["project"].id).status == ProjectStatus.awarded
    assert session.get(Proposal, b.id).status == ProposalStatus.reserve
    with pytest.raises(Conflict):
        service.confirm_selection(session, SYSTEM, s["project"].id)
    assert service.list_selections(session, s["program"].id)[0].id == sel.id
    assert service.selections_departing_from_ranking(session, s["program"].id) == []
    df = service.evaluation_overview(session, s["program"].id)
    row = df.set_index("project_id").loc[s["project"].id]
    assert bool(row.confirmed) and row.outcome == "selected" and row.sheets_submitted == 10
    assert int(row.selected_proposal_id) == a.id and row.top_final_score == 84.0
    stats = service.evaluator_stats(session, s["program"].id)
    # E05 gave 100 and 60 against the (untrimmed) proposal means 86.4 and 69.2: (13.6 − 9.2) / 2 = 2.2
    e5 = next(x for x in stats.leniency if x.evaluator_code == s["evaluators"][4].code)
    assert e5.leniency == Decimal("2.2000")
    assert stats.agreement[0].kendall_w == Decimal("1.0000")
    assert len(service.score_distribution(session, s["program"].id)) == 10


def test_selection_off_ranking_with_reason(session):
    s = scenario(session, n_eval=5, n_props=2)
    a, b = s["proposals"]
    for u in s["users"]:
        score(session, u, a, 90)
        score(session, u, b, 75)
    sel = service.confirm_selection(session, SYSTEM, s["project"].id, proposal_id=b.id,
                                    reason="rank 1 withdrew after the panel")
    assert sel.override_reason == "rank 1 withdrew after the panel" and sel.recommended_grant_krw == 1_710_000_000
    fresh(session)
    out = service.selections_departing_from_ranking(session, s["program"].id)
    assert out[0]["rank"] == 2 and out[0]["has_reason"]


def test_conflict_after_assignment_excludes_and_flags_the_sheet(session):
    s = scenario(session, n_eval=6, n_props=1)
    (a,) = s["proposals"]
    sids = [score(session, u, a, t) for u, t in zip(s["users"], [80, 81, 82, 83, 84, 85], strict=True)]
    service.record_conflict(session, SYSTEM, ConflictIn(evaluator_id=s["evaluators"][5].id,
                                                        project_id=s["project"].id, reason="declared late by E06"))
    r = service.project_result(session, s["project"].id)
    assert [f.sheet_id for f in r.flagged_sheets] == [sids[5]]
    assert r.proposals[0].panel_score == Decimal("82.0000")   # 80..84 trimmed to 81,82,83
    assert [t.excluded for t in r.proposals[0].sheets] == [False] * 5 + [True]
    service.record_conflict(session, SYSTEM, ConflictIn(evaluator_id=s["evaluators"][4].id,
                                                        project_id=s["project"].id, reason="declared late by E05"))
    assert service.project_result(session, s["project"].id).outcome == "re-announce"   # 4 counted < 5


def test_reopen_is_audited_and_closed_after_confirmation(session):
    s = scenario(session, n_eval=5, n_props=1)
    (a,) = s["proposals"]
    sids = [score(session, u, a, 80) for u in s["users"]]
    service.reopen_sheet(session, SYSTEM, sids[0], "arithmetic error reported by the evaluator")
    fresh(session)
    ev = session.exec(select(AuditEvent).where(AuditEvent.action == "sheet.reopen")).one()
    assert ev.reason == "arithmetic error reported by the evaluator"
    assert service.project_result(session, s["project"].id).outcome == "pending"
    with pytest.raises(Conflict):
        service.reopen_sheet(session, SYSTEM, sids[0], "again")
    score_again = service.get_my_sheet(session, s["users"][0], sids[0])
    assert score_again.status == "draft"


def test_attach_demo_evaluator_is_idempotent(session):
    s = scenario(session, n_eval=5, n_props=2)
    user = make_user(session, Role.evaluator, username="evaluator")
    service.attach_demo_evaluator(session, user.id)
    service.attach_demo_evaluator(session, user.id)
    fresh(session)
    mine = service.my_assignments(session, user)
    assert len(mine) == 2 and {m.proposal_id for m in mine} == {p.id for p in s["proposals"]}
    assert len(service.get_panel(session, s["project"].id).members) == 6


def test_rubric_must_sum_to_100(session):
    from scoring.models import CriterionIn, RubricIn
    from tests.builders import make_program

    program = make_program(session)
    make_rubric(session, program, "regional")
    with pytest.raises(RuleViolation) as exc:
        service.put_rubric(session, SYSTEM, program.id, "free", RubricIn(criteria=[
            CriterionIn(code="A", name_ko="가", name_en="A", max_points=Decimal("60")),
            CriterionIn(code="B", name_ko="나", name_en="B", max_points=Decimal("30"))]))
    assert "100" in exc.value.message
    assert service.get_rubric(session, program.id, "regional").criteria[1].max_points == 25
    assert session.exec(select(Selection)).first() is None
