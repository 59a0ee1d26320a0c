"""Any as-of date: only what was submitted, decided, agreed, recorded and spent by then (Korean time)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import Session

from core.errors import NotFound
from opendata import giving360, ocds
from tests.opendata.builders import make_open_award, make_open_program, spend, stamp
from tests.opendata.conftest import Built


def grants_of(built: Built, as_of: date) -> dict[str, dict[str, Any]]:
    with Session(built.engine) as s:
        return {g["id"]: g for g in giving360.collect(s, None, as_of)["grants"]}


def releases_of(built: Built, as_of: date) -> dict[str, dict[str, Any]]:
    with Session(built.engine) as s:
        return {r["ocid"]: r for r in ocds.collect(s, None, as_of)["releases"]}


def test_before_any_call_nothing_is_published(national_sample: Built) -> None:
    """A package must hold one item: before the first call opened, both say so (NotFound, 404 in the API)."""
    with Session(national_sample.engine) as s:
        with pytest.raises(NotFound, match="2019-03-01"):
            giving360.package(s, None, date(2019, 3, 1))
        with pytest.raises(NotFound, match="2019-03-01"):
            ocds.package(s, None, date(2019, 3, 1))


def test_during_the_call_only_the_tenders(national_sample: Built) -> None:
    """15 April 2019: the 2019 calls with the bids received so far; no grant yet; later programmes absent."""
    with Session(national_sample.engine) as s, pytest.raises(NotFound):
        giving360.package(s, None, date(2019, 4, 15))
    releases = releases_of(national_sample, date(2019, 4, 15))
    assert len(releases) == 4  # the four 2019 project slots
    for r in releases.values():
        assert r["tag"] == ["tender"] and r["tender"]["status"] in ("active", "unsuccessful")
        assert "awards" not in r
    assert sorted(r["tender"]["numberOfTenderers"] for r in releases.values()) == [1, 2, 2, 2]
    assert sorted(r["tender"]["numberOfTenderers"] for r in releases_of(national_sample, date(2019, 4, 1)).values()) \
        == [0, 1, 1, 1]  # on 1 April only the proposal sent that day had come (the rivals came on the 2nd)


def test_selected_but_not_yet_agreed(national_sample: Built) -> None:
    """29 April 2019: the selection is an OCDS award; the agreement (30 April) is not yet a contract or a grant."""
    with Session(national_sample.engine) as s, pytest.raises(NotFound):
        giving360.package(s, None, date(2019, 4, 29))
    awarded = [r for r in releases_of(national_sample, date(2019, 4, 29)).values() if "awards" in r]
    assert len(awarded) == 3
    assert all(r["tag"] == ["tender", "award"] and "contracts" not in r for r in awarded)
    assert all(r["tender"]["status"] == "complete" for r in awarded)


def test_disbursements_up_to_the_date(national_sample: Built) -> None:
    """20 June 2019: May and June spending (the 15th) of the 2019 grants, 90% of it the grant's share."""
    grants = grants_of(national_sample, date(2019, 6, 20))
    assert len(grants) == 3
    for g in grants.values():
        assert [(t["transactionDate"], t["value"]) for t in g["disbursementTransaction"]] == [
            ("2019-05-15", 94_500_000), ("2019-06-15", 95_400_000)]  # 0.9 × 105M, 0.9 × 106M
        assert g["amountDisbursed"] == 189_900_000
    on_the_day = grants_of(national_sample, date(2019, 6, 15))
    assert all(len(g["disbursementTransaction"]) == 2 for g in on_the_day.values())
    day_before = grants_of(national_sample, date(2019, 6, 14))
    assert all(len(g["disbursementTransaction"]) == 1 for g in day_before.values())


def test_a_reversal_nets_its_month(national_sample: Built) -> None:
    """A payment of 20 August reversed on 28 August: counted on the 25th, gone (the month nets to 0) on the 31st."""
    first = f"360G-msit-{national_sample.sample.codes[0]}"
    before = grants_of(national_sample, date(2019, 8, 25))[first]["disbursementTransaction"]
    after = grants_of(national_sample, date(2019, 8, 31))[first]["disbursementTransaction"]
    assert before[-1]["transactionDate"] == "2019-08-20" and before[-1]["value"] == 27_000_000
    assert [t["transactionDate"][:7] for t in after] == ["2019-05", "2019-06", "2019-07"]


def test_an_extension_counts_from_when_it_was_recorded(national_sample: Built) -> None:
    """Extended on 1 December 2019 to 28 February 2020: the planned end and the contract period follow."""
    extended = f"360G-msit-{national_sample.sample.codes[1]}"
    assert grants_of(national_sample, date(2019, 11, 30))[extended]["plannedDates"][0]["endDate"] == "2019-12-31"
    assert grants_of(national_sample, date(2019, 12, 1))[extended]["plannedDates"][0]["endDate"] == "2020-02-28"
    contract = releases_of(national_sample, date(2020, 1, 15))[f"ocds-xxxxxx-{national_sample.sample.codes[1]}"][
        "contracts"][0]
    assert contract["status"] == "active" and contract["period"]["endDate"].startswith("2020-02-28")
    assert contract["amendments"][0]["description"] == "협약기간 연장: 종료일 2019-12-31 → 2020-02-28"
    ended = releases_of(national_sample, date(2020, 1, 15))[f"ocds-xxxxxx-{national_sample.sample.codes[2]}"][
        "contracts"][0]
    assert ended["status"] == "terminated"


def test_one_programme_only(national_sample: Built) -> None:
    program = national_sample.sample.programs[1]
    with Session(national_sample.engine) as s:
        grants = giving360.collect(s, program.id, date(2021, 12, 31))["grants"]
        releases = ocds.collect(s, program.id, date(2021, 12, 31))["releases"]
        with pytest.raises(NotFound, match="programme 99999"):
            giving360.package(s, 99999)
    assert {g["grantProgramme"][0]["code"] for g in grants} == {"360G-msit-programme-2020"}
    assert len(grants) == 3 and len(releases) == 4


def test_same_inputs_same_bytes(national_sample: Built) -> None:
    """An export for a past date is reproducible to the byte (what caches and archives rely on)."""
    with Session(national_sample.engine) as s:
        first = "".join(giving360.package(s, None, date(2020, 12, 31)))
        again = "".join(giving360.package(s, None, date(2020, 12, 31)))
        o1 = "".join(ocds.package(s, None, date(2020, 12, 31)))
        o2 = "".join(ocds.package(s, None, date(2020, 12, 31)))
    assert first == again and o1 == o2


def test_an_entry_recorded_late_waits_for_its_recording_date(session: Session) -> None:
    """Spent on 10 June, recorded on 1 July: not yet known on 20 June, counted as of 1 July (by spent date)."""
    _, (project,) = make_open_program(session, 2021)
    award = make_open_award(session, project)
    spend(session, award, date(2021, 6, 10), 100_000_000, recorded=stamp(date(2021, 7, 1), 2))
    assert "disbursementTransaction" not in giving360.collect(session, None, date(2021, 6, 20))["grants"][0]
    (paid,) = giving360.collect(session, None, date(2021, 7, 1))["grants"][0]["disbursementTransaction"]
    assert paid["transactionDate"] == "2021-06-10" and paid["value"] == 90_000_000
