"""Pure rules of the checks: quartiles, the outlier fence, the labour index, promises."""

from decimal import Decimal

import pytest

from compliance import rules


def test_quartiles_linear_interpolation():
    # numpy.percentile([1..8], [25, 50, 75]) = 2.75, 4.5, 6.25
    assert rules.quartiles([8, 1, 2, 3, 4, 5, 6, 7]) == (Decimal("2.75"), Decimal("4.5"), Decimal("6.25"))
    assert rules.quartiles([5]) == (Decimal(5), Decimal(5), Decimal(5))


def test_upper_fence_needs_a_sample():
    assert rules.upper_fence([1, 2, 3, 4, 5, 6, 7]) is None  # 7 < OUTLIER_MIN_SAMPLE
    # Q1 2.75, Q3 6.25, IQR 3.5 → 6.25 + 3 × 3.5 = 16.75
    assert rules.upper_fence([1, 2, 3, 4, 5, 6, 7, 8]) == Decimal("16.75")


def test_labour_index():
    # 1,000 won per built item against a contract price of 2,000 won per item → 0.5
    assert rules.labour_index(100_000_000, 100_000, 200_000_000, 100_000) == Decimal("0.5")
    # half the items delivered doubles the index
    assert rules.labour_index(100_000_000, 50_000, 200_000_000, 100_000) == Decimal("1")
    assert rules.labour_index(1, 0, 1, 1) is None


@pytest.mark.parametrize("delivered,promised,expected", [
    (50, 100, False),  # exactly half: kept
    (49, 100, True),
    (0, 0, False),  # nothing promised
    (0, 1, True),
])
def test_far_below_promise(delivered, promised, expected):
    assert rules.far_below_promise(delivered, promised) is expected
