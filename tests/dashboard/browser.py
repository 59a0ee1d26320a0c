"""Helpers the browser tests share: log in, open a page, wait for Dash, collect errors, screenshot."""

from __future__ import annotations

import time
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.dashboard.conftest import SCREENSHOTS
from tests.dashboard.livedb import DEMO_ACCOUNTS

# Console noise that is not an application error.
_IGNORED = ("favicon.ico",)


def login(driver: Any, base: str, role: str) -> None:
    username, password = DEMO_ACCOUNTS[role]
    driver.get(f"{base}/dashboard/login")
    wait_for(driver, "#login-username")
    driver.find_element(By.ID, "login-username").send_keys(username)
    driver.find_element(By.ID, "login-password").send_keys(password)
    driver.find_element(By.ID, "login-submit").click()
    WebDriverWait(driver, 20).until(ec.presence_of_element_located((By.ID, "nav-logout")))


def wait_for(driver: Any, css: str, timeout: float = 60) -> Any:
    return WebDriverWait(driver, timeout).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def wait_idle(driver: Any, timeout: float = 60) -> None:
    """Until Dash has no callback in flight (no loading state) for a short moment."""
    deadline = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < deadline:
        busy = driver.execute_script(
            "return document.querySelectorAll('[data-dash-is-loading=\"true\"]').length"
            " + (document.title.indexOf('Updating') >= 0 ? 1 : 0)")
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 0.6:
            return
        time.sleep(0.15)
    raise AssertionError("the page kept loading")


def wait_fonts(driver: Any) -> None:
    """Until the Hangul web font has loaded (screenshots otherwise show boxes)."""
    driver.set_script_timeout(30)
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "document.fonts.load('14px NanumGothic', '가').then(() => document.fonts.ready).then(() => done(true));")


def open_page(driver: Any, base: str, page: str, marker: str) -> None:
    driver.get(f"{base}/dashboard/{page}")
    wait_for(driver, marker)
    wait_idle(driver)
    wait_fonts(driver)


def page_errors(driver: Any) -> list[str]:
    """Errors a user or developer would see: Dash's error overlay, callback errors, SEVERE console logs."""
    errors = []
    for css in (".dash-fe-error__title", ".dash-error-card", ".dash-debug-menu__error-count"):
        for el in driver.find_elements(By.CSS_SELECTOR, css):
            if el.text.strip():
                errors.append(f"{css}: {el.text.strip()[:300]}")
    for entry in driver.get_log("browser"):
        if entry.get("level") == "SEVERE" and not any(s in entry.get("message", "") for s in _IGNORED):
            errors.append(f"console: {entry['message'][:300]}")
    return errors


def screenshot(driver: Any, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
