"""Concurrent first reads of a programme's findings compute the set once (SQLite and PostgreSQL)."""

import threading
import time
from datetime import date

from sqlmodel import Session, select

from compliance import api, store
from compliance.models import FindingRun
from tests.builders import make_program
from tests.compliance.builders import add_entry, make_award_with_delivery

AS_OF = date(2024, 12, 31)


def test_concurrent_first_reads_compute_once_and_read_the_same(session: Session, monkeypatch):
    program = make_program(session)
    a, _ = make_award_with_delivery(session, program, opened=None)
    add_entry(session, a, "equipment", date(2020, 1, 1), 1_000_000)
    engine = session.get_bind()
    runs: list[str] = []
    real = store.full_run

    def slow_full_run(*args, **kwargs):  # the window in which the other readers arrive
        runs.append(kwargs.get("requested_by", ""))
        time.sleep(0.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "full_run", slow_full_run)
    answers: list[list[tuple]] = []
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            with Session(engine, expire_on_commit=False) as s:
                r = api._stored_findings(s, program_id=program.id, as_of=AS_OF, check_ids=None)
                answers.append(sorted((f.check_id, f.award_id, f.message_key) for f in r.findings))
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(runs) == 1 and len(answers) == 4
    assert answers[0] and all(x == answers[0] for x in answers)
    session.commit()
    assert len(session.exec(select(FindingRun)).all()) == 1
    # a stored set is read without waiting and without computing
    runs.clear()
    assert api._stored_findings(session, program_id=program.id, as_of=AS_OF, check_ids=None).total == len(answers[0])
    assert runs == []
