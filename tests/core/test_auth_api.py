"""Authentication and role checks through the API."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from core.models import AuditEvent, Role, User
from tests.builders import count, fresh, make_program, make_user, token_for


def test_login_and_me(client: TestClient, session: Session):
    make_user(session, Role.auditor, username="audrey")
    r = client.post("/api/v1/auth/token", data={"username": "audrey", "password": "correct-horse-battery"})
    assert r.status_code == 200
    token = r.json()["access_token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["role"] == "auditor"


def test_bad_password_and_unknown_user_look_the_same(client: TestClient, session: Session):
    make_user(session, Role.official, username="olga")
    wrong_pw = client.post("/api/v1/auth/token", data={"username": "olga", "password": "nope-nope-nope"})
    no_user = client.post("/api/v1/auth/token", data={"username": "nobody", "password": "nope-nope-nope"})
    assert wrong_pw.status_code == no_user.status_code == 401
    assert wrong_pw.json() == no_user.json()
    assert wrong_pw.json()["detail"] == "아이디 또는 비밀번호가 올바르지 않습니다."  # Korean by default
    english = client.post("/api/v1/auth/token", data={"username": "olga", "password": "nope-nope-nope"},
                          headers={"Accept-Language": "en"})
    assert english.json()["detail"] == "Incorrect username or password"


def test_no_token_is_401(client: TestClient, session: Session):
    program = make_program(session)
    assert client.get(f"/api/v1/programs/{program.id}/summary").status_code == 401
    assert client.get("/api/v1/projects", headers={"Authorization": "Bearer garbage"}).status_code == 401


def test_inactive_user_cannot_use_a_token(client: TestClient, session: Session):
    user = make_user(session, Role.official)
    headers = token_for(user)
    user.is_active = False
    session.add(user)
    session.commit()
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_wrong_role_is_403_and_writes_nothing(client: TestClient, session: Session):
    evaluator = make_user(session, Role.evaluator)
    program = make_program(session)
    before = count(session, AuditEvent)
    r = client.post("/api/v1/projects", headers=token_for(evaluator), json={
        "program_id": program.id, "code": "X-1", "field_code": "HEALTH", "call_type": "designated",
        "title_ko": "과제", "ceiling_krw": 1_900_000_000})
    assert r.status_code == 403
    assert count(session, AuditEvent) == before


def test_admin_creates_users_other_roles_cannot(client: TestClient, session: Session):
    admin = make_user(session, Role.admin)
    official = make_user(session, Role.official)
    body = {"username": "newbie", "role": "evaluator", "password": "a-long-password-1"}
    assert client.post("/api/v1/users", headers=token_for(official), json=body).status_code == 403
    r = client.post("/api/v1/users", headers=token_for(admin), json=body)
    assert r.status_code == 201 and "password" not in r.text
    assert client.post("/api/v1/users", headers=token_for(admin), json=body).status_code == 409
    short = client.post("/api/v1/users", headers=token_for(admin), json={**body, "username": "x2", "password": "short"})
    assert short.status_code == 422
    created = fresh(session).exec(select(User).where(User.username == "newbie")).one()
    assert created.password_hash.startswith("$argon2")
    # the creation is audited without the hash
    ev = session.exec(select(AuditEvent).where(AuditEvent.action == "user.create")).one()
    assert "argon2" not in (ev.after_json or "")
