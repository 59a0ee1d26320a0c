"""The programme page in headless Chromium: an official creates next year's programme from the seeded one and
opens its call; an official imports proposals from the intake template (a bad file lists its problems, a good
one is imported). Each result is read back from the page and from the API."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from selenium.webdriver.common.by import By

from program import intake
from tests.dashboard.browser import login, open_page, page_errors, wait_for, wait_idle
from tests.dashboard.conftest import Live
from tests.dashboard.test_browser_workflow import api, confirm_click, message, set_value, shot

pytestmark = pytest.mark.browser


def _seeded_id(client: httpx.Client) -> int:
    programs = client.get("/programs").json()
    return int(min(programs, key=lambda p: p["year"])["id"])


def _programme_with_a_published_slot(client: httpx.Client, year: int, *, open_call: bool) -> tuple[int, str]:
    r = client.post("/programs", json={"from_program_id": _seeded_id(client), "year": year,
                                       "name_ko": f"{year}년 데이터 구축"})
    assert r.status_code == 201, r.text
    pid = int(r.json()["id"])
    code = f"{year}-A"
    r = client.post(f"/programs/{pid}/slots", json={"code": code, "field_code": "HEALTH", "call_type": "designated",
                                                   "title_ko": "의료 영상 데이터", "ceiling_krw": 2_000_000_000,
                                                   "planned_volume": 1000})
    assert r.status_code == 201, r.text
    assert client.post(f"/slots/{r.json()['id']}/actions/publish").status_code == 200
    if open_call:
        assert client.post(f"/programs/{pid}/actions/open-call").status_code == 200
    return pid, code


def test_official_copies_the_programme_and_opens_its_call(browser: Any, live_server: Live) -> None:
    client = api(live_server, "official")
    seeded = _seeded_id(client)
    login(browser, live_server.url, "official")
    browser.get(f"{live_server.url}/dashboard/programme?program={seeded}")
    wait_for(browser, "#programme-state")
    wait_idle(browser)
    shot(browser, "official-programme-ko")
    set_value(browser, "programme-copy-year", "2051")
    set_value(browser, "programme-copy-name-ko", "2051년 인공지능 학습용 데이터 구축")
    assert "계속할까요" in confirm_click(browser, "programme-copy")
    text = message(browser, "programme-done")
    assert "2051년 사업" in text and "만들었습니다" in text, text
    made = [p for p in client.get("/programs").json() if p["year"] == 2051]
    assert made, "the programme was not created"
    pid = int(made[0]["id"])
    state = client.get(f"/programs/{pid}/state").json()
    assert state["status"] == "draft" and state["copied_from_id"] == seeded

    # a published slot (through the API), then the call opened from the page
    r = client.post(f"/programs/{pid}/slots", json={"code": "2051-A", "field_code": "HEALTH",
                                                   "call_type": "designated", "title_ko": "의료 영상 데이터",
                                                   "ceiling_krw": 2_000_000_000})
    assert r.status_code == 201, r.text
    assert client.post(f"/slots/{r.json()['id']}/actions/publish").status_code == 200
    browser.find_element(By.ID, "programme-new-link").click()
    wait_for(browser, "#programme-slot-2051-A")
    wait_idle(browser)
    assert "공고 전" in browser.find_element(By.ID, "programme-state").text
    assert "접수를 시작합니다" in confirm_click(browser, "programme-open")
    text = message(browser, "programme-done")
    assert "공모 접수를 시작했습니다 (과제 1개)" in text, text
    assert "접수 중" in browser.find_element(By.ID, "programme-state").text
    assert client.get(f"/programs/{pid}/state").json()["status"] == "call_open"
    shot(browser, "official-programme-open-ko")
    browser.find_element(By.ID, "shell-lang-toggle").click()
    wait_for(browser, "#programme-state")
    wait_idle(browser)
    assert "call open" in browser.find_element(By.ID, "programme-state").text
    shot(browser, "official-programme-en")
    browser.find_element(By.ID, "shell-lang-toggle").click()
    wait_idle(browser)
    assert page_errors(browser) == []


def _workbook(path: Path, code: str, *, bad: bool) -> Path:
    from tests.builders import make_business_number

    wb = load_workbook(io.BytesIO(intake.template_xlsx()))
    wb[intake.PROPOSAL_SHEET].append(["P1", code, "의료 영상 구축", "메디 컨소시엄", "많이" if bad else 1_900_000_000,
                                      212_000_000, 50, 500_000_000, 200, 40, 100_000, "예"])
    wb[intake.MEMBER_SHEET].append(["P1", "(주)브라우저데이터", make_business_number(), "중소기업", "서울",
                                    "주관기관", 100])
    wb.save(path)
    return path


def test_official_imports_proposals_from_the_template(browser: Any, live_server: Live, tmp_path: Path) -> None:
    client = api(live_server, "official")
    pid, code = _programme_with_a_published_slot(client, 2052, open_call=True)
    login(browser, live_server.url, "official")
    open_page(browser, live_server.url, f"programme?program={pid}", "#programme-intake")
    href = browser.find_element(By.ID, "programme-template-xlsx").get_attribute("href")
    r = httpx.get(href, cookies={c["name"]: c["value"] for c in browser.get_cookies()})
    assert r.status_code == 200 and r.content[:2] == b"PK"  # the template, through the browser's cookie

    upload = browser.find_element(By.CSS_SELECTOR, "#programme-upload input[type=file]")
    upload.send_keys(str(_workbook(tmp_path / "bad.xlsx", code, bad=True)))
    wait_for(browser, "#programme-intake-problems")
    wait_idle(browser)
    table = browser.find_element(By.ID, "programme-intake-problems").text
    assert "제안서" in table and "정부출연금" in table
    shot(browser, "official-programme-intake-refused-ko")
    assert client.get("/proposals", params={"program_id": pid}).json()["total"] == 0

    upload = browser.find_element(By.CSS_SELECTOR, "#programme-upload input[type=file]")
    upload.send_keys(str(_workbook(tmp_path / "good.xlsx", code, bad=False)))
    done = wait_for(browser, "#programme-intake-done")
    assert "제안서 1건" in done.text, done.text
    assert client.get("/proposals", params={"program_id": pid}).json()["total"] == 1
    assert page_errors(browser) == []
