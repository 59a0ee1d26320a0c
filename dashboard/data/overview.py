"""The overview's headline numbers and the awards that need attention."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from dashboard.data._cache import cached
from dashboard.data.money import awards_frame, headline_figures, hires_frame, likely_unspent


@cached
def headline(program_id: int, as_of: date | None = None) -> dict[str, Any]:
    """The overview's numbers: budgeting.analytics.headline_figures (the API's and the status report's too)."""
    return headline_figures(program_id, as_of)


@cached
def awards_behind(program_id: int, as_of: date | None = None) -> pd.DataFrame | None:
    """Awards projected to leave money unspent or short of their required hires (most behind first).

    Columns: award_id, project_code, projected_unspent_rate, shortfall, required.
    """
    unspent = likely_unspent(program_id, as_of)
    if unspent is None:
        return None
    hires = hires_frame(program_id, as_of)  # the hires as that day saw them, like the unspent projection
    awards = awards_frame(program_id)[["id", "project_code"]].rename(columns={"id": "award_id"})
    df = awards.merge(unspent[["award_id", "projected_unspent_rate"]], on="award_id", how="left") \
        .merge(hires[["award_id", "required", "shortfall"]], on="award_id", how="left")
    df["shortfall"] = df["shortfall"].fillna(0).astype(int)
    df = df[(df["projected_unspent_rate"].notna()) | (df["shortfall"] > 0)]
    df = df.assign(_key=df["projected_unspent_rate"].fillna(0) + df["shortfall"] / df["required"].clip(lower=1))
    return df.sort_values("_key", ascending=False).drop(columns="_key").reset_index(drop=True)
