"""The public open-data routes: no login, streamed, cached, documented with the API's error responses."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

import main
from opendata import giving360, ocds, validation
from tests.opendata.builders import make_open_award, make_open_program, spend

BASE = "/api/v1/public/open-data"


@pytest.fixture
def awarded(session: Session) -> int:
    """One 2021 programme with a regional and a designated award and some spending; its id."""
    program, projects = make_open_program(session, 2021, projects=[
        {"field_code": "HEALTH", "call_type": "designated"},
        {"field_code": "AGRI", "call_type": "regional", "region": "전남"}])
    for project in projects:
        award = make_open_award(session, project)
        spend(session, award, date(2021, 6, 3), 120_000_000)
    assert program.id is not None
    return program.id


@pytest.mark.parametrize(("name", "module"), [("360giving", giving360), ("ocds", ocds)])
def test_anyone_downloads_a_valid_export(client: TestClient, session: Session, awarded: int, name: str,
                                         module: object) -> None:
    """Without a token: 200, JSON, the same package the function builds, valid against the official schema."""
    r = client.get(f"{BASE}/{name}.json", params={"program_id": awarded, "as_of": "2021-12-31"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["cache-control"] == "public, max-age=86400"  # a past date: what was recorded by then is fixed
    assert f'{name}-programme-{awarded}-2021-12-31.json' in r.headers["content-disposition"]
    body = r.json()
    assert validation.errors(name, body) == []
    expected = module.collect(session, awarded, date(2021, 12, 31), base_url="http://testserver/")  # type: ignore[attr-defined]
    assert body == expected
    assert r.content.decode("utf-8").count("과학기술정보통신부") >= 1  # Korean as UTF-8 text, not \\u escapes


def test_today_is_cached_briefly(client: TestClient, awarded: int) -> None:
    r = client.get(f"{BASE}/360giving.json")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "public, max-age=300"
    (grant, *_) = r.json()["grants"]
    assert grant["dataSource"].startswith("http://testserver/api/v1/public/open-data/360giving.json?as_of=")


@pytest.mark.parametrize(("params", "status", "field"), [
    ({"program_id": 999_999}, 404, None),
    ({"as_of": "2016-01-01"}, 404, None),  # nothing awarded yet: a package must hold one grant
    ({"as_of": "2021-13-01"}, 422, "as_of"),
    ({"as_of": "9999-12-31"}, 422, "as_of"),  # bounded: the end of that day would overflow
    ({"program_id": 2**31}, 422, "program_id"),
    ({"program_id": "1\x00"}, 422, "program_id"),
])
def test_errors_have_the_one_shape(client: TestClient, awarded: int, params: dict[str, object], status: int,
                                   field: str | None) -> None:
    for name in ("360giving", "ocds"):
        r = client.get(f"{BASE}/{name}.json", params=params)
        assert r.status_code == status, (name, params, r.text)
        body = r.json()
        assert set(body) == {"code", "detail", "field", "errors"} and body["field"] == field


def test_documented_like_the_other_routes(client: TestClient) -> None:
    """In the OpenAPI: public (no 401/403), 404 and 422 with ErrorBody, JSON 200, bounded parameters."""
    spec = client.get("/openapi.json").json()
    for name in ("360giving", "ocds"):
        op = spec["paths"][f"{BASE}/{name}.json"]["get"]
        assert set(op["responses"]) == {"200", "404", "422"}
        for status in ("404", "422"):
            assert op["responses"][status]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorBody"}
        assert "application/json" in op["responses"]["200"]["content"]
        assert "security" not in op
        params = {p["name"]: p["schema"] for p in op["parameters"]}
        program = next(s for s in params["program_id"]["anyOf"] if s.get("type") == "integer")
        assert (program["minimum"], program["maximum"]) == (1, 2**31 - 1)
        as_of = next(s for s in params["as_of"]["anyOf"] if s.get("type") == "string")
        assert as_of["format"] == "date"


def test_the_job_board_links_both_downloads(clean_engine: object) -> None:
    from dashboard.pages import jobs

    text = json.dumps(jobs.layout(None, "ko", {}).to_plotly_json(), default=lambda o: o.to_plotly_json(),
                      ensure_ascii=False)
    assert f"{BASE}/360giving.json" in text and f"{BASE}/ocds.json" in text
    assert "지원 내역 공개 데이터" in text
    english = json.dumps(jobs.open_data_links("en").to_plotly_json(), default=lambda o: o.to_plotly_json())
    assert "Open data on the awards" in english


@pytest.mark.parametrize("standard", ["360giving", "ocds"])
def test_cli_writes_a_valid_file(session: Session, awarded: int, tmp_path: Path, standard: str,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / f"{standard}.json"
    code = main.main(["export", "open-data", "--standard", standard, "--out", str(out),
                      "--program-id", str(awarded), "--as-of", "2021-12-31"])
    assert code == 0
    assert validation.errors(standard, json.loads(out.read_text(encoding="utf-8"))) == []
    assert str(out) in capsys.readouterr().out
    assert not (tmp_path / f"{standard}.json.part").exists()


def test_cli_nothing_to_publish_is_exit_2_and_no_file(session: Session, awarded: int, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "g.json"
    assert main.main(["export", "open-data", "--standard", "360giving", "--out", str(out),
                      "--as-of", "2016-01-01"]) == 2
    assert "2016. 1. 1.까지" in capsys.readouterr().err  # Korean first: the date as an official writes it
    assert list(tmp_path.iterdir()) == []
