"""Domain errors raised by services; one handler in the app turns them into HTTP responses."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status_code = 400
    code = "domain_error"

    def __init__(self, message: str, *, field: str | None = None, details: Any = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "detail": self.message}
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
