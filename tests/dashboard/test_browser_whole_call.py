"""A whole call through the dashboard only, in headless Chromium, on a fresh programme (issue 12): officials
copy the 2021 programme into a 2022 draft, add and publish a project slot, open the call, import three
proposals from the intake template (one ineligible: too few planned hires), close the call, screen, build the
panel, evaluators read, certify, score and submit, an official confirms the selection, makes the award and
requests a line transfer above the free share, a second official approves it on 결재. After each step the
result is read back from the API; at the end the audit log verifies.

The live database is shared with the other browser tests (and mutated by them): everything here is created
fresh and found by what this test made, never by a seed figure."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from selenium.common.exceptions import ElementNotInteractableException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlmodel import Session, select

from program import intake
from tests.dashboard.browser import login, open_page, page_errors, wait_for, wait_idle
from tests.dashboard.conftest import Live
from tests.dashboard.livedb import DEMO_ACCOUNTS
from tests.dashboard.test_browser_workflow import (
    STRONG,
    _category_ko,
    api,
    choose,
    confirm_click,
    confirm_click_button,
    message,
    set_value,
    shot,
)

pytestmark = pytest.mark.browser

YEAR = 2022
SLOT = "2022-HEALTH-01"
CEILING = 2_000_000_000
# (key, consortium, grant, matching, planned direct hires): the third plans too few hires for its grant
PROPOSALS = (("P1", "한빛 의료데이터 컨소시엄", 1_900_000_000, 211_200_000, 46),
             ("P2", "누리 헬스케어 컨소시엄", 1_800_000_000, 200_000_000, 44),
             ("P3", "소수정예 컨소시엄", 1_700_000_000, 190_000_000, 2))


def _client(live: Live, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=f"{live.url}/api/v1", timeout=60)
    r = client.post("/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    return client


def _login_as(driver: Any, live: Live, username: str, password: str) -> None:
    driver.delete_all_cookies()
    driver.get(f"{live.url}/dashboard/login")
    wait_for(driver, "#login-username")
    driver.find_element(By.ID, "login-username").send_keys(username)
    driver.find_element(By.ID, "login-password").send_keys(password)
    driver.find_element(By.ID, "login-submit").click()
    wait_for(driver, "#nav-logout")


def _names(live: Live) -> tuple[str, str]:
    """The Korean names of the HEALTH field and the designated call type, as the page's dropdowns show them."""
    from program.models import CallType, CoreField

    with Session(live.engine) as s:
        field = s.exec(select(CoreField).where(CoreField.code == "HEALTH")).one()
        ct = s.exec(select(CallType).where(CallType.code == "designated")).one()
        return field.name_ko, ct.name_ko


def _intake_file(path: Path, template: bytes) -> Path:
    """The template the page offered, filled in: three proposals for the slot, each a consortium of two."""
    from tests.builders import make_business_number

    wb = load_workbook(io.BytesIO(template))
    for key, name, grant, matching, hires in PROPOSALS:
        wb[intake.PROPOSAL_SHEET].append([key, SLOT, f"{name} 의료 영상 구축", name, grant, matching, hires,
                                          400_000_000, 200, 80, 100_000, "예"])
        short = name.split()[0]
        wb[intake.MEMBER_SHEET].append([key, f"(주){short}데이터", make_business_number(), "중소기업", "서울",
                                        "주관기관", 60])
        wb[intake.MEMBER_SHEET].append([key, f"{short}대학교 산학협력단", make_business_number(), "대학", "대전",
                                        "참여기관", 40])
    wb.save(path)
    return path


def _score_in_browser(driver: Any, live: Live, sheet_id: int, name: str, certify: list[str] | None) -> None:
    """As the logged-in evaluator: open the sheet; first (`certify`: the consortia the evaluator scores on the
    project, all listed there) confirm no conflict, which opens every sheet of the project; read the proposal's
    facts, score at 80 % of each maximum, submit with the confirmation."""
    open_page(driver, live.url, f"assignments?sheet={sheet_id}", "#assignments-rows, #assignments-certify-panel")
    if certify is not None:
        assert driver.find_elements(By.ID, "assignments-certify-panel"), "the sheet opened before the certification"
        listed = driver.find_element(By.ID, "assignments-coi-members").text
        assert all(c in listed for c in certify), listed  # every consortium of the project it will score
        assert "데이터" in listed and "산학협력단" in listed  # and their member organisations
        shot(driver, "whole-call-4-evaluator-certify-ko")
        assert "이해관계가 없음" in confirm_click(driver, "assignments-certify")
        assert "평가표가 열렸습니다" in message(driver, "assignments-certified")
    else:
        assert not driver.find_elements(By.ID, "assignments-certify-panel")  # the project is certified already
    wait_for(driver, "#assignments-rows")
    wait_idle(driver)
    facts = driver.find_element(By.ID, "assignments-facts").text
    assert "직접고용 계획" in facts and "민간부담금" in facts, facts
    assert name in driver.find_element(By.TAG_NAME, "main").text
    WebDriverWait(driver, 30).until(lambda d: any(
        el.is_displayed() for el in d.find_elements(By.CSS_SELECTOR, "#assignments-rows input[type=number]")))
    wait_idle(driver)
    maxima = [float(el.text.strip(" ()").split("–")[1]) for el in driver.find_elements(By.CSS_SELECTOR, ".score-max")]
    assert maxima
    for i, mx in enumerate(maxima):
        for attempt in range(3):  # the rows may render once more right after the sheet opens: find them afresh
            try:
                el = driver.find_elements(By.CSS_SELECTOR, "#assignments-rows input[type=number]")[i]
                driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
                el.clear()
                el.send_keys(str(int(mx * 0.8)))
                break
            except (ElementNotInteractableException, StaleElementReferenceException):
                if attempt == 2:
                    raise
                time.sleep(0.5)
                wait_idle(driver)
    wait_idle(driver)
    shot(driver, "whole-call-4-evaluator-sheet-ko")
    assert "잠기고" in confirm_click_button(driver, "assignments-submit")
    wait_for(driver, "#assignments-done")
    wait_for(driver, "#assignments-locked")


def _score_through_api(client: httpx.Client, sheet_id: int, share: float) -> None:
    """As that evaluator through the API (what the page does): certify, score `share` of each maximum, submit."""
    assert client.post(f"/scoring/assignments/{sheet_id}/no-conflict").status_code == 200
    detail = client.get(f"/scoring/assignments/{sheet_id}").json()
    scores = [{"criterion_code": c["code"], "points": str(int(float(c["max_points"]) * share)), "comment": "검토함"}
              for c in detail["rubric"]["criteria"]]
    r = client.post(f"/scoring/assignments/{sheet_id}/submit", json={"scores": scores})
    assert r.status_code == 200, r.text


def _sheets_of(live: Live, project_id: int) -> dict[int, list[int]]:
    """Evaluator id → the ids of their sheets on the project."""
    from scoring.models import ScoreSheet

    with Session(live.engine) as s:
        out: dict[int, list[int]] = {}
        for sheet in s.exec(select(ScoreSheet).where(ScoreSheet.project_id == project_id)).all():
            assert sheet.id is not None
            out.setdefault(sheet.evaluator_id, []).append(sheet.id)
        return out


def _proposal_of(live: Live, project_id: int) -> dict[int, int]:
    """Sheet id → its proposal's id."""
    from scoring.models import ScoreSheet

    with Session(live.engine) as s:
        return {int(sh.id): sh.proposal_id for sh in s.exec(select(ScoreSheet).where(  # type: ignore[arg-type]
            ScoreSheet.project_id == project_id)).all()}


def test_a_whole_call_through_the_dashboard(browser: Any, live_server: Live, tmp_path: Path) -> None:
    try:
        _whole_call(browser, live_server, tmp_path)
    except BaseException:
        shot(browser, "whole-call-failed")  # the page as it was when a step failed
        raise


def _whole_call(browser: Any, live_server: Live, tmp_path: Path) -> None:
    official, admin = api(live_server, "official"), api(live_server, "admin")
    seeded = min(official.get("/programs").json(), key=lambda p: p["year"])
    assert not [p for p in official.get("/programs").json() if p["year"] == YEAR], "2022 exists already"
    field_ko, type_ko = _names(live_server)

    # 1. official, 사업 운영: copy the 2021 programme into a 2022 draft, add a slot, publish it, open the call
    login(browser, live_server.url, "official")
    open_page(browser, live_server.url, f"programme?program={seeded['id']}", "#programme-copy-form")
    set_value(browser, "programme-copy-year", str(YEAR))
    set_value(browser, "programme-copy-name-ko", "2022년 인공지능 학습용 데이터 구축")
    set_value(browser, "programme-copy-name-en", "AI training data 2022")
    assert "계속할까요" in confirm_click(browser, "programme-copy")
    assert "만들었습니다" in message(browser, "programme-done")
    made = [p for p in official.get("/programs").json() if p["year"] == YEAR]
    assert len(made) == 1
    pid = int(made[0]["id"])
    assert official.get(f"/programs/{pid}/state").json()["copied_from_id"] == seeded["id"]
    browser.find_element(By.ID, "programme-new-link").click()
    wait_for(browser, "#programme-add-form")
    wait_idle(browser)
    set_value(browser, "programme-slot-code", SLOT)
    set_value(browser, "programme-slot-title", "의료 영상 판독 데이터")
    choose(browser, "programme-slot-field", field_ko)
    choose(browser, "programme-slot-type", type_ko)
    set_value(browser, "programme-slot-ceiling", str(CEILING))
    set_value(browser, "programme-slot-volume", "100000")
    confirm_click(browser, "programme-add")
    assert SLOT in message(browser, "programme-done")
    choose(browser, "programme-edit-slot", SLOT)
    confirm_click(browser, "programme-publish")
    assert SLOT in message(browser, "programme-done")
    slots = official.get(f"/programs/{pid}/slots").json()
    assert [(s["code"], s["ceiling_krw"], s["published"]) for s in slots] == [(SLOT, CEILING, True)]
    assert "접수를 시작합니다" in confirm_click(browser, "programme-open")
    assert "공모 접수를 시작했습니다 (과제 1개)" in message(browser, "programme-done")
    assert official.get(f"/programs/{pid}/state").json()["status"] == "call_open"
    shot(browser, "whole-call-1-programme-open-ko")

    # 2. official: the intake template from the page, filled in, uploaded; the job's bar ends in the counts
    href = browser.find_element(By.ID, "programme-template-xlsx").get_attribute("href")
    template = httpx.get(href, cookies={c["name"]: c["value"] for c in browser.get_cookies()})
    assert template.status_code == 200 and template.content[:2] == b"PK"
    path = _intake_file(tmp_path / "intake-2022.xlsx", template.content)
    browser.find_element(By.CSS_SELECTOR, "#programme-upload input[type=file]").send_keys(str(path))
    wait_for(browser, "#programme-intake-progress, #programme-intake-done")
    done = wait_for(browser, "#programme-intake-done", timeout=90)
    assert "제안서 3건, 컨소시엄 3개, 구성원 6개 기관을 등록했습니다" in done.text, done.text
    shot(browser, "whole-call-2-intake-done-ko")
    proposals = official.get("/proposals", params={"program_id": pid, "limit": 50}).json()["items"]
    assert len(proposals) == 3
    project_id = int(proposals[0]["project_id"])
    assert {p["project_id"] for p in proposals} == {project_id}

    # 3. official: close the call; screen on the evaluation page (the ineligible one's reason); the panel
    open_page(browser, live_server.url, f"programme?program={pid}", "#programme-call-form")
    confirm_click(browser, "programme-close")
    text = message(browser, "programme-done")
    assert "접수를 마감했습니다: 평가로 넘어간 과제 1개" in text, text
    assert official.get(f"/programs/{pid}/state").json()["status"] != "call_open"
    open_page(browser, live_server.url, f"evaluation?program={pid}&project={project_id}",
              "#evaluation-screening-table")
    assert "계속할까요" in confirm_click(browser, "evaluation-screen")
    assert "3건" in message(browser, "evaluation-done")
    screening = {r["proposal_id"]: r for r in official.get(f"/scoring/projects/{project_id}/screening").json()}
    ineligible = [pid_ for pid_, r in screening.items() if not r["effective_eligible"]]
    assert len(ineligible) == 1 and len(screening) == 3
    assert [c["code"] for c in screening[ineligible[0]]["reasons"]] == ["too_few_hires"]
    row = browser.find_element(By.ID, f"evaluation-screen-row-{ineligible[0]}").text
    assert "직접고용 계획 부족" in row and "too_few" not in row, row
    shot(browser, "whole-call-3-screened-ko")
    set_value(browser, "evaluation-auto-size", "5")
    confirm_click(browser, "evaluation-auto")
    assert "5명" in message(browser, "evaluation-done")
    members = official.get(f"/scoring/projects/{project_id}/panel").json()["members"]
    assert len(members) == 5 and not any(m["conflicted"] for m in members)
    shot(browser, "whole-call-3-panel-ko")
    sheets = _sheets_of(live_server, project_id)
    assert set(sheets) == {m["evaluator_id"] for m in members}
    assert all(len(v) == 2 for v in sheets.values())  # the two eligible proposals, not the ineligible one

    # 4. evaluators: an account per seated member. The first without a login gets it on the admin's accounts page
    # (linked to its profile there); the others through the API (POST /users, then link-account), as the page
    # does. A member linked to an account by another test of the session is scored through the service as that
    # account. The first evaluator scores both sheets in the browser; the others score through the API.
    from core.models import User
    from scoring import service as scoring
    from scoring.models import Evaluator, SheetIn

    with Session(live_server.engine) as s:
        profiles = {m["evaluator_id"]: s.get(Evaluator, m["evaluator_id"]) for m in members}
    free = [e for e in profiles.values() if e is not None and e.user_id is None]
    assert free, "every seated evaluator has an account already"
    first = free[0]
    username = f"ev22.{first.code.lower()}"
    _login_as(browser, live_server, *DEMO_ACCOUNTS["admin"])
    open_page(browser, live_server.url, "accounts", "#accounts-table")
    set_value(browser, "accounts-new-username", username)
    set_value(browser, "accounts-new-name", first.name)
    choose(browser, "accounts-new-role", "평가위원")
    choose(browser, "accounts-new-evaluator", first.code)
    set_value(browser, "accounts-new-password", STRONG)
    confirm_click(browser, "accounts-create")
    text = message(browser, "accounts-done")
    assert username in text and first.code in text and "연결" in text, text
    shot(browser, "whole-call-4-account-linked-ko")
    assert official.get(f"/scoring/evaluators/{first.id}").json()["has_account"] is True
    with Session(live_server.engine) as s:
        ev = s.get(Evaluator, first.id)
        assert ev is not None and ev.user_id is not None
        assert s.get(User, ev.user_id).username == username  # type: ignore[union-attr]

    _login_as(browser, live_server, username, STRONG)
    mine = _client(live_server, username, STRONG)
    assigned = [a for a in mine.get("/scoring/assignments").json() if a["project_id"] == project_id]
    assert sorted(a["id"] for a in assigned) == sorted(sheets[first.id])
    consortia = [a["consortium_name"] for a in assigned]
    assert sorted(consortia) == sorted(name for _, name, _, _, hires in PROPOSALS if hires > 10)
    for n, a in enumerate(assigned):
        _score_in_browser(browser, live_server, a["id"], a["consortium_name"], consortia if n == 0 else None)
    assert {a["status"] for a in mine.get("/scoring/assignments").json() if a["project_id"] == project_id} == \
        {"submitted"}

    # the others score the first proposal (P1) higher than the second: the ranking is by score, not a tie-break
    p1 = next(p["id"] for p in proposals if p["title"].startswith(PROPOSALS[0][1]))
    share = {sheet_id: 0.9 if proposal_id == p1 else 0.7 for sheet_id, proposal_id in _proposal_of(live_server,
                                                                                                 project_id).items()}
    for ev in (e for e in profiles.values() if e is not None and e.id != first.id):
        if ev.user_id is None:
            name = f"ev22.{ev.code.lower()}"
            r = admin.post("/users", json={"username": name, "full_name": ev.name, "role": "evaluator",
                                           "password": STRONG})
            assert r.status_code == 201, r.text
            r = official.post(f"/scoring/evaluators/{ev.id}/link-account", json={"user_id": r.json()["id"]})
            assert r.status_code == 200, r.text
            client = _client(live_server, name, STRONG)
            for sheet_id in sheets[ev.id]:
                _score_through_api(client, sheet_id, share[sheet_id])
        else:
            with Session(live_server.engine, expire_on_commit=False) as s:
                user = s.get(User, ev.user_id)
                for sheet_id in sheets[ev.id]:
                    scoring.confirm_no_conflict(s, user, sheet_id)
                    detail = scoring.get_assignment(s, user, sheet_id)
                    scoring.submit_sheet(s, user, sheet_id, SheetIn.model_validate({"scores": [
                        {"criterion_code": c.code, "points": str(int(float(c.max_points) * share[sheet_id])),
                         "comment": None}
                        for c in detail.rubric.criteria]}))
    result = official.get(f"/scoring/projects/{project_id}/result").json()
    assert result["complete"], result

    # 5. official: confirm the selection (the ranking shown), the award with the prefilled lines, a transfer
    _login_as(browser, live_server, *DEMO_ACCOUNTS["official"])
    open_page(browser, live_server.url, f"evaluation?program={pid}&project={project_id}", "#evaluation-ranking-table")
    ranking = browser.find_element(By.ID, "evaluation-ranking-table").text
    top = min((p for p in result["proposals"] if p["rank"]), key=lambda p: p["rank"])
    assert top["consortium_name"] == PROPOSALS[0][1] and top["consortium_name"] in ranking
    assert "되돌릴 수 없습니다" in confirm_click(browser, "evaluation-confirm")
    assert top["consortium_name"] in message(browser, "evaluation-done")
    assert official.get(f"/scoring/projects/{project_id}/result").json()["selected_proposal_id"] == top["proposal_id"]
    wait_for(browser, "#evaluation-award-lines")
    wait_idle(browser)
    shot(browser, "whole-call-5-confirmed-ko")
    grant = int(browser.find_element(By.ID, "evaluation-award-grant").get_attribute("value"))
    matching = int(browser.find_element(By.ID, "evaluation-award-matching").get_attribute("value"))
    lines = [int(el.get_attribute("value") or 0)
             for el in browser.find_elements(By.CSS_SELECTOR, "#evaluation-award-lines input")]
    assert grant == top["recommended_grant_krw"] and sum(lines) == grant + matching
    assert "되돌릴 수 없습니다" in confirm_click(browser, "evaluation-award")
    assert "협약을 만들었습니다" in message(browser, "evaluation-done")
    awards = official.get("/budgeting/awards", params={"program_id": pid, "limit": 50}).json()["items"]
    assert [(a["project_id"], a["grant_krw"], a["budget_krw"]) for a in awards] == \
        [(project_id, grant, grant + matching)]
    award = awards[0]

    detail = official.get(f"/budgeting/awards/{award['id']}").json()
    ratio = float(official.get(f"/programs/{pid}").json()["rules"]["transfer_free_ratio"])
    src = max(detail["lines"], key=lambda r: r["budget_krw"])
    dst = next(r for r in detail["lines"] if r["category"] not in (src["category"], "indirect"))
    amount = int(src["budget_krw"] * ratio) + 1_000_000  # above the free share: it waits for approval
    assert amount <= src["remaining_krw"]
    open_page(browser, live_server.url, f"award/{award['id']}", "#award-pending-count")
    choose(browser, "award-tr-from", _category_ko(src["category"]))
    choose(browser, "award-tr-to", _category_ko(dst["category"]))
    set_value(browser, "award-tr-amount", str(amount))
    set_value(browser, "award-tr-reason", "의료 영상 판독 검수 인력 추가")
    confirm_click(browser, "award-transfer")
    assert "승인을 기다립니다" in message(browser, "award-done")
    pending = [r for r in official.get(f"/budgeting/awards/{award['id']}/transfers").json()
               if r["status"] == "pending"]
    assert len(pending) == 1 and pending[0]["amount_krw"] == amount
    shot(browser, "whole-call-5-transfer-pending-ko")

    # a second official (made by the admin, no approval limit) approves it on 결재
    second = "official.second22"
    r = admin.post("/users", json={"username": second, "full_name": "박결재", "role": "official",
                                   "password": STRONG})
    assert r.status_code == 201, r.text
    _login_as(browser, live_server, second, STRONG)
    open_page(browser, live_server.url, f"approvals?program={pid}", "#approvals-table")
    row = browser.find_element(By.ID, f"approvals-row-line-{pending[0]['id']}").text
    assert "결정 가능" in row and "의료 영상 판독 검수 인력 추가" in row, row
    choose(browser, "approvals-pick", format(amount, ","))
    confirm_click(browser, "approvals-approve")
    assert "승인" in message(browser, "approvals-done")
    shot(browser, "whole-call-5-approved-ko")
    after = [x for x in official.get(f"/budgeting/awards/{award['id']}/transfers").json()
             if x["id"] == pending[0]["id"]][0]
    assert after["status"] == "approved"
    budgets = {x["category"]: x["budget_krw"] for x in official.get(f"/budgeting/awards/{award['id']}").json()["lines"]}
    assert budgets[src["category"]] == src["budget_krw"] - amount
    assert budgets[dst["category"]] == dst["budget_krw"] + amount
    assert page_errors(browser) == []

    # final: the 2022 programme with its award, the transfer approved, the audit log verifies
    programme = official.get(f"/programs/{pid}").json()
    assert programme["year"] == YEAR
    assert [a["id"] for a in official.get("/budgeting/awards", params={"program_id": pid}).json()["items"]] == \
        [award["id"]]
    from core.audit import verify_history

    with Session(live_server.engine) as s:
        report = verify_history(s)
    assert report.ok, report

