from decimal import Decimal

import pytest

from core.money import format_krw, ratio, split_largest_remainder


@pytest.mark.parametrize(
    ("amount", "unit", "expected"),
    [
        (292_500_000_000, "eok", "2,925.0억원"),
        (1_950_000_000, "auto", "19.5억원"),
        (1_949_999_999, "eok", "19.5억원"),  # 19.49999999 rounds half up to one decimal
        (1_940_000_000, "million", "1,940.0백만원"),
        (999_999, "auto", "999,999원"),
        (1_000_000, "auto", "1.0백만원"),
        (0, "won", "0원"),
        (-250_000_000, "auto", "-2.5억원"),
        (None, "auto", "–"),
    ],
)
def test_format_krw(amount, unit, expected):
    assert format_krw(amount, unit) == expected


def test_format_krw_refuses_floats():
    with pytest.raises(TypeError):
        format_krw(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (100, [1, 1, 1], [34, 33, 33]),  # one won left over goes to the first of equal remainders
        (10, [1, 2, 3, 4], [1, 2, 3, 4]),
        (7, [1, 1], [4, 3]),
        (0, [5, 5], [0, 0]),
        (292_500_000_000, [30, 27, 22, 15, 18, 18], None),
        (5, [Decimal("0.5"), Decimal("0.25"), Decimal("0.25")], [3, 1, 1]),
        (2, [0, 1], [0, 2]),
    ],
)
def test_split_largest_remainder_adds_up(total, weights, expected):
    parts = split_largest_remainder(total, weights)
    assert sum(parts) == total
    assert all(isinstance(p, int) for p in parts)
    if expected is not None:
        assert parts == expected
    # no part is further than one won from its exact share
    wsum = sum(Decimal(w) for w in weights)
    for p, w in zip(parts, weights, strict=True):
        assert abs(Decimal(p) - Decimal(total) * Decimal(w) / wsum) < 1


def test_split_largest_remainder_rejects_bad_input():
    with pytest.raises(ValueError):
        split_largest_remainder(10, [0, 0])
    with pytest.raises(ValueError):
        split_largest_remainder(-1, [1])
    with pytest.raises(ValueError):
        split_largest_remainder(10, [])
    assert split_largest_remainder(0, []) == []


def test_ratio():
    assert ratio(1, 3) == Decimal(1) / Decimal(3)
    assert ratio(5, 0) is None
