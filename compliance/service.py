"""Run the compliance checks and serve their findings (read only: checks never change data)."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date

from sqlmodel import Session

from compliance.models import CheckInfo, CheckOutcome, Finding, FindingsReport, Severity
from compliance.registry import CheckContext, load_checks
from core.errors import NotFound, RuleViolation

log = logging.getLogger("grants.compliance")


def list_checks() -> list[CheckInfo]:
    """Every registered check: id, titles, severity, the rule it enforces."""
    return [c.info() for c in load_checks().values()]


def run_checks(session: Session, *, today: date, program_id: int | None = None,
               check_ids: list[str] | None = None) -> FindingsReport:
    """Run the checks (all, or those named) over one programme or all; findings ordered by severity then check."""
    checks = load_checks()
    if check_ids:
        unknown = sorted(set(check_ids) - set(checks))
        if unknown:
            raise RuleViolation(f"unknown check id(s): {', '.join(unknown)}", field="check_id")
        checks = {k: v for k, v in checks.items() if k in check_ids}
    ctx = CheckContext(session=session, today=today, program_id=program_id)
    if program_id is not None and not ctx.programs:
        raise NotFound(f"programme {program_id} does not exist")
    findings: list[Finding] = []
    outcomes: list[CheckOutcome] = []
    for c in checks.values():
        try:
            found = c.run(ctx)
        except Exception as exc:  # one broken check must not hide the others' findings
            session.rollback()
            detail = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            log.warning("check %s failed: %s", c.id, detail)
            outcomes.append(CheckOutcome(check_id=c.id, status="error", findings=0, detail=detail))
            continue
        findings.extend(found)
        outcomes.append(CheckOutcome(check_id=c.id, status="findings" if found else "ok", findings=len(found)))
    findings.sort(key=lambda f: (Severity(f.severity).rank, f.check_id, f.program_id or 0, f.award_id or 0,
                                 f.project_id or 0, f.subject))
    counts = Counter(str(f.severity) for f in findings)
    return FindingsReport(as_of=today, program_id=program_id,
                          counts={s.value: counts.get(s.value, 0) for s in Severity},
                          checks=outcomes, findings=findings, total=len(findings))


def filter_findings(report: FindingsReport, *, severity: Severity | None = None, check_id: str | None = None,
                    award_id: int | None = None, project_id: int | None = None) -> list[Finding]:
    """The report's findings that match every given filter."""
    return [f for f in report.findings
            if (severity is None or f.severity == severity) and (check_id is None or f.check_id == check_id)
            and (award_id is None or f.award_id == award_id) and (project_id is None or f.project_id == project_id)]
