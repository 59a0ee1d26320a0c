"""Next year's programme from an existing one: the one place that composes the copies of each domain.

`create_programme_from` sits in budgeting because budgeting may use program and scoring (core ←
program ← scoring ← budgeting): program copies the programme and its rules (cost-category shares
included), scoring its rubrics (criteria and bonus items), budgeting its envelopes. One transaction:
the new programme exists with all of it or not at all. It starts before its call (draft).
"""

from __future__ import annotations

from sqlmodel import Session, select

from budgeting.models import Envelope
from core import audit
from core.audit import Actor
from core.money import split_largest_remainder
from program import service as program_service
from program.models import Program, ProgramCopyIn, ProgramStateRead
from scoring import service as scoring_service


def copy_envelopes(session: Session, actor: Actor, from_program_id: int, to_program: Program) -> list[Envelope]:
    """The envelopes of a programme, scaled to another programme's total (largest remainder); no commit."""
    source = list(session.exec(select(Envelope).where(Envelope.program_id == from_program_id)
                               .order_by(Envelope.id)).all())
    if not source or sum(e.amount_krw for e in source) <= 0:
        return []
    amounts = split_largest_remainder(to_program.total_budget_krw, [e.amount_krw for e in source])
    made = [Envelope(program_id=to_program.id, code=e.code, name_ko=e.name_ko, call_type_id=e.call_type_id,
                     field_id=e.field_id, amount_krw=amount) for e, amount in zip(source, amounts, strict=True)]
    session.add_all(made)
    session.flush()
    audit.record(session, actor, "envelope.copy", "program", to_program.id,
                 after={"from_program_id": from_program_id, **{e.code: e.amount_krw for e in made}})
    return made


def create_programme_from(session: Session, actor: Actor, previous_id: int, data: ProgramCopyIn) -> ProgramStateRead:
    """Create next year's programme from `previous_id`: rules, cost categories, rubrics, bonus items and
    envelopes copied (core fields and call types are shared); it starts before its call, editable."""
    program = program_service.copy_programme(session, actor, previous_id, data)
    assert program.id is not None
    rubrics = scoring_service.copy_rubrics(session, actor, previous_id, program.id)
    envelopes = copy_envelopes(session, actor, previous_id, program)
    audit.record(session, actor, "program.copy", "program", program.id,
                 after={"from_program_id": previous_id, "rubrics": rubrics, "envelopes": len(envelopes)})
    session.commit()
    return program_service.program_state(session, program.id)
