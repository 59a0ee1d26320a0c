"""Routes for authentication, accounts and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel
from sqlmodel import Session, col, func, select

from core import audit, auth
from core.audit import Actor
from core.auth import AdminUser, CurrentUser, ReaderUser
from core.db import get_session, get_write_session
from core.models import AuditEvent, AuditEventRead, User, UserCreate, UserRead
from core.pagination import Page

router = APIRouter(tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    role: str


@router.post("/auth/token", response_model=Token)
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()],
          session: Session = Depends(get_session)) -> Token:
    """OAuth2 password flow: form fields `username` and `password`."""
    user = auth.authenticate(session, form.username, form.password)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=auth.BAD_CREDENTIALS,
                            headers={"WWW-Authenticate": "Bearer"})
    return Token(access_token=auth.create_token(user), role=str(user.role))


@router.get("/auth/me", response_model=UserRead)
def me(user: CurrentUser) -> User:
    return user


@router.get("/users", response_model=Page[UserRead], tags=["admin"])
def list_users(_: AdminUser, session: Session = Depends(get_session),
               limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0)) -> Page[UserRead]:
    total = session.exec(select(func.count()).select_from(User)).one()
    rows = session.exec(select(User).order_by(col(User.id)).offset(offset).limit(limit)).all()
    return Page(items=[UserRead.model_validate(u, from_attributes=True) for u in rows], total=total)


@router.post("/users", response_model=UserRead, status_code=201, tags=["admin"])
def create_user(data: UserCreate, admin: AdminUser,
                session: Session = Depends(get_write_session)) -> User:
    return auth.create_user(session, Actor.of(admin), data)


class ChainStatus(BaseModel):
    checked: int
    ok: bool
    first_broken_id: int | None
    problem: str | None
    last_hash: str


@router.get("/audit/verify", response_model=ChainStatus, tags=["audit"])
def verify(_: ReaderUser, session: Session = Depends(get_session)) -> ChainStatus:
    r = audit.verify_chain(session)
    return ChainStatus(checked=r.checked, ok=r.ok, first_broken_id=r.first_broken_id,
                       problem=r.problem, last_hash=r.last_hash)


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
