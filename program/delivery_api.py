"""HTTP routes of delivery tracking: officials record, officials and auditors read."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query
from sqlmodel import Session

from core.audit import Actor
from core.auth import OfficialUser, ReaderUser
from core.bounded import Code, Id, Offset
from core.db import get_session, get_write_session
from core.pagination import Page
from core.timeutil import today_kst
from program import delivery as service
from program.delivery_models import (
    DeliveryDetail,
    DeliveryFunnel,
    DeliveryHistory,
    DeliveryStatus,
    MonthlyProgress,
    OpeningIn,
    OpeningRead,
    ProgressIn,
    ProgressRead,
    RemediationIn,
    VerificationIn,
    VerificationRead,
)
from program.reporting import as_of_for

router = APIRouter(tags=["delivery"])


def _today(as_of: date | None) -> date:
    return as_of or today_kst()


@router.get("/programs/{program_id}/deliveries", response_model=Page[DeliveryStatus])
def list_deliveries(
    program_id: Id, _: ReaderUser, session: Session = Depends(get_session),
    field: Code | None = Query(None, description="core field code, e.g. HEALTH"),
    quality_state: Code | None = Query(None, description="e.g. remediation_overdue"),
    opening_state: Code | None = Query(None, description="e.g. not_opened_overdue"),
    volume_short: bool | None = None,
    as_of: date | None = Query(None, description="evaluate deadlines as of this date (default today)"),
    limit: int = Query(50, ge=1, le=500), offset: Offset = 0,
) -> Page[DeliveryStatus]:
    rows = service.delivery_statuses(session, today=as_of_for(session, program_id, as_of), program_id=program_id)
    rows = [r for r in rows if (field is None or r.field_code == field)
            and (quality_state is None or r.quality_state == quality_state)
            and (opening_state is None or r.opening_state == opening_state)
            and (volume_short is None or r.volume_short == volume_short)]
    return Page(items=rows[offset:offset + limit], total=len(rows))


@router.get("/programs/{program_id}/delivery-funnel", response_model=DeliveryFunnel)
def delivery_funnel(program_id: Id, _: ReaderUser, session: Session = Depends(get_session),
                    as_of: date | None = None) -> DeliveryFunnel:
    return service.delivery_funnel(session, today=as_of_for(session, program_id, as_of), program_id=program_id)


@router.get("/programs/{program_id}/delivery-progress", response_model=list[MonthlyProgress])
def delivery_progress(program_id: Id, _: ReaderUser, session: Session = Depends(get_session)) -> list[MonthlyProgress]:
    return service.monthly_progress(session, program_id=program_id)


@router.get("/delivery-history", response_model=DeliveryHistory)
def delivery_history(_: ReaderUser, session: Session = Depends(get_session)) -> DeliveryHistory:
    return service.delivery_history(session)


@router.get("/data-types/{data_type_id}/delivery", response_model=DeliveryDetail)
def delivery_detail(data_type_id: Id, _: ReaderUser, session: Session = Depends(get_session),
                    as_of: date | None = None) -> DeliveryDetail:
    return service.delivery_detail(session, data_type_id, today=_today(as_of))


@router.post("/data-types/{data_type_id}/progress", response_model=ProgressRead, status_code=201)
def record_progress(data_type_id: Id, data: ProgressIn, user: OfficialUser,
                    session: Session = Depends(get_write_session)) -> ProgressRead:
    return service.record_progress(session, Actor.of(user), data_type_id, data)


@router.post("/data-types/{data_type_id}/verifications", response_model=VerificationRead, status_code=201)
def record_verification(data_type_id: Id, data: VerificationIn, user: OfficialUser,
                        session: Session = Depends(get_write_session)) -> VerificationRead:
    return VerificationRead.model_validate(service.record_verification(session, Actor.of(user), data_type_id, data))


@router.post("/verifications/{verification_id}/remediation", response_model=VerificationRead)
def record_remediation(verification_id: Id, data: RemediationIn, user: OfficialUser,
                       session: Session = Depends(get_write_session)) -> VerificationRead:
    return VerificationRead.model_validate(service.record_remediation(session, Actor.of(user), verification_id, data))


@router.put("/data-types/{data_type_id}/opening", response_model=OpeningRead)
def set_opening(data_type_id: Id, data: OpeningIn, user: OfficialUser,
                session: Session = Depends(get_write_session)) -> OpeningRead:
    return OpeningRead.model_validate(service.set_opening(session, Actor.of(user), data_type_id, data))
