"""Pure rules of the programme domain (the rules every domain above shares live here: the hire rule)."""

from __future__ import annotations

import re
from decimal import Decimal

from core.bounded import exact_fraction

_BN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
_BN_PATTERN = re.compile(r"^\d{3}-\d{2}-\d{5}$")


def business_number_check_digit(first_nine: str) -> int:
    """Check digit of a Korean business registration number (사업자등록번호) from its first 9 digits."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError("need exactly nine digits")
    d = [int(c) for c in first_nine]
    total = sum(x * w for x, w in zip(d, _BN_WEIGHTS, strict=True)) + (d[8] * 5) // 10
    return (10 - total % 10) % 10


def business_number_valid(number: str) -> bool:
    """True when `number` is formatted 000-00-00000 and its check digit is right."""
    if not _BN_PATTERN.match(number):
        return False
    digits = number.replace("-", "")
    return business_number_check_digit(digits[:9]) == int(digits[9])


def format_business_number(digits: str) -> str:
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


HUNDRED_MILLION = 100_000_000  # 1억원


def required_direct_hires(grant_krw: int, hires_per_100m_krw: Decimal | str = Decimal("2.4")) -> int:
    """Direct hires a grant requires: ceil(rate × grant / 100,000,000), exact integer arithmetic.

    >>> required_direct_hires(1_950_000_000)
    47
    """
    if grant_krw < 0:
        raise ValueError("grant must not be negative")
    rate = exact_fraction(hires_per_100m_krw)  # refuses a huge exponent before building the Fraction
    if rate < 0:
        raise ValueError("rate must not be negative")
    exact = rate * grant_krw / HUNDRED_MILLION
    return -((-exact.numerator) // exact.denominator)  # ceiling of a non-negative fraction
