"""Pure rules of the exports, worked out by hand: the government share of each month, dates, cut-offs."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from opendata.rules import (
    Disbursement,
    MonthSpend,
    cutoff,
    day_end,
    day_start,
    end_with_extensions,
    government_disbursements,
    utc_text,
)


def months(*pairs: tuple[str, int]) -> list[MonthSpend]:
    return [MonthSpend(m, net, date.fromisoformat(f"{m}-28")) for m, net in pairs]


@pytest.mark.parametrize(("spent", "grant", "matching", "expected"), [
    # 90% grant: 100 → 90, 101 → floor(201 × 0.9) − 90 = 180 − 90 = 90, the running share decides
    ([("2021-05", 100), ("2021-06", 101)], 900, 100, [90, 90]),
    # a third: cumulative floors 33, 66, 100 → 33, 33, 34 (the parts add up to the share of the total)
    ([("2021-05", 100), ("2021-06", 100), ("2021-07", 100)], 100, 200, [33, 33, 34]),
    # a reversal month: the running total falls, so the month is negative (a correction)
    ([("2021-05", 1000), ("2021-06", -400)], 1000, 1000, [500, -200]),
    # a month that nets to zero is left out (no zero amounts)
    ([("2021-05", 1000), ("2021-06", 0), ("2021-07", 2)], 1000, 1000, [500, 1]),
    # overspending: the running share is held at the grant, never more is disbursed than awarded
    ([("2021-05", 900), ("2021-06", 900)], 1000, 0, [900, 100]),
    # no matching: the grant is all of it
    ([("2021-05", 123_456_789)], 1_000_000_000, 0, [123_456_789]),
])
def test_government_share_by_running_total(spent: list[tuple[str, int]], grant: int, matching: int,
                                           expected: list[int]) -> None:
    """The months add up exactly to floor(total × grant / budget), within [0, grant]."""
    out = government_disbursements(months(*spent), grant, matching)
    assert [d.amount_krw for d in out] == expected
    total = sum(net for _, net in spent)
    assert sum(expected) == min(grant, max(0, total * grant // (grant + matching)))


def test_a_zero_grant_disburses_nothing() -> None:
    assert government_disbursements(months(("2021-05", 10)), 0, 10) == []


def test_disbursement_keeps_the_month_and_last_day() -> None:
    out = government_disbursements([MonthSpend("2021-05", 10, date(2021, 5, 17))], 10, 0)
    assert out == [Disbursement("2021-05", 10, date(2021, 5, 17))]


def test_end_with_extensions_takes_the_latest() -> None:
    assert end_with_extensions(date(2021, 12, 31), []) == date(2021, 12, 31)
    assert end_with_extensions(date(2021, 12, 31), [date(2022, 2, 28)]) == date(2022, 2, 28)


def test_cutoff_is_the_end_of_the_day_in_korea() -> None:
    """15:00 UTC on the as-of date is midnight in Seoul: 14:59 UTC is still on that day, 15:00 is not."""
    cut = cutoff(date(2021, 5, 28))
    assert datetime(2021, 5, 28, 14, 59, tzinfo=UTC) < cut <= datetime(2021, 5, 28, 15, 0, tzinfo=UTC)


def test_date_texts() -> None:
    assert utc_text(datetime(2021, 5, 28, 6, 0, 0, 123456)) == "2021-05-28T06:00:00+00:00"
    assert day_start(date(2021, 5, 1)) == "2021-05-01T00:00:00+09:00"
    assert day_end(date(2021, 12, 31)) == "2021-12-31T23:59:59+09:00"
