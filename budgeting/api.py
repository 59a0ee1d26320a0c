"""HTTP routes of the money domain (mounted at /api/v1/budgeting): parse, check the role, call one service."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import TypeAdapter
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from budgeting import analytics, approvals, imports, ledger, obligations, queries, service
from budgeting.schemas import (
    AwardCreate,
    AwardDetail,
    AwardSummary,
    CrowdActivityCreate,
    CrowdSummary,
    EnvelopeRead,
    EnvelopeTransferCreate,
    EnvelopeTransferRead,
    ExpenditureCreate,
    ExpenditureRead,
    ExtensionCreate,
    ExtensionRead,
    HireCompliance,
    HireCreate,
    HireRead,
    ImportResult,
    JobPostingCreate,
    JobPostingRead,
    LineTransferCreate,
    LineTransferRead,
    ProgramTotals,
    ReversalCreate,
    TrainingCreate,
    TrainingRead,
    TransferDecision,
)
from core import auth, uploads
from core.audit import Actor
from core.auth import OfficialUser, ReaderUser
from core.bounded import Code, Id, Offset, SearchText
from core.db import get_session, get_write_session, session_scope
from core.fastjson import model_response, page_response
from core.models import Role, User
from core.pagination import Page
from core.settings import get_settings
from core.timeutil import today_kst

router = APIRouter(tags=["budgeting"])
_POSTING_PAGE = TypeAdapter(Page[JobPostingRead])


# --------------------------------------------------------------------------- envelopes


@router.post("/programs/{program_id}/envelopes", response_model=list[EnvelopeRead], status_code=201)
def create_envelopes(program_id: Id, user: OfficialUser,
                     session: Session = Depends(get_write_session)) -> list[EnvelopeRead]:
    service.create_envelopes(session, Actor.of(user), program_id)
    return service.list_envelopes(session, program_id)


@router.get("/programs/{program_id}/envelopes", response_model=list[EnvelopeRead])
def list_envelopes(program_id: Id, _: ReaderUser, session: Session = Depends(get_session)) -> list[EnvelopeRead]:
    return service.list_envelopes(session, program_id)


@router.post("/programs/{program_id}/envelope-transfers", response_model=EnvelopeTransferRead, status_code=201)
def transfer_between_envelopes(program_id: Id, data: EnvelopeTransferCreate, user: OfficialUser,
                               session: Session = Depends(get_write_session)) -> EnvelopeTransferRead:
    t = service.transfer_between_envelopes(session, Actor.of(user), program_id, data)
    return EnvelopeTransferRead(**t.model_dump())


@router.get("/programs/{program_id}/envelope-transfers", response_model=list[EnvelopeTransferRead])
def list_envelope_transfers(program_id: Id, _: ReaderUser,
                            session: Session = Depends(get_session)) -> list[EnvelopeTransferRead]:
    return [EnvelopeTransferRead(**t.model_dump()) for t in service.list_envelope_transfers(session, program_id)]


@router.get("/programs/{program_id}/totals", response_model=ProgramTotals)
def program_totals(program_id: Id, _: ReaderUser, session: Session = Depends(get_session)) -> ProgramTotals:
    return queries.program_totals(session, program_id)


@router.get("/programs/{program_id}/hires", response_model=list[HireCompliance])
def hires_table(program_id: Id, _: ReaderUser, session: Session = Depends(get_session)) -> list[HireCompliance]:
    """Per award, then the programme total as the last row (award_id null)."""
    return [*queries.hires_table(session, program_id=program_id), queries.program_hires(session, program_id)]


@router.get("/programs/{program_id}/crowd", response_model=list[CrowdSummary])
def crowd_table(program_id: Id, _: ReaderUser, session: Session = Depends(get_session)) -> list[CrowdSummary]:
    return queries.crowd_table(session, program_id=program_id)


# --------------------------------------------------------------------------- awards


_reader_no_hop = auth.require_roles_on_loop(Role.official, Role.auditor)


@router.get("/awards", response_model=Page[AwardSummary])
async def list_awards(_: Annotated[User, Depends(_reader_no_hop)], program_id: Id | None = None,
                      field: Code | None = Query(None, description="core field code, e.g. HEALTH"),
                      call_type: Code | None = Query(None, description="designated, regional or free"),
                      limit: int = Query(50, ge=1, le=500), offset: Offset = 0) -> Response:
    """Awards with grant, matching, spent, remaining and execution rate.

    The hot list of the dashboard: the query (Core rows as dicts, no model per row) and the
    serialisation (pydantic-core, once) run in one worker-thread hop (measured in bench/bench_api.py).
    """

    def work() -> Response:
        with session_scope() as session:
            items, total = queries.award_rows(session, program_id=program_id, field_code=field,
                                              call_type=call_type, limit=limit, offset=offset)
        return page_response(items, total)

    return await run_in_threadpool(work)


@router.post("/awards", response_model=AwardSummary, status_code=201)
def create_award(data: AwardCreate, user: OfficialUser, session: Session = Depends(get_write_session)) -> AwardSummary:
    award = service.create_award(session, Actor.of(user), data)
    return queries.award_summary(session, award.id or 0)


@router.get("/awards/{award_id}", response_model=AwardDetail)
def award_detail(award_id: Id, _: ReaderUser, session: Session = Depends(get_session),
                 ledger_limit: int = Query(100, ge=1, le=1000), ledger_offset: Offset = 0) -> AwardDetail:
    return queries.award_detail(session, award_id, ledger_limit=ledger_limit, ledger_offset=ledger_offset)


@router.post("/awards/{award_id}/extensions", response_model=ExtensionRead, status_code=201)
def extend_award(award_id: Id, data: ExtensionCreate, user: OfficialUser,
                 session: Session = Depends(get_write_session)) -> ExtensionRead:
    return ExtensionRead(**service.extend_award(session, Actor.of(user), award_id, data).model_dump())


@router.get("/awards/{award_id}/transfers", response_model=list[LineTransferRead])
def list_transfers(award_id: Id, _: ReaderUser, session: Session = Depends(get_session)) -> list[LineTransferRead]:
    return queries.list_transfers(session, award_id)


@router.post("/awards/{award_id}/transfers", response_model=LineTransferRead, status_code=201)
def request_line_transfer(award_id: Id, data: LineTransferCreate, user: OfficialUser,
                          session: Session = Depends(get_write_session)) -> LineTransferRead:
    return LineTransferRead(**service.request_line_transfer(session, Actor.of(user), award_id, data).model_dump())


@router.post("/transfers/{transfer_id}/decision", response_model=LineTransferRead)
def decide_line_transfer(transfer_id: Id, data: TransferDecision, user: OfficialUser,
                         session: Session = Depends(get_write_session)) -> LineTransferRead:
    return LineTransferRead(**service.decide_line_transfer(session, Actor.of(user), transfer_id, data).model_dump())


@router.post("/envelope-transfers/{transfer_id}/decision", response_model=EnvelopeTransferRead)
def decide_envelope_transfer(transfer_id: Id, data: TransferDecision, user: OfficialUser,
                             session: Session = Depends(get_write_session)) -> EnvelopeTransferRead:
    """Approve or reject a pending envelope transfer: never by its requester; above the approver's limit
    the approval is a first one and a second official completes it (then the money moves)."""
    t = approvals.decide_envelope_transfer(session, Actor.of(user), transfer_id, data)
    return EnvelopeTransferRead(**t.model_dump())


@router.get("/programs/{program_id}/approvals", response_model=list[approvals.ApprovalItem])
def approval_queue(program_id: Id, user: ReaderUser,
                   session: Session = Depends(get_session)) -> list[approvals.ApprovalItem]:
    """Pending line and envelope transfers of a programme, oldest first, with what the caller may do."""
    return approvals.approval_queue(session, program_id, Actor.of(user))


# --------------------------------------------------------------------------- ledger


@router.get("/awards/{award_id}/ledger", response_model=Page[ExpenditureRead])
def ledger_page(award_id: Id, _: ReaderUser, session: Session = Depends(get_session),
                category: SearchText | None = None, limit: int = Query(100, ge=1, le=1000),
                offset: Offset = 0) -> Page[ExpenditureRead]:
    items, total = queries.ledger_page(session, award_id, limit=limit, offset=offset, category=category)
    return Page(items=items, total=total)


@router.post("/awards/{award_id}/ledger", response_model=ExpenditureRead, status_code=201)
def record_expenditure(award_id: Id, data: ExpenditureCreate, user: OfficialUser,
                       session: Session = Depends(get_write_session)) -> ExpenditureRead:
    entry = ledger.record_expenditure(session, Actor.of(user), award_id, data)
    return queries.get_expenditure(session, entry.id or 0)


UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "description": "a .csv or .xlsx file"}}}}}}}


@router.post("/awards/{award_id}/ledger/import", response_model=ImportResult, status_code=201,
             openapi_extra=UPLOAD_BODY, responses={413: {"description": "The file is larger than the upload limit"}})
async def import_expenditures(award_id: Id, user: OfficialUser, request: Request) -> ImportResult:
    """Import a .csv or .xlsx of payments (multipart field `file`): every row is checked, all or none are written.

    The raw request (no `File` parameter) lets the token and role be checked before the body is
    read; the body is then streamed with a cap, and the file is read and written in a worker thread.
    A file already imported into this award (same SHA-256) is refused with 409.
    """
    upload = await uploads.receive_upload(request, max_bytes=get_settings().max_upload_bytes)
    actor = Actor.of(user)

    def work() -> ImportResult:
        with session_scope(write=True) as session:
            return imports.import_ledger_file(session, actor, award_id, upload)

    return await run_in_threadpool(work)


@router.post("/ledger/{expenditure_id}/reverse", response_model=ExpenditureRead, status_code=201)
def reverse_expenditure(expenditure_id: Id, data: ReversalCreate, user: OfficialUser,
                        session: Session = Depends(get_write_session)) -> ExpenditureRead:
    entry = ledger.reverse_expenditure(session, Actor.of(user), expenditure_id, data)
    return queries.get_expenditure(session, entry.id or 0)


# --------------------------------------------------------------------------- obligations


@router.get("/awards/{award_id}/hires", response_model=list[HireRead])
def list_hires(award_id: Id, _: ReaderUser, session: Session = Depends(get_session)) -> list[HireRead]:
    return queries.list_hires(session, award_id)


@router.post("/awards/{award_id}/hires", response_model=HireRead, status_code=201)
def record_hire(award_id: Id, data: HireCreate, user: OfficialUser,
                session: Session = Depends(get_write_session)) -> HireRead:
    hire = obligations.record_hire(session, Actor.of(user), award_id, data)
    return queries.hire_read(session, hire)


@router.post("/awards/{award_id}/crowd-activity", response_model=CrowdSummary, status_code=201)
def record_crowd_activity(award_id: Id, data: CrowdActivityCreate, user: OfficialUser,
                          session: Session = Depends(get_write_session)) -> CrowdSummary:
    obligations.record_crowd_activity(session, Actor.of(user), award_id, data)
    return queries.crowd_table(session, award_id=award_id)[0]


@router.post("/awards/{award_id}/trainings", response_model=TrainingRead, status_code=201)
def record_training(award_id: Id, data: TrainingCreate, user: OfficialUser,
                    session: Session = Depends(get_write_session)) -> TrainingRead:
    return TrainingRead(**obligations.record_training(session, Actor.of(user), award_id, data).model_dump())


@router.get("/job-postings", response_model=Page[JobPostingRead])
async def list_job_postings(_: Annotated[User, Depends(_reader_no_hop)], award_id: Id | None = None,
                            program_id: Id | None = None, only_open: bool = False,
                            limit: int = Query(50, ge=1, le=500), offset: Offset = 0) -> Response:
    def work() -> Response:
        with session_scope() as session:
            items, total = queries.list_job_postings(session, award_id=award_id, program_id=program_id,
                                                     only_open=only_open, limit=limit, offset=offset)
        return model_response(_POSTING_PAGE, Page(items=items, total=total))

    return await run_in_threadpool(work)


@router.post("/awards/{award_id}/job-postings", response_model=JobPostingRead, status_code=201)
def create_job_posting(award_id: Id, data: JobPostingCreate, user: OfficialUser,
                       session: Session = Depends(get_write_session)) -> JobPostingRead:
    posting = obligations.create_job_posting(session, Actor.of(user), award_id, data, today=today_kst())
    items, _ = queries.list_job_postings(session, award_id=award_id, limit=500)
    return next(p for p in items if p.id == posting.id)


@router.post("/job-postings/{posting_id}/close", response_model=JobPostingRead)
def close_job_posting(posting_id: Id, user: OfficialUser,
                      session: Session = Depends(get_write_session)) -> JobPostingRead:
    posting = obligations.close_job_posting(session, Actor.of(user), posting_id)
    items, _ = queries.list_job_postings(session, award_id=posting.award_id, limit=500)
    return next(p for p in items if p.id == posting.id)


# --------------------------------------------------------------------------- analytics (JSON)


@router.get("/programs/{program_id}/figures", response_model=analytics.HeadlineFigures)
def headline_figures(program_id: Id, _: ReaderUser, session: Session = Depends(get_session),
                     as_of: date | None = None, field: Code | None = None,
                     call_type: Code | None = None) -> analytics.HeadlineFigures:
    """The headline figures as of a date (default: the programme's reporting date); see core/glossary.py."""
    return analytics.headline_figures(session, program_id, as_of, analytics.Filters(field, call_type))


@router.get("/programs/{program_id}/analytics/execution")
def execution(program_id: Id, _: ReaderUser, session: Session = Depends(get_session),
              by: str = Query("award", pattern="^(award|field|call_type|month)$"),
              as_of: date | None = None) -> list[dict[str, Any]]:
    """Execution rate by award, field, call type or month, as of a date (default: the reporting date)."""
    return analytics.records(analytics.execution_rate(session, program_id, by=by, as_of=as_of))


@router.get("/programs/{program_id}/analytics/burn")
def burn(program_id: Id, _: ReaderUser, session: Session = Depends(get_session),
         as_of: date | None = None) -> list[dict[str, Any]]:
    """Planned (straight line) against actual spending per month, programme-wide and cumulative."""
    return analytics.records(analytics.burn(session, program_id, as_of=as_of))


@router.get("/programs/{program_id}/analytics/unspent")
def unspent(program_id: Id, _: ReaderUser, session: Session = Depends(get_session),
            as_of: date | None = None) -> list[dict[str, Any]]:
    """Awards likely to end with unspent money (linear projection from the last 3 months)."""
    return analytics.records(analytics.likely_unspent(session, program_id, as_of=as_of))


@router.get("/programs/{program_id}/analytics/hires")
def hires_compliance(program_id: Id, _: ReaderUser, session: Session = Depends(get_session),
                     as_of: date | None = None) -> list[dict[str, Any]]:
    """The 2.4 rule per award as of a date (default: the programme's reporting date, as every other figure)."""
    return analytics.records(analytics.hires_compliance(session, program_id, as_of=as_of))


@router.get("/programs/{program_id}/analytics/crowd")
def crowd_delivery(program_id: Id, _: ReaderUser, session: Session = Depends(get_session)) -> list[dict[str, Any]]:
    return analytics.records(analytics.crowd_promised_vs_delivered(session, program_id))
