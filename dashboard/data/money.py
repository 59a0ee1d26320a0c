"""Awards, execution, hires, crowdsourcing and the public job board (budgeting.queries, budgeting.analytics)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from budgeting import analytics, queries
from core.db import session_scope
from dashboard.data._cache import cached

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
def analytics_frames(program_id: int, as_of: date | None = None) -> analytics.Frames:
    """One analytics load (awards, monthly spending up to the as-of date) shared by the pages' figures."""
    with session_scope() as session:
        return analytics.load_frames(session, program_id, as_of)


@cached
def headline_figures(program_id: int, as_of: date | None = None, field_code: str | None = None,
                     call_type: str | None = None) -> dict[str, Any]:
    """budgeting.analytics.headline_figures as JSON values (the API's GET /programs/{id}/figures)."""
    frames = analytics_frames(program_id, as_of)
    with session_scope() as session:
        return analytics.headline_figures(session, program_id, frames=frames,
                                          filters=analytics.Filters(field_code, call_type)).model_dump()


@cached
def monthly_execution(program_id: int, field_code: str | None = None,
                      call_type: str | None = None, as_of: date | None = None) -> pd.DataFrame | None:
    """Spent and planned per month (columns month, spent_krw, planned_krw): budgeting.analytics.burn."""
    frames = analytics_frames(program_id, as_of)
    with session_scope() as session:
        out = analytics.burn(session, program_id, frames=frames, filters=analytics.Filters(field_code, call_type))
    if out.empty or int(out["spent_krw"].abs().sum()) == 0:
        return pd.DataFrame(columns=["month", "spent_krw", "planned_krw"])
    out["month"] = pd.to_datetime(out["month"] + "-01")
    return out[["month", "spent_krw", "planned_krw"]]


@cached
def likely_unspent(program_id: int, as_of: date | None = None) -> pd.DataFrame | None:
    """budgeting.analytics.likely_unspent: flagged against the programme's unspent tolerance."""
    frames = analytics_frames(program_id, as_of)
    with session_scope() as session:
        return analytics.likely_unspent(session, program_id, frames=frames)


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
