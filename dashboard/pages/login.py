"""Login page: a plain form posting to POST /dashboard/login (the server sets the HttpOnly cookie).

Empty fields are not stopped by the browser (its message would be in the browser's language, not
the page's): the server refuses them and the page says so in Korean or English.

The form carries the CSRF token of the browser's cookie (core.security): a login posted from
another site has no token and is refused.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from core.models import User
from core.security import CSRF_FIELD
from dashboard import access
from dashboard.i18n import t


def layout(user: User | None, lang: str | None, query: dict[str, str]) -> Any:
    error = html.P(t("login.failed", lang), className="error", id="login-error") if query.get("error") else None
    already = (html.P(f"✓ {user.username}", id="login-current") if user is not None else None)
    return html.Div([
        html.H2(t("login.title", lang)),
        already,
        error,
        html.Form([
            html.Label(t("login.username", lang), htmlFor="login-username"),
            dcc.Input(id="login-username", name="username", type="text", autoComplete="username", required=True),
            html.Label(t("login.password", lang), htmlFor="login-password"),
            dcc.Input(id="login-password", name="password", type="password", autoComplete="current-password",
                      required=True),
            dcc.Input(type="hidden", name=CSRF_FIELD, value=access.csrf_token(), id="login-csrf"),
            html.Button(t("login.submit", lang), type="submit", id="login-submit", className="primary"),
        # noValidate: the browser's own "Please fill out this field" (in the browser's language) never shows;
        # an empty form goes to the server, which answers with the page's Korean (or English) message.
        ], method="POST", action="/dashboard/login", className="login-form", noValidate=True),
        html.P(dcc.Link(t("login.public", lang), href="/dashboard/jobs"), className="hint"),
    ], className="login-box", id="login-page")
