"""Jobs over HTTP: status and progress, the result file, cancel, and the caller's own list.

Only the person who asked for a job (or an admin) sees it; anyone else gets 404, as if it did not exist.
Endpoints that start long work answer ``202 Accepted`` with ``Location: /api/v1/jobs/{id}`` (``accepted``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, JSONResponse
from pydantic import Field
from sqlmodel import Session

from core import i18n, jobs
from core.auth import require_roles
from core.bounded import Code, Id, Offset, Reason, RequestModel, bounded_int
from core.db import get_session, get_write_session
from core.models import Role, User
from core.pagination import Page

router = APIRouter(prefix="/jobs", tags=["jobs"])
# Everyone who can ask for a job (officials, auditors; admins count as officials).
JobUser = Annotated[User, Depends(require_roles(Role.official, Role.auditor))]
if TYPE_CHECKING:  # built at run time; to mypy a plain int
    Limit = int
else:
    Limit = bounded_int(1, 200)


def _lang(request: Request | None) -> str:
    """The request's language (Accept-Language, read as the error layer reads it; Korean by default)."""
    return i18n.negotiate(request.headers.get("accept-language") if request is not None else None)


def accepted(job: jobs.Job, request: Request | None = None) -> JSONResponse:
    """The answer of an endpoint that enqueued `job`: 202, its URL in Location and in the body."""
    body = jobs.read(job, _lang(request)).model_dump(mode="json")
    return JSONResponse(status_code=202, content=body, headers={"Location": body["url"], "Cache-Control": "no-store"})


ACCEPTED: dict[int | str, dict[str, Any]] = {
    202: {"model": jobs.JobRead, "description": "Accepted: the work runs as a job; poll the URL in Location",
          "headers": {"Location": {"description": "the job's URL", "schema": {"type": "string"}}}},
}


class JobCreate(RequestModel):
    """Ask for a job of a registered kind (e.g. ``compliance.run``, ``opendata.export``, ``report.status``);
    `params` are checked by the kind's own bounded model."""

    kind: Code
    params: dict[str, Any] = Field(default_factory=dict, max_length=20)
    reason: Reason | None = None


@router.post("", status_code=202, response_model=jobs.JobRead, responses=ACCEPTED)
def create_job(request: Request, body: JobCreate, user: JobUser,
               session: Session = Depends(get_write_session)) -> JSONResponse:
    """Start a job (a full compliance run, an open-data export, any report): 202 with its URL in Location."""
    return accepted(jobs.enqueue(session, user, body.kind, body.params, reason=body.reason), request)


@router.get("", response_model=Page[jobs.JobRead])
def list_my_jobs(request: Request, user: JobUser, session: Session = Depends(get_session), limit: Limit = 50,
                 offset: Offset = 0) -> Page[jobs.JobRead]:
    """The caller's jobs, newest first."""
    rows, total = jobs.list_jobs(session, user, limit=limit, offset=offset)
    lang = _lang(request)
    return Page(items=[jobs.read(j, lang) for j in rows], total=total)


@router.get("/{job_id}", response_model=jobs.JobRead)
def get_job(request: Request, job_id: Id, user: JobUser, session: Session = Depends(get_session)) -> jobs.JobRead:
    """Status and progress (0–100, with a message) of one of the caller's jobs; `file_url` once done."""
    return jobs.read(jobs.get_job(session, job_id, user), _lang(request))


@router.get("/{job_id}/file", response_class=FileResponse,
            responses={200: {"content": {"application/octet-stream": {}}}})
def get_job_file(job_id: Id, user: JobUser, session: Session = Depends(get_session)) -> FileResponse:
    """The result file of a finished job (404 while it runs, after it failed, or after its retention)."""
    job = jobs.get_job(session, job_id, user)
    path = jobs.result_file(job)
    name = job.result_name or path.name
    disposition = f"attachment; filename=\"{quote(name)}\"; filename*=UTF-8''{quote(name)}"
    return FileResponse(path, media_type=job.result_type or "application/octet-stream",
                        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})


@router.post("/{job_id}/actions/cancel", response_model=jobs.JobRead)
def cancel_job(request: Request, job_id: Id, user: JobUser, session: Session = Depends(get_write_session),
               reason: Reason | None = Query(None, description="why (kept in the audit log)")) -> jobs.JobRead:
    """Cancel a queued job at once, or ask a running one to stop (it stops at its next progress report)."""
    return jobs.read(jobs.cancel(session, user, job_id, reason=reason), _lang(request))
