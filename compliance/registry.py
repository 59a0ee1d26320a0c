"""The registry of compliance checks: a new check is one decorated function (one registry line).

    @check("DLV-01", "계약 물량 미달", "Delivered volume below contract", Severity.high,
           rule="built items ≥ delivery_min_ratio × contracted volume", domain="delivery")
    def volume_shortfall(self: Check, ctx: CheckContext) -> Iterable[Finding]:
        for s in ...:
            yield self.finding(message=..., subject=f"data_type:{s.data_type_id}", evidence=[{...}])

A check reads through the domain services (or, where a service has no such function, a
read-only query of the owning domain, e.g. budgeting/queries.py) and yields findings. It takes the
date to judge by from `ctx.today`, never from the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from sqlmodel import Session

from compliance.models import CheckInfo, Finding, Severity
from core.errors import NotFound
from program import service as program_service
from program.models import Program, ProgramRules


@dataclass
class CheckContext:
    """What every check gets: the session, the date to judge by and the programme scope (None = all)."""

    session: Session
    today: date
    program_id: int | None = None
    cache: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def programs(self) -> list[Program]:
        if self.program_id is not None:
            try:
                return [program_service.get_program(self.session, self.program_id)]
            except NotFound:
                return []
        return sorted(program_service.list_programs(self.session), key=lambda p: p.id or 0)

    @property
    def program_ids(self) -> list[int]:
        return [p.id for p in self.programs if p.id is not None]

    def rules(self, program_id: int) -> ProgramRules:
        for p in self.programs:
            if p.id == program_id:
                return p.rules
        return program_service.get_program(self.session, program_id).rules

    def memo(self, key: str, make: Callable[[], Any]) -> Any:
        """Share an expensive service result between checks of one run (e.g. delivery statuses)."""
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]




@dataclass(frozen=True)
class Check:
    id: str
    title_ko: str
    title_en: str
    severity: Severity
    rule: str
    domain: str
    fn: Callable[[Check, CheckContext], Iterable[Finding]]

    def run(self, ctx: CheckContext) -> list[Finding]:
        return list(self.fn(self, ctx))

    def info(self) -> CheckInfo:
        return CheckInfo(id=self.id, title_ko=self.title_ko, title_en=self.title_en, severity=self.severity,
                         rule=self.rule, domain=self.domain)

    def finding(self, *, message: str, subject: str, evidence: list[dict[str, Any]], **kw: Any) -> Finding:
        """A finding of this check (ids, titles and severity filled in)."""
        return Finding(check_id=self.id, severity=self.severity, title_ko=self.title_ko, title_en=self.title_en,
                       message=message, subject=subject, evidence=evidence, **kw)


REGISTRY: dict[str, Check] = {}


def check(check_id: str, title_ko: str, title_en: str, severity: Severity, *, rule: str,
          domain: str) -> Callable[[Callable[[Check, CheckContext], Iterable[Finding]]], Check]:
    """Register a check. The function receives its own `Check` (for `.finding(...)`) and the context."""

    def register(fn: Callable[[Check, CheckContext], Iterable[Finding]]) -> Check:
        if check_id in REGISTRY:
            raise ValueError(f"check id {check_id} registered twice")
        c = Check(check_id, title_ko, title_en, severity, rule, domain, fn)
        REGISTRY[check_id] = c
        return c

    return register


def load_checks() -> dict[str, Check]:
    """Import every check module (registration happens on import) and return the registry."""
    from compliance import checks_delivery, checks_evaluation, checks_money, checks_people, checks_system  # noqa: F401

    return dict(sorted(REGISTRY.items()))
