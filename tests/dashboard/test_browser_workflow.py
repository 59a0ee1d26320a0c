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
    """Pick the option containing `text` in the dcc.Dropdown `cid` (typed into its search box)."""
    box = driver.find_element(By.ID, cid)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    box.click()
    search = WebDriverWait(driver, 10).until(ec.presence_of_element_located(
        (By.CSS_SELECTOR, ".dash-dropdown-search, input.dash-dropdown-search-input, [role=listbox] input, "
                          f"#{cid} input")))
    search.send_keys(text)
    option = WebDriverWait(driver, 10).until(ec.element_to_be_clickable(
        (By.XPATH, f"//*[@role='option'][contains(normalize-space(.), \"{text}\")]")))
    option.click()
    wait_idle(driver)


def confirm_click(driver: Any, cid: str, accept: bool = True) -> str:
    """Click the action button `cid`, answer the browser's confirmation, return the question it asked."""
    button = driver.find_element(By.ID, f"{cid}-button")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    alert = WebDriverWait(driver, 10).until(ec.alert_is_present())
    question = str(alert.text)
    alert.accept() if accept else alert.dismiss()
    return question


def message(driver: Any, cid: str, timeout: float = 60) -> str:
    el = wait_for(driver, f"#{cid}", timeout)
    wait_idle(driver)
    return str(driver.find_element(By.ID, cid).text if driver.find_elements(By.ID, cid) else el.text)


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
