"""Browser safety: cross-site checks on cookie-authenticated writes, and the security headers.

One pure ASGI middleware (`install(app)`, added outermost so it runs before anything reads a body):

- **Cross-site request forgery.** A POST, PUT, PATCH or DELETE that carries the dashboard's
  login cookie (`core.auth.COOKIE_NAME`) and does not authenticate by a bearer token must come
  from this site: its `Origin` (or, when a browser sent none, its `Referer`) is the request's
  own scheme and host, or one of `settings.trusted_origins`; otherwise it must carry the
  CSRF token (`X-CSRF-Token` header equal to the `grants_csrf` cookie: a double submit).
  Anything else is 403 before the body is read. Bearer-token requests hold no ambient
  authority and are not affected; Dash's callback POSTs are same-origin fetches, which
  browsers send with `Origin`. The login and logout forms also carry the token in a
  hidden field, checked by their routes (the middleware does not read bodies).
- **Headers on every response**: Content-Security-Policy, X-Frame-Options DENY,
  X-Content-Type-Options nosniff, Referrer-Policy, and HSTS when `settings.serve_https`.

The Content-Security-Policy (one for the whole app, one relaxed for the API docs):

- everything: `default-src 'self'`; scripts from this site plus the hashes of the inline scripts
  the dashboard renders (Dash's `var renderer = new DashRenderer();`, registered by
  `dashboard.app.attach` through :func:`allow_inline_scripts`; Dash's `_dash-config` block is
  JSON, which CSP does not treat as a script); styles from this site and inline (React and
  Plotly set style attributes and inject <style> elements); images from this site and data:
  URIs (Plotly's and AG Grid's icons); fonts from this site (the Hangul web font);
  `object-src 'none'`, `base-uri 'self'`, `form-action 'self'`, `frame-ancestors 'none'`.
- `/docs` and `/redoc` (Swagger UI and ReDoc, static pages with no user content): the same,
  but inline scripts are allowed (`'unsafe-inline'`: FastAPI's page starts Swagger UI with an
  inline script whose text depends on the app's root path) and ReDoc's blob: worker.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.settings import get_settings

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_COOKIE = "grants_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"  # the hidden field of the login and logout forms
DOCS_PATHS = ("/docs", "/redoc")
HSTS = "max-age=31536000; includeSubDomains"
REFERRER_POLICY = "strict-origin-when-cross-origin"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _session_cookie_name() -> str:
    from core.auth import COOKIE_NAME  # imported late: core.auth imports the database layer

    return COOKIE_NAME


# --------------------------------------------------------------------------- CSRF tokens


def new_csrf_token() -> str:
    """A fresh random token for the double-submit cookie."""
    return secrets.token_urlsafe(32)


def csrf_token_valid(cookie_value: str | None, submitted: str | None) -> bool:
    """True when a token was submitted and equals the CSRF cookie (constant-time comparison)."""
    if not cookie_value or not submitted or len(submitted) > 200:
        return False
    return hmac.compare_digest(cookie_value.encode("utf-8", "replace"), submitted.encode("utf-8", "replace"))


def csrf_cookie_options() -> dict[str, Any]:
    """Keyword arguments of `Response.set_cookie` for the CSRF cookie.

    Readable by the page's own scripts (not HttpOnly: a client sends it back as X-CSRF-Token);
    it grants nothing by itself. SameSite=Lax, Secure when the site is served over HTTPS.
    """
    return {"key": CSRF_COOKIE, "httponly": False, "samesite": "lax", "path": "/",
            "secure": get_settings().serve_https}


def csrf_set_cookie_header(token: str) -> str:
    """The Set-Cookie header value of the CSRF cookie (session-long, so an open page's forms keep working)."""
    from starlette.responses import Response

    options = csrf_cookie_options()
    response = Response()
    response.set_cookie(value=token, **options)
    return response.headers["set-cookie"]


def session_cookie_options(max_age: int) -> dict[str, Any]:
    """Keyword arguments of `Response.set_cookie` for the login cookie: HttpOnly, SameSite=Lax, Secure on HTTPS."""
    return {"key": _session_cookie_name(), "httponly": True, "samesite": "lax", "path": "/",
            "secure": get_settings().serve_https, "max_age": max_age}


# --------------------------------------------------------------------------- origins


def normalise_origin(value: str | None) -> str | None:
    """'HTTPS://Example.org:443/path' → 'https://example.org'; None when it is not an http(s) origin."""
    if not value or value == "null":
        return None
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{scheme}://{host}" + (f":{port}" if port and port != _DEFAULT_PORTS[scheme] else "")


def own_origin(scope: Scope, headers: Headers) -> str | None:
    """The origin this request was sent to: its scheme and its Host header."""
    host = headers.get("host")
    if not host:
        server = scope.get("server")
        if not server:
            return None
        host = f"{server[0]}:{server[1]}"
    return normalise_origin(f"{scope.get('scheme', 'http')}://{host}")


def trusted_origins() -> set[str]:
    """The origins named in `settings.trusted_origins` (comma-separated), normalised."""
    raw = get_settings().trusted_origins
    return {o for o in (normalise_origin(part) for part in raw.split(",")) if o}


def _cookies(headers: Headers) -> dict[str, str]:
    cookies: dict[str, str] = {}
    for raw in headers.getlist("cookie"):
        cookies.update(cookie_parser(raw))  # the parser Starlette's Request.cookies uses (lenient)
    return cookies


def _bearer(headers: Headers) -> bool:
    scheme, _, param = headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(param.strip())


def cross_site_problem(scope: Scope, headers: Headers) -> str | None:
    """Why this request must be refused as a possible cross-site forgery, or None when it may pass."""
    if scope.get("method") not in UNSAFE_METHODS or _bearer(headers):
        return None
    cookies = _cookies(headers)
    if _session_cookie_name() not in cookies:
        return None  # no ambient authority: nothing to forge
    if csrf_token_valid(cookies.get(CSRF_COOKIE), headers.get(CSRF_HEADER)):
        return None
    origin_header = headers.get("origin")
    if origin_header is not None:
        origin, what = normalise_origin(origin_header), "Origin"
    elif headers.get("referer"):
        origin, what = normalise_origin(headers.get("referer")), "Referer"
    else:
        return "a request authenticated by the login cookie must name its Origin or carry the CSRF token"
    allowed = trusted_origins()
    mine = own_origin(scope, headers)
    if mine:
        allowed.add(mine)
    if origin is None or origin not in allowed:
        return f"the {what} of this request is not this site; a cross-site request may not use the login cookie"
    return None


# --------------------------------------------------------------------------- headers


class _Policy:
    """The Content-Security-Policy texts; the dashboard adds its inline-script hashes."""

    def __init__(self) -> None:
        self.script_hashes: list[str] = []
        self._main: str | None = None

    def add_hashes(self, hashes: Iterable[str]) -> None:
        for h in hashes:
            if h not in self.script_hashes:
                self.script_hashes.append(h)
        self._main = None

    @property
    def main(self) -> str:
        if self._main is None:
            self._main = "; ".join([
                "default-src 'self'",
                " ".join(["script-src 'self'", *self.script_hashes]),
                "style-src 'self' 'unsafe-inline'",
                "img-src 'self' data:",
                "font-src 'self' data:",
                "connect-src 'self'",
                "object-src 'none'",
                "base-uri 'self'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            ])
        return self._main

    docs = "; ".join([
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])

    def for_path(self, path: str) -> str:
        if any(path == p or path.startswith(p + "/") for p in DOCS_PATHS):
            return self.docs
        return self.main


def _policy(app: Any) -> _Policy:
    state = app.state
    if not hasattr(state, "content_security_policy"):
        state.content_security_policy = _Policy()
    policy: _Policy = state.content_security_policy
    return policy


def allow_inline_scripts(app: Any, hashes: Iterable[str]) -> None:
    """Allow inline scripts by their CSP hashes ('sha256-…', quoted as Dash's `csp_hashes()` gives them)."""
    _policy(app).add_hashes(hashes)


def content_security_policy(app: Any, path: str) -> str:
    """The Content-Security-Policy sent with a response to `path`."""
    return _policy(app).for_path(path)


class SecurityMiddleware:
    """Refuses cross-site writes that rely on the login cookie; adds the security headers to every response."""

    def __init__(self, app: ASGIApp, *, policy: _Policy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        request_headers = Headers(scope=scope)
        has_csrf_cookie = CSRF_COOKIE in _cookies(request_headers)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if not has_csrf_cookie and headers.get("content-type", "").startswith("text/html"):
                    # Every page a browser opens hands it the double-submit cookie its forms will echo.
                    headers.append("Set-Cookie", csrf_set_cookie_header(new_csrf_token()))
                headers.setdefault("Content-Security-Policy", self.policy.for_path(path))
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", REFERRER_POLICY)
                if get_settings().serve_https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        problem = cross_site_problem(scope, request_headers)
        if problem is not None:
            from core.http_errors import error_response

            await error_response(403, "cross_site_request", problem)(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


def install(app: Any) -> None:
    """Add the middleware to a FastAPI app (call it last in create_app, so that it is the outermost)."""
    app.add_middleware(SecurityMiddleware, policy=_policy(app))
