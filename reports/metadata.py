"""What every report carries besides its rows: the metadata block and the progress callback type."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from core import audit
from core.db import Session
from core.i18n import Lang
from core.timeutil import utcnow
from program.models import Program
from reports.document import Metadata

Progress = Callable[[str, int, int | None], None]  # (what, rows so far, total or None)


def report_metadata(
    session: Session,
    generated_by: str,
    program: Program | None,
    now: datetime | None,
    extra: tuple[tuple[str, str], ...] = (),
    lang: Lang = "ko",
) -> Metadata:
    """When, by whom, for which programme, and the hash of the newest audit event the report reflects."""
    name = (
        (program.name_ko if lang == "ko" else (getattr(program, "name_en", "") or program.name_ko)) if program else ""
    )
    return Metadata(
        generated_at=now or utcnow(),
        generated_by=generated_by,
        audit_hash=audit.last_hash(session),
        program=name,
        extra=extra,
        lang=lang,
    )
