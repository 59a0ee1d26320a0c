"""Fixtures of the open-data tests: a national-like sample built once in its own SQLite file (read only)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

import schema
from core import db
from tests.opendata.builders import Sample, make_national_sample


@dataclass
class Built:
    engine: Engine
    sample: Sample


@pytest.fixture(scope="session")
def national_sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """Three programmes (2019–2021) of designated, regional and free projects with history; read only."""
    path = tmp_path_factory.mktemp("opendata") / "sample.db"
    eng = db.make_engine(f"sqlite:///{path}")
    schema.create_all(eng)
    with Session(eng, expire_on_commit=False) as session:
        sample = make_national_sample(session)
    yield Built(eng, sample)
    eng.dispose()
