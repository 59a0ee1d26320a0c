"""Downloads of the decisions package: the what-if PDF (officials, admins) and the decision package
(PDF or XLSX, officials and auditors). Here rather than in decisions/api.py because the renderers
live in reports/, which sits above decisions."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlmodel import Session

from core import audit
from core.audit import Actor
from core.auth import OfficialUser, ReaderUser
from core.bounded import Code, Id
from core.db import get_session, get_write_session
from core.errors import RuleViolation
from core.models import User
from core.timeutil import utcnow
from decisions import package as package_service
from decisions import service as decisions_service
from decisions.models import WhatIfRequest
from program import service as program_service
from reports.decision_pdf import render_decision_pdf, render_whatif_pdf
from reports.decision_xlsx import render_decision_xlsx
from reports.document import Metadata
from reports.service import checkpoint_line

router = APIRouter(tags=["decisions"])
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(content: bytes, filename: str, media_type: str) -> Response:
    disposition = f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"
    return Response(content=content, media_type=media_type,
                    headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})


def metadata(session: Session, user: User | str, program_name: str,
             extra: tuple[tuple[str, str], ...] = (), *, note: str = "report decision") -> Metadata:
    """Who, when, the audit hash the document reflects and the signed checkpoint written for it."""
    by = user if isinstance(user, str) else f"{user.username} ({user.role})"
    return Metadata(generated_at=utcnow(), generated_by=by, audit_hash=audit.last_hash(session),
                    program=program_name, extra=extra, checkpoint=checkpoint_line(session, note))


def decision_file(session: Session, user: User | str, call_type: str, fmt: str, *, program_id: int | None,
                  project_id: int | None = None) -> tuple[bytes, str, str]:
    """The decision package as (bytes, file name, media type): the one function the API, the CLI and the
    dashboard call."""
    if fmt not in ("pdf", "xlsx"):
        raise RuleViolation(f"the decision package comes as pdf or xlsx, not {fmt}", field="format")
    program = (program_service.get_program(session, program_id) if program_id
               else program_service.current_program(session))
    pkg = package_service.decision_package(session, program.id, call_type, project_id=project_id)  # type: ignore[arg-type]
    meta = metadata(session, user, program.name_ko, note=f"report decision-{call_type}.{fmt}")
    stem = f"decision-{call_type}" + (f"-{pkg.projects[0].project_code}" if project_id and pkg.projects else "")
    if fmt == "pdf":
        return render_decision_pdf(pkg, meta), f"{stem}.pdf", PDF
    return render_decision_xlsx(pkg, meta), f"{stem}.xlsx", XLSX


@router.post("/programs/{program_id}/what-if/report.pdf", response_class=Response,
             responses={200: {"content": {PDF: {}}}})
def what_if_pdf(program_id: Id, body: WhatIfRequest, user: OfficialUser, session: Session = Depends(get_session),
                write: Session = Depends(get_write_session)) -> Response:
    """The what-if comparison as PDF (the run is recorded in the audit log like POST …/what-if)."""
    program = program_service.get_program(session, program_id)
    result = decisions_service.run_what_if(session, program_id, body)
    session.rollback()
    result = decisions_service.record_run(write, Actor.of(user), result)
    meta = metadata(write, user, program.name_ko, extra=(("가정 실행 감사 이벤트", str(result.audit_event_id)),),
                    note="report what-if.pdf")
    return _download(render_whatif_pdf(result, meta, program_name=program.name_ko), f"what-if-{program_id}.pdf", PDF)


@router.get("/reports/decision/{call_type}.{fmt}", response_class=Response,
            responses={200: {"content": {PDF: {}, XLSX: {}}}})
def decision_report(call_type: Code, fmt: Code, user: ReaderUser, session: Session = Depends(get_session),
                    program_id: Id | None = None,
                    project_id: Id | None = Query(None, description="one project's package")) -> Response:
    """The decision package of a call type (선정 심의 자료): ranking, recommended grants, envelopes before and
    after, required hires, departures with their reasons, conflicts, evaluator statistics, sign-off."""
    content, filename, media = decision_file(session, user, call_type, fmt, program_id=program_id,
                                             project_id=project_id)
    return _download(content, filename, media)
