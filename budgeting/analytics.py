"""Execution analytics over the ledger (pandas), shared by the API, the dashboard and the reports.

Loading is one SQL query per frame, aggregated in the database (GROUP BY award and month),
never ORM objects. The arithmetic lives in pure frame → frame functions
(`execution_by`, `burn_plan_vs_actual`, `project_unspent`) that tests feed by hand.
Money columns are int64 won; rates are floats rounded to 4 places (display only).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session

from budgeting import queries, rules
from budgeting.models import Award, BudgetLine, Expenditure
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
        .group_by(BudgetLine.award_id).subquery()  # type: ignore[arg-type]
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


def monthly_spend_frame(session: Session, program_id: int) -> pd.DataFrame:
    """Net spending (reversals included) per award and month ('YYYY-MM'), aggregated in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        month = func.to_char(Expenditure.spent_date, "YYYY-MM")
    else:
        month = func.substr(Expenditure.spent_date, 1, 7)
    month = month.label("month")
    rows = session.execute(
        select(Expenditure.award_id, month, func.sum(Expenditure.amount_krw))
        .where(Expenditure.program_id == program_id).group_by(Expenditure.award_id, month)
        .order_by(Expenditure.award_id, month)
    ).all()
    df = pd.DataFrame([tuple(r) for r in rows], columns=MONTHLY_COLUMNS)
    df["spent_krw"] = df["spent_krw"].astype("int64")
    return df


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


def execution_rate(session: Session, program_id: int, *, by: str = "award") -> pd.DataFrame:
    """Execution rate by award, field, call type or month (one aggregate query + one small one)."""
    return execution_by(awards_frame(session, program_id), monthly_spend_frame(session, program_id), by)


def burn(session: Session, program_id: int, *, per_award: bool = False) -> pd.DataFrame:
    return burn_plan_vs_actual(awards_frame(session, program_id), monthly_spend_frame(session, program_id),
                               per_award=per_award)


def likely_unspent(session: Session, program_id: int, *, as_of: date | None = None,
                   only_flagged: bool = True) -> pd.DataFrame:
    """Awards likely to end with unspent money; `as_of` defaults to the last spending month."""
    awards = awards_frame(session, program_id)
    monthly = monthly_spend_frame(session, program_id)
    if as_of is None:
        if monthly.empty:
            return project_unspent(awards.iloc[0:0], monthly, date(2000, 1, 1))
        y, mo = str(monthly["month"].max()).split("-")
        as_of = date(int(y), int(mo), 1)
    tolerance = float(program_service.get_program(session, program_id).rules.unspent_tolerance)
    out = project_unspent(awards, monthly, as_of, tolerance=tolerance)
    return out[out["likely_unspent"]].reset_index(drop=True) if only_flagged else out


def hires_compliance(session: Session, program_id: int) -> pd.DataFrame:
    """Required, counted, shortfall and hires lacking evidence per award (the 2.4 rule)."""
    rows = [r.model_dump() for r in queries.hires_table(session, program_id=program_id)]
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
