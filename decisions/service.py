"""Use cases of what-if runs: load the recorded data, call the pure run, record the run in the audit log.

A run reads (score sheets, selections, envelopes, awards) and writes one audit event
("whatif.run": its inputs and the digest of its result); it never writes a selection, an
award or a budget line.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from budgeting import queries as budgeting_queries
from budgeting import service as budgeting_service
from core import audit
from core.audit import Actor
from core.errors import RuleViolation
from core.http_errors import ValidationReason
from decisions import whatif
from decisions.models import (
    Draw,
    EnvelopeComparison,
    ProjectComparison,
    Totals,
    WhatIfRequest,
    WhatIfResult,
)
from program import service as program_service
from program.models import ProgramRules
from scoring import rules as scoring_rules
from scoring.evaluation_frame import Frame, load_frame

D = scoring_rules.to_decimal


def envelope_map(session: Session, program_id: int, project_ids: list[int]) -> dict[int, int | None]:
    """Project id → the envelope it draws on: its award's, else `budgeting.service.envelope_for_project`
    (the one rule that says which envelope covers a project); None when no envelope covers it."""
    award_rows, _ = budgeting_queries.list_awards(session, program_id=program_id, limit=1_000_000)
    by_award = {a.project_id: a.envelope_id for a in award_rows}
    has_envelopes = bool(budgeting_service.list_envelopes(session, program_id))
    out: dict[int, int | None] = {}
    for prj_id in project_ids:
        if prj_id in by_award:
            out[prj_id] = by_award[prj_id]
            continue
        try:
            out[prj_id] = budgeting_service.envelope_for_project(
                session, program_service.get_project(session, prj_id)).id if has_envelopes else None
        except RuleViolation:
            out[prj_id] = None
    return out


def load_inputs(session: Session, program_id: int) -> whatif.Inputs:
    """The recorded data a run needs: the evaluation frame, the envelopes and the awards (bulk reads)."""
    program_service.get_program(session, program_id)  # NotFound for an unknown programme
    frame = load_frame(session, program_id)
    envs = budgeting_service.list_envelopes(session, program_id)
    envelopes = [whatif.EnvelopeInfo(e.id, e.code, e.name_ko, e.call_type_id, e.amount_krw, e.awarded_krw)
                 for e in envs if e.id is not None]
    award_rows, _ = budgeting_queries.list_awards(session, program_id=program_id, limit=1_000_000)
    awards = {a.project_id: whatif.AwardFact(a.project_id, a.grant_krw, a.envelope_id) for a in award_rows}
    envelope_of = envelope_map(session, program_id, list(frame.projects))
    return whatif.Inputs(frame=frame, envelopes=envelopes, envelope_of=envelope_of, awards=awards)


def scenario_rules(recorded: ProgramRules, request: WhatIfRequest) -> ProgramRules:
    """The programme's rules with the request's changes, checked as a whole (RuleViolation naming the field)."""
    changes = request.rules.model_dump(mode="json", exclude_none=True)
    trimming = changes.pop("trimming", None)
    merged = {**recorded.model_dump(mode="json"), **changes}
    try:
        rules = ProgramRules.model_validate(merged)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err.get("loc", ())) or "rules"
        raise RuleViolation("decisions.err.rules", field=f"rules.{loc}", reason=ValidationReason(err)) from None
    if trimming is False:
        rules = rules.model_copy(update={"trim_from_sheets": whatif.NO_TRIM})
    return rules


def scenario(inp: whatif.Inputs, request: WhatIfRequest) -> whatif.Scenario:
    """The run's rules, envelope amounts and lottery from a request."""
    rules = scenario_rules(inp.frame.rules, request)
    call_types = {p["call_type_id"]: p["call_type"] for p in inp.frame.projects.values()}
    changes = [(b.target, b.change_pct, b.amount_krw) for b in request.budgets]
    try:
        amounts = whatif.envelope_amounts(inp.envelopes, call_types, changes)
    except KeyError as exc:
        known = ", ".join(sorted({e.code for e in inp.envelopes} | set(call_types.values())))
        raise RuleViolation("decisions.err.unknown_budget_target", field="budgets.target", target=exc.args[0],
                            known=known) from None
    except ValueError as exc:
        raise RuleViolation("decisions.err.budgets", field="budgets", reason=exc) from None
    lottery = whatif.Lottery(request.lottery.seed, request.lottery.tolerance) if request.lottery else None
    return whatif.Scenario(rules=rules, envelope_amounts=amounts, keep_departures=request.keep_departures,
                           lottery=lottery)


def _totals(frame: Frame, rows: list[tuple[int | None, int | None]]) -> Totals:
    """(proposal id, grant) of each funded project → totals; crowd share from the proposals' plans."""
    funded = [(pid, g) for pid, g in rows if pid is not None and g]
    grants = sum(g for _, g in funded)
    crowd = sum(frame.proposals[pid]["planned_crowd_payment_krw"] or 0 for pid, _ in funded)
    bonus = sum(1 for pid, _ in funded if "CROWD_SHARE" in frame.bonus(pid)[0])
    share = D(scoring_rules.as_fraction(crowd) / grants, 4) if grants else None
    return Totals(funded_projects=len(funded), grants_krw=grants, required_hires=0, crowd_payment_krw=crowd,
                  crowd_share=share, crowd_bonus_projects=bonus)


def compare(inp: whatif.Inputs, request: WhatIfRequest) -> WhatIfResult:
    """The comparison of a run with what was decided (pure given the loaded inputs; nothing is recorded)."""
    sc = scenario(inp, request)
    out = whatif.run(inp, sc)
    recorded, run_frame = inp.frame, whatif.scenario_frame(inp.frame, sc.rules)
    env_by_id = {e.id: e for e in inp.envelopes}
    projects: list[ProjectComparison] = []

    def name(pid: int | None) -> str | None:
        return recorded.proposals[pid]["consortium_name"] if pid else None

    decided_grants: dict[int, int] = {}
    for prj_id, prj in recorded.projects.items():
        d, w = out.decided[prj_id], out.projects[prj_id]
        env_id = inp.envelope_of.get(prj_id)
        if env_id is not None and d.grant_krw:
            decided_grants[env_id] = decided_grants.get(env_id, 0) + d.grant_krw
        projects.append(ProjectComparison(
            project_id=prj_id, project_code=prj["code"], title_ko=prj["title_ko"], call_type=prj["call_type"],
            field_code=prj["field_code"], envelope_code=env_by_id[env_id].code if env_id in env_by_id else None,
            confirmed=d.confirmed, decided_outcome=d.outcome, decided_proposal_id=d.proposal_id,
            decided_consortium=name(d.proposal_id), decided_final_score=D(d.final_score),
            decided_grant_krw=d.grant_krw, decided_hires=d.hires,
            whatif_outcome=w.outcome, whatif_proposal_id=w.proposal_id, whatif_consortium=name(w.proposal_id),
            whatif_final_score=D(w.final_score), whatif_recommended_krw=w.recommended_krw,
            whatif_grant_krw=w.grant_krw, whatif_hires=w.hires, funding=w.funding,  # type: ignore[arg-type]
            departure=w.departure, drawn=w.drawn,  # type: ignore[arg-type]
            consortium_changed=(d.proposal_id if d.grant_krw else None) != (w.proposal_id if w.grant_krw else None),
            grant_changed=(d.grant_krw or 0) != (w.grant_krw or 0),
            grant_delta_krw=(w.grant_krw or 0) - (d.grant_krw or 0)))
    envelopes = []
    for e in inp.envelopes:
        funded, n_funded, n_unfunded = out.envelope_funded.get(e.id, (0, 0, 0))
        amount = sc.envelope_amounts.get(e.id, e.amount_krw)
        envelopes.append(EnvelopeComparison(
            envelope_id=e.id, code=e.code, name_ko=e.name_ko, decided_amount_krw=e.amount_krw,
            decided_awarded_krw=e.awarded_krw, decided_grants_krw=decided_grants.get(e.id, 0),
            whatif_amount_krw=amount, whatif_funded_krw=funded, whatif_remaining_krw=amount - funded,
            whatif_funded_projects=n_funded, whatif_unfunded_projects=n_unfunded))
    decided = _totals(recorded, [(d.proposal_id, d.grant_krw) for d in out.decided.values()])
    decided.required_hires = sum(d.hires for d in out.decided.values())
    after = _totals(run_frame, [(w.proposal_id, w.grant_krw) for w in out.projects.values()])
    after.required_hires = sum(w.hires for w in out.projects.values())
    result = WhatIfResult(
        program_id=recorded.program_id, request=request, rules_used=_rules_used(sc.rules),
        envelope_rule=whatif.ENVELOPE_RULE, projects=projects, envelopes=envelopes, decided=decided,
        whatif=after, draws=[Draw(where=d.where, key=d.key, candidates=d.candidates, chosen=d.chosen)  # type: ignore[arg-type]
                             for d in out.draws],
        consortium_changes=sum(p.consortium_changed for p in projects),
        grant_changes=sum(p.grant_changed for p in projects), digest="")
    result.digest = result_digest(result)
    return result


def _rules_used(rules: ProgramRules) -> dict[str, Any]:
    keys = ("pass_threshold", "trim_from_sheets", "adjustment_bands", "bonus_crowd_points", "bonus_vulnerable_points",
            "bonus_regional_lead_points", "bonus_cap", "bonus_crowd_share_min", "hires_per_100m_krw", "panel_min")
    dumped = rules.model_dump(mode="json")
    used = {k: dumped[k] for k in keys}
    if rules.trim_from_sheets == whatif.NO_TRIM:
        used["trim_from_sheets"] = None  # trimming off
    return used


def result_digest(result: WhatIfResult) -> str:
    """SHA-256 of the result without its digest and audit id (canonical JSON)."""
    body = result.model_dump(mode="json", exclude={"digest", "audit_event_id"})
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def run_what_if(session: Session, program_id: int, request: WhatIfRequest) -> WhatIfResult:
    """Run a what-if over every project of the programme (reads only; see `record_run`)."""
    return compare(load_inputs(session, program_id), request)


def record_run(session: Session, actor: Actor, result: WhatIfResult) -> WhatIfResult:
    """Record a run in the audit log ("whatif.run": its inputs and the digest of its result) and commit.

    A separate step so that the API computes in a read transaction and holds a write
    transaction only for this one event.
    """
    event = audit.record(session, actor, "whatif.run", "program", result.program_id,
                         after={"request": result.request.model_dump(mode="json"), "digest": result.digest,
                                "consortium_changes": result.consortium_changes,
                                "grant_changes": result.grant_changes,
                                "grants_krw": result.whatif.grants_krw,
                                "required_hires": result.whatif.required_hires})
    session.commit()
    result.audit_event_id = event.id
    return result


def what_if(session: Session, actor: Actor, program_id: int, request: WhatIfRequest) -> WhatIfResult:
    """Run a what-if and record it, on one session (command line, dashboard, tests)."""
    return record_run(session, actor, run_what_if(session, program_id, request))


def unchanged(result: WhatIfResult) -> bool:
    """True when the run changes no selection and no grant."""
    return result.consortium_changes == 0 and result.grant_changes == 0

