"""Analytics on small frames worked out by hand, and the SQL loaders on a tiny ledger."""

from datetime import date

import pandas as pd

from budgeting import analytics
from budgeting.ledger import record_expenditure
from budgeting.schemas import ExpenditureCreate
from tests.budgeting.builders import OFFICIAL, make_award

AWARDS = pd.DataFrame([
    (1, "P-1", "LANG", "designated", 900, 100, 1000, date(2021, 5, 1), date(2021, 8, 31)),
    (2, "P-2", "LANG", "regional", 400, 0, 400, date(2021, 5, 1), date(2021, 8, 31)),
    (3, "P-3", "HEALTH", "designated", 200, 0, 200, date(2021, 5, 1), date(2021, 8, 31)),
], columns=analytics.AWARD_COLUMNS)
MONTHLY = pd.DataFrame([
    (1, "2021-05", 250), (1, "2021-06", 250), (1, "2021-07", 100),
    (2, "2021-05", 100), (2, "2021-06", 100),
    (3, "2021-06", 50),
], columns=analytics.MONTHLY_COLUMNS)


def test_execution_by_award_field_call_type_and_month():
    by_award = analytics.execution_by(AWARDS, MONTHLY, "award").set_index("award_id")
    assert by_award["spent_krw"].tolist() == [600, 200, 50]
    assert by_award["execution_rate"].tolist() == [0.6, 0.5, 0.25]
    by_field = analytics.execution_by(AWARDS, MONTHLY, "field").set_index("field_code")
    assert by_field.loc["LANG", "budget_krw"] == 1400 and by_field.loc["LANG", "spent_krw"] == 800
    assert by_field.loc["LANG", "execution_rate"] == round(800 / 1400, 4)
    assert by_field.loc["HEALTH", "remaining_krw"] == 150
    by_type = analytics.execution_by(AWARDS, MONTHLY, "call_type").set_index("call_type")
    assert by_type.loc["designated", "spent_krw"] == 650 and by_type.loc["regional", "spent_krw"] == 200
    by_month = analytics.execution_by(AWARDS, MONTHLY, "month")
    assert by_month["spent_krw"].tolist() == [350, 400, 100]
    assert by_month["cumulative_krw"].tolist() == [350, 750, 850]
    assert by_month["execution_rate"].tolist() == [0.2188, 0.4688, 0.5312]  # of 1,600


def test_burn_plan_is_a_straight_line_over_the_period():
    burn = analytics.burn_plan_vs_actual(AWARDS.iloc[:1], MONTHLY)
    # 1,000 over May–Aug by days: 31, 30, 31, 31 of 123 → 252.03, 243.90, 252.03, 252.03
    assert burn["planned_krw"].tolist() == [252, 244, 252, 252]
    assert burn["spent_krw"].tolist() == [250, 250, 100, 0]
    assert burn["gap_krw"].tolist() == [-2, 4, -148, -400]


def test_unspent_projection_from_the_last_three_months():
    out = analytics.project_unspent(AWARDS, MONTHLY, as_of=date(2021, 7, 15)).set_index("award_id")
    # award 1: spent 600, pace (250+250+100)/3 = 200, one month left → 800, 200 unspent (20% > 10%)
    assert out.loc[1, "projected_krw"] == 800 and out.loc[1, "projected_unspent_krw"] == 200
    assert bool(out.loc[1, "likely_unspent"])
    # award 2: spent 200, pace 200/3 → 266 projected, 134 of 400 unspent
    assert out.loc[2, "projected_krw"] == 266 and bool(out.loc[2, "likely_unspent"])
    # award 3: 50 of 200 with pace 50/3 → 66
    assert out.loc[3, "projected_unspent_krw"] == 134
    on_track = pd.DataFrame([(1, "2021-05", 300), (1, "2021-06", 300), (1, "2021-07", 300)],
                            columns=analytics.MONTHLY_COLUMNS)
    assert not analytics.project_unspent(AWARDS.iloc[:1], on_track, date(2021, 7, 31))["likely_unspent"].iloc[0]


def test_sql_loaders_aggregate_the_ledger(session):
    award = make_award(session)
    for day, amount in ((date(2021, 5, 3), 100), (date(2021, 5, 20), 50), (date(2021, 7, 1), 70)):
        record_expenditure(session, OFFICIAL, award.id, ExpenditureCreate(
            category="travel", spent_date=day, amount_krw=amount, payee_name="코레일", evidence_ref="EV"))
    monthly = analytics.monthly_spend_frame(session, award.program_id)
    assert monthly.values.tolist() == [[award.id, "2021-05", 150], [award.id, "2021-07", 70]]
    rate = analytics.execution_rate(session, award.program_id, by="award")
    assert rate["spent_krw"].tolist() == [220] and rate["budget_krw"].tolist() == [2_112_000_000]
    assert analytics.records(rate)[0]["award_id"] == award.id
