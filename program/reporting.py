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
            raise NotFound("program.not_found", program_id=program_id)
        if program.reporting_date is not None:
            return program.reporting_date
    return today_kst()


def featured_program_id(session: Session) -> int | None:
    """The programme a reader sees when they name none (the dashboard's default year).

    The newest programme that has a reporting date (its officials have said as of when its figures
    are reported); a new year being prepared has none yet, so the last reported year stays on screen
    until the new one is. No reporting date anywhere: the newest programme. None: no programme yet.
    No year is written into the code, and the machine's clock plays no part.
    """
    from sqlmodel import col, select

    pid = session.exec(select(Program.id).where(col(Program.reporting_date).is_not(None))
                       .order_by(col(Program.year).desc())).first()
    if pid is None:
        pid = session.exec(select(Program.id).order_by(col(Program.year).desc())).first()
    return pid


def program_choices(session: Session) -> list[tuple[int, int, date | None]]:
    """(id, year, reporting date) of every programme, oldest first: the year selector's options."""
    from sqlmodel import col, select

    rows = session.exec(select(col(Program.id), col(Program.year), col(Program.reporting_date))
                        .order_by(col(Program.year))).all()
    return [(int(i), int(y), d) for i, y, d in rows if i is not None]
