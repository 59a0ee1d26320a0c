"""Accounts for the admin's page: the same core.auth functions the /api/v1/users routes call.

Not cached: an admin must see an account as it is after each change.
"""

from __future__ import annotations

from typing import Any

from core import auth
from core.audit import Actor
from core.db import session_scope
from core.models import Role, User, UserCreate, UserRead


def list_users() -> list[dict[str, Any]]:
    """Every account (role, state, created, last login), by id."""
    with session_scope() as session:
        rows, _ = auth.list_users(session, limit=1000, offset=0)
        return [UserRead.model_validate(u, from_attributes=True).model_dump(mode="json") for u in rows]


def create_user(admin: User, data: UserCreate) -> dict[str, Any]:
    with session_scope(write=True) as session:
        user = auth.create_user(session, Actor.of(admin), data)
        return UserRead.model_validate(user, from_attributes=True).model_dump(mode="json")


def change_role(admin: User, user_id: int, role: Role) -> dict[str, Any]:
    with session_scope(write=True) as session:
        user = auth.change_role(session, Actor.of(admin), user_id, role)
        return UserRead.model_validate(user, from_attributes=True).model_dump(mode="json")


def set_active(admin: User, user_id: int, active: bool) -> dict[str, Any]:
    with session_scope(write=True) as session:
        user = auth.set_active(session, Actor.of(admin), user_id, active)
        return UserRead.model_validate(user, from_attributes=True).model_dump(mode="json")


def reset_password(admin: User, user_id: int, new_password: str) -> dict[str, Any]:
    with session_scope(write=True) as session:
        user = auth.set_password(session, Actor.of(admin), user_id, new_password)
        return UserRead.model_validate(user, from_attributes=True).model_dump(mode="json")


def revoke_sessions(admin: User, user_id: int) -> dict[str, Any]:
    """End every session of an account now (what POST /users/{id}/revoke-sessions does)."""
    with session_scope(write=True) as session:
        user = auth.get_user(session, user_id)
        auth.revoke_sessions(session, user, actor=Actor.of(admin), reason="revoked by an admin")
        return UserRead.model_validate(auth.get_user(session, user_id), from_attributes=True).model_dump(mode="json")
