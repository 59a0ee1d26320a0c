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
def award_execution(program_id: int, as_of: date | None = None) -> pd.DataFrame:
    """Spent (grant and matching) and execution rate per award as of the date (budgeting.analytics.execution_rate).

    Columns award_id, spent_krw, execution_rate (spent / project budget; NaN without a budget).
    """
    frames = analytics_frames(program_id, as_of)
    with session_scope() as session:
        out = analytics.execution_rate(session, program_id, by="award", frames=frames)
    return out[["award_id", "spent_krw", "execution_rate"]]


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
def hires_frame(program_id: int, as_of: date | None = None) -> pd.DataFrame:
    """Hires per award as of a day (None: every hire on record; budgeting.queries.hires_table)."""
    cols = ["award_id", "grant_krw", "required", "counted", "shortfall", "lacking_evidence"]
    with session_scope() as session:
        rows = queries.hires_table(session, program_id=program_id, as_of=as_of)
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
               "field_name_ko", "region", "project_title", "apply_url", "status"]
JOB_PAGE_MAX = 100  # rows one request of the board may ask for (the API's limit too)


@cached
def public_jobs(program_id: int | None, on: date, field_code: str | None = None, region: str | None = None,
                include_closed: bool = False, sort: str = "close_date", limit: int = 20,
                offset: int = 0) -> tuple[pd.DataFrame, int]:
    """One page of the public job board on day `on` and the number of postings in the selection
    (budgeting.queries.list_public_jobs, the API's GET /api/v1/public/jobs): sorted and paged by the database."""
    limit = max(1, min(int(limit), JOB_PAGE_MAX))
    with session_scope() as session:
        rows, total = queries.list_public_jobs(session, on=on, program_id=program_id, field_code=field_code,
                                               region=region, include_closed=include_closed, sort=sort,
                                               limit=limit, offset=max(0, int(offset)))
    return pd.DataFrame([r.model_dump() for r in rows], columns=JOB_COLUMNS), total


@cached
def public_job_counts(program_id: int | None, on: date, field_code: str | None = None, region: str | None = None,
                      include_closed: bool = False) -> pd.DataFrame:
    """Postings of the board's selection per field and region (columns field_code, region, count)."""
    with session_scope() as session:
        rows = queries.public_job_counts(session, on=on, program_id=program_id, field_code=field_code,
                                         region=region, include_closed=include_closed)
    return pd.DataFrame(rows, columns=["field_code", "region", "count"])


@cached
def public_job_regions(program_id: int | None) -> list[str]:
    with session_scope() as session:
        return queries.public_job_regions(session, program_id=program_id)


@cached
def figures_by_year() -> list[Any]:
    """Per programme year 2017–2025 (budgeting.years.figures_by_year), findings not yet by year."""
    from budgeting import years

    with session_scope() as session:
        return years.figures_by_year(session, findings_by_year=findings_by_year_hook())


def findings_by_year_hook() -> dict[int, int] | None:
    """HOOK for compliance's stored findings counted by programme year ({year: findings}).

    Returns None until compliance keeps findings with their programme (issue 14: "findings stay
    current"); the years table then shows the column as not available instead of re-running checks.
    """
    return None
