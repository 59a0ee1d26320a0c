"""The dashboard's download component: the button enqueues a report job as the caller, polling shows its
progress and then the link to the file; a forged request (a kind the role may not ask for, an unbounded id,
another user's job) changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from dash.exceptions import PreventUpdate
from sqlmodel import Session, select

from core import jobs
from core.jobs import Job
from core.models import Role
from core.settings import get_settings
from dashboard import access, downloads
from reports import jobs as _report_kinds  # noqa: F401  (registers the report kinds, as server.py does)
from tests.builders import make_program, make_user


@pytest.fixture
def inline(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Any:
    monkeypatch.setattr(get_settings(), "job_queue_url", "memory://")
    monkeypatch.setattr(get_settings(), "job_storage_dir", str(tmp_path / "jobs"))
    jobs.configure()
    yield
    jobs.configure("memory://")


def _text(children: Any) -> str:
    return str(children)


def test_button_enqueues_polls_and_offers_the_file(inline: Any, session: Session, monkeypatch: pytest.MonkeyPatch):
    program = make_program(session)
    auditor = make_user(session, Role.auditor)
    monkeypatch.setattr(access, "caller", lambda: auditor)
    layout = downloads.button("cp-status-pdf", "report.status", {"format": "pdf", "program_id": program.id},
                              "현황 PDF", "ko")
    spec = layout.children[1].data
    job_id, stop, shown = downloads.start(1, spec)
    assert isinstance(job_id, int) and stop is True  # inline queue: done at once
    assert f"/api/v1/jobs/{job_id}/file" in _text(shown) and "내려받기" in _text(shown)
    status, stop = downloads.poll(1, job_id, {**spec, "lang": "en"})
    assert stop is True and "Download" in _text(status) and f"status-{program.year}.pdf" in _text(status)
    # someone else cannot follow it
    monkeypatch.setattr(access, "caller", lambda: make_user(session, Role.auditor))
    with pytest.raises(PreventUpdate):
        downloads.poll(1, job_id, spec)


def test_running_job_shows_a_progress_bar_with_korean_text():
    view = jobs.JobRead(id=1, kind="report.compliance", kind_label="점검·감사 보고서", status=jobs.JobStatus.running,
                        status_label="진행 중", progress=40, message="원장 12,000행을 처리했습니다", requested_by="a",
                        reason=None, created_at=jobs.utcnow(), started_at=None, finished_at=None,
                        url="/api/v1/jobs/1", file_url=None, file_name=None, file_bytes=None)
    shown = downloads.status(view, "ko")
    assert shown[0].value == "40" and "40% · 원장 12,000행을 처리했습니다" in _text(shown)


def test_forged_requests_change_nothing(inline: Any, session: Session, monkeypatch: pytest.MonkeyPatch):
    program = make_program(session)
    evaluator = make_user(session, Role.evaluator)
    auditor = make_user(session, Role.auditor)
    before = len(session.exec(select(Job)).all())
    monkeypatch.setattr(access, "caller", lambda: evaluator)
    _, _, shown = downloads.start(1, {"kind": "report.status", "format": "pdf", "program_id": program.id})
    assert "요청할 수 없습니다" in _text(shown)  # evaluators may not ask for reports
    monkeypatch.setattr(access, "caller", lambda: auditor)
    for bad in ({"kind": "report.status", "program_id": 2**40}, {"kind": "report.status", "status": "done"},
                {"kind": "x" * 100}, {"kind": "report.whatif", "program_id": program.id}):
        job_id, _, shown = downloads.start(1, bad)
        assert job_id is None and "요청할 수 없습니다" in _text(shown), bad
    with pytest.raises(PreventUpdate):
        downloads.poll(1, 2**40, {})
    monkeypatch.setattr(access, "caller", lambda: None)
    with pytest.raises(PreventUpdate):
        downloads.start(1, {"kind": "report.status", "format": "pdf"})
    session.rollback()
    assert len(session.exec(select(Job)).all()) == before
