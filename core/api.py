"""Routes for authentication, accounts and the audit log."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, Response, status
from pydantic import BaseModel
from sqlmodel import Session, func, select

from core import audit, auth
from core.audit import Actor
from core.auth import AdminUser, CurrentUser, ReaderUser
from core.bounded import Id, Offset, Secret, bounded_text
from core.db import get_session, get_write_session
from core.models import (
    ApprovalLimitIn,
    AuditEvent,
    AuditEventRead,
    PasswordChange,
    PasswordReset,
    Role,
    RoleChange,
    User,
    UserCreate,
    UserRead,
)
from core.pagination import Page

router = APIRouter(tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    role: str


if TYPE_CHECKING:
    LoginName = str
else:
    LoginName = bounded_text(64, min_length=1)


def _client(request: Request) -> str:
    return request.client.host if request.client else "-"


def _too_many(exc: auth.LoginThrottled) -> HTTPException:
    return HTTPException(status.HTTP_429_TOO_MANY_REQUESTS,
                         detail={"code": exc.code, "detail": exc.message, "error": exc},
                         headers={"Retry-After": str(exc.retry_after)})


@router.post("/auth/token", response_model=Token)
def login(request: Request, username: Annotated[LoginName, Form()], password: Annotated[Secret, Form()],
          session: Session = Depends(get_session)) -> Token:
    """OAuth2 password flow: form fields `username` and `password`.

    Throttled: after `login_max_failures` failures for one account (or `login_max_per_client`
    from one address) within `login_window_minutes`, 429 with Retry-After.
    """
    try:
        user = auth.authenticate(session, username, password, client=_client(request))
    except auth.LoginThrottled as exc:
        raise _too_many(exc) from None
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=auth.BAD_CREDENTIALS,
                            headers={"WWW-Authenticate": "Bearer"})
    return Token(access_token=auth.create_token(user), role=str(user.role))


@router.get("/auth/me", response_model=UserRead)
def me(user: CurrentUser) -> User:
    return user


@router.post("/auth/logout", status_code=204)
def logout(user: CurrentUser, session: Session = Depends(get_write_session)) -> Response:
    """Revoke every token and dashboard cookie of the caller (server-side), and clear the cookie."""
    auth.revoke_sessions(session, user)
    response = Response(status_code=204)
    response.delete_cookie(auth.COOKIE_NAME, path="/")
    return response


@router.post("/auth/password", response_model=Token)
def change_password(data: PasswordChange, user: CurrentUser, request: Request,
                    session: Session = Depends(get_write_session)) -> Token:
    """Change the caller's own password (the current one is required); every other session is revoked.

    Answers with a fresh token; wrong current passwords count as failed logins (429 after too many).
    """
    assert user.id is not None
    try:
        changed = auth.change_own_password(session, user.id, data.current_password, data.new_password,
                                           client=_client(request))
    except auth.LoginThrottled as exc:
        raise _too_many(exc) from None
    return Token(access_token=auth.create_token(changed), role=str(changed.role))


@router.get("/users", response_model=Page[UserRead], tags=["admin"])
def list_users(_: AdminUser, session: Session = Depends(get_session),
               limit: Annotated[int, Query(ge=1, le=1000)] = 100, offset: Offset = 0) -> Page[UserRead]:
    """Every account with its role, state and last login (admins only)."""
    rows, total = auth.list_users(session, limit=limit, offset=offset)
    return Page(items=[UserRead.model_validate(u, from_attributes=True) for u in rows], total=total)


@router.post("/users", response_model=UserRead, status_code=201, tags=["admin"])
def create_user(data: UserCreate, admin: AdminUser,
                session: Session = Depends(get_write_session)) -> User:
    return auth.create_user(session, Actor.of(admin), data)


@router.get("/users/{user_id}", response_model=UserRead, tags=["admin"])
def get_user(user_id: Id, _: AdminUser, session: Session = Depends(get_session)) -> User:
    return auth.get_user(session, user_id)


@router.post("/users/{user_id}/deactivate", response_model=UserRead, tags=["admin"])
def deactivate_user(user_id: Id, admin: AdminUser, session: Session = Depends(get_write_session)) -> User:
    """Deactivate an account: it cannot log in and its sessions end at once (audited)."""
    return auth.set_active(session, Actor.of(admin), user_id, False)


@router.post("/users/{user_id}/reactivate", response_model=UserRead, tags=["admin"])
def reactivate_user(user_id: Id, admin: AdminUser, session: Session = Depends(get_write_session)) -> User:
    """Reactivate an account (its old sessions stay revoked; it logs in again)."""
    return auth.set_active(session, Actor.of(admin), user_id, True)


@router.post("/users/{user_id}/password", response_model=UserRead, tags=["admin"])
def reset_password(user_id: Id, data: PasswordReset, admin: AdminUser,
                   session: Session = Depends(get_write_session)) -> User:
    """Set a new password for an account (policy-checked); its sessions end at once (audited)."""
    return auth.set_password(session, Actor.of(admin), user_id, data.new_password)


@router.post("/users/{user_id}/role", response_model=UserRead, tags=["admin"])
def change_role(user_id: Id, data: RoleChange, admin: AdminUser,
                session: Session = Depends(get_write_session)) -> User:
    """Give an account another role; its sessions end at once (audited)."""
    return auth.change_role(session, Actor.of(admin), user_id, data.role)


@router.post("/users/{user_id}/revoke-sessions", response_model=UserRead, tags=["admin"])
def revoke_user_sessions(user_id: Id, admin: AdminUser, session: Session = Depends(get_write_session)) -> User:
    """End every session of an account now (audited)."""
    user = auth.get_user(session, user_id)
    auth.revoke_sessions(session, user, actor=Actor.of(admin), reason="revoked by an admin")
    return auth.get_user(session, user_id)


class VerifyMessage(BaseModel):
    """A sentence of the verification: key and parameters (core/labels.py audit.*), and its text in the reader's
    language (the request's Accept-Language; Korean by default)."""

    message_key: str
    params: dict[str, Any]
    text: str


class ChainStatus(BaseModel):
    checked: int
    ok: bool
    first_broken_id: int | None
    problem: str | None  # English, as it always was; problem_message.text is in the reader's language
    problem_message: VerifyMessage | None = None
    last_hash: str


class TableStatus(BaseModel):
    rows: int
    entries: int
    problems: int


class HistoryFinding(BaseModel):
    kind: str  # edited | deleted | inserted | store
    kind_text: str
    table: str | None
    row_id: int | None
    fields: list[str]
    event_id: int | None
    detail: str  # English, as it always was; `text` is in the reader's language
    message_key: str
    params: dict[str, Any]
    text: str


class CheckpointRead(BaseModel):
    v: int
    seq: int
    events: int
    last_event_id: int | None
    last_hash: str
    time: str
    note: str
    prev: str
    key_id: str
    sig: str
    line: int


class CheckpointProblemRead(BaseModel):
    line: int
    seq: int | None
    detail: str
    message_key: str
    params: dict[str, Any]
    text: str


class CheckpointStatus(BaseModel):
    ok: bool
    path: str
    checked: int
    key_id: str
    summary: str
    summary_text: str
    problems: list[CheckpointProblemRead]
    newest: CheckpointRead | None


class HistoryStatus(BaseModel):
    """`main.py audit verify --checkpoint <the configured file>`, as JSON, with the newest checkpoint."""

    ok: bool
    lang: str
    summary: str  # English, as it always was; summary_text is in the reader's language
    summary_text: str
    summary_message: VerifyMessage
    chain: ChainStatus
    tables: dict[str, TableStatus]
    problem_count: int
    findings: list[HistoryFinding]
    hints: list[str]
    hint_messages: list[VerifyMessage]
    checkpoints: CheckpointStatus | None
    last_checkpoint: CheckpointRead | None
    seconds: float


AuditReader = Annotated[User, Depends(auth.require_roles(Role.auditor, Role.admin))]


@router.get("/audit/verify", response_model=HistoryStatus, tags=["audit"])
def verify(_: AuditReader, request: Request, session: Session = Depends(get_session),
           limit: int = Query(200, ge=1, le=10_000, description="most findings to list")) -> HistoryStatus:
    """Verify the chain, every guarded row, and that the log extends every checkpoint of the configured file."""
    from core import checkpoint
    from core.http_errors import request_lang
    from core.settings import get_settings

    path = get_settings().audit_checkpoint_file
    loaded = checkpoint.load_file(path) if os.path.exists(path) else None
    report = audit.verify_history(session, checkpoints=loaded, max_findings=limit)
    data = report.to_dict(request_lang(request))
    newest = checkpoint.latest(path)
    data["last_checkpoint"] = {**newest.to_dict(), "line": 0} if newest else None
    return HistoryStatus.model_validate(data)


@router.get("/audit/events", response_model=Page[AuditEventRead], tags=["audit"])
def list_events(_: ReaderUser, session: Session = Depends(get_session),
                entity_type: str | None = None, entity_id: str | None = None,
                limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0)) -> Page[AuditEventRead]:
    q = select(AuditEvent)
    c = select(func.count()).select_from(AuditEvent)
    if entity_type:
        q, c = q.where(AuditEvent.entity_type == entity_type), c.where(AuditEvent.entity_type == entity_type)
    if entity_id:
        q, c = q.where(AuditEvent.entity_id == entity_id), c.where(AuditEvent.entity_id == entity_id)
    rows = session.exec(q.order_by(AuditEvent.id.desc()).offset(offset).limit(limit)).all()  # type: ignore[union-attr]
    return Page(items=[AuditEventRead.model_validate(e, from_attributes=True) for e in rows],
                total=session.exec(c).one())


@router.put("/users/{user_id}/approval-limit", response_model=UserRead, tags=["admin"])
def set_approval_limit(user_id: Id, data: ApprovalLimitIn, admin: AdminUser,
                       session: Session = Depends(get_write_session)) -> User:
    """Set an official's approval limit in won (null: no limit): transfers above it need a second approver."""
    from core.approval_limits import set_approval_limit as set_limit

    return set_limit(session, Actor.of(admin), user_id, data.approval_limit_krw)
