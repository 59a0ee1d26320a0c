"""One error shape for every error answer, documented in the OpenAPI; body caps; offline docs.

Guards findings 9 (500s instead of 4xx; errors answered in a shape the OpenAPI does not document;
a Dash callback posted as text/plain) and 10 (/docs blank without internet).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session

from core import http_errors, limits
from core.errors import LimitExceeded, NotFound, RuleViolation
from core.models import Role
from tests.builders import make_program, make_user, token_for

SHAPE = {"code", "detail", "field", "errors"}


def _is_error_body(body: dict[str, Any]) -> bool:
    http_errors.ErrorBody.model_validate(body)
    return set(body) == SHAPE and isinstance(body["detail"], str) and body["detail"] != ""


# --------------------------------------------------------------------------- the shape, through the real API


def test_every_kind_of_error_has_the_one_shape(client: TestClient, session: Session):
    """Finding 9: domain errors, HTTPException (401/403/404) and validation errors share one shape."""
    official = token_for(make_user(session, Role.official))
    evaluator = token_for(make_user(session, Role.evaluator))
    answers = {
        401: client.get("/api/v1/projects"),
        403: client.get("/api/v1/users", headers=evaluator),
        404: client.get("/api/v1/no-such-thing"),
        422: client.get("/api/v1/projects", params={"offset": "abc"}, headers=official),
    }
    for status, r in answers.items():
        assert r.status_code == status, (status, r.text)
        assert _is_error_body(r.json()), r.text
    assert answers[401].json()["code"] == "not_authenticated"
    assert answers[401].headers["WWW-Authenticate"] == "Bearer"
    assert answers[403].json()["code"] == "forbidden"
    assert answers[404].json()["detail"] == http_errors.MESSAGES["not_found"][0]  # Korean by default
    body = answers[422].json()
    assert body["code"] == "invalid_input" and body["field"] == "offset"
    assert body["errors"][0]["field"] == "offset" and body["errors"][0]["reason"] == "정수여야 합니다"


def test_validation_error_never_echoes_the_input(client: TestClient, session: Session):
    """Finding 9: a lone surrogate echoed back in a 422 made the JSON encoder fail with a 500."""
    official = token_for(make_user(session, Role.official))
    program = make_program(session)
    raw = ('{"program_id": PID, "code": "\\ud800", "field_code": "HEALTH", "call_type": "designated",'
           ' "title_ko": "\\ud800\\udfff\\ud800", "ceiling_krw": "not a number \\ud800"}')
    raw = raw.replace("PID", str(program.id))
    r = client.post("/api/v1/projects", content=raw.encode(), headers={**official, "content-type": "application/json"})
    assert r.status_code == 422, r.text
    assert _is_error_body(r.json())
    assert "not a number" not in r.text and "\\ud800" not in r.text


def test_a_hostile_field_name_is_cut_not_echoed_in_full(client: TestClient, session: Session):
    official = token_for(make_user(session, Role.official))
    key = "k" * 100_000
    r = client.post("/api/v1/projects", json={key: 1}, headers=official)
    assert r.status_code == 422 and _is_error_body(r.json())
    assert len(r.content) < 5_000


def test_big_integer_in_query_is_422_not_500(client: TestClient):
    """Finding 9: /public/jobs?offset=2**63 was a 500 on both databases."""
    r = client.get("/api/v1/public/jobs", params={"offset": str(2**63)})
    assert r.status_code == 422 and r.json()["field"] == "offset"


# --------------------------------------------------------------------------- handlers, on a small app


def _app_raising(exc: BaseException) -> TestClient:
    app = FastAPI()
    http_errors.install(app)

    @app.get("/boom")
    def boom() -> None:
        raise exc

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(("exc", "status", "code"), [
    (NotFound("project 7 does not exist"), 404, "not_found"),
    (LimitExceeded("the programme total would be exceeded by 5 KRW", field="ceiling_krw"), 409, "limit_exceeded"),
    (RuleViolation("bad rows", field="file", details=[{"row": 3, "column": "amount", "reason": "not a number"}]),
     422, "rule_violation"),
    (DataError("INSERT …", {}, Exception("value out of range for type integer")), 422, "out_of_range"),
    (IntegrityError("INSERT …", {}, Exception("UNIQUE constraint failed")), 409, "conflict"),
])
def test_domain_and_database_errors_map_to_4xx(exc: Exception, status: int, code: str):
    r = _app_raising(exc).get("/boom")
    assert r.status_code == status and r.json()["code"] == code and _is_error_body(r.json())
    if isinstance(exc, RuleViolation):
        assert r.json()["errors"] == [{"field": None, "row": 3, "column": "amount", "reason": "not a number"}]
        assert r.json()["field"] == "file"
    if isinstance(exc, DataError | IntegrityError):
        assert "INSERT" not in r.text and "constraint" not in r.text  # no SQL or schema detail leaks


def test_unexpected_exception_is_a_generic_500_with_a_logged_id(caplog: pytest.LogCaptureFixture):
    """Finding 9: never a traceback or an exception text to the client; an id ties the answer to the log."""
    with caplog.at_level("ERROR", logger="grants.errors"):
        r = _app_raising(RuntimeError("secret path /etc/app.key")).get("/boom")
    assert r.status_code == 500 and r.json()["code"] == "internal_error" and _is_error_body(r.json())
    error_id = r.headers["X-Error-Id"]
    assert error_id in r.json()["detail"]
    assert "secret" not in r.text and "Traceback" not in r.text
    assert any(error_id in rec.getMessage() and rec.exc_info for rec in caplog.records)


# --------------------------------------------------------------------------- OpenAPI


def test_openapi_documents_the_error_shape_on_every_route(client: TestClient):
    """Finding 9: 401/403/404/409/422 were undocumented, and 422 documented another shape."""
    spec = client.get("/openapi.json").json()
    assert "ErrorBody" in spec["components"]["schemas"]
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    ref = "#/components/schemas/ErrorBody"
    operations = [(path, method, op) for path, item in spec["paths"].items() for method, op in item.items()]
    assert len(operations) > 40
    for path, method, op in operations:
        for status, response in op["responses"].items():
            if status.startswith(("4", "5")):
                assert response["content"]["application/json"]["schema"] == {"$ref": ref}, (path, method, status)
        protected = "security" in op or any(p.get("in") == "header" for p in op.get("parameters", []))
        if protected:
            assert {"401", "403"} <= set(op["responses"]), (path, method)
        if op.get("parameters") or "requestBody" in op:
            assert "422" in op["responses"], (path, method)
        if method in ("post", "put", "patch", "delete"):
            assert "409" in op["responses"], (path, method)
    projects = spec["paths"]["/api/v1/projects"]["post"]["responses"]
    assert {"401", "403", "404", "409", "413", "422"} <= set(projects)
    assert "429" in spec["paths"]["/api/v1/auth/token"]["post"]["responses"]


def test_auth_dependencies_are_found_on_each_route():
    """The routes the walker calls protected are exactly those that depend on the token."""
    from server import create_app

    app = create_app(with_dashboard=False)
    by_path = {(r.path, m): r for r in http_errors.api_routes(app) for m in (r.methods or ())}
    assert http_errors._needs_auth(by_path[("/api/v1/projects", "POST")])
    assert not http_errors._needs_auth(by_path[("/api/v1/public/jobs", "GET")])
    assert not http_errors._needs_auth(by_path[("/health", "GET")])


# --------------------------------------------------------------------------- body limits


def test_json_depth_is_counted_without_recursion():
    assert not limits.json_depth_exceeds(b"[" * 64 + b"]" * 64)
    assert limits.json_depth_exceeds(b"[" * 65 + b"]" * 65)
    assert limits.json_depth_exceeds(b"[" * 1_000_000)
    assert not limits.json_depth_exceeds(json.dumps({"a": "[" * 500, "b": [[1], {"c": "}}}]]"}]}).encode())
    assert not limits.json_depth_exceeds(json.dumps([{"a": [1, {"b": 2}]}] * 5000).encode())
    assert not limits.json_depth_exceeds(b'["\\"[[[[' + b"[" * 100 + b'"]')


def test_deeply_nested_json_is_422(client: TestClient, session: Session):
    """Finding 9: deeply nested JSON reached the parser's recursion limit."""
    official = token_for(make_user(session, Role.official))
    for body in (b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 5_000 + b"1" + b"}" * 5_000):
        r = client.post("/api/v1/projects", content=body, headers={**official, "content-type": "application/json"})
        assert r.status_code == 422 and r.json()["code"] == "too_deep", r.text[:200]


def test_body_over_the_cap_is_413_before_anyone_reads_it(client: TestClient, session: Session):
    from core.settings import get_settings

    cap = get_settings().max_body_bytes
    official = token_for(make_user(session, Role.official))
    big = b'{"title_ko": "' + b"x" * cap + b'"}'
    r = client.post("/api/v1/projects", content=big, headers={**official, "content-type": "application/json"})
    assert r.status_code == 413 and r.json()["code"] == "payload_too_large" and _is_error_body(r.json())

    def chunks():  # no Content-Length: the cap applies while the body streams in
        for _ in range(cap // 65536 + 2):
            yield b"x" * 65536

    r = client.post("/api/v1/auth/token", content=chunks(),
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413


def test_a_form_has_a_tighter_cap():
    """A login form of 100,000 Hangul characters took ~0.3 s to decode (bench hardening): forms stop at 64 KiB."""
    from server import create_app

    client = TestClient(create_app(with_dashboard=False))
    r = client.post("/api/v1/auth/token", data={"username": "가" * 100_000, "password": "x"})
    assert r.status_code == 413 and f"{limits.MAX_FORM_BYTES:,}" in r.json()["detail"]
    r = client.post("/api/v1/auth/token", data={"username": "가" * 1_000, "password": "x"})
    assert r.status_code == 422 and r.json()["field"] == "username"


def test_a_body_under_the_cap_reaches_the_route_intact(client: TestClient, session: Session):
    official = token_for(make_user(session, Role.official))
    program = make_program(session)
    r = client.post("/api/v1/projects", headers=official,
                    json={"program_id": program.id, "code": "N-1", "field_code": "HEALTH", "call_type": "designated",
                          "title_ko": "새 과제", "ceiling_krw": 1_000_000_000})
    assert r.status_code in (201, 404, 409, 422), r.text  # the route answered, about its own content
    assert r.json().get("code") not in ("payload_too_large", "too_deep", "invalid_body")


# --------------------------------------------------------------------------- dashboard callbacks and docs


@pytest.fixture(scope="module")
def full_app_client() -> TestClient:
    from server import create_app

    return TestClient(create_app(with_dashboard=True), raise_server_exceptions=False)


@pytest.mark.parametrize(("body", "content_type"), [
    (b"hello", "text/plain"),
    (b'{"output": "x"', "application/json"),
    (b"[1, 2]", "application/json"),
    (b'{"output": "no-such-output.children", "inputs": [], "state": []}', "application/json"),
    (b'{"output": "page-content.children", "inputs": "x"}', "application/json"),
    # a known callback with too few inputs or outputs: Dash indexed past them and answered 500
    (b'{"output": "..shell-nav.children...shell-page.children..", "outputs": [], "inputs": [], "state": []}',
     "application/json"),
])
def test_malformed_dash_callback_is_4xx_not_500(full_app_client: TestClient, body: bytes, content_type: str):
    """Finding 9: a Dash callback posted as text/plain was a 500."""
    r = full_app_client.post("/dashboard/_dash-update-component", content=body,
                             headers={"content-type": content_type})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid_callback" and _is_error_body(r.json())


def test_docs_and_redoc_use_only_local_assets(full_app_client: TestClient):
    """Finding 10: /docs loaded Swagger UI from a CDN and was blank without internet."""
    for page in ("/docs", "/redoc"):
        r = full_app_client.get(page)
        assert r.status_code == 200
        urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", r.text)
        assert urls, page
        for url in urls:
            assert url.startswith("/"), (page, url)
        assert "cdn." not in r.text and "fonts.googleapis" not in r.text and "http://" not in r.text \
            and "https://" not in r.text, page
        for url in urls:
            asset = full_app_client.get(url)
            assert asset.status_code == 200 and len(asset.content) > 0, url
    js = full_app_client.get("/static/docs/swagger-ui-bundle.js")
    assert "SwaggerUIBundle" in js.text[:2000] and js.headers["content-type"].startswith(("text/javascript",
                                                                                           "application/javascript"))
    assert "Redoc" in full_app_client.get("/static/docs/redoc.standalone.js").text[:2000]


def test_a_well_formed_dash_callback_still_passes_the_guard(full_app_client: TestClient):
    deps = full_app_client.get("/dashboard/_dash-dependencies").json()
    shell = next(d for d in deps if d["output"] == "..shell-nav.children...shell-page.children..")
    body = {"output": shell["output"], "changedPropIds": ["shell-url.pathname"], "state": [],
            "outputs": [{"id": "shell-nav", "property": "children"}, {"id": "shell-page", "property": "children"}],
            "inputs": [{"id": i["id"], "property": i["property"], "value": "/dashboard/login" if i["property"] ==
                        "pathname" else None} for i in shell["inputs"]]}
    r = full_app_client.post("/dashboard/_dash-update-component", json=body)
    assert r.status_code == 200 and "shell-nav" in r.json()["response"]
