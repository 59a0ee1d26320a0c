"""Pure rules of delivery tracking: delivered ratio, quality and opening states, the funnel.

No session, no clock: `today` is a parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# Quality verification results that require remediation (조건부 적합, 부적합).
REMEDIATION_RESULTS = frozenset({"conditional", "fail"})


def delivered_ratio(contracted: int, built: int) -> Decimal | None:
    """Built items as a share of the contracted volume; None when nothing was contracted."""
    if contracted <= 0:
        return None
    return Decimal(built) / Decimal(contracted)


def volume_short(contracted: int, built: int, min_ratio: Decimal) -> bool:
    """True when fewer than `min_ratio` × contracted items were built (e.g. below 95%).

    Exact: built / contracted < min_ratio  ⇔  built < min_ratio × contracted.
    """
    if contracted <= 0:
        return False
    return Decimal(built) < Decimal(min_ratio) * contracted


@dataclass(frozen=True)
class Verification:
    """The values of one quality verification the rules need."""

    verified_date: date
    result: str  # pass | conditional | fail
    remediation_due_date: date | None
    remedied_date: date | None


def quality_state(latest: Verification | None, today: date) -> str:
    """State of a data type's quality as of `today`.

    - ``not_verified``: no verification yet;
    - ``pass``: the verification passed;
    - ``remedied_on_time`` / ``remedied_late``: a failed or conditional result, remedied
      on or before / after the remediation deadline;
    - ``remediation_open``: not remedied, deadline not passed (or none set);
    - ``remediation_overdue``: not remedied and the deadline has passed.
    """
    if latest is None:
        return "not_verified"
    if latest.result not in REMEDIATION_RESULTS:
        return "pass"
    due = latest.remediation_due_date
    if latest.remedied_date is not None and latest.remedied_date <= today:  # a later date has not happened yet
        if due is None or latest.remedied_date <= due:
            return "remedied_on_time"
        return "remedied_late"
    if due is not None and today > due:
        return "remediation_overdue"
    return "remediation_open"


def quality_not_remedied(state: str) -> bool:
    """The audit's finding: quality target missed and not remedied by the deadline."""
    return state in ("remediation_overdue", "remedied_late")


def opening_state(due: date | None, opened: date | None, today: date) -> tuple[str, int | None]:
    """Opening state and days late as of `today`.

    ``opened_on_time`` (on or before the due date), ``opened_late`` (days late = opened − due),
    ``not_opened_overdue`` (days late = today − due), ``pending`` (due date not reached),
    ``no_due_date``.
    """
    if opened is not None and opened > today:  # recorded ahead of time: not open yet as of `today`
        opened = None
    if due is None:
        return ("opened_on_time" if opened is not None else "no_due_date"), None
    if opened is not None:
        if opened <= due:
            return "opened_on_time", 0
        return "opened_late", (opened - due).days
    if today > due:
        return "not_opened_overdue", (today - due).days
    return "pending", None


def latest_verification(verifications: Iterable[Verification]) -> Verification | None:
    """The verification that governs: the newest by date (later rows win ties)."""
    latest: Verification | None = None
    for v in verifications:
        if latest is None or v.verified_date >= latest.verified_date:
            latest = v
    return latest


@dataclass(frozen=True)
class FunnelInput:
    contracted: int
    built: int
    quality_state: str
    opened: bool


def funnel(rows: Sequence[FunnelInput], min_ratio: Decimal) -> list[tuple[str, int, int]]:
    """(stage, data types, items) for contracted → built → verified → opened.

    A type counts as built when it reached `min_ratio` of its contract, as verified when it
    passed or was remedied, as opened when it is on the data hub. Items are built items.
    """
    contracted = (len(rows), sum(r.contracted for r in rows))
    built_rows = [r for r in rows if r.contracted > 0 and not volume_short(r.contracted, r.built, min_ratio)]
    verified_rows = [r for r in built_rows if r.quality_state in ("pass", "remedied_on_time", "remedied_late")]
    opened_rows = [r for r in verified_rows if r.opened]
    return [
        ("contracted", *contracted),
        ("built", len(built_rows), sum(r.built for r in built_rows)),
        ("verified", len(verified_rows), sum(r.built for r in verified_rows)),
        ("opened", len(opened_rows), sum(r.built for r in opened_rows)),
    ]


def cumulative(per_year: Sequence[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(year, types that year, cumulative types) in year order."""
    total = 0
    out = []
    for year, n in sorted(per_year):
        total += n
        out.append((year, n, total))
    return out
