"""Every PDF and XLSX report as a job kind (core/jobs.py): the status, evaluation and compliance reports, the
decision package and the what-if comparison. Each handler calls the same builder the synchronous path and
the CLI call (reports.service.render_report, reports.decision_api.decision_file / whatif_file)."""

from __future__ import annotations

from datetime import date

from core import db
from core.bounded import Code, Day, Id, RequestModel
from core.jobs import Context, Output, register
from core.models import Role
from decisions.models import WhatIfRequest
from reports import service

READERS = (Role.official, Role.auditor)
KIND_LABELS = {
    "status": ("사업 현황 보고서", "Programme status report"),
    "evaluation": ("평가 결과 보고서", "Evaluation report"),
    "compliance": ("점검·감사 보고서", "Compliance report"),
}


class ReportParams(RequestModel):
    format: Code
    program_id: Id | None = None
    project_id: Id | None = None
    as_of: Day | None = None


class DecisionParams(RequestModel):
    call_type: Code
    format: Code
    program_id: Id | None = None
    project_id: Id | None = None


class WhatIfParams(RequestModel):
    program_id: Id
    body: WhatIfRequest


def _as_of(ctx: Context) -> date | None:
    value = ctx.params.get("as_of")
    return date.fromisoformat(value) if value else None


def _report(kind: str) -> None:
    @register(f"report.{kind}", KIND_LABELS[kind], READERS, ReportParams)
    def handle(ctx: Context) -> Output:
        from program.reporting import as_of_for

        ctx.progress(5, "job.collecting")
        program_id = ctx.params.get("program_id")
        with db.session_scope() as session:
            today = as_of_for(session, program_id, _as_of(ctx))
            report = service.render_report(session, kind, ctx.params["format"], generated_by=ctx.by, today=today,
                                           program_id=program_id, project_id=ctx.params.get("project_id"),
                                           progress=ctx.rows(10, 85))
        ctx.progress(95, "job.writing")
        return Output(report.filename, report.content_type, report.content)


for _kind in KIND_LABELS:
    _report(_kind)


@register("report.decision", ("선정 심의 자료", "Decision package"), READERS, DecisionParams)
def decision(ctx: Context) -> Output:
    from reports.decision_api import decision_file

    ctx.progress(5, "job.collecting")
    with db.session_scope() as session:
        content, filename, media = decision_file(session, ctx.by, ctx.params["call_type"], ctx.params["format"],
                                                 program_id=ctx.params.get("program_id"),
                                                 project_id=ctx.params.get("project_id"))
    ctx.progress(95, "job.writing")
    return Output(filename, media, content)


@register("report.whatif", ("가정 배분 비교 보고서", "What-if comparison report"), (Role.official,), WhatIfParams)
def whatif(ctx: Context) -> Output:
    from reports.decision_api import whatif_file

    ctx.progress(5, "job.collecting")
    body = WhatIfRequest.model_validate(ctx.params["body"])
    content, filename, media = whatif_file(ctx.actor, ctx.params["program_id"], body,
                                           progress=lambda pct: ctx.progress(pct, "job.rendering"))
    return Output(filename, media, content)
