"""Authorisation as a property: any role × any route gets only the answers its role allows (issue 9).

The allowed roles of each route are read from its dependencies (the `core.auth.require_roles`
closures, or `current_user` for any signed-in user; no dependency means public), not from a
hand-written table, so a new route is covered the day it is added.

- anonymous on a route that needs a caller → 401;
- a signed-in role the route's dependency does not allow → 403 (never 2xx, never 404 first);
- an allowed role → anything but 401, 403 or a server error.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from core import auth, http_errors
from core.models import Role, User
from tests.builders import make_user, token_for
from tests.test_fuzz_schemathesis import seed_world

ROLES = ["anonymous", "admin", "official", "evaluator", "auditor"]
PUBLIC, ANY_USER = "public", "any signed-in user"


def allowed_roles(route: Any) -> frozenset[str] | str:
    """PUBLIC, ANY_USER, or the roles every role dependency of `route` admits (admins count as officials)."""
    deps = http_errors.auth_dependencies(route)
    if not deps:
        return PUBLIC
    allowed: set[str] | None = None
    for call in deps:
        roles = inspect.getclosurevars(call).nonlocals.get("roles") if inspect.isfunction(call) else None
        if roles is None:
            continue  # current_user / the token scheme: any signed-in user
        admits = {r for r in ROLES if r != "anonymous" and auth.allows(Role(r), tuple(roles))}
        allowed = admits if allowed is None else allowed & admits
    return ANY_USER if allowed is None else frozenset(allowed)


def test_roles_are_read_from_the_dependencies():
    """The derivation itself, on routes whose rule is known: a wrong derivation would make the property vacuous."""
    from server import create_app

    routes = {(r.path, m): r for r in http_errors.api_routes(create_app(with_dashboard=False)) for m in r.methods}
    assert allowed_roles(routes[("/api/v1/public/jobs", "GET")]) == PUBLIC
    assert allowed_roles(routes[("/api/v1/auth/me", "GET")]) == ANY_USER
    assert allowed_roles(routes[("/api/v1/users", "GET")]) == {"admin"}
    assert allowed_roles(routes[("/api/v1/projects", "POST")]) == {"admin", "official"}
    assert "evaluator" not in allowed_roles(routes[("/api/v1/reports/compliance.{fmt}", "GET")])


@pytest.fixture
def world(client: TestClient, session: Session) -> tuple[TestClient, list[Any], dict[str, Any], dict[str, int]]:
    """The seeded programme; per role a function giving fresh headers (a logout must not end the run's token)."""
    from server import create_app

    headers_for, ids = seed_world(session)
    admin_id = int(make_user(session, Role.admin).id)  # type: ignore[arg-type]
    engine = session.get_bind()

    def admin_headers() -> dict[str, str]:
        with Session(engine) as s:
            return token_for(s.get(User, admin_id))  # type: ignore[arg-type]

    routes = http_errors.api_routes(create_app(with_dashboard=False))
    return client, routes, {**headers_for, "admin": admin_headers}, ids


def _fill(path: str, ids: dict[str, int], draw_id: int) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "user_id":  # account routes act on a spare account, never on a role the test signs in with
            return str(ids["user_id"])
        if name.endswith("_id"):
            return str(ids.get(name, draw_id) if draw_id % 2 else draw_id)
        return {"fmt": "pdf", "call_type": "designated", "action": "close"}.get(name, "x")

    return re.sub(r"\{(\w+)\}", value, path)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow], database=None)
@given(data=st.data())
def test_any_role_on_any_route_gets_only_an_allowed_answer(world: Any, data: st.DataObject):
    """Finding 9 (authorisation): every route × role answers 401/403 as its dependency says, never a 500."""
    client, routes, headers, ids = world
    method, route_path = data.draw(st.sampled_from(sorted((m, r.path) for r in routes for m in r.methods)),
                                   label="route")
    route = next(r for r in routes if r.path == route_path and method in r.methods)
    role = data.draw(st.sampled_from(ROLES), label="role")
    path = _fill(route.path, ids, data.draw(st.integers(1, 2**31 - 1), label="id"))
    kwargs: dict[str, Any] = {"headers": headers[role]()}
    if method in ("POST", "PUT", "PATCH"):
        kwargs["json"] = {}
    r = client.request(method, path, **kwargs)
    rule = allowed_roles(route)
    assert r.status_code < 500, (method, path, role, r.status_code, r.text[:300])
    if rule == PUBLIC:
        assert r.status_code not in (401, 403) or path.startswith("/api/v1/auth/"), (method, path, role, r.text[:200])
    elif role == "anonymous":
        assert r.status_code == 401, (method, path, role, r.status_code, r.text[:200])
    elif rule != ANY_USER and role not in rule:
        assert r.status_code == 403, (method, path, role, rule, r.status_code, r.text[:200])
    else:  # an allowed caller: refused only by a rule of the route itself (an assignment, a conflict), never as 401
        assert r.status_code != 401, (method, path, role, r.status_code, r.text[:200])
    if r.status_code >= 400:
        assert set(r.json()) == {"code", "detail", "field", "errors"}, (method, path, role, r.text[:200])
