"""Evaluation results and the evaluator's own score sheets (scoring.results, scoring.service)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from core.db import session_scope
from dashboard.data._cache import cached
from dashboard.data.programme import project_fields
from scoring import results
from scoring import service as scoring


@cached
def evaluation_overview(program_id: int) -> pd.DataFrame | None:
    """One row per project: proposals, panel size, sheets submitted, complete, outcome, top score."""
    with session_scope() as session:
        return results.evaluation_overview(session, program_id)


@cached
def project_result(project_id: int) -> dict[str, Any] | None:
    from core.errors import NotFound

    with session_scope() as session:
        try:
            return results.project_result(session, project_id).model_dump(mode="json")
        except NotFound:
            return None


@cached
def score_histogram(program_id: int) -> pd.DataFrame | None:
    """Counted sheet totals binned per field and 5-point band (columns field_code, bin_start, sheets).

    Binned here on the server: the browser receives at most 6 × 20 counts, never the raw scores.
    """
    with session_scope() as session:
        scores = results.score_distribution(session, program_id)
    cols = ["field_code", "bin_start", "sheets"]
    if scores.empty:
        return pd.DataFrame(columns=cols)
    df = scores.merge(project_fields(program_id), on="project_id", how="left")
    df["bin_start"] = (df["total"].clip(0, 99.999) // 5 * 5).astype(int)
    return df.groupby(["field_code", "bin_start"], as_index=False).size().rename(columns={"size": "sheets"})[cols]


@cached
def evaluator_leniency(program_id: int) -> pd.DataFrame | None:
    """Per evaluator code: sheets counted and leniency (mean of total − panel mean)."""
    with session_scope() as session:
        stats = results.evaluator_stats(session, program_id)
    return pd.DataFrame([{"evaluator_code": r.evaluator_code, "sheets": r.sheets, "leniency": float(r.leniency)}
                         for r in stats.leniency], columns=["evaluator_code", "sheets", "leniency"])


def my_assignments(user: Any) -> list[dict[str, Any]] | None:
    """The caller's own sheets (never another evaluator's, never a conflicted project)."""
    from core.errors import Forbidden

    with session_scope() as session:
        try:
            return [a.model_dump(mode="json") for a in scoring.my_assignments(session, user)]
        except Forbidden:
            return []


def assignment_detail(user: Any, sheet_id: int) -> dict[str, Any] | None:
    from core.errors import Forbidden, NotFound

    with session_scope() as session:
        try:
            detail = scoring.get_assignment(session, user, sheet_id).model_dump(mode="json")
        except (NotFound, Forbidden):
            return None
        from program import service as program_service

        # The comment threshold of the sheet's own programme (the service judges the sheet by the same rule).
        project = program_service.get_project(session, detail["assignment"]["project_id"])
        rules = program_service.get_program(session, project.program_id).rules
        detail["comment_required_below"] = str(rules.comment_required_below)
        return detail


def write_sheet(user: Any, sheet_id: int, scores: list[dict[str, Any]], *, submit: bool) -> dict[str, Any]:
    """Save (draft) or submit the caller's sheet through scoring.service; raises DomainError when refused."""
    from scoring import service as scoring
    from scoring.models import SheetIn

    data = SheetIn.model_validate({"scores": scores})
    with session_scope(write=True) as session:
        fn = scoring.submit_sheet if submit else scoring.save_sheet
        return fn(session, user, sheet_id, data).model_dump(mode="json")
