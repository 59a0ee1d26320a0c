"""The expenditure ledger (집행 내역): append-only entries, reversals, and file imports.

Every write locks the award row first, so the line totals (`BudgetLine.spent_krw`) and
the budget check cannot race. A correction is a reversing entry that points at the entry
it corrects; nothing is ever updated or deleted.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, func, select

from budgeting import rules
from budgeting.imports import ParsedRow, parse_spreadsheet
from budgeting.models import Award, BudgetLine, Expenditure
from budgeting.schemas import ExpenditureCreate, ImportResult, ReversalCreate
from budgeting.service import award_lines, get_award
from core import audit
from core.audit import Actor
from core.errors import Conflict, LimitExceeded, NotFound, RuleViolation
from core.timeutil import utcnow
from program.rules import business_number_valid


def _check_payment(award: Award, line: BudgetLine, spent_date: date, amount: int, pending: int = 0) -> None:
    why = rules.period_violation(spent_date, award.start_date, award.current_end_date)
    if why:
        raise RuleViolation(f"payment outside the agreement period: {why}", field="spent_date")
    over = rules.line_overrun_krw(line.budget_krw, line.spent_krw + pending, amount)
    if over:
        raise LimitExceeded(f"payment of {amount:,} KRW would take line '{line.category}' past its budget of "
                            f"{line.budget_krw:,} KRW by {over:,} KRW", field="amount_krw")


def record_expenditure(session: Session, actor: Actor, award_id: int, data: ExpenditureCreate) -> Expenditure:
    """Append one payment to the ledger: inside the agreement period and within its line's budget."""
    award = get_award(session, award_id, lock=True)
    line = award_lines(session, award_id).get(str(data.category))
    if line is None:
        raise NotFound(f"award {award_id} has no '{data.category}' budget line", field="category")
    if data.payee_business_number and not business_number_valid(data.payee_business_number):
        raise RuleViolation(f"business number {data.payee_business_number} has a wrong check digit",
                            field="payee_business_number")
    _check_payment(award, line, data.spent_date, data.amount_krw)
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
        raise NotFound(f"ledger entry {expenditure_id} does not exist")
    get_award(session, original.award_id, lock=True)
    if original.reverses_id is not None:
        raise Conflict(f"entry {expenditure_id} is itself a reversal (of entry {original.reverses_id}); "
                       "record a new payment instead of reversing a reversal")
    already = session.exec(select(Expenditure.id).where(Expenditure.reverses_id == expenditure_id)).first()
    if already is not None:
        raise Conflict(f"entry {expenditure_id} was already reversed by entry {already}")
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


def validate_import_rows(award: Award, lines: dict[str, BudgetLine], rows: list[ParsedRow]) -> list[dict[str, Any]]:
    """Every problem of every row (row numbers as in the file); the running line totals include earlier rows."""
    errors: list[dict[str, Any]] = []
    pending: dict[str, int] = {}
    for row in rows:
        errors.extend({"row": row.number, "column": c, "reason": r} for c, r in row.errors)
        if row.errors:
            continue
        assert row.category is not None and row.spent_date is not None and row.amount_krw is not None
        line = lines.get(row.category)
        if line is None:
            errors.append({"row": row.number, "column": "category",
                           "reason": f"the award has no '{row.category}' budget line"})
            continue
        why = rules.period_violation(row.spent_date, award.start_date, award.current_end_date)
        if why:
            errors.append({"row": row.number, "column": "date", "reason": f"outside the agreement period: {why}"})
            continue
        over = rules.line_overrun_krw(line.budget_krw, line.spent_krw + pending.get(row.category, 0), row.amount_krw)
        if over:
            errors.append({"row": row.number, "column": "amount",
                           "reason": f"would take line '{row.category}' past its budget of {line.budget_krw:,} KRW "
                                     f"by {over:,} KRW"})
            continue
        pending[row.category] = pending.get(row.category, 0) + row.amount_krw
    return errors


def import_expenditures(session: Session, actor: Actor, award_id: int, filename: str, content: bytes) -> ImportResult:
    """Import a CSV or XLSX of payments: all rows are checked first; any bad row rejects the whole file."""
    rows = parse_spreadsheet(filename, content)
    award = get_award(session, award_id, lock=True)
    lines = award_lines(session, award_id)
    errors = validate_import_rows(award, lines, rows)
    if errors:
        raise RuleViolation(f"{filename}: {len({e['row'] for e in errors})} row(s) are wrong; nothing was imported",
                            field="file", details=errors)
    now = utcnow()
    values = []
    for row in rows:
        line = lines[row.category or ""]
        line.spent_krw += row.amount_krw or 0
        values.append({"program_id": award.program_id, "award_id": award_id, "line_id": line.id,
                       "spent_date": row.spent_date, "amount_krw": row.amount_krw, "payee_name": row.payee_name,
                       "payee_business_number": row.business_number, "description": row.description,
                       "evidence_ref": row.evidence_ref, "reverses_id": None, "created_by": actor.username,
                       "created_at": now})
    before_max = session.exec(select(func.max(Expenditure.id)).where(Expenditure.award_id == award_id)).one()
    if values:
        session.execute(insert(Expenditure), values)
    session.add_all(list(lines.values()))
    session.flush()
    ids = session.exec(select(func.min(Expenditure.id), func.max(Expenditure.id))
                       .where(Expenditure.award_id == award_id, Expenditure.id > (before_max or 0),
                              Expenditure.created_at == now)).one()
    total = sum(v["amount_krw"] for v in values)
    audit.record(session, actor, "expenditure.import", "award", award_id,
                 after={"file": filename, "rows": len(values), "total_krw": total, "first_id": ids[0],
                        "last_id": ids[1]})
    session.commit()
    return ImportResult(award_id=award_id, rows=len(values), total_krw=total, first_id=ids[0], last_id=ids[1])

