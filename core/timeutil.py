"""Clock helpers. Timestamps are timezone-aware UTC (`_at` columns); rules receive `today` as a parameter."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Current time in UTC, timezone-aware (SQLModel stores aware datetimes as UTC)."""
    return datetime.now(UTC)
