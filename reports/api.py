"""Report downloads for officials and auditors (evaluators are refused)."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlmodel import Session

from core.auth import ReaderUser
from core.bounded import Code, Id
from core.db import get_session
from core.timeutil import today_kst
from program.reporting import as_of_for
from reports import service

router = APIRouter(tags=["reports"])


def _download(report: service.RenderedReport) -> Response:
    disposition = f"attachment; filename=\"{report.filename}\"; filename*=UTF-8''{quote(report.filename)}"
    return Response(content=report.content, media_type=report.content_type,
                    headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})


def _by(user) -> str:  # type: ignore[no-untyped-def]
    return f"{user.username} ({user.role})"


@router.get("/status.{fmt}", response_class=Response,
            responses={200: {"content": {service.CONTENT_TYPES["pdf"]: {}, service.CONTENT_TYPES["xlsx"]: {}}}})
def status_report(fmt: Code, user: ReaderUser, session: Session = Depends(get_session),
                  program_id: Id | None = None, as_of: date | None = None) -> Response:
    """Programme status (allocation, execution, hires, crowdsourcing, delivery) as PDF or XLSX."""
    return _download(service.render_report(session, "status", fmt, generated_by=_by(user),
                                           today=as_of_for(session, program_id, as_of),
                                           program_id=program_id))


@router.get("/compliance.{fmt}", response_class=Response,
            responses={200: {"content": {service.CONTENT_TYPES["pdf"]: {}, service.CONTENT_TYPES["xlsx"]: {}}}})
def compliance_report(fmt: Code, user: ReaderUser, session: Session = Depends(get_session),
                      program_id: Id | None = None,
                      as_of: date | None = Query(None, description="judge deadlines as of this date")) -> Response:
    """Compliance audit: findings with evidence (PDF); with awards, lines, ledger, hires… (XLSX)."""
    return _download(service.render_report(session, "compliance", fmt, generated_by=_by(user),
                                           today=as_of_for(session, program_id, as_of),
                                           program_id=program_id))


@router.get("/evaluation/{project_id}.pdf", response_class=Response,
            responses={200: {"content": {service.CONTENT_TYPES["pdf"]: {}}}})
def evaluation_report(project_id: Id, user: ReaderUser, session: Session = Depends(get_session)) -> Response:
    """Evaluation result of one project: anonymised panel, criterion means, trimmed totals, outcome."""
    return _download(service.render_report(session, "evaluation", "pdf", generated_by=_by(user),
                                           today=today_kst(), project_id=project_id))
