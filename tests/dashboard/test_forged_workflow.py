"""Forged action requests on the workflow pages: the server re-checks the role from the cookie, so an official
cannot drive the admin's accounts page, an auditor cannot act on the evaluation or award pages, and a
confirmation that was never clicked does nothing. Each time nothing changes (the audit chain does not move)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from core.models import AuditEvent, User
from tests.dashboard.dashclient import body
from tests.dashboard.test_forged import UPDATE, app_client, login  # noqa: F401  (fixture)


def post(c: TestClient, output: str, values: dict[str, Any]) -> Any:
    """A callback request as the browser sends it after a click: the clicked confirmation is the changed prop."""
    changed = [k for k, v in values.items() if k.endswith(".submit_n_clicks") and v]
    return c.post(UPDATE, json=body(c.app.state.dash_app, output, values, changed))  # type: ignore[attr-defined]


def said(r: Any) -> str:
    """The text of a callback answer (204: nothing)."""
    import json

    return "" if r.status_code == 204 else json.dumps(r.json(), ensure_ascii=False)


def _events(engine: Engine) -> int:
    """Audit events of changes (a login only refreshes its row digest: rows.write)."""
    with Session(engine) as s:
        return int(s.exec(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action != "rows.write")).one())


def _user_exists(engine: Engine, username: str) -> bool:
    with Session(engine) as s:
        return s.exec(select(User).where(User.username == username)).first() is not None


CREATE = {"accounts-create.submit_n_clicks": 1, "accounts-new-username.value": "forged.user",
          "accounts-new-name.value": "x", "accounts-new-role.value": "admin",
          "accounts-new-password.value": "Velvet-Compass-6620", "accounts-lang.data": "ko"}


def test_an_official_cannot_create_an_account_through_a_forged_request(app_client: TestClient,  # noqa: F811
                                                                       on_unit_db: Engine) -> None:
    before = _events(on_unit_db)
    for role in (None, "official", "auditor", "evaluator"):
        login(app_client, role)
        r = post(app_client, "accounts-message.children", CREATE)
        assert r.status_code == 204, (role, r.text[:200])
    assert not _user_exists(on_unit_db, "forged.user")
    assert _events(on_unit_db) == before


def test_the_admin_creates_through_the_same_request(app_client: TestClient, on_unit_db: Engine) -> None:  # noqa: F811
    login(app_client, "admin")
    r = post(app_client, "accounts-message.children", CREATE)
    assert r.status_code == 200 and "만들었습니다" in said(r)
    assert _user_exists(on_unit_db, "forged.user")


def test_an_unclicked_confirmation_does_nothing(app_client: TestClient, on_unit_db: Engine) -> None:  # noqa: F811
    login(app_client, "admin")
    r = post(app_client, "accounts-message.children", {**CREATE, "accounts-create.submit_n_clicks": None,
                                                       "accounts-new-username.value": "never.made"})
    assert r.status_code == 204
    assert not _user_exists(on_unit_db, "never.made")


EVAL_SCREEN: dict[str, Any] = {"evaluation-screen.submit_n_clicks": 1, "evaluation-project.value": 11,
                               "evaluation-key.data": {"pid": 1, "lang": "ko"}, "evaluation-version.data": 0}


def test_an_auditor_cannot_act_on_the_evaluation(app_client: TestClient, on_unit_db: Engine) -> None:  # noqa: F811
    before = _events(on_unit_db)
    login(app_client, "auditor")
    r = post(app_client, "evaluation-message.children", EVAL_SCREEN)
    assert "담당관만" in said(r)
    login(app_client, "evaluator")
    assert post(app_client, "evaluation-message.children", EVAL_SCREEN).status_code == 204
    assert _events(on_unit_db) == before


def test_an_auditor_cannot_close_a_posting_or_decide_a_transfer(app_client: TestClient,  # noqa: F811
                                                                on_unit_db: Engine) -> None:
    before = _events(on_unit_db)
    login(app_client, "auditor")
    for action in ("award-close", "award-approve"):
        r = post(app_client, "award-message.children", {
            f"{action}.submit_n_clicks": 1, "award-close-posting.value": 1, "award-decide-transfer.value": 1,
            "award-key.data": {"award_id": "1", "lang": "ko"}, "award-version.data": 0})
        assert "담당관만" in said(r)
    assert _events(on_unit_db) == before


def test_forged_values_are_refused_with_a_korean_message(app_client: TestClient,  # noqa: F811
                                                         on_unit_db: Engine) -> None:
    before = _events(on_unit_db)
    login(app_client, "official")
    r = post(app_client, "award-message.children", {
        "award-transfer.submit_n_clicks": 1, "award-tr-from.value": "labour", "award-tr-to.value": "travel",
        "award-tr-amount.value": "9" * 40, "award-tr-reason.value": "x",
        "award-key.data": {"award_id": "1", "lang": "ko"}, "award-version.data": 0})
    assert "처리하지 않았습니다" in said(r) and "Traceback" not in said(r)
    r = post(app_client, "evaluation-message.children", {
        **EVAL_SCREEN, "evaluation-screen.submit_n_clicks": None, "evaluation-award.submit_n_clicks": 1,
        "evaluation-project.value": "1" * 30})
    assert "처리하지 않았습니다" in said(r) or "과제를 선택하세요" in said(r)
    assert _events(on_unit_db) == before
