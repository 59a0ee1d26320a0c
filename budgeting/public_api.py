"""The one public page: crowdsourcing job postings (mounted at /api/v1/public, no login).

The board judges "open" on a reference date, never on the machine's clock: `as_of` when given,
else the programme's reporting date (program.reporting.as_of_for), so the API, the dashboard's
job board and the reports agree on which postings were open that day.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlmodel import Session

from budgeting import queries
from budgeting.schemas import JobBoardPage, JobSort
from core.bounded import Code, Day, Id, Offset, SearchText
from core.db import get_session
from program.reporting import as_of_for

router = APIRouter(tags=["public"])
PAGE_MAX = 100


@router.get("/jobs", response_model=JobBoardPage)
def public_jobs(session: Session = Depends(get_session),
                field: Code | None = Query(None, description="core field code, e.g. VISION"),
                region: SearchText | None = Query(None, description="region, e.g. 부산"),
                program: Id | None = Query(None, description="programme id (default: the current programme)"),
                as_of: Day | None = Query(None, description="reference date (default: the programme's reporting "
                                                            "date)"),
                status: str = Query("open", pattern="^(open|all)$",
                                    description="open: only postings open on the reference date; all: every "
                                                "posting, each with its status that day"),
                sort: JobSort = Query("close_date", description="order: close_date, -close_date, open_date, "
                                                                "-open_date, pay_krw, -pay_krw, title"),
                limit: int = Query(20, ge=1, le=PAGE_MAX), offset: Offset = 0) -> JobBoardPage:
    """Crowd-work postings (크라우드소싱 일자리) open on the reference date: title, platform, pay, period, field,
    region and the link to apply on the platform; no people, no money beyond the pay rate."""
    day = as_of_for(session, program, as_of)
    items, total = queries.list_public_jobs(session, on=day, field_code=field, region=region, program_id=program,
                                            include_closed=status == "all", sort=sort, limit=limit, offset=offset)
    return JobBoardPage(items=items, total=total, as_of=day, program_id=program)
