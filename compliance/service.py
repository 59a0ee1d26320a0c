"""Run the compliance checks and serve their findings (checks never change the data they judge).

`run_checks` computes findings now (the CLI's ad-hoc run, the reports until they read the
store); `stored_findings` reads the stored, kept-current findings (compliance/store.py);
`run_full` is the auditors' explicit full run, recorded in the audit log.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlmodel import Session

from compliance import store
from compliance.models import CheckInfo, CheckOutcome, Finding, FindingRun, FindingsReport, Severity
from compliance.registry import load_checks
from core import audit
from core.errors import NotFound, RuleViolation


def list_checks(lang: str = "ko", rules: object = None) -> list[CheckInfo]:
    """Every registered check: id, titles, severity, the rule it enforces in words (with the rule values)."""
    return [c.info(lang, rules) for c in load_checks().values()]


def _known(check_ids: list[str] | None) -> list[str] | None:
    if not check_ids:
        return None
    unknown = sorted(set(check_ids) - set(load_checks()))
    if unknown:
        raise RuleViolation(f"unknown check id(s): {', '.join(unknown)}", field="check_id")
    return check_ids


def run_checks(session: Session, *, today: date, program_id: int | None = None,
               check_ids: list[str] | None = None) -> FindingsReport:
    """Compute the checks (all, or those named) over one programme or all, now; nothing is stored.

    Messages and subjects are rendered in Korean (`Finding.with_text` renders another language).
    """
    from program import service as program_service

    wanted = _known(check_ids)
    checks = [c for c in load_checks().values() if wanted is None or c.id in wanted]
    if program_id is not None:
        program_service.get_program(session, program_id)  # NotFound
    computed = store.compute(session, today=today, program_id=program_id, checks=checks)
    errors = computed.errors
    findings = [f.with_text("ko") for found in computed.findings.values() for f in found]
    findings.sort(key=store._sort_key)
    per_check = Counter(f.check_id for f in findings)
    outcomes = [CheckOutcome(check_id=c.id, status="error" if c.id in errors else
                             ("findings" if per_check[c.id] else "ok"), findings=per_check[c.id],
                             detail=errors.get(c.id)) for c in checks]
    counts = Counter(str(f.severity) for f in findings)
    return FindingsReport(as_of=today, program_id=program_id,
                          counts={s.value: counts.get(s.value, 0) for s in Severity},
                          checks=outcomes, findings=findings, total=len(findings))


def stored_findings(session: Session, *, program_id: int, as_of: date, check_ids: list[str] | None = None,
                    lang: str | None = "ko") -> FindingsReport:
    """The stored findings of a programme as of a date and how current they are (compliance/store.py).

    Each finding's message and subject are rendered in `lang`; `lang=None` leaves them to the caller
    (the API renders only the page it answers with)."""
    report = store.stored_findings(session, program_id=program_id, as_of=as_of, check_ids=_known(check_ids))
    if lang is not None:
        report.findings = [f.with_text(lang) for f in report.findings]
    return report


def run_full(session: Session, actor: audit.Actor, *, program_id: int, as_of: date,
             reason: str | None = None) -> FindingRun:
    """An auditor's full run: every check recomputed and stored for the programme and date; audited."""
    run = store.full_run(session, program_id=program_id, as_of=as_of, requested_by=actor.username)
    audit.record(session, actor, "compliance.run", "finding_run", str(run.id), reason=reason,
                 after={"program_id": program_id, "as_of": as_of.isoformat(), "added": run.added,
                        "removed": run.removed})
    session.commit()
    session.refresh(run)
    return run


def filter_findings(report: FindingsReport, *, severity: Severity | None = None, check_id: str | None = None,
                    award_id: int | None = None, project_id: int | None = None) -> list[Finding]:
    """The report's findings that match every given filter."""
    return [f for f in report.findings
            if (severity is None or f.severity == severity) and (check_id is None or f.check_id == check_id)
            and (award_id is None or f.award_id == award_id or f.other_award_id == award_id)
            and (project_id is None or f.project_id == project_id)]


__all__ = ["NotFound", "filter_findings", "list_checks", "run_checks", "run_full", "stored_findings"]
