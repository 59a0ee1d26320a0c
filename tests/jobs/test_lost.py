"""A queued job whose message is lost before any worker takes it (Redis flushed, a message gone between the
commit and the queue): housekeeping puts it back once, then fails it cleanly; a message put twice never runs
the job twice. On the embedded SQLite queue and on Redis (required under CI=true)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from core import db, jobs
from core.jobs import Job, JobStatus
from core.models import AuditEvent, Role
from core.timeutil import utcnow
from tests.builders import make_user, token_for
from tests.jobs.conftest import Queue
from tests.jobs.follow import wait

LATER = timedelta(minutes=11)  # past jobs.LOST_AFTER


def _gate(user: object, gate: Path) -> Job:
    with db.session_scope(write=True) as write:
        return jobs.enqueue(write, user, "test.gate", {"gate": str(gate)}, reason="lost message test")  # type: ignore[arg-type]


def _row(job_id: int) -> Job:
    with db.session_scope() as s:
        row = s.exec(select(Job).where(Job.id == job_id).execution_options(populate_existing=True)).one()
        return row


def _actions(session: Session, job_id: int) -> list[str]:
    session.rollback()
    rows = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "job", AuditEvent.entity_id == str(job_id))
                        .order_by(col(AuditEvent.id))).all()
    return [e.action for e in rows]


def test_lost_message_is_put_back_once_and_the_job_runs(queue: Queue, client: TestClient, session: Session,
                                                        tmp_path: Path):
    user = make_user(session, Role.official)
    gate = tmp_path / "gate"
    gate.write_text("open")
    job = _gate(user, gate)
    assert job.id is not None
    huey = jobs.queue()
    assert huey.pending_count() == 1
    # not lost while its message waits, however long (a busy queue), nor before the bound
    assert jobs.recover_lost(utcnow() + timedelta(days=3)) == ([], [])
    huey.storage.flush_queue()  # the message vanishes (Redis flushed)
    assert jobs.recover_lost(utcnow() + timedelta(minutes=5)) == ([], [])
    assert _row(job.id).status == JobStatus.queued
    assert jobs.recover(utcnow() + LATER) == [job.id]  # housekeeping's recovery puts it back
    row = _row(job.id)
    assert row.status == JobStatus.queued and row.message("ko") == "대기열에서 작업 요청이 사라져 다시 넣었습니다"
    assert row.message("en") == "The job's message was lost from the queue; queued again"
    assert huey.pending_count() == 1
    assert jobs.recover_lost(utcnow() + LATER) == ([], [])  # its message is back: not lost again
    queue.start_worker()
    done = wait(client, f"/api/v1/jobs/{job.id}", token_for(user))
    assert done["status"] == "done" and done["message"] == "완료했습니다"
    assert client.get(done["file_url"], headers=token_for(user)).text == "opened on run 1"
    assert _actions(session, job.id) == ["job.enqueue", "job.requeue", "job.finish"]


def test_lost_twice_fails_cleanly_in_korean_and_english(queue: Queue, client: TestClient, session: Session,
                                                        tmp_path: Path):
    user = make_user(session, Role.auditor)
    headers = token_for(user)
    gate = tmp_path / "gate"
    job = _gate(user, gate)
    assert job.id is not None
    huey = jobs.queue()
    huey.storage.flush_queue()
    assert jobs.recover_lost(utcnow() + LATER) == ([job.id], [])
    huey.storage.flush_queue()  # lost again
    assert jobs.recover_lost(utcnow() + LATER) == ([], [])  # the bound counts from the time it was put back
    assert jobs.recover_lost(utcnow() + 2 * LATER) == ([], [job.id])
    body = client.get(f"/api/v1/jobs/{job.id}", headers=headers).json()
    assert body["status"] == "failed" and body["status_label"] == "실패" and body["file_url"] is None
    assert body["message"] == "대기열에서 작업 요청이 두 번 사라져 작업을 실패로 마쳤습니다. 다시 요청하세요"
    english = client.get(f"/api/v1/jobs/{job.id}", headers={**headers, "Accept-Language": "en"}).json()
    assert english["message"].startswith("The job's message was lost from the queue twice")
    assert _actions(session, job.id) == ["job.enqueue", "job.requeue", "job.finish"]
    # a failed job is never put back, and a worker started now does not run it
    assert jobs.recover_lost(utcnow() + 5 * LATER) == ([], [])
    queue.start_worker()
    (tmp_path / "gate2").write_text("open")
    later = _gate(user, tmp_path / "gate2")
    assert wait(client, f"/api/v1/jobs/{later.id}", headers)["status"] == "done"
    assert not Path(str(gate) + ".started").exists()
    assert _row(job.id).status == JobStatus.failed


def test_a_message_put_twice_runs_the_job_once(queue: Queue, client: TestClient, session: Session, tmp_path: Path):
    """A duplicate message (a re-put racing the original) is skipped: only one `_claim` wins."""
    user = make_user(session, Role.official)
    gate = tmp_path / "gate"
    job = _gate(user, gate)
    assert job.id is not None
    jobs._put(job.id)
    jobs._put(job.id)
    assert jobs.queue().pending_count() == 3
    queue.start_worker()
    queue.start_worker()  # two workers, three messages of one job
    headers = token_for(user)
    url = f"/api/v1/jobs/{job.id}"
    for _ in range(6000):
        if client.get(url, headers=headers).json()["status"] == "running" and jobs.queue().pending_count() == 0:
            break
        import time

        time.sleep(0.05)
    gate.write_text("open")
    done = wait(client, url, headers)
    assert done["status"] == "done"
    assert Path(str(gate) + ".started").read_text() == "x"  # the handler started once
    assert client.get(done["file_url"], headers=headers).text == "opened on run 1"
    assert _row(job.id).attempts == 1
    assert jobs.run_job(job.id) == "skipped"  # and again by hand: not queued, not run


def test_claim_is_atomic_and_a_cancelled_job_is_not_put_back(queue: Queue, session: Session, tmp_path: Path):
    user = make_user(session, Role.official)
    job = _gate(user, tmp_path / "gate")
    assert job.id is not None
    first = jobs._claim(job.id)
    assert first is not None and first.status == JobStatus.running
    assert jobs._claim(job.id) is None  # the second claim of the same job loses
    other = _gate(user, tmp_path / "gate2")
    assert other.id is not None
    with db.session_scope(write=True) as write:
        jobs.cancel(write, user, other.id)
    jobs.queue().storage.flush_queue()
    assert jobs.recover_lost(utcnow() + LATER) == ([], [])  # running and cancelled jobs are not "lost"
    assert _row(other.id).status == JobStatus.cancelled
