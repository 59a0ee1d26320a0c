"""Pure rules of the money domain. No session, no clock: values in, values out."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

HUNDRED_MILLION = 100_000_000  # 1억원


def required_direct_hires(grant_krw: int, hires_per_100m_krw: Decimal | str = Decimal("2.4")) -> int:
    """Direct hires a grant requires: ceil(rate × grant / 100,000,000), exact integer arithmetic.

    >>> required_direct_hires(1_950_000_000)
    47
    """
    if grant_krw < 0:
        raise ValueError("grant must not be negative")
    rate = Fraction(Decimal(hires_per_100m_krw))
    if rate < 0:
        raise ValueError("rate must not be negative")
    exact = rate * grant_krw / HUNDRED_MILLION
    return -((-exact.numerator) // exact.denominator)  # ceiling of a non-negative fraction
