"""Checks of the system itself: the audit log and the guarded rows it covers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from compliance.models import Finding, Severity
from compliance.registry import Check, CheckContext, check
from core import audit, checkpoint
from core.settings import get_settings

MAX_ROW_FINDINGS = 50


def _message(message: audit.Message | None) -> dict[str, Any] | None:
    """A verification sentence kept as key and parameters (rendered in the reader's language: kind 'msg')."""
    return message.to_dict() if message is not None else None


@check("SYS-01", "감사 기록 검증 실패 (해시 체인·보호 행·체크포인트)", "Recorded history does not verify",
       Severity.high, domain="system", scope="database", incremental=False,
       rule="the hash chain recomputes; every guarded row matches the digest of its newest covering event; "
            "the log extends every signed checkpoint of the configured checkpoint file")
def history_does_not_verify(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    history: dict[str, Any] = {"subject_key": "compliance.subject.history"}
    path = get_settings().audit_checkpoint_file
    loaded = checkpoint.load_file(path) if os.path.exists(path) else None
    try:
        report = audit.verify_history(ctx.session, checkpoints=loaded, max_findings=MAX_ROW_FINDINGS)
    except checkpoint.KeyMissing as exc:  # no key to check the signatures with: say so, check the rest
        yield self.finding(ctx, "compliance.sys01.nokey", {},
                           evidence=[{"problem": {"message_key": exc.key, "params": exc.params}}], **history)
        report = audit.verify_history(ctx.session, max_findings=MAX_ROW_FINDINGS)
    chain = report.chain
    if not chain.ok:
        yield self.finding(ctx, "compliance.sys01.chain", {"event": chain.first_broken_id},
                           evidence=[{"event": chain.first_broken_id, "problem": _message(chain.problem_message),
                                      "verified_events": chain.checked}], **history)
    for f in report.findings:
        if f.table:
            yield self.finding(ctx, "compliance.sys01.row", {"table": f.table, "row": f.row_id, "kind": f.kind},
                               evidence=[{"kind": f.kind, "table": f.table, "row": f.row_id,
                                          "columns": ", ".join(f.fields), "event": f.event_id,
                                          "detail": f.message.to_dict()}], **history)
        else:
            yield self.finding(ctx, "compliance.sys01.event", {"event": f.event_id, "kind": f.kind},
                               evidence=[{"kind": f.kind, "event": f.event_id, "detail": f.message.to_dict()}],
                               **history)
    if report.problem_count > len(report.findings):
        yield self.finding(ctx, "compliance.sys01.more", {"count": report.problem_count - len(report.findings)},
                           evidence=[{"count": report.problem_count}], **history)
    if report.checkpoints is not None and not report.checkpoints.ok:
        for p in report.checkpoints.problems:
            yield self.finding(ctx, "compliance.sys01.checkpoint", {"line": p.line},
                               evidence=[{"file": report.checkpoints.path, "line": p.line, "seq": p.seq,
                                          "detail": p.message.to_dict()}], **history)
