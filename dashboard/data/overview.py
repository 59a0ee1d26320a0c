"""The overview's headline numbers and the awards that need attention."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.data._cache import cached
from dashboard.data.delivery import delivery_funnel
from dashboard.data.money import awards_frame, budget_headline, hires_frame, likely_unspent
from dashboard.data.programme import program_summary


@cached
def headline(program_id: int) -> dict[str, Any]:
    """The overview's numbers; None where the owning service is not available."""
    summary = program_summary(program_id)
    out: dict[str, Any] = {
        "total_budget_krw": summary["total_budget_krw"], "projects": summary["projects"],
        "hires_required": summary["required_direct_hires"], "awarded_krw": None, "executed_krw": None,
        "remaining_krw": None, "projects_awarded": None, "hires_counted": None, "crowd_workers": None,
        "types_opened": None,
    }
    out.update(budget_headline(program_id))
    funnel = delivery_funnel(program_id)
    if funnel is not None:
        stages = {s["stage"]: s for s in funnel["stages"]}
        if "opened" in stages:
            out["types_opened"] = stages["opened"]["data_types"]
    return out


@cached
def awards_behind(program_id: int) -> pd.DataFrame | None:
    """Awards projected to leave money unspent or short of their required hires (most behind first).

    Columns: award_id, project_code, projected_unspent_rate, shortfall, required.
    """
    unspent = likely_unspent(program_id)
    if unspent is None:
        return None
    hires = hires_frame(program_id)
    awards = awards_frame(program_id)[["id", "project_code"]].rename(columns={"id": "award_id"})
    df = awards.merge(unspent[["award_id", "projected_unspent_rate"]], on="award_id", how="left") \
        .merge(hires[["award_id", "required", "shortfall"]], on="award_id", how="left")
    df["shortfall"] = df["shortfall"].fillna(0).astype(int)
    df = df[(df["projected_unspent_rate"].notna()) | (df["shortfall"] > 0)]
    df = df.assign(_key=df["projected_unspent_rate"].fillna(0) + df["shortfall"] / df["required"].clip(lower=1))
    return df.sort_values("_key", ascending=False).drop(columns="_key").reset_index(drop=True)
