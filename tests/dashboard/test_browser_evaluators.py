"""The evaluator registry page (평가위원 관리) in headless Chromium: an official registers a profile, edits its
expertise and affiliations, searches, deactivates, reactivates and imports a file (a bad file lists row, column
and reason and registers nobody). One action per test, each result read back from the page and from the API.
Forged callback requests from other roles change nothing (no browser needed for those)."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from scoring.models import Evaluator
from tests.dashboard.browser import login, open_page, page_errors, wait_for, wait_idle
from tests.dashboard.conftest import Live
from tests.dashboard.test_browser_workflow import api, choose, confirm_click, message, set_value, shot
from tests.dashboard.test_forged import app_client  # noqa: F401  (fixture)
from tests.dashboard.test_forged import login as cookie_login
from tests.dashboard.test_forged_workflow import _events, post, said

browser_test = pytest.mark.browser
_serial = itertools.count(1)


def _tag() -> str:
    """A name part no other test (nor the seed) uses."""
    return f"브라우저평가{next(_serial)}호"


def _orgs(client: httpx.Client, n: int = 2) -> list[dict[str, Any]]:
    items = client.get("/organizations", params={"limit": 50}).json()["items"]
    return list(items[:n])


def _make(client: httpx.Client, name: str, **extra: Any) -> dict[str, Any]:
    r = client.post("/scoring/evaluators", json={"name": name, **extra})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _find(client: httpx.Client, q: str) -> list[dict[str, Any]]:
    return list(client.get("/scoring/evaluators", params={"q": q, "limit": 500}).json()["items"])


def _open(browser: Any, live: Live) -> None:
    login(browser, live.url, "official")
    open_page(browser, live.url, "evaluators", "#evaluators-table")


def _set_date(browser: Any, cid: str, value: str) -> None:
    """A date into an <input type=date> as its picker leaves it (typing depends on the browser's locale)."""
    browser.execute_script(
        "const el = document.getElementById(arguments[0]);"
        "Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, arguments[1]);"
        "el.dispatchEvent(new Event('input', {bubbles: true}));"
        "el.dispatchEvent(new Event('change', {bubbles: true}));",
        cid, value)
    wait_idle(browser)


def _search(browser: Any, text: str) -> str:
    set_value(browser, "evaluators-q", text)
    browser.find_element(By.ID, "evaluators-search").click()
    wait_idle(browser)
    return str(browser.find_element(By.ID, "evaluators-list").text)


@browser_test
def test_official_registers_an_evaluator(browser: Any, live_server: Live) -> None:
    client = api(live_server, "official")
    now, before = _orgs(client)
    name = f"김{_tag()}"
    _open(browser, live_server)
    shot(browser, "official-evaluators-ko")
    set_value(browser, "evaluators-new-name", name)
    set_value(browser, "evaluators-new-title", "교수")
    choose(browser, "evaluators-new-field", "헬스케어")
    choose(browser, "evaluators-new-org", now["name"])
    set_value(browser, "evaluators-new-email", "kim.eval@example.kr")
    set_value(browser, "evaluators-new-phone", "010-1234-5678")
    choose(browser, "evaluators-new-aff-org", before["name"])
    _set_date(browser, "evaluators-new-aff-start", "2018-03-01")
    _set_date(browser, "evaluators-new-aff-end", "2020-02-29")
    assert "패널에는 배정되지 않습니다" in confirm_click(browser, "evaluators-create")
    text = message(browser, "evaluators-done")
    assert name in text and "등록했습니다" in text, text
    made = _find(client, name)
    assert len(made) == 1
    ev = made[0]
    assert ev["expertise_field_code"] == "HEALTH" and ev["title"] == "교수" and ev["active"]
    assert ev["affiliation_org_id"] == now["id"] and ev["email"] == "kim.eval@example.kr"
    assert [(a["org_id"], a["start_date"], a["end_date"]) for a in ev["affiliations"]] == [
        (before["id"], "2018-03-01", "2020-02-29")]
    row = browser.find_element(By.ID, f"evaluators-row-{ev['code']}").text
    assert name in row and "헬스케어" in row and now["name"] in row and before["name"] in row
    assert "kim.eval@example.kr" in row and "HEALTH" not in row
    # the list shows it by its number, it is chosen for editing, and the form is empty for the next one
    assert browser.find_element(By.ID, "evaluators-q").get_attribute("value") == ev["code"]
    assert browser.find_element(By.ID, "evaluators-edit-name").get_attribute("value") == name
    assert browser.find_element(By.ID, "evaluators-new-name").get_attribute("value") == ""
    assert page_errors(browser) == []


@browser_test
def test_official_edits_expertise_and_affiliation(browser: Any, live_server: Live) -> None:
    client = api(live_server, "official")
    first, second = _orgs(client)
    name = f"이{_tag()}"
    ev = _make(client, name, expertise_field_code="LANG", affiliations=[
        {"org_id": first["id"], "start_date": "2015-01-01", "end_date": "2017-12-31"}])
    _open(browser, live_server)
    assert name in _search(browser, name)
    choose(browser, "evaluators-target", ev["code"])
    assert browser.find_element(By.ID, "evaluators-edit-name").get_attribute("value") == name
    choose(browser, "evaluators-edit-field", "교통·물류")
    # drop the old affiliation, add another one with its dates
    box = browser.find_element(By.CSS_SELECTOR, "#evaluators-edit-history input[type=checkbox]")
    assert box.is_selected()
    box.click()
    choose(browser, "evaluators-edit-aff-org", second["name"])
    _set_date(browser, "evaluators-edit-aff-start", "2019-07-01")
    assert "이해충돌" in confirm_click(browser, "evaluators-save")
    text = message(browser, "evaluators-done")
    assert "저장했습니다" in text and name in text, text
    got = client.get(f"/scoring/evaluators/{ev['id']}").json()
    assert got["expertise_field_code"] == "TRANSPORT"
    assert [(a["org_id"], a["start_date"], a["end_date"]) for a in got["affiliations"]] == [
        (second["id"], "2019-07-01", None)]
    row = browser.find_element(By.ID, f"evaluators-row-{ev['code']}").text
    assert "교통·물류" in row and second["name"] in row and first["name"] not in row
    history = browser.find_element(By.ID, "evaluators-edit-history").text  # the form shows the stored list again
    assert second["name"] in history and "현재" in history
    shot(browser, "official-evaluators-edited-ko")
    assert page_errors(browser) == []


@browser_test
def test_official_searches_by_name_field_and_state(browser: Any, live_server: Live) -> None:
    client = api(live_server, "official")
    tag = _tag()
    health = _make(client, f"박{tag}", expertise_field_code="HEALTH")
    vision = _make(client, f"최{tag}", expertise_field_code="VISION")
    _open(browser, live_server)
    text = _search(browser, tag)
    assert health["name"] in text and vision["name"] in text and "2명" in text
    choose(browser, "evaluators-filter-field", "비전(영상·이미지)")
    text = str(browser.find_element(By.ID, "evaluators-list").text)
    assert vision["name"] in text and health["name"] not in text and "1명" in text
    api_rows = client.get("/scoring/evaluators", params={"q": tag, "field": "VISION"}).json()
    assert [r["code"] for r in api_rows["items"]] == [vision["code"]] and api_rows["total"] == 1
    choose(browser, "evaluators-filter-state", "사용 중지")
    assert "맞는 평가위원이 없습니다" in browser.find_element(By.ID, "evaluators-list").text
    assert client.get("/scoring/evaluators", params={"q": tag, "active": False}).json()["total"] == 0
    assert page_errors(browser) == []


@browser_test
def test_official_deactivates_an_evaluator(browser: Any, live_server: Live) -> None:
    client = api(live_server, "official")
    ev = _make(client, f"정{_tag()}")
    _open(browser, live_server)
    _search(browser, ev["name"])
    choose(browser, "evaluators-target", ev["code"])
    set_value(browser, "evaluators-reason", "겸직 신고 누락")
    assert "새 패널에 배정할 수 없게" in confirm_click(browser, "evaluators-deactivate")
    text = message(browser, "evaluators-done")
    assert "사용 중지했습니다" in text and ev["name"] in text, text
    assert client.get(f"/scoring/evaluators/{ev['id']}").json()["active"] is False
    assert "사용 중지" in browser.find_element(By.ID, f"evaluators-row-{ev['code']}").text
    assert browser.find_element(By.ID, "evaluators-state").text.startswith("사용 중지")
    assert page_errors(browser) == []


@browser_test
def test_official_reactivates_an_evaluator(browser: Any, live_server: Live) -> None:
    client = api(live_server, "official")
    ev = _make(client, f"한{_tag()}")
    assert client.post(f"/scoring/evaluators/{ev['id']}/deactivate").status_code == 200
    _open(browser, live_server)
    _search(browser, ev["name"])
    choose(browser, "evaluators-target", ev["code"])
    assert "다시 패널에 배정할 수 있게" in confirm_click(browser, "evaluators-reactivate")
    text = message(browser, "evaluators-done")
    assert "다시 사용할 수 있습니다" in text, text
    assert client.get(f"/scoring/evaluators/{ev['id']}").json()["active"] is True
    assert "사용 중" in browser.find_element(By.ID, f"evaluators-row-{ev['code']}").text
    assert "사용 중지" not in browser.find_element(By.ID, f"evaluators-row-{ev['code']}").text
    assert page_errors(browser) == []


HEADERS = ["이름", "전문분야", "소속기관 사업자등록번호", "직위", "이메일", "전화번호", "이전 소속 사업자등록번호",
           "이전 소속 종료일"]


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


def _upload(browser: Any, path: Path) -> None:
    box = browser.find_element(By.CSS_SELECTOR, "#evaluators-upload input[type=file]")
    browser.execute_script("arguments[0].value = ''", box)  # as the file dialog does before a choice
    box.send_keys(str(path))


@browser_test
def test_official_imports_a_file_of_evaluators(browser: Any, live_server: Live, tmp_path: Path) -> None:
    client = api(live_server, "official")
    org, prev = _orgs(client)
    tag = _tag()
    path = _csv(tmp_path / "good.csv", [
        [f"오{tag}", "AGRI", org["business_number"], "연구위원", "oh@example.kr", "02-123-4567",
         prev["business_number"], "2020-12-31"],
        [f"유{tag}", "SAFETY", "", "", "", "", "", ""]])
    _open(browser, live_server)
    _upload(browser, path)
    done = wait_for(browser, "#evaluators-import-done")
    assert "평가위원 2명을 등록했습니다" in done.text, done.text
    wait_idle(browser)
    made = {r["name"]: r for r in _find(client, tag)}
    assert set(made) == {f"오{tag}", f"유{tag}"}
    first = made[f"오{tag}"]
    assert first["expertise_field_code"] == "AGRI" and first["affiliation_org_id"] == org["id"]
    assert [(a["org_id"], a["end_date"]) for a in first["affiliations"]] == [(prev["id"], "2020-12-31")]
    assert made[f"유{tag}"]["expertise_field_code"] == "SAFETY"
    listing = _search(browser, tag)  # the registry holds them now
    assert all(name in listing for name in made) and "2명" in listing, listing
    assert page_errors(browser) == []


@browser_test
def test_a_bad_file_lists_its_problems_and_imports_nothing(browser: Any, live_server: Live, tmp_path: Path) -> None:
    client = api(live_server, "official")
    tag = _tag()
    path = _csv(tmp_path / "bad.csv", [
        [f"서{tag}", "HEALTH", "", "", "", "", "", ""],  # a good row: not imported either
        [f"남{tag}", "NOPE", "", "", "not-an-email", "", "", ""],
        ["", "LANG", "123-45", "", "", "", "", ""]])
    before = client.get("/scoring/evaluators", params={"limit": 1}).json()["total"]
    _open(browser, live_server)
    _upload(browser, path)
    table = wait_for(browser, "#evaluators-import-problems")
    wait_idle(browser)
    text = table.text
    refusal = browser.find_element(By.ID, "evaluators-import-error").text
    assert "아무것도 등록하지 않았습니다" in refusal and "4건" in refusal, refusal
    assert "3 전문분야 전문분야 코드 'NOPE'가 없습니다" in text, text
    assert "3 이메일 이메일 형식이 아닙니다" in text
    assert "4 이름 값이 필요합니다" in text
    assert "4 소속기관 사업자등록번호 사업자등록번호는 000-00-00000 형식이어야 합니다" in text
    shot(browser, "official-evaluators-import-refused-ko")
    assert _find(client, tag) == []
    _upload(browser, path)  # the same file dropped again is checked again (the upload was emptied)
    WebDriverWait(browser, 60).until(ec.staleness_of(table))  # a new answer replaced the old table
    wait_for(browser, "#evaluators-import-problems")
    wait_idle(browser)
    assert "아무것도 등록하지 않았습니다" in browser.find_element(By.ID, "evaluators-import-error").text
    assert client.get("/scoring/evaluators", params={"limit": 1}).json()["total"] == before
    assert page_errors(browser) == []


@browser_test
def test_the_page_in_english(browser: Any, live_server: Live) -> None:
    _open(browser, live_server)
    browser.find_element(By.ID, "shell-lang-toggle").click()
    wait_for(browser, "#evaluators-table")
    wait_idle(browser)
    page = browser.find_element(By.ID, "evaluators-page").text
    assert "Find evaluators" in page and "Register the evaluator" in page and "Healthcare" in page
    assert "평가위원 찾기" not in page
    shot(browser, "official-evaluators-en")
    browser.find_element(By.ID, "shell-lang-toggle").click()
    wait_for(browser, "#evaluators-table")
    assert page_errors(browser) == []


@browser_test
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_axe_finds_no_serious_violation(browser: Any, live_server: Live, lang: str) -> None:
    from tests.dashboard.test_browser_a11y import serious_violations, set_lang

    login(browser, live_server.url, "official")
    set_lang(browser, live_server.url, lang)
    open_page(browser, live_server.url, "evaluators", "#evaluators-table")
    assert browser.execute_script("return document.documentElement.lang") == lang
    assert serious_violations(browser) == []
    set_lang(browser, live_server.url, "ko")


# --------------------------------------------------------------------------- forged callback requests


def _created(engine: Engine, name: str) -> bool:
    with Session(engine) as s:
        return s.exec(select(Evaluator).where(Evaluator.name == name)).first() is not None


def _active(engine: Engine, evaluator_id: int) -> bool:
    with Session(engine) as s:
        ev = s.get(Evaluator, evaluator_id)
        assert ev is not None
        return bool(ev.active)


def _some_active(engine: Engine) -> int:
    with Session(engine) as s:
        ev = s.exec(select(Evaluator).where(Evaluator.active.is_(True)).order_by(Evaluator.id)).first()  # type: ignore[attr-defined]
        assert ev is not None and ev.id is not None
        return ev.id


CREATE = {"evaluators-create.submit_n_clicks": 1, "evaluators-new-name.value": "위조 평가위원",
          "evaluators-new-field.value": "HEALTH", "evaluators-new-email.value": "forged@example.kr",
          "evaluators-lang.data": "ko"}
OUTPUT = "evaluators-message.children"


def test_other_roles_cannot_register_or_deactivate_through_a_forged_request(app_client: TestClient,  # noqa: F811
                                                                            on_unit_db: Engine) -> None:
    target = _some_active(on_unit_db)
    deactivate = {"evaluators-deactivate.submit_n_clicks": 1, "evaluators-target.value": target,
                  "evaluators-lang.data": "ko"}
    search = {"evaluators-search.n_clicks": 1, "evaluators-q.value": "", "evaluators-lang.data": "ko"}
    profile = {"evaluators-target.value": target, "evaluators-version.data": 1, "evaluators-lang.data": "ko"}
    before = _events(on_unit_db)
    for role in (None, "auditor", "evaluator"):
        cookie_login(app_client, role)
        for values in (CREATE, deactivate, search):  # nor do they read the registry (contact is private)
            r = post(app_client, OUTPUT, values)
            assert r.status_code == 204 and r.content == b"", (role, r.text[:200])
        r = post(app_client, "evaluators-edit-name.value", profile)  # nor one profile
        assert r.status_code == 204 and r.content == b"", (role, r.text[:200])
    assert not _created(on_unit_db, "위조 평가위원")
    assert _active(on_unit_db, target)
    assert _events(on_unit_db) == before


def test_an_official_registers_through_the_same_request(app_client: TestClient,  # noqa: F811
                                                        on_unit_db: Engine) -> None:
    cookie_login(app_client, "official")
    r = post(app_client, OUTPUT, {**CREATE, "evaluators-new-name.value": "담당관 평가위원"})
    assert r.status_code == 200 and "등록했습니다" in said(r)
    assert _created(on_unit_db, "담당관 평가위원")
    r = post(app_client, "evaluators-edit-name.value", {"evaluators-target.value": _some_active(on_unit_db),
                                                        "evaluators-lang.data": "ko"})
    assert r.status_code == 200 and "evaluators-edit-name" in r.text  # an official reads the profile


def test_an_unclicked_confirmation_and_forged_values_change_nothing(app_client: TestClient,  # noqa: F811
                                                                    on_unit_db: Engine) -> None:
    target = _some_active(on_unit_db)
    before = _events(on_unit_db)
    cookie_login(app_client, "official")
    r = post(app_client, OUTPUT, {"evaluators-deactivate.submit_n_clicks": None, "evaluators-target.value": target})
    assert r.status_code == 204
    r = post(app_client, OUTPUT, {"evaluators-deactivate.submit_n_clicks": 1, "evaluators-target.value": 10**30,
                                  "evaluators-lang.data": "ko"})
    assert r.status_code == 200 and "먼저 평가위원을 고르세요" in said(r)
    r = post(app_client, OUTPUT, {**CREATE, "evaluators-new-name.value": "분야 위조", "evaluators-new-field.value":
                                  "NOPE"})
    assert r.status_code == 200 and "전문분야 코드 'NOPE'가 없습니다" in said(r)
    r = post(app_client, OUTPUT, {**CREATE, "evaluators-new-name.value": "  "})
    assert r.status_code == 200 and "이름 입력이 필요합니다" in said(r)
    assert not _created(on_unit_db, "분야 위조")
    assert _active(on_unit_db, target)
    assert _events(on_unit_db) == before


def test_a_bad_file_is_explained_in_the_pages_language(app_client: TestClient,  # noqa: F811
                                                       on_unit_db: Engine) -> None:
    """The English page lists the problems in English (the service keeps each reason's key)."""
    import base64
    import json

    from scoring.evaluators import EVALUATOR_COLUMNS
    from tests.dashboard.dashclient import body
    from tests.dashboard.test_forged_workflow import UPDATE

    lines = [",".join(h for _, h in EVALUATOR_COLUMNS), "남평가,NOPE,,,not-an-email,,,", "최평가,LANG,,,,,,2019-13-45"]
    contents = "data:text/csv;base64," + base64.b64encode("\n".join(lines).encode()).decode()
    before = _events(on_unit_db)
    cookie_login(app_client, "official")
    for lang, expected in (("en", ["not an e-mail address", "not a date; write YYYY-MM-DD",
                                   "unknown core field code 'NOPE'"]),
                           ("ko", ["이메일 형식이 아닙니다", "날짜가 아닙니다", "전문분야 코드 'NOPE'가 없습니다"])):
        values = {"evaluators-upload.contents": contents, "evaluators-upload.filename": "bad.csv",
                  "evaluators-lang.data": lang}
        r = app_client.post(UPDATE, json=body(app_client.app.state.dash_app, OUTPUT, values,  # type: ignore[attr-defined]
                                              ["evaluators-upload.contents"]))
        assert r.status_code == 200, r.text[:300]
        answer = json.dumps(r.json(), ensure_ascii=False)
        for text in expected:
            assert text in answer, (lang, text, answer[:1500])
    assert _events(on_unit_db) == before
