"""HTTP routes of the evaluation domain: parse, check the role, call one service function.

Evaluators reach only /assignments (their own sheets); officials administer; officials and
auditors read results, progress and statistics.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from core import uploads
from core.audit import Actor
from core.auth import AnyStaff, EvaluatorUser, OfficialUser, ReaderUser
from core.bounded import Code, Id, Offset, RequestModel, SearchText
from core.db import get_session, get_write_session, session_scope
from core.models import Role, User
from core.pagination import Page
from core.settings import get_settings
from scoring import service
from scoring.models import (
    AssignmentDetail,
    AssignmentRead,
    ConfirmIn,
    ConflictConfirmationRead,
    ConflictIn,
    ConflictNotice,
    ConflictRead,
    EvaluatorCreate,
    EvaluatorImportResult,
    EvaluatorRead,
    EvaluatorStats,
    EvaluatorUpdate,
    PanelAutoIn,
    PanelIn,
    PanelRead,
    ProgressRead,
    ProjectResult,
    ReasonIn,
    RubricIn,
    RubricRead,
    ScreeningOverrideIn,
    ScreeningRead,
    SelectionRead,
    SheetIn,
    SheetRead,
)
from scoring.screening import CeilingChange, CeilingIn

router = APIRouter(tags=["scoring"])
_UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "description": "a .xlsx or .csv file"}}}}}}}


def _selection_read(s) -> SelectionRead:
    return SelectionRead.model_validate(s, from_attributes=True)


# --------------------------------------------------------------------------- evaluators


@router.get("/assignments", response_model=list[AssignmentRead])
def my_assignments(user: EvaluatorUser, session: Session = Depends(get_session)) -> list[AssignmentRead]:
    return service.my_assignments(session, user)


@router.get("/assignments/{sheet_id}", response_model=AssignmentDetail)
def get_assignment(sheet_id: Id, user: EvaluatorUser, session: Session = Depends(get_session)) -> AssignmentDetail:
    return service.get_assignment(session, user, sheet_id)


@router.put("/assignments/{sheet_id}/sheet", response_model=SheetRead)
def save_sheet(sheet_id: Id, data: SheetIn, user: EvaluatorUser,
               session: Session = Depends(get_write_session)) -> SheetRead:
    return service.save_sheet(session, user, sheet_id, data)


@router.post("/assignments/{sheet_id}/submit", response_model=SheetRead)
def submit_sheet(sheet_id: Id, user: EvaluatorUser, data: SheetIn | None = None,
                 session: Session = Depends(get_write_session)) -> SheetRead:
    return service.submit_sheet(session, user, sheet_id, data)


@router.post("/assignments/{sheet_id}/conflict", response_model=ConflictRead, status_code=201)
def declare_own_conflict(sheet_id: Id, data: ReasonIn, user: EvaluatorUser,
                         session: Session = Depends(get_write_session)) -> ConflictRead:
    return service.declare_own_conflict(session, user, sheet_id, data.reason)


# --------------------------------------------------------------------------- officials


@router.get("/rubrics/{call_type}", response_model=RubricRead)
def get_rubric(call_type: Code, _: ReaderUser, program_id: Id,
               session: Session = Depends(get_session)) -> RubricRead:
    return service.get_rubric(session, program_id, call_type)


@router.put("/rubrics/{call_type}", response_model=RubricRead)
def put_rubric(call_type: Code, data: RubricIn, user: OfficialUser, program_id: Id,
               session: Session = Depends(get_write_session)) -> RubricRead:
    return service.put_rubric(session, Actor.of(user), program_id, call_type, data)


@router.post("/projects/{project_id}/screen", response_model=list[ScreeningRead])
def screen_project(project_id: Id, user: OfficialUser,
                   session: Session = Depends(get_write_session)) -> list[ScreeningRead]:
    return service.screen_project(session, Actor.of(user), project_id)


@router.get("/projects/{project_id}/screening", response_model=list[ScreeningRead])
def list_screening(project_id: Id, _: ReaderUser, session: Session = Depends(get_session)) -> list[ScreeningRead]:
    return service.list_screening(session, project_id)


@router.post("/proposals/{proposal_id}/screening-override", response_model=ScreeningRead)
def override_screening(proposal_id: Id, data: ScreeningOverrideIn, user: OfficialUser,
                       session: Session = Depends(get_write_session)) -> ScreeningRead:
    return service.override_screening(session, Actor.of(user), proposal_id, data.eligible, data.reason)


@router.get("/projects/{project_id}/panel", response_model=PanelRead)
def get_panel(project_id: Id, _: ReaderUser, session: Session = Depends(get_session)) -> PanelRead:
    return service.get_panel(session, project_id)


@router.post("/projects/{project_id}/panel", response_model=PanelRead)
def set_panel(project_id: Id, data: PanelIn, user: OfficialUser,
              session: Session = Depends(get_write_session)) -> PanelRead:
    return service.set_panel(session, Actor.of(user), project_id, data.evaluator_ids)


@router.post("/projects/{project_id}/panel/auto", response_model=PanelRead)
def auto_panel(project_id: Id, user: OfficialUser, data: PanelAutoIn | None = None,
               session: Session = Depends(get_write_session)) -> PanelRead:
    return service.auto_panel(session, Actor.of(user), project_id, data.size if data else None)


@router.get("/conflicts", response_model=list[ConflictRead])
def list_conflicts(_: ReaderUser, project_id: Id,
                   session: Session = Depends(get_session)) -> list[ConflictRead]:
    return service.list_conflicts(session, project_id)


@router.post("/conflicts", response_model=ConflictRead, status_code=201)
def record_conflict(data: ConflictIn, user: OfficialUser,
                    session: Session = Depends(get_write_session)) -> ConflictRead:
    """Declare a conflict, or with `clear: true` override a detected one (reason required)."""
    return service.record_conflict(session, Actor.of(user), data)


@router.get("/progress", response_model=ProgressRead)
def progress(_: ReaderUser, program_id: Id, session: Session = Depends(get_session)) -> ProgressRead:
    return service.progress(session, program_id)


@router.get("/projects/{project_id}/result", response_model=ProjectResult)
def project_result(project_id: Id, _: ReaderUser, session: Session = Depends(get_session)) -> ProjectResult:
    return service.project_result(session, project_id)


@router.post("/projects/{project_id}/ceiling", response_model=CeilingChange)
def change_ceiling(project_id: Id, data: CeilingIn, user: OfficialUser,
                   session: Session = Depends(get_write_session)) -> CeilingChange:
    """Change a project's ceiling within the programme total, not below its recommended grant (409),
    and re-screen its proposals."""
    return service.change_ceiling(session, Actor.of(user), project_id, data.ceiling_krw, reason=data.reason)


@router.post("/projects/{project_id}/confirm", response_model=SelectionRead, status_code=201)
def confirm(project_id: Id, user: OfficialUser, data: ConfirmIn | None = None,
            session: Session = Depends(get_write_session)) -> SelectionRead:
    data = data or ConfirmIn()
    return _selection_read(service.confirm_selection(session, Actor.of(user), project_id,
                                                     proposal_id=data.proposal_id, reason=data.reason))


@router.post("/sheets/{sheet_id}/reopen", response_model=SheetRead)
def reopen_sheet(sheet_id: Id, data: ReasonIn, user: OfficialUser,
                 session: Session = Depends(get_write_session)) -> SheetRead:
    sheet = service.reopen_sheet(session, Actor.of(user), sheet_id, data.reason)
    return SheetRead(id=sheet.id, proposal_id=sheet.proposal_id, status=sheet.status, total=sheet.total,  # type: ignore[arg-type]
                     submitted_at=sheet.submitted_at, scores=[])


@router.get("/stats", response_model=EvaluatorStats)
def evaluator_stats(_: ReaderUser, program_id: Id,
                    session: Session = Depends(get_session)) -> EvaluatorStats:
    return service.evaluator_stats(session, program_id)


@router.get("/selections", response_model=list[SelectionRead])
def list_selections(_: ReaderUser, program_id: Id,
                    session: Session = Depends(get_session)) -> list[SelectionRead]:
    return [_selection_read(s) for s in service.list_selections(session, program_id)]


@router.get("/selections/{selection_id}", response_model=SelectionRead)
def get_selection(selection_id: Id, _: ReaderUser, session: Session = Depends(get_session)) -> SelectionRead:
    return _selection_read(service.get_selection(session, selection_id))


# --------------------------------------------------------------------------- conflict confirmation (evaluators)


@router.get("/assignments/{sheet_id}/conflict-check")
def conflict_check(sheet_id: Id, user: EvaluatorUser, session: Session = Depends(get_session)) -> dict[str, object]:
    """What to read before confirming: the project, the consortium and its members; confirmed or not."""
    return service.conflict_check(session, user, sheet_id)


@router.post("/assignments/{sheet_id}/no-conflict", response_model=ConflictConfirmationRead)
def confirm_no_conflict(sheet_id: Id, user: EvaluatorUser,
                        session: Session = Depends(get_write_session)) -> ConflictConfirmationRead:
    """Confirm no conflict of interest with the sheet's project: its sheets open (idempotent)."""
    return service.confirm_no_conflict(session, user, sheet_id)


@router.post("/assignments/{sheet_id}/declare-conflict", response_model=ConflictNotice, status_code=201)
def declare_conflict(sheet_id: Id, data: ReasonIn, user: EvaluatorUser,
                     session: Session = Depends(get_write_session)) -> ConflictNotice:
    """Declare a conflict: you leave the project's panel (unsubmitted sheets removed); officials are told."""
    return service.declare_conflict_and_leave(session, user, sheet_id, data.reason)


@router.get("/proposals/{proposal_id}/document", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
def proposal_document(proposal_id: Id, user: AnyStaff, session: Session = Depends(get_session)) -> Response:
    """The proposal's PDF, shown in the browser: officials and auditors; evaluators only for a proposal
    they score (no conflict, confirmed); otherwise 404."""
    from program.api import pdf_response

    return pdf_response(service.proposal_document_for(session, user, proposal_id))


# --------------------------------------------------------------------------- conflict notices (officials)


@router.get("/conflict-notices", response_model=list[ConflictNotice])
def conflict_notices(_: OfficialUser, program_id: Id, unseen_only: bool = True,
                     session: Session = Depends(get_session)) -> list[ConflictNotice]:
    """Conflicts evaluators declared (they left the panel), newest first; unseen ones by default."""
    return service.conflict_notices(session, program_id, unseen_only=unseen_only)


@router.post("/conflict-notices/{record_id}/seen", response_model=ConflictNotice)
def acknowledge_conflict_notice(record_id: Id, user: OfficialUser,
                                session: Session = Depends(get_write_session)) -> ConflictNotice:
    return service.acknowledge_conflict_notice(session, Actor.of(user), record_id)


# --------------------------------------------------------------------------- evaluator registry (officials)


def _with_contact(user: User) -> bool:
    return Role(user.role) == Role.official  # contact is private: officials only, never auditors


@router.get("/evaluators", response_model=Page[EvaluatorRead])
def list_evaluators(user: ReaderUser, session: Session = Depends(get_session), q: SearchText | None = None,
                    field: Code | None = Query(None, description="core field code of the expertise, e.g. HEALTH"),
                    active: bool | None = None, limit: int = Query(50, ge=1, le=500),
                    offset: Offset = 0) -> Page[EvaluatorRead]:
    """Search evaluator profiles by name or code, expertise and state (contact: officials only)."""
    items, total = service.list_evaluators(session, q=q, field_code=field, active=active, limit=limit,
                                           offset=offset, with_contact=_with_contact(user))
    return Page(items=items, total=total)


@router.get("/evaluators/{evaluator_id}", response_model=EvaluatorRead)
def get_evaluator(evaluator_id: Id, user: ReaderUser, session: Session = Depends(get_session)) -> EvaluatorRead:
    return service.evaluator_read(session, evaluator_id, with_contact=_with_contact(user))


@router.post("/evaluators", response_model=EvaluatorRead, status_code=201)
def create_evaluator(data: EvaluatorCreate, user: OfficialUser,
                     session: Session = Depends(get_write_session)) -> EvaluatorRead:
    """Register a profile (seats on no panel until an official sets one)."""
    ev = service.create_evaluator(session, Actor.of(user), data)
    assert ev.id is not None
    return service.evaluator_read(session, ev.id, with_contact=True)


@router.patch("/evaluators/{evaluator_id}", response_model=EvaluatorRead)
def update_evaluator(evaluator_id: Id, data: EvaluatorUpdate, user: OfficialUser,
                     session: Session = Depends(get_write_session)) -> EvaluatorRead:
    service.update_evaluator(session, Actor.of(user), evaluator_id, data)
    return service.evaluator_read(session, evaluator_id, with_contact=True)


@router.post("/evaluators/{evaluator_id}/deactivate", response_model=EvaluatorRead)
def deactivate_evaluator(evaluator_id: Id, user: OfficialUser,
                         session: Session = Depends(get_write_session)) -> EvaluatorRead:
    service.set_evaluator_active(session, Actor.of(user), evaluator_id, False)
    return service.evaluator_read(session, evaluator_id, with_contact=True)


@router.post("/evaluators/{evaluator_id}/reactivate", response_model=EvaluatorRead)
def reactivate_evaluator(evaluator_id: Id, user: OfficialUser,
                         session: Session = Depends(get_write_session)) -> EvaluatorRead:
    service.set_evaluator_active(session, Actor.of(user), evaluator_id, True)
    return service.evaluator_read(session, evaluator_id, with_contact=True)


@router.post("/evaluators/import", response_model=EvaluatorImportResult, status_code=201,
             openapi_extra=_UPLOAD_BODY, responses={413: {"description": "The file is larger than the upload limit"},
                                                    422: {"description": "The file cannot be read, or a row is "
                                                                         "invalid (row, column, reason)"}})
async def import_evaluators(user: OfficialUser, request: Request) -> EvaluatorImportResult:
    """Register the evaluators of a .xlsx or .csv file (multipart field `file`); all rows or none."""
    upload = await uploads.receive_upload(request, max_bytes=get_settings().max_upload_bytes)
    actor = Actor.of(user)

    def work() -> EvaluatorImportResult:
        with session_scope(write=True) as session:
            return service.import_evaluators(session, actor, upload)

    return await run_in_threadpool(work)


class AccountLinkIn(RequestModel):
    user_id: Id


@router.post("/evaluators/{evaluator_id}/link-account", response_model=EvaluatorRead)
def link_account(evaluator_id: Id, data: AccountLinkIn, user: OfficialUser,
                 session: Session = Depends(get_write_session)) -> EvaluatorRead:
    """Link an evaluator login to this profile (it seats no panel by itself)."""
    ev = service.get_evaluator(session, evaluator_id)
    service.link_evaluator_account(session, Actor.of(user), data.user_id, ev.code)
    return service.evaluator_read(session, evaluator_id, with_contact=True)
