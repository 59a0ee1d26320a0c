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


def _leads(ctx: CheckContext, proposal_ids: list[int]) -> dict[int, str]:
    from program.names import proposal_leads_for_checks

    return proposal_leads_for_checks(ctx.session, proposal_ids)


@check("EVA-01", "이해충돌 평가위원 점수 반영", "Score sheet of a conflicted evaluator counted", Severity.high,
       domain="evaluation", scope="programme",
       rule="a sheet by an evaluator with a declared conflict of interest is never counted in a confirmed result")
def conflicted_sheet_counted(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    from scoring import results

    for pid in ctx.program_ids:
        rows = results.conflicted_sheets_counted(ctx.session, pid, frame=_frame(ctx, pid))
        leads = _leads(ctx, [r["proposal_id"] for r in rows])
        for row in rows:
            lead = leads.get(row["proposal_id"], "–")
            yield self.finding(
                ctx, "compliance.eva01", {"evaluator": row["evaluator_code"], "total": row["total"],
                                          "proposal": lead},
                program_id=pid, project_id=row["project_id"],
                refs={"sheet": [row["sheet_id"]], "selection": [row["selection_id"]]},
                evidence=[{"evaluator": row["evaluator_code"], "panel": row["panel_code"], "total": row["total"],
                           "proposal": lead, "confirmed": row["confirmed_at"]}])


@check("EVA-02", "사유 없는 순위·기준점 이탈 선정", "Selection contradicting the ranking or threshold without a reason",
       Severity.high, domain="evaluation", scope="programme",
       rule="a selection of a proposal that is not ranked first or is below the pass threshold records a reason")
def selection_without_reason(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    from scoring import results

    for pid in ctx.program_ids:
        rows = [r for r in results.selections_departing_from_ranking(ctx.session, pid, frame=_frame(ctx, pid))
                if not r.get("has_reason")]
        leads = _leads(ctx, [r["proposal_id"] for r in rows])
        threshold = ctx.rules(pid).pass_threshold
        for row in rows:
            lead = leads.get(row["proposal_id"], "–")
            key = "compliance.eva02.threshold" if row.get("below_threshold") else "compliance.eva02.rank"
            yield self.finding(
                ctx, key, {"proposal": lead, "rank": row.get("rank"), "score": row.get("final_score"),
                           "threshold": threshold},
                program_id=pid, project_id=row["project_id"],
                refs={"selection": [row["selection_id"]], "proposal": [row["proposal_id"]]},
                evidence=[{"proposal": lead, "rank": row.get("rank"), "score": row.get("final_score"),
                           "threshold": threshold, "reason": row.get("override_reason")}])
