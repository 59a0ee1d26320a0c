"""Builders of the money domain: selections (until scoring's builders land), envelopes and awards."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from budgeting import service
from budgeting.models import Award
from budgeting.schemas import AwardCreate
from core.audit import Actor
from program.models import Program, Project, ProjectStatus, Proposal
from scoring.models import Selection
from tests.builders import _save, make_consortium, make_org, make_program, make_project, make_proposal

OFFICIAL = Actor(username="official-test", role="official")
START, END = date(2021, 5, 1), date(2021, 12, 31)


def make_selection(session: Session, project: Project | None = None, proposal: Proposal | None = None,
                   **overrides: Any) -> Selection:
    project = project or make_project(session)
    proposal = proposal or make_proposal(session, project=project)
    values: dict[str, Any] = {"program_id": project.program_id, "project_id": project.id, "proposal_id": proposal.id,
                              "final_score": Decimal("85.5"), "recommended_grant_krw": proposal.requested_grant_krw,
                              "confirmed_by": "official", "confirmed_at": datetime(2021, 4, 28, tzinfo=UTC)}
    values.update(overrides)
    project.status = ProjectStatus.awarded  # a confirmed selection leaves its project awarded
    session.add(project)
    return _save(session, Selection(**values))


def make_funded_program(session: Session, *, total: int = 10_000_000_000,
                        projects: list[tuple[str, int]] | None = None) -> tuple[Program, list[Project]]:
    """A programme with designated projects [(field, ceiling)], and its envelopes split by ceilings."""
    program = make_program(session, total_budget_krw=total)
    specs = projects or [("HEALTH", 3_000_000_000), ("LANG", 2_000_000_000)]
    made = [make_project(session, program, field_code=f, ceiling_krw=c) for f, c in specs]
    service.create_envelopes(session, OFFICIAL, program.id)
    session.commit()
    return program, made


def make_award(session: Session, project: Project | None = None, *, grant: int = 1_900_000_000,
               matching: int = 212_000_000, **overrides: Any) -> Award:
    """An award from a fresh selection (lines at the programme's typical shares)."""
    if project is None:
        _, (project, _) = make_funded_program(session)
    members = [make_org(session)]
    consortium = make_consortium(session, others=members)
    proposal = make_proposal(session, project=project, consortium=consortium, requested_grant_krw=grant,
                             private_matching_krw=matching)
    selection = make_selection(session, project=project, proposal=proposal)
    data = {"selection_id": selection.id, "start_date": START, "end_date": END, **overrides}
    award = service.create_award(session, OFFICIAL, AwardCreate(**data))
    session.commit()
    return award
