"""HTTP routes that make a programme from another (mounted at /api/v1; they compose program, scoring
and budgeting, so they live in budgeting, the lowest layer that may use all three)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlmodel import Session

from budgeting import programmes
from core.audit import Actor
from core.auth import OfficialUser
from core.bounded import Id
from core.db import get_write_session
from program.models import ProgramCopyIn, ProgramCreateIn, ProgramStateRead

router = APIRouter(tags=["program"])


@router.post("/programs/{program_id}/actions/copy", response_model=ProgramStateRead, status_code=201)
def copy_programme(program_id: Id, data: ProgramCopyIn, user: OfficialUser,
                   session: Session = Depends(get_write_session)) -> ProgramStateRead:
    """Next year's programme from this one: rules, cost categories, rubrics, bonus items and envelopes
    copied; it starts before its call (rules and slots editable). 409 when the year exists."""
    return programmes.create_programme_from(session, Actor.of(user), program_id, data)


@router.post("/programs", response_model=ProgramStateRead, status_code=201)
def create_programme(data: ProgramCreateIn, user: OfficialUser,
                     session: Session = Depends(get_write_session)) -> ProgramStateRead:
    """A new programme, made from `from_program_id` (the same as POST /programs/{id}/actions/copy)."""
    copy = ProgramCopyIn(year=data.year, name_ko=data.name_ko, name_en=data.name_en,
                         total_budget_krw=data.total_budget_krw)
    return programmes.create_programme_from(session, Actor.of(user), data.from_program_id, copy)
