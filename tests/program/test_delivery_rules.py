"""Delivery rules: delivered ratio, 95% boundary, quality and opening states, the funnel."""

from datetime import date
from decimal import Decimal

import pytest

from program import delivery_rules as r


@pytest.mark.parametrize("contracted,built,expected", [
    (1000, 950, False),  # exactly 95%: not short
    (1000, 949, True),
    (1_000_000, 2000, True),  # 0.2%
    (0, 0, False),  # nothing contracted
    (3, 3, False),
    (20, 18, True),  # 90%
])
def test_volume_short_at_95_percent(contracted, built, expected):
    assert r.volume_short(contracted, built, Decimal("0.95")) is expected


def test_delivered_ratio():
    assert r.delivered_ratio(1000, 2) == Decimal("0.002")
    assert r.delivered_ratio(0, 5) is None


D = date


@pytest.mark.parametrize("v,today,expected", [
    (None, D(2023, 1, 1), "not_verified"),
    (r.Verification(D(2022, 3, 1), "pass", None, None), D(2023, 1, 1), "pass"),
    (r.Verification(D(2022, 3, 1), "fail", D(2022, 5, 1), None), D(2022, 5, 1), "remediation_open"),  # on the day
    (r.Verification(D(2022, 3, 1), "fail", D(2022, 5, 1), None), D(2022, 5, 2), "remediation_overdue"),
    (r.Verification(D(2022, 3, 1), "conditional", D(2022, 5, 1), D(2022, 5, 1)), D(2023, 1, 1), "remedied_on_time"),
    (r.Verification(D(2022, 3, 1), "conditional", D(2022, 5, 1), D(2022, 5, 2)), D(2023, 1, 1), "remedied_late"),
    # judged as of a day before the remediation happened
    (r.Verification(D(2022, 3, 1), "conditional", D(2022, 5, 1), D(2022, 5, 2)), D(2022, 4, 1), "remediation_open"),
])
def test_quality_state(v, today, expected):
    assert r.quality_state(v, today) == expected


def test_quality_not_remedied():
    assert r.quality_not_remedied("remediation_overdue")
    assert r.quality_not_remedied("remedied_late")
    assert not r.quality_not_remedied("remedied_on_time")
    assert not r.quality_not_remedied("remediation_open")
    assert not r.quality_not_remedied("pass")


@pytest.mark.parametrize("due,opened,today,expected", [
    (D(2022, 7, 31), D(2022, 7, 31), D(2023, 1, 1), ("opened_on_time", 0)),
    (D(2022, 7, 31), D(2022, 8, 1), D(2023, 1, 1), ("opened_late", 1)),
    (D(2022, 7, 31), None, D(2022, 7, 31), ("pending", None)),
    (D(2022, 7, 31), None, D(2022, 8, 10), ("not_opened_overdue", 10)),
    (None, None, D(2022, 8, 10), ("no_due_date", None)),
    (D(2022, 7, 31), D(2022, 9, 1), D(2022, 8, 10), ("not_opened_overdue", 10)),  # opens later than `today`
])
def test_opening_state(due, opened, today, expected):
    assert r.opening_state(due, opened, today) == expected


def test_latest_verification_is_newest():
    a = r.Verification(D(2022, 3, 1), "fail", D(2022, 5, 1), None)
    b = r.Verification(D(2022, 6, 1), "pass", None, None)
    assert r.latest_verification([b, a]) == b
    assert r.latest_verification([]) is None


def test_funnel_counts_types_and_items():
    rows = [
        r.FunnelInput(100, 100, "pass", True),
        r.FunnelInput(100, 96, "remedied_late", False),
        r.FunnelInput(100, 94, "pass", True),  # short: stops at contracted
        r.FunnelInput(100, 110, "remediation_overdue", True),  # built, not verified
    ]
    assert r.funnel(rows, Decimal("0.95")) == [
        ("contracted", 4, 400), ("built", 3, 306), ("verified", 2, 196), ("opened", 1, 100)]


def test_cumulative():
    assert r.cumulative([(2018, 7), (2017, 4)]) == [(2017, 4, 4), (2018, 7, 11)]
