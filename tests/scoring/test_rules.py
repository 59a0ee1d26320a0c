"""Rules of the evaluation domain, with expected values worked out by hand."""

from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from program.models import ProgramRules
from scoring import rules

R = ProgramRules()
BANDS = R.adjustment_bands
T0 = datetime(2021, 4, 1, 9, 0, tzinfo=UTC)


# --------------------------------------------------------------------------- aggregation

@pytest.mark.parametrize("totals, expected, trimmed", [
    ([80, 70, 90], Fraction(80), set()),                       # 3 sheets: plain mean
    ([80, 70, 90, 61], Fraction(301, 4), set()),               # 4 sheets: 75.25, no trimming
    ([80, 70, 90, 61, 100], Fraction(80), {3, 4}),             # 5 sheets: drop 100 and 61 → 240/3
    ([70, 72, 74, 76, 78, 80, 95], Fraction(76), {0, 6}),      # 7 sheets: drop 95 and 70 → 380/5
    ([90, 90, 80, 70, 70], Fraction(80), {1, 3}),              # ties: one 90 and one 70 dropped
    ([Decimal("80.5"), 81, 82, 83, Decimal("79.5")], Fraction(487, 6), {3, 4}),  # 243.5/3 = 81.1666… exact
])
def test_panel_score_trims_only_from_five_sheets(totals, expected, trimmed):
    assert rules.panel_score(totals, R.trim_from_sheets) == expected
    assert rules.trimmed_positions(totals, R.trim_from_sheets) == trimmed


def test_panel_score_of_no_sheets_is_none_and_display_has_two_decimals():
    assert rules.panel_score([], 5) is None
    assert rules.display(Fraction(487, 6)) == "81.17"
    assert rules.sheet_total([Decimal("14.5"), Decimal("25"), Decimal("0.5")]) == Decimal("40.0")


@pytest.mark.parametrize("points, maximum, step, error", [
    (Decimal("15"), Decimal("15"), Decimal("0.5"), None),
    (Decimal("0"), Decimal("15"), Decimal("0.5"), None),
    (Decimal("15.5"), Decimal("15"), Decimal("0.5"), "must be between 0 and 15"),
    (Decimal("-0.5"), Decimal("15"), Decimal("0.5"), "must be between 0 and 15"),
    (Decimal("7.25"), Decimal("15"), Decimal("0.5"), "must be a multiple of 0.5"),
])
def test_score_range_and_step(points, maximum, step, error):
    assert rules.score_error(points, maximum, step) == error


@pytest.mark.parametrize("points, maximum, required", [
    (Decimal("5.5"), Decimal("15"), True),   # 36.7% < 40%
    (Decimal("6"), Decimal("15"), False),    # exactly 40%
    (Decimal("9.5"), Decimal("25"), True),   # 38%
    (Decimal("10"), Decimal("25"), False),
])
def test_comment_required_below_40_percent(points, maximum, required):
    assert rules.comment_required(points, maximum, Decimal("0.40")) is required


# --------------------------------------------------------------------------- bonus

POINTS = {"CROWD_SHARE": Decimal("2"), "VULNERABLE": Decimal("2"), "REGIONAL_LEAD": Decimal("1")}


def facts(**kw):
    base = dict(requested_grant_krw=1_000_000_000, crowd_payment_krw=0, vulnerable_hiring_plan=False,
                lead_region="부산", project_region="부산", regional_project=False)
    base.update(kw)
    return rules.BonusFacts(**base)


@pytest.mark.parametrize("f, items, total", [
    (facts(crowd_payment_krw=300_000_000), {"CROWD_SHARE"}, Decimal("2")),       # exactly 30%
    (facts(crowd_payment_krw=299_999_999), set(), Decimal("0")),                 # just under
    (facts(vulnerable_hiring_plan=True), {"VULNERABLE"}, Decimal("2")),
    (facts(regional_project=True), {"REGIONAL_LEAD"}, Decimal("1")),
    (facts(regional_project=True, lead_region="서울"), set(), Decimal("0")),       # lead elsewhere
    (facts(regional_project=False), set(), Decimal("0")),                        # not a regional project
    (facts(crowd_payment_krw=400_000_000, vulnerable_hiring_plan=True, regional_project=True),
     {"CROWD_SHARE", "VULNERABLE", "REGIONAL_LEAD"}, Decimal("5")),
])
def test_bonus_items(f, items, total):
    earned, got = rules.bonus_points(f, POINTS, crowd_share_min=Decimal("0.30"), cap=Decimal("5"))
    assert set(earned) == items
    assert got == total


def test_bonus_is_capped():
    pts = {"CROWD_SHARE": Decimal("3"), "VULNERABLE": Decimal("3"), "REGIONAL_LEAD": Decimal("1")}
    f = facts(crowd_payment_krw=400_000_000, vulnerable_hiring_plan=True, regional_project=True)
    earned, total = rules.bonus_points(f, pts, cap=Decimal("5"))
    assert sum(earned.values()) == 7 and total == Decimal("5")


# --------------------------------------------------------------------------- grant

@pytest.mark.parametrize("score, expected", [
    (Decimal("90"), 1_234_567_000),             # 100%, rounded down to 1,000 won
    (Decimal("89.9999"), 1_172_839_000),        # 95%: 1,172,839,496.45
    (Decimal("80"), 1_172_839_000),
    (Decimal("79.99"), 1_111_111_000),          # 90%: 1,111,111,101.9
    (Decimal("70"), 1_111_111_000),
    (Decimal("69.995"), None),                  # below every band
])
def test_recommended_grant_at_band_edges(score, expected):
    assert rules.recommended_grant(1_234_567_891, score, BANDS, ceiling_krw=5_000_000_000) == expected


def test_recommended_grant_never_above_ceiling():
    assert rules.recommended_grant(2_000_000_000, 95, BANDS, ceiling_krw=1_950_000_000) == 1_950_000_000
    assert rules.recommended_grant(2_000_000_000, 85, BANDS, ceiling_krw=1_950_000_000) == 1_900_000_000


# --------------------------------------------------------------------------- ranking and outcome

def inp(pid, totals, heavy=(20,), outstanding=0, bonus=0, submitted=T0, eligible=True, grant=1_000_000_000):
    return rules.ProposalInput(pid, eligible, totals, heavy, outstanding, Decimal(bonus), submitted, grant)


def decide(inputs, **kw):
    return rules.decide_project(inputs, threshold=R.pass_threshold, trim_from=R.trim_from_sheets,
                                panel_min=R.panel_min, bands=BANDS, ceiling_krw=5_000_000_000, **kw)


def test_exactly_70_passes_and_69_995_does_not():
    ok = decide([inp(1, [70] * 5)])
    assert ok.outcome == "selected" and ok.by_id()[1].outcome == "selected"
    assert ok.by_id()[1].recommended_grant_krw == 900_000_000
    low = decide([inp(1, [Decimal("69.995")] * 5)])
    assert low.outcome == "re-announce"
    assert rules.display(low.by_id()[1].final_score) == "70.00"  # shows as 70.00 but stays below


def test_bonus_lifts_over_threshold_and_final_is_panel_plus_bonus():
    d = decide([inp(1, [68] * 5, bonus=2), inp(2, [69] * 5)])
    assert d.by_id()[1].final_score == 70 and d.winner_id == 1
    assert d.by_id()[2].outcome == "not_selected"


def test_ties_broken_by_heaviest_criterion_then_submission_time():
    d = decide([inp(1, [80] * 5, heavy=[20] * 5), inp(2, [80] * 5, heavy=[21] * 5)])
    assert [d.by_id()[i].rank for i in (1, 2)] == [2, 1]
    later = datetime(2021, 4, 2, tzinfo=UTC)
    d = decide([inp(1, [80] * 5, submitted=later), inp(2, [80] * 5, submitted=T0)])
    assert d.winner_id == 2 and d.by_id()[1].outcome == "reserve"


def test_incomplete_panel_ineligible_and_pending():
    assert decide([inp(1, [90] * 4)]).outcome == "re-announce"        # 4 < panel_min
    assert decide([inp(1, [90] * 4, outstanding=1)]).outcome == "pending"
    d = decide([inp(1, [90] * 5, eligible=False), inp(2, [75] * 5)])
    assert d.by_id()[1].outcome == "ineligible" and d.by_id()[1].rank is None and d.winner_id == 2
    assert decide([inp(1, [90] * 5, eligible=False)]).outcome == "re-announce"


def test_confirmed_selection_other_than_rank_one():
    d = decide([inp(1, [90] * 5), inp(2, [80] * 5)], selected_proposal_id=2)
    assert d.by_id()[2].outcome == "selected" and d.by_id()[1].outcome == "reserve" and d.winner_id == 1


# --------------------------------------------------------------------------- eligibility

def elig(**kw):
    base = dict(member_count=2, lead_fields=3, requested_grant_krw=1_950_000_000, ceiling_krw=1_950_000_000,
                planned_direct_hires=47, private_matching_krw=216_666_667, lead_kind="sme", restricted_members=[])
    base.update(kw)
    return rules.EligibilityFacts(**base)


def codes(f):
    return [r["code"] for r in rules.screen(f, min_members=2, max_fields=3, hires_per_100m_krw=Decimal("2.4"),
                                            min_matching_rate=R.min_matching_rate(f.lead_kind))]


def test_eligible_at_every_boundary():
    # 1.95B grant needs ceil(2.4 × 19.5) = 47 hires; 216,666,667 / 2,166,666,667 ≥ 10%
    assert codes(elig()) == []


@pytest.mark.parametrize("change, code", [
    ({"member_count": 1}, "too_few_members"),
    ({"lead_fields": 4}, "lead_too_many_fields"),
    ({"ceiling_krw": 1_949_999_999}, "grant_above_ceiling"),
    ({"planned_direct_hires": 46}, "too_few_hires"),
    ({"private_matching_krw": 216_666_666}, "matching_too_low"),   # 9.99999995%
    ({"lead_kind": "large", "private_matching_krw": 300_000_000}, "matching_too_low"),  # 13.3% < 15%
    ({"restricted_members": ["(주)제한기업"]}, "member_restricted"),
])
def test_each_eligibility_rule_fails_just_past_its_boundary(change, code):
    assert codes(elig(**change)) == [code]


def test_matching_share_exactly_at_minimum():
    assert codes(elig(requested_grant_krw=900_000_000, private_matching_krw=100_000_000, planned_direct_hires=22)) == []
    assert codes(elig(requested_grant_krw=900_000_000, private_matching_krw=99_999_999,
                      planned_direct_hires=22)) == ["matching_too_low"]


# --------------------------------------------------------------------------- conflicts

@pytest.mark.parametrize("end, conflicted", [
    (date(2018, 3, 12), True),    # exactly three years before the reference date: still within
    (date(2018, 3, 11), False),
    (None, True),                 # still employed
    (date(2020, 12, 31), True),
])
def test_conflict_through_past_employment_three_year_boundary(end, conflicted):
    found = rules.detect_conflicts(None, [(7, end)], {7, 8}, date(2021, 3, 12), 3)
    assert bool(found) is conflicted


def test_conflict_through_membership_and_not_for_other_orgs():
    assert rules.detect_conflicts(8, [], {7, 8}, date(2021, 3, 12)) == [("membership", 8)]
    assert rules.detect_conflicts(9, [(10, None)], {7, 8}, date(2021, 3, 12)) == []
    assert rules.years_before(date(2024, 2, 29), 3) == date(2021, 2, 28)


# --------------------------------------------------------------------------- statistics

def test_leniency_hand_worked():
    got = rules.leniency([("A", 1, 80), ("B", 1, 70), ("A", 2, 90), ("B", 2, 90)])
    assert got == {"A": (2, Fraction(5, 2)), "B": (2, Fraction(-5, 2))}


def test_kendall_w_hand_worked():
    # ranks: r1 1,2,3; r2 1,3,2; r3 2,1,3 → rank sums 4,6,8, mean 6, S = 8, W = 12·8 / (9·24) = 4/9
    assert rules.kendall_w([[60, 70, 80], [60, 80, 70], [70, 60, 80]]) == Fraction(4, 9)
    assert rules.kendall_w([[1, 2, 3], [10, 20, 30]]) == 1
    # ties: r1 60,60,80 → 1.5,1.5,3 (T = 2³−2 = 6); r2 1,2,3; sums 2.5,3.5,6; S = 6.5;
    # W = 12·6.5 / (4·24 − 2·6) = 78/84 = 13/14
    assert rules.kendall_w([[60, 60, 80], [50, 60, 70]]) == Fraction(13, 14)
    assert rules.kendall_w([[1, 2, 3]]) is None
    assert rules.kendall_w([[5], [6]]) is None


def test_outliers_more_than_15_points_from_median_of_others():
    found = rules.outliers([("a", 80), ("b", 82), ("c", 78), ("d", 60)])
    assert found == [("d", Fraction(80), Fraction(20))]
    assert rules.outliers([("a", 80), ("b", 80), ("c", 80), ("d", 65)]) == []   # exactly 15: not an outlier
    assert rules.outliers([("a", 80), ("b", 40), ("c", 80)]) == []              # too few others
