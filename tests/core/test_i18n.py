"""The shared language mechanism: negotiation, code labels, message rendering."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core import i18n


@pytest.mark.parametrize("header,expected", [
    (None, "ko"), ("", "ko"), ("en", "en"), ("en-US,en;q=0.9", "en"), ("ko-KR,ko;q=0.9,en;q=0.8", "ko"),
    ("ko;q=0.5, en", "en"), ("fr, en;q=0.3", "en"), ("fr", "ko"), ("en;q=abc", "ko"), ("en;q=0", "ko"),
    (",,,;", "ko"), ("x" * 10_000, "ko"),
])
def test_negotiate(header, expected):
    assert i18n.negotiate(header) == expected


def test_code_labels_and_unknown_codes_never_show_raw_in_korean():
    i18n.register_codes("test_status", {"submitted": ("제출", "submitted")})
    assert i18n.code_label("test_status", "submitted", "ko") == "제출"
    assert i18n.code_label("test_status", "submitted", "en") == "submitted"
    assert i18n.code_label("test_status", "mystery_code", "ko") == "(미분류)"
    assert i18n.code_label("test_status", "mystery_code", "en") == "mystery_code"
    assert i18n.code_label("test_status", None, "ko") == "–"


def test_render_formats_money_dates_counts_and_ratios_per_language():
    i18n.register_messages({"test.msg": ("{day:date}까지 {amount:won} 중 {n:n}건 ({r:pct})",
                                         "{n:n} items of {amount:won} by {day:date} ({r:pct})")})
    params = {"day": date(2022, 11, 14), "amount": 3742886, "n": 12345, "r": Decimal("0.929")}
    assert i18n.render("test.msg", params, "ko") == "2022. 11. 14.까지 3,742,886원 중 12,345건 (92.9%)"
    assert i18n.render("test.msg", params, "en") == "12,345 items of 3,742,886원 by 2022-11-14 (92.9%)"


def test_unknown_format_spec_is_refused_at_registration():
    with pytest.raises(ValueError):
        i18n.register_messages({"test.bad": ("{x:wat}", "{x}")})
    with pytest.raises(KeyError):
        i18n.render("test.never-registered", {}, "ko")
