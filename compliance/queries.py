"""Read-only queries the checks need where the budgeting service has no such function yet.

Each one is a single SELECT (plain rows, no ORM objects per row), scoped to one programme,
and changes nothing. They are candidates to move into `budgeting/queries.py`:

- `awards_by_project(session, program_id)`: award id, dates and consortium per project.
- `line_spend(session, program_id)`: each award's budget lines (budget and spent by category).
- `entries_outside_period(session, program_id)`: positive, unreversed ledger entries dated
  before the award's start or after its current end (extensions included).
- `payments_to_members(session, program_id)`: ledger entries whose payee business number is
  that of a member of the award's own consortium (round-trip risk).
- `overlapping_full_time_hires(session, program_id)`: the same person key hired full-time
  (direct) by two different awards with overlapping contracts (ghost-employee risk).
- `ledger_count(session, program_id)`: number of ledger entries (for a progress bar).
- `iter_audit_events(session)`: the audit log in chunks, for the compliance workbook
  (core.audit has no listing function).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, exists
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from budgeting.models import Award, BudgetLine, Expenditure, Hire
from program.models import ConsortiumMember, Organization, Project


@dataclass(frozen=True)
class AwardRef:
    award_id: int
    program_id: int
    project_id: int
    project_code: str
    consortium_id: int
    grant_krw: int
    start_date: date
    end_date: date  # current end (with extensions)


def awards_by_project(session: Session, program_id: int) -> dict[int, AwardRef]:
    """Project id → its award (one award per project)."""
    rows = session.exec(select(Award.id, Award.program_id, Award.project_id, Project.code, Award.consortium_id,
                               Award.grant_krw, Award.start_date, Award.current_end_date)
                        .join(Project, Project.id == Award.project_id)
                        .where(Award.program_id == program_id).order_by(Award.id)).all()
    return {r[2]: AwardRef(*r) for r in rows}


def line_spend(session: Session, program_id: int) -> dict[int, dict[str, tuple[int, int, int]]]:
    """Award id → {category: (line id, budget_krw, spent_krw)}."""
    rows = session.exec(select(BudgetLine.award_id, BudgetLine.category, BudgetLine.id, BudgetLine.budget_krw,
                               BudgetLine.spent_krw)
                        .join(Award, Award.id == BudgetLine.award_id)
                        .where(Award.program_id == program_id).order_by(BudgetLine.id)).all()
    out: dict[int, dict[str, tuple[int, int, int]]] = {}
    for award_id, category, line_id, budget, spent in rows:
        out.setdefault(award_id, {})[str(category)] = (line_id, int(budget), int(spent))
    return out


def _not_reversed() -> Any:
    rev = aliased(Expenditure)
    return ~exists().where(rev.reverses_id == Expenditure.id)


def entries_outside_period(session: Session, program_id: int) -> list[tuple[Any, ...]]:
    """(entry id, award id, spent date, amount, payee, category, start, end) outside the agreement period."""
    return [tuple(r) for r in session.exec(
        select(Expenditure.id, Expenditure.award_id, Expenditure.spent_date, Expenditure.amount_krw,
               Expenditure.payee_name, BudgetLine.category, Award.start_date, Award.current_end_date)
        .join(Award, Award.id == Expenditure.award_id).join(BudgetLine, BudgetLine.id == Expenditure.line_id)
        .where(Expenditure.program_id == program_id, Expenditure.amount_krw > 0,
               Expenditure.reverses_id.is_(None),  # type: ignore[union-attr]
               (Expenditure.spent_date < Award.start_date) | (Expenditure.spent_date > Award.current_end_date),
               _not_reversed())
        .order_by(Expenditure.award_id, Expenditure.id)).all()]


def payments_to_members(session: Session, program_id: int) -> list[tuple[Any, ...]]:
    """(entry id, award id, spent date, amount, payee, business number, category, member org id, member role)."""
    return [tuple(r) for r in session.exec(
        select(Expenditure.id, Expenditure.award_id, Expenditure.spent_date, Expenditure.amount_krw,
               Expenditure.payee_name, Expenditure.payee_business_number, BudgetLine.category, Organization.id,
               ConsortiumMember.role)
        .join(Award, Award.id == Expenditure.award_id).join(BudgetLine, BudgetLine.id == Expenditure.line_id)
        .join(ConsortiumMember, ConsortiumMember.consortium_id == Award.consortium_id)
        .join(Organization, and_(Organization.id == ConsortiumMember.org_id,
                                 Organization.business_number == Expenditure.payee_business_number))
        .where(Expenditure.program_id == program_id, Expenditure.amount_krw > 0,
               Expenditure.reverses_id.is_(None), _not_reversed())  # type: ignore[union-attr]
        .order_by(Expenditure.award_id, Expenditure.id)).all()]


def overlapping_full_time_hires(session: Session, program_id: int) -> list[tuple[Any, ...]]:
    """(person key, hire a, award a, start a, end a, hire b, award b, start b, end b) for overlapping pairs.

    Pairs where at least one award is in the programme; a < b by hire id. Two steps (a GROUP BY
    for the person keys on more than one award, then their hires): a self-join of the hire
    table took minutes on the national ledger's 57k hires in SQLite.
    """
    direct_ft = and_(Hire.full_time, Hire.employment_type == "direct")
    in_program = select(Hire.person_key).join(Award, Award.id == Hire.award_id) \
        .where(direct_ft, Award.program_id == program_id).distinct().subquery()
    keys = select(Hire.person_key).where(direct_ft, Hire.person_key.in_(select(in_program.c.person_key))) \
        .group_by(Hire.person_key).having(func.count(func.distinct(Hire.award_id)) > 1)  # type: ignore[attr-defined]
    rows = session.exec(select(Hire.person_key, Hire.id, Hire.award_id, Hire.contract_start, Hire.contract_end)
                        .where(direct_ft, Hire.person_key.in_(keys))  # type: ignore[attr-defined]
                        .order_by(Hire.person_key, Hire.id)).all()
    by_person: dict[str, list[tuple[Any, ...]]] = {}
    for r in rows:
        by_person.setdefault(r[0], []).append(tuple(r[1:]))
    out = []
    for person, hires in by_person.items():
        for i, (ha, aa, sa, ea) in enumerate(hires):
            for hb, ab, sb, eb in hires[i + 1:]:
                if aa != ab and sa <= eb and sb <= ea:
                    out.append((person, ha, aa, sa, ea, hb, ab, sb, eb))
    return out


def iter_audit_events(session: Session, chunk: int = 20_000) -> Iterator[list[tuple[Any, ...]]]:
    """The audit log in id order, `chunk` events at a time: (id, occurred_at, actor, action, entity type,
    entity id, reason, hash). Snapshots (before/after JSON) are left out: the export lists, `audit verify` proves."""
    from core.models import AuditEvent

    last = 0
    while True:
        rows = session.exec(select(AuditEvent.id, AuditEvent.occurred_at, AuditEvent.actor, AuditEvent.action,
                                   AuditEvent.entity_type, AuditEvent.entity_id, AuditEvent.reason, AuditEvent.hash)
                            .where(AuditEvent.id > last).order_by(AuditEvent.id).limit(chunk)).all()  # type: ignore[arg-type]
        if not rows:
            return
        yield [tuple(r) for r in rows]
        last = rows[-1][0]


def ledger_count(session: Session, program_id: int) -> int:
    """Number of ledger entries of a programme (reversals included)."""
    return int(session.exec(select(func.count()).select_from(Expenditure)
                            .where(Expenditure.program_id == program_id)).one())
