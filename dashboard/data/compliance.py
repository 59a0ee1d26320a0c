"""Compliance findings (compliance.service.run_checks)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from compliance import service as compliance
from compliance.models import Severity
from core.db import session_scope
from dashboard.data._cache import cached
from dashboard.data.programme import main_program_id
from program.reporting import as_of_for


@cached
def findings_report(program_id: int, as_of: date | None = None) -> Any:
    """compliance.service.run_checks for the programme as of a date (default: its reporting date, as the API)."""
    with session_scope() as session:
        return compliance.run_checks(session, today=as_of_for(session, program_id, as_of), program_id=program_id)


FINDING_COLUMNS = ["idx", "check_id", "severity", "severity_rank", "title_ko", "title_en", "message", "award_id",
                   "project_id", "project_code", "subject", "amount_krw", "evidence_rows"]


@cached
def findings_frame(program_id: int) -> pd.DataFrame | None:
    """One row per finding (idx = its position in the report, the key the evidence view asks for)."""
    report = findings_report(program_id)
    rows = [{"idx": i, "check_id": f.check_id, "severity": str(f.severity),
             "severity_rank": Severity(f.severity).rank,  # the one order (compliance.models.Severity)
             "title_ko": f.title_ko, "title_en": f.title_en, "message": f.message, "award_id": f.award_id,
             "project_id": f.project_id, "project_code": f.project_code, "subject": f.subject,
             "amount_krw": f.amount_krw, "evidence_rows": len(f.evidence)} for i, f in enumerate(report.findings)]
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def finding_evidence(program_id: int, idx: int) -> dict[str, Any] | None:
    """One finding with its evidence rows (JSON-ready), looked up on the server by its index."""
    report = findings_report(program_id)
    if not 0 <= idx < len(report.findings):
        return None
    return report.findings[idx].model_dump(mode="json")


@cached
def findings_for_award(award_id: int) -> pd.DataFrame | None:
    pid = main_program_id()
    df = findings_frame(pid) if pid is not None else None
    if df is None:
        return None
    return df[df["award_id"] == award_id].rename(columns={"title_ko": "title"})


@cached
def top_findings(program_id: int, limit: int = 8) -> pd.DataFrame | None:
    """Findings grouped by check (check_id, severity, title, count), most severe and most frequent first."""
    df = findings_frame(program_id)
    if df is None:
        return None
    if df.empty:
        return pd.DataFrame(columns=["check_id", "severity", "title", "count"])
    g = df.groupby(["check_id", "severity", "severity_rank", "title_ko", "title_en"], as_index=False).size()
    g = g.sort_values(["severity_rank", "size"], ascending=[True, False]).head(limit)
    return g.rename(columns={"size": "count", "title_ko": "title"})[["check_id", "severity", "title", "count",
                                                                    "title_en"]]


@cached
def history_state(program_id: int) -> dict[str, Any]:
    """The audit chain's state and the newest signed checkpoint, for the compliance page.

    The verification itself is SYS-01 of the findings report above (chain, every guarded row,
    the checkpoint file), so the page shows its verdict without verifying twice.
    """
    from core import checkpoint
    from core.models import AuditHead

    report = findings_report(program_id)
    problems = [f for f in report.findings if f.check_id == "SYS-01"]
    with session_scope() as session:
        head = session.get(AuditHead, 1)
    newest = checkpoint.latest()
    return {"ok": not problems, "problems": len(problems), "first": problems[0].message if problems else None,
            "events": head.event_count if head else 0, "last_hash": head.last_hash if head else None,
            "checkpoint": newest.footer() if newest else None, "checkpoint_time": newest.time if newest else None}
