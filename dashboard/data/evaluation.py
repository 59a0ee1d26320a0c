"""Evaluation results and the evaluator's own score sheets (scoring.results, scoring.service)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from core.db import session_scope
from dashboard.data._cache import cached
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
        df = results.score_distribution(session, program_id, field_code=True)
    cols = ["field_code", "bin_start", "sheets"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    df["bin_start"] = (df["total"].clip(0, 99.999) // 5 * 5).astype(int)
    return df.groupby(["field_code", "bin_start"], as_index=False).size().rename(columns={"size": "sheets"})[cols]


@cached
def evaluator_leniency(program_id: int) -> pd.DataFrame | None:
    """Per evaluator code: sheets counted and leniency (mean of total − panel mean)."""
    with session_scope() as session:
        rows = results.evaluator_leniency(session, program_id)
    return pd.DataFrame([(r.evaluator_code, r.sheets, float(r.leniency)) for r in rows],
                        columns=["evaluator_code", "sheets", "leniency"])


def my_assignments(user: Any) -> list[dict[str, Any]] | None:
    """The caller's own sheets (never another evaluator's, never a conflicted project)."""
    from core.errors import Forbidden

    with session_scope() as session:
        try:
            return [a.model_dump(mode="json") for a in scoring.my_assignments(session, user)]
        except Forbidden:
            return []


def assignment_detail(user: Any, sheet_id: int) -> dict[str, Any] | None:
    """The caller's sheet with its rubric and proposal; before the evaluator has confirmed having no conflict of
    interest with the project, {"needs_confirmation": True, "check": what to read before confirming}."""
    from core.errors import Conflict, Forbidden, NotFound

    with session_scope() as session:
        try:
            detail = scoring.get_assignment(session, user, sheet_id).model_dump(mode="json")
        except (NotFound, Forbidden):
            return None
        except Conflict as exc:
            check = getattr(scoring, "conflict_check", None)
            if exc.field != "conflict_confirmation" or check is None:
                raise
            # The confirmation covers the whole project (every sheet of it opens): what to read is every
            # consortium the evaluator will score on it, this sheet's first.
            first = check(session, user, sheet_id)
            same = [a.id for a in scoring.my_assignments(session, user)
                    if a.project_id == first["project_id"] and a.id != sheet_id]
            first["consortia"] = [{"name": c["consortium_name"], "members": c["members"]}
                                  for c in [first, *(check(session, user, i) for i in same)]]
            first["sheets"] = 1 + len(same)
            return {"needs_confirmation": True, "check": first}
        from program import service as program_service

        # The comment threshold of the sheet's own programme (the service judges the sheet by the same rule).
        project = program_service.get_project(session, detail["assignment"]["project_id"])
        rules = program_service.get_program(session, project.program_id).rules
        detail["comment_required_below"] = str(rules.comment_required_below)
        from program.rules import required_direct_hires

        # The 2.4 rule of the sheet's programme, applied by its one rule function (program.rules).
        detail["hires_per_100m_krw"] = str(rules.hires_per_100m_krw)
        detail["required_direct_hires"] = required_direct_hires(detail["proposal"]["requested_grant_krw"],
                                                                rules.hires_per_100m_krw)
        return detail


def write_sheet(user: Any, sheet_id: int, scores: list[dict[str, Any]], *, submit: bool) -> dict[str, Any]:
    """Save (draft) or submit the caller's sheet through scoring.service; raises DomainError when refused."""
    from scoring import service as scoring
    from scoring.models import SheetIn

    data = SheetIn.model_validate({"scores": scores})
    with session_scope(write=True) as session:
        fn = scoring.submit_sheet if submit else scoring.save_sheet
        return fn(session, user, sheet_id, data).model_dump(mode="json")


# --------------------------------------------------------------------------- officials' evaluation workflow
# Each function calls the scoring service function the /api/v1/scoring route calls (which audits and commits).


def _actor(user: Any) -> Any:
    from core.audit import Actor

    return Actor.of(user)


def screening(project_id: int) -> list[dict[str, Any]]:
    """The screening of a project's proposals (eligible, reasons, override) as JSON-ready rows."""
    with session_scope() as session:
        return [s.model_dump(mode="json") for s in scoring.list_screening(session, project_id)]


def panel(project_id: int) -> dict[str, Any]:
    """The panel of a project with each member's sheets assigned and submitted."""
    with session_scope() as session:
        return scoring.get_panel(session, project_id).model_dump(mode="json")


def programme_progress(program_id: int) -> dict[int, dict[str, Any]]:
    """Project id → the sheets assigned, drafted and submitted (scoring.service.progress): one call for every
    project of the programme, for a table of many projects."""
    with session_scope() as session:
        rows = scoring.progress(session, program_id).projects
    return {r.project_id: r.model_dump(mode="json") for r in rows}


def project_progress(program_id: int, project_id: int) -> dict[str, Any] | None:
    """The sheets assigned, drafted and submitted of one project (scoring.service.progress)."""
    return programme_progress(program_id).get(project_id)


def submitted_sheets(project_id: int) -> list[dict[str, Any]]:
    """The project's submitted sheets (id, evaluator code, proposal, total) from its result, for a reopen."""
    from core.errors import NotFound

    with session_scope() as session:
        try:
            result = results.project_result(session, project_id)
        except NotFound:
            return []
    return [{"sheet_id": s.sheet_id, "evaluator_code": s.evaluator_code, "proposal_id": p.proposal_id,
             "consortium_name": p.consortium_name, "total": str(s.total)}
            for p in result.proposals for s in p.sheets]


def candidate_evaluators(project_id: int) -> list[dict[str, Any]] | None:
    """Active evaluators who may be seated on a panel (the scoring domain's registry search), or None while the
    domain has no registry. Conflicts are not filtered here: scoring.service.set_panel refuses them, naming them."""
    import importlib

    finder = getattr(scoring, "list_evaluators", None)
    if finder is None:
        try:
            finder = getattr(importlib.import_module("scoring.evaluators"), "list_evaluators", None)
        except ImportError:
            finder = None
    if finder is None:
        return None
    with session_scope() as session:
        rows = finder(session, active=True, limit=5000)
    items = rows[0] if isinstance(rows, tuple) else rows
    return [{"id": e.id, "code": e.code, "name": e.name} for e in items if getattr(e, "active", True)]


def run_screening(user: Any, project_id: int) -> list[dict[str, Any]]:
    with session_scope(write=True) as session:
        return [s.model_dump(mode="json") for s in scoring.screen_project(session, _actor(user), project_id)]


def override_screening(user: Any, proposal_id: int, eligible: bool, reason: str) -> dict[str, Any]:
    with session_scope(write=True) as session:
        return scoring.override_screening(session, _actor(user), proposal_id, eligible, reason).model_dump(mode="json")


def auto_panel(user: Any, project_id: int, size: int | None) -> dict[str, Any]:
    with session_scope(write=True) as session:
        return scoring.auto_panel(session, _actor(user), project_id, size).model_dump(mode="json")


def set_panel(user: Any, project_id: int, evaluator_ids: list[int]) -> dict[str, Any]:
    with session_scope(write=True) as session:
        return scoring.set_panel(session, _actor(user), project_id, evaluator_ids).model_dump(mode="json")


def reopen_sheet(user: Any, sheet_id: int, reason: str) -> dict[str, Any]:
    with session_scope(write=True) as session:
        sheet = scoring.reopen_sheet(session, _actor(user), sheet_id, reason)
        return {"id": sheet.id, "status": str(sheet.status), "reopen_count": sheet.reopen_count}


def confirm_selection(user: Any, project_id: int, proposal_id: int | None, reason: str | None) -> dict[str, Any]:
    from scoring.models import SelectionRead

    with session_scope(write=True) as session:
        sel = scoring.confirm_selection(session, _actor(user), project_id, proposal_id=proposal_id, reason=reason)
        return SelectionRead.model_validate(sel, from_attributes=True).model_dump(mode="json")


def declare_conflict(user: Any, sheet_id: int, reason: str) -> dict[str, Any]:
    """The evaluator declares a conflict with the sheet's consortium: leaves the panel, officials are told
    (scoring.service.declare_conflict_and_leave; the plain declaration where the domain has no such action)."""
    fn = getattr(scoring, "declare_conflict_and_leave", None) or scoring.declare_own_conflict
    with session_scope(write=True) as session:
        out = fn(session, user, sheet_id, reason)
        return out.model_dump(mode="json") if hasattr(out, "model_dump") else {"ok": True}


def certify_no_conflict(user: Any, sheet_id: int) -> dict[str, Any]:
    """The evaluator confirms having no conflict with the sheet's project (scoring.service.confirm_no_conflict)."""
    with session_scope(write=True) as session:
        return scoring.confirm_no_conflict(session, user, sheet_id).model_dump(mode="json")
