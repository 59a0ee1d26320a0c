"""Domain errors raised by services; one handler in the app turns them into HTTP responses.

A service names its message by key and gives the structured data, never a finished sentence:

    raise LimitExceeded("budget.grant_over_ceiling", field="grant_krw", ceiling=3_000_000_000, over=1)

The key's Korean and English templates are registered by the domain's `labels.py`
(`core.i18n.register_messages`); the person's language picks the words at the last moment
(`exc.render(lang)`: the API handler negotiates `Accept-Language`, the CLI reads `--lang`).
A parameter that is a stored code is passed as `Term(group, code)` and rendered with its label.

Legacy form: a message that is not a registered key is kept as the English text; in Korean the
error's code gives a generic Korean sentence (so no English reaches a Korean reader).
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from core import i18n, labels  # noqa: F401 - labels registers core's own messages

_HANGUL = re.compile("[\uac00-\ud7a3]")


class Term(NamedTuple):
    """A stored code among an error's parameters, rendered with its label in the reader's language."""

    group: str
    code: Any


class InvalidValue(ValueError):
    """A validation reason with a message key (raised inside pydantic validators, e.g. core.bounded).

    Pydantic keeps the exception in the error's `ctx["error"]`; core.http_errors renders its key.
    `str()` is the English sentence, so pydantic's own `msg` stays readable.
    """

    def __init__(self, key: str, **params: Any):
        self.key, self.params = key, params
        super().__init__(render_params(key, params, "en"))

    def render(self, lang: str = i18n.DEFAULT_LANG) -> str:
        return render_params(self.key, self.params, lang)


def render_params(key: str, params: dict[str, Any], lang: str) -> str:
    """`i18n.render` with `Term` parameters replaced by their labels (and lists of them joined)."""
    values: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, Term):
            value = i18n.code_label(value.group, value.code, lang)
        elif hasattr(value, "render") and callable(value.render):  # an InvalidValue, a DomainError, a pydantic reason
            value = value.render(lang)
        elif isinstance(value, list | tuple) and value and all(isinstance(v, Term) for v in value):
            value = ", ".join(i18n.code_label(v.group, v.code, lang) for v in value)
        values[name] = value
    return i18n.render(key, values, lang)


# Korean for an error raised with an English sentence instead of a key (by its code).
i18n.register_messages({
    "error.domain_error": ("요청을 처리할 수 없습니다.", "The request cannot be processed."),
    "error.not_found": ("요청한 항목을 찾을 수 없습니다.", "Nothing was found."),
    "error.forbidden": ("이 작업을 할 권한이 없습니다.", "You may not do this."),
    "error.conflict": ("요청이 현재 저장된 상태와 맞지 않아 처리할 수 없습니다.",
                       "The request conflicts with the current state."),
    "error.limit_exceeded": ("한도를 초과하여 처리할 수 없습니다.", "A limit would be exceeded."),
    "error.rule_violation": ("입력이 사업 규칙에 맞지 않습니다.", "The input breaks a programme rule."),
    "error.too_many_attempts": ("시도가 너무 많습니다. 잠시 후 다시 시도하세요.",
                                "Too many attempts; try again later."),
    "error.busy": ("서버가 바쁩니다. 잠시 후 다시 시도하세요.", "The server is busy; try again shortly."),
})


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status_code = 400
    code = "domain_error"

    def __init__(self, message: str, *, field: str | None = None, details: Any = None, **params: Any):
        super().__init__(message)
        self.text = message
        self.params = params
        self.field = field
        self.details = details

    @property
    def key(self) -> str | None:
        """The message key, when the error was raised with a registered one."""
        return self.text if i18n.has_message(self.text) else None

    def render(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """The sentence in `lang` (Korean by default)."""
        key = self.key
        if key is not None:
            return render_params(key, self.params, lang)
        if i18n.as_lang(lang) == "ko" and not _HANGUL.search(self.text):
            generic = f"error.{self.code}"
            return i18n.render(generic if i18n.has_message(generic) else "error.domain_error", {}, "ko")
        return self.text

    @property
    def message(self) -> str:
        """The sentence in the default language (Korean)."""
        return self.render(i18n.DEFAULT_LANG)

    def __str__(self) -> str:
        # English, for logs and tracebacks.
        return self.render("en")

    def to_dict(self, lang: str = i18n.DEFAULT_LANG) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "detail": self.render(lang)}
        if self.field is not None:
            body["field"] = self.field
        if self.details is not None:
            body["details"] = self.details
        return body


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class Conflict(DomainError):
    """The request clashes with the current state (locked sheet, duplicate, stale)."""

    status_code = 409
    code = "conflict"


class LimitExceeded(Conflict):
    """A money limit (programme total, envelope, ceiling, budget line) would be exceeded."""

    code = "limit_exceeded"


class RuleViolation(DomainError):
    """The input breaks a programme rule; names the field and the rule."""

    status_code = 422
    code = "rule_violation"
