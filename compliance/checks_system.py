"""Checks of the system itself: the audit log's hash chain."""

from __future__ import annotations

from collections.abc import Iterator

from compliance.models import Finding, Severity
from compliance.registry import Check, CheckContext, check
from core import audit


@check("SYS-01", "감사 로그 해시 체인 손상", "Audit chain broken", Severity.high, domain="system",
       rule="every audit event carries the hash of the one before it; recomputing the chain must match")
def audit_chain_broken(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    report = audit.verify_chain(ctx.session)
    if not report.ok:
        yield self.finding(
            message=f"audit chain broken at event {report.first_broken_id}: {report.problem}",
            subject=f"audit_event:{report.first_broken_id}",
            evidence=[{"first_broken_event_id": report.first_broken_id, "problem": report.problem,
                       "events_verified_before": report.checked, "last_good_hash": report.last_hash}])
