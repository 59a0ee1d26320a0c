"""Both exports validate against the official schemas (360Giving 1.4.3, OCDS 1.1.5), offline, with formats checked."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from opendata import validation
from tests.opendata.conftest import Built
from tests.opendata.exports import both, program_id


@pytest.fixture(scope="module")
def seeded_exports(seeded_engine: Engine) -> tuple[dict[str, Any], dict[str, Any]]:
    return both(seeded_engine, program_id(seeded_engine, 2021))


def test_programme_scale_360giving_is_valid(seeded_exports: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """The seeded 2021 programme (every award) as a 360Giving 1.4.3 package: no schema violation."""
    grants, _ = seeded_exports
    assert len(grants["grants"]) >= 100
    assert validation.errors("360giving", grants) == []


def test_programme_scale_ocds_is_valid(seeded_exports: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """The seeded 2021 programme (every project slot) as an OCDS 1.1.5 release package: no schema violation."""
    _, releases = seeded_exports
    assert len(releases["releases"]) >= 100
    assert validation.errors("ocds", releases) == []


@pytest.mark.parametrize("as_of", [None, date(2019, 6, 30), date(2020, 1, 15), date(2021, 4, 28)])
def test_national_like_sample_is_valid(national_sample: Built, as_of: date | None) -> None:
    """Every programme of the sample (three call types, regions, extension, reversal, calls still open), any date."""
    grants, releases = both(national_sample.engine, None, as_of)
    assert validation.errors("360giving", grants) == []
    assert validation.errors("ocds", releases) == []


def test_seeded_mid_year_is_valid(seeded_engine: Engine) -> None:
    """An as-of date inside the agreements (partial months, contracts active) validates too."""
    grants, releases = both(seeded_engine, program_id(seeded_engine, 2021), date(2021, 7, 10))
    assert validation.errors("360giving", grants) == []
    assert validation.errors("ocds", releases) == []


@pytest.mark.parametrize(("standard", "path", "value"), [
    ("360giving", ("grants", 0, "awardDate"), "28/04/2021"),  # not a date: the date/date-time oneOf fails
    ("360giving", ("grants", 0, "currency"), "KRX"),
    ("360giving", ("grants", 0, "fromOpenCall"), "yes"),
    ("360giving", ("grants", 0, "dataSource"), "not a uri"),
    ("ocds", ("releases", 0, "tag"), ["tender", "bid"]),
    ("ocds", ("releases", 0, "date"), "2021-04-28"),  # OCDS dates are date-times
    ("ocds", ("releases", 0, "tender", "numberOfTenderers"), "2"),
])
def test_the_validation_catches_a_violation(national_sample: Built, standard: str, path: tuple[Any, ...],
                                            value: Any) -> None:
    """The check can fail: one wrong value in an otherwise valid export is reported."""
    grants, releases = both(national_sample.engine)
    doc = copy.deepcopy(grants if standard == "360giving" else releases)
    target = doc
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    assert validation.errors(standard, doc) != []


def test_a_missing_required_field_is_caught(national_sample: Built) -> None:
    grants, releases = both(national_sample.engine)
    del grants["grants"][0]["amountAwarded"]
    del releases["releases"][0]["ocid"]
    assert validation.errors("360giving", grants) and validation.errors("ocds", releases)
