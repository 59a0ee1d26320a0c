"""Builders of the evaluation domain: rubric, evaluators, a scored panel."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, func, select

from core.audit import SYSTEM
from core.models import Role, User
from program.models import Organization, Program, Project, Proposal
from scoring import service
from scoring.models import BonusItemIn, ConflictConfirmation, CriterionIn, Evaluator, EvaluatorEmployment, RubricIn
from seed_data.common import call_2021
from tests.builders import fresh, make_consortium, make_org, make_program, make_project, make_proposal, make_user

RUBRIC = [(c["code"], Decimal(c["max_points"])) for c in call_2021()["rubric"]]
CALL_DATE = date(2021, 3, 12)


def make_rubric(session: Session, program: Program, call_type: str = "designated") -> None:
    data = call_2021()
    service.put_rubric(session, SYSTEM, program.id, call_type, RubricIn(  # type: ignore[arg-type]
        step=Decimal(data["rubric_step"]),
        criteria=[CriterionIn(code=c["code"], name_ko=c["name_ko"], name_en=c["name_en"],
                              max_points=Decimal(c["max_points"])) for c in data["rubric"]],
        bonus_items=[BonusItemIn(code=b["code"], name_ko=b["name_ko"], name_en=b["name_en"])  # points: the rules
                     for b in data["bonus_items"]]))


def make_evaluator(session: Session, *, user: User | None = None, affiliation: Organization | None = None,
                   **overrides: Any) -> Evaluator:
    n = session.exec(select(func.count()).select_from(Evaluator)).one() + 1
    values: dict[str, Any] = {"code": f"EV{n:04d}", "name": f"평가위원{n}", "user_id": user.id if user else None,
                              "affiliation_org_id": affiliation.id if affiliation else None}
    values.update(overrides)
    ev = Evaluator(**values)
    session.add(ev)
    session.commit()
    session.refresh(ev)
    session.commit()
    return ev


def add_job(session: Session, evaluator: Evaluator, org: Organization, end_date: date | None) -> None:
    session.add(EvaluatorEmployment(evaluator_id=evaluator.id, org_id=org.id, end_date=end_date))  # type: ignore[arg-type]
    session.commit()


def scores_for_total(total: Decimal | int | str) -> list[dict[str, Any]]:
    """Criterion points adding up to `total` (multiples of 0.5), each at least 40% of its maximum."""
    deficit = Decimal(100) - Decimal(total)
    out = []
    for code, mx in RUBRIC:
        take = min(deficit, (mx * Decimal("0.6")).quantize(Decimal("0.5")) if mx > 5 else Decimal("3"))
        deficit -= take
        out.append({"criterion_code": code, "points": str(mx - take)})
    assert deficit == 0, "total too low for this helper"
    return out


def scenario(session: Session, *, n_eval: int = 5, n_props: int = 2, program: Program | None = None,
             project: Project | None = None, panel: bool = True) -> dict[str, Any]:
    """A programme (call 2021-03-12) with a rubric, one project, proposals and evaluators with logins."""
    program = program or make_program(session, call_opened_date=CALL_DATE)
    make_rubric(session, program)
    project = project or make_project(session, program)
    proposals = [make_proposal(session, project) for _ in range(n_props)]
    users = [make_user(session, Role.evaluator) for _ in range(n_eval)]
    evaluators = [make_evaluator(session, user=u, expertise_field_id=project.field_id) for u in users]
    if panel:
        service.set_panel(session, SYSTEM, project.id, [e.id for e in evaluators])  # type: ignore[arg-type,misc]
        confirm_no_conflict(session, evaluators, project)
        fresh(session)
    return {"program": program, "project": project, "proposals": proposals, "users": users,
            "evaluators": evaluators}


def confirm_no_conflict(session: Session, evaluators: list[Evaluator], project: Project) -> None:
    """Each evaluator has confirmed no conflict with the project (what opens their sheets)."""
    for ev in evaluators:
        session.add(ConflictConfirmation(evaluator_id=ev.id, project_id=project.id))  # type: ignore[arg-type]
    session.commit()


def sheet_of(session: Session, user: User, proposal: Proposal) -> int:
    fresh(session)
    sid = next(a.id for a in service.my_assignments(session, user) if a.proposal_id == proposal.id)
    fresh(session)  # end the read transaction: SQLite would refuse a later write from this session
    return sid


def score(session: Session, user: User, proposal: Proposal, total: Decimal | int | str) -> int:
    """Submit `user`'s sheet for `proposal` with the given total; returns the sheet id."""
    from scoring.models import SheetIn

    sid = sheet_of(session, user, proposal)
    service.confirm_no_conflict(session, user, sid)  # what opens the sheet (idempotent)
    fresh(session)
    service.submit_sheet(session, user, sid, SheetIn.model_validate({"scores": scores_for_total(total)}))
    fresh(session)
    return sid


__all__ = ["make_consortium", "make_org", "scenario", "score", "sheet_of", "make_evaluator", "add_job"]
