"""Accessibility in the browser: axe-core on every page, per role and language; the keyboard; the phone.

axe-core is the engine the selenium-axe-python package ships (axe.min.js, pinned in requirements-dev.txt);
a page passes with no violation of impact serious or critical under the WCAG 2.0/2.1 A and AA rules.
Screenshots of every page checked go to screenshots/a11y-<role>-<page>-<lang>.png.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.dashboard.browser import login, page_errors, screenshot, wait_fonts, wait_for, wait_idle
from tests.dashboard.conftest import Live

pytestmark = pytest.mark.browser

DAY = "2021-09-15"  # postings are open on the job board that day
# page (path under /dashboard/) → an element that shows it rendered its data
PAGES = {
    "overview": "#overview-kpi-budget", "allocation": "#allocation-treemap .main-svg",
    "evaluation": "#evaluation-page", "whatif": "#whatif-threshold", "obligations": "#obligations-short-table",
    "delivery": "#delivery-funnel .main-svg", "compliance": "#compliance-page", "award/1": "#award-back",
    "assignments": "#assignments-page", "jobs": "#jobs-by-field .main-svg", f"jobs?as_of={DAY}": "#jobs-table",
    "glossary": "#glossary-table", "login": "#login-page",
}
ROLE_PAGES = {
    "official": ["overview", "allocation", "evaluation", "whatif", "obligations", "delivery", "compliance", "award/1",
                 f"jobs?as_of={DAY}", "glossary"],
    "auditor": ["overview", "allocation", "evaluation", "obligations", "delivery", "compliance", "award/1",
                f"jobs?as_of={DAY}", "glossary"],
    "evaluator": ["assignments", "jobs"],
    "anonymous": ["login", "jobs", f"jobs?as_of={DAY}", "glossary"],
}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def set_lang(driver: Any, base: str, lang: str) -> None:
    """The dashboard's language lives in local storage (the shell's store), as the toggle leaves it."""
    if not driver.current_url.startswith(base):
        driver.get(f"{base}/dashboard/jobs")
    driver.execute_script("localStorage.setItem('shell-lang', JSON.stringify(arguments[0]))", lang)


def open_path(driver: Any, base: str, path: str) -> None:
    driver.get(f"{base}/dashboard/{path}")
    wait_for(driver, PAGES[path])
    wait_idle(driver)
    wait_fonts(driver)


def serious_violations(driver: Any) -> list[str]:
    from selenium_axe_python import Axe

    axe = Axe(driver)
    axe.inject()
    result = axe.run(options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("role", list(ROLE_PAGES))
def test_axe_finds_no_serious_violation_on_any_page(browser: Any, live_server: Live, role: str, lang: str) -> None:
    if role != "anonymous":
        login(browser, live_server.url, role)
    set_lang(browser, live_server.url, lang)
    found: dict[str, list[str]] = {}
    for path in ROLE_PAGES[role]:
        open_path(browser, live_server.url, path)
        # <html lang> follows the shell's language store once it has loaded (a11y.js): wait for it, then check
        try:
            WebDriverWait(browser, 15).until(
                lambda d: d.execute_script("return document.documentElement.lang") == lang)
        except TimeoutException:
            pass
        assert browser.execute_script("return document.documentElement.lang") == lang, path
        screenshot(browser, f"a11y-{role}-{path.replace('/', '_').replace('?', '_')}-{lang}")
        if problems := serious_violations(browser):
            found[path] = problems
        assert page_errors(browser) == [], path
    assert found == {}


def _focusables(driver: Any) -> list[str]:
    """Keys of the visible controls a keyboard user must reach (tab order, not disabled, not hidden)."""
    return list(driver.execute_script("""
        const sel = 'a[href], button, input, select, textarea, [tabindex]';
        let n = 0;
        return Array.from(document.querySelectorAll(sel)).filter(e => {
            if (e.disabled || e.tabIndex < 0 || e.type === 'hidden') return false;
            const r = e.getBoundingClientRect();
            if (r.width === 0 && r.height === 0 && e.tagName !== 'INPUT') return false;
            if (getComputedStyle(e).visibility === 'hidden') return false;
            if (e.closest('.sr-only, .js-plotly-plot, .ag-root-wrapper')) return false;  // grid/chart: own keys
            // a radio group is one tab stop (its checked radio); the arrow keys move within it
            if (e.type === 'radio' && !e.checked &&
                document.querySelector(`input[type=radio][name="${e.name}"]:checked`)) return false;
            return true;
        }).map(e => { e.dataset.kbd = e.dataset.kbd || ('k' + (n++)); return e.dataset.kbd; });
    """))


def _tab_through(driver: Any, presses: int) -> list[str]:
    driver.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    reached = []
    for _ in range(presses):
        driver.switch_to.active_element.send_keys(Keys.TAB)
        # a dropdown's focus target hands the focus to its button: the dropdown counts as reached
        reached.append(str(driver.execute_script("""
            const e = document.activeElement;
            const owner = e.matches('button.dash-dropdown')
                ? e.parentElement.querySelector('.dash-dropdown-focus-target') : e;
            return (owner && owner.dataset.kbd) || '';""")))
    return reached


def _press_until(driver: Any, element_id: str, limit: int = 80) -> None:
    for _ in range(limit):
        if driver.execute_script("return document.activeElement.id") == element_id:
            return
        driver.switch_to.active_element.send_keys(Keys.TAB)
    raise AssertionError(f"#{element_id} is not reachable with Tab")


def test_every_control_of_the_job_board_is_reached_and_operated_by_keyboard(browser: Any,
                                                                              live_server: Live) -> None:
    open_path(browser, live_server.url, f"jobs?as_of={DAY}")
    wanted = _focusables(browser)
    assert len(wanted) > 15  # language, scope, filters, radios, apply links, pager, open data links
    reached = set(_tab_through(browser, len(wanted) + 10))
    assert set(wanted) - reached == set()
    # operate: "다음" turns the page, the radio switches to every posting, the sort dropdown reorders
    info = browser.find_element(By.ID, "jobs-pager-info").text
    _press_until(browser, "jobs-next")
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait_idle(browser)
    assert browser.find_element(By.ID, "jobs-pager-info").text != info and "11–20" in \
        browser.find_element(By.ID, "jobs-pager-info").text
    total_open = browser.find_element(By.ID, "jobs-pager-info").text.split("건")[0]
    radio = browser.find_element(By.CSS_SELECTOR, "#jobs-status input[value='open']")
    browser.execute_script("arguments[0].focus()", radio)
    browser.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
    wait_idle(browser)
    assert browser.find_element(By.CSS_SELECTOR, "#jobs-status input[value='all']").is_selected()
    assert browser.find_element(By.ID, "jobs-pager-info").text.split("건")[0] != total_open
    assert page_errors(browser) == []


def test_every_control_of_the_allocation_page_is_reached_by_keyboard(browser: Any, live_server: Live) -> None:
    login(browser, live_server.url, "official")
    open_path(browser, live_server.url, "allocation")
    wanted = _focusables(browser)
    reached = set(_tab_through(browser, len(wanted) + 10))
    assert wanted and set(wanted) - reached == set()
    # the field filter opens and chooses with the keyboard alone
    before = browser.execute_script("return document.querySelector('#allocation-treemap').textContent")
    target = browser.find_element(By.CSS_SELECTOR, "#allocation-field").find_element(
        By.XPATH, "preceding-sibling::input[contains(@class, 'dash-dropdown-focus-target')]")
    for _attempt in range(3):  # Enter opens the list and puts the focus in its search box; type, Enter chooses
        browser.execute_script("arguments[0].focus()", target)
        time.sleep(0.3)
        browser.switch_to.active_element.send_keys(Keys.ENTER)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and \
                browser.execute_script("return document.activeElement.className") != "dash-dropdown-search":
            time.sleep(0.1)
        if browser.execute_script("return document.activeElement.className") != "dash-dropdown-search":
            continue
        assert browser.switch_to.active_element.get_attribute("placeholder") == "검색"  # Korean, not "Search"
        browser.switch_to.active_element.send_keys("헬스케어")
        time.sleep(0.5)  # the list filters as one types; Enter then chooses the match
        browser.switch_to.active_element.send_keys(Keys.ENTER)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and browser.execute_script(
                "return document.querySelector('#allocation-treemap').textContent") == before:
            time.sleep(0.2)
        wait_idle(browser)
        after = browser.execute_script("return document.querySelector('#allocation-treemap').textContent")
        if after != before:
            break
    assert after != before and "비전" not in after
    assert page_errors(browser) == []


def test_job_board_on_a_390_pixel_phone(browser: Any, live_server: Live) -> None:
    browser.set_window_size(390, 844)
    width = browser.execute_script("return window.innerWidth")
    assert width <= 400
    open_path(browser, live_server.url, f"jobs?as_of={DAY}")
    screenshot(browser, "phone-390-jobs")
    # no sideways scrolling; one card a posting, each value beside its column's name
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width
    rows = browser.find_elements(By.CSS_SELECTOR, "#jobs-table tbody tr")
    assert len(rows) == 10
    for row in rows:
        assert row.value_of_css_property("display") == "block"
        assert row.size["height"] < 420 and row.size["width"] <= width
    cells = rows[0].find_elements(By.TAG_NAME, "td")
    assert [c.get_attribute("data-label") for c in cells][:2] == ["상태", "공고"]
    platform = cells[4]
    assert platform.size["width"] > 150 and platform.size["height"] < 40  # not one letter a line
    apply = rows[0].find_element(By.CSS_SELECTOR, "a.apply-link")
    assert apply.get_attribute("href").startswith("https://") and apply.get_attribute("target") == "_blank"
    assert apply.location["x"] + apply.size["width"] <= width
    assert not browser.find_element(By.CSS_SELECTOR, "#jobs-table thead").is_displayed() or \
        browser.find_element(By.CSS_SELECTOR, "#jobs-table thead").size["height"] <= 1
    browser.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    time.sleep(0.3)
    screenshot(browser, "phone-390-jobs-bottom")
    assert page_errors(browser) == []


def test_a_logged_out_visitor_is_sent_to_the_login_and_back(browser: Any, live_server: Live) -> None:
    from tests.dashboard.livedb import DEMO_ACCOUNTS

    browser.get(f"{live_server.url}/dashboard/allocation?program=1&as_of=2021-09-30")
    wait_for(browser, "#login-page")
    assert "/dashboard/login?next=" in browser.current_url
    username, password = DEMO_ACCOUNTS["auditor"]
    browser.find_element(By.ID, "login-username").send_keys(username)
    browser.find_element(By.ID, "login-password").send_keys(password)
    browser.find_element(By.ID, "login-submit").click()
    wait_for(browser, PAGES["allocation"])  # an auditor reads the allocation page
    assert browser.current_url.endswith("/dashboard/allocation?program=1&as_of=2021-09-30")
    assert "2021. 9. 30." in browser.find_element(By.ID, "allocation-as-of").text
    assert "active" in browser.find_element(By.ID, "nav-allocation").get_attribute("class")


def test_landing_on_the_dashboard_highlights_its_tab(browser: Any, live_server: Live) -> None:
    login(browser, live_server.url, "official")
    browser.get(f"{live_server.url}/dashboard/")
    wait_for(browser, PAGES["overview"])
    wait_idle(browser)
    assert "active" in browser.find_element(By.ID, "nav-overview").get_attribute("class")
