"""More officials' actions in headless Chromium: swapping a panel member, building a panel by hand, and moving
money between budget envelopes (within the free share at once; above it through the approval queue, decided by
another official). One action per test, with its confirmation; the result is read back from the page and from
the API, and the audit event it recorded is checked. The database is shared with (and changed by) the other
browser tests: every figure is read from the API or the service before the action and compared after it."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlmodel import Session, select

from tests.dashboard.browser import login, open_page, page_errors, wait_fonts, wait_for, wait_idle
from tests.dashboard.conftest import Live
from tests.dashboard.test_browser_workflow import api, choose, confirm_click, message, set_value, shot

pytestmark = pytest.mark.browser

PROGRAM = 1
EOK = 100_000_000
USED_ELSEWHERE = {11, 44, 52, 69, 82}  # projects the other workflow tests act on


def _events(live: Live, entity_type: str, entity_id: int) -> list[dict[str, Any]]:
    page = api(live, "auditor").get("/audit/events", params={"entity_type": entity_type,
                                                             "entity_id": str(entity_id), "limit": 20})
    assert page.status_code == 200, page.text
    return list(page.json()["items"])


def _event(live: Live, entity_type: str, entity_id: int, action: str) -> dict[str, Any]:
    """The newest audit event `action` of the entity (a covering 'rows.*' event may follow it)."""
    found = [e for e in _events(live, entity_type, entity_id) if e["action"] == action]
    assert found, (action, [e["action"] for e in _events(live, entity_type, entity_id)])
    return found[0]


def _panel_ids(client: httpx.Client, project: int) -> list[int]:
    return sorted(m["evaluator_id"] for m in client.get(f"/scoring/projects/{project}/panel").json()["members"])


def _free_evaluators(s: Session, project: Any, exclude: set[int], n: int) -> list[Any]:
    """`n` active evaluators without an account, not in `exclude`, with no conflict with the project (the same
    field first, as an official would look)."""
    from scoring.conflicts import conflicts_for_project
    from scoring.models import Evaluator

    pool = [e for e in s.exec(select(Evaluator).where(Evaluator.active == True).order_by(Evaluator.id)).all()  # noqa: E712
            if e.id not in exclude and e.user_id is None]
    conflicted = conflicts_for_project(s, project, [e.id for e in pool])
    free = [e for e in pool if e.id not in conflicted]
    free.sort(key=lambda e: (e.expertise_field_id != project.field_id, e.id))
    assert len(free) >= n, "no conflict-free evaluator left"
    return free[:n]


def _swappable(live: Live) -> tuple[int, Any, Any]:
    """A project under evaluation with no confirmed selection, a member of its panel whose sheets are all
    unstarted and who has no account (the evaluators' own tests keep theirs), and a conflict-free replacement."""
    from program.models import Project
    from scoring.models import Evaluator, PanelMember, ScoreSheet, Selection, SheetStatus

    with Session(live.engine) as s:
        for project in s.exec(select(Project).where(Project.status == "under_evaluation").order_by(Project.id)):
            if project.id in USED_ELSEWHERE or s.exec(select(Selection).where(
                    Selection.project_id == project.id)).first():
                continue
            members = s.exec(select(PanelMember).where(PanelMember.project_id == project.id)).all()
            for pm in members:
                ev = s.get(Evaluator, pm.evaluator_id)
                started = s.exec(select(ScoreSheet).where(ScoreSheet.panel_member_id == pm.id,
                                                          ScoreSheet.status != SheetStatus.assigned)).first()
                if ev is not None and ev.user_id is None and started is None:
                    join = _free_evaluators(s, project, {m.evaluator_id for m in members}, 1)[0]
                    return int(project.id), ev, join
    raise AssertionError("the seed has no panel member to swap")


def test_official_swaps_a_panel_member(browser: Any, live_server: Live) -> None:
    project, leave, join = _swappable(live_server)
    client = api(live_server, "official")
    before = _panel_ids(client, project)
    assert leave.id in before and join.id not in before
    login(browser, live_server.url, "official")
    open_page(browser, live_server.url, f"evaluation?project={project}", "#evaluation-panel-table")
    choose(browser, "evaluation-swap-out", f"{leave.code} · {leave.name}")
    choose(browser, "evaluation-swap-in", f"{join.code} · {join.name}")
    question = confirm_click(browser, "evaluation-swap")
    assert "교체" in question and "지워집니다" in question
    text = message(browser, "evaluation-done")
    assert leave.code in text and join.code in text and "교체했습니다" in text, text
    wait_idle(browser)
    table = browser.find_element(By.ID, "evaluation-panel-table").text
    assert join.code in table and leave.code not in table
    after = _panel_ids(client, project)
    assert after == sorted([join.id if e == leave.id else e for e in before])
    members = client.get(f"/scoring/projects/{project}/panel").json()["members"]
    new = [m for m in members if m["evaluator_id"] == join.id][0]
    assert not new["conflicted"] and new["sheets_assigned"] > 0  # the newcomer has sheets to score
    event = _event(live_server, "project", project, "panel.set")
    assert event["actor"] == "official"
    assert json.loads(event["after_json"])["evaluator_ids"] == after
    assert leave.id in json.loads(event["before_json"])["evaluator_ids"]
    shot(browser, "official-evaluation-swapped-ko")
    assert page_errors(browser) == []


def test_swapping_in_a_conflicted_evaluator_is_refused_in_korean(browser: Any, live_server: Live) -> None:
    from program.models import Project
    from scoring.conflicts import conflicts_for_project
    from scoring.models import Evaluator

    project, leave, _ = _swappable(live_server)
    client = api(live_server, "official")
    before = _panel_ids(client, project)
    with Session(live_server.engine) as s:
        row = s.get(Project, project)
        conflicted = conflicts_for_project(s, row, None)
        bad = next(e for e in s.exec(select(Evaluator).where(Evaluator.active == True)).all()  # noqa: E712
                   if e.id in conflicted and e.id not in before)
    events = len(_events(live_server, "project", project))
    login(browser, live_server.url, "official")
    open_page(browser, live_server.url, f"evaluation?project={project}", "#evaluation-panel-table")
    choose(browser, "evaluation-swap-out", f"{leave.code} · {leave.name}")
    choose(browser, "evaluation-swap-in", f"{bad.code} · {bad.name}")
    confirm_click(browser, "evaluation-swap")
    text = message(browser, "evaluation-error")
    assert "처리하지 않았습니다" in text and bad.code in text and "이해충돌" in text, text
    assert not any(w in text for w in ("membership", "employment", "declared")), text  # the kind in words
    assert _panel_ids(client, project) == before  # nothing changed
    assert len(_events(live_server, "project", project)) == events
    assert page_errors(browser) == []


def _hand_build_project(live: Live) -> tuple[int, list[Any]]:
    """A re-announced project the other tests leave alone, with room on its panel, and two conflict-free
    evaluators to add to it."""
    from program.models import Program, Project
    from scoring.models import PanelMember

    with Session(live.engine) as s:
        for project in s.exec(select(Project).where(Project.status == "reannounced").order_by(Project.id.desc())):
            if project.id in USED_ELSEWHERE:
                continue
            program = s.get(Program, project.program_id)
            assert program is not None
            members = {m.evaluator_id for m in s.exec(select(PanelMember).where(
                PanelMember.project_id == project.id)).all()}
            if len(members) + 2 <= program.rules.panel_max:
                return int(project.id), _free_evaluators(s, project, members, 2)
    raise AssertionError("the seed has no re-announced project with room on its panel")


def test_official_builds_a_panel_by_hand(browser: Any, live_server: Live) -> None:
    project, chosen = _hand_build_project(live_server)
    client = api(live_server, "official")
    before = _panel_ids(client, project)
    login(browser, live_server.url, "official")
    open_page(browser, live_server.url, f"evaluation?project={project}", "#evaluation-panel-table")
    for ev in chosen:  # the current members are preselected; the official adds two by name
        choose(browser, "evaluation-manual", f"{ev.code} · {ev.name}")
    picked = browser.find_element(By.ID, "evaluation-manual").text
    assert all(ev.code in picked for ev in chosen)
    assert "계속할까요" in confirm_click(browser, "evaluation-manual-set")
    text = message(browser, "evaluation-done")
    assert f"{len(before) + 2}명" in text and "구성했습니다" in text, text
    wait_idle(browser)
    rows = browser.find_elements(By.CSS_SELECTOR, "#evaluation-panel-table tbody tr")
    assert len(rows) == len(before) + 2
    assert all(any(ev.code in r.text for r in rows) for ev in chosen)
    after = _panel_ids(client, project)
    assert after == sorted(before + [ev.id for ev in chosen])
    progress = [r for r in client.get("/scoring/progress", params={"program_id": PROGRAM}).json()["projects"]
                if r["project_id"] == project][0]
    members = client.get(f"/scoring/projects/{project}/panel").json()["members"]
    assert progress["assigned"] == sum(m["sheets_assigned"] for m in members)
    assert all(m["sheets_assigned"] > 0 for m in members if m["evaluator_id"] in {ev.id for ev in chosen})
    event = _event(live_server, "project", project, "panel.set")
    assert event["actor"] == "official"
    assert json.loads(event["after_json"])["evaluator_ids"] == after
    shot(browser, "official-evaluation-by-hand-ko")
    assert page_errors(browser) == []


# --------------------------------------------------------------------------- envelope transfers


def _envelopes(client: httpx.Client) -> dict[int, dict[str, Any]]:
    r = client.get(f"/budgeting/programs/{PROGRAM}/envelopes")
    assert r.status_code == 200, r.text
    return {int(e["id"]): e for e in r.json()}


def _free_ratio(live: Live) -> Any:
    from fractions import Fraction

    from program.models import Program

    with Session(live.engine) as s:
        program = s.get(Program, PROGRAM)
        assert program is not None
        return Fraction(str(program.rules.envelope_transfer_free_ratio))


def _any_award(live: Live) -> int:
    awards = api(live, "official").get("/budgeting/awards", params={"program_id": PROGRAM, "limit": 5}).json()
    return int(awards["items"][0]["id"])


def _open_award(driver: Any, live: Live, role: str) -> None:
    login(driver, live.url, role)
    open_page(driver, live.url, f"award/{_any_award(live)}", "#award-env-from")


def _fill_env_form(driver: Any, src: dict[str, Any], dst: dict[str, Any], amount: int, reason: str) -> None:
    choose(driver, "award-env-from", src["name_ko"])
    choose(driver, "award-env-to", dst["name_ko"])
    set_value(driver, "award-env-amount", str(amount))
    set_value(driver, "award-env-reason", reason)


def test_envelope_transfer_within_the_free_share_applies_at_once(browser: Any, live_server: Live) -> None:
    client = api(live_server, "official")
    envs = _envelopes(client)
    ratio = _free_ratio(live_server)
    src = max(envs.values(), key=lambda e: min(e["available_krw"], int(ratio * e["amount_krw"])))
    dst = min((e for e in envs.values() if e["id"] != src["id"]), key=lambda e: e["available_krw"])
    room = min(src["available_krw"], int(ratio * src["amount_krw"]))
    amount = max(EOK, room // 10 // EOK * EOK)  # whole 억: the change shows on the page's rounded figures
    assert amount <= room, "no envelope has money to move"
    _open_award(browser, live_server, "official")
    _fill_env_form(browser, src, dst, amount, "지역 수요 증가분 반영")
    question = confirm_click(browser, "award-envelope")
    assert "봉투" in question and "계속할까요" in question
    text = message(browser, "award-done")
    assert "옮겼습니다" in text and src["name_ko"] in text and dst["name_ko"] in text, text
    assert f"{amount:,}원" in text
    after = _envelopes(client)
    assert after[src["id"]]["amount_krw"] == src["amount_krw"] - amount
    assert after[dst["id"]]["amount_krw"] == dst["amount_krw"] + amount
    wait_for(browser, f"#award-envelope-{dst['id']}")
    row = browser.find_element(By.ID, f"award-envelope-{dst['id']}").text
    assert f"{after[dst['id']]['available_krw']:,}" in row.replace("원", "")
    moved = [t for t in client.get(f"/budgeting/programs/{PROGRAM}/envelope-transfers").json()
             if t["from_envelope_id"] == src["id"] and t["to_envelope_id"] == dst["id"] and t["amount_krw"] == amount]
    assert moved and moved[-1]["status"] == "recorded" and moved[-1]["created_by"] == "official"
    event = _event(live_server, "envelope_transfer", moved[-1]["id"], "envelope.transfer")
    assert event["actor"] == "official"
    assert event["reason"] == "지역 수요 증가분 반영"
    shot(browser, "official-award-envelope-ko")
    assert page_errors(browser) == []


def test_envelope_transfer_above_what_is_left_is_refused_in_korean(browser: Any, live_server: Live) -> None:
    client = api(live_server, "official")
    envs = _envelopes(client)
    src = min(envs.values(), key=lambda e: e["available_krw"])
    dst = next(e for e in envs.values() if e["id"] != src["id"])
    count = len(client.get(f"/budgeting/programs/{PROGRAM}/envelope-transfers").json())
    _open_award(browser, live_server, "official")
    _fill_env_form(browser, src, dst, src["available_krw"] + 1, "잔액 초과 이동 시도")
    confirm_click(browser, "award-envelope")
    text = message(browser, "award-error")
    assert "처리하지 않았습니다" in text and src["name_ko"] in text and "1원 부족" in text, text
    assert src["code"] not in text  # the envelope's name, not its code
    assert _envelopes(client) == envs  # nothing moved
    assert len(client.get(f"/budgeting/programs/{PROGRAM}/envelope-transfers").json()) == count
    shot(browser, "official-award-envelope-refused-ko")
    assert page_errors(browser) == []


def _room_above_the_free_share(live: Live, extra: int = 0) -> tuple[dict[str, Any], dict[str, Any], int]:
    """An envelope whose unawarded money exceeds its free share (so a transfer can be larger than the free share
    and still fit), a destination, and such an amount. The seed awards most of every envelope, so when none has
    that room the official first moves money into one within the free share (through the API)."""
    client = api(live, "official")
    ratio = _free_ratio(live)
    envs = _envelopes(client)
    target = min(envs.values(), key=lambda e: ratio * e["amount_krw"] - e["available_krw"])
    if target["available_krw"] <= ratio * target["amount_krw"] + 1:
        # x won coming in give available + x > ratio × (amount + x) once x > (ratio × amount − available) / (1 − ratio)
        wanted = int((ratio * target["amount_krw"] - target["available_krw"]) / (1 - ratio)) \
            + target["amount_krw"] // 50
        for e in sorted((e for e in envs.values() if e["id"] != target["id"]), key=lambda e: -e["available_krw"]):
            # at most half of what a source has left: the other tests still award from every envelope
            step = min(wanted, e["available_krw"] // 2, int(ratio * e["amount_krw"]))
            if step <= 0:
                continue
            r = client.post(f"/budgeting/programs/{PROGRAM}/envelope-transfers", json={
                "from_envelope_id": e["id"], "to_envelope_id": target["id"], "amount_krw": step,
                "reason": "승인 절차 시험용 재원 확보"})
            assert r.status_code == 201 and r.json()["status"] == "recorded", r.text
            wanted -= step
            if wanted <= 0:
                break
        envs = _envelopes(client)
        target = envs[target["id"]]
    amount = int(ratio * target["amount_krw"]) + 1 + extra  # just above the free share
    assert amount <= target["available_krw"], (target, amount)
    dst = max((e for e in envs.values() if e["id"] != target["id"]), key=lambda e: e["amount_krw"])
    return target, dst, amount


def test_envelope_transfer_above_the_free_share_waits_for_approval(browser: Any, live_server: Live) -> None:
    src, dst, amount = _room_above_the_free_share(live_server)
    client = api(live_server, "official")
    _open_award(browser, live_server, "official")
    _fill_env_form(browser, src, dst, amount, "하반기 사업 재배분")
    assert "계속할까요" in confirm_click(browser, "award-envelope")
    text = message(browser, "award-done")
    assert "승인 대기" in text and src["name_ko"] in text and f"{amount:,}원" in text, text
    after = _envelopes(client)
    assert after[src["id"]]["amount_krw"] == src["amount_krw"]  # nothing moved yet
    assert after[dst["id"]]["amount_krw"] == dst["amount_krw"]
    pending = [t for t in client.get(f"/budgeting/programs/{PROGRAM}/envelope-transfers").json()
               if t["status"] == "pending" and t["amount_krw"] == amount and t["from_envelope_id"] == src["id"]]
    assert len(pending) == 1 and pending[0]["created_by"] == "official"
    event = _event(live_server, "envelope_transfer", pending[0]["id"], "envelope.transfer_request")
    assert event["actor"] == "official" and event["reason"] == "하반기 사업 재배분"
    shot(browser, "official-award-envelope-pending-ko")
    # in the approval queue, the requester sees their request and may not decide it (four eyes)
    open_page(browser, live_server.url, "approvals", "#approvals-table")
    row = browser.find_element(By.ID, f"approvals-row-envelope-{pending[0]['id']}").text
    assert "요청한" in row and "결정 가능" not in row and src["name_ko"] in row and dst["name_ko"] in row
    assert src["code"] not in row  # the envelope's name, not its code
    queue = api(live_server, "official").get(f"/budgeting/programs/{PROGRAM}/approvals").json()
    mine = [i for i in queue if i["kind"] == "envelope" and i["id"] == pending[0]["id"]]
    assert mine and mine[0]["can_decide"] is False
    shot(browser, "official-approvals-envelope-ko")
    assert page_errors(browser) == []


def _second_official(live: Live) -> tuple[str, str]:
    username, password = "official.second", "Harbour-Lantern-5521"
    admin = api(live, "admin")
    if not [u for u in admin.get("/users").json()["items"] if u["username"] == username]:
        r = admin.post("/users", json={"username": username, "full_name": "이담당", "role": "official",
                                       "password": password})
        assert r.status_code == 201, r.text
    return username, password


def test_another_official_approves_a_pending_envelope_transfer(browser: Any, live_server: Live) -> None:
    src, dst, amount = _room_above_the_free_share(live_server, extra=1_000)  # not the amount of another request
    client = api(live_server, "official")
    r = client.post(f"/budgeting/programs/{PROGRAM}/envelope-transfers", json={
        "from_envelope_id": src["id"], "to_envelope_id": dst["id"], "amount_krw": amount,
        "reason": "연말 집행 재배분"})
    assert r.status_code == 201 and r.json()["status"] == "pending", r.text
    transfer = r.json()["id"]
    # the requester cannot approve it, through the API either
    refused = client.post(f"/budgeting/envelope-transfers/{transfer}/decision", json={"approve": True})
    assert refused.status_code == 403
    username, password = _second_official(live_server)
    browser.get(f"{live_server.url}/dashboard/login")
    wait_for(browser, "#login-username")
    browser.find_element(By.ID, "login-username").send_keys(username)
    browser.find_element(By.ID, "login-password").send_keys(password)
    browser.find_element(By.ID, "login-submit").click()
    wait_for(browser, "#nav-logout")
    open_page(browser, live_server.url, "approvals", "#approvals-table")
    row = browser.find_element(By.ID, f"approvals-row-envelope-{transfer}").text
    assert "결정 가능" in row and "연말 집행 재배분" in row and src["name_ko"] in row
    shot(browser, "second-official-approvals-ko")
    choose(browser, "approvals-pick", f"{src['name_ko']} → {dst['name_ko']} · {amount:,}원")
    assert "계속할까요" in confirm_click(browser, "approvals-approve")
    text = message(browser, "approvals-done")
    assert "최종 승인" in text and f"{amount:,}원" in text, text
    WebDriverWait(browser, 30).until(  # the queue is drawn again without it
        lambda d: not d.find_elements(By.ID, f"approvals-row-envelope-{transfer}"))
    row = [t for t in client.get(f"/budgeting/programs/{PROGRAM}/envelope-transfers").json() if t["id"] == transfer][0]
    assert row["status"] == "approved" and row["decided_by"] == username
    after = _envelopes(client)
    assert after[src["id"]]["amount_krw"] == src["amount_krw"] - amount
    assert after[dst["id"]]["amount_krw"] == dst["amount_krw"] + amount
    assert _event(live_server, "envelope_transfer", transfer, "envelope.transfer_approved")["actor"] == username
    shot(browser, "second-official-approved-ko")
    assert page_errors(browser) == []


def test_approvals_queue_with_an_envelope_transfer_in_english(browser: Any, live_server: Live) -> None:
    client = api(live_server, "official")
    waiting = [i for i in client.get(f"/budgeting/programs/{PROGRAM}/approvals").json() if i["kind"] == "envelope"]
    if not waiting:  # alone: request one (through the API) for the queue to show
        src, dst, amount = _room_above_the_free_share(live_server)
        r = client.post(f"/budgeting/programs/{PROGRAM}/envelope-transfers", json={
            "from_envelope_id": src["id"], "to_envelope_id": dst["id"], "amount_krw": amount, "reason": "재배분"})
        assert r.status_code == 201 and r.json()["status"] == "pending", r.text
        waiting = [i for i in client.get(f"/budgeting/programs/{PROGRAM}/approvals").json()
                   if i["kind"] == "envelope"]
    item = waiting[0]
    names = {e["code"]: e["name_ko"] for e in _envelopes(client).values()}
    login(browser, live_server.url, "admin")
    open_page(browser, live_server.url, "approvals", "#approvals-table")
    browser.find_element(By.ID, "shell-lang-toggle").click()
    wait_for(browser, "#approvals-table")
    wait_idle(browser)
    wait_fonts(browser)
    row = browser.find_element(By.ID, f"approvals-row-envelope-{item['id']}").text
    assert "envelope transfer" in row and names[item["source"]] in row and item["source"] not in row
    assert "you may decide" in row or "your own request" in row
    shot(browser, "admin-approvals-envelope-en")
    browser.find_element(By.ID, "shell-lang-toggle").click()
    wait_idle(browser)
    assert page_errors(browser) == []
