"""The public job board on the seeded programme: open on the reference date, apply links, server-side sort and
pages, the API and the dashboard page reading the same function (budgeting.queries.list_public_jobs)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from budgeting.models import JobPosting
from dashboard import data
from dashboard.pages import jobs
from program.models import Program

DAY = date(2021, 9, 15)  # a day inside the seeded programme's posting periods


@pytest.fixture
def api(on_unit_db: Engine) -> Any:
    from server import create_app

    with TestClient(create_app(with_dashboard=False)) as c:
        yield c


def _postings(engine: Engine) -> list[JobPosting]:
    with Session(engine) as s:
        return list(s.exec(select(JobPosting)).all())


def _open_on(p: JobPosting, day: date) -> bool:
    return p.is_open and p.open_date <= day <= p.close_date


def test_default_reference_date_is_the_programmes_reporting_date(api: TestClient, on_unit_db: Engine) -> None:
    with Session(on_unit_db) as s:
        program = s.exec(select(Program).where(Program.id == data.main_program_id())).one()
    assert program.reporting_date is not None
    body = api.get("/api/v1/public/jobs", params={"program": program.id}).json()
    assert body["as_of"] == program.reporting_date.isoformat()  # not the machine's clock
    expected = sum(_open_on(p, program.reporting_date) for p in _postings(on_unit_db))
    assert body["total"] == expected  # the seeded postings all closed before 2022-12-31: none is open then


def test_only_postings_open_on_the_day_each_with_an_https_apply_link(api: TestClient, on_unit_db: Engine) -> None:
    postings = _postings(on_unit_db)
    expected = {p.id for p in postings if _open_on(p, DAY)}
    within_dates_but_withdrawn = {p.id for p in postings if p.open_date <= DAY <= p.close_date and not p.is_open}
    assert expected and within_dates_but_withdrawn  # the seed has both
    seen: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = api.get("/api/v1/public/jobs", params={"as_of": DAY.isoformat(), "limit": 25, "offset": offset}).json()
        assert page["total"] == len(expected)
        seen += page["items"]
        offset += 25
        if offset >= page["total"]:
            break
    assert {j["id"] for j in seen} == expected  # pages neither overlap nor skip
    assert all(j["status"] == "open" for j in seen)
    assert all(j["apply_url"].startswith("https://") for j in seen)
    closes = [j["close_date"] for j in seen]
    assert closes == sorted(closes)  # default order: closing soonest first


def test_all_postings_with_their_status_and_sorted_by_pay(api: TestClient, on_unit_db: Engine) -> None:
    postings = {p.id: p for p in _postings(on_unit_db)}
    body = api.get("/api/v1/public/jobs", params={"as_of": DAY.isoformat(), "status": "all", "sort": "-pay_krw",
                                                  "limit": 100}).json()
    assert body["total"] == len(postings)
    pays = [j["pay_krw"] for j in body["items"]]
    assert pays == sorted(pays, reverse=True)
    for j in body["items"]:
        p = postings[j["id"]]
        want = "open" if _open_on(p, DAY) else "upcoming" if p.is_open and p.open_date > DAY else "closed"
        assert j["status"] == want


@pytest.mark.parametrize("params", [{"limit": 101}, {"limit": 0}, {"sort": "password"}, {"status": "maybe"},
                                    {"as_of": "2021-13-01"}, {"as_of": "9999-01-01"}, {"offset": -1},
                                    {"program": 0}])
def test_bad_board_parameters_get_a_422(api: TestClient, params: dict[str, Any]) -> None:
    r = api.get("/api/v1/public/jobs", params=params)
    assert r.status_code == 422, r.text


def test_an_apply_link_must_be_https(api: TestClient, on_unit_db: Engine) -> None:
    from core.auth import create_token
    from tests.dashboard.conftest import user_named

    official = user_named(on_unit_db, "official")
    headers = {"Authorization": f"Bearer {create_token(official)}"}
    before = len(_postings(on_unit_db))
    body = {"title": "음성 전사 작업자 모집", "platform": "크라우드웍스", "pay_krw": 300, "open_date": "2021-07-01",
            "close_date": "2021-08-31"}
    for bad in ("http://crowdworks.example.com/jobs/1", "javascript:alert(1)", "https://exa mple.com/x"):
        r = api.post("/api/v1/budgeting/awards/1/job-postings", headers=headers, json={**body, "apply_url": bad})
        assert r.status_code == 422, r.text
    assert len(_postings(on_unit_db)) == before  # nothing created
    r = api.post("/api/v1/budgeting/awards/1/job-postings", headers=headers,
                 json={**body, "apply_url": "https://crowdworks.example.com/jobs/new"})
    assert r.status_code == 201, r.text
    assert r.json()["apply_url"] == "https://crowdworks.example.com/jobs/new"


def test_the_page_shows_what_the_api_lists(api: TestClient) -> None:
    pid = data.main_program_id()
    scope = {"program": pid, "as_of": DAY.isoformat()}
    fig_field, fig_region, table, info, prev_off, next_off, total, alt_field, _, title = \
        jobs.update("", "", "ko", "open", "close_date", 0, scope)
    body = api.get("/api/v1/public/jobs", params={"program": pid, "as_of": DAY.isoformat(), "limit": jobs.PAGE_SIZE})
    api_body = body.json()
    assert total == api_body["total"] and sum(fig_field.data[0].y) == total == sum(fig_region.data[0].y)
    shown = [tr.children[1].children for tr in table.children[2].children]
    assert shown == [j["title"] for j in api_body["items"]]
    assert info == f"전체 {total:,}건 중 1–{jobs.PAGE_SIZE}" and prev_off and not next_off and title == "모집 중인 작업"
    assert fig_field.layout.yaxis.dtick >= 1 and fig_field.layout.yaxis.tickformat == ",d"  # whole postings
    assert alt_field is not None and "chart-table" in str(alt_field)  # the chart's text alternative
    # every cell names its column (the phone's card layout), every open row links to the platform
    first = table.children[2].children[0]
    assert [td.to_plotly_json()["props"]["data-label"] for td in first.children][:2] == ["상태", "공고"]
    assert first.children[-1].children.href.startswith("https://")
    # the second page continues where the first stopped; the last page turns "next" off
    _, _, table2, info2, prev2, *_ = jobs.update("", "", "ko", "open", "close_date", 1, scope)
    second = api.get("/api/v1/public/jobs", params={"program": pid, "as_of": DAY.isoformat(),
                                                     "limit": jobs.PAGE_SIZE, "offset": jobs.PAGE_SIZE}).json()
    assert [tr.children[1].children for tr in table2.children[2].children] == [j["title"] for j in second["items"]]
    assert not prev2 and info2.startswith(f"전체 {total:,}건 중 {jobs.PAGE_SIZE + 1}–")
    last = jobs.update("", "", "ko", "open", "close_date", 10**6, scope)
    assert last[5] is True  # a page beyond the end shows the last page


def test_the_page_on_the_reporting_date_says_none_is_open(on_unit_db: Engine) -> None:
    pid = data.main_program_id()
    out = jobs.update("", "", "en", "open", "close_date", 0, {"program": pid})
    assert out[6] == 0 and "No job is open on 2022-12-31" in str(out[2])
    every = jobs.update("", "", "ko", "all", "-open_date", 0, {"program": pid})
    assert every[6] == len(_postings(on_unit_db)) and "마감" in str(every[2])
