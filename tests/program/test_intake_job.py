"""Issue 12: the proposal intake as a job (program/jobs.py), end to end in embedded mode (huey inline with
memory://): POST …/intake?job=true answers 202 with Location /api/v1/jobs/{id}; the outcome lists what was
imported, or every problem with sheet, row, column and a reason in the caller's language, nothing imported;
the same file twice refused; the stored input is named by a random token and deleted when the job ends; the
token is a bounded parameter (a path is refused, nothing queued)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from core import jobs
from core.jobs import Job
from core.models import AuditEvent, Role
from core.settings import get_settings
from program.models import Organization, Proposal, ProposalImport
from tests.builders import count, fresh, make_user, token_for
from tests.program.test_intake import API, XLSX, _good_rows, _setup, _workbook


@pytest.fixture
def inline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    monkeypatch.setattr(get_settings(), "job_queue_url", "memory://")
    monkeypatch.setattr(get_settings(), "job_storage_dir", str(tmp_path / "jobs"))
    jobs.configure()
    yield tmp_path / "jobs"
    jobs.configure("memory://")


def _post_job(client, program_id, h, name, content, media=XLSX, lang="ko"):
    return client.post(f"{API}/programs/{program_id}/intake", params={"job": "true"},
                       headers={**h, "Accept-Language": lang}, files={"file": (name, content, media)})


def _inputs(storage: Path) -> list[str]:
    folder = storage / "inputs"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_intake_job_imports_with_progress_and_refuses_the_same_file(client, session, inline):
    program, a, b, known = _setup(session)
    official = make_user(session, Role.official)
    h = token_for(official)
    content = _workbook(*_good_rows(known))
    r = _post_job(client, program.id, h, "접수.xlsx", content)
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    assert r.headers["location"] == f"/api/v1/jobs/{job_id}"
    view = client.get(r.headers["location"], headers=h).json()
    assert view["status"] == "done" and view["progress"] == 100 and view["kind_label"] == "제안서 일괄 접수"
    out = client.get(f"{API}/programs/{program.id}/intake/jobs/{job_id}", headers=h).json()
    assert out["result"]["proposals"] == 2 and out["result"]["consortia"] == 2
    assert out["result"]["organizations"] == 2 and out["members"] == 4 and out["problems"] == []
    fresh(session)
    assert count(session, Proposal) == 2 and count(session, ProposalImport) == 1
    # the job's parameters: the programme, a random token and the name as sent; no path
    job = session.get(Job, job_id)
    assert job is not None and set(job.params) == {"program_id", "token", "filename"}
    assert len(job.params["token"]) == 32 and job.params["filename"] == "접수.xlsx"
    # the audit trail: the job enqueued by the official, the import recorded as the official
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "proposal.import")).all()
    assert [e.actor for e in events] == [official.username]
    assert _inputs(inline) == []  # the stored input is gone once the job ended
    # the same file again: the job fails with the duplicate reason, nothing more is written
    r = _post_job(client, program.id, h, "다시.xlsx", content, lang="en")
    assert r.status_code == 202
    again = client.get(f"{API}/programs/{program.id}/intake/jobs/{r.json()['id']}",
                       headers={**h, "Accept-Language": "en"}).json()
    assert again["job"]["status"] == "failed" and "already imported" in again["detail"], again
    fresh(session)
    assert count(session, Proposal) == 2 and count(session, ProposalImport) == 1


def test_bad_file_job_lists_problems_in_the_callers_language_and_imports_nothing(client, session, inline):
    program, a, b, known = _setup(session)
    h = token_for(make_user(session, Role.official))
    proposals, members = _good_rows(known)
    proposals[1][4] = "일억"  # row 4 of 제안서: not a number
    members[2][3] = "외계기관"  # row 6 of 컨소시엄 구성원: unknown kind
    before = (count(session, Proposal), count(session, Organization), count(session, ProposalImport))
    content = _workbook(proposals, members)
    for lang, words in (("ko", ("정수", "아무것도 가져오지 않았습니다")), ("en", ("whole number", "nothing"))):
        r = _post_job(client, program.id, h, "잘못.xlsx", content, lang=lang)
        assert r.status_code == 202, r.text
        out = client.get(f"{API}/programs/{program.id}/intake/jobs/{r.json()['id']}",
                         headers={**h, "Accept-Language": lang}).json()
        assert out["job"]["status"] == "failed" and out["result"] is None
        reasons = {(p["sheet"], p["row"], p["column"]): p["reason"] for p in out["problems"]}
        assert words[0] in reasons[("제안서", 4, "정부출연금 신청액(원)")], reasons
        assert ("컨소시엄 구성원", 6, "기관 유형") in reasons
        assert words[1] in out["detail"], out["detail"]
    fresh(session)
    assert (count(session, Proposal), count(session, Organization), count(session, ProposalImport)) == before
    # the synchronous path speaks the caller's language too
    r = client.post(f"{API}/programs/{program.id}/intake", headers={**h, "Accept-Language": "en"},
                    files={"file": ("잘못.xlsx", content, XLSX)})
    assert r.status_code == 422 and any("whole number" in e["reason"] for e in r.json()["errors"])
    # not a spreadsheet: refused before anything is stored or queued
    n_jobs = count(session, Job)
    r = _post_job(client, program.id, h, "a.pdf", b"%PDF-1.4", "application/pdf")
    assert r.status_code == 422 and count(session, Job) == n_jobs
    assert [n for n in _inputs(inline) if n.endswith(".in")] == []


def test_intake_job_parameters_are_bounded_and_only_the_requester_sees_it(client, session, inline):
    program, a, b, known = _setup(session)
    official = make_user(session, Role.official)
    h = token_for(official)
    n_jobs = count(session, Job)
    for params in ({"program_id": program.id, "token": "../../etc/passwd", "filename": "x.xlsx"},
                   {"program_id": program.id, "token": "a" * 32, "filename": "x.exe"},
                   {"program_id": program.id, "token": "a" * 32, "filename": "x.xlsx", "path": "/tmp/x"}):
        r = client.post(f"{API}/jobs", headers=h, json={"kind": "intake.import", "params": params})
        assert r.status_code == 422, (params, r.text)
    assert count(session, Job) == n_jobs
    # an auditor may not ask for it; another official does not see someone else's outcome
    r = client.post(f"{API}/jobs", headers=token_for(make_user(session, Role.auditor)),
                    json={"kind": "intake.import", "params": {"program_id": program.id, "token": "a" * 32,
                                                              "filename": "x.xlsx"}})
    assert r.status_code == 403
    r = _post_job(client, program.id, h, "접수.xlsx", _workbook(*_good_rows(known)))
    job_id = r.json()["id"]
    other = token_for(make_user(session, Role.official))
    assert client.get(f"{API}/programs/{program.id}/intake/jobs/{job_id}", headers=other).status_code == 404
    assert client.get(f"{API}/programs/{program.id + 1}/intake/jobs/{job_id}", headers=h).status_code == 404
    # a token with no stored input (asked for directly): the job fails, saying so
    r = client.post(f"{API}/jobs", headers=h, json={"kind": "intake.import", "params": {
        "program_id": program.id, "token": "b" * 32, "filename": "x.xlsx"}})
    assert r.status_code == 202
    out = client.get(f"{API}/programs/{program.id}/intake/jobs/{r.json()['id']}", headers=h).json()
    assert out["job"]["status"] == "failed" and "다시 올리세요" in out["detail"]
    saved = json.loads((inline / "inputs" / f"intake-{'b' * 32}.problems.json").read_text(encoding="utf-8"))
    assert saved["detail"]["en"].startswith("the uploaded file is gone")
