"""Pure rules of the exports: the government share of each month's execution, dates, cut-offs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from core.timeutil import KST
from core.timeutil import today_kst as today_kst  # the one Korean 'today' of the system (the default as-of)


@dataclass(frozen=True)
class MonthSpend:
    """The net ledger execution of an award in one month (reversals included), up to the as-of date."""

    month: str  # YYYY-MM
    net_krw: int
    last_date: date  # the last spending day of the month on record


@dataclass(frozen=True)
class Disbursement:
    month: str
    amount_krw: int
    on: date


def cutoff(as_of: date) -> datetime:
    """The end of `as_of` in Korean time: what was recorded before it was known on that day."""
    return datetime.combine(as_of + timedelta(days=1), time(0), tzinfo=KST)


def government_disbursements(months: Iterable[MonthSpend], grant_krw: int, matching_krw: int) -> list[Disbursement]:
    """The government grant's part of each month's execution (정부출연금 집행액).

    The ledger does not say which won came from the grant and which from private matching
    (민간부담금), so each month's net execution is apportioned pro rata grant / (grant + matching).
    The share is taken on the running total (floor of cumulative execution × grant / budget) and
    differenced, so the months add up exactly to the share of the total, and the running share
    is held within [0, grant]: disbursements never exceed the award. Months with no change are left out.
    """
    budget = grant_krw + matching_krw
    if budget <= 0 or grant_krw <= 0:
        return []
    out: list[Disbursement] = []
    cumulative = 0
    shared = 0
    for m in months:
        cumulative += m.net_krw
        share = min(grant_krw, max(0, cumulative * grant_krw // budget))
        amount = share - shared
        shared = share
        if amount:
            out.append(Disbursement(m.month, amount, m.last_date))
    return out


def end_with_extensions(agreed_end: date, extended_ends: Iterable[date]) -> date:
    """The agreement's end including the extensions recorded by the as-of date."""
    return max([agreed_end, *extended_ends])


def utc_text(moment: datetime) -> str:
    """An RFC 3339 date-time in UTC (naive values are UTC, as the database stores them)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def day_start(day: date) -> str:
    """The start of a calendar day in Korea, as an RFC 3339 date-time (OCDS dates are date-times)."""
    return datetime.combine(day, time(0), tzinfo=KST).isoformat()


def day_end(day: date) -> str:
    """The last second of a calendar day in Korea (period ends are inclusive)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=KST).isoformat()


def latest(*moments: datetime | None) -> datetime:
    """The latest of the given date-times (naive ones are UTC)."""
    aware = [m if m.tzinfo else m.replace(tzinfo=UTC) for m in moments if m is not None]
    return max(aware)
