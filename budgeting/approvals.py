"""Approvals of transfers (전용 승인): the queue, the four-eyes rule and the officials' approval limits.

A transfer larger than the free share of its source (a budget line: `transfer_free_ratio`; an
envelope: `envelope_transfer_free_ratio`) waits in the queue. Whoever decides it is never the
official who requested it (four eyes). An approver's approval is final up to their approval limit
(`User.approval_limit_krw`, 전결 한도, set by an admin; no limit set: final); above it, the approval is
a first approval and a second official — neither the requester nor the first approver — completes it.
Either approver may reject. Every decision locks the rows holding the limits (the award or the two
envelopes, then the transfer) before it reads them, and the money moves only on the final approval.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, select

from budgeting.models import (
    Award,
    BudgetLine,
    Envelope,
    EnvelopeTransfer,
    LineTransfer,
    TransferStatus,
)
from budgeting.schemas import EnvelopeTransferCreate, TransferDecision
from core import audit
from core.audit import Actor
from core.db import lock_limit, lock_rows
from core.errors import Conflict, Forbidden, LimitExceeded, NotFound, RuleViolation
from core.i18n import register_messages
from core.models import User
from core.timeutil import utcnow
from program.models import CallType, CoreField, Program, Project

register_messages({
    "approval.own_request": ("전용을 요청한 담당자는 승인하거나 반려할 수 없습니다(4안 원칙).",
                             "the official who requested a transfer cannot decide it (four eyes)"),
    "approval.same_approver": ("1차 승인자는 2차 승인을 할 수 없습니다. 다른 담당자가 승인해야 합니다.",
                               "the first approver cannot give the second approval; another official must"),
    "approval.not_pending": ("전용 {transfer_id}은(는) 승인 대기 중이 아닙니다(상태: {status}).",
                             "transfer {transfer_id} is not pending (status: {status})"),
    "approval.not_found": ("전용 {transfer_id}이(가) 없습니다.", "transfer {transfer_id} does not exist"),
    "approval.same_envelope": ("보내는 재원과 받는 재원이 같습니다.", "source and target envelope are the same"),
    "approval.envelope_not_found": ("사업 {program_id}에 재원 {envelope_id}이(가) 없습니다.",
                                    "envelope {envelope_id} does not exist in programme {program_id}"),
    "approval.envelope_short": ("재원 '{name_ko}'의 미배정액은 {available:won}입니다. {amount:won}을(를) 옮기면 "
                                "{over:won} 부족합니다.",
                                "envelope '{name_en}' has {available:won} not yet awarded; moving {amount:won} would "
                                "overspend it by {over:won}"),
    "approval.first_recorded": ("1차 승인되었습니다. 금액이 승인 한도 {limit:won}을(를) 넘어 다른 담당자의 2차 승인이 "
                                "필요합니다.",
                                "first approval recorded: the amount is above the approval limit of {limit:won}; "
                                "another official must give the second approval"),
})


class TransferKind(StrEnum):
    line = "line"  # 비목 간 전용 (LineTransfer)
    envelope = "envelope"  # 재원 간 전용 (EnvelopeTransfer)


class ApprovalItem(BaseModel):
    """One pending transfer in the approval queue, with what the reading official may do with it."""

    kind: TransferKind
    id: int
    program_id: int
    award_id: int | None = None
    project_code: str | None = None
    source: str  # a cost category code (line) or an envelope code
    target: str
    amount_krw: int
    reason: str
    requested_by: str
    requested_at: datetime
    first_approved_by: str | None = None
    first_approved_at: datetime | None = None
    needs_second_approval: bool = False  # a first approval is recorded; a second official completes it
    can_decide: bool = False  # the reader may approve or reject now
    why_not: str | None = None  # message key: approval.own_request / approval.same_approver


class DecisionOutcome(StrEnum):
    approved = "approved"  # final: the money moved
    first_approval = "first_approval"  # recorded; a second approver is needed
    rejected = "rejected"


# --------------------------------------------------------------------------- rules (pure)


def needs_second_approver(amount_krw: int, approver_limit_krw: int | None) -> bool:
    """An approval above the approver's limit (strictly) needs a second approver; no limit set: final."""
    return approver_limit_krw is not None and amount_krw > approver_limit_krw


def four_eyes_problem(actor_username: str, requested_by: str, first_approved_by: str | None) -> str | None:
    """Why `actor` may not decide this transfer (a message key), or None."""
    if actor_username == requested_by:
        return "approval.own_request"
    if first_approved_by is not None and actor_username == first_approved_by:
        return "approval.same_approver"
    return None


def within_free_ratio(amount_krw: int, source_krw: int, ratio: Any) -> bool:
    """A transfer up to `ratio` of its source (exact) is recorded without approval."""
    return Fraction(amount_krw) <= Fraction(str(ratio)) * source_krw


# --------------------------------------------------------------------------- shared steps


def approver_limit(session: Session, actor: Actor) -> int | None:
    """The approval limit of the acting official (the system: none)."""
    if actor.user_id is None:
        return None
    user = lock_limit(session, User, actor.user_id)  # read fresh: an admin may have just changed it
    return user.approval_limit_krw if user is not None else None


def decide(session: Session, actor: Actor, transfer: LineTransfer | EnvelopeTransfer, requested_by: str,
           data: TransferDecision) -> DecisionOutcome:
    """The four-eyes check and the step a decision takes (the caller holds the locks, applies and audits)."""
    if transfer.status != TransferStatus.pending:
        raise Conflict("approval.not_pending", field="status", transfer_id=transfer.id, status=str(transfer.status))
    why = four_eyes_problem(actor.username, requested_by, transfer.first_approved_by)
    if why:
        raise Forbidden(why)
    now = utcnow()
    if not data.approve:
        transfer.status, transfer.decided_by, transfer.decided_at = TransferStatus.rejected, actor.username, now
        transfer.decision_reason = data.reason or None
        return DecisionOutcome.rejected
    if transfer.first_approved_by is None and needs_second_approver(transfer.amount_krw,
                                                                    approver_limit(session, actor)):
        transfer.first_approved_by, transfer.first_approved_at = actor.username, now
        return DecisionOutcome.first_approval
    transfer.status, transfer.decided_by, transfer.decided_at = TransferStatus.approved, actor.username, now
    transfer.decision_reason = data.reason or None
    return DecisionOutcome.approved


# --------------------------------------------------------------------------- envelope transfers


def _available(session: Session, envelope: Envelope) -> int:
    from budgeting.service import _awarded_by_envelope  # the one sum of what an envelope has awarded

    assert envelope.id is not None
    return envelope.amount_krw - _awarded_by_envelope(session, [envelope.id]).get(envelope.id, 0)


def _locked_envelopes(session: Session, program_id: int, from_id: int, to_id: int) -> tuple[Envelope, Envelope]:
    if from_id == to_id:
        raise RuleViolation("approval.same_envelope", field="to_envelope_id")
    envs = lock_rows(session, Envelope, [from_id, to_id])
    for eid, fld in ((from_id, "from_envelope_id"), (to_id, "to_envelope_id")):
        if eid not in envs or envs[eid].program_id != program_id:
            raise NotFound("approval.envelope_not_found", field=fld, envelope_id=eid, program_id=program_id)
    return envs[from_id], envs[to_id]


def envelope_names(session: Session, envelope: Envelope) -> dict[str, str]:
    """An envelope's name in Korean and English (`name_ko`, `name_en`) from its call type's and field's labels,
    as the envelope plan names it ('지정공모 · 음성·자연어'): a person reads this, never its code."""
    ct = session.get(CallType, envelope.call_type_id)
    field = session.get(CoreField, envelope.field_id) if envelope.field_id is not None else None
    ko = [x for x in (ct.name_ko if ct else "", field.name_ko if field else "") if x]
    en = [x for x in (ct.name_en if ct else "", field.name_en if field else "") if x]
    name_ko = envelope.name_ko or " · ".join(ko) or "–"
    return {"name_ko": name_ko, "name_en": " · ".join(en) or name_ko}


def _move_envelope_money(session: Session, src: Envelope, dst: Envelope, amount: int) -> dict[str, int]:
    available = _available(session, src)
    if amount > available:
        raise LimitExceeded("approval.envelope_short", field="amount_krw", code=src.code,
                            available=available, amount=amount, over=amount - available,
                            **envelope_names(session, src))
    src.amount_krw -= amount
    dst.amount_krw += amount
    session.add_all([src, dst])
    return {src.code: src.amount_krw, dst.code: dst.amount_krw}


def request_envelope_transfer(session: Session, actor: Actor, program_id: int,
                              data: EnvelopeTransferCreate) -> EnvelopeTransfer:
    """Move money between two envelopes: up to the free share of the source at once, larger ones to the queue.

    Either way the source must have the money not yet awarded now (locked: envelopes by id).
    """
    src, dst = _locked_envelopes(session, program_id, data.from_envelope_id, data.to_envelope_id)
    program = session.get(Program, program_id)
    assert program is not None
    available = _available(session, src)
    if data.amount_krw > available:
        raise LimitExceeded("approval.envelope_short", field="amount_krw", code=src.code,
                            available=available, amount=data.amount_krw, over=data.amount_krw - available,
                            **envelope_names(session, src))
    before = {src.code: src.amount_krw, dst.code: dst.amount_krw}
    free = within_free_ratio(data.amount_krw, src.amount_krw, program.rules.envelope_transfer_free_ratio)
    after: dict[str, Any] = dict(before)
    if free:
        after = _move_envelope_money(session, src, dst, data.amount_krw)
    transfer = EnvelopeTransfer(program_id=program_id, from_envelope_id=src.id, to_envelope_id=dst.id,
                                amount_krw=data.amount_krw, reason=data.reason, created_by=actor.username,
                                status=TransferStatus.recorded if free else TransferStatus.pending)
    session.add(transfer)
    session.flush()
    audit.record(session, actor, "envelope.transfer" if free else "envelope.transfer_request", "envelope_transfer",
                 transfer.id, before=before, after={**after, "amount_krw": data.amount_krw,
                                                    "status": transfer.status}, reason=data.reason)
    session.commit()
    return transfer


def decide_envelope_transfer(session: Session, actor: Actor, transfer_id: int,
                             data: TransferDecision) -> EnvelopeTransfer:
    """Approve (first or final) or reject a pending envelope transfer; the final approval moves the money."""
    plain = session.get(EnvelopeTransfer, transfer_id)
    if plain is None:
        raise NotFound("approval.not_found", transfer_id=transfer_id)
    src, dst = _locked_envelopes(session, plain.program_id, plain.from_envelope_id, plain.to_envelope_id)
    transfer = lock_limit(session, EnvelopeTransfer, transfer_id)  # lock order: envelopes → transfer
    assert transfer is not None
    before = {"status": transfer.status, src.code: src.amount_krw, dst.code: dst.amount_krw}
    outcome = decide(session, actor, transfer, transfer.created_by, data)
    after: dict[str, Any] = {"status": transfer.status, "outcome": outcome, "amount_krw": transfer.amount_krw}
    if outcome == DecisionOutcome.approved:
        after.update(_move_envelope_money(session, src, dst, transfer.amount_krw))
    session.add(transfer)
    audit.record(session, actor, f"envelope.transfer_{outcome.value}", "envelope_transfer", transfer.id,
                 before=before, after=after, reason=data.reason or None)
    session.commit()
    return transfer


# --------------------------------------------------------------------------- the queue


def _item_rights(actor: Actor | None, requested_by: str, first: str | None) -> tuple[bool, str | None]:
    if actor is None:
        return False, None
    why = four_eyes_problem(actor.username, requested_by, first)
    return why is None, why


def approval_queue(session: Session, program_id: int, actor: Actor | None = None) -> list[ApprovalItem]:
    """Every pending transfer of a programme, oldest first, with what `actor` may do with each."""
    items: list[ApprovalItem] = []
    rows = session.execute(
        select(LineTransfer, Award, Project)
        .join(Award, Award.id == LineTransfer.award_id)
        .join(Project, Project.id == Award.project_id)
        .where(Award.program_id == program_id, LineTransfer.status == TransferStatus.pending)
        .order_by(LineTransfer.requested_at, LineTransfer.id)).all()
    line_ids = {t.from_line_id for t, _, _ in rows} | {t.to_line_id for t, _, _ in rows}
    categories = {line.id: str(line.category) for line in session.exec(
        select(BudgetLine).where(BudgetLine.id.in_(line_ids))).all()} if line_ids else {}  # type: ignore[union-attr]
    for t, award, project in rows:
        ok, why = _item_rights(actor, t.requested_by, t.first_approved_by)
        items.append(ApprovalItem(kind=TransferKind.line, id=t.id, program_id=program_id, award_id=award.id,
                                  project_code=project.code, source=categories.get(t.from_line_id, ""),
                                  target=categories.get(t.to_line_id, ""), amount_krw=t.amount_krw, reason=t.reason,
                                  requested_by=t.requested_by, requested_at=t.requested_at,
                                  first_approved_by=t.first_approved_by, first_approved_at=t.first_approved_at,
                                  needs_second_approval=t.first_approved_by is not None, can_decide=ok, why_not=why))
    envs = {e.id: e.code for e in session.exec(select(Envelope).where(Envelope.program_id == program_id)).all()}
    for e in session.exec(select(EnvelopeTransfer).where(EnvelopeTransfer.program_id == program_id,
                                                         EnvelopeTransfer.status == TransferStatus.pending)
                          .order_by(EnvelopeTransfer.created_at, EnvelopeTransfer.id)).all():
        ok, why = _item_rights(actor, e.created_by, e.first_approved_by)
        items.append(ApprovalItem(kind=TransferKind.envelope, id=e.id, program_id=program_id,
                                  source=envs.get(e.from_envelope_id, ""), target=envs.get(e.to_envelope_id, ""),
                                  amount_krw=e.amount_krw, reason=e.reason, requested_by=e.created_by,
                                  requested_at=e.created_at, first_approved_by=e.first_approved_by,
                                  first_approved_at=e.first_approved_at,
                                  needs_second_approval=e.first_approved_by is not None, can_decide=ok, why_not=why))
    items.sort(key=lambda i: (i.requested_at, i.kind, i.id))
    return items
