"""HTTP routes of the programme domain: parse, check the role, call one service function."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import TypeAdapter
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from core import uploads
from core.audit import Actor
from core.auth import AnyStaff, OfficialUser, ReaderUser, require_roles_on_loop
from core.bounded import Code, Id, Offset, SearchText
from core.db import get_session, get_write_session, session_scope
from core.fastjson import model_response
from core.jobs_api import ACCEPTED, accepted
from core.models import Role, User
from core.pagination import Page
from core.settings import get_settings
from program import documents, intake, service
from program import jobs as intake_jobs
from program.lifecycle import ActionIn, OfficialAction, WithdrawIn
from program.models import (
    CallActionResult,
    CallTypeCode,
    CallTypeRead,
    ConsortiumCreate,
    ConsortiumRead,
    CoreFieldRead,
    IntakeResult,
    OrganizationCreate,
    OrganizationRead,
    OrgKind,
    ProgramRead,
    ProgramRulesUpdate,
    ProgramStateRead,
    ProgramSummary,
    ProjectCreate,
    ProjectRead,
    ProjectStatus,
    ProjectUpdate,
    ProposalCreate,
    ProposalDocument,
    ProposalDocumentRead,
    ProposalRead,
    ProposalStatus,
    ProposalUpdate,
    RestrictionUpdate,
    SlotCreate,
    SlotRead,
    SlotUpdate,
)

router = APIRouter(tags=["program"])
_staff_on_loop = require_roles_on_loop(Role.official, Role.evaluator, Role.auditor)  # the hot reads: one hop
_reader_on_loop = require_roles_on_loop(Role.official, Role.auditor)
_PROJECT_PAGE = TypeAdapter(Page[ProjectRead])
_PROPOSAL_PAGE = TypeAdapter(Page[ProposalRead])
_SUMMARY = TypeAdapter(ProgramSummary)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "description": "a .xlsx or .csv file"}}}}}}}
PDF_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "description": "a PDF"}}}}}}}


def _program_read(p) -> ProgramRead:
    return ProgramRead(id=p.id, year=p.year, name_ko=p.name_ko, name_en=p.name_en,
                       total_budget_krw=p.total_budget_krw, call_opened_date=p.call_opened_date, rules=p.rules,
                       status=p.status, copied_from_id=p.copied_from_id)


@router.get("/programs", response_model=list[ProgramRead])
def list_programs(_: AnyStaff, session: Session = Depends(get_session)) -> list[ProgramRead]:
    return [_program_read(p) for p in service.list_programs(session)]


@router.get("/programs/{program_id}", response_model=ProgramRead)
def get_program(program_id: Id, _: AnyStaff, session: Session = Depends(get_session)) -> ProgramRead:
    return _program_read(service.get_program(session, program_id))


@router.patch("/programs/{program_id}/rules", response_model=ProgramRead)
def update_rules(program_id: Id, data: ProgramRulesUpdate, user: OfficialUser,
                 session: Session = Depends(get_write_session)) -> ProgramRead:
    return _program_read(service.update_rules(session, Actor.of(user), program_id, data.changes()))


@router.get("/programs/{program_id}/summary", response_model=ProgramSummary)
async def program_summary(program_id: Id, _: Annotated[User, Depends(_staff_on_loop)]) -> Response:
    def work() -> Response:
        with session_scope() as session:
            return model_response(_SUMMARY, service.program_summary(session, program_id))

    return await run_in_threadpool(work)


@router.get("/fields", response_model=list[CoreFieldRead])
def list_fields(_: AnyStaff, session: Session = Depends(get_session)) -> list[CoreFieldRead]:
    return [CoreFieldRead.model_validate(f, from_attributes=True) for f in service.list_fields(session)]


@router.get("/call-types", response_model=list[CallTypeRead])
def list_call_types(_: AnyStaff, session: Session = Depends(get_session)) -> list[CallTypeRead]:
    return [CallTypeRead.model_validate(t, from_attributes=True) for t in service.list_call_types(session)]


@router.get("/projects", response_model=Page[ProjectRead])
async def list_projects(
    _: Annotated[User, Depends(_staff_on_loop)],
    program_id: Id | None = None,
    field: Code | None = Query(None, description="core field code, e.g. HEALTH"),
    call_type: CallTypeCode | None = Query(None, description="designated, regional or free"),
    status: ProjectStatus | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
) -> Response:
    """One page of projects (role checked on the event loop, query and serialisation in one thread hop)."""

    def work() -> Response:
        with session_scope() as session:
            items, total = service.list_projects(session, program_id=program_id, field_code=field,
                                                 call_type=call_type, status=status, limit=limit, offset=offset)
        return model_response(_PROJECT_PAGE, Page(items=items, total=total))

    return await run_in_threadpool(work)


@router.get("/projects/{project_id}", response_model=ProjectRead)
def get_project(project_id: Id, _: AnyStaff, session: Session = Depends(get_session)) -> ProjectRead:
    return service.project_read(session, project_id)


@router.post("/projects", response_model=ProjectRead, status_code=201)
def create_project(data: ProjectCreate, user: OfficialUser,
                   session: Session = Depends(get_write_session)) -> ProjectRead:
    project = service.create_project(session, Actor.of(user), data)
    assert project.id is not None
    return service.project_read(session, project.id)


@router.patch("/projects/{project_id}", response_model=ProjectRead)
def update_project(project_id: Id, data: ProjectUpdate, user: OfficialUser,
                   session: Session = Depends(get_write_session)) -> ProjectRead:
    service.update_project(session, Actor.of(user), project_id, data)
    return service.project_read(session, project_id)


@router.post("/projects/{project_id}/actions/{action}", response_model=ProjectRead)
def project_action(project_id: Id, action: OfficialAction, user: OfficialUser, data: ActionIn | None = None,
                   session: Session = Depends(get_write_session)) -> ProjectRead:
    """Move a project on in its life cycle (409 when its status does not allow the action)."""
    service.project_action(session, Actor.of(user), project_id, action, data.reason if data else None)
    return service.project_read(session, project_id)


@router.get("/organizations", response_model=Page[OrganizationRead])
def list_organizations(_: ReaderUser, session: Session = Depends(get_session), kind: OrgKind | None = None,
                       q: SearchText | None = None, limit: int = Query(50, ge=1, le=500),
                       offset: Offset = 0) -> Page[OrganizationRead]:
    rows, total = service.list_organizations(session, kind=kind, q=q, limit=limit, offset=offset)
    return Page(items=[OrganizationRead.model_validate(o, from_attributes=True) for o in rows], total=total)


@router.post("/organizations", response_model=OrganizationRead, status_code=201)
def create_organization(data: OrganizationCreate, user: OfficialUser,
                        session: Session = Depends(get_write_session)) -> OrganizationRead:
    org = service.create_organization(session, Actor.of(user), data)
    return OrganizationRead.model_validate(org, from_attributes=True)


@router.put("/organizations/{org_id}/restriction", response_model=OrganizationRead)
def set_restriction(org_id: Id, data: RestrictionUpdate, user: OfficialUser,
                    session: Session = Depends(get_write_session)) -> OrganizationRead:
    org = service.set_restriction(session, Actor.of(user), org_id, data)
    return OrganizationRead.model_validate(org, from_attributes=True)


@router.post("/consortia", response_model=ConsortiumRead, status_code=201)
def create_consortium(data: ConsortiumCreate, user: OfficialUser,
                      session: Session = Depends(get_write_session)) -> ConsortiumRead:
    c = service.create_consortium(session, Actor.of(user), data)
    assert c.id is not None
    return service.consortium_read(session, c.id)


@router.get("/consortia/{consortium_id}", response_model=ConsortiumRead)
def get_consortium(consortium_id: Id, _: ReaderUser, session: Session = Depends(get_session)) -> ConsortiumRead:
    return service.consortium_read(session, consortium_id)


@router.get("/proposals", response_model=Page[ProposalRead])
async def list_proposals(_: Annotated[User, Depends(_reader_on_loop)], project_id: Id | None = None,
                         program_id: Id | None = None, status: ProposalStatus | None = None,
                         limit: int = Query(50, ge=1, le=500), offset: Offset = 0) -> Response:
    def work() -> Response:
        with session_scope() as session:
            rows, total = service.list_proposals(session, project_id=project_id, program_id=program_id,
                                                 status=status, limit=limit, offset=offset)
            page = _PROPOSAL_PAGE.validate_python({"items": rows, "total": total}, from_attributes=True)
        return model_response(_PROPOSAL_PAGE, page)

    return await run_in_threadpool(work)


@router.get("/proposals/{proposal_id}", response_model=ProposalRead)
def get_proposal(proposal_id: Id, _: ReaderUser, session: Session = Depends(get_session)) -> ProposalRead:
    return ProposalRead.model_validate(service.get_proposal(session, proposal_id), from_attributes=True)


@router.post("/proposals", response_model=ProposalRead, status_code=201)
def create_proposal(data: ProposalCreate, user: OfficialUser,
                    session: Session = Depends(get_write_session)) -> ProposalRead:
    p = service.create_proposal(session, Actor.of(user), data)
    return ProposalRead.model_validate(p, from_attributes=True)


@router.patch("/proposals/{proposal_id}", response_model=ProposalRead)
def update_proposal(proposal_id: Id, data: ProposalUpdate, user: OfficialUser,
                    session: Session = Depends(get_write_session)) -> ProposalRead:
    p = service.update_proposal(session, Actor.of(user), proposal_id, data)
    return ProposalRead.model_validate(p, from_attributes=True)


@router.post("/proposals/{proposal_id}/actions/withdraw", response_model=ProposalRead)
def withdraw_proposal(proposal_id: Id, data: WithdrawIn, user: OfficialUser,
                      session: Session = Depends(get_write_session)) -> ProposalRead:
    """Withdraw a proposal while its project's call is open (409 otherwise)."""
    p = service.withdraw_proposal(session, Actor.of(user), proposal_id, data.reason)
    return ProposalRead.model_validate(p, from_attributes=True)


# --------------------------------------------------------------------------- programme life, slots, call (issue 12)


@router.get("/programs/{program_id}/state", response_model=ProgramStateRead)
def program_state(program_id: Id, _: AnyStaff, session: Session = Depends(get_session)) -> ProgramStateRead:
    """The programme's call state (before the call, open, closed), slots published and room left."""
    return service.program_state(session, program_id)


@router.get("/programs/{program_id}/slots", response_model=list[SlotRead])
def list_slots(program_id: Id, _: ReaderUser, session: Session = Depends(get_session)) -> list[SlotRead]:
    return service.list_slots(session, program_id)


@router.post("/programs/{program_id}/slots", response_model=SlotRead, status_code=201)
def add_slot(program_id: Id, data: SlotCreate, user: OfficialUser,
             session: Session = Depends(get_write_session)) -> SlotRead:
    """Add a project slot within the programme total (409 when the total has no room)."""
    project = service.add_slot(session, Actor.of(user), program_id, data)
    assert project.id is not None
    return service.slot_read(session, project.id)


@router.patch("/slots/{project_id}", response_model=SlotRead)
def update_slot(project_id: Id, data: SlotUpdate, user: OfficialUser,
                session: Session = Depends(get_write_session)) -> SlotRead:
    """Edit an unpublished slot of a programme before its call (the ceiling within the total)."""
    service.update_slot(session, Actor.of(user), project_id, data)
    return service.slot_read(session, project_id)


@router.delete("/slots/{project_id}", status_code=204)
def delete_slot(project_id: Id, user: OfficialUser, session: Session = Depends(get_write_session)) -> Response:
    service.delete_slot(session, Actor.of(user), project_id)
    return Response(status_code=204)


@router.post("/slots/{project_id}/actions/publish", response_model=SlotRead)
def publish_slot(project_id: Id, user: OfficialUser, session: Session = Depends(get_write_session)) -> SlotRead:
    service.publish_slot(session, Actor.of(user), project_id)
    return service.slot_read(session, project_id)


@router.post("/programs/{program_id}/actions/open-call", response_model=CallActionResult)
def open_call(program_id: Id, user: OfficialUser, session: Session = Depends(get_write_session)) -> CallActionResult:
    """Open the call: every slot published (422 otherwise); 409 unless the programme is before its call."""
    return service.open_call(session, Actor.of(user), program_id)


@router.post("/programs/{program_id}/actions/close-call", response_model=CallActionResult)
def close_call(program_id: Id, user: OfficialUser, session: Session = Depends(get_write_session)) -> CallActionResult:
    """Close the call: projects with proposals move to evaluation; those without are listed."""
    return service.close_call(session, Actor.of(user), program_id)


# --------------------------------------------------------------------------- intake


@router.get("/programs/{program_id}/intake/template", response_class=Response,
            responses={200: {"content": {XLSX: {}, "text/csv": {}}}})
def intake_template(program_id: Id, _: ReaderUser, session: Session = Depends(get_session),
                    format: Literal["xlsx", "csv"] = "xlsx") -> Response:  # noqa: A002 - the query name
    """The intake template: .xlsx (제안서 and 컨소시엄 구성원 sheets, Korean headers, a sample row) or .csv."""
    program = service.get_program(session, program_id)
    if format == "csv":
        body, media, ext = intake.template_csv(), "text/csv; charset=utf-8", "csv"
    else:
        body, media, ext = intake.template_xlsx(), XLSX, "xlsx"
    name = f"proposal_intake_{program.year}.{ext}"
    korean = quote(f"제안서_일괄접수_{program.year}.{ext}")
    return Response(body, media_type=media, headers={
        "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{korean}"})


@router.post("/programs/{program_id}/intake", response_model=IntakeResult, status_code=201,
             openapi_extra=UPLOAD_BODY,
             responses={413: {"description": "The file is larger than the upload limit"}, **ACCEPTED})
async def import_intake(program_id: Id, user: OfficialUser, request: Request,
                        job: bool = Query(False, description="import as a job: 202 with Location "
                                                             "/api/v1/jobs/{id}; outcome at …/intake/jobs/{id}"),
                        ) -> IntakeResult | Response:
    """Import proposals with their consortia (multipart field `file`, .xlsx or .csv from the template).

    The whole file is checked first: any problem → 422 listing sheet, row, column and reason (in the
    caller's language), nothing written. The same file twice → 409. The token and role are checked before
    the body is read. With `job=true` the file is stored and imported by a job (program/jobs.py): 202.
    """
    upload = await uploads.receive_upload(request, max_bytes=get_settings().max_upload_bytes)
    actor = Actor.of(user)
    if job:
        def enqueue() -> Response:
            with session_scope(write=True) as session:
                return accepted(intake_jobs.enqueue_import(session, user, program_id, upload), request)

        return await run_in_threadpool(enqueue)

    def work() -> IntakeResult:
        with session_scope(write=True) as session:
            return intake.import_proposals(session, actor, program_id, upload,
                                           max_rows=min(get_settings().max_import_rows, 20_000))

    return await run_in_threadpool(work)


@router.get("/programs/{program_id}/intake/jobs/{job_id}", response_model=intake_jobs.IntakeJobOutcome)
def intake_job(program_id: Id, job_id: Id, request: Request, user: OfficialUser,
               session: Session = Depends(get_session)) -> intake_jobs.IntakeJobOutcome:
    """An intake job of the caller: status and progress, then the counts imported or every problem (sheet, row,
    column, reason in the caller's language). Another person's job, or another programme's: 404."""
    from core.http_errors import request_lang

    found = intake_jobs.outcome(session, job_id, user, request_lang(request), program_id=program_id)
    return intake_jobs.IntakeJobOutcome.model_validate(found)


# --------------------------------------------------------------------------- proposal documents


@router.post("/proposals/{proposal_id}/document", response_model=ProposalDocumentRead, status_code=201,
             openapi_extra=PDF_BODY, responses={413: {"description": "The file is larger than the limit"}})
async def upload_document(proposal_id: Id, user: OfficialUser, request: Request) -> ProposalDocumentRead:
    """Attach the proposal's PDF (multipart field `file`; the content must be a PDF, at most 20 MiB)."""
    upload = await uploads.receive_upload(request, max_bytes=documents.MAX_DOCUMENT_BYTES + 64 * 1024)
    actor = Actor.of(user)

    def work() -> ProposalDocumentRead:
        with session_scope(write=True) as session:
            return documents.document_read(documents.upload_document(session, actor, proposal_id, upload))

    return await run_in_threadpool(work)


def pdf_response(doc: ProposalDocument) -> Response:
    """A stored PDF shown in the browser (inline), never sniffed as anything else."""
    return Response(doc.content, media_type="application/pdf", headers={
        "Content-Disposition": f"inline; filename=\"proposal-{doc.proposal_id}.pdf\"; "
                               f"filename*=UTF-8''{quote(doc.filename)}",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})


@router.get("/proposals/{proposal_id}/document", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
def get_document(proposal_id: Id, _: ReaderUser, session: Session = Depends(get_session)) -> Response:
    """The proposal's newest PDF for officials and auditors (evaluators: /scoring/proposals/{id}/document)."""
    return pdf_response(documents.latest_document(session, proposal_id))


@router.get("/proposals/{proposal_id}/document/info", response_model=ProposalDocumentRead)
def document_info(proposal_id: Id, _: ReaderUser, session: Session = Depends(get_session)) -> ProposalDocumentRead:
    return documents.document_read(documents.latest_document(session, proposal_id))
