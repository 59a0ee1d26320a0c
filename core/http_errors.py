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
import re
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

from core import i18n
from core.errors import DomainError, InvalidValue

log = logging.getLogger("grants.errors")

# The longest `field` or `reason` we send back: a hostile key of 100,000 characters is not echoed.
MAX_TEXT = 200

# Every sentence the error layer itself writes, in Korean and English (domain errors bring their own
# message key). Rendered through core.i18n as "http.<code>"; the language is the request's
# `Accept-Language` (Korean by default).
MESSAGES: dict[str, tuple[str, str]] = {
    "bad_request": ("요청을 이해할 수 없습니다.", "The request could not be understood."),
    "not_authenticated": ("로그인하지 않았거나 로그인이 만료되었습니다.", "Not authenticated or token expired."),
    "forbidden": ("이 작업을 할 권한이 없습니다.", "You may not do this."),
    "not_found": ("이 주소에서 찾을 수 있는 항목이 없습니다.", "Nothing was found at this address."),
    "method_not_allowed": ("이 주소는 그 요청 방식을 받지 않습니다.", "This address does not accept that method."),
    "conflict": ("요청이 저장된 자료와 맞지 않습니다.", "The request conflicts with the stored data."),
    "payload_too_large": ("요청 본문이 한도({limit:n}바이트)보다 큽니다.",
                          "The request body is larger than the limit of {limit} bytes."),
    "payload_too_large_plain": ("요청 본문이 크기 한도보다 큽니다.", "The request body is too large."),
    "unsupported_media_type": ("이 형식의 내용은 받지 않습니다.", "This content type is not accepted here."),
    "invalid_input": ("입력이 올바르지 않습니다: {field}{reason}", "The input is invalid: {field}{reason}"),
    "invalid_input_more": (" (그 밖에 {more}건의 문제)", " (and {more} more problem(s))"),
    "invalid_body": ("요청 본문을 읽을 수 없습니다({kind}).", "The request body could not be read as {kind}."),
    "too_deep": ("본문의 중첩이 {limit}단계를 넘습니다.", "The JSON body is nested more than {limit} levels deep."),
    "out_of_range": ("값이 범위를 벗어나 저장할 수 없습니다: {field}",
                     "A value is out of range or not storable: {field}"),
    "integrity": ("요청이 저장된 자료와 맞지 않습니다(중복이거나 없는 항목을 가리킵니다).",
                  "The request conflicts with the stored data (a duplicate or a missing reference)."),
    "too_many_requests": ("요청이 너무 많습니다. 잠시 후 다시 시도하세요.", "Too many requests; try again later."),
    "internal_error": ("예기치 않은 오류가 발생했습니다. 참조 번호 {error_id}(으)로 기록되었습니다.",
                       "An unexpected error occurred. It has been logged with reference {error_id}."),
    "http_error": ("요청이 실패했습니다.", "The request failed."),
    # parameters of the sentences above
    "kind.json": ("JSON 형식 오류", "JSON"),
    "kind.declared": ("선언된 형식과 다름", "the declared content type"),
    "field.column": ("값이 저장 칸에 맞지 않습니다", "a value does not fit its column"),
}
i18n.register_messages({f"http.{code}": pair for code, pair in MESSAGES.items()})

# Status code → the `code` used when the raiser gave none (HTTPException from FastAPI or core.auth).
CODE_FOR_STATUS: dict[int, str] = {
    400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type",
    422: "invalid_input", 429: "too_many_requests", 500: "internal_error",
}


def message(code: str, lang: str = i18n.DEFAULT_LANG, **values: Any) -> str:
    """The sentence for `code` in `lang` (Korean by default), filled with `values`."""
    return i18n.render(f"http.{code}", values, lang)


# English details raised as HTTPException (core.auth, FastAPI) → Korean; any other English detail gets the
# Korean sentence of its status code.
HTTP_DETAILS_KO: dict[str, str] = {
    "Not authenticated": "로그인이 필요합니다.",
    "Not authenticated or token expired": "로그인하지 않았거나 로그인이 만료되었습니다.",
    "Incorrect username or password": "아이디 또는 비밀번호가 올바르지 않습니다.",
    "Not Found": "이 주소에서 찾을 수 있는 항목이 없습니다.",
    "Method Not Allowed": "이 주소는 그 요청 방식을 받지 않습니다.",
}
_HANGUL = re.compile("[\uac00-\ud7a3]")


def request_lang(request: Request | None) -> i18n.Lang:
    """The language of `request` (its Accept-Language; Korean by default)."""
    return i18n.negotiate(request.headers.get("accept-language") if request is not None else None)


# --------------------------------------------------------------------------- validation reasons

# Pydantic's error type → the Korean reason, filled from the error's ctx (English keeps pydantic's msg).
REASONS_KO: dict[str, str] = {
    "missing": "필수 항목입니다",
    "missing_argument": "필수 항목입니다",
    "extra_forbidden": "허용되지 않는 항목입니다",
    "string_too_short": "{min_length}자 이상이어야 합니다",
    "string_too_long": "{max_length}자 이하여야 합니다",
    "too_short": "{min_length}개 이상이어야 합니다",
    "too_long": "{max_length}개 이하여야 합니다",
    "greater_than_equal": "{ge} 이상이어야 합니다",
    "greater_than": "{gt}보다 커야 합니다",
    "less_than_equal": "{le} 이하여야 합니다",
    "less_than": "{lt}보다 작아야 합니다",
    "multiple_of": "{multiple_of}의 배수여야 합니다",
    "int_parsing": "정수여야 합니다",
    "int_type": "정수여야 합니다",
    "int_from_float": "소수가 아닌 정수여야 합니다",
    "int_parsing_size": "정수가 너무 큽니다",
    "float_parsing": "숫자여야 합니다",
    "float_type": "숫자여야 합니다",
    "decimal_parsing": "숫자여야 합니다",
    "decimal_type": "숫자여야 합니다",
    "decimal_max_digits": "숫자는 최대 {max_digits}자리입니다",
    "decimal_max_places": "소수점 아래는 최대 {decimal_places}자리입니다",
    "decimal_whole_digits": "소수점 앞은 최대 {whole_digits}자리입니다",
    "finite_number": "유한한 숫자여야 합니다",
    "bool_parsing": "참 또는 거짓이어야 합니다",
    "bool_type": "참 또는 거짓이어야 합니다",
    "string_type": "문자열이어야 합니다",
    "string_unicode": "문자열이어야 합니다",
    "string_pattern_mismatch": "형식이 올바르지 않습니다",
    "date_parsing": "날짜는 2022-11-14 형식이어야 합니다",
    "date_from_datetime_parsing": "날짜는 2022-11-14 형식이어야 합니다",
    "date_from_datetime_inexact": "시각 없이 날짜만 입력해야 합니다",
    "date_type": "날짜는 2022-11-14 형식이어야 합니다",
    "datetime_parsing": "일시 형식이 올바르지 않습니다",
    "datetime_from_date_parsing": "일시 형식이 올바르지 않습니다",
    "datetime_type": "일시 형식이 올바르지 않습니다",
    "time_parsing": "시각 형식이 올바르지 않습니다",
    "literal_error": "허용된 값이 아닙니다",
    "enum": "허용된 값이 아닙니다",
    "list_type": "목록이어야 합니다",
    "tuple_type": "목록이어야 합니다",
    "set_type": "목록이어야 합니다",
    "dict_type": "객체여야 합니다",
    "model_type": "객체여야 합니다",
    "model_attributes_type": "객체여야 합니다",
    "json_invalid": "본문의 형식이 올바르지 않습니다",
    "json_type": "본문의 형식이 올바르지 않습니다",
    "uuid_parsing": "형식이 올바르지 않습니다",
    "url_parsing": "주소 형식이 올바르지 않습니다",
    "value_error": "값이 올바르지 않습니다",
    "assertion_error": "값이 올바르지 않습니다",
}
REASON_FALLBACK_KO = "값이 올바르지 않습니다"


def reason(err: Any, lang: str = i18n.DEFAULT_LANG) -> str:
    """The reason of one pydantic error in `lang`: pydantic's msg in English, Korean from its type and ctx.

    A validator that raised `core.errors.InvalidValue` (core.bounded does) brings its own message key.
    """
    if not isinstance(err, dict):
        return str(err)
    ctx = err.get("ctx") or {}
    raised = ctx.get("error") if isinstance(ctx, dict) else None
    if isinstance(raised, InvalidValue):
        return raised.render(lang)
    if i18n.as_lang(lang) == "en":
        return str(err.get("msg", "invalid value"))
    kind = str(err.get("type", ""))
    if kind in ("string_too_short", "too_short") and ctx.get("min_length") == 1:
        return "비워 둘 수 없습니다"
    template = REASONS_KO.get(kind, REASON_FALLBACK_KO)
    try:
        return template.format(**{k: _ctx_value(v) for k, v in ctx.items()})
    except (KeyError, IndexError, ValueError):
        return REASON_FALLBACK_KO


class ValidationReason:
    """One pydantic error as a message parameter: rendered per language by `reason`."""

    def __init__(self, err: Any):
        self.err = {k: v for k, v in err.items() if k != "input"} if isinstance(err, dict) else err

    def render(self, lang: str = i18n.DEFAULT_LANG) -> str:
        return reason(self.err, lang)

    def __str__(self) -> str:
        return self.render("en")


def _ctx_value(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


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


def validation_errors(raw: Sequence[Any], lang: str = i18n.DEFAULT_LANG) -> list[dict[str, Any]]:
    """Pydantic/FastAPI error dicts → [{field, reason}] in `lang`, without the offending input."""
    out = []
    for err in raw:
        field = _loc_field(err.get("loc", ())) if isinstance(err, dict) else None
        out.append({"field": field, "reason": reason(err, lang)})
    return out


def _invalid(errors: list[dict[str, Any]], lang: str = i18n.DEFAULT_LANG) -> JSONResponse:
    first = errors[0] if errors else {"field": None, "reason": ""}
    field = first["field"]
    detail = message("invalid_input", lang, field=f"{clean(field)}: " if field else "", reason=clean(first["reason"]))
    if len(errors) > 1:
        detail += message("invalid_input_more", lang, more=len(errors) - 1)
    return error_response(422, "invalid_input", detail, field=field, errors=errors)


async def _on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    lang = request_lang(request)
    errors = validation_errors(exc.errors(), lang)
    if any(isinstance(e, dict) and e.get("type") == "json_invalid" for e in exc.errors()):
        return error_response(422, "invalid_body", message("invalid_body", lang, kind=message("kind.json", lang)),
                              errors=errors)
    return _invalid(errors, lang)


def _detail_rows(details: Any, lang: str) -> list[dict[str, Any]] | None:
    """A domain error's `details` as error items; a row's `reason` may be an `InvalidValue` (rendered in `lang`)."""
    if not (isinstance(details, list) and all(isinstance(d, dict) for d in details)):
        return None
    return [{**d, "reason": d["reason"].render(lang)} if isinstance(d.get("reason"), InvalidValue) else d
            for d in details]


async def _on_domain(request: Request, exc: DomainError) -> JSONResponse:
    lang = request_lang(request)
    return error_response(exc.status_code, exc.code, exc.render(lang), field=exc.field,
                          errors=_detail_rows(exc.details, lang))


async def _on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    lang = request_lang(request)
    status_code = exc.status_code
    code = CODE_FOR_STATUS.get(status_code, "http_error")
    detail: Any = exc.detail
    field = None
    if isinstance(detail, dict):  # a raiser that already speaks the shape
        raised = detail.get("error")
        code, field, detail = detail.get("code", code), detail.get("field"), detail.get("detail", "")
        if isinstance(raised, DomainError):  # a domain error carried through an HTTPException (429 + Retry-After)
            detail = raised.render(lang)
    if isinstance(detail, str) and detail and i18n.as_lang(lang) == "ko" and not _HANGUL.search(detail):
        # An English sentence from a raiser (FastAPI, core.auth): its Korean, or the code's Korean sentence.
        known = HTTP_DETAILS_KO.get(detail.rstrip("."))
        detail = known if known else ""
    if status_code == 400:
        # FastAPI answers an unparseable body (e.g. too deep for its parser) with 400: it is invalid input.
        status_code, code, detail = 422, "invalid_body", message("invalid_body", lang,
                                                                 kind=message("kind.declared", lang))
    if not isinstance(detail, str) or not detail or detail == _default_phrase(exc.status_code):
        plain = f"{code}_plain" if f"{code}_plain" in MESSAGES else code
        detail = message(plain, lang) if plain in MESSAGES and "{" not in MESSAGES[plain][0] \
            else message("http_error", lang)
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
    lang = request_lang(request)
    return error_response(422, "out_of_range", message("out_of_range", lang, field=message("field.column", lang)))


async def _on_integrity_error(request: Request, exc: IntegrityError) -> JSONResponse:
    log.warning("integrity error on %s %s: %s", request.method, request.url.path, str(exc.orig)[:300])
    return error_response(409, "conflict", message("integrity", request_lang(request)))


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    error_id = uuid.uuid4().hex[:12]
    log.error("unexpected error %s on %s %s", error_id, request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", message("internal_error", request_lang(request), error_id=error_id),
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
