"""Compliance findings: the stored, kept-current findings (compliance.service.stored_findings).

The page reads what the store holds for the programme and as-of date on screen; it never runs
the checks itself (the first read of a programme and date with no stored set computes it once).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from compliance import labels
from compliance import service as compliance
from compliance.models import Severity
from core.db import session_scope
from dashboard.data._cache import cached
from dashboard.data.programme import main_program_id
from program.reporting import as_of_for


def _stamp(program_id: int, as_of: date | None) -> tuple[date, Any]:
    """The date judged by and the stored set's (id, updated at): the caches below key on it, because a
    re-check after a commit updates the findings without moving the audit head again."""
    from compliance import store

    with session_scope() as session:
        day = as_of_for(session, program_id, as_of)
        return day, store.set_stamp(session, program_id, day)


@cached
def _report(program_id: int, day: date, stamp: Any) -> Any:
    with session_scope() as session:
        return compliance.stored_findings(session, program_id=program_id, as_of=day)


def findings_report(program_id: int, as_of: date | None = None) -> Any:
    """The stored findings of the programme as of a date (default: its reporting date, as the API)."""
    day, stamp = _stamp(program_id, as_of)
    if stamp is None:  # the first read computes and stores the set
        _report(program_id, day, None)
        day, stamp = _stamp(program_id, as_of)
    return _report(program_id, day, stamp)


FINDING_COLUMNS = ["idx", "check_id", "severity", "severity_rank", "title_ko", "title_en", "message",
                   "message_ko", "message_en", "subject_ko", "subject_en", "award_id", "project_id", "project_code",
                   "project_title", "subject", "amount_krw", "evidence_rows", "computed_at"]


def findings_frame(program_id: int, as_of: date | None = None) -> pd.DataFrame | None:
    """One row per finding (idx = its position in the report, the key the evidence view asks for).

    `message` and `subject` are Korean; `message_en`/`subject_en` the English rendering.
    """
    day, stamp = _stamp(program_id, as_of)
    if stamp is None:
        findings_report(program_id, as_of)
        day, stamp = _stamp(program_id, as_of)
    return _frame(program_id, day, stamp)


@cached
def _frame(program_id: int, day: date, stamp: Any) -> pd.DataFrame:
    report = _report(program_id, day, stamp)
    rows = []
    for i, f in enumerate(report.findings):
        ko, en = labels.finding_message(f, "ko"), labels.finding_message(f, "en")
        sko, sen = labels.finding_subject(f, "ko"), labels.finding_subject(f, "en")
        rows.append({"idx": i, "check_id": f.check_id, "severity": str(f.severity),
                     "severity_rank": Severity(f.severity).rank,  # the one order (compliance.models.Severity)
                     "title_ko": f.title_ko, "title_en": f.title_en, "message": ko, "message_ko": ko,
                     "message_en": en, "subject_ko": sko, "subject_en": sen, "award_id": f.award_id,
                     "project_id": f.project_id, "project_code": f.project_code, "project_title": f.project_title,
                     "subject": sko, "amount_krw": f.amount_krw, "evidence_rows": len(f.evidence),
                     "computed_at": f.computed_at})
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def freshness(program_id: int, as_of: date | None = None) -> dict[str, Any] | None:
    """How current the stored findings are (compliance.models.Freshness as a dict)."""
    f = findings_report(program_id, as_of).freshness
    return f.model_dump() if f is not None else None


def finding_evidence(program_id: int, idx: int, as_of: date | None = None,
                     lang: str | None = "ko") -> dict[str, Any] | None:
    """One finding, rendered: message, subject, project, evidence as (labels, rows) — by its index, on the server."""
    report = findings_report(program_id, as_of)
    if not 0 <= idx < len(report.findings):
        return None
    f = report.findings[idx]
    lg = "en" if lang == "en" else "ko"
    heads, rows = labels.evidence_table(f, lg, limit=50)
    return {"check_id": f.check_id, "title": f.title_en if lg == "en" else f.title_ko,
            "message": labels.finding_message(f, lg), "subject": labels.finding_subject(f, lg),
            "severity": str(f.severity), "severity_label": labels.severity_label(f.severity, lg),
            "project_code": f.project_code, "project_title": f.project_title, "award_id": f.award_id,
            "amount_krw": f.amount_krw, "evidence_labels": heads, "evidence": rows,
            "evidence_total": len(f.evidence), "pairs": labels.evidence_rows(f, lg, limit=1) if len(f.evidence) == 1
            else [], "computed_at": f.computed_at}


def findings_for_award(award_id: int, program_id: int | None = None, as_of: date | None = None) -> pd.DataFrame | None:
    pid = program_id if program_id is not None else main_program_id()
    df = findings_frame(pid, as_of) if pid is not None else None
    if df is None:
        return None
    return df[df["award_id"] == award_id].rename(columns={"title_ko": "title"})


def top_findings(program_id: int, limit: int = 8, as_of: date | None = None) -> pd.DataFrame | None:
    """Findings grouped by check (check_id, severity, title, count), most severe and most frequent first."""
    df = findings_frame(program_id, as_of)
    if df is None:
        return None
    if df.empty:
        return pd.DataFrame(columns=["check_id", "severity", "title", "count"])
    g = df.groupby(["check_id", "severity", "severity_rank", "title_ko", "title_en"], as_index=False).size()
    g = g.sort_values(["severity_rank", "size"], ascending=[True, False]).head(limit)
    return g.rename(columns={"size": "count", "title_ko": "title"})[["check_id", "severity", "title", "count",
                                                                    "title_en"]]


def history_state(program_id: int, as_of: date | None = None) -> dict[str, Any]:
    """The audit chain's state and the newest signed checkpoint, for the compliance page.

    The verification itself is SYS-01 of the stored findings (chain, every guarded row, the
    checkpoint file), so the page shows its verdict without verifying again.
    """
    from core import checkpoint
    from core.models import AuditHead

    report = findings_report(program_id, as_of)
    problems = [f for f in report.findings if f.check_id == "SYS-01"]
    with session_scope() as session:
        head = session.get(AuditHead, 1)
    newest = checkpoint.latest()
    return {"ok": not problems, "problems": len(problems),
            "first": labels.finding_message(problems[0], "ko") if problems else None,
            "first_en": labels.finding_message(problems[0], "en") if problems else None,
            "events": head.event_count if head else 0, "last_hash": head.last_hash if head else None,
            "checkpoint": newest.footer("ko") if newest else None,
            "checkpoint_en": newest.footer("en") if newest else None,
            "checkpoint_time": newest.time if newest else None}
