"""Checks of the system itself: the audit log and the guarded rows it covers."""

from __future__ import annotations

import os
from collections.abc import Iterator

from compliance.models import Finding, Severity
from compliance.registry import Check, CheckContext, check
from core import audit, checkpoint
from core.settings import get_settings

MAX_ROW_FINDINGS = 50


@check("SYS-01", "감사 기록 검증 실패 (해시 체인·보호 행·체크포인트)", "Recorded history does not verify",
       Severity.high, domain="system",
       rule="the hash chain recomputes; every guarded row matches the digest of its newest covering event; "
            "the log extends every signed checkpoint of the configured checkpoint file")
def history_does_not_verify(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    path = get_settings().audit_checkpoint_file
    loaded = checkpoint.load_file(path) if os.path.exists(path) else None
    try:
        report = audit.verify_history(ctx.session, checkpoints=loaded, max_findings=MAX_ROW_FINDINGS)
    except checkpoint.KeyMissing as exc:  # no key to check the signatures with: say so, check the rest
        yield self.finding(message=f"checkpoint signatures cannot be checked: {exc}", subject="audit_checkpoint",
                           evidence=[{"problem": str(exc)}])
        report = audit.verify_history(ctx.session, max_findings=MAX_ROW_FINDINGS)
    chain = report.chain
    if not chain.ok:
        yield self.finding(
            message=f"audit chain broken at event {chain.first_broken_id}: {chain.problem}",
            subject=f"audit_event:{chain.first_broken_id}",
            evidence=[{"first_broken_event_id": chain.first_broken_id, "problem": chain.problem,
                       "events_verified_before": chain.checked, "last_good_hash": chain.last_hash}])
    for f in report.findings:
        subject = f"{f.table}:{f.row_id}" if f.table else f"audit_event:{f.event_id}"
        yield self.finding(
            message=f"{f.kind}: {f.line()}", subject=subject,
            evidence=[{"kind": f.kind, "table": f.table, "row_id": f.row_id, "fields": list(f.fields),
                       "covering_event_id": f.event_id, "detail": f.detail}])
    if report.problem_count > len(report.findings):
        yield self.finding(
            message=f"{report.problem_count - len(report.findings)} more row problem(s); "
                    "run `main.py audit verify` for the full list",
            subject="audit_row", evidence=[{"problem_count": report.problem_count}])
    if report.checkpoints is not None and not report.checkpoints.ok:
        for p in report.checkpoints.problems:
            yield self.finding(message=f"checkpoint line {p.line}: {p.detail}", subject=f"audit_checkpoint:{p.line}",
                               evidence=[{"file": report.checkpoints.path, "line": p.line, "seq": p.seq,
                                          "detail": p.detail}])
