"""A seeded database with the demo accounts, for the browser tests, the benchmark and manual runs.

Replicates what `main.py serve` does (main.py must not be imported): create the schema, run
the seed, create one account per role and give the demo evaluator assignments.

    .venv/bin/python -m tests.dashboard.livedb var/dash_dev.db [program|national]
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import schema
from core import auth, db
from core.audit import SYSTEM
from core.models import Role, User, UserCreate

DEMO_ACCOUNTS = {
    "admin": ("admin", "demo-admin-2021"),
    "official": ("official", "demo-official-2021"),
    "evaluator": ("evaluator", "demo-evaluator-2021"),
    "auditor": ("auditor", "demo-auditor-2021"),
}


def ensure_demo_accounts(engine: Engine) -> None:
    with Session(db.writer(engine), expire_on_commit=False) as session:
        for role, (username, password) in DEMO_ACCOUNTS.items():
            if session.exec(select(User).where(User.username == username)).first():
                continue
            user = auth.create_user(session, SYSTEM, UserCreate(username=username, role=Role(role),
                                                                password=password, full_name=f"Demo {role}"))
            if role == "evaluator":
                try:
                    scoring_service = importlib.import_module("scoring.service")
                except ModuleNotFoundError:
                    continue
                link = getattr(scoring_service, "attach_demo_evaluator", None)
                if link is not None:
                    link(session, user.id)
                    session.commit()


def build(path: Path, scale: str = "program") -> Engine:
    """Create (or reuse when already seeded) the database file at `path`."""
    from seed_data.run import is_empty, run_seed

    path.parent.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(f"sqlite:///{path}")
    schema.create_all(engine)
    if is_empty(engine):
        run_seed(engine, scale=scale, seed=2021)
    ensure_demo_accounts(engine)
    return engine


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "var/dash_dev.db")
    build(target, sys.argv[2] if len(sys.argv) > 2 else "program").dispose()
    print(f"ready: {target}")
