"""Report downloads for officials and auditors (evaluators are refused).

Every report is a job (reports/jobs.py): the endpoint checks the request, enqueues, and answers ``202 Accepted``
with ``Location: /api/v1/jobs/{id}``; the file is at ``/api/v1/jobs/{id}/file`` once the job is done.
``?sync=true`` answers with the file at once where that was measured to be fast (programme scale, this 2-core
machine: status PDF 0.4–0.7 s, status workbook 0.5–0.6 s, one project's evaluation PDF 0.06 s); the compliance
report (PDF 2.3 s, workbook 8.6 s at programme scale, minutes at national scale) is a job only.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from core import jobs
from core.auth import ReaderUser
from core.bounded import Code, Id, Reason
from core.db import Session, get_write_session
from core.errors import RuleViolation
from core.i18n import code_label
from core.jobs_api import ACCEPTED, accepted
from core.models import User
from core.timeutil import today_kst
from program import service as program_service
from program.reporting import as_of_for
from reports import jobs as _kinds  # noqa: F401  (registers the report job kinds)
from reports import service

router = APIRouter(tags=["reports"])
SYNC = Query(False, description="answer with the file at once (small exports only) instead of a job")
WHY = Query(None, description="why the report is needed (kept with the job in the audit log)")


def _download(report: service.RenderedReport) -> Response:
    disposition = f"attachment; filename=\"{report.filename}\"; filename*=UTF-8''{quote(report.filename)}"
    return Response(content=report.content, media_type=report.content_type,
                    headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})


def _by(user: User) -> str:
    """How a document names who made it: 'username (감사관)' — the role by its label, not its code."""
    return f"{user.username} ({code_label('role', user.role)})"


def _check_format(kind: str, fmt: str) -> None:
    if fmt not in service.KINDS[kind]:
        raise RuleViolation(f"the {kind} report comes as {' or '.join(service.KINDS[kind])}, not {fmt}",
                            field="format")


def _enqueue(session: Session, user: User, kind: str, params: dict[str, Any], reason: str | None,
             request: Request) -> Response:
    job = jobs.enqueue(session, user, f"report.{kind}", params, reason=reason)
    return accepted(job, request)


FILES: dict[int | str, dict[str, Any]] = {
    200: {"content": {service.CONTENT_TYPES["pdf"]: {}, service.CONTENT_TYPES["xlsx"]: {}}}, **ACCEPTED}


@router.get("/status.{fmt}", response_class=Response, status_code=202, responses=FILES)
def status_report(request: Request,
                  fmt: Code, user: ReaderUser, session: Session = Depends(get_write_session),
                  program_id: Id | None = None, as_of: date | None = None, sync: bool = SYNC,
                  reason: Reason | None = WHY) -> Response:
    """Programme status (allocation, execution, hires, crowdsourcing, delivery) as PDF or XLSX: a job (202)."""
    _check_format("status", fmt)
    today = as_of_for(session, program_id, as_of)
    if sync:
        return _download(service.render_report(session, "status", fmt, generated_by=_by(user), today=today,
                                               program_id=program_id))
    return _enqueue(session, user, "status", {"format": fmt, "program_id": program_id, "as_of": today.isoformat()},
                    reason, request)


@router.get("/compliance.{fmt}", response_class=Response, status_code=202, responses=FILES)
def compliance_report(request: Request,
                      fmt: Code, user: ReaderUser, session: Session = Depends(get_write_session),
                      program_id: Id | None = None,
                      as_of: date | None = Query(None, description="judge deadlines as of this date"),
                      reason: Reason | None = WHY) -> Response:
    """Compliance audit: findings with evidence (PDF); with awards, lines, ledger, hires… (XLSX): a job (202)."""
    _check_format("compliance", fmt)
    today = as_of_for(session, program_id, as_of)
    return _enqueue(session, user, "compliance",
                    {"format": fmt, "program_id": program_id, "as_of": today.isoformat()}, reason, request)


@router.get("/evaluation/{project_id}.pdf", response_class=Response, status_code=202,
            responses={200: {"content": {service.CONTENT_TYPES["pdf"]: {}}}, **ACCEPTED})
def evaluation_report(request: Request,
                      project_id: Id, user: ReaderUser, session: Session = Depends(get_write_session),
                      sync: bool = SYNC, reason: Reason | None = WHY) -> Response:
    """Evaluation result of one project: anonymised panel, criterion means, trimmed totals, outcome."""
    program_service.get_project(session, project_id)  # 404 now rather than a failed job
    if sync:
        return _download(service.render_report(session, "evaluation", "pdf", generated_by=_by(user),
                                               today=today_kst(), project_id=project_id))
    return _enqueue(session, user, "evaluation", {"format": "pdf", "project_id": project_id}, reason,
                    request)
