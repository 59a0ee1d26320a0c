"""Callback requests posted by hand (as an attacker would): the server re-checks the role from the cookie."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.dashboard.conftest import user_named
from tests.dashboard.dashclient import body
from tests.dashboard.livedb import DEMO_ACCOUNTS
from tests.dashboard.test_callbacks import foreign_sheet_id

UPDATE = "/dashboard/_dash-update-component"


@pytest.fixture
def app_client(on_unit_db: Engine) -> Iterator[TestClient]:
    from server import create_app

    # A browser sends Origin with every POST (core.security refuses cookie-authenticated writes without it).
    with TestClient(create_app(), headers={"Origin": "http://testserver"}) as c:
        yield c


def login(c: TestClient, role: str | None) -> None:
    c.cookies.clear()
    if role is None:
        return
    username, password = DEMO_ACCOUNTS[role]
    c.get("/dashboard/login")  # the page hands out the CSRF cookie the login form echoes
    r = c.post("/dashboard/login", data={"username": username, "password": password,
                                         "csrf_token": c.cookies.get("grants_csrf")}, follow_redirects=False)
    assert r.status_code == 303 and "grants_token" in r.headers["set-cookie"]
    assert "HttpOnly" in r.headers["set-cookie"]


def post(c: TestClient, output: str, values: dict[str, Any]) -> Any:
    dash_app = c.app.state.dash_app  # type: ignore[attr-defined]
    return c.post(UPDATE, json=body(dash_app, output, values))


DATA_CALLBACKS = [
    ("allocation-treemap.figure", {"allocation-field.value": "", "allocation-call-type.value": "",
                                   "allocation-lang.data": "ko"}),
    ("evaluation-hist.figure", {"evaluation-field.value": "", "evaluation-lang.data": "ko"}),
    ("evaluation-ranking.children", {"evaluation-project.value": 1, "evaluation-lang.data": "ko"}),
    ("overview-kpis.children", {"overview-lang.data": "ko"}),
    ("award-body.children", {"award-key.data": {"award_id": "1", "lang": "ko"}}),
    ("obligations-hires-field.figure", {"obligations-field.value": "", "obligations-measure.value": "payment",
                                        "obligations-lang.data": "ko"}),
    ("delivery-funnel.figure", {"delivery-field.value": "", "delivery-lang.data": "ko"}),
    ("compliance-evidence.children", {"compliance-grid.selectedRows": [{"idx": 0}], "compliance-lang.data": "ko"}),
    ("evaluation-leniency.figure", {"evaluation-lang.data": "ko"}),
    ("award-findings.children", {"award-key.data": {"award_id": "1", "lang": "ko"}}),
    ("compliance-counts.children", {"compliance-severity.value": "", "compliance-check.value": "",
                                    "compliance-lang.data": "ko"}),
]


@pytest.mark.parametrize(("output", "values"), DATA_CALLBACKS, ids=[o for o, _ in DATA_CALLBACKS])
def test_forged_callbacks_as_evaluator_get_no_data(app_client: TestClient, output: str, values: dict) -> None:
    login(app_client, "evaluator")
    r = post(app_client, output, values)
    assert r.status_code == 204 and r.content == b""
    login(app_client, None)
    assert post(app_client, output, values).status_code == 204


def test_the_same_request_as_an_official_gets_data(app_client: TestClient) -> None:
    login(app_client, "official")
    r = post(app_client, *DATA_CALLBACKS[0])
    assert r.status_code == 200 and "2021-D-" in r.text


def test_forged_router_request_for_allocation_is_refused(app_client: TestClient) -> None:
    login(app_client, "evaluator")
    r = post(app_client, "shell-page.children", {"shell-url.pathname": "/dashboard/allocation",
                                                 "shell-url.search": "", "shell-lang.data": "ko"})
    assert r.status_code == 200
    assert "page-denied" in r.text and "allocation-page" not in r.text and "allocation-grid" not in r.text
    nav = post(app_client, "shell-page.children", {"shell-url.pathname": "/dashboard/assignments",
                                                   "shell-url.search": "", "shell-lang.data": "ko"})
    assert "nav-allocation" not in nav.text and "nav-assignments" in nav.text


def test_forged_sheet_id_reaches_only_own_sheets(app_client: TestClient, on_unit_db: Engine) -> None:
    evaluator = user_named(on_unit_db, "evaluator")
    login(app_client, "evaluator")
    r = post(app_client, "assignments-form.children", {"assignments-sheet.value":
                                                       foreign_sheet_id(on_unit_db, evaluator),
                                                       "assignments-lang.data": "ko"})
    assert r.status_code == 200
    assert "assignments-missing" in r.text and "score-row" not in r.text
    login(app_client, "official")  # an official is not an evaluator: the scoring form refuses too
    assert post(app_client, "assignments-form.children", {"assignments-sheet.value": 1,
                                                          "assignments-lang.data": "ko"}).status_code == 204


def test_public_job_board_needs_no_cookie(app_client: TestClient) -> None:
    login(app_client, None)
    r = post(app_client, "jobs-by-field.figure", {"jobs-field.value": "", "jobs-region.value": "",
                                                  "jobs-lang.data": "ko"})
    assert r.status_code == 200 and '"type":"bar"' in r.text.replace(" ", "")
    assert app_client.get("/dashboard/jobs").status_code == 200


def test_login_failure_logout_and_unknown_api_paths(app_client: TestClient) -> None:
    app_client.get("/dashboard/login")
    r = app_client.post("/dashboard/login", data={"username": "official", "password": "wrong-password",
                                                  "csrf_token": app_client.cookies.get("grants_csrf")},
                        follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("/dashboard/login?error=1")
    assert "grants_token" not in r.headers.get("set-cookie", "")
    login(app_client, "official")
    assert app_client.get("/api/v1/programs/1/summary").status_code == 200  # the API accepts the cookie
    r = app_client.post("/dashboard/logout", data={"csrf_token": app_client.cookies.get("grants_csrf")},
                        follow_redirects=False)
    assert r.status_code == 303 and 'grants_token=""' in r.headers["set-cookie"]
    app_client.cookies.clear()
    assert app_client.get("/api/v1/programs/1/summary").status_code == 401
    assert app_client.get("/api/v1/no-such-endpoint").status_code == 404  # not the dashboard's HTML
    assert app_client.get("/dashboard/fonts/NanumGothic.ttf").content[:4] == b"\x00\x01\x00\x00"
