"""Build a report as bytes: the one function the API and the CLI call (a report module's document, a renderer)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime

from core import checkpoint
from core.db import Session
from core.errors import RuleViolation
from core.i18n import Lang
from reports import excel, pdf
from reports.compliance_report import compliance_document
from reports.evaluation_report import evaluation_document
from reports.metadata import Progress
from reports.status_report import status_document

__all__ = ["CONTENT_TYPES", "KINDS", "Progress", "RenderedReport", "checkpoint_line", "render_report"]

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
log = logging.getLogger("grants.reports")
KINDS = {"status": ("pdf", "xlsx"), "evaluation": ("pdf",), "compliance": ("pdf", "xlsx")}


def checkpoint_footer(cp: checkpoint.Checkpoint, lang: Lang = "ko") -> str:
    """The checkpoint as a report's footer prints it, in the report's language (core.checkpoint's one line)."""
    return cp.footer(lang)


def checkpoint_line(session: Session, note: str, lang: Lang = "ko") -> str:
    """Sign the log's head for this report and return the line its footer and summary sheet print.

    A checkpoint that cannot be written (the key or the file unavailable) does not stop the
    report: the footer then says so, visibly, instead of showing a checkpoint.
    """
    try:
        return checkpoint_footer(checkpoint.write(session, note=note), lang)
    except (OSError, checkpoint.KeyMissing) as exc:
        log.error("audit checkpoint for %s not written: %s", note, exc)
        reason = exc.render(lang) if isinstance(exc, checkpoint.KeyMissing) else exc  # Korean page, Korean reason
        return (f"audit checkpoint NOT written: {reason}" if lang == "en"
                else f"감사 체크포인트를 기록하지 못했습니다: {reason}")


@dataclass(frozen=True)
class RenderedReport:
    content: bytes
    filename: str
    content_type: str


def render_report(session: Session, kind: str, fmt: str, *, generated_by: str, today: date,
                  program_id: int | None = None, project_id: int | None = None, now: datetime | None = None,
                  progress: Progress | None = None, lang: Lang = "ko") -> RenderedReport:
    """Render the `kind` report (status, evaluation, compliance) in `fmt` (pdf, xlsx)."""
    if kind not in KINDS:
        raise RuleViolation(f"unknown report '{kind}'; one of {', '.join(KINDS)}", field="kind")
    if fmt not in KINDS[kind]:
        raise RuleViolation(f"the {kind} report comes as {' or '.join(KINDS[kind])}, not {fmt}", field="format")
    if kind == "status":
        doc = status_document(session, program_id=program_id, generated_by=generated_by, today=today, now=now,
                              lang=lang)
    elif kind == "evaluation":
        if project_id is None:
            raise RuleViolation("the evaluation report needs a project", field="project")
        doc = evaluation_document(session, project_id=project_id, generated_by=generated_by, now=now, lang=lang)
    else:
        doc = compliance_document(session, program_id=program_id, generated_by=generated_by, today=today,
                                  workbook=fmt == "xlsx", now=now, progress=progress, lang=lang)
    doc.meta = replace(doc.meta, checkpoint=checkpoint_line(session, f"report {kind}.{fmt}", lang))
    content = pdf.render_pdf(doc) if fmt == "pdf" else excel.render_workbook(doc)
    return RenderedReport(content=content, filename=f"{doc.filename_stem}.{fmt}", content_type=CONTENT_TYPES[fmt])
