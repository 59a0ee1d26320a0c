"""Open data without login (mounted at /api/v1/public): the awards in 360Giving and OCDS.

Both answers stream: the checks (programme known, something published by the date) run
before the first byte, so an error is an ordinary JSON error; then the package is written
chunk by chunk from one read session (one consistent snapshot), closed when the stream ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from sqlmodel import Session

from core.bounded import Day, Id
from core.db import get_engine
from opendata import giving360, ocds
from opendata.rules import today_kst

router = APIRouter(tags=["open data"])

PAST_MAX_AGE = 24 * 3600  # a past as-of date: what was recorded by then does not change (append-only)
CURRENT_MAX_AGE = 300  # today's export changes as the ledger grows

_PROGRAM = Query(None, description="programme id (default: every programme)")
_AS_OF = Query(None, description="publish what was decided, agreed and spent on or before this date "
                                 "(YYYY-MM-DD, Korean time; default today)")


def _doc(title: str, schema_url: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": title, "content": {"application/json": {
        "schema": {"type": "object", "description": f"{title}; schema: {schema_url}"}}}}}


def _stream(package: Callable[..., Iterator[str]], request: Request, program_id: int | None,
            as_of: date | None, name: str) -> StreamingResponse:
    session = Session(get_engine(), expire_on_commit=False)
    day = as_of or today_kst()
    try:
        chunks = package(session, program_id, day, base_url=str(request.base_url))
    except BaseException:
        session.close()
        raise

    def body() -> Iterator[str]:
        try:
            yield from chunks
        finally:
            session.close()

    scope = f"programme-{program_id}" if program_id is not None else "all"
    max_age = PAST_MAX_AGE if day < today_kst() else CURRENT_MAX_AGE
    headers = {"Cache-Control": f"public, max-age={max_age}",
               "Content-Disposition": f'inline; filename="{name}-{scope}-{day.isoformat()}.json"'}
    return StreamingResponse(body(), media_type="application/json", headers=headers)


@router.get("/open-data/360giving.json", response_class=StreamingResponse, response_model=None,
            responses=_doc("360Giving Data Standard 1.4.3 grants package",
                           "https://standard.threesixtygiving.org/en/1.4.3/"))
def open_data_360giving(request: Request, program_id: Id | None = _PROGRAM,
                        as_of: Day | None = _AS_OF) -> StreamingResponse:
    """The awards as 360Giving grants (one per award): amounts, dates, consortium, programme, region, disbursements."""
    return _stream(giving360.package, request, program_id, as_of, "360giving")


@router.get("/open-data/ocds.json", response_class=StreamingResponse, response_model=None,
            responses=_doc("Open Contracting Data Standard 1.1.5 release package",
                           "https://standard.open-contracting.org/1.1/"))
def open_data_ocds(request: Request, program_id: Id | None = _PROGRAM,
                   as_of: Day | None = _AS_OF) -> StreamingResponse:
    """Each project slot as an OCDS release: call as tender, selection as award, agreement as contract."""
    return _stream(ocds.package, request, program_id, as_of, "ocds")
