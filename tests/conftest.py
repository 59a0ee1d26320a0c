"""Test set-up: one database per run (SQLite by default, PostgreSQL with TEST_DB=postgres).

- `engine`: the schema, created once per run; every test that uses it starts from empty tables.
- `session`: a session on that database for service tests.
- `client`: the API (without the dashboard) on that database.
- `seeded_engine`: a SQLite copy of the seeded programme, built once and only read.

Under CI (CI=true) a test that needs PostgreSQL fails rather than skips when it is missing.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

import schema
from core import db

# The audit signing key and checkpoint file of a test run live in a folder of their own, never in var/.
_AUDIT_DIR = tempfile.mkdtemp(prefix="grants-audit-")
os.environ["AUDIT_KEY_FILE"] = os.path.join(_AUDIT_DIR, "audit-signing.key")
os.environ["AUDIT_CHECKPOINT_FILE"] = os.path.join(_AUDIT_DIR, "audit-checkpoints.jsonl")
# Jobs run inline when enqueued (huey immediate mode): a 202 from a report endpoint names a finished job.
# tests/jobs runs real workers on the SQLite and Redis queues.
os.environ.setdefault("JOB_QUEUE_URL", "memory://")
os.environ.setdefault("JOB_STORAGE_DIR", os.path.join(_AUDIT_DIR, "jobs"))  # result files, never in var/

BACKEND = os.environ.get("TEST_DB", "sqlite")
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_report_header(config: pytest.Config) -> str:
    return f"database backend: {BACKEND} ({PG_URL if BACKEND == 'postgres' else 'SQLite file'})"


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    if BACKEND == "postgres":
        url = PG_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    eng = db.configure(url)
    try:
        with eng.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # pragma: no cover - environment problem
        if IN_CI or BACKEND == "postgres":
            raise RuntimeError(f"test database {url} is not reachable: {exc}") from exc
        raise
    schema.drop_all(eng)
    schema.create_all(eng)
    yield eng
    schema.drop_all(eng)
    eng.dispose()


@pytest.fixture(autouse=True)
def _audit_checkpoints_per_test(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts from its own database state, so it gets its own checkpoint file too."""
    from core.settings import get_settings

    path = tmp_path_factory.mktemp("checkpoints") / "audit-checkpoints.jsonl"
    monkeypatch.setattr(get_settings(), "audit_checkpoint_file", str(path))


def _truncate(eng: Engine) -> None:
    tables = list(reversed(schema.load_models().sorted_tables))
    with eng.begin() as conn:
        if eng.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for t in tables:
                conn.execute(t.delete())


@pytest.fixture
def clean_engine(engine: Engine) -> Iterator[Engine]:
    """The test database, emptied after the test."""
    yield engine
    _truncate(engine)


@pytest.fixture
def session(clean_engine: Engine) -> Iterator[Session]:
    with Session(clean_engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def client(clean_engine: Engine) -> Iterator[TestClient]:
    from server import create_app

    with TestClient(create_app(with_dashboard=False)) as c:
        yield c


@dataclass
class Seeded:
    engine: Engine
    report: Any  # seed_data.run.SeedReport


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """The seeded 2021 programme (program scale, seed 2021) in its own SQLite file; read only."""
    from seed_data.run import run_seed

    path: Path = tmp_path_factory.mktemp("seeded") / "seeded.db"
    eng = db.make_engine(f"sqlite:///{path}")
    schema.create_all(eng)
    report = run_seed(eng, scale="program", seed=2021)
    yield Seeded(eng, report)
    eng.dispose()


@pytest.fixture(scope="session")
def seeded_engine(seeded: Seeded) -> Engine:
    return seeded.engine


@pytest.fixture(scope="session")
def national_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The national-scale seed (2017–2025, ~1M ledger rows): NATIONAL_DB when given, else built once (~1 min).

    Tests using it are marked `national` and run in the SQLite pass of `make test` only.
    """
    from seed_data.run import run_seed

    given = os.environ.get("NATIONAL_DB")
    if given:
        eng = db.make_engine(f"sqlite:///{given}")
    else:
        path: Path = tmp_path_factory.mktemp("national") / "national.db"
        eng = db.make_engine(f"sqlite:///{path}")
        schema.create_all(eng)
        run_seed(eng, scale="national", seed=2021)
    yield eng
    eng.dispose()
