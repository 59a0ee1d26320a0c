"""Every message a person reads renders in Korean (default) and English; API errors follow Accept-Language."""

from __future__ import annotations

import re
import string
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

import schema  # noqa: F401 - every domain's models, hence every labels.py
from core import http_errors, i18n  # noqa: F401 - http_errors registers the error layer's own sentences
from core.errors import Conflict, RuleViolation, Term
from core.models import Role
from tests.builders import make_user, token_for

SAMPLE = {"won": 1_234_000, "krw": 1_234_000_000, "n": 12_345, "date": date(2022, 11, 14), "pct": Decimal("0.929")}
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
# Words allowed in Korean sentences: file formats and units a Korean official writes in Latin letters.
ALLOWED = {"CSV", "XLSX", "PDF", "JSON", "UTF", "CP949", "ID", "KRW", "API", "URL", "HWP", "zip", "xlsx", "csv"}


def _sample_params(template: str) -> dict[str, object]:
    params: dict[str, object] = {}
    for _, name, spec, _ in string.Formatter().parse(template):
        if name:
            params[name] = SAMPLE.get(spec or "", 7 if spec and spec[:1].isdigit() else "가나다")
    return params


def _korean_problems(text: str) -> list[str]:
    # a command-line option (--reset) is typed as it is, not translated
    problems = [w for w in ENGLISH_WORD.findall(re.sub(r"--[a-z][a-z-]*", "", text)) if w not in ALLOWED]
    if "_id" in text:
        problems.append("_id")
    if "=" in text:
        problems.append("=")
    return problems


def _keys() -> list[str]:
    return i18n.message_keys()


def test_there_are_messages_of_every_domain():
    prefixes = {k.split(".")[0] for k in _keys()}
    assert {"program", "scoring", "budget", "http", "bounded", "auth", "password", "error"} <= prefixes


@pytest.mark.parametrize("key", _keys())
def test_every_message_renders_in_both_languages_with_no_code_in_the_korean(key):
    ko_template, en_template = i18n._MESSAGES[key]
    params = {**_sample_params(en_template), **_sample_params(ko_template)}
    ko, en = i18n.render(key, params, "ko"), i18n.render(key, params, "en")
    assert ko and en
    if ENGLISH_WORD.search(ko_template) or re.search("[\uac00-\ud7a3]", ko_template):  # not a bare '–'
        assert re.search("[\uac00-\ud7a3]", ko), f"{key}: the Korean has no Hangul: {ko!r}"
    assert _korean_problems(ko) == [], f"{key}: {ko!r}"


def test_a_domain_error_renders_per_language_and_labels_its_codes():
    exc = Conflict("program.err.not_open_for_proposals", code="2021-D-LANG-001",
                   status=Term("project_status", "awarded"))
    assert exc.render("ko") == ("과제 2021-D-LANG-001은(는) 현재 협약 체결 상태라 제안서를 받지 않습니다. "
                                "제안서는 공모 중에만 접수합니다.")
    assert "is not open for proposals (status Awarded)" in exc.render("en")
    assert exc.message == exc.render("ko") and str(exc) == exc.render("en")


def test_an_unconverted_english_message_never_reaches_a_korean_reader():
    exc = RuleViolation("some English sentence from a rule")
    assert exc.render("en") == "some English sentence from a rule"
    assert exc.render("ko") == "입력이 사업 규칙에 맞지 않습니다."


def test_an_error_response_is_korean_by_default_and_english_on_request(client: TestClient, session: Session):
    official = token_for(make_user(session, Role.official))
    ko = client.get("/api/v1/projects/999999", headers=official)
    en = client.get("/api/v1/projects/999999", headers={**official, "Accept-Language": "en-US,en;q=0.9"})
    assert ko.status_code == en.status_code == 404
    assert ko.json()["code"] == en.json()["code"] == "not_found"  # the code stays machine-readable
    assert re.search("[\uac00-\ud7a3]", ko.json()["detail"]) and _korean_problems(ko.json()["detail"]) == []
    assert en.json()["detail"] == "project 999999 does not exist"
    unauth_ko = client.get("/api/v1/projects")
    unauth_en = client.get("/api/v1/projects", headers={"Accept-Language": "en"})
    assert unauth_ko.json()["detail"] == "로그인하지 않았거나 로그인이 만료되었습니다."
    assert unauth_en.json()["detail"] == "Not authenticated or token expired"


def test_a_validation_reason_is_korean(client: TestClient, session: Session):
    official = token_for(make_user(session, Role.official))
    r = client.get("/api/v1/projects", params={"offset": "abc"}, headers=official)
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    assert r.json()["errors"][0] == {"field": "offset", "reason": "정수여야 합니다", "row": None, "column": None}
    assert r.json()["detail"] == "입력이 올바르지 않습니다: offset: 정수여야 합니다"
    r = client.get("/api/v1/projects", params={"offset": "-1"}, headers=official)
    assert r.json()["errors"][0]["reason"] == "0 이상이어야 합니다"
    r = client.get("/api/v1/projects", params={"offset": "abc"}, headers={**official, "Accept-Language": "en"})
    assert "valid integer" in r.json()["errors"][0]["reason"]


@pytest.mark.parametrize("err,expected", [
    ({"type": "missing", "msg": "Field required"}, "필수 항목입니다"),
    ({"type": "string_too_long", "msg": "String should have at most 200 characters", "ctx": {"max_length": 200}},
     "200자 이하여야 합니다"),
    ({"type": "string_too_short", "msg": "String should have at least 1 character", "ctx": {"min_length": 1}},
     "비워 둘 수 없습니다"),
    ({"type": "less_than_equal", "msg": "Input should be less than or equal to 15.00", "ctx": {"le": "15.00"}},
     "15.00 이하여야 합니다"),
    ({"type": "extra_forbidden", "msg": "Extra inputs are not permitted"}, "허용되지 않는 항목입니다"),
    ({"type": "some_future_type", "msg": "whatever"}, "값이 올바르지 않습니다"),
])
def test_pydantic_reasons_in_korean(err, expected):
    from core.http_errors import reason

    assert reason(err, "ko") == expected
    assert reason(err, "en") == err["msg"]


def test_bounded_reasons_are_korean_through_pydantic():
    from pydantic import TypeAdapter, ValidationError

    from core.bounded import Points, ShortText
    from core.http_errors import reason

    cases = ((Points, "1.234", "소수점 아래는 최대 2자리입니다"),
             (Points, True, "참/거짓이 아니라 숫자를 입력해야 합니다"),
             (ShortText, "a\x01b", "제어 문자가 들어 있습니다"))
    for kind, value, ko in cases:
        with pytest.raises(ValidationError) as exc:
            TypeAdapter(kind).validate_python(value)
        assert reason(exc.value.errors()[0], "ko") == ko


def test_a_score_out_of_range_is_explained_in_korean():
    exc = RuleViolation("scoring.err.score_range", code="BUILD", name="구축 계획", points=Decimal("25.5"),
                        max=Decimal("15.00"), step=Decimal("0.5"))
    assert exc.render("ko") == "평가 항목 BUILD(구축 계획): 25.5점은 0점에서 15.00점 사이여야 합니다."
    assert exc.render("en") == "criterion BUILD (구축 계획): 25.5 must be between 0 and 15.00"


def test_the_login_form_leaves_empty_fields_to_the_server_and_says_so_in_korean(monkeypatch):
    """The browser's own 'Please fill out this field' (in the browser's language) must not show."""
    from dash import html

    from dashboard.pages import login

    monkeypatch.setattr(login.access, "csrf_token", lambda: "token")  # outside a request

    def walk(node):
        yield node
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list) else [children] if children is not None else []:
            if hasattr(child, "to_plotly_json"):
                yield from walk(child)

    page = login.layout(None, "ko", {"error": "1"})
    forms = [n for n in walk(page) if isinstance(n, html.Form)]
    assert len(forms) == 1 and forms[0].noValidate is True
    error = next(n for n in walk(page) if getattr(n, "id", None) == "login-error")
    assert error.children == "아이디 또는 비밀번호가 올바르지 않습니다."
    english = next(n for n in walk(login.layout(None, "en", {"error": "1"})) if getattr(n, "id", None) == "login-error")
    assert english.children == "Incorrect username or password."
