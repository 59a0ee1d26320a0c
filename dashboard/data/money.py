"""Awards, execution, hires, crowdsourcing and the public job board (budgeting.queries, budgeting.analytics)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from budgeting import analytics, queries
from core.db import session_scope
from dashboard.data._cache import cached, today

AWARD_COLUMNS = ["id", "project_id", "project_code", "project_title", "field_code", "call_type_code",
                 "consortium_name", "grant_krw", "matching_krw", "budget_krw", "spent_krw", "remaining_krw",
                 "execution_rate", "start_date", "current_end_date", "status"]


@cached
def awards_frame(program_id: int) -> pd.DataFrame:
    """Every award of the programme with its totals (budgeting.queries.list_awards)."""
    with session_scope() as session:
        rows, _ = queries.list_awards(session, program_id=program_id, limit=100_000)
    df = pd.DataFrame([r.model_dump() for r in rows], columns=AWARD_COLUMNS)
    df["execution_rate"] = df["execution_rate"].astype(float)
    return df


@cached
def budget_headline(program_id: int) -> dict[str, Any]:
    """Money, projects awarded, hires counted and crowd workers (budgeting.queries)."""
    with session_scope() as session:
        totals = queries.program_totals(session, program_id)
        hires = queries.program_hires(session, program_id)
    crowd = crowd_frame(program_id)
    return {"awarded_krw": totals.awarded_krw, "executed_krw": totals.executed_krw,
            "project_budget_krw": totals.awarded_krw + totals.matching_krw,
            "remaining_krw": totals.remaining_krw, "projects_awarded": totals.projects_awarded,
            "hires_counted": hires.counted, "hires_required_awarded": hires.required,
            "crowd_workers": int(crowd["workers_engaged"].sum()) if not crowd.empty else 0}


@cached
def _analytics_frames(program_id: int) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """(awards, monthly spend) frames of budgeting.analytics, aggregated in SQL; None without the service."""
    with session_scope() as session:
        return analytics.awards_frame(session, program_id), analytics.monthly_spend_frame(session, program_id)


@cached
def monthly_execution(program_id: int, field_code: str | None = None,
                      call_type: str | None = None) -> pd.DataFrame | None:
    """Spent and planned per month (columns month, spent_krw, planned_krw) or None without the service."""
    frames = _analytics_frames(program_id)
    if frames is None:
        return None
    from budgeting import analytics

    awards, monthly = frames
    if field_code:
        awards = awards[awards["field_code"] == field_code]
    if call_type:
        awards = awards[awards["call_type"] == call_type]
    if awards.empty or monthly[monthly["award_id"].isin(awards["award_id"])].empty:
        return pd.DataFrame(columns=["month", "spent_krw", "planned_krw"])
    out = analytics.burn_plan_vs_actual(awards, monthly)
    out["month"] = pd.to_datetime(out["month"] + "-01")
    return out[["month", "spent_krw", "planned_krw"]]


@cached
def likely_unspent(program_id: int) -> pd.DataFrame | None:
    frames = _analytics_frames(program_id)
    assert frames is not None
    awards, monthly = frames
    if monthly.empty:
        return analytics.project_unspent(awards.iloc[0:0], monthly, today())
    y, mo = str(monthly["month"].max()).split("-")
    from datetime import date

    out = analytics.project_unspent(awards, monthly, date(int(y), int(mo), 1))
    return out[out["likely_unspent"]].reset_index(drop=True)


@cached
def award_detail(award_id: int) -> dict[str, Any] | None:
    from core.errors import NotFound

    with session_scope() as session:
        try:
            return queries.award_detail(session, award_id, ledger_limit=200).model_dump(mode="json")
        except NotFound:
            return None


@cached
def hires_frame(program_id: int) -> pd.DataFrame:
    cols = ["award_id", "grant_krw", "required", "counted", "shortfall", "lacking_evidence"]
    with session_scope() as session:
        rows = queries.hires_table(session, program_id=program_id)
    return pd.DataFrame([r.model_dump() for r in rows], columns=cols)


@cached
def crowd_frame(program_id: int) -> pd.DataFrame:
    cols = ["award_id", "workers_engaged", "items_labelled", "crowd_paid_krw", "crowd_share_of_grant",
            "planned_crowd_payment_krw", "planned_crowd_workers", "training_sessions", "training_hours",
            "planned_training_hours"]
    with session_scope() as session:
        rows = queries.crowd_table(session, program_id=program_id)
    return pd.DataFrame([r.model_dump() for r in rows], columns=cols)


JOB_COLUMNS = ["id", "title", "platform", "pay_krw", "pay_unit", "open_date", "close_date", "field_code",
               "field_name_ko", "region", "project_title"]


@cached
def public_jobs(field_code: str | None = None, region: str | None = None) -> pd.DataFrame | None:
    """Open crowd jobs (no personal data), newest first; None without the service."""
    with session_scope() as session:
        rows, _ = queries.list_public_jobs(session, field_code=field_code, region=region, limit=10_000)
    return pd.DataFrame([r.model_dump() for r in rows], columns=JOB_COLUMNS)
