"""Pure rules of the money domain. No session, no clock: values in, values out."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from core.bounded import exact_fraction
from core.money import split_largest_remainder

# The hire rule is the programme's (program.rules); re-exported here for the money domain's callers.
from program.rules import HUNDRED_MILLION, required_direct_hires  # noqa: F401

# --------------------------------------------------------------------------- defaults
# Rule values come from the programme's rules (program.models.ProgramRules); these are the
# 2021 defaults used when a caller has none.

DEFAULT_INDIRECT_COST_CAP = Decimal("0.05")  # 간접비 ≤ 5% of direct costs
DEFAULT_TRANSFER_FREE_RATIO = Decimal("0.20")  # 비목 간 전용 ≤ 20% of the source line without approval
INDIRECT_CATEGORY = "indirect"
_RRN = re.compile(r"(?<!\d)\d{6}[-\s]?[1-8]\d{6}(?!\d)")


def _fraction(value: Decimal | str) -> Fraction:
    return exact_fraction(value)


def indirect_cost_cap_krw(direct_krw: int, cap: Decimal | str = DEFAULT_INDIRECT_COST_CAP) -> int:
    """The most indirect costs may be: floor(cap × direct costs), exact."""
    if direct_krw < 0:
        raise ValueError("direct costs must not be negative")
    exact = _fraction(cap) * direct_krw
    return exact.numerator // exact.denominator


def indirect_excess_krw(lines: Mapping[str, int], cap: Decimal | str = DEFAULT_INDIRECT_COST_CAP) -> int:
    """By how much the indirect line exceeds its cap (0 when within it)."""
    indirect = lines.get(INDIRECT_CATEGORY, 0)
    direct = sum(v for k, v in lines.items() if k != INDIRECT_CATEGORY)
    return max(0, indirect - indirect_cost_cap_krw(direct, cap))


def budget_line_problems(lines: Mapping[str, int], grant_krw: int, matching_krw: int,
                         cap: Decimal | str = DEFAULT_INDIRECT_COST_CAP) -> list[tuple[str, str]]:
    """Problems of an award's budget lines as (field, reason); empty when they are right."""
    problems: list[tuple[str, str]] = []
    for category, amount in lines.items():
        if amount < 0:
            problems.append((f"lines.{category}", "a budget line must not be negative"))
    total = sum(lines.values())
    if total != grant_krw + matching_krw:
        expected = grant_krw + matching_krw
        problems.append(("lines", f"budget lines sum to {total:,} KRW but grant + matching is "
                                  f"{expected:,} KRW (difference {total - expected:,})"))
    excess = indirect_excess_krw(lines, cap)
    if excess:
        direct = sum(v for k, v in lines.items() if k != INDIRECT_CATEGORY)
        problems.append((f"lines.{INDIRECT_CATEGORY}",
                         f"indirect costs exceed the cap of {Decimal(cap) * 100:g}% of direct costs "
                         f"({indirect_cost_cap_krw(direct, cap):,} KRW) by {excess:,} KRW"))
    return problems


def split_by_shares(total_krw: int, shares: Mapping[str, Decimal | str]) -> dict[str, int]:
    """Split `total_krw` over categories by shares (largest remainder: parts add up exactly)."""
    keys = list(shares)
    parts = split_largest_remainder(total_krw, [Decimal(shares[k]) for k in keys])
    return dict(zip(keys, parts, strict=True))


def default_budget_lines(total_krw: int, shares: Mapping[str, Decimal | str],
                         cap: Decimal | str = DEFAULT_INDIRECT_COST_CAP) -> dict[str, int]:
    """Typical lines for a total: split by shares, then indirect trimmed to its cap (excess to labour)."""
    lines = split_by_shares(total_krw, shares)
    if INDIRECT_CATEGORY in lines:
        # indirect ≤ cap × (total − indirect)  ⇔  indirect ≤ cap × total / (1 + cap)
        c = _fraction(cap)
        exact = c * total_krw / (1 + c)
        most = exact.numerator // exact.denominator
        if lines[INDIRECT_CATEGORY] > most:
            spare = lines[INDIRECT_CATEGORY] - most
            lines[INDIRECT_CATEGORY] = most
            first = next(k for k in lines if k != INDIRECT_CATEGORY)
            lines[first] += spare
    return lines


def transfer_needs_approval(amount_krw: int, source_budget_krw: int,
                            free_ratio: Decimal | str = DEFAULT_TRANSFER_FREE_RATIO) -> bool:
    """True when a transfer is larger than `free_ratio` of the source line's budget (exact)."""
    return Fraction(amount_krw) > _fraction(free_ratio) * source_budget_krw


def period_violation(spent_date: date, start: date, end: date) -> str | None:
    """Why a payment on `spent_date` is outside the agreement period, or None when it is inside."""
    if spent_date < start:
        return (f"payment date {spent_date} is {(start - spent_date).days} day(s) before the agreement period "
                f"{start}..{end}")
    if spent_date > end:
        return (f"payment date {spent_date} is {(spent_date - end).days} day(s) after the agreement period "
                f"{start}..{end} (including extensions)")
    return None


def line_overrun_krw(budget_krw: int, spent_krw: int, amount_krw: int) -> int:
    """By how much a payment would take a line past its budget (0 when it fits)."""
    return max(0, spent_krw + amount_krw - budget_krw)


def looks_like_resident_number(text: str) -> bool:
    """True when `text` contains something shaped like a resident registration number (주민등록번호)."""
    digits = re.sub(r"\D", "", text)
    return bool(_RRN.search(text)) or len(digits) == 13


def overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    """True when the two closed date ranges share at least one day."""
    return a_start <= b_end and b_start <= a_end


class HireFacts(NamedTuple):
    """What the 2.4 rule needs to know about one hire (a named tuple: hires_table builds ~10,000 per
    programme at national scale, and a tuple is built three times faster than a frozen dataclass)."""

    employment_type: str
    contract_start: date
    contract_end: date
    social_insurance: bool
    evidence_contract: str | None
    evidence_insurance: str | None
    evidence_payroll: str | None


def hire_has_evidence(h: HireFacts) -> bool:
    """Contract, social-insurance enrolment (with its certificate) and payroll are all on file."""
    return bool(h.evidence_contract and h.social_insurance and h.evidence_insurance and h.evidence_payroll)


def hire_in_period(h: HireFacts, start: date, end: date) -> bool:
    return h.employment_type == "direct" and overlaps(h.contract_start, h.contract_end, start, end)


def hire_counts(h: HireFacts, start: date, end: date) -> bool:
    """A direct hire counts when the contract overlaps the agreement period and the evidence is present."""
    return hire_in_period(h, start, end) and hire_has_evidence(h)


def month_starts(start: date, end: date) -> list[date]:
    """First day of every month touched by start..end."""
    months = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        months.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def straight_line_plan(total_krw: int, start: date, end: date) -> dict[date, int]:
    """Planned spending per month: `total_krw` spread over the days of the period (parts add up)."""
    if end < start:
        raise ValueError("end must not be before start")
    months = month_starts(start, end)
    weights = []
    for i, m in enumerate(months):
        nxt = months[i + 1] if i + 1 < len(months) else date(end.year + (end.month == 12), end.month % 12 + 1, 1)
        first = max(m, start)
        last_excl = min(nxt, end + timedelta(days=1))
        weights.append((last_excl - first).days)
    return dict(zip(months, split_largest_remainder(total_krw, weights), strict=True))
