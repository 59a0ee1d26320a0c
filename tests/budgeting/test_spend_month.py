"""spend_month, the ledger's monthly sums kept by the database's triggers (issue 14): equal to the
ledger's GROUP BY at every moment, whoever writes the ledger and at whatever date it is read."""

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session

from budgeting import analytics
from budgeting.ledger import record_expenditure, reverse_expenditure
from budgeting.models import Award, BudgetLine, Expenditure
from budgeting.schemas import ExpenditureCreate, ReversalCreate
from tests.budgeting.builders import OFFICIAL, make_award


def grouped(session: Session, program_id: int, as_of: date | None = None) -> pd.DataFrame:
    """The definition: the ledger's rows grouped by award and month (what monthly_spend_frame read before)."""
    dialect = session.get_bind().dialect.name
    month = (func.to_char(Expenditure.spent_date, "YYYY-MM") if dialect == "postgresql"
             else func.substr(Expenditure.spent_date, 1, 7)).label("month")
    q = select(Expenditure.award_id, month, func.sum(Expenditure.amount_krw)).where(
        Expenditure.program_id == program_id)
    if as_of is not None:
        q = q.where(Expenditure.spent_date <= as_of)
    rows = session.execute(q.group_by(Expenditure.award_id, month).order_by(Expenditure.award_id, month)).all()
    return pd.DataFrame([(a, m, int(t)) for a, m, t in rows], columns=analytics.MONTHLY_COLUMNS)


def as_rows(df: pd.DataFrame) -> list[tuple[int, str, int]]:
    return [(int(a), str(m), int(t)) for a, m, t in df.itertuples(index=False)]


# None, month ends (31, 30, 28 days), a month's first day, mid-month, before any spending, after the last
DATES = [None, date(2021, 5, 31), date(2021, 6, 30), date(2022, 2, 28), date(2021, 7, 1), date(2021, 9, 15),
         date(2020, 1, 10), date(2030, 12, 31)]


@pytest.mark.parametrize("as_of", DATES)
def test_monthly_frame_equals_the_ledgers_group_by_on_the_seed(seeded_engine, as_of):
    with Session(seeded_engine) as s:
        pid = s.execute(text("SELECT program_id FROM award GROUP BY program_id ORDER BY COUNT(*) DESC")).first()[0]
        expected = as_rows(grouped(s, pid, as_of))
        assert as_rows(analytics.monthly_spend_frame(s, pid, as_of)) == expected
        if as_of is not None:
            assert analytics.executed_totals(s, {pid: as_of}) == {pid: sum(t for _, _, t in expected)}
            # one cost category's lines of some awards (the headline's crowd payments)
            awards = [int(a) for a in s.execute(select(Award.id).where(Award.program_id == pid)
                                                 .order_by(Award.id).limit(40)).scalars()]
            crowd = s.execute(select(func.coalesce(func.sum(Expenditure.amount_krw), 0))
                              .join(BudgetLine, BudgetLine.id == Expenditure.line_id)
                              .where(Expenditure.award_id.in_(awards), BudgetLine.category == "crowdsourcing",
                                     Expenditure.spent_date <= as_of)).scalar_one()
            assert analytics.spent_through(s, as_of, award_ids=awards, category="crowdsourcing") == crowd
    if as_of == date(2021, 9, 15):
        assert expected and len({m for _, m, _ in expected}) > 1 and crowd > 0  # something to compare


def test_triggers_follow_every_write_to_the_ledger(session):
    award = make_award(session)
    pid = award.program_id
    entries = []
    for day, amount in ((date(2021, 5, 3), 100), (date(2021, 5, 20), 50), (date(2021, 7, 1), 70),
                        (date(2021, 7, 31), 5)):
        entries.append(record_expenditure(session, OFFICIAL, award.id, ExpenditureCreate(
            category="travel", spent_date=day, amount_krw=amount, payee_name="코레일", evidence_ref="EV")))
    assert as_rows(analytics.monthly_spend_frame(session, pid)) == [
        (award.id, "2021-05", 150), (award.id, "2021-07", 75)]
    # mid-month: the cut month's days come from the ledger
    assert as_rows(analytics.monthly_spend_frame(session, pid, date(2021, 7, 15))) == [
        (award.id, "2021-05", 150), (award.id, "2021-07", 70)]
    # a reversal is a new (negative) entry of its own date, here in a month with nothing else
    reverse_expenditure(session, OFFICIAL, entries[1].id,
                        ReversalCreate(reason="잘못 입력", spent_date=date(2021, 6, 2)))
    assert as_rows(analytics.monthly_spend_frame(session, pid)) == [
        (award.id, "2021-05", 150), (award.id, "2021-06", -50), (award.id, "2021-07", 75)]
    # edits behind the application's back (audit verify reports them) still leave the sums equal to the ledger
    session.rollback()
    with session.get_bind().connect() as conn:
        conn.execute(text("UPDATE expenditure SET amount_krw = 999, spent_date = :d WHERE id = :i"),
                     {"d": date(2021, 8, 2), "i": entries[2].id})
        conn.execute(text("DELETE FROM expenditure WHERE id = :i"), {"i": entries[3].id})
        conn.commit()
    session.rollback()  # end the session's read transaction: see the edits
    assert as_rows(analytics.monthly_spend_frame(session, pid)) == as_rows(grouped(session, pid))
    assert "2021-07" not in {m for _, m, _ in as_rows(analytics.monthly_spend_frame(session, pid))}
