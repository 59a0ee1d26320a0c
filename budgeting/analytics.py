"""Execution analytics over the ledger (pandas), shared by the API, the dashboard and the reports.

Loading is one SQL query per frame, aggregated in the database (GROUP BY award and month),
never ORM objects. The arithmetic lives in pure frame → frame functions
(`execution_by`, `burn_plan_vs_actual`, `project_unspent`) that tests feed by hand.
Money columns are int64 won; rates are floats rounded to 4 places (display only).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlmodel import Session

from budgeting import queries, rules
from budgeting.models import Award, BudgetLine, Expenditure, SpendMonth
from core.money import ratio
from program import service as program_service
from program.models import CallType, CoreField, Project

AWARD_COLUMNS = ["award_id", "project_code", "field_code", "call_type", "grant_krw", "matching_krw", "budget_krw",
                 "start_date", "end_date"]
MONTHLY_COLUMNS = ["award_id", "month", "spent_krw"]
UNSPENT_TOLERANCE = 0.10  # default of ProgramRules.unspent_tolerance (for callers passing frames directly)


# --------------------------------------------------------------------------- loading (SQL)


def awards_frame(session: Session, program_id: int) -> pd.DataFrame:
    """One row per award: codes, grant, matching, budget (sum of lines), agreement period (with extensions)."""
    lt = select(BudgetLine.award_id.label("award_id"), func.sum(BudgetLine.budget_krw).label("budget")) \
        .group_by(BudgetLine.award_id).subquery()
    rows = session.execute(
        select(Award.id, Project.code, CoreField.code, CallType.code, Award.grant_krw, Award.matching_krw,
               func.coalesce(lt.c.budget, 0), Award.start_date, Award.current_end_date)
        .join(Project, Project.id == Award.project_id).join(CoreField, CoreField.id == Project.field_id)
        .join(CallType, CallType.id == Project.call_type_id).outerjoin(lt, lt.c.award_id == Award.id)
        .where(Award.program_id == program_id).order_by(Award.id)
    ).all()
    df = pd.DataFrame([tuple(r) for r in rows], columns=AWARD_COLUMNS)
    df["call_type"] = df["call_type"].astype(str)
    for c in ("grant_krw", "matching_krw", "budget_krw"):
        df[c] = df[c].astype("int64")
    return df


def _month_cut(as_of: date) -> tuple[str, date | None]:
    """How `as_of` splits the ledger by month: the months kept whole in spend_month are those up to the
    returned 'YYYY-MM' (as_of's own month when it is that month's last day, else the month before), and
    the days from the returned date to as_of (None: none) are read from the ledger itself."""
    month = f"{as_of.year:04d}-{as_of.month:02d}"
    if (as_of + timedelta(days=1)).month != as_of.month:
        return month, None
    before = as_of.replace(day=1) - timedelta(days=1)
    return f"{before.year:04d}-{before.month:02d}", as_of.replace(day=1)


def monthly_spend_frame(session: Session, program_id: int, as_of: date | None = None) -> pd.DataFrame:
    """Net spending (reversals included) per award and month ('YYYY-MM'): the ledger's GROUP BY award,
    month, read from spend_month (kept by the database's triggers on the ledger, budgeting/models.py);
    with `as_of`, only what was spent on or before that date (a month cut by `as_of` summed from the
    ledger's rows of those days)."""
    q = select(SpendMonth.award_id, SpendMonth.month, func.sum(SpendMonth.amount_krw)) \
        .where(SpendMonth.program_id == program_id).group_by(SpendMonth.award_id, SpendMonth.month) \
        .having(func.sum(SpendMonth.entries) > 0)
    partial: list[tuple[Any, ...]] = []
    if as_of is not None:
        through, first_day = _month_cut(as_of)
        q = q.where(SpendMonth.month <= through)
        if first_day is not None:
            month = f"{as_of.year:04d}-{as_of.month:02d}"
            partial = [(aid, month, total) for aid, total in session.execute(
                select(Expenditure.award_id, func.sum(Expenditure.amount_krw))
                .where(Expenditure.program_id == program_id, Expenditure.spent_date >= first_day,
                       Expenditure.spent_date <= as_of)
                .group_by(Expenditure.award_id)).all()]
    rows = [tuple(r) for r in session.execute(q).all()] + partial
    df = pd.DataFrame(sorted(rows, key=lambda r: (r[0], r[1])), columns=MONTHLY_COLUMNS)
    df["spent_krw"] = df["spent_krw"].astype("int64")
    return df


def spent_through(session: Session, as_of: date, *, program_id: int | None = None,
                  award_ids: list[int] | None = None, category: str | None = None) -> int:
    """Net spending on or before `as_of` of a programme or of some awards, on one cost category's lines or
    all: the whole months from spend_month, a month cut by `as_of` from the ledger's rows of those days."""
    through, first_day = _month_cut(as_of)
    rolled = select(func.coalesce(func.sum(SpendMonth.amount_krw), 0)).where(SpendMonth.month <= through)
    ledger = select(func.coalesce(func.sum(Expenditure.amount_krw), 0)).where(
        Expenditure.spent_date >= (first_day or as_of), Expenditure.spent_date <= as_of)
    if program_id is not None:
        rolled = rolled.where(SpendMonth.program_id == program_id)
        ledger = ledger.where(Expenditure.program_id == program_id)
    if award_ids is not None:
        rolled = rolled.where(SpendMonth.award_id.in_(award_ids))
        ledger = ledger.where(Expenditure.award_id.in_(award_ids))
    if category is not None:
        lines = select(BudgetLine.id).where(BudgetLine.category == category)
        if award_ids is not None:
            lines = lines.where(BudgetLine.award_id.in_(award_ids))
        rolled = rolled.where(SpendMonth.line_id.in_(lines))
        ledger = ledger.where(Expenditure.line_id.in_(lines))
    total = int(session.execute(rolled).scalar_one())
    if first_day is not None:
        total += int(session.execute(ledger).scalar_one())
    return total


# --------------------------------------------------------------------------- pure frame functions


def _rate(num: pd.Series, den: pd.Series) -> pd.Series:
    out = num.astype("float64") / den.where(den != 0).astype("float64")
    return out.round(4)


def execution_by(awards: pd.DataFrame, monthly: pd.DataFrame, by: str = "award") -> pd.DataFrame:
    """Budget, spent and execution rate (spent / budget) by award, field, call type or month."""
    spent = monthly.groupby("award_id", as_index=False)["spent_krw"].sum()
    df = awards.merge(spent, on="award_id", how="left")
    df["spent_krw"] = df["spent_krw"].fillna(0).astype("int64")
    if by == "award":
        out = df[["award_id", "project_code", "field_code", "call_type", "budget_krw", "spent_krw"]].copy()
    elif by in ("field", "call_type"):
        key = "field_code" if by == "field" else "call_type"
        out = df.groupby(key, as_index=False).agg(awards=("award_id", "count"), budget_krw=("budget_krw", "sum"),
                                                 spent_krw=("spent_krw", "sum"))
    elif by == "month":
        total_budget = int(awards["budget_krw"].sum())
        out = monthly.groupby("month", as_index=False)["spent_krw"].sum().sort_values("month")
        out["cumulative_krw"] = out["spent_krw"].cumsum().astype("int64")
        out["budget_krw"] = total_budget
        out["execution_rate"] = _rate(out["cumulative_krw"], out["budget_krw"])
        return out.reset_index(drop=True)
    else:
        raise ValueError("by must be award, field, call_type or month")
    out["remaining_krw"] = out["budget_krw"] - out["spent_krw"]
    out["execution_rate"] = _rate(out["spent_krw"], out["budget_krw"])
    return out.reset_index(drop=True)


def planned_monthly(awards: pd.DataFrame, plan: pd.DataFrame | None = None) -> pd.DataFrame:
    """Planned spending per award and month: the given monthly plan, else a straight line over the period."""
    if plan is not None:
        return plan[MONTHLY_COLUMNS[:2] + ["planned_krw"]].copy()
    rows = []
    for a in awards.itertuples(index=False):
        for m, amount in rules.straight_line_plan(int(a.budget_krw), a.start_date, a.end_date).items():
            rows.append((a.award_id, m.strftime("%Y-%m"), amount))
    return pd.DataFrame(rows, columns=["award_id", "month", "planned_krw"])


def burn_plan_vs_actual(awards: pd.DataFrame, monthly: pd.DataFrame, plan: pd.DataFrame | None = None,
                        *, per_award: bool = False) -> pd.DataFrame:
    """Planned against actual spending per month (and cumulative), programme-wide or per award."""
    planned = planned_monthly(awards, plan)
    keys = ["award_id", "month"] if per_award else ["month"]
    p = planned.groupby(keys, as_index=False)["planned_krw"].sum()
    a = monthly[monthly["award_id"].isin(awards["award_id"])].groupby(keys, as_index=False)["spent_krw"].sum()
    out = p.merge(a, on=keys, how="outer").fillna(0).sort_values(keys).reset_index(drop=True)
    out["planned_krw"] = out["planned_krw"].astype("int64")
    out["spent_krw"] = out["spent_krw"].astype("int64")
    group = out.groupby("award_id") if per_award else None
    out["planned_cumulative_krw"] = (group["planned_krw"].cumsum() if group is not None
                                     else out["planned_krw"].cumsum()).astype("int64")
    out["spent_cumulative_krw"] = (group["spent_krw"].cumsum() if group is not None
                                   else out["spent_krw"].cumsum()).astype("int64")
    out["gap_krw"] = out["spent_cumulative_krw"] - out["planned_cumulative_krw"]
    return out


def _month_index(month: str) -> int:
    y, m = month.split("-")
    return int(y) * 12 + int(m) - 1


def project_unspent(awards: pd.DataFrame, monthly: pd.DataFrame, as_of: date,
                    tolerance: float = UNSPENT_TOLERANCE, window: int = 3) -> pd.DataFrame:
    """Awards projected to end with unspent money: spent to date + (mean of the last `window` months)
    × months left, against the budget. Months counted up to and including `as_of`'s month."""
    now = as_of.year * 12 + as_of.month - 1
    m = monthly.copy()
    m["mi"] = m["month"].map(_month_index)
    m = m[m["mi"] <= now]
    to_date = m.groupby("award_id")["spent_krw"].sum()
    recent = m[m["mi"] > now - window].groupby("award_id")["spent_krw"].sum()
    rows = []
    for a in awards.itertuples(index=False):
        end = a.end_date.year * 12 + a.end_date.month - 1
        months_left = max(0, end - now)
        spent = int(to_date.get(a.award_id, 0))
        pace = int(recent.get(a.award_id, 0)) / window
        projected = spent + math.floor(pace * months_left)
        unspent = int(a.budget_krw) - projected
        rows.append((a.award_id, a.project_code, int(a.budget_krw), spent, round(pace), months_left, projected,
                     unspent, unspent > tolerance * int(a.budget_krw)))
    out = pd.DataFrame(rows, columns=["award_id", "project_code", "budget_krw", "spent_krw", "monthly_pace_krw",
                                      "months_left", "projected_krw", "projected_unspent_krw", "likely_unspent"])
    out["projected_unspent_rate"] = _rate(out["projected_unspent_krw"], out["budget_krw"])
    return out


# --------------------------------------------------------------------------- service-level entry points


@dataclass(frozen=True)
class Filters:
    """The filters every figure function takes: a core field and/or a call type (codes), or none."""

    field_code: str | None = None
    call_type: str | None = None

    def awards(self, awards: pd.DataFrame) -> pd.DataFrame:
        if self.field_code:
            awards = awards[awards["field_code"] == self.field_code]
        if self.call_type:
            awards = awards[awards["call_type"] == self.call_type]
        return awards


NO_FILTERS = Filters()


@dataclass(frozen=True)
class Frames:
    """One analytics load: the awards and their monthly spending up to `as_of` (two SQL queries).

    The dashboard caches one per (programme, as-of); the API and the reports load one per request;
    every figure below is computed from it, so the three media read the same numbers.
    """

    program_id: int
    as_of: date
    awards: pd.DataFrame
    monthly: pd.DataFrame


def load_frames(session: Session, program_id: int, as_of: date | None = None) -> Frames:
    """Awards and monthly spending as of `as_of` (default: the programme's reporting date)."""
    from program.reporting import as_of_for

    day = as_of_for(session, program_id, as_of)
    return Frames(program_id, day, awards_frame(session, program_id), monthly_spend_frame(session, program_id, day))


def executed_totals(session: Session, days: dict[int, date]) -> dict[int, int]:
    """Net spending (reversals included) of each programme on or before its date: the sum of its
    `monthly_spend_frame` (`spent_through`)."""
    return {pid: spent_through(session, day, program_id=pid) for pid, day in days.items()}


def national_frames(session: Session, as_of: date | None = None) -> dict[int, Frames]:
    """The frames of every programme (2017–2025 at national scale), each at its own reporting date
    (or `as_of`): one `load_frames` per programme, the monthly GROUP BY once each (the index on
    program_id serves it). Measured in bench/bench_analytics.py: 2.4 s for 1M ledger rows, where
    one GROUP BY over the whole ledger cut per programme by a CASE took 4.7 s and polars 2.9 s."""
    from program.models import Program

    ids = [int(i) for i in session.execute(select(Program.id).order_by(Program.id)).scalars()]
    return {pid: load_frames(session, pid, as_of) for pid in ids}


def _filtered(frames: Frames, filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    awards = filters.awards(frames.awards)
    monthly = frames.monthly[frames.monthly["award_id"].isin(awards["award_id"])]
    return awards, monthly


def execution_rate(session: Session, program_id: int, *, by: str = "award", as_of: date | None = None,
                   filters: Filters = NO_FILTERS, frames: Frames | None = None) -> pd.DataFrame:
    """Execution (spent / project budget incl. matching) by award, field, call type or month, as of a date."""
    awards, monthly = _filtered(frames or load_frames(session, program_id, as_of), filters)
    return execution_by(awards, monthly, by)


def burn(session: Session, program_id: int, *, per_award: bool = False, as_of: date | None = None,
         filters: Filters = NO_FILTERS, frames: Frames | None = None) -> pd.DataFrame:
    """Planned (straight line over each agreement) against actual spending per month, as of a date."""
    awards, monthly = _filtered(frames or load_frames(session, program_id, as_of), filters)
    return burn_plan_vs_actual(awards, monthly, per_award=per_award)


def likely_unspent(session: Session, program_id: int, *, as_of: date | None = None,
                   only_flagged: bool = True, filters: Filters = NO_FILTERS,
                   frames: Frames | None = None) -> pd.DataFrame:
    """Awards likely to end with unspent money, as of a date (default: the programme's reporting date),
    flagged against the programme's `unspent_tolerance` (read here, from the rules)."""
    frames = frames or load_frames(session, program_id, as_of)
    awards, monthly = _filtered(frames, filters)
    tolerance = float(program_service.get_program(session, program_id).rules.unspent_tolerance)
    out = project_unspent(awards, monthly, frames.as_of, tolerance=tolerance)
    return out[out["likely_unspent"]].reset_index(drop=True) if only_flagged else out


def hires_compliance(session: Session, program_id: int, as_of: date | None = None) -> pd.DataFrame:
    """Required, counted, shortfall and hires lacking evidence per award (the 2.4 rule), as of a date
    (default: the programme's reporting date, as the headline figures)."""
    from program.reporting import as_of_for

    day = as_of_for(session, program_id, as_of)
    rows = [r.model_dump() for r in queries.hires_table(session, program_id=program_id, as_of=day)]
    df = pd.DataFrame(rows, columns=["award_id", "grant_krw", "required", "counted", "shortfall", "lacking_evidence"])
    df["compliant"] = df["shortfall"] == 0
    return df


def crowd_promised_vs_delivered(session: Session, program_id: int) -> pd.DataFrame:
    """Crowd payments, workers and training hours delivered against what the proposal promised."""
    rows = [r.model_dump() for r in queries.crowd_table(session, program_id=program_id)]
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    df["crowd_share_of_grant"] = df["crowd_share_of_grant"].astype("float64").round(4)
    df["payment_delivery_rate"] = _rate(df["crowd_paid_krw"], df["planned_crowd_payment_krw"])
    df["worker_delivery_rate"] = _rate(df["workers_engaged"], df["planned_crowd_workers"])
    df["training_delivery_rate"] = _rate(df["training_hours"], df["planned_training_hours"])
    return df


class HeadlineFigures(BaseModel):
    """The programme's headline figures on one date (names, definitions: core/glossary.py)."""

    program_id: int
    year: int
    as_of: date
    field_code: str | None = None
    call_type: str | None = None
    total_budget_krw: int
    awarded_grant_krw: int
    unawarded_krw: int
    matching_krw: int
    project_budget_krw: int
    executed_total_krw: int
    executed_grant_krw: int
    execution_rate_total: Decimal | None
    execution_rate_grant: Decimal | None
    remaining_total_krw: int
    projects: int
    projects_awarded: int
    hires_per_100m_krw: Decimal
    hires_required_call: int
    hires_required_awards: int
    hires_counted: int
    hires_shortfall: int
    crowd_planned_krw: int
    crowd_paid_krw: int
    crowd_workers_planned: int
    crowd_workers: int
    training_hours_planned: int
    training_hours: int
    unspent_tolerance: Decimal
    likely_unspent_awards: int
    delivery_min_ratio: Decimal
    types_contracted: int
    types_built: int
    types_verified: int
    types_opened: int


def _grant_share(awards: pd.DataFrame, monthly: pd.DataFrame) -> int:
    """Spending of the government grant: each award's spending × grant / (grant + matching), floored."""
    spent = monthly.groupby("award_id")["spent_krw"].sum()
    total = 0
    for a in awards.itertuples(index=False):
        s = int(spent.get(a.award_id, 0))
        den = int(a.grant_krw) + int(a.matching_krw)
        total += (s * int(a.grant_krw)) // den if den else 0
    return total


def _obligations_as_of(session: Session, award_ids: list[int], as_of: date) -> tuple[int, int, int, int, int, int]:
    """(planned crowd pay, crowd paid, planned workers, workers, planned training hours, training hours) as of."""
    from budgeting.models import CrowdActivity, TrainingSession
    from program.models import Proposal

    if not award_ids:
        return 0, 0, 0, 0, 0, 0
    ids = Award.id.in_(award_ids)
    planned = session.execute(
        select(func.coalesce(func.sum(Proposal.planned_crowd_payment_krw), 0),
               func.coalesce(func.sum(Proposal.planned_crowd_workers), 0),
               func.coalesce(func.sum(Proposal.planned_training_hours), 0))
        .select_from(Award).join(Proposal, Proposal.id == Award.proposal_id).where(ids)).one()
    paid = spent_through(session, as_of, award_ids=award_ids, category="crowdsourcing")
    workers = session.execute(
        select(func.coalesce(func.sum(CrowdActivity.workers_engaged), 0))
        .where(CrowdActivity.award_id.in_(award_ids), CrowdActivity.period_end <= as_of)).scalar_one()
    hours = session.execute(
        select(func.coalesce(func.sum(TrainingSession.hours), 0))
        .where(TrainingSession.award_id.in_(award_ids), TrainingSession.held_date <= as_of)).scalar_one()
    return int(planned[0]), int(paid), int(planned[1]), int(workers), int(planned[2]), int(hours)


def headline_figures(session: Session, program_id: int, as_of: date | None = None,
                     filters: Filters = NO_FILTERS, *, frames: Frames | None = None) -> HeadlineFigures:
    """The headline figures of a programme as of a date, under its current rules.

    The one function the dashboard's overview, the API (`GET /programs/{id}/figures`) and the
    status report read; each figure is named and defined in core/glossary.py. Rule values (hire
    rate, unspent tolerance, delivery minimum) are read from the programme here.
    """
    from program import delivery

    frames = frames or load_frames(session, program_id, as_of)
    day = frames.as_of
    program = program_service.get_program(session, program_id)
    rules_ = program.rules
    awards, monthly = _filtered(frames, filters)
    awarded = int(awards["grant_krw"].sum())
    matching = int(awards["matching_krw"].sum())
    executed = int(monthly["spent_krw"].sum())
    executed_grant = _grant_share(awards, monthly)
    hire_rows = [h for h in queries.hires_table(session, program_id=program_id, as_of=day)
                 if h.award_id in set(awards["award_id"].tolist())]
    planned_pay, paid, planned_workers, workers, planned_hours, hours = _obligations_as_of(
        session, awards["award_id"].tolist(), day)
    unspent = project_unspent(awards, monthly, day, tolerance=float(rules_.unspent_tolerance))
    funnel = {s.stage: s for s in delivery.delivery_funnel(session, today=day, program_id=program_id,
                                                           field_code=filters.field_code).stages}
    summary = program_service.program_summary(session, program_id)
    projects = summary.projects
    if filters.field_code:
        projects = next((c.projects for c in summary.projects_by_field if c.code == filters.field_code), 0)
    if filters.call_type:
        projects = next((c.projects for c in summary.projects_by_call_type if c.code == filters.call_type), 0)
    required_awards = sum(h.required for h in hire_rows)
    counted = sum(h.counted for h in hire_rows)
    return HeadlineFigures(
        program_id=program_id, year=program.year, as_of=day, field_code=filters.field_code,
        call_type=filters.call_type, total_budget_krw=program.total_budget_krw, awarded_grant_krw=awarded,
        unawarded_krw=program.total_budget_krw - awarded, matching_krw=matching,
        project_budget_krw=awarded + matching, executed_total_krw=executed, executed_grant_krw=executed_grant,
        execution_rate_total=ratio(executed, awarded + matching), execution_rate_grant=ratio(executed_grant, awarded),
        remaining_total_krw=awarded + matching - executed, projects=projects, projects_awarded=len(awards),
        hires_per_100m_krw=rules_.hires_per_100m_krw,
        hires_required_call=rules.required_direct_hires(program.total_budget_krw, rules_.hires_per_100m_krw),
        hires_required_awards=required_awards, hires_counted=counted,
        hires_shortfall=sum(h.shortfall for h in hire_rows),
        crowd_planned_krw=planned_pay, crowd_paid_krw=paid, crowd_workers_planned=planned_workers,
        crowd_workers=workers, training_hours_planned=planned_hours, training_hours=hours,
        unspent_tolerance=rules_.unspent_tolerance, likely_unspent_awards=int(unspent["likely_unspent"].sum()),
        delivery_min_ratio=rules_.delivery_min_ratio,
        types_contracted=funnel["contracted"].data_types, types_built=funnel["built"].data_types,
        types_verified=funnel["verified"].data_types, types_opened=funnel["opened"].data_types,
    )


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as JSON-ready dicts (numpy scalars → Python, NaN → None, dates → ISO)."""
    out = []
    for row in df.to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for k, v in row.items():
            if isinstance(v, float) and math.isnan(v):
                clean[k] = None
            elif hasattr(v, "item"):
                clean[k] = v.item()
            elif isinstance(v, date):
                clean[k] = v.isoformat()
            else:
                clean[k] = v
        out.append(clean)
    return out
