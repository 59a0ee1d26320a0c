"""Use cases of envelopes, awards (협약), extensions and transfers between budget lines.

Limits hold under concurrent requests: every use case that checks a money limit first
locks the row that holds the limit (`core.db.lock_limit` / `lock_rows`: FOR UPDATE on PostgreSQL;
SQLite write transactions are already serialised by BEGIN IMMEDIATE), then reads the sums.
Lock order, to stay free of deadlocks: programme → envelopes (by id) → project → award → transfer.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from budgeting import rules
from budgeting.models import (
    Award,
    AwardExtension,
    BudgetLine,
    CostCategory,
    Envelope,
    EnvelopeTransfer,
    LineTransfer,
    TransferStatus,
)
from budgeting.schemas import (
    AwardCreate,
    EnvelopeRead,
    EnvelopeTransferCreate,
    ExtensionCreate,
    LineTransferCreate,
    TransferDecision,
)
from core import audit
from core.audit import Actor
from core.db import lock_for_update, lock_limit
from core.errors import Conflict, LimitExceeded, NotFound, RuleViolation, Term
from core.money import split_largest_remainder
from program import service as program_service
from program.lifecycle import ProjectAction
from program.models import CallType, CoreField, Program, ProgramRules, Project
from scoring import service as scoring_service


def typical_shares(program_rules: ProgramRules | None = None) -> dict[str, Decimal]:
    """Typical share of each cost category (the programme's rules), the default split of a new award's budget."""
    return dict((program_rules or ProgramRules()).cost_category_shares)


def _program(session: Session, program_id: int, *, lock: bool = False) -> Program:
    program = lock_limit(session, Program, program_id) if lock else session.get(Program, program_id)
    if program is None:
        raise NotFound("budget.err.programme_not_found", program_id=program_id)
    return program


# --------------------------------------------------------------------------- envelopes


def envelope_plan(session: Session, program_id: int) -> list[dict[str, Any]]:
    """The default envelopes of a programme: designated × each field, regional, free, sized by ceilings.

    Each envelope's weight is the sum of its projects' ceilings; amounts are the programme
    total split by largest remainder, so they add up to it exactly.
    """
    program = _program(session, program_id)
    types = {t.id: t for t in session.exec(select(CallType)).all()}
    fields = {f.id: f for f in session.exec(select(CoreField).order_by(CoreField.sort_order, CoreField.id)).all()}
    rows = session.exec(
        select(Project.call_type_id, Project.field_id, func.sum(Project.ceiling_krw))
        .where(Project.program_id == program_id).group_by(Project.call_type_id, Project.field_id)
    ).all()
    weights: dict[tuple[int, int | None], int] = {}
    for ct_id, field_id, ceilings in rows:
        key = (ct_id, field_id if str(types[ct_id].code) == "designated" else None)
        weights[key] = weights.get(key, 0) + int(ceilings)
    order = {"designated": 0, "regional": 1, "free": 2}
    field_order = {fid: i for i, fid in enumerate(fields)}
    keys = sorted(weights, key=lambda k: (order.get(str(types[k[0]].code), 9), field_order.get(k[1], -1)))
    if not keys:
        return []
    amounts = split_largest_remainder(program.total_budget_krw, [weights[k] for k in keys])
    plan = []
    for (ct_id, env_field), amount in zip(keys, amounts, strict=True):
        ct = types[ct_id]
        code = str(ct.code) if env_field is None else f"{ct.code}-{fields[env_field].code}"
        name = ct.name_ko if env_field is None else f"{ct.name_ko} · {fields[env_field].name_ko}"
        plan.append({"program_id": program_id, "code": code, "name_ko": name, "call_type_id": ct_id,
                     "field_id": env_field, "amount_krw": amount})
    return plan


def create_envelopes(session: Session, actor: Actor, program_id: int) -> list[Envelope]:
    """Split the programme total into its envelopes (once per programme)."""
    _program(session, program_id, lock=True)
    if session.exec(select(Envelope.id).where(Envelope.program_id == program_id)).first():
        raise Conflict("budget.err.envelopes_exist", program_id=program_id)
    plan = envelope_plan(session, program_id)
    if not plan:
        raise RuleViolation("budget.err.no_projects", program_id=program_id)
    envelopes = [Envelope(**row) for row in plan]
    session.add_all(envelopes)
    session.flush()
    audit.record(session, actor, "envelope.create", "program", program_id,
                 after={e.code: e.amount_krw for e in envelopes})
    session.commit()
    return envelopes


def _awarded_by_envelope(session: Session, envelope_ids: list[int]) -> dict[int, int]:
    rows = session.exec(
        select(Award.envelope_id, func.coalesce(func.sum(Award.grant_krw), 0))
        .where(Award.envelope_id.in_(envelope_ids)).group_by(Award.envelope_id)  # type: ignore[attr-defined]
    ).all()
    return {eid: int(total) for eid, total in rows}


def list_envelopes(session: Session, program_id: int) -> list[EnvelopeRead]:
    """Envelopes of a programme with what is awarded from each and what is left."""
    envs = session.exec(select(Envelope).where(Envelope.program_id == program_id).order_by(Envelope.id)).all()
    awarded = _awarded_by_envelope(session, [e.id for e in envs if e.id is not None])
    return [EnvelopeRead(**e.model_dump(), awarded_krw=awarded.get(e.id or 0, 0),
                         available_krw=e.amount_krw - awarded.get(e.id or 0, 0)) for e in envs]


def transfer_between_envelopes(session: Session, actor: Actor, program_id: int,
                               data: EnvelopeTransferCreate) -> EnvelopeTransfer:
    """Move money from one envelope to another; the source keeps at least what it has awarded.

    Up to `envelope_transfer_free_ratio` of the source it moves at once; a larger transfer waits in the
    approval queue (`budgeting.approvals`: four eyes, approval limits).
    """
    from budgeting import approvals

    return approvals.request_envelope_transfer(session, actor, program_id, data)


def list_envelope_transfers(session: Session, program_id: int) -> list[EnvelopeTransfer]:
    return list(session.exec(select(EnvelopeTransfer).where(EnvelopeTransfer.program_id == program_id)
                             .order_by(EnvelopeTransfer.id)).all())


# --------------------------------------------------------------------------- awards


def get_award(session: Session, award_id: int, *, lock: bool = False) -> Award:
    """An award; `lock=True` locks it, the row that guards its budget lines and ledger."""
    award = lock_limit(session, Award, award_id) if lock else session.get(Award, award_id)
    if award is None:
        raise NotFound("budget.err.award_not_found", award_id=award_id)
    return award


def envelope_for_project(session: Session, project: Project, *, lock: bool = False) -> Envelope:
    """The envelope a project's award draws on: its call type and field, or its call type alone."""
    stmt = (select(Envelope).where(Envelope.program_id == project.program_id,
                                   Envelope.call_type_id == project.call_type_id,
                                   (Envelope.field_id == project.field_id) | (Envelope.field_id.is_(None)))  # type: ignore[union-attr]
            .order_by(Envelope.field_id.is_(None), Envelope.id))  # type: ignore[union-attr]
    env = session.exec(stmt).first()
    if env is not None and lock:
        env = lock_limit(session, Envelope, env.id or 0)
    if env is None:
        raise RuleViolation("budget.err.no_envelope", code=project.code,
                            field="envelope_id")
    return env


def create_award(session: Session, actor: Actor, data: AwardCreate) -> Award:
    """Make the agreement from a confirmed selection, within ceiling, recommendation and envelope.

    Signing it starts construction (project awarded → building). Locks the envelope, then the project.
    """
    try:
        selection = scoring_service.get_selection(session, data.selection_id)  # scoring owns its tables' reads
    except NotFound as e:
        raise NotFound(str(e), field="selection_id") from e
    project = program_service.get_project(session, selection.project_id)
    proposal = program_service.get_proposal(session, selection.proposal_id)
    program = program_service.get_program(session, selection.program_id)
    program_rules = program.rules
    grant = data.grant_krw if data.grant_krw is not None else selection.recommended_grant_krw
    matching = data.matching_krw if data.matching_krw is not None else proposal.private_matching_krw
    recommended = selection.recommended_grant_krw
    if grant > recommended:
        raise RuleViolation("budget.err.over_recommended", grant=grant, recommended=recommended,
                            over=grant - recommended,
                            field="grant_krw")
    lines = ({str(k): v for k, v in data.lines.items()} if data.lines is not None
             else rules.default_budget_lines(grant + matching, typical_shares(program_rules),
                                          program_rules.indirect_cost_cap))
    problems = rules.budget_line_problems(lines, grant, matching, program_rules.indirect_cost_cap)
    if problems:
        field, reason = problems[0]
        raise RuleViolation(reason, field=field, details=[{"field": f, "reason": r} for f, r in problems])

    # the limiting row: the envelope (locked), then the sums under it
    if data.envelope_id is not None:
        envelope = lock_limit(session, Envelope, data.envelope_id)
        if envelope is None or envelope.program_id != program.id:
            raise NotFound("budget.err.envelope_not_found", field="envelope_id", envelope_id=data.envelope_id)
    else:
        envelope = envelope_for_project(session, project, lock=True)
    project = program_service.locked_project(session, selection.project_id)  # the ceiling and the status
    if session.exec(select(Award.id).where(Award.project_id == project.id)).first() is not None:
        raise Conflict("budget.err.award_exists", field="selection_id", code=project.code)
    if grant > project.ceiling_krw:
        raise LimitExceeded("budget.err.over_ceiling", field="grant_krw", grant=grant, ceiling=project.ceiling_krw,
                            over=grant - project.ceiling_krw)
    awarded = _awarded_by_envelope(session, [envelope.id or 0]).get(envelope.id or 0, 0)
    if awarded + grant > envelope.amount_krw:
        from budgeting.approvals import envelope_names  # the envelope's name in words, never its code

        raise LimitExceeded(
            "budget.err.over_envelope", field="grant_krw", code=envelope.code, left=envelope.amount_krw - awarded,
            grant=grant, over=awarded + grant - envelope.amount_krw, **envelope_names(session, envelope))
    award = Award(program_id=program.id, project_id=project.id, selection_id=selection.id, proposal_id=proposal.id,
                  consortium_id=proposal.consortium_id, envelope_id=envelope.id, grant_krw=grant,
                  matching_krw=matching, start_date=data.start_date, end_date=data.end_date,
                  current_end_date=data.end_date, created_by=actor.username)
    session.add(award)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent award for the same project or selection
        session.rollback()
        raise Conflict("budget.err.award_exists", code=project.code) from exc
    session.add_all([BudgetLine(award_id=award.id, category=CostCategory(k), budget_krw=v) for k, v in lines.items()])
    session.flush()
    program_service.transition_project(session, actor, project, ProjectAction.sign_agreement,
                                       details={"award_id": award.id})
    audit.record(session, actor, "award.create", "award", award.id,
                 after={**award.model_dump(mode="json"), "lines": lines})
    session.commit()
    return award


def extend_award(session: Session, actor: Actor, award_id: int, data: ExtensionCreate) -> AwardExtension:
    """Extend the agreement period (recorded as a row with its reason)."""
    award = get_award(session, award_id, lock=True)
    if data.new_end_date <= award.current_end_date:
        raise RuleViolation("budget.err.end_date", field="new_end_date", new_end=data.new_end_date,
                            current_end=award.current_end_date)
    ext = AwardExtension(award_id=award_id, previous_end_date=award.current_end_date,
                         new_end_date=data.new_end_date, reason=data.reason, created_by=actor.username)
    award.current_end_date = data.new_end_date
    session.add_all([ext, award])
    session.flush()
    audit.record(session, actor, "award.extend", "award", award_id,
                 before={"end_date": ext.previous_end_date}, after={"end_date": ext.new_end_date}, reason=data.reason)
    session.commit()
    return ext


# --------------------------------------------------------------------------- line transfers


def award_lines(session: Session, award_id: int, *, lock: bool = False) -> dict[str, BudgetLine]:
    stmt = (select(BudgetLine).where(BudgetLine.award_id == award_id).order_by(BudgetLine.id)
            .execution_options(populate_existing=True))  # read fresh under the award's lock
    return {str(line.category): line for line in session.exec(lock_for_update(session, stmt) if lock else stmt).all()}


def _apply_line_transfer(session: Session, award: Award, program_rules: Any, src: BudgetLine, dst: BudgetLine,
                         amount: int) -> None:
    """Check the transfer against the source's unspent money and the indirect cap, then move it."""
    unspent = src.budget_krw - src.spent_krw
    if amount > unspent:
        raise LimitExceeded("budget.err.line_below_spent", field="amount_krw",
                            category=Term("cost_category", src.category),
                            unspent=unspent, amount=amount, over=amount - unspent)
    budgets = {str(line.category): line.budget_krw for line in award_lines(session, award.id or 0).values()}
    budgets[str(src.category)] -= amount
    budgets[str(dst.category)] += amount
    excess = rules.indirect_excess_krw(budgets, program_rules.indirect_cost_cap)
    if excess:
        raise RuleViolation("budget.err.indirect_cap", cap=f"{program_rules.indirect_cost_cap * 100:g}", excess=excess,
                            field="amount_krw")
    src.budget_krw -= amount
    dst.budget_krw += amount
    session.add_all([src, dst])


def request_line_transfer(session: Session, actor: Actor, award_id: int, data: LineTransferCreate) -> LineTransfer:
    """Move money between two lines: small ones are recorded at once, larger ones wait for approval."""
    if data.from_category == data.to_category:
        raise RuleViolation("budget.err.same_line", field="to_category")
    award = get_award(session, award_id, lock=True)
    program_rules = _program(session, award.program_id).rules
    lines = award_lines(session, award_id)
    src, dst = lines.get(str(data.from_category)), lines.get(str(data.to_category))
    if src is None or dst is None:
        raise NotFound("budget.err.no_line", field="from_category" if src is None else "to_category")
    needs_approval = rules.transfer_needs_approval(data.amount_krw, src.budget_krw, program_rules.transfer_free_ratio)
    if not needs_approval:
        _apply_line_transfer(session, award, program_rules, src, dst, data.amount_krw)
    transfer = LineTransfer(award_id=award_id, from_line_id=src.id, to_line_id=dst.id, amount_krw=data.amount_krw,
                            reason=data.reason, requested_by=actor.username,
                            status=TransferStatus.pending if needs_approval else TransferStatus.recorded)
    session.add(transfer)
    session.flush()
    audit.record(session, actor, "line_transfer.request", "line_transfer", transfer.id,
                 after=transfer.model_dump(mode="json"), reason=data.reason)
    session.commit()
    return transfer


def decide_line_transfer(session: Session, actor: Actor, transfer_id: int, data: TransferDecision) -> LineTransfer:
    """Approve or reject a pending transfer: never by its requester; above the approver's limit the approval
    is a first one and a second official completes it (`budgeting.approvals`). The final approval applies it."""
    from budgeting import approvals

    plain = session.get(LineTransfer, transfer_id)
    if plain is None:
        raise NotFound("budget.err.transfer_not_found", transfer_id=transfer_id)
    award = get_award(session, plain.award_id, lock=True)  # lock order: award → transfer
    transfer = lock_limit(session, LineTransfer, transfer_id)
    assert transfer is not None
    before = {"status": transfer.status, "first_approved_by": transfer.first_approved_by}
    outcome = approvals.decide(session, actor, transfer, transfer.requested_by, data)
    if outcome == approvals.DecisionOutcome.approved:
        src, dst = session.get(BudgetLine, transfer.from_line_id), session.get(BudgetLine, transfer.to_line_id)
        assert src is not None and dst is not None
        _apply_line_transfer(session, award, _program(session, award.program_id).rules, src, dst, transfer.amount_krw)
    session.add(transfer)
    audit.record(session, actor, "line_transfer.decide", "line_transfer", transfer.id, before=before,
                 after={"status": transfer.status, "outcome": outcome, "amount_krw": transfer.amount_krw,
                        "first_approved_by": transfer.first_approved_by}, reason=data.reason or None)
    session.commit()
    return transfer
