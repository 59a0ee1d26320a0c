"""Demo accounts (one per role), created by `main.py serve` in demo mode and by the browser tests.

Their passwords are public (README) and do not meet the password policy (each contains its
username): they are created only in demo mode, and outside demo mode the app refuses to start
while any of these accounts still has one of these passwords (core.auth.refuse_known_passwords).
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core import auth, db
from core.audit import SYSTEM
from core.demo import DEMO_ACCOUNTS, DEMO_NAMES, demo_credentials  # noqa: F401  (defined in core: server.py needs them)
from core.models import Role, User, UserCreate


def ensure_demo_accounts(engine: Engine | None = None) -> list[tuple[str, Role, str]]:
    """Create the demo accounts that do not exist yet; the evaluator gets open panels to score.

    Returns the accounts created by this call. Refused outside demo mode.
    """
    from core.settings import get_settings
    from scoring.service import attach_demo_evaluator

    if not get_settings().demo_mode:
        raise RuntimeError("demo accounts are created in demo mode only (DEMO_MODE=true)")

    created = []
    with Session(db.writer(engine or db.get_engine()), expire_on_commit=False) as session:
        for username, role, password in DEMO_ACCOUNTS:
            if session.exec(select(User).where(User.username == username)).first():
                continue
            user = auth.create_user(session, SYSTEM, UserCreate(username=username, role=role, password=password,
                                                                full_name=DEMO_NAMES[role]),
                                    check_policy=False)
            created.append((username, role, password))
            if role == Role.evaluator and user.id is not None:
                attach_demo_evaluator(session, user.id)
    return created
