"""Each check on a small hand-built case that triggers it, and one that does not."""

from datetime import date

from sqlalchemy import text
from sqlmodel import Session

from compliance import service
from core import audit
from core.audit import SYSTEM
from tests.builders import make_consortium, make_org, make_program
from tests.compliance.builders import (
    add_entry,
    add_hire,
    line_budget,
    make_award_with_delivery,
    make_delivery,
)

TODAY = date(2024, 12, 31)


def run(session: Session, check_id: str, program_id: int | None = None, today: date = TODAY):
    session.commit()
    report = service.run_checks(session, today=today, program_id=program_id, check_ids=[check_id])
    assert report.checks[0].status in ("ok", "findings"), report.checks[0]
    return report.findings


def evidence(findings, key):
    """Values of one evidence field over the findings."""
    return {str(e.get(key)) if isinstance(e.get(key), list) else e.get(key) for f in findings for e in f.evidence}


def refs(findings, kind):
    """The ids of the records of one kind behind the findings (awards: the findings' own awards)."""
    if kind == "award":
        return {f.award_id for f in findings}
    return {i for f in findings for i in f.refs.get(kind, [])}


# --------------------------------------------------------------------------- system


def test_audit_chain_broken(session: Session):
    for i in range(3):
        audit.record(session, SYSTEM, "test.event", "thing", i, after={"n": i})
    session.commit()
    assert run(session, "SYS-01") == []
    session.execute(text("UPDATE audit_event SET reason = 'edited' WHERE entity_id = '1'"))
    session.commit()
    found = run(session, "SYS-01")
    assert len(found) == 1 and found[0].evidence[0]["event"] is not None


# --------------------------------------------------------------------------- delivery


def test_delivery_checks(session: Session):
    program = make_program(session)
    good = make_delivery(session, program=program)
    short = make_delivery(session, program=program, contracted=1_000_000, built=2_000)
    boundary = make_delivery(session, program=program, contracted=1000, built=950)  # exactly 95%: fine
    overdue = make_delivery(session, program=program, result="fail", remediation_due=date(2022, 6, 1))
    late_fix = make_delivery(session, program=program, result="conditional", remediation_due=date(2022, 6, 1),
                             remedied=date(2022, 6, 2))
    on_time_fix = make_delivery(session, program=program, result="conditional", remediation_due=date(2022, 6, 1),
                                remedied=date(2022, 6, 1))
    late = make_delivery(session, program=program, opened=date(2022, 8, 1))
    never = make_delivery(session, program=program, opened=None)
    pid = program.id
    assert refs(run(session, "DLV-01", pid), "data_type") == {short.id}
    assert refs(run(session, "DLV-02", pid), "data_type") == {overdue.id, late_fix.id}
    assert refs(run(session, "DLV-03", pid), "data_type") == {late.id}
    assert refs(run(session, "DLV-04", pid), "data_type") == {never.id}
    # before the deadlines: nothing overdue, nothing unopened
    assert run(session, "DLV-02", pid, today=date(2022, 5, 1)) == []
    assert run(session, "DLV-04", pid, today=date(2022, 7, 31)) == []
    assert {good.id, boundary.id, on_time_fix.id}.isdisjoint(
        refs(service.run_checks(session, today=TODAY, program_id=pid).findings, "data_type"))


# --------------------------------------------------------------------------- money


def test_spending_outside_period(session: Session):
    program = make_program(session)
    award, _ = make_award_with_delivery(session, program)
    inside = add_entry(session, award, "travel", date(2021, 5, 1), 1_000_000)
    assert run(session, "MON-01", program.id) == []
    before = add_entry(session, award, "travel", date(2021, 4, 30), 2_000_000)
    after = add_entry(session, award, "quality", date(2022, 1, 1), 3_000_000)
    found = run(session, "MON-01", program.id)
    assert len(found) == 1 and found[0].amount_krw == 5_000_000
    assert refs(found, "expenditure") == {before.id, after.id}
    assert inside.id not in refs(found, "expenditure")


def test_line_overrun(session: Session):
    program = make_program(session)
    award, _ = make_award_with_delivery(session, program)
    budget = line_budget(session, award, "equipment")
    add_entry(session, award, "equipment", date(2021, 6, 1), budget)  # exactly the budget
    assert run(session, "MON-02", program.id) == []
    add_entry(session, award, "equipment", date(2021, 6, 2), 1)
    found = run(session, "MON-02", program.id)
    assert [f.amount_krw for f in found] == [1] and found[0].evidence[0]["category"] == "equipment"


def test_indirect_over_cap(session: Session):
    program = make_program(session)
    award, _ = make_award_with_delivery(session, program)
    add_entry(session, award, "labour", date(2021, 6, 1), 100_000_000)
    add_entry(session, award, "indirect", date(2021, 6, 1), 5_000_000)  # exactly 5% of direct
    assert run(session, "MON-03", program.id) == []
    add_entry(session, award, "indirect", date(2021, 6, 2), 1_000)
    found = run(session, "MON-03", program.id)
    assert len(found) == 1 and found[0].amount_krw == 1_000 and found[0].award_id == award.id


def test_round_trip_payee(session: Session):
    from budgeting.models import Award
    from program.models import Consortium, ConsortiumMember, Organization

    program = make_program(session)
    award, _ = make_award_with_delivery(session, program)
    award = session.get(Award, award.id)
    member_ids = [m.org_id for m in session.query(ConsortiumMember)
                  .filter(ConsortiumMember.consortium_id == award.consortium_id).all()]
    member = session.get(Organization, member_ids[-1])
    outsider = make_org(session)
    add_entry(session, award, "collection", date(2021, 6, 1), 7_000_000, payee=outsider.name,
              business_number=outsider.business_number)
    assert run(session, "MON-04", program.id) == []
    e = add_entry(session, award, "collection", date(2021, 6, 2), 9_000_000, payee="(주)다른이름수집",
                  business_number=member.business_number)
    found = run(session, "MON-04", program.id)
    assert refs(found, "expenditure") == {e.id} and found[0].amount_krw == 9_000_000
    assert session.get(Consortium, award.consortium_id) is not None


def test_labour_per_item_outlier(session: Session):
    program = make_program(session)
    awards = []
    for i in range(9):
        award, dt = make_award_with_delivery(session, program, contracted=100_000 + 10_000 * i)
        awards.append(award)
        add_entry(session, award, "labour", date(2021, 6, 1), 300_000_000 + 5_000_000 * i)
    assert run(session, "LAB-01", program.id) == []
    add_entry(session, awards[4], "labour", date(2021, 7, 1), 500_000_000)  # labour inflated: 820M
    found = run(session, "LAB-01", program.id)
    assert refs(found, "award") == {awards[4].id}
    assert found[0].evidence[0]["compared"] == 9


def test_promises_not_kept(session: Session):
    from budgeting.models import TrainingSession

    program = make_program(session)
    kept, _ = make_award_with_delivery(session, program)  # proposal: 500M crowd payments, 40 training hours
    broken, _ = make_award_with_delivery(session, program)
    add_entry(session, kept, "crowdsourcing", date(2021, 8, 1), 250_000_000)  # exactly half
    session.add(TrainingSession(award_id=kept.id, held_date=date(2021, 9, 1), title="라벨링 교육", hours=20,
                                attendees=30, created_by="test"))
    add_entry(session, broken, "crowdsourcing", date(2021, 8, 1), 100_000_000)
    session.commit()
    found = run(session, "CRD-01", program.id)
    assert refs(found, "award") == {broken.id}
    assert {e["measure"] for e in found[0].evidence} == {"crowd_payment_krw", "training_hours"}
    assert run(session, "CRD-01", program.id, today=date(2021, 12, 31)) == []  # award not ended yet


# --------------------------------------------------------------------------- employment


def test_hires_below_rule(session: Session):
    program = make_program(session)
    award, _ = make_award_with_delivery(session, program, grant=100_000_000)  # required ceil(2.4) = 3
    for i in range(2):
        add_hire(session, award, f"P-{award.id}-{i}")
    found = run(session, "HIR-01", program.id)
    assert len(found) == 1 and found[0].evidence[0]["shortfall"] == 1
    add_hire(session, award, f"P-{award.id}-2")
    assert run(session, "HIR-01", program.id) == []


def test_hires_without_evidence(session: Session):
    program = make_program(session)
    award, _ = make_award_with_delivery(session, program)
    add_hire(session, award, "P-OK-1")
    assert run(session, "HIR-02", program.id) == []
    bad = add_hire(session, award, "P-NOINS-1", evidence=False)
    found = run(session, "HIR-02", program.id)
    assert refs(found, "hire") == {bad.id} and "social_insurance" in found[0].evidence[0]["missing"]


def test_same_person_on_two_awards(session: Session):
    program = make_program(session)
    a, _ = make_award_with_delivery(session, program)
    b, _ = make_award_with_delivery(session, program)
    add_hire(session, a, "P-SEQ", end=date(2021, 8, 31))
    add_hire(session, b, "P-SEQ", start=date(2021, 9, 1))  # one after the other: fine
    add_hire(session, b, "P-PART", full_time=False)
    add_hire(session, a, "P-PART")  # part-time on one of them: fine
    assert run(session, "HIR-03", program.id) == []
    h1 = add_hire(session, a, "P-GHOST", end=date(2021, 9, 1))
    h2 = add_hire(session, b, "P-GHOST", start=date(2021, 9, 1))  # one day of overlap
    found = run(session, "HIR-03", program.id)
    assert refs(found, "hire") == {h1.id, h2.id}
    assert make_consortium  # builders used above create the consortia


# --------------------------------------------------------------------------- evaluation


def _scored_project(session: Session):
    from scoring import service as scoring_service
    from tests.scoring.builders import scenario, score

    sc = scenario(session, n_eval=5, n_props=2)
    for user in sc["users"]:
        score(session, user, sc["proposals"][0], 90)
        score(session, user, sc["proposals"][1], 80)
    return sc, scoring_service


def test_conflicted_sheet_counted(session: Session):
    from scoring.models import ConflictIn

    sc, scoring_service = _scored_project(session)
    scoring_service.confirm_selection(session, SYSTEM, sc["project"].id)
    assert run(session, "EVA-01", sc["program"].id) == []
    scoring_service.record_conflict(session, SYSTEM, ConflictIn(evaluator_id=sc["evaluators"][0].id,
                                                                 project_id=sc["project"].id,
                                                                 reason="former employer of the lead"))
    found = run(session, "EVA-01", sc["program"].id)
    assert len(found) >= 1 and found[0].project_id == sc["project"].id


def test_selection_without_reason(session: Session):
    from scoring.models import Selection

    sc, scoring_service = _scored_project(session)
    sel = scoring_service.confirm_selection(session, SYSTEM, sc["project"].id, proposal_id=sc["proposals"][1].id,
                                            reason="rank 1 withdrew its consortium partner")
    assert run(session, "EVA-02", sc["program"].id) == []  # departs from the ranking, with a reason
    row = session.get(Selection, sel.id)
    row.override_reason = None  # a legacy record without the reason
    session.add(row)
    session.commit()
    found = run(session, "EVA-02", sc["program"].id)
    assert refs(found, "selection") == {sel.id}
