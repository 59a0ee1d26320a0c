"""Awards, line and envelope transfers and crowd job postings for the officials' actions in the dashboard.

Each write calls the budgeting service function the /api/v1 route calls (which checks the rules, locks the
limits, audits and commits); reads go through budgeting.queries. Not cached: a page shows the state after
the action it just carried out.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from core.audit import Actor
from core.db import session_scope


def award_plan(selection_id: int) -> dict[str, Any] | None:
    """What a new award from this confirmed selection is prefilled with: the recommended grant, the proposal's
    matching and the budget lines split by the programme's typical shares (budgeting.rules)."""
    from budgeting import rules
    from budgeting import service as budgeting
    from core.errors import NotFound
    from program import service as program_service
    from scoring import service as scoring

    with session_scope() as session:
        try:
            sel = scoring.get_selection(session, selection_id)
        except NotFound:
            return None
        proposal = program_service.get_proposal(session, sel.proposal_id)
        program = program_service.get_program(session, sel.program_id)
        grant, matching = sel.recommended_grant_krw, proposal.private_matching_krw
        lines = rules.default_budget_lines(grant + matching, budgeting.typical_shares(program.rules),
                                           program.rules.indirect_cost_cap)
        return {"selection_id": selection_id, "project_id": sel.project_id, "grant_krw": grant,
                "matching_krw": matching, "lines": lines,
                "indirect_cost_cap": str(program.rules.indirect_cost_cap)}


def award_of_project(program_id: int, project_id: int) -> int | None:
    """The award id of a project (None before its agreement)."""
    from budgeting import queries

    with session_scope() as session:
        ref = queries.awards_by_project(session, program_id).get(project_id)
    return int(ref.award_id) if ref is not None else None


def create_award(user: Any, data: Any) -> dict[str, Any]:
    """The agreement from a confirmed selection (budgeting.service.create_award, as POST /awards)."""
    from budgeting import queries
    from budgeting import service as budgeting

    with session_scope(write=True) as session:
        award = budgeting.create_award(session, Actor.of(user), data)
        return queries.award_summary(session, award.id or 0).model_dump(mode="json")


def transfers(award_id: int) -> list[dict[str, Any]]:
    from budgeting import queries

    with session_scope() as session:
        return [t.model_dump(mode="json") for t in queries.list_transfers(session, award_id)]


def request_line_transfer(user: Any, award_id: int, data: Any) -> dict[str, Any]:
    from budgeting import service as budgeting

    with session_scope(write=True) as session:
        return budgeting.request_line_transfer(session, Actor.of(user), award_id, data).model_dump(mode="json")


def decide_line_transfer(user: Any, transfer_id: int, data: Any) -> dict[str, Any]:
    from budgeting import service as budgeting

    with session_scope(write=True) as session:
        return budgeting.decide_line_transfer(session, Actor.of(user), transfer_id, data).model_dump(mode="json")


def envelopes(program_id: int) -> list[dict[str, Any]]:
    from budgeting import service as budgeting

    with session_scope() as session:
        return [e.model_dump(mode="json") for e in budgeting.list_envelopes(session, program_id)]


def envelope_transfers(program_id: int) -> list[dict[str, Any]]:
    """The programme's envelope transfers (recorded, pending and decided), as GET /envelope-transfers."""
    from budgeting import service as budgeting
    from budgeting.schemas import EnvelopeTransferRead

    with session_scope() as session:
        return [EnvelopeTransferRead(**t.model_dump()).model_dump(mode="json")
                for t in budgeting.list_envelope_transfers(session, program_id)]


def envelope_transfer(user: Any, program_id: int, data: Any) -> dict[str, Any]:
    from budgeting import service as budgeting

    with session_scope(write=True) as session:
        return budgeting.transfer_between_envelopes(session, Actor.of(user), program_id, data).model_dump(mode="json")


def postings(award_id: int, today: date) -> list[dict[str, Any]]:
    """The award's postings, each with its state on `today` (budgeting.queries.job_status: open, upcoming, closed)."""
    from budgeting import queries

    with session_scope() as session:
        items, _ = queries.list_job_postings(session, award_id=award_id, limit=500)
        return [{**p.model_dump(mode="json"), "state": queries.job_status(p.is_open, p.open_date, p.close_date, today)}
                for p in items]


def publish_posting(user: Any, award_id: int, data: Any, today: date) -> dict[str, Any]:
    from budgeting import obligations

    with session_scope(write=True) as session:
        row = obligations.create_job_posting(session, Actor.of(user), award_id, data, today=today)
        return {"id": row.id, "title": row.title}


def close_posting(user: Any, posting_id: int) -> dict[str, Any]:
    from budgeting import obligations

    with session_scope(write=True) as session:
        row = obligations.close_job_posting(session, Actor.of(user), posting_id)
        return {"id": row.id, "title": row.title}


def approval_queue(user: Any, program_id: int) -> list[dict[str, Any]] | None:
    """Every pending line and envelope transfer of the programme with what this official may do with each
    (budgeting.approvals.approval_queue); None while the domain has no queue."""
    try:
        from budgeting import approvals
    except ImportError:
        return None
    with session_scope() as session:
        return [i.model_dump(mode="json") for i in approvals.approval_queue(session, program_id, Actor.of(user))]


def decide_envelope_transfer(user: Any, transfer_id: int, data: Any) -> dict[str, Any]:
    from budgeting import approvals

    with session_scope(write=True) as session:
        return approvals.decide_envelope_transfer(session, Actor.of(user), transfer_id, data).model_dump(mode="json")
