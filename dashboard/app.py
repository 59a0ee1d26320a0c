"""The dashboard shell: Dash mounted on the FastAPI app at /dashboard/, login, navigation, stores.

`attach(app)` is called by server.create_app. Pages live in dashboard/pages/ (one module a
page: `layout(user, lang, query)` plus `register(dash_app)` for its callbacks).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from dash import Dash, Input, Output, State, dcc, html
from dash.backends import _fastapi as dash_fastapi
from fastapi import FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response

from core import auth, security
from core.db import session_scope
from core.http_errors import error_response
from core.models import User
from dashboard import access, scope, webfont
from dashboard.i18n import t
from dashboard.pages import (
    accounts,
    allocation,
    approvals,
    assignments,
    award,
    compliance,
    delivery,
    evaluation,
    evaluators,
    glossary,
    jobs,
    login,
    obligations,
    overview,
    programme,
    whatif,
)

PREFIX = "/dashboard/"
HERE = Path(__file__).resolve().parent
# The pages, wired by explicit imports (name in the URL -> module).
PAGES: dict[str, Any] = {
    "login": login, "overview": overview, "allocation": allocation, "award": award, "evaluation": evaluation,
    "assignments": assignments, "obligations": obligations, "delivery": delivery, "compliance": compliance,
    "jobs": jobs, "whatif": whatif, "glossary": glossary, "accounts": accounts,
    "approvals": approvals, "programme": programme, "evaluators": evaluators,
}
PAGE_MODULES = list(PAGES)


def page_module(name: str) -> Any:
    return PAGES[name]


def parse_path(pathname: str | None) -> tuple[str, list[str]]:
    """'/dashboard/award/12' → ('award', ['12']); '/dashboard/' → ('', [])."""
    path = (pathname or PREFIX)
    if path.startswith(PREFIX):
        path = path[len(PREFIX):]
    parts = [p for p in path.strip("/").split("/") if p]
    return (parts[0], parts[1:]) if parts else ("", [])


# --------------------------------------------------------------------------- shell callbacks


def render_nav(user: User | None, lang: str | None, pathname: str | None, search: str | None = None) -> list[Any]:
    """The navigation bar: the pages this role may open (links keep the programme and as-of date), who is
    logged in, language and logout; under it the scope bar (programme, as-of date) when logged in."""
    current, _ = parse_path(pathname)
    if current == "":
        current = access.home_page(user)  # '/dashboard/' shows the role's first page: its tab is the current one
    links: list[Any] = [html.Span(t("app.title", lang), className="nav-title")]
    for page in access.pages_for(user):
        cls = "nav-link active" if page == current else "nav-link"
        links.append(dcc.Link(t(f"nav.{page}", lang), href=f"{PREFIX}{page}{scope.carry(search)}",
                              className=cls, id=f"nav-{page}"))
    right: list[Any] = [html.Button(t("lang.toggle", lang), id="shell-lang-toggle", n_clicks=0,
                                    className="lang-toggle")]
    if user is None:
        right.append(html.A(t("nav.login", lang), href=f"{PREFIX}login", className="nav-link", id="nav-login"))
    else:
        right.append(html.Span(f"{user.full_name or user.username} · {t('role.' + str(user.role), lang)}",
                               className="nav-user", id="nav-user"))
        right.append(logout_form(lang))
    # The scope bar (programme, as-of date) on every page but the login; the public job board has it for anyone.
    bar = [scope.scope_bar(search, lang)] if current != "login" and (user is not None or current in PUBLIC) else []
    return [html.Div(links, className="nav-left"), html.Div(right, className="nav-right"), *bar]


def logout_form(lang: str | None) -> html.Form:
    """Logout is a POST with the CSRF token (a link could be followed by any page or prefetcher)."""
    return html.Form([
        dcc.Input(type="hidden", name=security.CSRF_FIELD, value=access.csrf_token(), id="nav-logout-csrf"),
        html.Button(t("nav.logout", lang), type="submit", id="nav-logout", className="nav-link nav-button"),
    ], method="POST", action=f"{PREFIX}logout", className="nav-logout-form")


def denied(lang: str | None, user: User | None, back: str = "") -> html.Div:
    return html.Div([
        html.H2(t("denied.title", lang)),
        html.P(t("denied.login" if user is None else "denied.role", lang)),
        html.A(t("nav.login", lang), href=login_url(back)) if user is None else None,
    ], className="denied", id="page-denied")


PUBLIC = ("jobs", "glossary")


def safe_next(target: str | None) -> str:
    """A return path after login: a dashboard path on this site only (no scheme, host or '//'), else ''."""
    target = (target or "")[:500]
    if not target.startswith(PREFIX) or "//" in target or "\\" in target or any(ord(c) < 32 for c in target):
        return ""
    return target


def login_url(back: str | None) -> str:
    """The login page, with the path to return to after logging in."""
    nxt = safe_next(back)
    return f"{PREFIX}login" + (f"?{urlencode({'next': nxt})}" if nxt else "")


def render_page(user: User | None, pathname: str | None, search: str | None, lang: str | None) -> Any:
    """The content of the page at `pathname` for this user (a refusal when the role may not open it)."""
    page, rest = parse_path(pathname)
    query = {k: v[0] for k, v in parse_qs((search or "").lstrip("?")).items()}
    if page == "":
        page = access.home_page(user)
    if page == "login":
        return page_module("login").layout(user, lang, query)
    if page not in access.PAGE_ROLES:
        return html.Div(html.H2(t("notfound", lang)), id="page-notfound")
    if not access.may_open(user, page):
        return denied(lang, user, f"{pathname or PREFIX}{search or ''}")
    return page_module(page).layout(user, lang, query, *rest)


def shell(pathname: str | None, search: str | None, lang: str | None) -> tuple[list[Any], Any]:
    """Router callback: navigation and page content, both decided on the server from the cookie."""
    user = access.caller()
    return render_nav(user, lang, pathname, search), render_page(user, pathname, search, lang)


def toggle_lang(n_clicks: int | None, lang: str | None) -> str:
    if not n_clicks:
        return lang or "ko"
    return "en" if lang != "en" else "ko"


def serve_layout() -> html.Div:
    return html.Div([
        dcc.Location(id="shell-url", refresh="callback-nav"),
        dcc.Store(id="shell-lang", storage_type="local", data="ko"),
        html.Nav(id="shell-nav", className="nav"),
        dcc.Loading(html.Main(id="shell-page", className="page"), type="circle", delay_show=300,
                    overlay_style={"visibility": "visible", "opacity": 0.6}),
    ], className="shell")


def build_dash(server: FastAPI) -> Dash:
    dash_app = Dash(
        __name__,
        server=server,  # type: ignore[arg-type]  # Dash types `server` for Flask; the FastAPI backend takes the app
        backend="fastapi",
        routes_pathname_prefix=PREFIX,
        requests_pathname_prefix=PREFIX,
        assets_folder=str(HERE / "assets"),
        title="AI 학습용 데이터 사업 대시보드",
        suppress_callback_exceptions=True,
        update_title=None,  # type: ignore[arg-type]  # None turns the "Updating..." title off, as Dash documents
    )
    # Korean first: the page says so (assets/a11y.js switches it when the English toggle is on).
    dash_app.index_string = dash_app.index_string.replace("<html>", '<html lang="ko">', 1).replace(
        "{%css%}", '{%css%}\n        <link rel="preload" href="/dashboard/fonts/NanumGothic.ttf" as="font" '
                   'type="font/ttf" crossorigin>')
    dash_app.layout = serve_layout
    access.register(dash_app, shell, Output("shell-nav", "children"), Output("shell-page", "children"),
                    Input("shell-url", "pathname"), Input("shell-url", "search"), Input("shell-lang", "data"),
                    page=None)
    access.register(dash_app, toggle_lang, Output("shell-lang", "data"), Input("shell-lang-toggle", "n_clicks"),
                    State("shell-lang", "data"), page=None, prevent_initial_call=True)
    access.register(dash_app, scope.set_scope, Output("shell-url", "search"), Input("scope-program", "value"),
                    Input("scope-as-of", "value"), State("shell-url", "search"), page=None,
                    prevent_initial_call=True)
    for name in PAGE_MODULES:
        module = page_module(name)
        if hasattr(module, "register"):
            module.register(dash_app)
    return dash_app


# --------------------------------------------------------------------------- FastAPI routes


def _login_redirect(error: bool = False) -> RedirectResponse:
    return RedirectResponse(f"{PREFIX}login" + ("?error=1" if error else ""), status_code=303)


def add_routes(server: FastAPI, dash_app: Dash) -> None:
    """Login/logout (form post → HttpOnly cookie), the Hangul web font and the page catch-all."""

    @server.post(f"{PREFIX}login", include_in_schema=False)
    def login(request: Request, username: str = Form(""), password: str = Form(""),
              csrf_token: str = Form(""), next: str = Form("")) -> Response:  # noqa: A002 - the form's field name
        # The form's token must match the CSRF cookie: another site cannot log a browser in to its account.
        if not security.csrf_token_valid(request.cookies.get(security.CSRF_COOKIE), csrf_token):
            return _login_redirect(error=True)
        try:
            with session_scope() as session:
                user = auth.authenticate(session, username, password,
                                         client=request.client.host if request.client else None)
        except auth.LoginThrottled as exc:
            response = _login_redirect(error=True)
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        if user is None:
            return _login_redirect(error=True)
        # Back to the page that sent the visitor to the login (the form's `next`, else the login page's own ?next=).
        referer_next = parse_qs(urlsplit(request.headers.get("referer", "")).query).get("next", [""])[0]
        response = RedirectResponse(safe_next(next) or safe_next(referer_next) or PREFIX, status_code=303)
        response.set_cookie(value=auth.create_token(user),
                            **security.session_cookie_options(auth.get_settings().token_ttl_minutes * 60))
        return response

    @server.post(f"{PREFIX}logout", include_in_schema=False)
    def logout(request: Request, csrf_token: str = Form("")) -> Response:
        """Revoke the caller's sessions server-side (every token and cookie of that user), then clear the cookie."""
        if not security.csrf_token_valid(request.cookies.get(security.CSRF_COOKIE), csrf_token):
            return error_response(403, "csrf_token", "The form's security token is missing or stale; reload the "
                                                     "page and log out again.")
        user = auth.user_from_token(request.cookies.get(auth.COOKIE_NAME))
        if user is not None:
            with session_scope(write=True) as session:
                auth.revoke_sessions(session, user, reason="dashboard logout")
        response = _login_redirect()
        options = security.session_cookie_options(0)
        response.delete_cookie(options["key"], path=options["path"], secure=options["secure"],
                               httponly=options["httponly"], samesite=options["samesite"])
        return response

    @server.get(f"{PREFIX}fonts/{{name}}", include_in_schema=False)
    def font(name: str) -> Response:
        if name not in webfont.FONTS:
            return Response(status_code=404)
        return Response(webfont.web_font(name), media_type="font/ttf",
                        headers={"Cache-Control": "public, max-age=604800"})

    async def page(request: Request, path: str = "") -> Response:
        # Every dashboard URL serves the same index; the router callback picks the page. A visitor without a
        # valid login asking for a page that needs one is sent to the login page, with the way back.
        name = parse_path(f"{PREFIX}{path}")[0]
        if name in access.PAGE_ROLES and access.PAGE_ROLES[name] and \
                await asyncio.to_thread(auth.user_from_token, request.cookies.get(auth.COOKIE_NAME)) is None:
            query = f"?{request.url.query}" if request.url.query else ""
            return RedirectResponse(login_url(f"{PREFIX}{path}{query}"), status_code=303)
        token = dash_fastapi.set_current_request(request)
        try:
            # Dash collects its assets (our CSS) on the first request through its own routes; a first
            # visit straight to /dashboard/<page> must not get an index without them.
            dash_app._setup_server()
            return Response(content=dash_app.index(), media_type="text/html")
        finally:
            dash_fastapi.reset_current_request(token)

    server.add_api_route(f"{PREFIX}{{path:path}}", page, methods=["GET"], include_in_schema=False)
    server.add_api_route(PREFIX.rstrip("/"), page, methods=["GET"], include_in_schema=False)


def attach(app: FastAPI) -> None:
    """Mount the dashboard on `app` at /dashboard/ (called by server.create_app)."""
    dash_app = build_dash(app)
    # Dash's FastAPI backend adds a GET catch-all at the root on startup, which would answer
    # unknown API paths with the dashboard's HTML; our catch-all below is limited to /dashboard/.
    dash_app.backend._setup_catchall = lambda: None  # type: ignore[attr-defined]
    add_routes(app, dash_app)
    # The index's inline renderer script (and any clientside callback) by hash in the CSP (core.security).
    security.allow_inline_scripts(app, dash_app.csp_hashes())
    app.state.dash_app = dash_app
