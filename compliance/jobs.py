"""A full compliance run as a job (core/jobs.py): every check over a programme (or all of them) as of a date,
the findings report kept as a JSON file. Officials and auditors ask for it; the run is in the audit log."""

from __future__ import annotations

import json
from datetime import date

from compliance import service
from core import db
from core.bounded import Day, Id, RequestModel
from core.jobs import Context, Output, register
from core.models import Role
from core.timeutil import today_kst


class RunParams(RequestModel):
    program_id: Id | None = None
    as_of: Day | None = None


@register("compliance.run", ("전체 점검 실행", "Full compliance run"), (Role.official, Role.auditor), RunParams)
def full_run(ctx: Context) -> Output:
    """Run every check (compliance.service.run_checks) and store the findings report as JSON."""
    as_of = date.fromisoformat(ctx.params["as_of"]) if ctx.params.get("as_of") else today_kst()
    ctx.progress(5, "job.checking")
    with db.session_scope() as session:
        report = service.run_checks(session, today=as_of, program_id=ctx.params.get("program_id"))
    ctx.progress(90, "job.writing")
    body = json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=1).encode("utf-8")
    scope = f"-{ctx.params['program_id']}" if ctx.params.get("program_id") else ""
    return Output(f"findings{scope}-{as_of.isoformat()}.json", "application/json", body)
