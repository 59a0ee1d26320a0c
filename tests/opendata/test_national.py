"""The national-scale exports (2017–2025, ~1,250 awards, ~1M ledger rows) validate against the official schemas.

Runs on the national seed (the `national_engine` fixture: NATIONAL_DB=path, or built once per run).
`python -m bench open-data` validates the same exports on every run.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from opendata import giving360, ocds, stream, validation

AS_OF = date(2026, 3, 31)

pytestmark = pytest.mark.national


@pytest.fixture(scope="module")
def national(national_engine: Engine) -> Engine:
    return national_engine


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
