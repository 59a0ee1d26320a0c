"""Stored findings stay current: a change re-checks its award only, the store equals a full run, reads run no check."""

from datetime import date

import pytest
from sqlalchemy import insert
from sqlmodel import Session, select

from compliance import service, store
from compliance.models import FindingSet, StoredFinding
from compliance.registry import Check
from core import audit
from core.audit import SYSTEM
from tests.builders import make_program
from tests.compliance.builders import add_entry, add_hire, make_award_with_delivery

AS_OF = date(2024, 12, 31)


def _key(f):
    return (f.check_id, f.award_id, f.project_id, f.message_key, sorted(f.params.items()), f.evidence, f.refs)


def _stored_by_award(session: Session) -> dict[int | None, list[tuple]]:
    session.expire_all()
    out: dict[int | None, list[tuple]] = {}
    for r in session.exec(select(StoredFinding).order_by(StoredFinding.id)).all():
        out.setdefault(r.award_id, []).append((r.check_id, r.id, r.computed_at))
    return out


@pytest.fixture
def two_awards(session: Session):
    program = make_program(session)
    a, _ = make_award_with_delivery(session, program, opened=None)  # DLV-04 on both
    b, _ = make_award_with_delivery(session, program, opened=None)
    add_entry(session, b, "equipment", date(2020, 1, 1), 1_000_000)  # MON-01 on b
    return program, a, b


def test_a_change_to_one_award_updates_its_findings_only(session: Session, two_awards):
    program, a, b = two_awards
    first = service.stored_findings(session, program_id=program.id, as_of=AS_OF)
    assert {f.check_id for f in first.findings if f.award_id == b.id} >= {"MON-01", "DLV-04"}
    before = _stored_by_award(session)
    assert "MON-01" not in {c for c, *_ in before[a.id]}

    add_entry(session, a, "equipment", date(2020, 2, 1), 3_742_886)  # a payment before a's agreement period

    after = _stored_by_award(session)
    assert after[b.id] == before[b.id]  # the other award's findings: same rows, same timestamps
    new = [x for x in after[a.id] if x[0] == "MON-01"]
    assert len(new) == 1 and new[0][2] > max(t for *_, t in before[a.id])
    assert [x for x in after[a.id] if x[0] != "MON-01"] == before[a.id]
    read = service.stored_findings(session, program_id=program.id, as_of=AS_OF)
    mon = next(f for f in read.findings if f.check_id == "MON-01" and f.award_id == a.id)
    assert mon.amount_krw == 3_742_886 and "3,742,886원" in mon.message
    assert read.freshness is not None and read.freshness.current and read.freshness.changes_since == 0
    full = service.run_checks(session, today=AS_OF, program_id=program.id)
    assert sorted(map(_key, read.findings)) == sorted(map(_key, full.findings))


def test_a_hire_rechecks_the_people_checks_and_the_store_equals_a_full_run(session: Session, two_awards):
    program, a, b = two_awards
    service.stored_findings(session, program_id=program.id, as_of=AS_OF)
    add_hire(session, a, "P-GHOST", end=date(2021, 9, 1))
    add_hire(session, b, "P-GHOST", start=date(2021, 9, 1))  # the same person full-time on both: HIR-03
    read = service.stored_findings(session, program_id=program.id, as_of=AS_OF)
    assert [f.check_id for f in read.findings if f.check_id == "HIR-03"] == ["HIR-03"]
    full = service.run_checks(session, today=AS_OF, program_id=program.id)
    assert sorted(map(_key, read.findings)) == sorted(map(_key, full.findings))


def test_reads_do_not_run_checks(session: Session, two_awards, monkeypatch):
    program, a, _ = two_awards
    service.stored_findings(session, program_id=program.id, as_of=AS_OF)  # the first read computes the set
    calls: list[str] = []
    real = Check.run
    monkeypatch.setattr(Check, "run", lambda self, ctx: calls.append(self.id) or real(self, ctx))
    for _ in range(3):
        r = service.stored_findings(session, program_id=program.id, as_of=AS_OF)
    assert calls == [] and r.total > 0
    add_entry(session, a, "equipment", date(2020, 2, 1), 1)  # a change runs only the checks of the ledger
    assert set(calls) == {"MON-01", "MON-02", "MON-03", "MON-04", "LAB-01", "CRD-01"}


def test_a_bulk_write_shows_as_changes_since_until_a_full_run(session: Session, two_awards):
    from budgeting.models import BudgetLine, Expenditure

    program, a, _ = two_awards
    service.stored_findings(session, program_id=program.id, as_of=AS_OF)
    line = session.exec(select(BudgetLine).where(BudgetLine.award_id == a.id,
                                                 BudgetLine.category == "equipment")).one()
    row = {"id": 990_001, "program_id": program.id, "award_id": a.id, "line_id": line.id,
           "spent_date": date(2020, 3, 1), "amount_krw": 5_000, "payee_name": "(주)일괄", "description": "bulk",
           "evidence_ref": "EV", "created_by": "import"}
    session.execute(insert(Expenditure), [row])
    audit.record_bulk(session, SYSTEM, Expenditure, [row])
    session.commit()
    stale = service.stored_findings(session, program_id=program.id, as_of=AS_OF)
    assert stale.freshness is not None and not stale.freshness.current and stale.freshness.changes_since >= 1
    store.full_run(session, program_id=program.id, as_of=AS_OF)
    fresh = service.stored_findings(session, program_id=program.id, as_of=AS_OF)
    assert fresh.freshness is not None and fresh.freshness.current
    assert 990_001 in {i for f in fresh.findings if f.check_id == "MON-01" for i in f.refs.get("expenditure", [])}


def test_sets_per_date_are_kept_apart_and_pruned(session: Session, two_awards):
    program, *_ = two_awards
    days = [date(2024, 12, 31 - i) for i in range(store.KEEP_DATES + 2)]
    for d in days:
        service.stored_findings(session, program_id=program.id, as_of=d)
    session.expire_all()
    kept = {s.as_of_date for s in session.exec(select(FindingSet)).all()}
    assert len(kept) == store.KEEP_DATES + 1 and days[-1] in kept and days[0] not in kept


def test_a_delivery_change_rechecks_that_project(session: Session, two_awards):
    from program.delivery_models import DataOpening
    from program.models import DataType

    program, a, b = two_awards
    first = service.stored_findings(session, program_id=program.id, as_of=AS_OF)
    assert {f.award_id for f in first.findings if f.check_id == "DLV-04"} == {a.id, b.id}
    before_b = _stored_by_award(session)[b.id]
    opening = session.exec(select(DataOpening).join(DataType, DataType.id == DataOpening.data_type_id)
                           .where(DataType.project_id == a.project_id)).one()
    opening.opened_date = date(2022, 7, 1)  # opened on time after all
    session.add(opening)
    session.commit()
    read = service.stored_findings(session, program_id=program.id, as_of=AS_OF)
    assert {f.award_id for f in read.findings if f.check_id == "DLV-04"} == {b.id}
    assert _stored_by_award(session)[b.id] == before_b
    full = service.run_checks(session, today=AS_OF, program_id=program.id)
    assert sorted(map(_key, read.findings)) == sorted(map(_key, full.findings))


def test_the_recheck_is_queued_for_a_worker_not_run_in_the_committing_request(session: Session, two_awards,
                                                                               tmp_path, monkeypatch):
    """Issue 14: a change enqueues the checks that depend on it; the writer does not wait for them."""
    from core import jobs
    from core.settings import get_settings

    program, a, b = two_awards
    service.stored_findings(session, program_id=program.id, as_of=AS_OF)
    before = _stored_by_award(session)
    monkeypatch.setattr(get_settings(), "job_queue_url", f"sqlite:///{tmp_path / 'queue.db'}")
    queue = jobs.configure()
    try:
        add_entry(session, a, "equipment", date(2020, 2, 1), 3_742_886)
        assert _stored_by_award(session) == before  # committed; nothing re-checked inside the commit
        assert queue.pending_count() == 1
        stale = service.stored_findings(session, program_id=program.id, as_of=AS_OF)
        assert stale.freshness is not None and stale.freshness.changes_since >= 1  # says it is behind
        task = queue.dequeue()
        queue.execute(task)  # what a worker does, on its own connection
        session.rollback()  # end this test's read transaction, so its next read sees the worker's commit
        after = _stored_by_award(session)
        assert [x for x in after[a.id] if x[0] == "MON-01"] and after[b.id] == before[b.id]
    finally:
        monkeypatch.undo()
        jobs.configure()


def test_concurrent_first_reads_store_one_set_once(clean_engine, session: Session, two_awards, monkeypatch):
    """Two auditors open a new date at once: both get the findings, one set is stored, nothing twice.

    Both computations finish before either writes (a barrier), so the two refreshes meet in the write.
    Before the set's write lock, the second refresh inserted the check states again (409) or the
    findings a second time."""
    import threading

    program, _, _ = two_awards
    when = date(2023, 6, 30)
    barrier = threading.Barrier(2, timeout=30)
    real = store.compute

    def compute_then_meet(*args, **kwargs):
        out = real(*args, **kwargs)
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        return out

    monkeypatch.setattr(store, "compute", compute_then_meet)
    results: list[object] = []

    def read() -> None:
        try:
            with Session(clean_engine, expire_on_commit=False) as s:
                results.append(service.stored_findings(s, program_id=program.id, as_of=when))
        except Exception as exc:  # noqa: BLE001 - the failure is the result
            results.append(exc)

    threads = [threading.Thread(target=read) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [type(r).__name__ for r in results] == ["FindingsReport", "FindingsReport"], results
    monkeypatch.setattr(store, "compute", real)
    session.expire_all()
    sets = session.exec(select(FindingSet).where(FindingSet.program_id == program.id,
                                                 FindingSet.as_of_date == when)).all()
    assert len(sets) == 1
    stored = session.exec(select(StoredFinding).where(StoredFinding.set_id == sets[0].id)).all()
    full = service.run_checks(session, today=when, program_id=program.id)
    assert full.total > 0 and sorted(map(_key, (store._finding(r, program.id, store.load_checks()) for r in stored))) \
        == sorted(map(_key, full.findings))
