"""A seeded database with the demo accounts, for the browser tests, the benchmark and manual runs.

Does what `main.py serve` does: create the schema, run the seed, create one account per role
(seed_data.demo) and give the demo evaluator assignments.

    .venv/bin/python -m tests.dashboard.livedb var/dash_dev.db [program|national]
"""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy.engine import Engine

import schema
from core import db
from seed_data.demo import DEMO_ACCOUNTS as _ACCOUNTS
from seed_data.demo import ensure_demo_accounts

# role → (username, password) of the demo accounts
DEMO_ACCOUNTS = {role.value: (username, password) for username, role, password in _ACCOUNTS}


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
