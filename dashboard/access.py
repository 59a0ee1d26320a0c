"""Who may open which page, and the server-side check every callback runs first.

A callback request can be forged with any input value, so no callback trusts the page it
was rendered on: each one reads the login cookie again, resolves the user and checks the
role before it touches data. A refused callback raises PreventUpdate (HTTP 204, no data).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import dash
from dash.exceptions import PreventUpdate

from core import auth, security
from core.models import Role, User
from dashboard import data

OFF, EVA, AUD = Role.official, Role.evaluator, Role.auditor

# page name → roles that may open it (admins count as officials); () = public.
PAGE_ROLES: dict[str, tuple[Role, ...]] = {
    "overview": (OFF, AUD),
    "allocation": (OFF, AUD),  # auditors read everything (README); these pages have no write action
    "award": (OFF, AUD),
    "evaluation": (OFF, AUD),
    "whatif": (OFF,),
    "assignments": (EVA,),
    "obligations": (OFF, AUD),
    "delivery": (OFF, AUD),
    "compliance": (AUD, OFF),
    "jobs": (),
    "glossary": (),
    "accounts": (Role.admin,),
    "approvals": (OFF, AUD),
    "programme": (OFF, AUD),
    "evaluators": (OFF,),  # the registry holds private contact details: officials only
}
# Order of the navigation bar.
NAV_ORDER = ["overview", "allocation", "evaluation", "whatif", "assignments", "obligations", "delivery", "compliance",
             "programme", "evaluators", "jobs", "approvals", "accounts"]


class Denied(Exception):
    """The caller may not see this page's data."""


def may_open(user: User | None, page: str) -> bool:
    """True when `user` (None = anonymous) may open `page`."""
    roles = PAGE_ROLES.get(page)
    if roles is None:
        return False
    if not roles:
        return True
    return user is not None and auth.allows(user.role, roles)


def pages_for(user: User | None) -> list[str]:
    """The pages the navigation shows to this user, in order."""
    return [p for p in NAV_ORDER if may_open(user, p)]


def home_page(user: User | None) -> str:
    """Where '/dashboard/' leads: the first page the role may open (anonymous: login)."""
    if user is None:
        return "login"
    allowed = [p for p in pages_for(user) if p != "jobs"]
    return allowed[0] if allowed else "jobs"


def caller() -> User | None:
    """The user named by the login cookie of the current callback request (None: anonymous)."""
    cookies = dash.callback_context.cookies or {}
    return auth.user_from_token(cookies.get(auth.COOKIE_NAME))


def csrf_token() -> str:
    """The CSRF token of the current callback request's browser (its double-submit cookie; '' when it has none).

    Forms that post to the server (login, logout) carry it in a hidden field; core.security
    hands the cookie to every browser with the first page it opens.
    """
    cookies = dash.callback_context.cookies or {}
    return str(cookies.get(security.CSRF_COOKIE, ""))[:200]


def require(page: str) -> User | None:
    """The caller when they may open `page`; otherwise raise Denied."""
    user = caller()
    if not may_open(user, page):
        raise Denied(page)
    return user


def _run_guarded(fn: Callable[..., Any], page: str | None, args: tuple[Any, ...], user_arg: bool) -> Any:
    with data.request_cache():
        if page is None:
            return fn(*args)
        try:
            user = require(page)
        except Denied:
            raise PreventUpdate from None
        return fn(user, *args) if user_arg else fn(*args)


def register(dash_app: dash.Dash, fn: Callable[..., Any], *dependencies: Any, page: str | None,
             user_arg: bool = True, **kwargs: Any) -> None:
    """Register `fn` as a callback of `dash_app`, guarded by the role check of `page`.

    `fn(user, *inputs)` receives the checked caller first (page=None: no check, `fn(*inputs)`;
    user_arg=False: checked but not passed, for callbacks that never read data).
    The body runs in a worker thread so that database work does not block the event loop of
    the API served by the same process.
    """

    async def runner(*args: Any) -> Any:
        return await asyncio.to_thread(_run_guarded, fn, page, args, user_arg)

    runner.__name__ = fn.__name__
    runner.__qualname__ = fn.__qualname__
    dash_app.callback(*dependencies, **kwargs)(runner)
