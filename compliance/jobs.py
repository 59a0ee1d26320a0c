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
from program.reporting import as_of_for


class RunParams(RequestModel):
    program_id: Id | None = None
    as_of: Day | None = None


@register("compliance.run", ("전체 점검 실행", "Full compliance run"), (Role.official, Role.auditor), RunParams)
def full_run(ctx: Context) -> Output:
    """A full run per programme (compliance.service.run_full): the findings recomputed and stored for the API
    and the dashboard, in the requester's name; the stored report is also kept as a JSON file."""
    reports = []
    with db.session_scope(write=True) as session:
        pids = [ctx.params["program_id"]] if ctx.params.get("program_id") else service.store.programme_ids(session)
        day = date.fromisoformat(ctx.params["as_of"]) if ctx.params.get("as_of") else None
        for n, pid in enumerate(pids):
            ctx.check_cancelled()
            ctx.progress(5 + 85 * n // max(len(pids), 1), "job.checking")
            as_of = as_of_for(session, pid, day)  # the programme's reporting date unless a date was asked for
            service.run_full(session, ctx.actor, program_id=pid, as_of=as_of, reason=ctx.reason)
            reports.append(service.stored_findings(session, program_id=pid, as_of=as_of).model_dump(mode="json"))
    ctx.progress(90, "job.writing")
    body = json.dumps(reports[0] if len(reports) == 1 else reports, ensure_ascii=False, indent=1).encode("utf-8")
    scope = f"-{ctx.params['program_id']}" if ctx.params.get("program_id") else ""
    day_part = f"-{ctx.params['as_of']}" if ctx.params.get("as_of") else ""
    return Output(f"findings{scope}{day_part}.json", "application/json", body)
