"""Money rules with hand-worked values: splits that add up, caps, transfers, periods, hires, plans."""

from datetime import date
from decimal import Decimal

import pytest

from budgeting import rules
from core.money import split_largest_remainder

SHARES = {"labour": "0.32", "crowdsourcing": "0.25", "outsourcing": "0.10", "collection": "0.12",
          "equipment": "0.08", "quality": "0.05", "travel": "0.03", "indirect": "0.05"}


@pytest.mark.parametrize(("total", "weights", "expected"), [
    (100, [1, 1, 1], [34, 33, 33]),  # 33.33 each; the spare won goes to the first
    (292_500_000_000, [130, 10, 10], [253_500_000_000, 19_500_000_000, 19_500_000_000]),
    (10, [3, 3, 4], [3, 3, 4]),
    (7, [1, 2], [2, 5]),  # 2.33 / 4.67 → remainders .33 / .67: the second gets the won
])
def test_largest_remainder_splits_add_up(total, weights, expected):
    parts = split_largest_remainder(total, weights)
    assert parts == expected
    assert sum(parts) == total


def test_default_budget_lines_add_up_and_respect_the_indirect_cap():
    total = 2_112_000_000
    lines = rules.default_budget_lines(total, SHARES)
    assert sum(lines.values()) == total
    direct = total - lines["indirect"]
    # 5% of 2,112,000,000 = 105,600,000 would exceed 5% of direct; the cap is 2,112,000,000 × 0.05 / 1.05
    assert lines["indirect"] == 100_571_428
    assert lines["indirect"] <= rules.indirect_cost_cap_krw(direct)
    assert rules.budget_line_problems(lines, 1_900_000_000, 212_000_000) == []


@pytest.mark.parametrize(("direct", "cap"), [(1_000_000_000, 50_000_000), (1_000_000_019, 50_000_000),
                                             (1_000_000_020, 50_000_001), (0, 0)])
def test_indirect_cost_cap(direct, cap):
    assert rules.indirect_cost_cap_krw(direct) == cap


def test_budget_line_problems_name_the_rule_and_the_amount():
    lines = {"labour": 900, "indirect": 100}
    problems = rules.budget_line_problems(lines, 900, 200)
    assert problems[0] == ("lines", "budget lines sum to 1,000 KRW but grant + matching is 1,100 KRW (difference -100)")
    assert problems[1][0] == "lines.indirect" and "by 55 KRW" in problems[1][1]  # cap 45 = 5% of 900


@pytest.mark.parametrize(("amount", "budget", "needs"), [
    (200_000_000, 1_000_000_000, False),  # exactly 20%: free
    (200_000_001, 1_000_000_000, True),  # one won more: approval
    (1, 0, True),
    (1, 5, False),  # 20% of 5 = 1
])
def test_transfer_needs_approval(amount, budget, needs):
    assert rules.transfer_needs_approval(amount, budget) is needs


def test_transfer_ratio_is_data():
    assert rules.transfer_needs_approval(300, 1000, Decimal("0.30")) is False
    assert rules.transfer_needs_approval(301, 1000, "0.30") is True


@pytest.mark.parametrize(("day", "ok"), [(date(2021, 5, 1), True), (date(2021, 12, 31), True),
                                         (date(2021, 4, 30), False), (date(2022, 1, 1), False)])
def test_period(day, ok):
    why = rules.period_violation(day, date(2021, 5, 1), date(2021, 12, 31))
    assert (why is None) is ok
    if day == date(2022, 1, 1):
        assert "1 day(s) after" in why


def test_line_overrun():
    assert rules.line_overrun_krw(1000, 900, 100) == 0
    assert rules.line_overrun_krw(1000, 900, 101) == 1


@pytest.mark.parametrize(("key", "rrn"), [("900101-1234567", True), ("9001011234567", True), ("900101 2234567", True),
                                          ("PK-2021-0000123", False), ("emp-42", False), ("HR-1234567890123", True)])
def test_resident_numbers_are_recognised(key, rrn):
    assert rules.looks_like_resident_number(key) is rrn


def _hire(**kw):
    base = dict(employment_type="direct", contract_start=date(2021, 3, 1), contract_end=date(2021, 5, 1),
                social_insurance=True, evidence_contract="c", evidence_insurance="i", evidence_payroll="p")
    base.update(kw)
    return rules.HireFacts(**base)


def test_hire_counts_when_overlapping_with_evidence_and_never_for_crowd_workers():
    start, end = date(2021, 5, 1), date(2021, 12, 31)
    assert rules.hire_counts(_hire(), start, end)  # overlaps by one day
    assert not rules.hire_counts(_hire(contract_end=date(2021, 4, 30)), start, end)
    assert not rules.hire_counts(_hire(employment_type="crowd"), start, end)
    assert not rules.hire_counts(_hire(evidence_payroll=None), start, end)
    assert not rules.hire_counts(_hire(social_insurance=False), start, end)


def test_straight_line_plan_by_days_adds_up():
    plan = rules.straight_line_plan(1_000, date(2021, 5, 16), date(2021, 7, 15))
    # days: May 16–31 = 16, June = 30, July 1–15 = 15 → 61 days; 262.3 / 491.8 / 245.9
    assert plan == {date(2021, 5, 1): 262, date(2021, 6, 1): 492, date(2021, 7, 1): 246}
    assert sum(plan.values()) == 1_000
