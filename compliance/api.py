"""HTTP routes of the compliance checks, for officials and auditors."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlmodel import Session

from compliance import service
from compliance.models import CheckInfo, CheckOutcome, Finding, Severity
from core.auth import ReaderUser
from core.bounded import Code, Id, Offset
from core.db import get_session
from program.reporting import as_of_for

router = APIRouter(tags=["compliance"])


class FindingsPage(BaseModel):
    as_of: date
    counts: dict[str, int]
    checks: list[CheckOutcome]
    items: list[Finding]
    total: int


@router.get("/checks", response_model=list[CheckInfo])
def list_checks(_: ReaderUser) -> list[CheckInfo]:
    return service.list_checks()


@router.get("/findings", response_model=FindingsPage)
def findings(
    _: ReaderUser, session: Session = Depends(get_session),
    program_id: Id | None = None,
    severity: Severity | None = None,
    check_id: Code | None = Query(None, description="e.g. DLV-01"),
    award_id: Id | None = None,
    project_id: Id | None = None,
    as_of: date | None = Query(None, description="judge deadlines as of this date (default today)"),
    limit: int = Query(100, ge=1, le=1000), offset: Offset = 0,
) -> FindingsPage:
    report = service.run_checks(session, today=as_of_for(session, program_id, as_of), program_id=program_id,
                                check_ids=[check_id] if check_id else None)
    items = service.filter_findings(report, severity=severity, award_id=award_id, project_id=project_id)
    return FindingsPage(as_of=report.as_of, counts=report.counts, checks=report.checks,
                        items=items[offset:offset + limit], total=len(items))
