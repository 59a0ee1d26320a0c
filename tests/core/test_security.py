"""Cross-site requests and framing (finding 7 of issue 9): core.security and the dashboard's login and logout.

Run: .venv/bin/python -m pytest tests/core/test_security.py -q  (TEST_DB=postgres … for PostgreSQL)
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from budgeting.models import Expenditure, JobPosting
from core import auth, security
from core.models import AuditEvent, Role, User
from core.settings import get_settings
from tests.budgeting.builders import make_award
from tests.builders import fresh, make_user, token_for

B = "/api/v1/budgeting"
EVIL = "http://evil.example"
SITE = "http://testserver"
CSV = (b"category,date,amount,payee,business_number,description,evidence\n"
       b"equipment,2021-06-01,1000,p,,,EV-1\n")


def _postings(session: Any) -> tuple[int, int]:
    award = make_award(session)
    for i in range(2):
        session.add(JobPosting(award_id=award.id, title=f"작업자 {i}", platform="크라우드웍스", pay_krw=100,
                               open_date=date(2021, 6, 1), close_date=date(2021, 9, 30), is_open=True,
                               field_id=1, region="전국", created_by="official"))
    session.commit()
    ids = session.exec(select(JobPosting.id).where(JobPosting.award_id == award.id).order_by(JobPosting.id)).all()
    assert award.id is not None
    return award.id, int(ids[1])


def _state(session: Any) -> tuple[Any, ...]:
    fresh(session)
    out = (tuple(session.exec(select(JobPosting.is_open).order_by(JobPosting.id)).all()),
           session.exec(select(func.count()).select_from(Expenditure)).one(),
           session.exec(select(func.count()).select_from(AuditEvent)).one())
    session.commit()
    return out


def _cookie_client(client: TestClient, user: User) -> TestClient:
    client.cookies.set(auth.COOKIE_NAME, auth.create_token(user))
    return client


# --------------------------------------------------------------------------- cross-site writes


def test_cross_site_writes_with_the_cookie_are_refused(client, session):
    """Finding 7: with only the cookie and Origin: http://evil.example, closing a posting → 200, an import → 201."""
    official = make_user(session, Role.official)
    award_id, posting_id = _postings(session)
    c = _cookie_client(client, official)
    before = _state(session)
    r = c.post(f"{B}/job-postings/{posting_id}/close", headers={"Origin": EVIL})
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "cross_site_request"
    r = c.post(f"{B}/awards/{award_id}/ledger/import", headers={"Origin": EVIL}, files={"file": ("a.csv", CSV)})
    assert r.status_code == 403, r.text
    r = c.post(f"{B}/job-postings/{posting_id}/close", headers={"Referer": f"{EVIL}/page"})
    assert r.status_code == 403
    r = c.post(f"{B}/job-postings/{posting_id}/close", headers={"Origin": "null"})
    assert r.status_code == 403
    r = c.post(f"{B}/job-postings/{posting_id}/close")  # neither Origin nor Referer, no token
    assert r.status_code == 403
    r = c.post(f"{B}/job-postings/{posting_id}/close", headers={"Origin": "http://testserver.evil.example"})
    assert r.status_code == 403
    # a CSRF header that does not match the cookie does not help
    c.cookies.set(security.CSRF_COOKIE, "a" * 43)
    r = c.post(f"{B}/job-postings/{posting_id}/close", headers={"Origin": EVIL, "X-CSRF-Token": "b" * 43})
    assert r.status_code == 403
    assert _state(session) == before


def test_same_origin_trusted_origin_token_and_bearer_requests_pass(client, session, monkeypatch):
    official = make_user(session, Role.official)
    award_id, posting_id = _postings(session)
    c = _cookie_client(client, official)
    assert c.post(f"{B}/job-postings/{posting_id}/close", headers={"Origin": SITE}).status_code == 200
    assert c.post(f"{B}/awards/{award_id}/ledger/import", headers={"Origin": "HTTP://TESTSERVER:80"},
                  files={"file": ("a.csv", CSV)}).status_code == 201
    first = session.exec(select(JobPosting.id).where(JobPosting.award_id == award_id)).first()
    assert c.post(f"{B}/job-postings/{first}/close", headers={"Referer": f"{SITE}/dashboard/"}).status_code == 200
    # a trusted origin named in the settings (a reverse proxy's public address)
    monkeypatch.setattr(get_settings(), "trusted_origins", "https://grants.example.go.kr, https://other.example")
    r = c.post(f"{B}/job-postings/{posting_id}/close", headers={"Origin": "https://grants.example.go.kr"})
    assert r.status_code != 403  # 409: already closed, but not refused as cross-site
    # the double-submit token
    c.cookies.set(security.CSRF_COOKIE, "t" * 43)
    r = c.post(f"{B}/job-postings/{posting_id}/close", headers={"Origin": EVIL, "X-CSRF-Token": "t" * 43})
    assert r.status_code != 403
    # a bearer token carries no ambient authority: not affected, even with a cookie and a foreign Origin
    c.cookies.clear()
    bearer = token_for(official)
    r = client.post(f"{B}/job-postings/{posting_id}/close", headers={**bearer, "Origin": EVIL})
    assert r.status_code != 403
    client.cookies.set(auth.COOKIE_NAME, auth.create_token(official))
    r = client.post(f"{B}/job-postings/{posting_id}/close", headers={**bearer, "Origin": EVIL})
    assert r.status_code != 403
    # …but an Authorization header that is not a bearer token does not exempt the cookie
    r = client.post(f"{B}/job-postings/{posting_id}/close", headers={"Authorization": "Basic eDp5", "Origin": EVIL})
    assert r.status_code == 403


def test_safe_methods_and_cookieless_requests_are_not_checked(client, session):
    official = make_user(session, Role.official)
    c = _cookie_client(client, official)
    assert c.get(f"{B}/job-postings", headers={"Origin": EVIL}).status_code == 200
    c.cookies.clear()
    r = client.post("/api/v1/auth/token", data={"username": "nobody", "password": "x" * 12}, headers={"Origin": EVIL})
    assert r.status_code in (401, 422)  # judged by the route, not refused as cross-site


def test_normalise_origin() -> None:
    n = security.normalise_origin
    assert n("HTTPS://Example.ORG:443/a?b") == "https://example.org"
    assert n("http://example.org:8080") == "http://example.org:8080"
    assert n("http://[::1]:8000") == "http://[::1]:8000"
    assert n("null") is None and n("file:///etc/passwd") is None and n("http://x:99999") is None and n("") is None


# --------------------------------------------------------------------------- headers on every response

EXPECTED = {"x-frame-options": "DENY", "x-content-type-options": "nosniff",
            "referrer-policy": "strict-origin-when-cross-origin"}


def _script_src(csp: str) -> list[str]:
    directive = next(d.strip() for d in csp.split(";") if d.strip().startswith("script-src"))
    return directive.split()[1:]


def test_every_api_response_carries_the_security_headers(client, session):
    """Finding 7: no CSP, X-Frame-Options, X-Content-Type-Options or Referrer-Policy on any response."""
    official = make_user(session, Role.official)
    responses = [client.get("/health"), client.get("/openapi.json"), client.get("/api/v1/no-such-thing"),
                 client.get(f"{B}/job-postings"), client.get(f"{B}/job-postings", headers=token_for(official)),
                 client.post(f"{B}/awards/1/ledger/import", headers={**token_for(official), "content-length": "9" * 12,
                                                                      "content-type": "multipart/form-data; b=x"}),
                 _cookie_client(client, official).post(f"{B}/job-postings/1/close", headers={"Origin": EVIL})]
    assert [r.status_code for r in responses] == [200, 200, 404, 401, 200, 413, 403]
    for r in responses:
        for name, value in EXPECTED.items():
            assert r.headers[name] == value, (r.url, name)
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "object-src 'none'" in csp
        assert "'unsafe-inline'" not in _script_src(csp) and "'unsafe-eval'" not in _script_src(csp)
        assert "strict-transport-security" not in r.headers  # the tests serve plain http (demo mode)


def test_docs_work_under_their_own_policy(client):
    for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["x-frame-options"] == "DENY"
        assert "'unsafe-inline'" in _script_src(r.headers["content-security-policy"]), path
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        # every script the page loads is served by this site (no CDN)
        for src in re.findall(r'<script[^>]+src="([^"]+)"', r.text):
            assert src.startswith("/"), src
            assert client.get(src).status_code == 200
    assert "'unsafe-inline'" not in _script_src(client.get("/docsx").headers["content-security-policy"])


def test_hsts_and_secure_cookies_when_served_over_https(client, monkeypatch):
    monkeypatch.setattr(get_settings(), "https", True)
    r = client.get("/health")
    assert r.headers["strict-transport-security"] == security.HSTS
    assert security.session_cookie_options(60)["secure"] is True and security.csrf_cookie_options()["secure"] is True
    monkeypatch.setattr(get_settings(), "https", False)
    assert "strict-transport-security" not in client.get("/health").headers
    assert security.session_cookie_options(60)["secure"] is False


# --------------------------------------------------------------------------- the dashboard: CSP hashes, login, logout


@pytest.fixture
def dash_client(clean_engine: Any) -> Iterator[TestClient]:
    from server import create_app

    with TestClient(create_app(), headers={"Origin": SITE}) as c:
        yield c


def _inline_script_hashes(html: str) -> list[str]:
    hashes = []
    html = re.sub(r"<!--.*?-->", "", html, flags=re.S)  # Dash's <!--[if IE]> script is a comment elsewhere
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
        if "src=" in attrs or "application/json" in attrs or not body.strip():
            continue
        hashes.append("'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'")
    return hashes


def test_dashboard_inline_scripts_are_allowed_by_hash_only(dash_client):
    """The CSP fits Dash: its inline renderer script is allowed by its hash, not by 'unsafe-inline'."""
    for path in ("/dashboard/", "/dashboard/login", "/dashboard/overview"):
        r = dash_client.get(path)
        assert r.status_code == 200 and r.headers["x-frame-options"] == "DENY"
        allowed = _script_src(r.headers["content-security-policy"])
        inline = _inline_script_hashes(r.text)
        assert inline, "Dash's index has an inline renderer script"
        assert set(inline) <= set(allowed), path
        assert "'unsafe-inline'" not in allowed and "'unsafe-eval'" not in allowed
    asset = re.search(r'<script src="(/dashboard/_dash-component-suites/[^"]+)"', r.text)
    assert asset is not None
    js = dash_client.get(asset.group(1))
    assert js.status_code == 200 and js.headers["x-content-type-options"] == "nosniff"
    font = dash_client.get("/dashboard/fonts/NanumGothic.ttf")
    assert font.headers["content-security-policy"] and font.headers["x-frame-options"] == "DENY"


def _login_layout_token(c: TestClient) -> str:
    """The CSRF token the rendered login form carries (what the browser would submit)."""
    from tests.dashboard.dashclient import body

    r = c.post("/dashboard/_dash-update-component",
               json=body(c.app.state.dash_app, "shell-page.children",  # type: ignore[attr-defined]
                         {"shell-url.pathname": "/dashboard/login", "shell-url.search": "", "shell-lang.data": "ko"}))
    assert r.status_code == 200, r.text
    match = re.search(r'"name":\s*"csrf_token",\s*"value":\s*"([^"]*)"', r.text) or \
        re.search(r'"value":\s*"([^"]*)"[^{}]*"name":\s*"csrf_token"', r.text)
    assert match, r.text[:2000]
    return match.group(1)


def test_login_form_carries_a_csrf_token_and_login_requires_it(dash_client, session):
    """Finding 7: the login form had no CSRF token (login CSRF: another site logs the browser into its account)."""
    user = make_user(session, Role.official)
    page = dash_client.get("/dashboard/login")
    cookie = dash_client.cookies.get(security.CSRF_COOKIE)
    assert cookie and "text/html" in page.headers["content-type"]
    assert "httponly" not in page.headers["set-cookie"].lower() and "samesite=lax" in page.headers["set-cookie"].lower()
    assert _login_layout_token(dash_client) == cookie
    form = {"username": user.username, "password": "correct-horse-battery"}
    for token in (None, "", "forged-token"):
        data = form if token is None else {**form, "csrf_token": token}
        r = dash_client.post("/dashboard/login", data=data, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].endswith("/dashboard/login?error=1")
        assert auth.COOKIE_NAME not in r.headers.get("set-cookie", "")
    r = dash_client.post("/dashboard/login", data={**form, "csrf_token": cookie}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/"
    set_cookie = r.headers["set-cookie"].lower()
    assert f"{auth.COOKIE_NAME}=" in set_cookie and "httponly" in set_cookie and "samesite=lax" in set_cookie
    assert "secure" not in set_cookie  # plain http in demo mode; see the https test for Secure


def test_login_cookie_is_secure_over_https(dash_client, session, monkeypatch):
    user = make_user(session, Role.official)
    dash_client.get("/dashboard/login")
    monkeypatch.setattr(get_settings(), "https", True)
    r = dash_client.post("/dashboard/login", data={"username": user.username, "password": "correct-horse-battery",
                                                   "csrf_token": dash_client.cookies.get(security.CSRF_COOKIE)},
                         follow_redirects=False)
    assert r.status_code == 303 and "secure" in r.headers["set-cookie"].lower()


def test_logout_is_a_post_with_the_token_and_revokes_the_session(dash_client, session):
    """Finding 7/8: logout was a GET that only cleared the cookie; the token kept working."""
    user = make_user(session, Role.official)
    dash_client.get("/dashboard/login")
    csrf = dash_client.cookies.get(security.CSRF_COOKIE)
    r = dash_client.post("/dashboard/login", data={"username": user.username, "password": "correct-horse-battery",
                                                   "csrf_token": csrf}, follow_redirects=False)
    token = r.cookies.get(auth.COOKIE_NAME) or dash_client.cookies.get(auth.COOKIE_NAME)
    assert token and auth.user_from_token(token) is not None
    # a GET (a link, an <img>, a prefetch) no longer logs out
    dash_client.get("/dashboard/logout")
    assert auth.user_from_token(token) is not None
    # a POST without the form's token is refused and changes nothing
    r = dash_client.post("/dashboard/logout", data={}, follow_redirects=False)
    assert r.status_code == 403 and auth.user_from_token(token) is not None
    # from another site: refused by the middleware before the route
    r = dash_client.post("/dashboard/logout", data={"csrf_token": "x"}, headers={"Origin": EVIL},
                         follow_redirects=False)
    assert r.status_code == 403 and r.json()["code"] == "cross_site_request"
    r = dash_client.post("/dashboard/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("/dashboard/login")
    assert f'{auth.COOKIE_NAME}=""' in r.headers["set-cookie"]
    assert auth.user_from_token(token) is None  # revoked server-side, not only forgotten by the browser
    assert dash_client.get("/api/v1/programs", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def _components(tree: Any) -> Iterator[dict[str, Any]]:
    """The props of every Dash component in a callback answer."""
    if isinstance(tree, dict):
        if "props" in tree and "type" in tree:
            yield tree["props"]
        for value in tree.values():
            yield from _components(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _components(value)


def test_the_nav_logout_is_a_form_with_the_token(dash_client, session):
    from tests.dashboard.dashclient import body

    user = make_user(session, Role.official)
    dash_client.get("/dashboard/login")
    csrf = dash_client.cookies.get(security.CSRF_COOKIE)
    dash_client.post("/dashboard/login", data={"username": user.username, "password": "correct-horse-battery",
                                               "csrf_token": csrf}, follow_redirects=False)
    r = dash_client.post("/dashboard/_dash-update-component",
                         json=body(dash_client.app.state.dash_app, "shell-nav.children",  # type: ignore[attr-defined]
                                   {"shell-url.pathname": "/dashboard/jobs", "shell-url.search": "",
                                    "shell-lang.data": "ko"}))
    assert r.status_code == 200
    forms = [p for p in _components(r.json()) if p.get("action") == "/dashboard/logout"]
    assert len(forms) == 1 and forms[0]["method"] == "POST"
    fields = {p.get("name"): p.get("value") for p in _components(forms[0]) if p.get("name")}
    assert fields == {"csrf_token": csrf}
    assert any(p.get("id") == "nav-logout" and p.get("type") == "submit" for p in _components(forms[0]))
    # the same callback from another site is refused (Dash's own POSTs come from the same origin)
    r = dash_client.post("/dashboard/_dash-update-component", headers={"Origin": EVIL},
                         json=body(dash_client.app.state.dash_app, "shell-nav.children",  # type: ignore[attr-defined]
                                   {"shell-url.pathname": "/dashboard/jobs", "shell-url.search": "",
                                    "shell-lang.data": "ko"}))
    assert r.status_code == 403
