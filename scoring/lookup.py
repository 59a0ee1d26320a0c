"""Loading a project or programme or failing with NotFound (shared by the officials' use cases)."""

from __future__ import annotations

from sqlmodel import Session, select

from core.db import lock_for_update
from core.errors import NotFound
from program.models import (
    Program,
    Project,
)


def project_or_404(session: Session, project_id: int, *, lock: bool = False) -> Project:
    stmt = select(Project).where(Project.id == project_id)
    project = session.exec(lock_for_update(session, stmt) if lock else stmt).first()
    if project is None:
        raise NotFound(f"project {project_id} does not exist")
    return project


def program_or_404(session: Session, program_id: int) -> Program:
    program = session.get(Program, program_id)
    if program is None:
        raise NotFound(f"programme {program_id} does not exist")
    return program


