"""Users, logins (throttled), bearer tokens (JWT), account administration and role dependencies.

A token names the user (`sub`, `usr`), the account's `token_version` (`ver`) and a fingerprint
of its password hash (`pwd`), and always expires (`exp`). Every request re-reads the user and
compares all three, so bumping the version (logout, password change or reset, role change,
deactivation) or changing the password hash — also directly in the database — revokes every
token and dashboard cookie of that account at once.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import delete, inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from core import audit, passwords
from core.audit import Actor
from core.bounded import Secret, bounded_text, check
from core.db import get_engine, lock_for_update, writer
from core.errors import Conflict, DomainError, NotFound, RuleViolation
from core.models import LoginAttempt, Role, User, UserCreate
from core.settings import get_settings
from core.timeutil import utcnow

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
COOKIE_NAME = "grants_token"
BAD_CREDENTIALS = "Incorrect username or password"
TOKEN_CLAIMS = ["exp", "iat", "sub", "usr", "ver", "pwd"]
# Verifying against a dummy hash when the user is unknown keeps the timing the same.
_DUMMY_HASH = passwords.hash_password("dummy-password-for-timing")

hash_password = passwords.hash_password
verify_password = passwords.verify_password


class LoginThrottled(DomainError):
    """Too many failed logins for this account or from this client address (HTTP 429)."""

    status_code = 429
    code = "too_many_attempts"

    def __init__(self, retry_after: int):
        super().__init__("auth.throttled", details={"retry_after_seconds": retry_after}, seconds=retry_after)
        self.retry_after = retry_after


# --------------------------------------------------------------------------- tokens


def password_fingerprint(password_hash: str) -> str:
    """A short keyed digest of the stored hash: a token stops working when the hash changes."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, password_hash.encode(), hashlib.sha256).hexdigest()[:16]


def create_token(user: User, *, minutes: int | None = None) -> str:
    """A signed token for `user` that expires after `minutes` (default: the token lifetime setting)."""
    settings = get_settings()
    now = datetime.now(UTC)
    exp = now + timedelta(minutes=minutes or settings.token_ttl_minutes)
    return jwt.encode({"sub": str(user.id), "usr": user.username, "ver": user.token_version,
                       "pwd": password_fingerprint(user.password_hash), "role": str(user.role),
                       "iat": now, "exp": exp},
                      settings.secret_key, algorithm="HS256")


def user_from_token(token: str | None) -> User | None:
    """The active user a token names, or None when the token is missing, bad, expired or revoked."""
    if not token or len(token) > 4096:
        return None
    try:
        payload = jwt.decode(token, get_settings().secret_key, algorithms=["HS256"],
                             options={"require": TOKEN_CLAIMS})
        user_id = int(payload["sub"])
    except (jwt.PyJWTError, KeyError, ValueError, TypeError):
        return None
    if not 0 < user_id < 2**31:
        return None
    with Session(get_engine(), expire_on_commit=False) as session:
        user = session.get(User, user_id)
    if user is None or not user.is_active or user.username != payload["usr"]:
        return None
    if payload["ver"] != user.token_version:
        return None
    if not hmac.compare_digest(str(payload["pwd"]), password_fingerprint(user.password_hash)):
        return None
    return user


# --------------------------------------------------------------------------- login and throttling


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind.engine


_LOGIN_NAME = bounded_text(64, min_length=1)


def _clean_username(username: str) -> str | None:
    """The submitted name when it could be stored (64 clean characters), else None (counted per client only)."""
    try:
        return str(check(_LOGIN_NAME, username, field="username"))
    except DomainError:
        return None


def _retry_after(session: Session, where: Any, allowed: int, now: datetime, window: timedelta) -> int:
    """Seconds until fewer than `allowed` earlier attempts matching `where` remain in the window."""
    times = session.exec(select(LoginAttempt.occurred_at).where(where)
                         .order_by(col(LoginAttempt.occurred_at))).all()
    if len(times) < allowed:
        return 1
    oldest = times[len(times) - allowed]
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return max(1, math.ceil((oldest + window - now).total_seconds()))


@dataclass
class _Attempt:
    id: int
    username: str | None


def _begin_attempt(engine: Engine, username: str | None, client: str) -> _Attempt:
    """Record the attempt before the password is checked, then refuse it when over a budget.

    The row is committed first and counted afterwards, so of N concurrent guesses at most the
    allowed number get past this point (the k-th committed row sees at least k rows).
    """
    settings = get_settings()
    now = utcnow()
    window = timedelta(minutes=settings.login_window_minutes)
    cutoff = now - window
    with Session(writer(engine), expire_on_commit=False) as session:
        session.execute(delete(LoginAttempt).where(col(LoginAttempt.occurred_at) < cutoff))
        row = LoginAttempt(username=username, client=client, occurred_at=now)
        session.add(row)
        session.commit()
        assert row.id is not None
        attempt = _Attempt(row.id, username)
    with Session(engine) as session:
        recent = col(LoginAttempt.occurred_at) >= cutoff
        others = col(LoginAttempt.id) != attempt.id
        checks = [(col(LoginAttempt.client) == client, settings.login_max_per_client)]
        if username is not None:
            checks.insert(0, (col(LoginAttempt.username) == username, settings.login_max_failures))
        for where, allowed in checks:
            n = session.exec(select(func.count()).select_from(LoginAttempt).where(where, recent, others)).one()
            if n >= allowed:
                retry = _retry_after(session, (where & recent & others), allowed, now, window)
                session.rollback()
                _forget_attempt(engine, attempt.id)
                raise LoginThrottled(retry)
    return attempt


def _forget_attempt(engine: Engine, attempt_id: int) -> None:
    with Session(writer(engine)) as session:
        session.execute(delete(LoginAttempt).where(col(LoginAttempt.id) == attempt_id))
        session.commit()


def _succeed(engine: Engine, user_id: int, username: str) -> User:
    """Clear the account's failed attempts and record the login time."""
    with Session(writer(engine), expire_on_commit=False) as session:
        session.execute(delete(LoginAttempt).where(col(LoginAttempt.username) == username))
        user = session.get(User, user_id)
        assert user is not None
        user.last_login_at = utcnow()
        session.add(user)
        session.commit()
        session.refresh(user)
        session.commit()
    return user


def authenticate(session: Session, username: str, password: str, *, client: str | None = None) -> User | None:
    """The active user with this username and password, or None (never says which was wrong).

    Throttled through the database (shared by every worker): raises LoginThrottled (429) after
    `login_max_failures` failures for the account, or `login_max_per_client` from one client
    address, within `login_window_minutes`. A success clears the account's failures and records
    `last_login_at`. An unknown user costs the same Argon2 verification as a wrong password.
    `session` only names the database; the attempt is written in its own short transactions.
    """
    engine = _engine_of(session)
    name = _clean_username(username)
    try:
        check(Secret, password, field="password")
        password_ok = True
    except DomainError:
        password_ok = False
    attempt = _begin_attempt(engine, name, (client or "-")[:64])
    user = None
    if name is not None:
        with Session(engine, expire_on_commit=False) as reader:
            user = reader.exec(select(User).where(User.username == name)).first()
    if user is None or not password_ok:
        verify_password(_DUMMY_HASH, password[:256])
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        return None
    assert user.id is not None
    if attempt.username is not None:
        return _succeed(engine, user.id, attempt.username)
    return user


# --------------------------------------------------------------------------- accounts


def _active_admin_ids(session: Session) -> list[int]:
    rows = session.exec(lock_for_update(session, select(User).where(User.role == Role.admin,
                                                                      col(User.is_active).is_(True)))).all()
    return [u.id for u in rows if u.id is not None]


def _load_for_update(session: Session, user_id: int) -> User:
    user = session.exec(lock_for_update(session, select(User).where(User.id == user_id))).first()
    if user is None:
        raise NotFound("auth.no_user", user_id=user_id)
    return user


def _revoke(user: User) -> None:
    user.token_version += 1


def create_user(session: Session, actor: Actor, data: UserCreate, *, check_policy: bool = True) -> User:
    """Create an account (audited; the password hash never enters the log).

    `check_policy=False` is for the demo accounts in demo mode only (seed_data.demo).
    """
    if session.exec(select(User).where(User.username == data.username)).first():
        raise Conflict("auth.username_taken", field="username", username=data.username)
    if check_policy:
        passwords.check_policy(data.password, username=data.username)
    elif not get_settings().demo_mode:
        raise RuleViolation("auth.demo_policy", field="password")
    user = User(username=data.username, full_name=data.full_name, role=data.role,
                password_hash=hash_password(data.password))
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", "user", user.id,
                 after={"username": user.username, "role": user.role, "full_name": user.full_name})
    session.commit()
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("auth.no_user", user_id=user_id)
    return user


def find_user(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound("auth.no_user_named", field="username", username=username)
    return user


def list_users(session: Session, *, limit: int, offset: int) -> tuple[list[User], int]:
    """Accounts by id, with the total count (for the admin's list)."""
    total = session.exec(select(func.count()).select_from(User)).one()
    rows = session.exec(select(User).order_by(col(User.id)).offset(offset).limit(limit)).all()
    return list(rows), int(total)


def revoke_sessions(session: Session, user: User, *, actor: Actor | None = None, reason: str = "logout") -> None:
    """Revoke every token and dashboard cookie of `user` (logout); audited, committed."""
    assert user.id is not None
    row = _load_for_update(session, user.id)
    _revoke(row)
    session.add(row)
    audit.record(session, actor or Actor.of(row), "user.sessions_revoke", "user", row.id,
                 after={"token_version": row.token_version}, reason=reason)
    session.commit()


def set_password(session: Session, actor: Actor, user_id: int, new_password: str, *,
                 action: str = "user.password_reset") -> User:
    """Set a new password (an admin's reset or the CLI): policy-checked, sessions revoked, audited."""
    user = _load_for_update(session, user_id)
    passwords.check_policy(new_password, username=user.username, field="new_password")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    _revoke(user)
    session.add(user)
    audit.record(session, actor, action, "user", user.id, after={"username": user.username})
    session.commit()
    return user


def change_own_password(session: Session, user_id: int, current_password: str, new_password: str,
                        *, client: str | None = None) -> User:
    """The caller changes their own password; the current one is required (and throttled like a login)."""
    user = get_user(session, user_id)
    session.commit()
    engine = _engine_of(session)
    attempt = _begin_attempt(engine, user.username, (client or "-")[:64])
    if not verify_password(user.password_hash, current_password):
        raise RuleViolation("auth.wrong_current", field="current_password")
    _forget_attempt(engine, attempt.id)
    if current_password == new_password:
        raise RuleViolation("auth.same_password", field="new_password")
    return set_password(session, Actor.of(user), user_id, new_password, action="user.password_change")


def set_active(session: Session, actor: Actor, user_id: int, active: bool) -> User:
    """Deactivate (sessions revoked) or reactivate an account; the last active admin stays active."""
    user = _load_for_update(session, user_id)
    if not active and actor.user_id == user.id:
        raise Conflict("auth.self_deactivate", field="user_id")
    if not active and user.role == Role.admin and _active_admin_ids(session) == [user.id]:
        raise Conflict("auth.last_admin", field="user_id")
    before = user.is_active
    if before == active:
        return user
    user.is_active = active
    _revoke(user)
    session.add(user)
    audit.record(session, actor, "user.reactivate" if active else "user.deactivate", "user", user.id,
                 before={"is_active": before}, after={"is_active": active})
    session.commit()
    return user


def change_role(session: Session, actor: Actor, user_id: int, role: Role) -> User:
    """Give an account another role (sessions revoked); the last active admin keeps the role."""
    user = _load_for_update(session, user_id)
    if user.role == role:
        return user
    if actor.user_id == user.id:
        raise Conflict("auth.self_role", field="role")
    if user.role == Role.admin and user.is_active and _active_admin_ids(session) == [user.id]:
        raise Conflict("auth.last_admin_role", field="role")
    before = user.role
    user.role = role
    _revoke(user)
    session.add(user)
    audit.record(session, actor, "user.role_change", "user", user.id,
                 before={"role": before}, after={"role": role})
    session.commit()
    return user


# --------------------------------------------------------------------------- start-up checks


def accounts_with_known_passwords(engine: Engine, accounts: Iterable[tuple[str, str]]) -> list[str]:
    """Usernames among `accounts` (username, password) whose stored hash matches any of those passwords.

    Used at start-up with the demo accounts: any demo password on any demo account counts.
    """
    pairs = list(accounts)
    if not pairs or not inspect(engine).has_table(User.__tablename__):
        return []
    known = sorted({password for _, password in pairs})
    with Session(engine) as session:
        users = session.exec(select(User).where(col(User.username).in_([u for u, _ in pairs]))).all()
    found = []
    for user in users:
        own = [p for u, p in pairs if u == user.username]
        # its own demo password first: the common case costs one verification per account
        if any(verify_password(user.password_hash, p) for p in own + [p for p in known if p not in own]):
            found.append(user.username)
    return sorted(found)


def refuse_known_passwords(engine: Engine, accounts: Iterable[tuple[str, str]]) -> None:
    """Refuse to start (RuntimeError naming the accounts) while an account still has a demo password."""
    found = accounts_with_known_passwords(engine, accounts)
    if found:
        names = ", ".join(found)
        raise RuntimeError(
            f"DEMO_MODE is false but these accounts still have a demo password: {names}. "
            "Set a new password for each with `python main.py set-password --username NAME --password-stdin` "
            "(or run with DEMO_MODE=true)")


# --------------------------------------------------------------------------- dependencies


def _unauthorized(detail: str = "Not authenticated") -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail,
                         headers={"WWW-Authenticate": "Bearer"})


def current_user(request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]) -> User:
    """The caller, from the bearer token or the dashboard's cookie; 401 otherwise."""
    user = user_from_token(token or request.cookies.get(COOKIE_NAME))
    if user is None:
        raise _unauthorized("Not authenticated or token expired")
    return user


def _check(user: User | None, roles: tuple[Role, ...]) -> User:
    if user is None:
        raise _unauthorized("Not authenticated or token expired")
    if not allows(user.role, roles):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail=f"role '{user.role}' may not do this; needs one of: "
                                   + ", ".join(r.value for r in roles))
    return user


def allows(user_role: Role | str, allowed: tuple[Role, ...]) -> bool:
    """Admins may do what officials may; otherwise the role must be listed."""
    role = Role(user_role)
    if role in allowed:
        return True
    return role == Role.admin and Role.official in allowed


def require_roles(*roles: Role) -> Callable[..., User]:
    """Dependency factory: the caller must have one of `roles` (admins count as officials)."""

    def dependency(user: Annotated[User, Depends(current_user)]) -> User:
        return _check(user, roles)

    return dependency


def require_roles_on_loop(*roles: Role) -> Callable[..., Any]:
    """The same check as one thread-pool hop (token and cookie read on the loop, the user's row in a thread).

    It used to read the user's row on the event loop (fewer hops on hot read endpoints), but the load
    test (bench/bench_load.py) showed what that costs: once the connection pool is busy, that read
    waits for a connection on the loop and stalls every request of the worker for up to the pool
    timeout. A database read never runs on the loop.
    """

    async def dependency(request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]) -> User:
        from starlette.concurrency import run_in_threadpool

        user = await run_in_threadpool(user_from_token, token or request.cookies.get(COOKIE_NAME))
        return _check(user, roles)

    return dependency


CurrentUser = Annotated[User, Depends(current_user)]
AnyStaff = Annotated[User, Depends(require_roles(Role.official, Role.evaluator, Role.auditor))]
OfficialUser = Annotated[User, Depends(require_roles(Role.official))]
ReaderUser = Annotated[User, Depends(require_roles(Role.official, Role.auditor))]
EvaluatorUser = Annotated[User, Depends(require_roles(Role.evaluator))]
AdminUser = Annotated[User, Depends(require_roles(Role.admin))]
