"""The one public page: open crowdsourcing job postings (mounted at /api/v1/public, no login)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlmodel import Session

from budgeting import queries
from budgeting.schemas import JobPostingPublic
from core.bounded import Code, Offset, SearchText
from core.db import get_session
from core.pagination import Page

router = APIRouter(tags=["public"])


@router.get("/jobs", response_model=Page[JobPostingPublic])
def public_jobs(session: Session = Depends(get_session),
                field: Code | None = Query(None, description="core field code, e.g. VISION"),
                region: SearchText | None = Query(None, description="region, e.g. 부산"),
                limit: int = Query(20, ge=1, le=100), offset: Offset = 0) -> Page[JobPostingPublic]:
    """Open crowd-work postings (크라우드소싱 일자리): title, platform, pay, period, field and region only."""
    items, total = queries.list_public_jobs(session, field_code=field, region=region, limit=limit, offset=offset)
    return Page(items=items, total=total)
