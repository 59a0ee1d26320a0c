"""Jobs end to end, on the embedded SQLite queue and on Redis, with real `main.py worker` processes:
enqueue through a report endpoint (202 + Location), progress, the file through the API, a worker killed in
the middle (the job resumes, or fails cleanly after its last attempt), cancel, and nobody else reads a job."""

from __future__ import annotations

import json
import time
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import openpyxl
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session, select

from core import db, jobs
from core.audit import verify_chain
from core.jobs import Job, JobStatus
from core.models import AuditEvent, Role
from reports import service
from tests.builders import make_program, make_user, token_for
from tests.compliance.builders import make_delivery
from tests.jobs.conftest import Queue
from tests.jobs.follow import wait


def _until(client: TestClient, url: str, headers: dict[str, str], test: Any, polls: int = 6000) -> dict[str, Any]:
    for _ in range(polls):
        body: dict[str, Any] = client.get(url, headers=headers).json()
        if test(body):
            return body
        time.sleep(0.05)
    raise AssertionError(f"{url} never reached the state: {body}")


def _gate(client: TestClient, session: Session, user: Any, gate: Path) -> Job:
    session.rollback()
    with db.session_scope(write=True) as write:  # as the API and the dashboard enqueue: a write transaction
        return jobs.enqueue(write, user, "test.gate", {"gate": str(gate)}, reason="test of the queue")


def _events(session: Session, job_id: int) -> list[tuple[str, str | None]]:
    session.rollback()  # a fresh snapshot: the worker wrote since
    rows = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "job",
                                                 AuditEvent.entity_id == str(job_id)).order_by(AuditEvent.id)).all()
    return [(e.action, e.reason) for e in rows]


def test_report_job_end_to_end(queue: Queue, client: TestClient, session: Session):
    """A compliance workbook asked for through the API: 202 + Location, progress, then the file; only the
    requester reads the job; who asked and why are in the audit log."""
    program = make_program(session)
    make_delivery(session, program=program, opened=None)
    auditor_user = make_user(session, Role.auditor)
    auditor, other = token_for(auditor_user), token_for(make_user(session, Role.auditor))
    official = token_for(make_user(session, Role.official))
    queue.start_worker()
    r = client.get("/api/v1/reports/compliance.xlsx", headers=auditor,
                   params={"program_id": program.id, "as_of": "2024-12-31", "reason": "분기 점검"})
    assert r.status_code == 202, r.text
    url = r.headers["location"]
    assert url == r.json()["url"] and url.startswith("/api/v1/jobs/")
    assert r.json()["status"] == "queued" and r.json()["status_label"] == "대기 중"
    # nobody else sees it: another auditor, an official (404, as if it did not exist); no login: 401
    for who in (other, official):
        assert client.get(url, headers=who).status_code == 404
        assert client.get(url + "/file", headers=who).status_code == 404
        assert client.post(url + "/actions/cancel", headers=who).status_code == 404
    assert client.get(url).status_code == 401
    job = wait(client, url, auditor)
    assert job["status"] == "done" and job["progress"] == 100, job
    assert job["message"] == "완료했습니다" and job["kind_label"] == "점검·감사 보고서"
    assert job["requested_by"] == auditor_user.username and job["reason"] == "분기 점검"
    english = client.get(url, headers={**auditor, "Accept-Language": "en"}).json()
    assert english["message"] == "Done" and english["status_label"] == "Done"
    f = client.get(job["file_url"], headers=auditor)
    assert f.status_code == 200 and f.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert f.headers["content-disposition"].startswith(f'attachment; filename="compliance-{program.year}.xlsx"')
    with db.session_scope() as s:  # the same workbook as the builder renders directly
        direct = service.render_report(s, "compliance", "xlsx", generated_by="test", today=date(2024, 12, 31),
                                       program_id=program.id)
    sheets = openpyxl.load_workbook(BytesIO(f.content), read_only=True).sheetnames
    assert len(sheets) > 3 and sheets == openpyxl.load_workbook(BytesIO(direct.content), read_only=True).sheetnames
    assert job["file_bytes"] == len(f.content)
    mine = client.get("/api/v1/jobs", headers=auditor).json()
    assert mine["total"] == 1 and mine["items"][0]["id"] == job["id"]
    assert client.get("/api/v1/jobs", headers=other).json() == {"items": [], "total": 0}
    actions = _events(session, job["id"])
    assert actions[0] == ("job.enqueue", "분기 점검") and actions[-1][0] == "job.finish"
    assert verify_chain(session).ok


def test_worker_killed_in_the_middle_resumes_the_job(queue: Queue, client: TestClient, session: Session,
                                                      tmp_path: Path):
    user = make_user(session, Role.official)
    headers = token_for(user)
    gate = tmp_path / "gate"
    job = _gate(client, session, user, gate)
    url = f"/api/v1/jobs/{job.id}"
    first = queue.start_worker()
    middle = _until(client, url, headers, lambda b: b["status"] == "running" and b["progress"] == 50)
    assert middle["file_url"] is None
    assert client.get(url + "/file", headers=headers).status_code == 404  # not done yet
    queue.kill(first)  # the worker dies in the middle of the job
    assert client.get(url, headers=headers).json()["status"] == "running"  # nobody knows yet
    queue.start_worker()  # a new worker finds the job of the dead one and runs it again
    _until(client, url, headers, lambda b: b["status"] == "running" and b["progress"] == 50
           and Path(str(gate) + ".started").read_text() == "xx")
    gate.write_text("open")
    done = wait(client, url, headers)
    assert done["status"] == "done"
    assert client.get(done["file_url"], headers=headers).text == "opened on run 2"
    actions = [a for a, _ in _events(session, job.id)]  # type: ignore[arg-type]
    assert actions == ["job.enqueue", "job.resume", "job.finish"]


def test_worker_killed_on_the_last_attempt_fails_cleanly(queue: Queue, client: TestClient, session: Session,
                                                         tmp_path: Path):
    queue.env["JOB_MAX_ATTEMPTS"] = "1"
    user = make_user(session, Role.official)
    headers = token_for(user)
    job = _gate(client, session, user, tmp_path / "gate")
    url = f"/api/v1/jobs/{job.id}"
    first = queue.start_worker()
    _until(client, url, headers, lambda b: b["status"] == "running" and b["progress"] == 50)
    queue.kill(first)
    queue.start_worker()
    failed = _until(client, url, headers, lambda b: b["status"] == "failed")
    assert failed["message"] == "작업자가 1번 중단되어 작업을 실패로 마쳤습니다" and failed["file_url"] is None
    assert client.get(url + "/file", headers=headers).status_code == 404
    assert not (queue.storage / str(job.id)).exists()


def test_cancel_a_running_and_a_queued_job(queue: Queue, client: TestClient, session: Session, tmp_path: Path):
    user = make_user(session, Role.auditor)
    headers = token_for(user)
    running = _gate(client, session, user, tmp_path / "gate1")
    queue.start_worker()
    url = f"/api/v1/jobs/{running.id}"
    _until(client, url, headers, lambda b: b["status"] == "running")
    r = client.post(url + "/actions/cancel", headers=headers, params={"reason": "잘못 요청함"})
    assert r.status_code == 200 and r.json()["message"] == "취소를 요청했습니다"
    cancelled = _until(client, url, headers, lambda b: b["status"] == "cancelled")
    assert cancelled["message"] == "취소했습니다" and cancelled["file_url"] is None
    assert not (queue.storage / str(running.id)).exists()
    assert client.post(url + "/actions/cancel", headers=headers).status_code == 409  # already finished
    assert ("job.cancel", "잘못 요청함") in _events(session, running.id)  # type: ignore[arg-type]
    # bad input changes nothing
    assert client.post(url + "/actions/cancel", headers=headers, params={"reason": "x" * 3000}).status_code == 422
    assert client.get("/api/v1/jobs/0", headers=headers).status_code == 422


def test_cancel_before_a_worker_takes_it(queue: Queue, client: TestClient, session: Session, tmp_path: Path):
    user = make_user(session, Role.auditor)
    headers = token_for(user)
    gate = tmp_path / "gate"
    job = _gate(client, session, user, gate)
    r = client.post(f"/api/v1/jobs/{job.id}/actions/cancel", headers=headers)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    queue.start_worker()
    later = _gate(client, session, user, tmp_path / "gate2")  # the worker runs the next one, not the cancelled
    _until(client, f"/api/v1/jobs/{later.id}", headers, lambda b: b["status"] == "running")
    assert not Path(str(gate) + ".started").exists()
    assert client.get(f"/api/v1/jobs/{job.id}", headers=headers).json()["status"] == "cancelled"


def test_admin_reads_any_job_and_retention_deletes_old_ones(queue: Queue, client: TestClient, session: Session,
                                                            tmp_path: Path):
    from datetime import timedelta

    from core.timeutil import utcnow

    user = make_user(session, Role.official)
    admin = token_for(make_user(session, Role.admin))
    (tmp_path / "gate").write_text("open")
    job = _gate(client, session, user, tmp_path / "gate")
    queue.start_worker()
    done = wait(client, f"/api/v1/jobs/{job.id}", admin)
    assert done["status"] == "done" and (queue.storage / str(job.id) / "gate.txt").is_file()
    assert jobs.cleanup(utcnow() + timedelta(days=6)) == 0  # kept for the retention period (7 days)
    assert jobs.cleanup(utcnow() + timedelta(days=8)) == 1
    assert not (queue.storage / str(job.id)).exists()
    assert client.get(f"/api/v1/jobs/{job.id}", headers=admin).status_code == 404


def test_what_if_and_decision_package_are_jobs(queue: Queue, client: TestClient, session: Session):
    """The other report endpoints answer 202 too, and refuse bad input at once (422/404, no job made)."""
    program = make_program(session)
    official = token_for(make_user(session, Role.official))
    queue.start_worker()
    before = len(session.exec(select(Job)).all())
    assert client.get("/api/v1/reports/status.docx", headers=official).status_code == 422
    assert client.get("/api/v1/reports/decision/other.pdf", headers=official,
                      params={"program_id": program.id}).status_code == 422
    assert client.get("/api/v1/reports/evaluation/999999.pdf", headers=official).status_code == 404
    assert client.post("/api/v1/programs/999999/what-if/report.pdf", headers=official, json={}).status_code == 404
    session.rollback()  # a fresh snapshot: the worker wrote since
    assert len(session.exec(select(Job)).all()) == before
    r = client.get("/api/v1/reports/status.pdf", headers=official, params={"program_id": program.id})
    assert r.status_code == 202
    body = wait(client, r.headers["location"], official)
    assert body["status"] == "done" and body["file_name"] == f"status-{program.year}.pdf"
    pdf = client.get(body["file_url"], headers=official)
    assert pdf.headers["content-type"] == "application/pdf" and len(PdfReader(BytesIO(pdf.content)).pages) >= 1
    session.rollback()
    params = json.loads(session.get(Job, body["id"]).params_json)  # type: ignore[union-attr]
    assert params["program_id"] == program.id and params["format"] == "pdf"


def test_job_status_stays_consistent_in_the_database(queue: Queue, client: TestClient, session: Session,
                                                     tmp_path: Path):
    user = make_user(session, Role.auditor)
    (tmp_path / "gate").write_text("open")
    job = _gate(client, session, user, tmp_path / "gate")
    queue.start_worker()
    wait(client, f"/api/v1/jobs/{job.id}", token_for(user))
    session.rollback()  # a fresh snapshot: the worker wrote since
    row = session.get(Job, job.id)
    assert row is not None and row.status == JobStatus.done and row.attempts == 1
    assert row.started_at is not None and row.finished_at is not None and row.created_at <= row.started_at
    assert row.result_bytes == len("opened on run 1")
