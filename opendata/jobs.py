"""Open-data exports as jobs (core/jobs.py): the awards as a 360Giving or OCDS JSON package, streamed chunk
by chunk into the job's file (memory stays flat however many awards there are)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from core import db
from core.bounded import Day, Id, RequestModel
from core.jobs import Context, Output, register
from core.models import Role
from opendata import giving360, ocds

STANDARDS = {"360giving": giving360.package, "ocds": ocds.package}


class ExportParams(RequestModel):
    standard: Literal["360giving", "ocds"]
    program_id: Id | None = None
    as_of: Day | None = None


@register("opendata.export", ("공개 데이터 내보내기", "Open-data export"), (Role.official, Role.auditor),
          ExportParams)
def export(ctx: Context) -> Output:
    """Write the package of `standard` for a programme (or every programme) as of a date."""
    standard = ctx.params["standard"]
    package = STANDARDS[standard]
    as_of = date.fromisoformat(ctx.params["as_of"]) if ctx.params.get("as_of") else None
    filename = f"{standard}-{ctx.params.get('program_id') or 'all'}.json"
    path = ctx.output_path(filename)
    part = path.with_name(path.name + ".part")
    ctx.progress(5, "job.collecting")
    with db.session_scope() as session, open(part, "w", encoding="utf-8") as out:
        for i, chunk in enumerate(package(session, ctx.params.get("program_id"), as_of)):
            out.write(chunk)
            if i % 50 == 0:
                ctx.progress(min(90, 5 + i // 50), "job.writing")
    part.replace(path)
    return Output(filename, "application/json")
