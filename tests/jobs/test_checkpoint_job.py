"""Audit checkpoints as a job (`audit.checkpoint`, core/audit_jobs.py): auditors and admins ask for one through
the API or `main.py audit checkpoint --job`; who asked and why are in the log; a missing key fails in Korean and
English; workers ask for one a day (a huey periodic task), once however many workers run it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

import main
from core import audit, checkpoint, db, jobs
from core.jobs import Job, JobStatus
from core.models import AuditEvent, Role
from core.settings import get_settings
from core.timeutil import utcnow
from tests.builders import make_user, token_for
from tests.jobs.conftest import Queue
from tests.jobs.follow import follow, wait


@pytest.fixture
def inline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    monkeypatch.setattr(get_settings(), "job_queue_url", "memory://")
    monkeypatch.setattr(get_settings(), "job_storage_dir", str(tmp_path / "jobs"))
    jobs.configure()
    yield
    jobs.configure("memory://")


def _lines() -> list[dict[str, Any]]:
    path = Path(get_settings().audit_checkpoint_file)
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def test_an_auditor_asks_for_a_checkpoint_and_the_log_says_who_and_why(inline: Any, client: TestClient,
                                                                        session: Session):
    auditor_user = make_user(session, Role.auditor)
    auditor = token_for(auditor_user)
    before = len(_lines())
    r = client.post("/api/v1/jobs", headers=auditor, json={"kind": "audit.checkpoint", "params": {"note": "분기말"},
                                                          "reason": "분기말 감사 대비"})
    assert r.status_code == 202 and r.json()["kind_label"] == "감사 체크포인트 서명"
    written = json.loads(follow(client, r, auditor).content)
    lines = _lines()
    assert len(lines) == before + 1 and lines[-1]["seq"] == written["seq"] and lines[-1]["sig"] == written["sig"]
    assert lines[-1]["note"].startswith("분기말 (job ") and auditor_user.username in lines[-1]["note"]
    assert written["footer"]["ko"].startswith(f"감사 체크포인트 #{written['seq']} · 감사 이벤트 ")
    job = client.get(r.headers["location"], headers=auditor).json()
    assert job["status"] == "done" and job["progress"] == 100 and job["message"] == "완료했습니다"
    session.expire_all()
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "audit.checkpoint")).one()
    assert (event.actor, event.reason, event.entity_id) == (auditor_user.username, "분기말 감사 대비",
                                                            str(written["seq"]))
    # the checkpoint signs the log as it stood; the log still extends it
    report = audit.verify_history(session, checkpoints=get_settings().audit_checkpoint_file,
                                  public_key=checkpoint.ensure_key().public_key())
    assert report.ok, report.to_dict()
    admin = token_for(make_user(session, Role.admin))
    r = client.post("/api/v1/jobs", headers=admin, json={"kind": "audit.checkpoint"})
    assert r.status_code == 202 and follow(client, r, admin).status_code == 200


def test_others_and_bad_notes_are_refused_and_queue_nothing(inline: Any, client: TestClient, session: Session):
    before = len(_lines())
    for role in (Role.official, Role.evaluator):
        r = client.post("/api/v1/jobs", headers=token_for(make_user(session, role)), json={"kind": "audit.checkpoint"})
        assert r.status_code == 403, r.text
    auditor = token_for(make_user(session, Role.auditor))
    for params in ({"note": "x" * 201}, {"note": "ok", "seq": 4}):
        r = client.post("/api/v1/jobs", headers=auditor, json={"kind": "audit.checkpoint", "params": params})
        assert r.status_code == 422 and r.json()["field"].startswith("params."), r.text
    session.rollback()
    assert session.exec(select(Job)).all() == [] and len(_lines()) == before


def test_a_missing_key_fails_the_job_in_korean_and_english(inline: Any, client: TestClient, session: Session,
                                                          monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setattr(get_settings(), "demo_mode", False)
    monkeypatch.setattr(get_settings(), "audit_key_file", str(tmp_path / "missing.key"))
    auditor = token_for(make_user(session, Role.auditor))
    before = _lines()  # the app's start checkpoint
    r = client.post("/api/v1/jobs", headers=auditor, json={"kind": "audit.checkpoint"})
    body = wait(client, r.headers["location"], auditor)
    assert body["status"] == "failed" and body["file_url"] is None
    assert body["message"] == ("실패했습니다: 감사 서명 키가 없거나 다른 사람이 읽을 수 있어 체크포인트를 쓰지 "
                               "못했습니다. 관리자가 main.py audit keygen으로 키를 만들고 권한을 600으로 두어야 합니다")
    english = client.get(r.headers["location"], headers={**auditor, "Accept-Language": "en"}).json()
    assert english["message"].startswith("Failed: the audit signing key cannot be used; no checkpoint written: "
                                         f"the audit signing key {tmp_path / 'missing.key'} does not exist")
    assert _lines() == before


def test_daily_checkpoint_once_a_day_however_many_workers(inline: Any, session: Session):
    first = jobs.daily_checkpoint()
    assert first is not None and first.requested_by == "system" and first.reason == "daily audit checkpoint"
    assert jobs.daily_checkpoint() is None  # a second worker at the same minute: nothing more
    assert jobs.daily_checkpoint(utcnow() + timedelta(hours=19)) is None
    second = jobs.daily_checkpoint(utcnow() + timedelta(hours=21))
    assert second is not None
    session.expire_all()
    assert [j.status for j in session.exec(select(Job).order_by(col(Job.id))).all()] == [JobStatus.done] * 2
    assert [x["note"].split(" (")[0] for x in _lines()] == ["daily", "daily"]
    # the consumer's periodic tasks: housekeeping every five minutes, the checkpoint daily at 03:10 KST
    q = jobs.configure("sqlite:///" + str(Path(get_settings().job_storage_dir) / "q.db"))
    periodic = {t.name: t for t in q._registry.periodic_tasks}
    daily = periodic["grants.daily_checkpoint"]
    assert daily.validate_datetime(datetime(2026, 3, 2, 18, 10)) and not daily.validate_datetime(
        datetime(2026, 3, 2, 18, 15))
    assert periodic["grants.housekeeping"].validate_datetime(datetime(2026, 3, 2, 18, 15))


def test_cli_checkpoint_direct_and_as_a_job(inline: Any, session: Session, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch):
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    url = db.get_engine().url.render_as_string(hide_password=False)
    monkeypatch.setattr(get_settings(), "database_url", url)
    assert main.main(["audit", "checkpoint", "--note", "direct"]) == 0
    assert capsys.readouterr().out.startswith("감사 체크포인트 #1 · ")
    assert main.main(["audit", "checkpoint", "--job", "--reason", "월간 점검"]) == 0
    captured = capsys.readouterr()
    job_id = session.exec(select(Job.id)).one()
    assert captured.out.startswith("감사 체크포인트 #2 · ") and f"작업 {job_id}번을 마쳤습니다" in captured.out
    assert "완료했습니다 |██████████| 100%" in captured.err.replace("\r", "\n")
    assert main.main(["--lang", "en", "audit", "checkpoint", "--job"]) == 0
    assert capsys.readouterr().out.startswith("audit checkpoint #3 · ")
    session.rollback()  # a fresh snapshot
    jobs_made = session.exec(select(Job).order_by(col(Job.id))).all()
    assert [(j.kind, j.reason, j.status) for j in jobs_made] == [
        ("audit.checkpoint", "월간 점검", JobStatus.done),
        ("audit.checkpoint", "main.py audit checkpoint --job", JobStatus.done)]
    assert [x["seq"] for x in _lines()] == [1, 2, 3]


def test_a_worker_writes_the_checkpoint(queue: Queue, client: TestClient, session: Session):
    """On the embedded queue and on Redis: a real `main.py worker` runs the kind (loaded through JOB_MODULES)."""
    auditor = token_for(make_user(session, Role.auditor))
    queue.start_worker()
    r = client.post("/api/v1/jobs", headers=auditor, json={"kind": "audit.checkpoint", "reason": "워커 점검"})
    done = wait(client, r.headers["location"], auditor)
    assert done["status"] == "done", done
    assert json.loads(client.get(done["file_url"], headers=auditor).content)["seq"] == _lines()[-1]["seq"]
