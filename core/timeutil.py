"""Clock helpers. Timestamps are timezone-aware UTC (`_at` columns); rules receive `today` as a parameter.

"Today" — the calendar day deadlines are judged on — is computed here and only here, in Korean
time (KST, UTC+9, no daylight saving): between midnight and 09:00 KST the UTC date is still
yesterday, and the API, the CLI, the dashboard and the reports must judge deadlines on one day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

KST = timezone(timedelta(hours=9), "KST")


def utcnow() -> datetime:
    """Current time in UTC, timezone-aware (SQLModel stores aware datetimes as UTC)."""
    return datetime.now(UTC)


def today_kst(now: datetime | None = None) -> date:
    """Today's date in Korea (the one 'today' of the system); `now` (aware) for tests."""
    return (now or utcnow()).astimezone(KST).date()
