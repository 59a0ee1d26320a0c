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


def test_a_job_reads_in_the_requests_language_korean_by_default(inline: Any, client: Any, session: Session):
    """Issue 13: a job's status, kind and message follow Accept-Language (Korean when none or Korean is asked),
    never the raw code; English reads as English words."""
    from tests.builders import token_for

    program = make_program(session)
    auditor = token_for(make_user(session, Role.auditor))
    r = client.post("/api/v1/jobs", headers=auditor,
                    json={"kind": "report.status", "params": {"format": "pdf", "program_id": program.id}})
    assert r.status_code == 202, r.text
    url = r.headers["location"]
    for header in (None, "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7", "de, fr"):  # default, a Korean browser, neither
        body = client.get(url, headers={**auditor, **({"Accept-Language": header} if header else {})}).json()
        assert (body["status"], body["status_label"], body["kind_label"], body["message"]) == (
            "done", "완료", "사업 현황 보고서", "완료했습니다"), header
    english = client.get(url, headers={**auditor, "Accept-Language": "en-US,en;q=0.9,ko;q=0.5"}).json()
    assert (english["status_label"], english["kind_label"], english["message"]) == (
        "Done", "Programme status report", "Done")
    listed = client.get("/api/v1/jobs", headers=auditor).json()["items"][0]
    assert listed["status_label"] == "완료" and listed["kind_label"] == "사업 현황 보고서"


def test_the_progress_line_of_a_finished_job_is_korean_in_korean_mode(inline: Any, session: Session,
                                                                       monkeypatch: pytest.MonkeyPatch):
    """The dashboard's progress line shows the job's Korean status and message (not 'failed'/'Failed: …')."""
    auditor = make_user(session, Role.auditor)
    monkeypatch.setattr(access, "caller", lambda: auditor)
    job = Job(id=7, kind="report.status", requested_by=auditor.username, status=jobs.JobStatus.failed,
              message_key="job.failed",
              message_params='{"reason": {"ko": "자료가 없습니다", "en": "no data"}}', created_at=jobs.utcnow())
    ko, en = downloads.status(jobs.read(job, "ko"), "ko"), downloads.status(jobs.read(job, "en"), "en")
    assert "실패 · 실패했습니다: 자료가 없습니다" in _text(ko) and "failed" not in _text(ko).lower()
    assert "Failed · Failed: no data" in _text(en)
