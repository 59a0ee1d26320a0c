"""Words a person reads, in Korean (default) and English: one mechanism for every domain.

Two catalogues, each filled by the domain that owns the words (its own `labels.py`
module calls `register_codes` / `register_messages` at import time), never by a
shared file everybody edits:

- **codes**: a status, outcome, kind or category stored as a code (`submitted`,
  `designated`, `labour`) → its label. `code_label("proposal_status", "submitted", "ko")`.
  An unknown code renders as a neutral placeholder in Korean, never as the raw code.
- **messages**: a sentence built from structured data. A domain keeps the key and
  the parameters (`{"key": "hire.short", "params": {...}}`), and the person's
  language decides the words at the last moment: `render(key, params, lang)`.
  Placeholders take a format spec naming the one formatting helper to use:
  `{amount:won}` (1,234,000원), `{amount:krw}` (auto unit), `{n:n}` (thousands
  separators), `{day:date}` (2022. 11. 14. in Korean, 2022-11-14 in English),
  `{ratio:pct}` (a Decimal or float ratio as 92.9%). Plain `{name}` inserts text.

`negotiate(accept_language)` picks the language of an HTTP request: Korean unless the
header prefers English.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from core.money import format_krw

Lang = Literal["ko", "en"]
LANGS: tuple[Lang, ...] = ("ko", "en")
DEFAULT_LANG: Lang = "ko"

_CODES: dict[str, dict[str, tuple[str, str]]] = {}
_MESSAGES: dict[str, tuple[str, str]] = {}

UNKNOWN = ("(미분류)", "(unclassified)")


def as_lang(value: object) -> Lang:
    """Any value → a supported language (unknown → Korean)."""
    return "en" if value == "en" else "ko"


def negotiate(accept_language: str | None) -> Lang:
    """The language an `Accept-Language` header prefers among ours; Korean by default.

    Quality values are honoured (`ko;q=0.5, en` → en); a malformed header is Korean.
    """
    if not accept_language:
        return DEFAULT_LANG
    best: tuple[float, int, Lang] | None = None
    for position, part in enumerate(accept_language[:200].split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                continue
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGS or not 0 < q <= 1:
            continue
        candidate = (q, -position, as_lang(primary))
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else DEFAULT_LANG


# --- codes --------------------------------------------------------------------------------------

def register_codes(group: str, labels: Mapping[str, tuple[str, str]]) -> None:
    """Add (or extend) a group of code labels: `{code: (korean, english)}`."""
    _CODES.setdefault(group, {}).update(labels)


def code_label(group: str, code: object, lang: str = DEFAULT_LANG) -> str:
    """The label of a stored code. Enum members are read by value. None → '–'."""
    if code is None:
        return "–"
    key = str(getattr(code, "value", code))
    pair = _CODES.get(group, {}).get(key)
    if pair is None:
        return UNKNOWN[0] if as_lang(lang) == "ko" else key
    return pair[0] if as_lang(lang) == "ko" else pair[1]


def code_groups() -> dict[str, dict[str, tuple[str, str]]]:
    """Every registered group (for tests and the glossary)."""
    return {group: dict(labels) for group, labels in _CODES.items()}


# --- messages -----------------------------------------------------------------------------------

def register_messages(templates: Mapping[str, tuple[str, str]]) -> None:
    """Add message templates: `{key: (korean template, english template)}`."""
    for key, pair in templates.items():
        for template in pair:
            _check_template(key, template)
    _MESSAGES.update(templates)


def has_message(key: str) -> bool:
    return key in _MESSAGES


def message_keys() -> list[str]:
    return sorted(_MESSAGES)


def render(key: str, params: Mapping[str, Any] | None = None, lang: str = DEFAULT_LANG) -> str:
    """The sentence for `key` in `lang`, its placeholders filled from `params`."""
    pair = _MESSAGES.get(key)
    if pair is None:
        raise KeyError(f"no message {key!r}")
    template = pair[0] if as_lang(lang) == "ko" else pair[1]
    return _Formatter(as_lang(lang)).vformat(template, (), dict(params or {}))


def format_date(day: date | datetime | None, lang: str = DEFAULT_LANG) -> str:
    """A date as an official Korean document writes it (2022. 11. 14.), or ISO in English."""
    if day is None:
        return "–"
    if isinstance(day, datetime):
        day = day.date()
    if as_lang(lang) == "ko":
        return f"{day.year}. {day.month}. {day.day}."
    return day.isoformat()


def format_pct(value: Decimal | float | None, decimals: int = 1) -> str:
    if value is None:
        return "–"
    return f"{float(value) * 100:.{decimals}f}%"


class _Formatter(string.Formatter):
    def __init__(self, lang: Lang) -> None:
        super().__init__()
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "won":
            return format_krw(int(value), "won") if value is not None else "–"
        if format_spec == "krw":
            return format_krw(int(value)) if value is not None else "–"
        if format_spec == "n":
            return f"{value:,}" if value is not None else "–"
        if format_spec == "date":
            return format_date(value, self.lang)
        if format_spec == "pct":
            return format_pct(value)
        if value is None:
            return "–"
        return super().format_field(value, format_spec)


def _check_template(key: str, template: str) -> None:
    for _, field, spec, _ in string.Formatter().parse(template):
        spec = spec or ""
        if field is not None and spec not in ("", "won", "krw", "n", "date", "pct") and not spec[:1].isdigit() \
                and not spec.startswith((".", ",")):
            raise ValueError(f"message {key!r}: unknown format spec {spec!r}")
