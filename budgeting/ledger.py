"""The expenditure ledger (집행 내역): append-only entries and reversals (file imports: budgeting.imports).

Every write locks the award row first, so the line totals (`BudgetLine.spent_krw`) and
the budget check cannot race. A correction is a reversing entry that points at the entry
it corrects; nothing is ever updated or deleted.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from budgeting import rules
from budgeting.models import Award, BudgetLine, Expenditure
from budgeting.schemas import ExpenditureCreate, ReversalCreate
from budgeting.service import award_lines, get_award
from core import audit
from core.audit import Actor
from core.errors import Conflict, LimitExceeded, NotFound, RuleViolation, Term
from program.rules import business_number_valid


def _check_payment(award: Award, line: BudgetLine, spent_date: date, amount: int, pending: int = 0) -> None:
    why = rules.period_violation(spent_date, award.start_date, award.current_end_date)
    if why:
        raise RuleViolation("budget.err.outside_period", field="spent_date", why=why, spent=spent_date,
                            start=award.start_date, end=award.current_end_date)
    over = rules.line_overrun_krw(line.budget_krw, line.spent_krw + pending, amount)
    if over:
        raise LimitExceeded("budget.err.line_overrun", field="amount_krw", amount=amount, budget=line.budget_krw,
                            category=Term("cost_category", line.category), over=over)


def record_expenditure(session: Session, actor: Actor, award_id: int, data: ExpenditureCreate) -> Expenditure:
    """Append one payment to the ledger: inside the agreement period and within its line's budget."""
    award = get_award(session, award_id, lock=True)
    line = award_lines(session, award_id).get(str(data.category))
    if line is None:
        raise NotFound("budget.err.no_category_line", field="category", award_id=award_id,
                       category=Term("cost_category", data.category))
    if data.payee_business_number and not business_number_valid(data.payee_business_number):
        raise RuleViolation("budget.err.check_digit", number=data.payee_business_number,
                            field="payee_business_number")
    _check_payment(award, line, data.spent_date, data.amount_krw)
    assert line.id is not None
    entry = Expenditure(program_id=award.program_id, award_id=award_id, line_id=line.id, spent_date=data.spent_date,
                        amount_krw=data.amount_krw, payee_name=data.payee_name,
                        payee_business_number=data.payee_business_number, description=data.description,
                        evidence_ref=data.evidence_ref, created_by=actor.username)
    line.spent_krw += data.amount_krw
    session.add_all([entry, line])
    session.flush()
    audit.record(session, actor, "expenditure.create", "expenditure", entry.id, after=entry.model_dump(mode="json"))
    session.commit()
    return entry


def reverse_expenditure(session: Session, actor: Actor, expenditure_id: int, data: ReversalCreate) -> Expenditure:
    """Append the entry that cancels `expenditure_id` (once; a reversal itself cannot be reversed)."""
    original = session.get(Expenditure, expenditure_id)
    if original is None:
        raise NotFound("budget.err.entry_not_found", expenditure_id=expenditure_id)
    get_award(session, original.award_id, lock=True)
    if original.reverses_id is not None:
        raise Conflict("budget.err.reversal_of_reversal", expenditure_id=expenditure_id,
                       reverses_id=original.reverses_id)
    already = session.exec(select(Expenditure.id).where(Expenditure.reverses_id == expenditure_id)).first()
    if already is not None:
        raise Conflict("budget.err.already_reversed", expenditure_id=expenditure_id, already=already)
    line = session.get(BudgetLine, original.line_id)
    assert line is not None
    entry = Expenditure(program_id=original.program_id, award_id=original.award_id, line_id=original.line_id,
                        spent_date=data.spent_date or original.spent_date, amount_krw=-original.amount_krw,
                        payee_name=original.payee_name, payee_business_number=original.payee_business_number,
                        description=f"정정(reversal) of #{original.id}: {data.reason}",
                        evidence_ref=original.evidence_ref, reverses_id=original.id, created_by=actor.username)
    line.spent_krw -= original.amount_krw
    session.add_all([entry, line])
    session.flush()
    audit.record(session, actor, "expenditure.reverse", "expenditure", entry.id,
                 after=entry.model_dump(mode="json"), reason=data.reason)
    session.commit()
    return entry
