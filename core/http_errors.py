"""The one error shape of the API, its exception handlers and its place in the OpenAPI.

Every 4xx and 5xx answer of the API is an `ErrorBody`:

    {"code": "invalid_input", "detail": "a sentence for a person",
     "field": "scores.0.points" | null, "errors": [{"field", "reason", "row", "column"}] | null}

- `code` is stable and meant for programs; `detail` is a human sentence (its texts live in
  `MESSAGES` below, so they can be localised in one place).
- The invalid input is never echoed back (a lone surrogate in an echoed value made the JSON
  encoder fail with a 500), nor is a traceback: an unexpected exception is logged with an id
  and answered with a generic 500 that quotes that id.
- `install(app)` registers the handlers; `document_errors(app)` adds the error responses to
  every API route of the OpenAPI (call it after every router is included).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.utils import create_model_field
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import DomainError

log = logging.getLogger("grants.errors")

# The longest `field` or `reason` we send back: a hostile key of 100,000 characters is not echoed.
MAX_TEXT = 200

# Every sentence the error layer itself writes (domain errors bring their own message).
MESSAGES: dict[str, str] = {
    "bad_request": "The request could not be understood.",
    "not_authenticated": "Not authenticated or token expired.",
    "forbidden": "You may not do this.",
    "not_found": "Nothing was found at this address.",
    "method_not_allowed": "This address does not accept that method.",
    "conflict": "The request conflicts with the stored data.",
    "payload_too_large": "The request body is larger than the limit of {limit} bytes.",
    "unsupported_media_type": "This content type is not accepted here.",
    "invalid_input": "The input is invalid: {field}{reason}",
    "invalid_input_more": " (and {more} more problem(s))",
    "invalid_body": "The request body could not be read as {kind}.",
    "too_deep": "The JSON body is nested more than {limit} levels deep.",
    "out_of_range": "A value is out of range or not storable: {field}",
    "integrity": "The request conflicts with the stored data (a duplicate or a missing reference).",
    "too_many_requests": "Too many requests; try again later.",
    "internal_error": "An unexpected error occurred. It has been logged with reference {error_id}.",
    "http_error": "The request failed.",
}

# Status code → the `code` used when the raiser gave none (HTTPException from FastAPI or core.auth).
CODE_FOR_STATUS: dict[int, str] = {
    400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type",
    422: "invalid_input", 429: "too_many_requests", 500: "internal_error",
}


def message(code: str, **values: Any) -> str:
    """The sentence for `code`, filled with `values`."""
    return MESSAGES[code].format(**values)


class ErrorItem(BaseModel):
    """One problem among several: the field (or row and column of a file) and the reason."""

    field: str | None = None
    reason: str
    row: int | None = None
    column: str | None = None


class ErrorBody(BaseModel):
    """The body of every error answer of the API."""

    code: str = Field(description="stable machine-readable code, e.g. not_found, invalid_input, limit_exceeded")
    detail: str = Field(description="a sentence for a person")
    field: str | None = Field(None, description="the field the error is about, when there is one")
    errors: list[ErrorItem] | None = Field(None, description="every problem, when there are several")


def clean(text: Any, limit: int = MAX_TEXT) -> str:
    """`text` as a string that JSON can always encode: lone surrogates replaced, cut at `limit`."""
    s = str(text)
    if len(s) > limit:
        s = s[:limit] + "…"
    return s.encode("utf-8", "replace").decode("utf-8")


def error_response(status_code: int, code: str, detail: str, *, field: str | None = None,
                   errors: Sequence[dict[str, Any]] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSONResponse in the one error shape (every text cleaned so encoding cannot fail)."""
    items = None
    if errors:
        items = [_item(e) for e in errors]
    body = ErrorBody(code=clean(code), detail=clean(detail, 2000),
                     field=None if field is None else clean(field), errors=items)
    return JSONResponse(status_code=status_code, content=body.model_dump(), headers=headers)


def _item(e: dict[str, Any]) -> ErrorItem:
    row = e.get("row")
    return ErrorItem(field=None if e.get("field") is None else clean(e["field"]),
                     reason=clean(e.get("reason", e.get("detail", "")), 500),
                     row=row if isinstance(row, int) and not isinstance(row, bool) else None,
                     column=None if e.get("column") is None else clean(e["column"]))


# --------------------------------------------------------------------------- handlers


def _loc_field(loc: Sequence[Any]) -> str | None:
    """('body', 'scores', 0, 'points') → 'scores.0.points'; ('query', 'offset') → 'offset'."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or None


def validation_errors(raw: Sequence[Any]) -> list[dict[str, Any]]:
    """Pydantic/FastAPI error dicts → [{field, reason}], without the offending input."""
    out = []
    for err in raw:
        reason = err.get("msg", "invalid value") if isinstance(err, dict) else str(err)
        field = _loc_field(err.get("loc", ())) if isinstance(err, dict) else None
        out.append({"field": field, "reason": reason})
    return out


def _invalid(errors: list[dict[str, Any]]) -> JSONResponse:
    first = errors[0] if errors else {"field": None, "reason": ""}
    field = first["field"]
    detail = message("invalid_input", field=f"{clean(field)}: " if field else "", reason=clean(first["reason"]))
    if len(errors) > 1:
        detail += message("invalid_input_more", more=len(errors) - 1)
    return error_response(422, "invalid_input", detail, field=field, errors=errors)


async def _on_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    errors = validation_errors(exc.errors())
    if any(isinstance(e, dict) and e.get("type") == "json_invalid" for e in exc.errors()):
        return error_response(422, "invalid_body", message("invalid_body", kind="JSON"), errors=errors)
    return _invalid(errors)


async def _on_domain(_: Request, exc: DomainError) -> JSONResponse:
    errors = exc.details if isinstance(exc.details, list) and all(isinstance(d, dict) for d in exc.details) \
        else None
    return error_response(exc.status_code, exc.code, exc.message, field=exc.field, errors=errors)


async def _on_http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    status_code = exc.status_code
    code = CODE_FOR_STATUS.get(status_code, "http_error")
    detail: Any = exc.detail
    field = None
    if isinstance(detail, dict):  # a raiser that already speaks the shape
        code, field, detail = detail.get("code", code), detail.get("field"), detail.get("detail", "")
    if status_code == 400:
        # FastAPI answers an unparseable body (e.g. too deep for its parser) with 400: it is invalid input.
        status_code, code, detail = 422, "invalid_body", message("invalid_body", kind="the declared content type")
    if not isinstance(detail, str) or not detail or detail == _default_phrase(exc.status_code):
        detail = message(code) if code in MESSAGES and "{" not in MESSAGES[code] else message("http_error")
    return error_response(status_code, code, detail, field=field, headers=getattr(exc, "headers", None))


def _default_phrase(status_code: int) -> str:
    import http

    try:
        return http.HTTPStatus(status_code).phrase
    except ValueError:
        return ""


async def _on_data_error(request: Request, exc: DataError) -> JSONResponse:
    # Last line of defence: a value that slipped past its schema and does not fit its column.
    log.warning("data error on %s %s: %s", request.method, request.url.path, str(exc.orig)[:300])
    return error_response(422, "out_of_range", message("out_of_range", field="a value does not fit its column"))


async def _on_integrity_error(request: Request, exc: IntegrityError) -> JSONResponse:
    log.warning("integrity error on %s %s: %s", request.method, request.url.path, str(exc.orig)[:300])
    return error_response(409, "conflict", message("integrity"))


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    error_id = uuid.uuid4().hex[:12]
    log.error("unexpected error %s on %s %s", error_id, request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", message("internal_error", error_id=error_id),
                          headers={"X-Error-Id": error_id})


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into the one shape."""
    app.add_exception_handler(RequestValidationError, _on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(DomainError, _on_domain)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _on_http)  # type: ignore[arg-type]
    app.add_exception_handler(DataError, _on_data_error)  # type: ignore[arg-type]
    app.add_exception_handler(IntegrityError, _on_integrity_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _on_unexpected)


# --------------------------------------------------------------------------- OpenAPI

DESCRIPTIONS: dict[int, str] = {
    401: "Not authenticated, or the token expired",
    403: "The caller's role may not do this",
    404: "A referenced record does not exist",
    409: "Conflicts with the stored data or would exceed a limit",
    413: "The request body is too large",
    422: "Invalid input: names the field and the reason",
    429: "Too many attempts; see Retry-After",
}
# Routes that check credentials themselves (login: 401 on a wrong password) and throttle callers (429).
CREDENTIAL_PATHS = {"/api/v1/auth/token", "/api/v1/auth/password"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def api_routes(app: FastAPI) -> list[Any]:
    """Every documented API route of `app`, as FastAPI's route contexts (full path, dependant, methods).

    FastAPI keeps included routers lazily (`app.routes` holds the routers, not their routes);
    `iter_route_contexts` resolves each route with its router's prefix and dependencies.
    """
    out = []
    for ctx in iter_route_contexts(app.routes):
        if isinstance(ctx.original_route, APIRoute) and ctx.include_in_schema:
            out.append(ctx)
    return out


def auth_dependencies(route: Any) -> list[Any]:
    """The callables of `route`'s dependency tree that check the caller (core.auth)."""
    from core import auth

    found, stack = [], [route.dependant]
    while stack:
        dep = stack.pop()
        qualname = getattr(dep.call, "__qualname__", "")
        if dep.call in (auth.current_user, auth.oauth2_scheme) or qualname.startswith(
                ("require_roles.", "require_roles_on_loop.")):
            found.append(dep.call)
        stack.extend(dep.dependencies)
    return found


def _needs_auth(route: Any) -> bool:
    return bool(auth_dependencies(route))


def error_statuses(route: Any) -> list[int]:
    """The error statuses `route` can answer with (documented with ErrorBody)."""
    dependant = route.dependant
    has_input = bool(dependant.path_params or dependant.query_params or dependant.header_params
                     or dependant.cookie_params or route.body_field is not None)
    statuses: list[int] = []
    if _needs_auth(route):
        statuses += [401, 403]
    if route.path in CREDENTIAL_PATHS:
        statuses += [401, 429]
    if has_input or _needs_auth(route):
        statuses.append(404)
    if (route.methods or set()) & WRITE_METHODS:
        statuses.append(409)
    if route.body_field is not None:
        statuses.append(413)
    if has_input or route.body_field is not None:
        statuses.append(422)
    # A status the route already declares (e.g. 429 on a throttled route) gets the shape too.
    statuses += [int(s) for s in route.responses if str(s).isdigit() and 400 <= int(s) < 600]
    return sorted(set(statuses))


def document_errors(app: FastAPI) -> None:
    """Add the error responses, with ErrorBody, to every API route (after the routers are included).

    Both the route as declared (so a rebuilt context keeps it) and its resolved context (which the
    OpenAPI generator reads) are updated.
    """
    for ctx in api_routes(app):
        declared: APIRoute = ctx.original_route
        for status_code in error_statuses(ctx):
            for responses, fields in ((ctx.responses, ctx.response_fields),
                                      (declared.responses, declared.response_fields)):
                entry = dict(responses.pop(str(status_code), None) or responses.get(status_code) or {})
                entry["model"] = ErrorBody
                entry.setdefault("description", DESCRIPTIONS.get(status_code, "Error"))
                responses[status_code] = entry
                fields[status_code] = create_model_field(
                    name=f"Response_{status_code}_{ctx.unique_id}", type_=ErrorBody, mode="serialization")
    app.openapi_schema = None
