"""The national-scale exports (2017–2025, ~1,250 awards, ~1M ledger rows) validate against the official schemas.

Runs on the database `make seed-national` builds (var/national.db, or NATIONAL_DB=path): building
it takes minutes, so the test needs it built beforehand and is skipped, saying so, without it.
`python -m bench open-data` validates the same exports on every run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core import db
from opendata import giving360, ocds, stream, validation

NATIONAL = Path(os.environ.get("NATIONAL_DB", Path(__file__).resolve().parents[2] / "var" / "national.db"))
AS_OF = date(2026, 3, 31)

pytestmark = pytest.mark.skipif(not NATIONAL.exists(), reason=f"no national-scale database at {NATIONAL} "
                                                            "(build it with `make seed-national`)")


@pytest.fixture(scope="module")
def national() -> Iterator[Engine]:
    engine = db.make_engine(f"sqlite:///{NATIONAL}")
    yield engine
    engine.dispose()


def test_national_360giving_is_valid(national: Engine) -> None:
    with Session(national) as s:
        grants = stream.collect(giving360.package(s, None, AS_OF))
    assert len(grants["grants"]) > 1000
    assert validation.errors("360giving", grants) == []
    assert len({g["id"] for g in grants["grants"]}) == len(grants["grants"])


def test_national_ocds_is_valid(national: Engine) -> None:
    with Session(national) as s:
        releases = stream.collect(ocds.package(s, None, AS_OF))
    assert len(releases["releases"]) > 1000
    assert validation.errors("ocds", releases) == []
