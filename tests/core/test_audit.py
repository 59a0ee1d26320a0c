"""The audit chain: intact, then tampered with in several ways, each detected."""

from sqlalchemy import text
from sqlmodel import Session

from core import audit
from core.audit import SYSTEM, Actor


def _three_events(session: Session) -> list[int]:
    ids = []
    for i in range(3):
        ev = audit.record(session, Actor("alice", "official", 1), "thing.update", "thing", i,
                          before={"v": i}, after={"v": i + 1, "name": "한글"})
        session.commit()
        ids.append(ev.id)
    return ids


def test_intact_chain_verifies(session: Session):
    _three_events(session)
    report = audit.verify_chain(session)
    assert report.ok and report.checked == 3
    assert report.last_hash == audit.last_hash(session)


def test_empty_chain_is_intact(session: Session):
    assert audit.verify_chain(session).ok


def test_edited_event_is_named(session: Session):
    ids = _three_events(session)
    session.exec(text("UPDATE audit_event SET after_json = :a WHERE id = :i").bindparams(a='{"v":99}', i=ids[1]))
    session.commit()
    report = audit.verify_chain(session)
    assert not report.ok
    assert report.first_broken_id == ids[1]
    assert "hash" in (report.problem or "")


def test_deleted_middle_event_breaks_the_next_link(session: Session):
    ids = _three_events(session)
    session.exec(text("DELETE FROM audit_event WHERE id = :i").bindparams(i=ids[1]))
    session.commit()
    report = audit.verify_chain(session)
    assert not report.ok and report.first_broken_id == ids[2]


def test_deleted_newest_event_is_caught_by_the_head(session: Session):
    ids = _three_events(session)
    session.exec(text("DELETE FROM audit_event WHERE id = :i").bindparams(i=ids[2]))
    session.commit()
    report = audit.verify_chain(session)
    assert not report.ok and report.first_broken_id == ids[2]


def test_recomputed_hash_without_relinking_is_caught(session: Session):
    """An attacker who edits a row and recomputes its hash still breaks the next event's link."""
    ids = _three_events(session)
    ev = session.get(audit.AuditEvent, ids[0])
    assert ev is not None
    new_after = '{"v":1000}'
    new_hash = audit.event_hash(prev_hash=ev.prev_hash, occurred_at=ev.occurred_at, actor=ev.actor,
                                action=ev.action, entity_type=ev.entity_type, entity_id=ev.entity_id,
                                before_json=ev.before_json, after_json=new_after, reason=ev.reason)
    session.exec(text("UPDATE audit_event SET after_json = :a, hash = :h WHERE id = :i")
                 .bindparams(a=new_after, h=new_hash, i=ids[0]))
    session.commit()
    report = audit.verify_chain(session)
    assert not report.ok and report.first_broken_id == ids[1]


def test_system_actor_and_json_snapshot(session: Session):
    from datetime import date
    from decimal import Decimal

    ev = audit.record(session, SYSTEM, "x", "y", 1, after={"d": date(2021, 3, 12), "r": Decimal("2.4")})
    session.commit()
    assert ev.after_json == '{"d":"2021-03-12","r":"2.4"}'


def test_the_chain_head_is_locked_only_at_commit(clean_engine, session: Session):
    """A transaction that has recorded an event does not hold the chain's head while it goes on
    working: another writer records and commits meanwhile (on PostgreSQL without waiting; SQLite's
    write transactions exclude each other anyway, so there the two run one after the other). The
    chain then has both, in commit order, and verifies."""
    import pytest

    from tests.conftest import BACKEND

    if BACKEND != "postgres":
        pytest.skip("concurrent writers need PostgreSQL (TEST_DB=postgres); SQLite writers are serial")
    slow = Session(clean_engine, expire_on_commit=False)
    try:
        first = audit.record(slow, Actor("alice", "official", 1), "thing.update", "thing", 1, after={"v": 1})
        slow.exec(text("SELECT 1"))  # the transaction is open and has done work after recording
        with Session(clean_engine, expire_on_commit=False) as quick:
            quick.exec(text("SET LOCAL lock_timeout = '2s'"))  # a head held by `slow` would fail this
            second = audit.record(quick, Actor("bob", "official", 2), "thing.update", "thing", 2, after={"v": 2})
            quick.commit()
        slow.commit()
    finally:
        slow.close()
    assert second.id is not None and first.id is not None and second.id < first.id  # commit order
    report = audit.verify_chain(session)
    assert report.ok and report.checked == 2
