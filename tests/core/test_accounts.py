"""Accounts and sessions end to end through the API (issue 9, findings 3 and 8; issue 12's accounts API).

Runs on SQLite and on PostgreSQL (TEST_DB=postgres): every bullet of the "Accounts" requirement —
deactivation, resets, role changes, own password changes, logout and direct database changes revoke
tokens and cookies; ids are never reused; demo passwords, short keys and tokens without expiry are
refused outside demo mode; the password policy; login throttling shared through the database;
bounded Argon2 concurrency; the last login; NUL bytes in the login form.
"""

from __future__ import annotations

import argparse
import io
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import main
from core import auth, passwords
from core.models import AuditEvent, LoginAttempt, Role, User
from core.settings import get_settings
from tests.builders import fresh, make_user, token_for

PASSWORD = "correct-horse-battery"  # what tests.builders.make_user sets
NEW_PASSWORD = "violet-harbour-lantern-42"
LONG_KEY = "k" * 48


def _login(client: TestClient, username: str, password: str) -> Any:
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _me(client: TestClient, headers: dict[str, str]) -> int:
    return client.get("/api/v1/auth/me", headers=headers).status_code


def _reload(session: Session, user_id: int | None) -> User:
    """The user as committed now (not the copy in the session's identity map)."""
    session.commit()
    session.expire_all()
    user = session.get(User, user_id)
    assert user is not None
    session.commit()
    return user


def _events(session: Session, action: str) -> list[AuditEvent]:
    return list(fresh(session).exec(select(AuditEvent).where(AuditEvent.action == action)).all())


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Settings as after a restart with DEMO_MODE=false and a proper SECRET_KEY."""
    settings = get_settings()
    monkeypatch.setattr(settings, "demo_mode", False)
    monkeypatch.setattr(settings, "secret_key", LONG_KEY)
    return settings


# --------------------------------------------------------------------------- admin actions revoke sessions


def test_admin_deactivates_and_reactivates_a_user(client: TestClient, session: Session):
    """Finding 8: deactivating ends the user's sessions at once; reactivating does not revive them."""
    admin, official = make_user(session, Role.admin), make_user(session, Role.official)
    old = token_for(official)
    assert _me(client, old) == 200
    r = client.post(f"/api/v1/users/{official.id}/deactivate", headers=token_for(admin))
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert _me(client, old) == 401
    assert _login(client, official.username, PASSWORD).status_code == 401
    r = client.post(f"/api/v1/users/{official.id}/reactivate", headers=token_for(admin))
    assert r.status_code == 200 and r.json()["is_active"] is True
    assert _me(client, old) == 401  # the old token stays revoked
    assert _login(client, official.username, PASSWORD).status_code == 200
    assert [e.entity_id for e in _events(session, "user.deactivate")] == [str(official.id)]
    assert [e.entity_id for e in _events(session, "user.reactivate")] == [str(official.id)]


def test_admin_resets_a_password(client: TestClient, session: Session):
    """Finding 8: a reset revokes the user's tokens and dashboard cookie; the policy applies."""
    admin, evaluator = make_user(session, Role.admin), make_user(session, Role.evaluator)
    bearer = token_for(evaluator)
    cookie_token = auth.create_token(evaluator)
    weak = client.post(f"/api/v1/users/{evaluator.id}/password", headers={**token_for(admin), "Accept-Language": "en"},
                       json={"new_password": "aaaaaaaaaa"})
    assert weak.status_code == 422 and "12 characters" in weak.json()["detail"]
    assert _me(client, bearer) == 200  # a refused reset changes nothing
    r = client.post(f"/api/v1/users/{evaluator.id}/password", headers=token_for(admin),
                    json={"new_password": NEW_PASSWORD})
    assert r.status_code == 200 and "password" not in r.text
    assert _me(client, bearer) == 401
    client.cookies.set(auth.COOKIE_NAME, cookie_token)
    assert client.get("/api/v1/auth/me").status_code == 401
    client.cookies.clear()
    assert _login(client, evaluator.username, PASSWORD).status_code == 401
    assert _login(client, evaluator.username, NEW_PASSWORD).status_code == 200
    (event,) = _events(session, "user.password_reset")
    assert "argon2" not in (event.after_json or "") and NEW_PASSWORD not in (event.after_json or "")


def test_admin_changes_a_role(client: TestClient, session: Session):
    """Finding 8: a role change revokes the old tokens (they carried the old role)."""
    admin, auditor = make_user(session, Role.admin), make_user(session, Role.auditor)
    old = token_for(auditor)
    r = client.post(f"/api/v1/users/{auditor.id}/role", headers=token_for(admin), json={"role": "official"})
    assert r.status_code == 200 and r.json()["role"] == "official"
    assert _me(client, old) == 401
    login = _login(client, auditor.username, PASSWORD)
    assert login.status_code == 200 and login.json()["role"] == "official"
    (event,) = _events(session, "user.role_change")
    assert '"auditor"' in (event.before_json or "") and '"official"' in (event.after_json or "")
    bad = client.post(f"/api/v1/users/{auditor.id}/role", headers=token_for(admin), json={"role": "superuser"})
    assert bad.status_code == 422


def test_only_admins_administer_accounts(client: TestClient, session: Session):
    official, target = make_user(session, Role.official), make_user(session, Role.auditor)
    headers = token_for(official)
    for path, body in [("deactivate", None), ("reactivate", None), ("password", {"new_password": NEW_PASSWORD}),
                       ("role", {"role": "admin"}), ("revoke-sessions", None)]:
        assert client.post(f"/api/v1/users/{target.id}/{path}", headers=headers, json=body).status_code == 403
    assert client.get("/api/v1/users", headers=headers).status_code == 403
    assert client.post("/api/v1/users/999999/deactivate", headers=token_for(make_user(session, Role.admin))
                       ).status_code == 404
    assert _reload(session, target.id).role == Role.auditor


def test_the_last_admin_stays(client: TestClient, session: Session):
    """An admin cannot deactivate or demote themselves, nor leave the system without an active admin."""
    admin = make_user(session, Role.admin)
    headers = token_for(admin)
    assert client.post(f"/api/v1/users/{admin.id}/deactivate", headers=headers).status_code == 409
    assert client.post(f"/api/v1/users/{admin.id}/role", headers=headers, json={"role": "official"}).status_code == 409
    second = make_user(session, Role.admin)
    assert client.post(f"/api/v1/users/{admin.id}/deactivate", headers=token_for(second)).status_code == 200
    # `second` is now the only active admin: nobody may remove it (here through the CLI's system actor)
    with pytest.raises(auth.Conflict):
        with Session(session.get_bind()) as s:
            auth.set_active(s, auth.audit.SYSTEM, second.id, False)  # type: ignore[arg-type]


def test_user_changes_own_password(client: TestClient, session: Session):
    """Finding 8: a user changes their own password (the current one is required); old tokens end."""
    user = make_user(session, Role.official)
    old = token_for(user)
    wrong = client.post("/api/v1/auth/password", headers=old,
                        json={"current_password": "not-my-password-at-all", "new_password": NEW_PASSWORD})
    assert wrong.status_code == 422 and wrong.json()["field"] == "current_password"
    weak = client.post("/api/v1/auth/password", headers=old,
                       json={"current_password": PASSWORD, "new_password": f"{user.username}-2024-x"})
    assert weak.status_code == 422 and "아이디" in weak.json()["detail"]  # Korean by default
    r = client.post("/api/v1/auth/password", headers=old,
                    json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert r.status_code == 200
    assert _me(client, old) == 401
    assert _me(client, _bearer(r.json()["access_token"])) == 200
    assert _login(client, user.username, NEW_PASSWORD).status_code == 200
    assert len(_events(session, "user.password_change")) == 1


def test_password_changed_in_the_database_revokes_tokens(client: TestClient, session: Session):
    """Finding 8: after `password_hash` is updated directly in the database the old token fails."""
    user = make_user(session, Role.official)
    headers = token_for(user)
    assert _me(client, headers) == 200
    row = _reload(session, user.id)
    row.password_hash = auth.hash_password("changed-by-a-dba-directly")
    session.add(row)
    session.commit()
    assert _me(client, headers) == 401


def test_logout_revokes_server_side(client: TestClient, session: Session):
    """Finding 8: logout revokes the token on the server, not only in the browser."""
    user = make_user(session, Role.auditor)
    token = _login(client, user.username, PASSWORD).json()["access_token"]
    assert client.post("/api/v1/auth/logout", headers=_bearer(token)).status_code == 204
    assert _me(client, _bearer(token)) == 401
    client.cookies.set(auth.COOKIE_NAME, token)
    assert client.get("/api/v1/auth/me").status_code == 401  # the same token as a dashboard cookie
    client.cookies.clear()
    assert len(_events(session, "user.sessions_revoke")) == 1


def test_revoke_sessions_for_the_dashboard(client: TestClient, session: Session):
    """`auth.revoke_sessions` (what the dashboard's logout calls) ends the cookie's session."""
    user = make_user(session, Role.official)
    cookie = auth.create_token(user)
    assert auth.user_from_token(cookie) is not None
    with Session(session.get_bind()) as s:
        auth.revoke_sessions(s, user)
    assert auth.user_from_token(cookie) is None


# --------------------------------------------------------------------------- ids, tokens, start-up


def test_user_ids_are_never_reused(client: TestClient, session: Session):
    """Finding 8: after deleting an auditor and creating an admin, the auditor's token is not admin."""
    admin = make_user(session, Role.admin)
    auditor = make_user(session, Role.auditor)
    auditor_token = token_for(auditor)
    session.delete(_reload(session, auditor.id))
    session.commit()
    r = client.post("/api/v1/users", headers=token_for(admin),
                    json={"username": "new-admin", "role": "admin", "password": NEW_PASSWORD})
    assert r.status_code == 201
    assert r.json()["id"] > auditor.id  # type: ignore[operator]
    assert _me(client, auditor_token) == 401
    assert client.get("/api/v1/users", headers=auditor_token).status_code == 401


def test_tokens_must_expire_and_be_signed(client: TestClient, session: Session):
    """Finding 3: a token without `exp` (or with a foreign key, or expired) is refused."""
    user = make_user(session, Role.official)
    good = jwt.decode(auth.create_token(user), get_settings().secret_key, algorithms=["HS256"])
    no_exp = {k: v for k, v in good.items() if k != "exp"}
    assert _me(client, _bearer(jwt.encode(no_exp, get_settings().secret_key, algorithm="HS256"))) == 401
    forged = jwt.encode(good, "another-key-of-at-least-32-bytes-long", algorithm="HS256")
    assert _me(client, _bearer(forged)) == 401
    expired = {**good, "exp": datetime.now(UTC) - timedelta(minutes=1)}
    assert _me(client, _bearer(jwt.encode(expired, get_settings().secret_key, algorithm="HS256"))) == 401
    old_style = {"sub": str(user.id), "role": "official", "exp": good["exp"]}  # before token versions
    assert _me(client, _bearer(jwt.encode(old_style, get_settings().secret_key, algorithm="HS256"))) == 401
    assert _me(client, _bearer(jwt.encode(good, get_settings().secret_key, algorithm="HS256"))) == 200


def test_short_secret_key_is_refused(monkeypatch: pytest.MonkeyPatch, clean_engine: Engine):
    """Finding 3: a one-character SECRET_KEY is refused, in demo mode and outside it."""
    from server import create_app

    settings = get_settings()
    for demo in (True, False):
        monkeypatch.setattr(settings, "demo_mode", demo)
        monkeypatch.setattr(settings, "secret_key", "x")
        with pytest.raises(RuntimeError, match="at least 32"):
            create_app(with_dashboard=False)
    monkeypatch.setattr(settings, "secret_key", "y" * 31)
    with pytest.raises(RuntimeError, match="at least 32"):
        settings.check_secure()


def _serve_args() -> argparse.Namespace:
    return argparse.Namespace(host=None, port=None, workers=1, no_seed=True, no_worker=True, lang="en")


def test_demo_accounts_cannot_survive_into_production(monkeypatch: pytest.MonkeyPatch, clean_engine: Engine,
                                                      capsys: pytest.CaptureFixture[str]):
    """Finding 3: after a restart with DEMO_MODE=false, admin / demo-admin-2021 cannot log in.

    The start is refused (create_app and `main.py serve`) with a message naming the accounts and
    the command to fix them; after `main.py set-password` the app starts and the demo password fails.
    """
    from core import db, migrate
    from seed_data.demo import DEMO_ACCOUNTS, ensure_demo_accounts
    from server import create_app

    assert len(ensure_demo_accounts(clean_engine)) == 4  # the demo, in demo mode
    with Session(clean_engine) as s:  # the names the navigation shows are Korean (issue 13), usernames unchanged
        names = {u.username: u.full_name for u in s.exec(select(User)).all()}
    assert names == {"admin": "시연 관리자", "official": "시연 사업담당관", "evaluator": "시연 평가위원",
                     "auditor": "시연 감사관"}
    settings = get_settings()
    from core import checkpoint

    checkpoint.ensure_key(settings)  # the signing key exists (created in demo mode), so the refusal is the accounts'
    monkeypatch.setattr(settings, "demo_mode", False)
    monkeypatch.setattr(settings, "secret_key", LONG_KEY)
    with pytest.raises(RuntimeError) as refused:
        create_app(with_dashboard=False)
    for username, _, _ in DEMO_ACCOUNTS:
        assert username in str(refused.value)
    assert "set-password" in str(refused.value)
    with pytest.raises(RuntimeError, match="demo mode only"):
        ensure_demo_accounts(clean_engine)

    started: list[Any] = []
    monkeypatch.setattr(migrate, "upgrade", lambda url: None)
    monkeypatch.setattr(db, "configure", lambda url=None: clean_engine)
    from core import serving

    monkeypatch.setattr(serving, "serve", lambda *a, **k: started.append(a))  # serve() binds, then runs uvicorn
    assert main.cmd_serve(_serve_args()) == 2
    err = capsys.readouterr().err
    assert "refusing to start" in err and "admin" in err and "main.py set-password" in err
    assert started == []

    # the demo password itself is refused as a new one (made of this system's words)
    monkeypatch.setattr("sys.stdin", io.StringIO("demo-official-2021\n"))
    assert main.cmd_set_password(argparse.Namespace(username="admin", password_stdin=True)) == 2
    for i, (username, _, _) in enumerate(DEMO_ACCOUNTS):
        monkeypatch.setattr("sys.stdin", io.StringIO(f"{NEW_PASSWORD}-{i}\n"))
        assert main.cmd_set_password(argparse.Namespace(username=username, password_stdin=True)) == 0
    assert main.cmd_serve(_serve_args()) == 0 and len(started) == 1
    with TestClient(create_app(with_dashboard=False)) as client:
        assert _login(client, "admin", "demo-admin-2021").status_code == 401
        assert _login(client, "admin", f"{NEW_PASSWORD}-0").status_code == 200


def test_demo_password_on_another_demo_account_is_found(clean_engine: Engine, session: Session):
    """Any demo password on any demo account blocks the start, not only the account's own."""
    from seed_data.demo import demo_credentials

    make_user(session, Role.official, username="official", password_hash=auth.hash_password("demo-admin-2021"))
    make_user(session, Role.admin, username="admin", password_hash=auth.hash_password(NEW_PASSWORD))
    assert auth.accounts_with_known_passwords(clean_engine, demo_credentials()) == ["official"]


def test_deactivate_and_reactivate_from_the_command_line(clean_engine: Engine, session: Session):
    user = make_user(session, Role.official)
    assert main.cmd_set_active(argparse.Namespace(command="deactivate-user", username=user.username)) == 0
    assert _reload(session, user.id).is_active is False
    assert main.cmd_set_active(argparse.Namespace(command="reactivate-user", username=user.username)) == 0
    assert _reload(session, user.id).is_active is True
    assert main.cmd_set_active(argparse.Namespace(command="deactivate-user", username="nobody-here")) == 2


# --------------------------------------------------------------------------- password policy


@pytest.mark.parametrize(("password", "reason"), [
    ("aaaaaaaaaa", "12 characters"),
    ("aaaaaaaaaaaa", "different characters"),
    ("short-pw", "12 characters"),
    ("x-newcomer-x-2024", "username"),
    ("Password2021!", "common"),
    ("P@ssw0rd1234", "common"),
    ("123456789012", "run of"),
    ("demo-admin-2021", "own words"),
])
def test_weak_passwords_are_refused_naming_the_reason(client: TestClient, session: Session, password: str,
                                                      reason: str):
    """Finding 8: `aaaaaaaaaa` (and other weak passwords) are refused for an admin with 422 and the reason."""
    admin = make_user(session, Role.admin)
    r = client.post("/api/v1/users", headers={**token_for(admin), "Accept-Language": "en"},
                    json={"username": "newcomer", "role": "admin", "password": password})
    assert r.status_code == 422
    assert reason in r.json()["detail"] and r.json()["field"] == "password"
    assert fresh(session).exec(select(User).where(User.username == "newcomer")).first() is None


def test_a_good_passphrase_is_accepted(client: TestClient, session: Session):
    admin = make_user(session, Role.admin)
    r = client.post("/api/v1/users", headers=token_for(admin),
                    json={"username": "newcomer", "role": "auditor", "password": "한글-비밀-문장-열두자"})
    assert r.status_code == 201
    assert _login(client, "newcomer", "한글-비밀-문장-열두자").status_code == 200


def test_common_list_is_shipped_with_its_source():
    assert len(passwords.common_passwords()) > 10_000
    assert {"password", "qwerty", "iloveyou"} <= passwords.common_passwords()
    licence = passwords.COMMON_PASSWORDS_FILE.with_suffix(".LICENSE").read_text()
    assert "Django" in licence


# --------------------------------------------------------------------------- throttling


def test_five_failures_then_429_even_with_the_right_password(client: TestClient, session: Session):
    """Finding 8: 200 wrong passwords then the right one → 200. Now 429 with Retry-After after 5."""
    user = make_user(session, Role.official)
    for _ in range(get_settings().login_max_failures):
        assert _login(client, user.username, "wrong-password-guess").status_code == 401
    r = _login(client, user.username, PASSWORD)
    assert r.status_code == 429
    retry = int(r.headers["Retry-After"])
    assert 0 < retry <= get_settings().login_window_minutes * 60
    # another account from the same address is not locked by this one
    other = make_user(session, Role.auditor)
    assert _login(client, other.username, PASSWORD).status_code == 200


def test_unknown_user_is_throttled_like_a_known_one(client: TestClient, session: Session):
    for _ in range(get_settings().login_max_failures):
        assert _login(client, "nobody-at-all", "wrong-password-guess").status_code == 401
    assert _login(client, "nobody-at-all", "wrong-password-guess").status_code == 429


def test_success_clears_the_account_counter(client: TestClient, session: Session):
    user = make_user(session, Role.official)
    for _ in range(2):
        for _ in range(get_settings().login_max_failures - 1):
            assert _login(client, user.username, "wrong-password-guess").status_code == 401
        assert _login(client, user.username, PASSWORD).status_code == 200
    assert fresh(session).exec(select(LoginAttempt).where(LoginAttempt.username == user.username)).all() == []


def test_failures_older_than_the_window_do_not_count(client: TestClient, session: Session):
    user = make_user(session, Role.official)
    old = datetime.now(UTC) - timedelta(minutes=get_settings().login_window_minutes + 1)
    for _ in range(10):
        session.add(LoginAttempt(username=user.username, client="testclient", occurred_at=old))
    session.commit()
    assert _login(client, user.username, PASSWORD).status_code == 200


def test_budget_per_client_address(client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(get_settings(), "login_max_per_client", 3)
    for i in range(3):
        assert _login(client, f"guess-{i}", "wrong-password-guess").status_code == 401
    user = make_user(session, Role.official)
    r = _login(client, user.username, PASSWORD)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0


def test_throttling_is_shared_by_every_worker(clean_engine: Engine, session: Session):
    """The counter lives in the database: failures through one app instance count in another."""
    from server import create_app

    user = make_user(session, Role.official)
    with TestClient(create_app(with_dashboard=False)) as one, TestClient(create_app(with_dashboard=False)) as two:
        for i in range(get_settings().login_max_failures):
            assert _login(one if i % 2 else two, user.username, "wrong-password-guess").status_code == 401
        assert _login(one, user.username, PASSWORD).status_code == 429
        assert _login(two, user.username, PASSWORD).status_code == 429


def test_wrong_current_passwords_are_throttled(client: TestClient, session: Session):
    """A stolen session cannot guess the current password through the change-password route."""
    user = make_user(session, Role.official)
    headers = token_for(user)
    body = {"current_password": "guess-guess-guess", "new_password": NEW_PASSWORD}
    for _ in range(get_settings().login_max_failures):
        assert client.post("/api/v1/auth/password", headers=headers, json=body).status_code == 422
    r = client.post("/api/v1/auth/password", headers=headers, json={**body, "current_password": PASSWORD})
    assert r.status_code == 429 and "Retry-After" in r.headers


def test_unknown_user_costs_one_verification_like_a_wrong_password(client: TestClient, session: Session,
                                                                   monkeypatch: pytest.MonkeyPatch):
    """Finding 8: an unknown user costs the same Argon2 verification as a wrong password."""
    calls: list[str] = []
    real = passwords._hasher

    class Counting:
        def hash(self, password: str) -> str:
            return real.hash(password)

        def verify(self, hash_: str, password: str) -> bool:
            calls.append(hash_)
            return real.verify(hash_, password)

    monkeypatch.setattr(passwords, "_hasher", Counting())
    user = make_user(session, Role.official)
    assert _login(client, user.username, "wrong-password-guess").status_code == 401
    assert _login(client, "nobody-at-all", "wrong-password-guess").status_code == 401
    assert len(calls) == 2 and calls[0] != calls[1]


def test_argon2_runs_with_bounded_concurrency(monkeypatch: pytest.MonkeyPatch):
    """Finding 8: 16 concurrent logins must not hold 16 Argon2 buffers (64 MiB each) at once."""
    monkeypatch.setattr(get_settings(), "password_hash_concurrency", 2)
    running, most = 0, 0
    lock = threading.Lock()

    class Recording:
        def verify(self, hash_: str, password: str) -> bool:
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            time.sleep(0.02)
            with lock:
                running -= 1
            return False

    monkeypatch.setattr(passwords, "_hasher", Recording())
    threads = [threading.Thread(target=passwords.verify_password, args=("$argon2id$x", "pw")) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most == 2


# --------------------------------------------------------------------------- last login, hostile input


def test_last_login_is_recorded_and_listed(client: TestClient, session: Session):
    admin, user = make_user(session, Role.admin), make_user(session, Role.evaluator)
    listed = {u["username"]: u for u in client.get("/api/v1/users", headers=token_for(admin)).json()["items"]}
    assert listed[user.username]["last_login_at"] is None
    assert _login(client, user.username, PASSWORD).status_code == 200
    listed = {u["username"]: u for u in client.get("/api/v1/users", headers=token_for(admin)).json()["items"]}
    assert listed[user.username]["last_login_at"] is not None
    assert "token_version" not in listed[user.username] and "password_hash" not in listed[user.username]
    one = client.get(f"/api/v1/users/{user.id}", headers=token_for(admin))
    assert one.status_code == 200 and one.json()["last_login_at"] == listed[user.username]["last_login_at"]


@pytest.mark.parametrize("data", [
    {"username": "a\x00b", "password": "whatever-password"},
    {"username": "admin", "password": "pass\x00word-long-enough"},
    {"username": "x" * 65, "password": "whatever-password"},
    {"username": "admin", "password": "p" * 257},
])
def test_hostile_login_form_is_422_not_500(client: TestClient, session: Session, data: dict[str, str]):
    """Finding 9: NUL bytes in the login form gave 500 on PostgreSQL."""
    make_user(session, Role.admin, username="admin")
    assert _login(client, data["username"], data["password"]).status_code == 422


@pytest.mark.parametrize("body", [b"username=%ED%A0%80&password=whatever-password",  # a lone surrogate
                                  b"username=admin&password=%FF%FE-not-utf8"])
def test_undecodable_login_form_is_not_500(client: TestClient, session: Session, body: bytes):
    make_user(session, Role.admin, username="admin")
    r = client.post("/api/v1/auth/token", content=body,
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code in (401, 422)


def test_dashboard_login_path_with_nul_is_refused(session: Session):
    """`auth.authenticate` (the dashboard's login) treats a NUL username as unknown, never a 500."""
    make_user(session, Role.admin, username="admin")
    assert auth.authenticate(session, "ad\x00min", PASSWORD) is None
    assert auth.authenticate(session, "admin", "pass\x00word") is None
    assert auth.authenticate(session, "admin", PASSWORD) is not None
    make_user(session, Role.auditor, username="ab")  # older accounts may have names UserCreate refuses now
    assert auth.authenticate(session, "ab", PASSWORD) is not None
