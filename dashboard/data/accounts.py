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


def unlinked_evaluators() -> list[dict[str, Any]]:
    """Active evaluator profiles no login account is linked to yet (id, code, name), by code: the profiles a new
    evaluator account may be linked to (scoring.evaluators' search, as the evaluators page reads it)."""
    from scoring.evaluators import list_evaluators

    with session_scope() as session:
        rows, _ = list_evaluators(session, active=True, limit=100_000, offset=0)
        return sorted(({"id": e.id, "code": e.code, "name": e.name} for e in rows if not e.has_account),
                      key=lambda e: str(e["code"]))


def create_user(admin: User, data: UserCreate, evaluator_code: str | None = None) -> dict[str, Any]:
    """Create an account; an evaluator account may be linked to its profile (by code) at once, as
    `create-user --link-evaluator CODE` does (linking seats no panel). The profile is checked before the account
    is made, so a refused link creates nothing."""
    from core.errors import Conflict, NotFound, RuleViolation
    from scoring.evaluators import link_evaluator_account, list_evaluators

    with session_scope(write=True) as session:
        if evaluator_code:
            if Role(data.role) != Role.evaluator:
                raise RuleViolation("evaluator.not_evaluator_account", field="role")
            found, _ = list_evaluators(session, q=evaluator_code, limit=500, offset=0)
            ev = next((e for e in found if e.code == evaluator_code), None)
            if ev is None:
                raise NotFound("evaluator.code_not_found", field="evaluator_code", code=evaluator_code)
            if ev.has_account:
                raise Conflict("evaluator.account_taken", field="evaluator_code", code=ev.code)
        user = auth.create_user(session, Actor.of(admin), data)
        out = UserRead.model_validate(user, from_attributes=True).model_dump(mode="json")
        if evaluator_code:
            assert user.id is not None
            linked = link_evaluator_account(session, Actor.of(admin), user.id, evaluator_code)
            out["evaluator"] = {"code": linked.code, "name": linked.name}
        return out


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
