"""Build a report as bytes: the one function the API and the CLI call (rows from tables.py, renderers)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlmodel import Session

from core import checkpoint
from core.errors import RuleViolation
from reports import excel, pdf, tables
from reports.tables import Progress

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
log = logging.getLogger("grants.reports")
KINDS = {"status": ("pdf", "xlsx"), "evaluation": ("pdf",), "compliance": ("pdf", "xlsx")}


def checkpoint_line(session: Session, note: str) -> str:
    """Sign the log's head for this report and return the line its footer and summary sheet print.

    A checkpoint that cannot be written (the key or the file unavailable) does not stop the
    report: the footer then says so, visibly, instead of showing a checkpoint.
    """
    try:
        return checkpoint.write(session, note=note).footer()
    except (OSError, checkpoint.KeyMissing) as exc:
        log.error("audit checkpoint for %s not written: %s", note, exc)
        return f"audit checkpoint NOT written: {exc}"


@dataclass(frozen=True)
class RenderedReport:
    content: bytes
    filename: str
    content_type: str


def render_report(session: Session, kind: str, fmt: str, *, generated_by: str, today: date,
                  program_id: int | None = None, project_id: int | None = None, now: datetime | None = None,
                  progress: Progress | None = None) -> RenderedReport:
    """Render the `kind` report (status, evaluation, compliance) in `fmt` (pdf, xlsx)."""
    if kind not in KINDS:
        raise RuleViolation(f"unknown report '{kind}'; one of {', '.join(KINDS)}", field="kind")
    if fmt not in KINDS[kind]:
        raise RuleViolation(f"the {kind} report comes as {' or '.join(KINDS[kind])}, not {fmt}", field="format")
    if kind == "status":
        doc = tables.status_document(session, program_id=program_id, generated_by=generated_by, today=today, now=now)
    elif kind == "evaluation":
        if project_id is None:
            raise RuleViolation("the evaluation report needs a project", field="project")
        doc = tables.evaluation_document(session, project_id=project_id, generated_by=generated_by, now=now)
    else:
        doc = tables.compliance_document(session, program_id=program_id, generated_by=generated_by, today=today,
                                         workbook=fmt == "xlsx", now=now, progress=progress)
    doc.meta = replace(doc.meta, checkpoint=checkpoint_line(session, f"report {kind}.{fmt}"))
    content = pdf.render_pdf(doc) if fmt == "pdf" else excel.render_workbook(doc)
    return RenderedReport(content=content, filename=f"{doc.filename_stem}.{fmt}", content_type=CONTENT_TYPES[fmt])
