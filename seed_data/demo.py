"""Demo accounts (one per role), created by `main.py serve` in demo mode and by the browser tests."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core import auth, db
from core.audit import SYSTEM
from core.models import Role, User, UserCreate

# (username, role, password): printed by `serve` in demo mode; never used outside it.
DEMO_ACCOUNTS: list[tuple[str, Role, str]] = [
    ("admin", Role.admin, "demo-admin-2021"),
    ("official", Role.official, "demo-official-2021"),
    ("evaluator", Role.evaluator, "demo-evaluator-2021"),
    ("auditor", Role.auditor, "demo-auditor-2021"),
]


def ensure_demo_accounts(engine: Engine | None = None) -> list[tuple[str, Role, str]]:
    """Create the demo accounts that do not exist yet; the evaluator gets open panels to score.

    Returns the accounts created by this call.
    """
    from scoring.service import attach_demo_evaluator

    created = []
    with Session(db.writer(engine or db.get_engine()), expire_on_commit=False) as session:
        for username, role, password in DEMO_ACCOUNTS:
            if session.exec(select(User).where(User.username == username)).first():
                continue
            user = auth.create_user(session, SYSTEM, UserCreate(username=username, role=role, password=password,
                                                                full_name=f"Demo {role.value}"))
            created.append((username, role, password))
            if role == Role.evaluator and user.id is not None:
                attach_demo_evaluator(session, user.id)
    return created
