"""The workflow pages in headless Chromium: an admin manages accounts, officials act on the evaluation and the
award, an evaluator reads, certifies and submits. Each test does one action through the page (with its
confirmation step), then reads the result back from the page and from the API."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.dashboard.browser import login, open_page, page_errors, wait_fonts, wait_for, wait_idle
from tests.dashboard.conftest import Live
from tests.dashboard.livedb import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("WORKFLOW_SHOTS", "screenshots"))


def shot(driver: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(1366, min(max(900, int(height) + 40), 4000))
    time.sleep(0.2)
    driver.save_screenshot(str(SHOTS / f"{name}.png"))
    driver.set_window_size(1366, 900)


def api(live: Live, role: str) -> httpx.Client:
    """An API client logged in as the demo account of `role`."""
    username, password = DEMO_ACCOUNTS[role]
    client = httpx.Client(base_url=f"{live.url}/api/v1", timeout=60)
    r = client.post("/auth/token", data={"username": username, "password": password})
    r.raise_for_status()
    client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    return client


def set_value(driver: Any, cid: str, value: str) -> None:
    el = driver.find_element(By.ID, cid)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
    el.clear()
    el.send_keys(value)


def choose(driver: Any, cid: str, text: str) -> None:
    """Pick the option containing `text` in the dcc.Dropdown `cid`: open it, type into its own search box
    (retyped when the keys arrived before the box had the focus), click the option."""
    xpath = (f"//*[@role='option' or contains(concat(' ', @class, ' '), ' dash-dropdown-option ')]"
             f"[contains(normalize-space(.), \"{text}\")]")
    box = driver.find_element(By.ID, cid)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    for _ in range(3):
        box.click()
        time.sleep(0.4)
        popover = box.get_attribute("aria-controls")  # the list this dropdown opened (not another one's)
        scope = driver.find_element(By.ID, popover) if popover and driver.find_elements(By.ID, popover) else driver
        found = scope.find_elements(By.XPATH, "." + xpath)
        if not found:
            active = driver.switch_to.active_element
            if active.tag_name == "input":
                active.send_keys(text)
                time.sleep(0.4)
            found = scope.find_elements(By.XPATH, "." + xpath)
        if found:
            # a script click on the option itself: a pointer click can land on a neighbour while the list animates
            radios = found[0].find_elements(By.CSS_SELECTOR, "input")
            driver.execute_script("arguments[0].click()", radios[0] if radios else found[0])
            time.sleep(0.3)
            if box.get_attribute("aria-expanded") == "true":  # the option was already chosen: the list stays open
                driver.switch_to.active_element.send_keys(Keys.ESCAPE)
            wait_idle(driver)
            return
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
        time.sleep(0.3)
    raise AssertionError(f"no option {text!r} in #{cid}")


_MESSAGES_JS = ("return Array.from(document.querySelectorAll('p.ok[id], p.error[id]'))"
                ".map(e => e.id + '|' + e.textContent)")


def confirm_click(driver: Any, cid: str, accept: bool = True) -> str:
    """Click the action button `cid`, answer the browser's confirmation, return the question it asked."""
    driver.h8_before = set(driver.execute_script(_MESSAGES_JS))
    button = driver.find_element(By.ID, f"{cid}-button")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    alert = WebDriverWait(driver, 10).until(ec.alert_is_present())
    question = str(alert.text)
    alert.accept() if accept else alert.dismiss()
    return question


def message(driver: Any, cid: str, timeout: float = 60) -> str:
    """The message the last confirmed action produced: waits for a message that was not on the page before the
    click; returns its text when its id is `cid`, else 'id: text' (so a failing assertion shows what came)."""
    before = getattr(driver, "h8_before", set())
    deadline = time.monotonic() + timeout
    fresh: list[str] = []
    while time.monotonic() < deadline:
        fresh = [m for m in driver.execute_script(_MESSAGES_JS) if m not in before]
        if fresh:
            break
        time.sleep(0.2)
    wait_idle(driver)
    for m in fresh:
        mid, _, text = m.partition("|")
        if mid == cid:
            return text
    return "; ".join(m.replace("|", ": ", 1) for m in fresh) or "(no new message)"


# --------------------------------------------------------------------------- accounts (admin)


def test_admin_creates_an_account(browser: Any, live_server: Live) -> None:
    login(browser, live_server.url, "admin")
    open_page(browser, live_server.url, "accounts", "#accounts-table")
    shot(browser, "admin-accounts-ko")
    set_value(browser, "accounts-new-username", "kim.official")
    set_value(browser, "accounts-new-name", "김담당")
    set_value(browser, "accounts-new-password", "Tidal-Lantern-93x")
    question = confirm_click(browser, "accounts-create")
    assert "계속할까요" in question
    text = message(browser, "accounts-done")
    assert "kim.official" in text and "만들었습니다" in text
    assert "kim.official" in browser.find_element(By.ID, "accounts-table").text
    users = api(live_server, "admin").get("/users").json()["items"]
    made = [u for u in users if u["username"] == "kim.official"]
    assert made and made[0]["role"] == "official" and made[0]["full_name"] == "김담당" and made[0]["is_active"]
    # the new account can log in with the password the admin set
    r = httpx.post(f"{live_server.url}/api/v1/auth/token", data={"username": "kim.official",
                                                                 "password": "Tidal-Lantern-93x"})
    assert r.status_code == 200
    assert page_errors(browser) == []


def test_admin_is_told_why_a_weak_password_is_refused(browser: Any, live_server: Live) -> None:
    login(browser, live_server.url, "admin")
    open_page(browser, live_server.url, "accounts", "#accounts-table")
    set_value(browser, "accounts-new-username", "weak.one")
    set_value(browser, "accounts-new-password", "short")
    confirm_click(browser, "accounts-create")
    text = message(browser, "accounts-error")
    assert "처리하지 않았습니다" in text and "12자" in text, text
    users = api(live_server, "admin").get("/users").json()["items"]
    assert not [u for u in users if u["username"] == "weak.one"]


def _make_user(live: Live, username: str, role: str = "auditor") -> dict[str, Any]:
    r = api(live, "admin").post("/users", json={"username": username, "full_name": username, "role": role,
                                                "password": "Orchid-Meadow-451"})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _token(live: Live, username: str) -> str:
    r = httpx.post(f"{live.url}/api/v1/auth/token", data={"username": username, "password": "Orchid-Meadow-451"})
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def test_admin_changes_a_role_and_the_sessions_end(browser: Any, live_server: Live) -> None:
    _make_user(live_server, "role.change")
    old_token = _token(live_server, "role.change")
    login(browser, live_server.url, "admin")
    open_page(browser, live_server.url, "accounts", "#accounts-table")
    choose(browser, "accounts-target", "role.change")
    choose(browser, "accounts-target-role", "평가위원")
    assert "세션" in confirm_click(browser, "accounts-role")
    assert "평가위원" in message(browser, "accounts-done")
    row = browser.find_element(By.ID, "accounts-row-role.change").text
    assert "평가위원" in row
    user = [u for u in api(live_server, "admin").get("/users").json()["items"] if u["username"] == "role.change"][0]
    assert user["role"] == "evaluator"
    r = httpx.get(f"{live_server.url}/api/v1/auth/me", headers={"Authorization": f"Bearer {old_token}"})
    assert r.status_code == 401  # the old session ended with the change


def test_admin_deactivates_and_reactivates(browser: Any, live_server: Live) -> None:
    _make_user(live_server, "leaving.soon")
    login(browser, live_server.url, "admin")
    open_page(browser, live_server.url, "accounts", "#accounts-table")
    choose(browser, "accounts-target", "leaving.soon")
    confirm_click(browser, "accounts-deactivate")
    assert "사용 중지" in message(browser, "accounts-done")
    assert "사용 중지" in browser.find_element(By.ID, "accounts-row-leaving.soon").text
    r = httpx.post(f"{live_server.url}/api/v1/auth/token", data={"username": "leaving.soon",
                                                                 "password": "Orchid-Meadow-451"})
    assert r.status_code == 401
    shot(browser, "admin-accounts-deactivated-ko")
    confirm_click(browser, "accounts-reactivate")
    assert "다시 사용" in message(browser, "accounts-done")
    users = api(live_server, "admin").get("/users").json()["items"]
    assert [u for u in users if u["username"] == "leaving.soon"][0]["is_active"] is True


def test_admin_resets_a_password(browser: Any, live_server: Live) -> None:
    _make_user(live_server, "forgot.pw")
    old_token = _token(live_server, "forgot.pw")
    login(browser, live_server.url, "admin")
    open_page(browser, live_server.url, "accounts", "#accounts-table")
    choose(browser, "accounts-target", "forgot.pw")
    set_value(browser, "accounts-reset-password", "Copper-Harbour-772")
    confirm_click(browser, "accounts-reset")
    assert "비밀번호" in message(browser, "accounts-done")
    assert browser.find_element(By.ID, "accounts-reset-password").get_attribute("value") == ""
    assert httpx.post(f"{live_server.url}/api/v1/auth/token",
                      data={"username": "forgot.pw", "password": "Copper-Harbour-772"}).status_code == 200
    assert httpx.get(f"{live_server.url}/api/v1/auth/me",
                     headers={"Authorization": f"Bearer {old_token}"}).status_code == 401


def test_admin_ends_the_sessions_of_an_account(browser: Any, live_server: Live) -> None:
    _make_user(live_server, "lost.laptop")
    old_token = _token(live_server, "lost.laptop")
    login(browser, live_server.url, "admin")
    open_page(browser, live_server.url, "accounts", "#accounts-table")
    choose(browser, "accounts-target", "lost.laptop")
    question = confirm_click(browser, "accounts-revoke")
    assert "세션" in question
    assert "세션" in message(browser, "accounts-done")
    assert httpx.get(f"{live_server.url}/api/v1/auth/me",
                     headers={"Authorization": f"Bearer {old_token}"}).status_code == 401
    events = api(live_server, "admin").get("/audit/events", params={"entity_type": "user", "limit": 50}).json()
    assert any(e["action"] == "user.sessions_revoke" and e["actor"] == "admin" for e in events["items"])


def test_accounts_page_in_english(browser: Any, live_server: Live) -> None:
    login(browser, live_server.url, "admin")
    open_page(browser, live_server.url, "accounts", "#accounts-table")
    browser.find_element(By.ID, "shell-lang-toggle").click()
    wait_for(browser, "#accounts-table")
    wait_idle(browser)
    wait_fonts(browser)
    assert "Last login" in browser.find_element(By.ID, "accounts-table").text
    shot(browser, "admin-accounts-en")
    browser.find_element(By.ID, "shell-lang-toggle").click()
    wait_idle(browser)


def test_an_official_cannot_open_or_drive_the_accounts_page(browser: Any, live_server: Live) -> None:
    login(browser, live_server.url, "official")
    browser.get(f"{live_server.url}/dashboard/accounts")
    wait_for(browser, "#page-denied")
    assert "accounts" not in {str(e.get_attribute("id")) for e in browser.find_elements(By.CSS_SELECTOR, ".nav-left a")}


# --------------------------------------------------------------------------- evaluation (officials)

STRONG = "Quartz-Willow-8841"


def _complete_panel(live: Live, project_id: int) -> None:
    """Submit every open sheet of a project as its evaluators would (through scoring.service), so it can be
    confirmed: each evaluator without an account gets one, linked to its profile."""
    from sqlmodel import Session, select

    from core import auth
    from core.audit import SYSTEM
    from core.db import writer
    from core.models import Role, User, UserCreate
    from scoring import service as scoring
    from scoring.models import Evaluator, ScoreSheet, SheetIn

    engine = writer(live.engine)
    with Session(engine, expire_on_commit=False) as s:
        sheets = s.exec(select(ScoreSheet).where(ScoreSheet.project_id == project_id,
                                                 ScoreSheet.status != "submitted")).all()
        for sheet in sheets:
            ev = s.get(Evaluator, sheet.evaluator_id)
            assert ev is not None
            if ev.user_id is None:
                user = auth.create_user(s, SYSTEM, UserCreate(username=f"ev.{ev.code.lower()}", role=Role.evaluator,
                                                              password=STRONG))
                ev = s.get(Evaluator, sheet.evaluator_id)
                assert ev is not None
                ev.user_id = user.id
                s.add(ev)
                s.commit()
            user = s.get(User, ev.user_id)
            scoring.confirm_no_conflict(s, user, sheet.id)  # each evaluator certifies before the sheet opens
            detail = scoring.get_assignment(s, user, sheet.id)
            scores = [{"criterion_code": c.code, "points": str(c.max_points), "comment": None}
                      for c in detail.rubric.criteria]
            scoring.submit_sheet(s, user, sheet.id, SheetIn.model_validate({"scores": scores}))


def _eval_page(driver: Any, live: Live, project_id: int) -> None:
    open_page(driver, live.url, f"evaluation?project={project_id}", "#evaluation-screening-table")


def test_official_screens_a_project(browser: Any, live_server: Live) -> None:
    project = 11  # re-announced: its proposals can be screened again
    login(browser, live_server.url, "official")
    _eval_page(browser, live_server, project)
    shot(browser, "official-evaluation-ko")
    assert "계속할까요" in confirm_click(browser, "evaluation-screen")
    text = message(browser, "evaluation-done")
    assert "검토했습니다" in text
    rows = api(live_server, "official").get(f"/scoring/projects/{project}/screening").json()
    assert rows and f"{len(rows)}건" in text
    assert page_errors(browser) == []


def _new_proposal(live: Live, project_id: int) -> int:
    """A proposal arriving for a re-announced project (what intake would import), screened through the API."""
    from sqlmodel import Session

    from core.db import writer
    from program.models import Project
    from tests.builders import make_consortium, make_proposal

    with Session(writer(live.engine), expire_on_commit=False) as s:
        project = s.get(Project, project_id)
        proposal = make_proposal(s, project, make_consortium(s), requested_grant_krw=project.ceiling_krw // 2,
                                 private_matching_krw=project.ceiling_krw // 10)
    r = api(live, "official").post(f"/scoring/projects/{project_id}/screen")
    assert r.status_code == 200, r.text
    return int(proposal.id)


def test_official_overrides_a_screening_with_a_reason(browser: Any, live_server: Live) -> None:
    project = 52
    proposal = _new_proposal(live_server, project)
    client = api(live_server, "official")
    before = [r for r in client.get(f"/scoring/projects/{project}/screening").json() if r["proposal_id"] == proposal][0]
    target = "no" if before["effective_eligible"] else "yes"
    name = [p for p in client.get(f"/scoring/projects/{project}/result").json()["proposals"]
            if p["proposal_id"] == proposal][0]["consortium_name"]
    login(browser, live_server.url, "official")
    _eval_page(browser, live_server, project)
    choose(browser, "evaluation-ovr-proposal", name)
    browser.find_element(By.CSS_SELECTOR, f"#evaluation-ovr-eligible input[value={target}]").click()
    confirm_click(browser, "evaluation-ovr")  # no reason: refused, nothing changes
    assert "사유 입력이 필요합니다" in message(browser, "evaluation-error")
    set_value(browser, "evaluation-ovr-reason", "참여기관 확약서 확인 결과 반영")
    confirm_click(browser, "evaluation-ovr")
    assert ("부적격" if target == "no" else "적격") in message(browser, "evaluation-done")
    wait_for(browser, f"#evaluation-screen-row-{proposal}")
    assert "참여기관 확약서 확인 결과 반영" in browser.find_element(By.ID, f"evaluation-screen-row-{proposal}").text
    row = [r for r in client.get(f"/scoring/projects/{project}/screening").json() if r["proposal_id"] == proposal][0]
    assert row["override_eligible"] is (target == "yes") and row["override_reason"] == "참여기관 확약서 확인 결과 반영"


def test_official_builds_a_panel_automatically(browser: Any, live_server: Live) -> None:
    project = 69  # re-announced with a panel of 6
    client = api(live_server, "official")
    before = len(client.get(f"/scoring/projects/{project}/panel").json()["members"])
    login(browser, live_server.url, "official")
    _eval_page(browser, live_server, project)
    set_value(browser, "evaluation-auto-size", str(before + 1))
    confirm_click(browser, "evaluation-auto")
    assert f"{before + 1}명" in message(browser, "evaluation-done")
    members = client.get(f"/scoring/projects/{project}/panel").json()["members"]
    assert len(members) == before + 1 and not any(m["conflicted"] for m in members)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#evaluation-panel-table tbody tr")) == before + 1
    assert "제출된 평가표" in browser.find_element(By.ID, "evaluation-progress").text


def test_official_reopens_a_sheet_with_a_reason(browser: Any, live_server: Live) -> None:
    project = 44
    client = api(live_server, "official")
    login(browser, live_server.url, "official")
    _eval_page(browser, live_server, project)
    result = client.get(f"/scoring/projects/{project}/result").json()
    sheet = result["proposals"][0]["sheets"][0]
    before = [r for r in client.get("/scoring/progress", params={"program_id": 1}).json()["projects"]
              if r["project_id"] == project][0]["drafted"]
    name = result["proposals"][0]["consortium_name"]
    choose(browser, "evaluation-reopen-sheet", f"{sheet['evaluator_code']} · {name}")
    set_value(browser, "evaluation-reopen-reason", "채점 항목 누락 정정 요청")
    confirm_click(browser, "evaluation-reopen")
    assert "다시 열었습니다" in message(browser, "evaluation-done")
    drafted = [r for r in client.get("/scoring/progress", params={"program_id": 1}).json()["projects"]
               if r["project_id"] == project][0]["drafted"]
    assert drafted == before + 1  # the sheet is a draft again


def test_official_confirms_the_selection_then_makes_the_award(browser: Any, live_server: Live) -> None:
    project = 82
    _complete_panel(live_server, project)
    client = api(live_server, "official")
    result = client.get(f"/scoring/projects/{project}/result").json()
    assert result["complete"], result["outcome"]
    top = min((p for p in result["proposals"] if p["rank"]), key=lambda p: p["rank"])
    login(browser, live_server.url, "official")
    _eval_page(browser, live_server, project)
    assert "되돌릴 수 없습니다" in confirm_click(browser, "evaluation-confirm")
    text = message(browser, "evaluation-done")
    assert top["consortium_name"] in text and "확정" in text
    sel = client.get(f"/scoring/projects/{project}/result").json()
    assert sel["selected_proposal_id"] == top["proposal_id"] and sel["override_reason"] is None
    wait_for(browser, "#evaluation-selected")
    wait_idle(browser)
    shot(browser, "official-evaluation-confirmed-ko")
    # the award form is prefilled: the recommended grant and lines that add up to grant + matching
    grant = int(browser.find_element(By.ID, "evaluation-award-grant").get_attribute("value"))
    matching = int(browser.find_element(By.ID, "evaluation-award-matching").get_attribute("value"))
    lines = [int(el.get_attribute("value") or 0) for el in
             browser.find_elements(By.CSS_SELECTOR, "#evaluation-award-lines input")]
    assert grant == top["recommended_grant_krw"] and sum(lines) == grant + matching
    assert "되돌릴 수 없습니다" in confirm_click(browser, "evaluation-award")
    assert "협약을 만들었습니다" in message(browser, "evaluation-done")
    awards = client.get("/budgeting/awards", params={"program_id": 1, "limit": 500}).json()["items"]
    made = [a for a in awards if a["project_id"] == project]
    assert made and made[0]["grant_krw"] == grant and made[0]["budget_krw"] == grant + matching
    wait_for(browser, "#evaluation-award-link")
    assert page_errors(browser) == []


def test_auditor_reads_the_evaluation_without_actions(browser: Any, live_server: Live) -> None:
    login(browser, live_server.url, "auditor")
    _eval_page(browser, live_server, 25)
    wait_for(browser, "#evaluation-readonly")
    assert not browser.find_elements(By.CSS_SELECTOR, "#evaluation-workflow button")
    assert "[" not in browser.find_element(By.ID, "evaluation-ranking-table").text
    shot(browser, "auditor-evaluation-ko")
    assert page_errors(browser) == []


# --------------------------------------------------------------------------- award (officials)


def _award_with_room(live: Live) -> dict[str, Any]:
    """The award with the most unspent budget (a transfer above the free ratio must fit in one line)."""
    awards = api(live, "official").get("/budgeting/awards", params={"program_id": 1, "limit": 500}).json()["items"]
    return dict(max(awards, key=lambda a: a["remaining_krw"] / max(a["budget_krw"], 1)))


def test_line_transfer_waits_for_a_second_official(browser: Any, live_server: Live) -> None:
    award = _award_with_room(live_server)
    detail = api(live_server, "official").get(f"/budgeting/awards/{award['id']}").json()
    lines = sorted(detail["lines"], key=lambda r: -r["remaining_krw"] / max(r["budget_krw"], 1))
    src = lines[0]
    dst = next(r for r in detail["lines"] if r["category"] not in (src["category"], "indirect"))
    amount = src["remaining_krw"]  # all its unspent money: above the free ratio, so it waits for approval
    assert amount > src["budget_krw"] // 5, "the seed has no line with enough unspent money"
    login(browser, live_server.url, "official")
    open_page(browser, live_server.url, f"award/{award['id']}", "#award-transfers-table, #award-pending-count")
    choose(browser, "award-tr-from", _category_ko(src["category"]))
    choose(browser, "award-tr-to", _category_ko(dst["category"]))
    set_value(browser, "award-tr-amount", str(amount))
    set_value(browser, "award-tr-reason", "외주 검수 인력 추가 투입")
    confirm_click(browser, "award-transfer")
    assert "승인을 기다립니다" in message(browser, "award-done")
    assert "승인 대기 1건" in browser.find_element(By.ID, "award-pending-count").text
    pending = [r for r in api(live_server, "official").get(f"/budgeting/awards/{award['id']}/transfers").json()
               if r["status"] == "pending"]
    assert len(pending) == 1 and pending[0]["amount_krw"] == amount
    # the requester cannot approve their own request (four-eyes)
    confirm_click(browser, "award-approve")
    assert "요청한" in message(browser, "award-error")  # four eyes, said in Korean
    shot(browser, "official-award-ko")
    # another official (the admin) approves it
    browser.delete_all_cookies()
    login(browser, live_server.url, "admin")
    open_page(browser, live_server.url, f"award/{award['id']}", "#award-pending-count")
    confirm_click(browser, "award-approve")
    assert "승인했습니다" in message(browser, "award-done")
    after = api(live_server, "official").get(f"/budgeting/awards/{award['id']}").json()
    budgets = {r["category"]: r["budget_krw"] for r in after["lines"]}
    assert budgets[src["category"]] == src["budget_krw"] - amount
    assert budgets[dst["category"]] == dst["budget_krw"] + amount
    assert page_errors(browser) == []


def _category_ko(code: str) -> str:
    from dashboard.i18n import category

    return category(code, "ko")


def test_official_publishes_and_closes_a_job_posting(browser: Any, live_server: Live) -> None:
    award = _award_with_room(live_server)
    login(browser, live_server.url, "official")
    open_page(browser, live_server.url, f"award/{award['id']}", "#award-pending-count")
    set_value(browser, "award-post-title", "음성 전사 검수 작업자 모집")
    set_value(browser, "award-post-platform", "크라우드웍스")
    set_value(browser, "award-post-pay", "350")
    browser.execute_script("document.getElementById('award-post-close').value=''")
    set_value(browser, "award-post-close", "12312099")
    confirm_click(browser, "award-post")
    assert "게시했습니다" in message(browser, "award-done")
    postings = api(live_server, "official").get("/budgeting/job-postings", params={"award_id": award["id"],
                                                                         "limit": 500}).json()["items"]
    made = [p for p in postings if p["title"] == "음성 전사 검수 작업자 모집"]
    assert made and made[0]["is_open"] and made[0]["pay_krw"] == 350
    choose(browser, "award-close-posting", "음성 전사 검수 작업자 모집")
    confirm_click(browser, "award-close")
    assert "마감했습니다" in message(browser, "award-done")
    postings = api(live_server, "official").get("/budgeting/job-postings", params={"award_id": award["id"],
                                                                         "limit": 500}).json()["items"]
    assert not [p for p in postings if p["id"] == made[0]["id"]][0]["is_open"]


def test_auditor_reads_the_award_without_actions(browser: Any, live_server: Live) -> None:
    award = _award_with_room(live_server)
    login(browser, live_server.url, "auditor")
    open_page(browser, live_server.url, f"award/{award['id']}", "#award-readonly")
    assert not browser.find_elements(By.CSS_SELECTOR, "#award-actions button")
    from core.models import Role
    from dashboard.access import PAGE_ROLES

    back = str(browser.find_element(By.ID, "award-back").get_attribute("href")).rsplit("/", 1)[-1]
    assert Role.auditor in PAGE_ROLES[back]  # the way back is a page the auditor may open
    period = browser.find_element(By.ID, "award-period")
    assert period.size["width"] > 0 and ". ~ " in period.text  # both dates in full, as 2021. 4. 1. ~ …
    shot(browser, "auditor-award-ko")
    assert page_errors(browser) == []


# --------------------------------------------------------------------------- assignments (evaluator)


EVALUATOR_ID = 7  # seated on VISION-014 (project 44) with unstarted sheets; the demo evaluator stays untouched


def _evaluator_login(driver: Any, live: Live) -> httpx.Client:
    """Log in the browser as an evaluator account of our own (linked to EVALUATOR_ID), so the demo evaluator's
    sheets stay for the other browser tests of the session; returns an API client of the same account."""
    from sqlmodel import Session

    from core import auth
    from core.audit import SYSTEM
    from core.db import writer
    from core.models import Role, UserCreate
    from scoring.models import Evaluator

    with Session(writer(live.engine), expire_on_commit=False) as s:
        ev = s.get(Evaluator, EVALUATOR_ID)
        assert ev is not None
        if ev.user_id is None:
            user = auth.create_user(s, SYSTEM, UserCreate(username="ev.browser", role=Role.evaluator,
                                                          full_name="평가위원 브라우저", password=STRONG))
            ev = s.get(Evaluator, EVALUATOR_ID)
            assert ev is not None
            ev.user_id = user.id
            s.add(ev)
            s.commit()
    driver.get(f"{live.url}/dashboard/login")
    wait_for(driver, "#login-username")
    driver.find_element(By.ID, "login-username").send_keys("ev.browser")
    driver.find_element(By.ID, "login-password").send_keys(STRONG)
    driver.find_element(By.ID, "login-submit").click()
    wait_for(driver, "#nav-logout")
    client = httpx.Client(base_url=f"{live.url}/api/v1", timeout=60)
    r = client.post("/auth/token", data={"username": "ev.browser", "password": STRONG})
    r.raise_for_status()
    client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    return client


def test_evaluator_reads_the_proposal_and_confirms_the_submission(browser: Any, live_server: Live) -> None:
    mine = _evaluator_login(browser, live_server)
    sheet = next(a for a in mine.get("/scoring/assignments").json() if a["status"] != "submitted")
    open_page(browser, live_server.url, f"assignments?sheet={sheet['id']}",
              "#assignments-rows, #assignments-certify-panel")
    if browser.find_elements(By.ID, "assignments-certify-panel"):
        # the sheet opens only once the evaluator confirms no conflict with the consortium shown
        assert browser.find_elements(By.CSS_SELECTOR, "#assignments-coi-members li")
        shot(browser, "evaluator-assignments-certify-ko")
        assert "이해관계가 없음" in confirm_click(browser, "assignments-certify")
        assert "평가표가 열렸습니다" in message(browser, "assignments-certified")
        wait_for(browser, "#assignments-rows")
        wait_idle(browser)
    options = browser.execute_script("return document.querySelector('#assignments-sheet').innerText")
    assert "[" not in options and "assigned" not in options and "draft" not in options  # statuses are words
    facts = browser.find_element(By.ID, "assignments-facts").text
    assert "직접고용 계획" in facts and "의무" in facts and "민간부담금" in facts
    planned = mine.get(f"/scoring/assignments/{sheet['id']}").json()["proposal"]
    assert "작업자 교육 계획" in facts and f"{planned['planned_training_hours']:,}시간" in facts
    assert f"{planned['planned_crowd_workers']:,}명" in facts
    assert f"구축 계획 물량\n{planned['planned_volume']:,} {planned['volume_unit']}" in facts
    inputs = browser.find_elements(By.CSS_SELECTOR, "#assignments-rows input[type=number]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", inputs[0])
    inputs[0].clear()
    inputs[0].send_keys("999")
    assert "사이여야 합니다" in _feedback(browser)
    inputs[0].clear()
    inputs[0].send_keys("1")
    wait_idle(browser)
    assert "사이여야 합니다" not in _feedback(browser)  # gone as soon as the value is corrected
    maxima = [float(el.text.strip(" ()").split("–")[1]) for el in browser.find_elements(By.CSS_SELECTOR, ".score-max")]
    for el, mx in zip(inputs, maxima, strict=True):
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
        el.clear()
        el.send_keys(str(int(mx * 0.8)))
    wait_idle(browser)
    shot(browser, "evaluator-assignments-ko")
    question = confirm_click_button(browser, "assignments-submit")
    assert "잠기고" in question
    wait_for(browser, "#assignments-done")
    wait_for(browser, "#assignments-locked")
    assert [a["status"] for a in mine.get("/scoring/assignments").json() if a["id"] == sheet["id"]] == ["submitted"]


def _feedback(driver: Any) -> str:
    time.sleep(0.5)
    wait_idle(driver)
    return " ".join(el.text for el in driver.find_elements(By.CSS_SELECTOR, ".score-feedback"))


def confirm_click_button(driver: Any, button_id: str) -> str:
    button = driver.find_element(By.ID, button_id)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    alert = WebDriverWait(driver, 10).until(ec.alert_is_present())
    question = str(alert.text)
    alert.accept()
    return question


# ------------------------------------------------------------- every touched page, per role, both languages

PAGES_BY_ROLE = [
    ("official", "evaluation?project=25", "#evaluation-screening-table", "Eligibility screening"),
    ("official", "award/3", "#award-pending-count", "Budget line transfers"),
    ("auditor", "evaluation?project=25", "#evaluation-readonly", "Eligibility screening"),
    ("auditor", "award/3", "#award-readonly", "Budget line transfers"),
    ("evaluator", "assignments", "#assignments-rows, #assignments-certify-panel", "Conflict of interest"),
    ("admin", "accounts", "#accounts-table", "Last login"),
    ("official", "approvals", "#approvals-table, #approvals-empty", "waiting for approval"),
    ("auditor", "approvals", "#approvals-readonly", "waiting for approval"),
]


@pytest.mark.parametrize(("role", "page", "marker", "english"), PAGES_BY_ROLE)
def test_workflow_pages_in_korean_and_english(browser: Any, live_server: Live, role: str, page: str, marker: str,
                                              english: str) -> None:
    login(browser, live_server.url, role)
    open_page(browser, live_server.url, page, marker)
    name = f"{role}-{page.split('?')[0].replace('/', '-')}"
    shot(browser, f"both-{name}-ko")
    body = browser.find_element(By.TAG_NAME, "main").text
    for raw in ("[assigned]", "[submitted]", "pending", "recorded", "active", "eligible"):
        assert raw not in body, (raw, name)
    browser.find_element(By.ID, "shell-lang-toggle").click()
    wait_for(browser, marker)
    wait_idle(browser)
    wait_fonts(browser)
    assert english in browser.find_element(By.TAG_NAME, "main").text
    shot(browser, f"both-{name}-en")
    browser.find_element(By.ID, "shell-lang-toggle").click()
    wait_idle(browser)
    assert page_errors(browser) == []


def test_evaluator_declares_a_conflict_and_leaves_the_panel(browser: Any, live_server: Live) -> None:
    client = _evaluator_login(browser, live_server)
    open_page(browser, live_server.url, "assignments", "#assignments-rows, #assignments-certify-panel")
    mine = client.get("/scoring/assignments").json()
    sheet = next((a for a in mine if a["status"] != "submitted"), mine[-1])
    browser.get(f"{live_server.url}/dashboard/assignments?sheet={sheet['id']}")
    wait_for(browser, "#assignments-coi-reason")
    wait_idle(browser)
    if not browser.find_element(By.ID, "assignments-coi-reason").is_displayed():
        browser.find_element(By.CSS_SELECTOR, "#assignments-coi-section summary").click()
    set_value(browser, "assignments-coi-reason", "주관기관에서 2020년까지 자문위원으로 활동")
    assert "되돌릴 수 없습니다" in confirm_click(browser, "assignments-coi")
    assert "빠졌고" in message(browser, "assignments-coi-done")
    conflicts = api(live_server, "official").get("/scoring/conflicts",
                                                 params={"project_id": sheet["project_id"]}).json()
    assert any(c["source"] == "declared" and "자문위원" in f"{c.get('reason')} {c.get('detail')}"
               for c in conflicts), conflicts
    assert sheet["id"] not in [a["id"] for a in client.get("/scoring/assignments").json()
                               if a["status"] != "submitted"]


# --------------------------------------------------------------------------- approvals queue


def test_approvals_queue_four_eyes(browser: Any, live_server: Live) -> None:
    award = _award_with_room(live_server)
    client = api(live_server, "official")
    detail = client.get(f"/budgeting/awards/{award['id']}").json()
    lines = sorted(detail["lines"], key=lambda r: -r["remaining_krw"] / max(r["budget_krw"], 1))
    src = lines[0]
    dst = next(r for r in detail["lines"] if r["category"] not in (src["category"], "indirect"))
    amount = src["remaining_krw"] - 1
    r = client.post(f"/budgeting/awards/{award['id']}/transfers", json={
        "from_category": src["category"], "to_category": dst["category"], "amount_krw": amount,
        "reason": "검수 인력 증원"})
    assert r.status_code == 201 and r.json()["status"] == "pending", r.text
    transfer = r.json()["id"]
    login(browser, live_server.url, "official")
    open_page(browser, live_server.url, "approvals", "#approvals-table")
    row = browser.find_element(By.ID, f"approvals-row-line-{transfer}").text
    assert "검수 인력 증원" in row and "결정 가능" not in row  # the requester may not decide it
    shot(browser, "official-approvals-ko")
    browser.delete_all_cookies()
    login(browser, live_server.url, "admin")
    open_page(browser, live_server.url, "approvals", "#approvals-table")
    assert "결정 가능" in browser.find_element(By.ID, f"approvals-row-line-{transfer}").text
    choose(browser, "approvals-pick", format(amount, ","))
    confirm_click(browser, "approvals-approve")
    text = message(browser, "approvals-done")
    assert "승인" in text, text
    after = [x for x in client.get(f"/budgeting/awards/{award['id']}/transfers").json() if x["id"] == transfer][0]
    # the admin has no approval limit: a final approval, the money moved
    assert after["status"] == "approved" and "최종" in text, (after, text)
    budgets = {x["category"]: x["budget_krw"] for x in client.get(f"/budgeting/awards/{award['id']}").json()["lines"]}
    assert budgets[dst["category"]] == dst["budget_krw"] + amount
    assert page_errors(browser) == []
