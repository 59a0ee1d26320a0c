"""The registry of compliance checks: a new check is one decorated function (one registry line).

    @check("DLV-01", "계약 물량 미달", "Delivered volume below contract", Severity.high,
           rule="built items ≥ delivery_min_ratio × contracted volume", domain="delivery")
    def volume_shortfall(self: Check, ctx: CheckContext) -> Iterable[Finding]:
        for s in ...:
            if ctx.in_scope(s.project_id):
                yield self.finding(ctx, "compliance.dlv01", {...}, project_id=s.project_id, evidence=[{...}])

A finding is structured data: a message key registered in compliance/labels.py and its
parameters, evidence rows of the field keys labelled there. `scope="project"` checks judge each
project on its own, so an incremental run (compliance/store.py) re-runs them for the changed
projects only (`ctx.in_scope`); `scope="programme"` checks compare projects with each other
(a distribution, a person on two awards, a ranking) and re-run over the whole programme.

A check reads through the owning domains' functions (budgeting/queries.py, program/names.py,
program/delivery.py, scoring/results.py); compliance writes no SQL over their tables. It takes the
date to judge by from `ctx.today`, never from the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
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
    project_ids: frozenset[int] | None = None  # None: every project; else an incremental run's projects
    cache: dict[str, Any] = field(default_factory=dict)

    def in_scope(self, project_id: int | None) -> bool:
        """Whether a finding about this project belongs to this run (always, in a full run)."""
        return self.project_ids is None or (project_id is not None and project_id in self.project_ids)

    def project_names(self, program_id: int) -> dict[int, tuple[str, str, str]]:
        from program.names import project_names_for_checks

        return self.memo(f"project_names:{program_id}", lambda: project_names_for_checks(self.session, program_id))

    def project_name(self, project_id: int | None) -> tuple[str, str, str] | None:
        if project_id is None:
            return None
        for pid in self.program_ids:
            found = self.project_names(pid).get(project_id)
            if found:
                return found
        return None

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
    scope: str = "project"  # project | programme | database (the same for every programme: the audit log)
    incremental: bool = True  # False: only full runs (the audit log's verification)

    def run(self, ctx: CheckContext) -> list[Finding]:
        return list(self.fn(self, ctx))

    def info(self, lang: str = "ko", rules: Any = None) -> CheckInfo:
        from compliance.labels import check_rule_text

        return CheckInfo(id=self.id, title_ko=self.title_ko, title_en=self.title_en,
                         title=self.title_en if lang == "en" else self.title_ko, severity=self.severity,
                         rule=check_rule_text(self.id, lang, rules), domain=self.domain)

    def finding(self, ctx: CheckContext, key: str, params: dict[str, Any], *, evidence: list[dict[str, Any]],
                project_id: int | None = None, subject_key: str | None = None,
                subject_params: dict[str, Any] | None = None, refs: dict[str, list[Any]] | None = None,
                **kw: Any) -> Finding:
        """A finding of this check: titles and severity filled in, the project named by its code and title."""
        name = ctx.project_name(project_id)
        code, title = (name[0], name[1]) if name else (None, None)
        sp = {"code": code or "", "title": title or ""}
        sp.update(subject_params or {})
        return Finding(check_id=self.id, severity=self.severity, title_ko=self.title_ko, title_en=self.title_en,
                       message_key=key, params=_plain(params), evidence=[_plain(e) for e in evidence],
                       project_id=project_id, project_code=code, project_title=title,
                       subject_key=subject_key or ("compliance.subject.project" if name else "compliance.subject.none"),
                       subject_params=_plain(sp),
                       refs={k: [int(v) for v in vs if v is not None] for k, vs in (refs or {}).items()}, **kw)


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready values (dates ISO, decimals as text) so that a stored finding reads back equal."""
    out: dict[str, Any] = {}
    for k, v in values.items():
        if isinstance(v, date):
            out[k] = v.isoformat()
        elif isinstance(v, Decimal):
            out[k] = str(v)
        elif isinstance(v, tuple):
            out[k] = list(v)
        elif hasattr(v, "value") and isinstance(v.value, str):  # an enum member
            out[k] = v.value
        else:
            out[k] = v
    return out


REGISTRY: dict[str, Check] = {}


def check(check_id: str, title_ko: str, title_en: str, severity: Severity, *, rule: str, domain: str,
          scope: str = "project",
          incremental: bool = True) -> Callable[[Callable[[Check, CheckContext], Iterable[Finding]]], Check]:
    """Register a check. The function receives its own `Check` (for `.finding(...)`) and the context."""

    def register(fn: Callable[[Check, CheckContext], Iterable[Finding]]) -> Check:
        if check_id in REGISTRY:
            raise ValueError(f"check id {check_id} registered twice")
        c = Check(check_id, title_ko, title_en, severity, rule, domain, fn, scope, incremental)
        REGISTRY[check_id] = c
        return c

    return register


def load_checks() -> dict[str, Check]:
    """Import every check module (registration happens on import) and return the registry."""
    from compliance import checks_delivery, checks_evaluation, checks_money, checks_people, checks_system  # noqa: F401

    return dict(sorted(REGISTRY.items()))
