"""The programme page in headless Chromium: an official creates next year's programme from the seeded one and
opens its call; an official imports proposals from the intake template as a job (a progress bar, then a bad
file's problems in the page's language, or the counts of a good one); an official edits a draft's rules, moves
money between its envelopes and deletes a slot. Each result is read back from the page and from the API."""

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
from tests.dashboard.test_browser_workflow import SHOTS, api, choose, confirm_click, message, set_value, shot

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


def _card_shot(browser: Any, cid: str, name: str) -> None:
    """A screenshot of one card (the page scrolls inside its shell, so a full-page shot may cut it off)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    card = browser.find_element(By.ID, cid)
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", card)
    card.screenshot(str(SHOTS / f"{name}.png"))


def _set_maximum(browser: Any, row: int, value: str) -> None:
    """Type into the rubric row's maximum (a pattern-matching id: found by XPath, not By.ID's CSS)."""
    el = browser.find_element(By.XPATH, f"//input[@id='{{\"i\":{row},\"type\":\"programme-crit-max\"}}']")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
    el.clear()
    el.send_keys(value)


def _upload(browser: Any, path: Path) -> None:
    upload = browser.find_element(By.CSS_SELECTOR, "#programme-upload input[type=file]")
    upload.send_keys(str(path))


def _intake_jobs(client: httpx.Client) -> list[dict[str, Any]]:
    return [j for j in client.get("/jobs", params={"limit": 200}).json()["items"] if j["kind"] == "intake.import"]


def test_official_imports_proposals_from_the_template(browser: Any, live_server: Live, tmp_path: Path) -> None:
    client = api(live_server, "official")
    pid, code = _programme_with_a_published_slot(client, 2052, open_call=True)
    login(browser, live_server.url, "official")
    open_page(browser, live_server.url, f"programme?program={pid}", "#programme-intake")
    href = browser.find_element(By.ID, "programme-template-xlsx").get_attribute("href")
    r = httpx.get(href, cookies={c["name"]: c["value"] for c in browser.get_cookies()})
    assert r.status_code == 200 and r.content[:2] == b"PK"  # the template, through the browser's cookie
    # the call is open: the page says why rules, envelopes and slots are no longer edited
    assert "공고 전에만" in browser.find_element(By.ID, "programme-not-draft").text
    assert browser.find_element(By.ID, "programme-rules-button").get_attribute("disabled") is not None
    jobs_before = len(_intake_jobs(client))

    _upload(browser, _workbook(tmp_path / "bad.xlsx", code, bad=True))
    wait_for(browser, "#programme-intake-progress, #programme-intake-problems")  # the job's bar (or its end)
    wait_for(browser, "#programme-intake-problems")
    wait_idle(browser)
    table = browser.find_element(By.ID, "programme-intake-problems").text
    assert "제안서" in table and "정부출연금" in table and "0보다 큰 정수" in table, table
    assert "파일을 등록하지 않았습니다 (문제 1건)" in browser.find_element(By.ID, "programme-intake-error").text
    _card_shot(browser, "programme-intake", "official-programme-intake-refused-ko")
    assert client.get("/proposals", params={"program_id": pid}).json()["total"] == 0
    failed = _intake_jobs(client)[0]
    assert failed["status"] == "failed" and len(_intake_jobs(client)) == jobs_before + 1
    out = client.get(f"/programs/{pid}/intake/jobs/{failed['id']}").json()
    assert [(p["sheet"], p["row"], p["column"]) for p in out["problems"]] == [("제안서", 3, "정부출연금 신청액(원)")]

    # the English page gives the reasons in English
    browser.find_element(By.ID, "shell-lang-toggle").click()
    wait_for(browser, "#programme-intake")
    wait_idle(browser)
    _upload(browser, _workbook(tmp_path / "bad-en.xlsx", code, bad=True))
    wait_for(browser, "#programme-intake-problems")
    wait_idle(browser)
    table = browser.find_element(By.ID, "programme-intake-problems").text
    assert "whole number above 0" in table and "Reason" in table and "정수" not in table, table
    _card_shot(browser, "programme-intake", "official-programme-intake-refused-en")
    browser.find_element(By.ID, "shell-lang-toggle").click()
    wait_for(browser, "#programme-intake")
    wait_idle(browser)

    _upload(browser, _workbook(tmp_path / "good.xlsx", code, bad=False))
    wait_for(browser, "#programme-intake-progress, #programme-intake-done")
    _card_shot(browser, "programme-intake", "official-programme-intake-progress-ko")  # to look at, not asserted
    done = wait_for(browser, "#programme-intake-done")
    assert "제안서 1건, 컨소시엄 1개, 구성원 1개 기관을 등록했습니다" in done.text, done.text
    _card_shot(browser, "programme-intake", "official-programme-intake-done-ko")
    assert client.get("/proposals", params={"program_id": pid}).json()["total"] == 1
    finished = _intake_jobs(client)[0]
    assert finished["status"] == "done" and finished["progress"] == 100 and finished["message"] == "완료했습니다"
    result = client.get(f"/programs/{pid}/intake/jobs/{finished['id']}").json()
    assert result["result"]["proposals"] == 1 and result["members"] == 1
    assert page_errors(browser) == []


def test_official_edits_a_draft_rules_envelopes_and_deletes_a_slot(browser: Any, live_server: Live) -> None:
    client = api(live_server, "official")
    r = client.post("/programs", json={"from_program_id": _seeded_id(client), "year": 2053,
                                       "name_ko": "2053년 데이터 구축"})
    assert r.status_code == 201, r.text
    pid = int(r.json()["id"])
    r = client.post(f"/programs/{pid}/slots", json={"code": "2053-X", "field_code": "HEALTH",
                                                   "call_type": "designated", "title_ko": "지울 과제",
                                                   "ceiling_krw": 1_000_000_000})
    assert r.status_code == 201, r.text
    slot_id = r.json()["id"]
    login(browser, live_server.url, "official")
    open_page(browser, live_server.url, f"programme?program={pid}", "#programme-rules-form")
    wait_idle(browser)
    assert not browser.find_elements(By.ID, "programme-not-draft")

    # the rules: hire rate, free transfer shares, comment threshold
    set_value(browser, "programme-rule-hires_per_100m_krw", "3.1")
    set_value(browser, "programme-rule-transfer_free_ratio", "25")
    set_value(browser, "programme-rule-envelope_transfer_free_ratio", "40")
    set_value(browser, "programme-rule-comment_required_below", "35")
    assert "사업 규칙을 바꿉니다" in confirm_click(browser, "programme-rules")
    text = message(browser, "programme-done")
    assert "사업 규칙을 저장했습니다" in text and "정부출연금 1억원당 직접고용(명) 3.1" in text, text
    rules = client.get(f"/programs/{pid}").json()["rules"]
    assert (rules["hires_per_100m_krw"], rules["transfer_free_ratio"], rules["envelope_transfer_free_ratio"],
            rules["comment_required_below"]) == ("3.1", "0.25", "0.4", "0.35"), rules
    # out of bounds: refused, nothing changed
    set_value(browser, "programme-rule-transfer_free_ratio", "150")
    confirm_click(browser, "programme-rules")
    text = message(browser, "programme-error")
    assert "처리하지 않았습니다" in text and "비목 간 자유 전용 한도" in text, text
    assert client.get(f"/programs/{pid}").json()["rules"]["transfer_free_ratio"] == "0.25"

    # an envelope's amount: moved from one to another, the total the same
    envs = client.get(f"/budgeting/programs/{pid}/envelopes").json()
    assert len(envs) >= 2
    source, target = envs[0], envs[1]
    total = sum(e["amount_krw"] for e in envs)
    choose(browser, "programme-env-from", source["name_ko"])
    choose(browser, "programme-env-to", target["name_ko"])
    set_value(browser, "programme-env-amount", "100000000")
    set_value(browser, "programme-env-reason", "과제 구성 변경")
    assert "옮깁니다" in confirm_click(browser, "programme-envelope")
    text = message(browser, "programme-done")
    assert "100,000,000원을(를) 옮겼습니다" in text, text
    after = {e["id"]: e["amount_krw"] for e in client.get(f"/budgeting/programs/{pid}/envelopes").json()}
    assert after[source["id"]] == source["amount_krw"] - 100_000_000
    assert after[target["id"]] == target["amount_krw"] + 100_000_000 and sum(after.values()) == total
    shot(browser, "official-programme-draft-ko")

    # the rubric of the first call type: five points moved from its first criterion to its second
    first_type = browser.find_element(By.ID, "programme-rubric-type").text
    rubric_types = [ct for ct in ("designated", "regional", "free")
                    if client.get(f"/scoring/rubrics/{ct}", params={"program_id": pid}).status_code == 200]
    ct = rubric_types[0]
    before = client.get(f"/scoring/rubrics/{ct}", params={"program_id": pid}).json()
    a, b = (float(c["max_points"]) for c in before["criteria"][:2])
    _set_maximum(browser, 0, f"{a - 5:g}")
    _set_maximum(browser, 1, f"{b + 5:g}")
    assert "평가표를 바꿉니다" in confirm_click(browser, "programme-rubric")
    text = message(browser, "programme-done")
    assert "평가표를 저장했습니다" in text and "합계 100점" in text, (first_type, text)
    after_rubric = client.get(f"/scoring/rubrics/{ct}", params={"program_id": pid}).json()
    assert [float(c["max_points"]) for c in after_rubric["criteria"][:2]] == [a - 5, b + 5]
    assert [c["code"] for c in after_rubric["criteria"]] == [c["code"] for c in before["criteria"]]
    assert after_rubric["bonus_items"] == before["bonus_items"]
    # maxima that do not add up to 100: refused with the reason, the rubric as it was
    _set_maximum(browser, 0, f"{a + 10:g}")
    confirm_click(browser, "programme-rubric")
    text = message(browser, "programme-error")
    assert "처리하지 않았습니다" in text and "100" in text, text
    assert client.get(f"/scoring/rubrics/{ct}", params={"program_id": pid}).json()["criteria"] == \
        after_rubric["criteria"]

    # a slot deleted, after confirmation
    choose(browser, "programme-edit-slot", "2053-X")
    assert "되돌릴 수 없습니다" in confirm_click(browser, "programme-delete")
    text = message(browser, "programme-done")
    assert "과제 2053-X을(를) 삭제했습니다" in text, text
    assert [s for s in client.get(f"/programs/{pid}/slots").json() if s["id"] == slot_id] == []
    assert not browser.find_elements(By.ID, "programme-slot-2053-X")

    browser.find_element(By.ID, "shell-lang-toggle").click()
    wait_for(browser, "#programme-rules-form")
    wait_idle(browser)
    assert "Direct hires per 100M won" in browser.find_element(By.ID, "programme-rules-form").text
    shot(browser, "official-programme-draft-en")
    browser.find_element(By.ID, "shell-lang-toggle").click()
    wait_idle(browser)
    assert page_errors(browser) == []
