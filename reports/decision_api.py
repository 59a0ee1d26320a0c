"""Downloads of the decisions package: the what-if PDF (officials, admins) and the decision package
(PDF or XLSX, officials and auditors). Here rather than in decisions/api.py because the renderers
live in reports/, which sits above decisions.

Both are jobs (reports/jobs.py): ``202 Accepted`` with ``Location: /api/v1/jobs/{id}``. Measured at programme
scale on this 2-core machine, a call type's decision package takes 1.5–2.5 s (PDF 2.2 s, workbook 1.5 s) and
the what-if PDF about as long: too slow to hold a request worker, so there is no synchronous path.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from core import audit, db, jobs
from core.audit import Actor
from core.auth import OfficialUser, ReaderUser
from core.bounded import Code, Id, Reason
from core.db import Session, get_write_session
from core.errors import RuleViolation
from core.jobs_api import ACCEPTED, accepted
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


def whatif_file(actor: Actor, program_id: int, body: WhatIfRequest,
                progress: Callable[[int], None] | None = None) -> tuple[bytes, str, str]:
    """The what-if comparison as (bytes, file name, media type); the run is recorded in the audit log."""
    with db.session_scope() as session:
        program = program_service.get_program(session, program_id)
        result = decisions_service.run_what_if(session, program_id, body)
    if progress is not None:
        progress(60)
    with db.session_scope(write=True) as write:
        result = decisions_service.record_run(write, actor, result)
        by = f"{actor.username} ({actor.role})"
        meta = metadata(write, by, program.name_ko, extra=(("가정 실행 감사 이벤트", str(result.audit_event_id)),),
                        note="report what-if.pdf")
    if progress is not None:
        progress(80)
    return render_whatif_pdf(result, meta, program_name=program.name_ko), f"what-if-{program_id}.pdf", PDF


def _check_decision(session: Session, call_type: str, fmt: str, program_id: int | None,
                    project_id: int | None) -> None:
    """Refuse now what the job would refuse (format, call type, programme, project): 422/404, no job."""
    if fmt not in ("pdf", "xlsx"):
        raise RuleViolation(f"the decision package comes as pdf or xlsx, not {fmt}", field="format")
    if call_type not in package_service.CALL_TYPES:
        raise RuleViolation(f"unknown call type '{call_type}'; one of {', '.join(package_service.CALL_TYPES)}",
                            field="call_type")
    program = (program_service.get_program(session, program_id) if program_id
               else program_service.current_program(session))
    if project_id is not None:
        program_service.get_project(session, project_id)
    assert program.id is not None


WHY = Query(None, description="why the report is needed (kept with the job in the audit log)")


@router.post("/programs/{program_id}/what-if/report.pdf", response_class=Response, status_code=202,
             responses={200: {"content": {PDF: {}}}, **ACCEPTED})
def what_if_pdf(request: Request,
                program_id: Id, body: WhatIfRequest, user: OfficialUser,
                write: Session = Depends(get_write_session), reason: Reason | None = WHY) -> Response:
    """The what-if comparison as PDF, as a job (202); the run is recorded in the audit log like POST …/what-if."""
    program_service.get_program(write, program_id)
    job = jobs.enqueue(write, user, "report.whatif", {"program_id": program_id, "body": body.model_dump(mode="json")},
                       reason=reason)
    return accepted(job, request)


@router.get("/reports/decision/{call_type}.{fmt}", response_class=Response, status_code=202,
            responses={200: {"content": {PDF: {}, XLSX: {}}}, **ACCEPTED})
def decision_report(request: Request,
                    call_type: Code, fmt: Code, user: ReaderUser, session: Session = Depends(get_write_session),
                    program_id: Id | None = None,
                    project_id: Id | None = Query(None, description="one project's package"),
                    reason: Reason | None = WHY) -> Response:
    """The decision package of a call type (선정 심의 자료): ranking, recommended grants, envelopes before and
    after, required hires, departures with their reasons, conflicts, evaluator statistics, sign-off — a job (202)."""
    _check_decision(session, call_type, fmt, program_id, project_id)
    job = jobs.enqueue(session, user, "report.decision", {"call_type": call_type, "format": fmt,
                                                          "program_id": program_id, "project_id": project_id},
                       reason=reason)
    return accepted(job, request)
