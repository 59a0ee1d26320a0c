"""The job kinds besides the reports: a full compliance run and the open-data exports, started through
POST /api/v1/jobs (inline queue), their parameters checked by each kind's bounded model."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from core import jobs
from core.jobs import Job
from core.models import AuditEvent, Role
from core.settings import get_settings
from tests.budgeting.builders import make_award
from tests.builders import make_user, token_for
from tests.jobs.follow import follow


@pytest.fixture
def inline(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Any:
    monkeypatch.setattr(get_settings(), "job_queue_url", "memory://")
    monkeypatch.setattr(get_settings(), "job_storage_dir", str(tmp_path / "jobs"))
    jobs.configure()
    yield
    jobs.configure("memory://")


def test_full_compliance_run_and_open_data_export_are_jobs(inline: Any, client: TestClient, session: Session):
    award = make_award(session)
    auditor_user = make_user(session, Role.auditor)
    auditor = token_for(auditor_user)
    r = client.post("/api/v1/jobs", headers=auditor, json={
        "kind": "compliance.run", "params": {"program_id": award.program_id, "as_of": "2024-12-31"},
        "reason": "연말 전체 점검"})
    assert r.status_code == 202 and r.headers["location"] == r.json()["url"]
    report = json.loads(follow(client, r, auditor).content)
    assert report["as_of"] == "2024-12-31" and report["program_id"] == award.program_id
    assert {c["check_id"] for c in report["checks"]} >= {"MON-01", "DLV-04"}
    assert report["total"] == len(report["findings"])
    # the job's run is the stored one the API reads, in the auditor's name, with the reason given
    stored = client.get("/api/v1/compliance/findings", headers=auditor,
                        params={"program_id": award.program_id, "as_of": "2024-12-31"}).json()
    assert stored["total"] == report["total"]
    session.expire_all()
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "compliance.run")).all()[-1]
    assert (event.actor, event.reason) == (auditor_user.username, "연말 전체 점검")
    r = client.post("/api/v1/jobs", headers=auditor, json={
        "kind": "opendata.export", "params": {"standard": "360giving", "program_id": award.program_id}})
    assert r.status_code == 202
    package = json.loads(follow(client, r, auditor).content)
    assert len(package["grants"]) == 1


def test_bad_job_requests_are_refused_and_queue_nothing(inline: Any, client: TestClient, session: Session):
    auditor = token_for(make_user(session, Role.auditor))
    evaluator = token_for(make_user(session, Role.evaluator))
    for body in ({"kind": "nothing.here"}, {"kind": "opendata.export", "params": {"standard": "csv"}},
                 {"kind": "compliance.run", "params": {"program_id": 2**40}},
                 {"kind": "compliance.run", "params": {"as_of": "2022-13-01"}},
                 {"kind": "compliance.run", "params": {"status": "done"}},  # unknown parameter
                 {"kind": "compliance.run", "status": "done"},  # unknown field
                 {"kind": "report.whatif", "params": {"program_id": 1, "body": {"rules": {"selected": 1}}}}):
        r = client.post("/api/v1/jobs", headers=auditor, json=body)
        assert r.status_code in (403, 422), (body, r.text)  # what-if: officials only
        assert set(r.json()) >= {"code", "detail"}
    r = client.post("/api/v1/jobs", headers=auditor, json={"kind": "opendata.export", "params": {"standard": "csv"}})
    assert r.json()["field"].startswith("params.standard")
    assert client.post("/api/v1/jobs", headers=evaluator, json={"kind": "compliance.run"}).status_code == 403
    assert client.post("/api/v1/jobs", json={"kind": "compliance.run"}).status_code == 401
    session.rollback()
    assert session.exec(select(Job)).all() == []
