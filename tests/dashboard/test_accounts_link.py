"""The admin's accounts page links a new evaluator account to its profile (issue 12: a panel member gets a login
without the CLI): the link is made with the account; a link for another role or to a profile that already has a
login is refused in Korean and creates nothing (no account, no audit event)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.models import User
from scoring.models import Evaluator
from tests.dashboard.test_forged import app_client, login  # noqa: F401  (fixture)
from tests.dashboard.test_forged_workflow import _events, _user_exists, post, said


def _create(username: str, role: str, code: str | None) -> dict[str, object]:
    return {"accounts-create.submit_n_clicks": 1, "accounts-new-username.value": username,
            "accounts-new-name.value": "평가 위원", "accounts-new-role.value": role,
            "accounts-new-password.value": "Velvet-Compass-6620", "accounts-lang.data": "ko",
            "accounts-new-evaluator.value": code}


def _profiles(engine: Engine) -> tuple[Evaluator, Evaluator]:
    """(a profile without a login, one with a login)."""
    with Session(engine) as s:
        free = s.exec(select(Evaluator).where(Evaluator.user_id.is_(None), Evaluator.active.is_(True))  # type: ignore[union-attr, attr-defined]
                      .order_by(Evaluator.id.desc())).first()  # type: ignore[union-attr]
        taken = s.exec(select(Evaluator).where(Evaluator.user_id.is_not(None))).first()  # type: ignore[union-attr]
    assert free is not None and taken is not None
    return free, taken


def test_the_admin_creates_an_evaluator_account_linked_to_its_profile(app_client: TestClient,  # noqa: F811
                                                                     on_unit_db: Engine) -> None:
    free, _ = _profiles(on_unit_db)
    login(app_client, "admin")
    r = post(app_client, "accounts-message.children", _create("ev.linked", "evaluator", free.code))
    text = said(r)
    assert r.status_code == 200 and f"평가위원 {free.code} · {free.name}에 연결했습니다" in text, text[:400]
    with Session(on_unit_db) as s:
        user = s.exec(select(User).where(User.username == "ev.linked")).one()
        assert s.get(Evaluator, free.id).user_id == user.id  # type: ignore[union-attr]
    options = r.json()["response"]["accounts-new-evaluator"]["options"]
    assert options and free.code not in {o["value"] for o in options}  # it left the choices of the next account


def test_a_link_for_another_role_or_a_taken_profile_creates_nothing(app_client: TestClient,  # noqa: F811
                                                                   on_unit_db: Engine) -> None:
    free, taken = _profiles(on_unit_db)
    login(app_client, "admin")
    before = _events(on_unit_db)
    r = post(app_client, "accounts-message.children", _create("not.an.evaluator", "official", free.code))
    text = said(r)
    assert "처리하지 않았습니다" in text and "평가위원 역할의 계정만" in text, text[:400]
    r = post(app_client, "accounts-message.children", _create("second.login", "evaluator", taken.code))
    text = said(r)
    assert "처리하지 않았습니다" in text, text[:400]
    assert f"평가위원 {taken.code}은(는) 이미 다른 계정과 연결되어" in text, text[:400]
    assert not _user_exists(on_unit_db, "not.an.evaluator") and not _user_exists(on_unit_db, "second.login")
    assert _events(on_unit_db) == before
    with Session(on_unit_db) as s:
        assert s.get(Evaluator, free.id).user_id is None  # type: ignore[union-attr]
