"""The date a programme's figures are reported as of.

Every figure is dated: a caller names its `as_of`, else the programme's `reporting_date`
(set by the programme's officials; the seed sets the end of its agreements), else today in
Korean time (core.timeutil.today_kst). The API, the dashboard and the reports all resolve
their default through `as_of_for`, never through the machine's clock directly.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from core.errors import NotFound
from core.timeutil import today_kst
from program.models import Program


def as_of_for(session: Session, program_id: int | None, as_of: date | None = None) -> date:
    """`as_of` when given, else the programme's (None: the current one's) reporting date, else today (KST)."""
    if as_of is not None:
        return as_of
    if program_id is None:
        from program import service as program_service

        try:
            program_id = program_service.current_program(session).id
        except NotFound:
            return today_kst()
    if program_id is not None:
        program = session.get(Program, program_id)
        if program is None:
            raise NotFound(f"programme {program_id} does not exist")
        if program.reporting_date is not None:
            return program.reporting_date
    return today_kst()
