"""Delivery service: statuses, funnel, history, writes with audit; the seeded delivery."""

from datetime import date

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core import audit
from core.audit import SYSTEM
from core.errors import RuleViolation
from core.models import AuditEvent
from program import delivery
from program.delivery_models import OpeningIn, ProgressIn, RemediationIn, VerificationIn
from program.models import Program
from tests.builders import make_program
from tests.compliance.builders import make_delivery

TODAY = date(2024, 12, 31)


def test_statuses_flag_shortfall_overdue_remediation_and_late_opening(session: Session):
    program = make_program(session)
    ok = make_delivery(session, program=program)
    short = make_delivery(session, program=program, contracted=1_000_000, built=2_000)
    failing = make_delivery(session, program=program, result="fail", remediation_due=date(2022, 6, 1))
    late = make_delivery(session, program=program, opened=date(2023, 3, 1))
    never = make_delivery(session, program=program, opened=None)
    rows = {s.data_type_id: s for s in delivery.delivery_statuses(session, today=TODAY, program_id=program.id)}
    assert rows[ok.id].volume_short is False and rows[ok.id].quality_state == "pass"
    assert rows[ok.id].opening_state == "opened_on_time"
    assert rows[short.id].volume_short is True and str(rows[short.id].delivered_ratio) == "0.002"
    assert rows[short.id].built_volume == 2_000
    assert rows[failing.id].quality_state == "remediation_overdue"
    assert rows[late.id].opening_state == "opened_late" and rows[late.id].days_late == 213
    assert rows[never.id].opening_state == "not_opened_overdue"
    # before the deadlines nothing is overdue yet
    early = {s.data_type_id: s for s in delivery.delivery_statuses(session, today=date(2022, 5, 1),
                                                                    program_id=program.id)}
    assert early[failing.id].quality_state == "remediation_open"
    assert early[never.id].opening_state == "pending"


def test_funnel(session: Session):
    program = make_program(session)
    make_delivery(session, program=program)
    make_delivery(session, program=program, contracted=1000, built=10)
    make_delivery(session, program=program, result="fail")
    f = delivery.delivery_funnel(session, today=TODAY, program_id=program.id)
    assert [(s.stage, s.data_types) for s in f.stages] == [("contracted", 3), ("built", 2), ("verified", 1),
                                                            ("opened", 1)]
    assert f.stages[0].items == 201_000


def test_writes_are_audited_and_validated(session: Session):
    program = make_program(session)
    dt = make_delivery(session, program=program, result=None, open_due=None)
    before = _service_events(session)
    p = delivery.record_progress(session, SYSTEM, dt.id, ProgressIn(month=date(2021, 8, 15), built_items=500))
    assert p.month == date(2021, 8, 1) and p.cumulative_items == 100_500
    with pytest.raises(RuleViolation):
        delivery.record_verification(session, SYSTEM, dt.id, VerificationIn(verified_date=date(2022, 4, 1),
                                                                             result="fail"))
    session.rollback()
    v = delivery.record_verification(session, SYSTEM, dt.id, VerificationIn(
        verified_date=date(2022, 4, 1), result="conditional", remediation_due_date=date(2022, 6, 1)))
    delivery.record_remediation(session, SYSTEM, v.id, RemediationIn(remedied_date=date(2022, 5, 20)))
    with pytest.raises(RuleViolation):
        delivery.record_remediation(session, SYSTEM, v.id, RemediationIn(remedied_date=date(2022, 5, 21)))
    session.rollback()
    delivery.set_opening(session, SYSTEM, dt.id, OpeningIn(due_date=date(2022, 7, 31)))
    delivery.set_opening(session, SYSTEM, dt.id, OpeningIn(opened_date=date(2022, 7, 20)))
    assert _service_events(session) == before + 5  # (each write is also covered by a rows.write event)
    detail = delivery.delivery_detail(session, dt.id, today=TODAY)
    assert detail.status.quality_state == "remedied_on_time"
    assert detail.status.opening_state == "opened_on_time"
    assert [x.cumulative_items for x in detail.progress] == [50_000, 100_000, 100_500]
    assert audit.verify_chain(session).ok


def test_history_reference_and_goal(session: Session):
    h = delivery.delivery_history(session, reference={"history": [{"year": 2017, "data_types": 4},
                                                                   {"year": 2018, "data_types": 7}],
                                                      "goal": {"year": 2025, "data_types": 1300}})
    assert [(p.year, p.cumulative) for p in h.points] == [(2017, 4), (2018, 11)]
    assert h.goal_data_types == 1300


def test_seeded_delivery_is_realistic(seeded_engine: Engine, seeded):
    with Session(seeded_engine) as s:
        program = s.exec(select(Program).where(Program.year == 2021)).one()
        rows = delivery.delivery_statuses(s, today=date(2026, 9, 30), program_id=program.id)
        assert len(rows) >= 100
        failed = [r for r in rows if r.quality_result in ("fail", "conditional")]
        assert 0.35 <= len(failed) / len(rows) <= 0.60  # the audit: 47% of 2020–2021 types
        on_time = [r for r in failed if r.quality_state == "remedied_on_time"]
        assert len(on_time) < len(failed) / 4
        tiny = [r for r in rows if r.delivered_ratio is not None and r.delivered_ratio < 0.01]
        assert len(tiny) == 1
        planted = seeded.report.planted
        assert tiny[0].data_type_id in planted["volume_shortfall"]
        assert {r.data_type_id for r in rows if r.opening_state == "opened_late"} == set(planted["opened_late"])
        assert {r.data_type_id for r in rows if r.opening_state == "not_opened_overdue"} == set(planted["not_opened"])
        history = delivery.delivery_history(s)
        assert history.goal_data_types == 1300 and history.points[-1].cumulative >= 381


def _service_events(session) -> int:  # type: ignore[no-untyped-def]
    """Events the services record (the covering `rows.*` events of core.audit aside)."""
    from sqlmodel import func, select

    session.commit()
    return int(session.exec(select(func.count()).select_from(AuditEvent)
                            .where(AuditEvent.action.not_in(audit.COVER_ACTIONS))).one())  # type: ignore[attr-defined]
