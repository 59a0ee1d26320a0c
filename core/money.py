"""Money helpers. Money is an integer number of won; ratios are Decimal."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

EOK = 100_000_000  # 억원
MILLION = 1_000_000  # 백만원

Unit = Literal["won", "million", "eok", "auto"]


def format_krw(amount: int | None, unit: Unit = "auto", *, decimals: int = 1) -> str:
    """Format won for people: '1,950,000,000원', '1,950백만원' or '19.5억원'.

    `auto` picks 억원 from one 억 up, 백만원 from one million up, else 원.
    """
    if amount is None:
        return "–"
    if not isinstance(amount, int):
        raise TypeError(f"money must be int won, got {type(amount).__name__}")
    if unit == "auto":
        unit = "eok" if abs(amount) >= EOK else "million" if abs(amount) >= MILLION else "won"
    if unit == "won":
        return f"{amount:,}원"
    divisor = EOK if unit == "eok" else MILLION
    suffix = "억원" if unit == "eok" else "백만원"
    q = Decimal(1).scaleb(-decimals) if decimals > 0 else Decimal(1)
    value = (Decimal(amount) / divisor).quantize(q, rounding=ROUND_HALF_UP)
    return f"{value:,}{suffix}"


def in_eok(amount: int | float, decimals: int | None = None) -> float:
    """Won as a number of 억 (for chart axes and grid columns; text uses `format_krw`)."""
    value = float(amount) / EOK
    return round(value, decimals) if decimals is not None else value


def split_largest_remainder(total: int, weights: Sequence[int | Decimal]) -> list[int]:
    """Split `total` won in proportion to `weights` so the parts add up to `total` exactly.

    Each part gets the floor of its exact share; the won left over go one each to the
    parts with the largest remainders (ties: the earlier part first).
    """
    if total < 0:
        raise ValueError("total must not be negative")
    if not weights:
        if total:
            raise ValueError("cannot split a non-zero total over no parts")
        return []
    ws = [Decimal(w) for w in weights]
    if any(w < 0 for w in ws):
        raise ValueError("weights must not be negative")
    weight_sum = sum(ws)
    if weight_sum == 0:
        raise ValueError("weights must not all be zero")
    exact = [Decimal(total) * w / weight_sum for w in ws]
    parts = [int(x) for x in exact]  # floor: all values are non-negative
    left = total - sum(parts)
    order = sorted(range(len(ws)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def ratio(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator as Decimal, or None when the denominator is zero."""
    if denominator == 0:
        return None
    return Decimal(numerator) / Decimal(denominator)
