"""Which programme a reader sees by default, and the year selector's options (program.reporting)."""

from __future__ import annotations

from datetime import date

from program.reporting import featured_program_id, program_choices
from tests.builders import make_program


def test_no_programme_means_no_default(session) -> None:
    assert featured_program_id(session) is None
    assert program_choices(session) == []


def test_the_newest_reported_year_is_featured_and_a_year_in_preparation_is_not(session) -> None:
    p2020 = make_program(session, year=2020, reporting_date=date(2021, 12, 31))
    p2021 = make_program(session, year=2021, reporting_date=date(2022, 12, 31))
    p2022 = make_program(session, year=2022, reporting_date=None)  # copied for the next call, not reported yet
    assert featured_program_id(session) == p2021.id
    assert program_choices(session) == [(p2020.id, 2020, date(2021, 12, 31)), (p2021.id, 2021, date(2022, 12, 31)),
                                         (p2022.id, 2022, None)]
    p2022.reporting_date = date(2023, 12, 31)
    session.add(p2022)
    session.commit()
    assert featured_program_id(session) == p2022.id


def test_without_any_reporting_date_the_newest_programme_is_featured(session) -> None:
    make_program(session, year=2020, reporting_date=None)
    newest = make_program(session, year=2023, reporting_date=None)
    assert featured_program_id(session) == newest.id
