"""Checks of the evaluation: conflicted sheets counted, selections against the ranking without a reason."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compliance.models import Finding, Severity
from compliance.registry import Check, CheckContext, check


def _frame(ctx: CheckContext, program_id: int) -> Any:
    """The programme's evaluation data, loaded once for both checks of a run."""
    from scoring.evaluation_frame import load_frame

    key = f"scoring.evaluation_frame:{program_id}"
    if key not in ctx.cache:
        ctx.cache[key] = load_frame(ctx.session, program_id)
    return ctx.cache[key]


@check("EVA-01", "이해충돌 평가위원 점수 반영", "Score sheet of a conflicted evaluator counted", Severity.high,
       domain="evaluation",
       rule="a sheet by an evaluator with a declared conflict of interest is never counted in a confirmed result")
def conflicted_sheet_counted(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    from scoring import results

    for pid in ctx.program_ids:
        for row in results.conflicted_sheets_counted(ctx.session, pid, frame=_frame(ctx, pid)):
            yield self.finding(
                message=f"sheet {row['sheet_id']} by evaluator {row['evaluator_code']} (conflicted) was counted "
                        f"in selection {row['selection_id']} of project {row['project_id']}",
                subject=f"score_sheet:{row['sheet_id']}", program_id=pid, project_id=row["project_id"],
                evidence=[dict(row)])


@check("EVA-02", "사유 없는 순위·기준점 이탈 선정", "Selection contradicting the ranking or threshold without a reason",
       Severity.high, domain="evaluation",
       rule="a selection of a proposal that is not ranked first or is below the pass threshold records a reason")
def selection_without_reason(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    from scoring import results

    for pid in ctx.program_ids:
        for row in results.selections_departing_from_ranking(ctx.session, pid, frame=_frame(ctx, pid)):
            if row.get("has_reason"):
                continue
            why = "below the pass threshold" if row.get("below_threshold") else f"ranked {row.get('rank')}"
            yield self.finding(
                message=f"selection {row['selection_id']} of project {row['project_id']} chose proposal "
                        f"{row['proposal_id']} ({why}) without a recorded reason",
                subject=f"selection:{row['selection_id']}", program_id=pid, project_id=row["project_id"],
                evidence=[dict(row)])
