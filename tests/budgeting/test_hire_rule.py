"""The 2.4-hires-per-100M-KRW rule, at its exact boundaries (expected values worked by hand)."""

from decimal import Decimal

import pytest

from budgeting.rules import required_direct_hires


@pytest.mark.parametrize(
    ("grant", "expected"),
    [
        (0, 0),
        (1, 1),  # any grant above zero needs at least one hire
        (100_000_000, 3),  # 2.4 → 3
        (125_000_000, 3),  # 3.0 exactly → 3, not 4
        (125_000_001, 4),  # a won above the boundary tips to 4
        (1_950_000_000, 47),  # 46.8 → 47
        (1_937_500_000, 47),  # 46.5 → 47
        (1_916_666_666, 46),  # 45.99999998 → 46
        (1_916_666_667, 47),  # 46.000000008 → 47
        (292_500_000_000, 7020),  # the whole programme: 2.4 × 2,925
        (7_600_000_000, 183),  # 182.4 → 183
    ],
)
def test_required_direct_hires(grant, expected):
    assert required_direct_hires(grant) == expected


def test_rate_is_data():
    assert required_direct_hires(100_000_000, Decimal("3")) == 3
    assert required_direct_hires(100_000_000, "2.5") == 3  # 2.5 → 3
    assert required_direct_hires(200_000_000, "2.5") == 5


def test_rejects_negative():
    with pytest.raises(ValueError):
        required_direct_hires(-1)
