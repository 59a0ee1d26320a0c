"""Small hand-worked programmes for the what-if tests (built on tests/builders.py and tests/scoring/builders.py)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from budgeting import service as budgeting_service
from core.audit import SYSTEM
from core.models import Role
from program.models import Program
from scoring import service as scoring_service
from tests.builders import fresh, make_program, make_project, make_proposal, make_user
from tests.scoring.builders import CALL_DATE, make_evaluator, make_rubric, score


def panel_project(session: Session, program: Program, n_props: int, **project: Any) -> dict[str, Any]:
    """A project of `program` with `n_props` proposals and a panel of five evaluators with logins."""
    prj = make_project(session, program, **project)
    proposals = [make_proposal(session, prj) for _ in range(n_props)]
    users = [make_user(session, Role.evaluator) for _ in range(5)]
    evaluators = [make_evaluator(session, user=u, expertise_field_id=prj.field_id) for u in users]
    scoring_service.set_panel(session, SYSTEM, prj.id, [e.id for e in evaluators])  # type: ignore[arg-type,misc]
    fresh(session)
    return {"program": program, "project": prj, "proposals": proposals, "users": users, "evaluators": evaluators}


def programme(session: Session, projects: list[list[list[int]]], *, envelopes: bool = True) -> dict[str, Any]:
    """A programme (call 2021-03-12, one rubric) with scored projects, each a list of its proposals' five
    sheet totals. Builder proposals request 1,900,000,000 KRW and earn no bonus, so the final score is the
    panel score (the mean of the middle three of five totals)."""
    program = make_program(session, call_opened_date=CALL_DATE)
    make_rubric(session, program)
    built = [panel_project(session, program, len(p)) for p in projects]
    for s, totals in zip(built, projects, strict=True):
        for proposal, sheet_totals in zip(s["proposals"], totals, strict=True):
            for user, total in zip(s["users"], sheet_totals, strict=True):
                score(session, user, proposal, total)
    if envelopes:
        budgeting_service.create_envelopes(session, SYSTEM, program.id)  # type: ignore[arg-type]
        fresh(session)
    return {"program": program, "projects": built}
