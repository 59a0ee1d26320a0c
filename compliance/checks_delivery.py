"""Checks of delivery: volume against the contract, quality remediation, opening on the data hub."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compliance.models import Finding, Severity
from compliance.registry import Check, CheckContext, check
from program import delivery as delivery_service
from program.delivery_models import DeliveryStatus


def statuses(ctx: CheckContext) -> list[DeliveryStatus]:
    """Delivery statuses of the programmes in scope (shared by the checks of one run)."""
    return ctx.memo("delivery_statuses", lambda: [
        s for pid in ctx.program_ids for s in delivery_service.delivery_statuses(ctx.session, today=ctx.today,
                                                                                  program_id=pid)])


def awards(ctx: CheckContext) -> dict[int, Any]:
    """Project id → award reference, when the budgeting domain exists (else empty)."""
    def load() -> dict[int, Any]:
        try:
            from budgeting import queries
        except ImportError:  # budgeting not built yet
            return {}
        out: dict[int, Any] = {}
        for pid in ctx.program_ids:
            out.update(queries.awards_by_project(ctx.session, pid))
        return out

    return ctx.memo("awards_by_project", load)


def _award_id(ctx: CheckContext, s: DeliveryStatus) -> int | None:
    ref = awards(ctx).get(s.project_id)
    return ref.award_id if ref else None


def _delivery_due(ctx: CheckContext, s: DeliveryStatus) -> bool:
    """The build is over: submitted for verification, the award ended, or the opening date passed."""
    ref = awards(ctx).get(s.project_id)
    return (s.verified_date is not None or (ref is not None and ref.end_date < ctx.today)
            or (s.open_due_date is not None and s.open_due_date < ctx.today))


def _base(s: DeliveryStatus) -> dict[str, Any]:
    return {"data_type": s.data_type_name, "field": s.field_name_ko}


def _where(ctx: CheckContext, s: DeliveryStatus) -> dict[str, Any]:
    return {"program_id": s.program_id, "project_id": s.project_id, "award_id": _award_id(ctx, s),
            "refs": {"data_type": [s.data_type_id]}}


@check("DLV-01", "계약 물량 미달", "Delivered volume below contract", Severity.high, domain="delivery",
       rule="built items ≥ delivery_min_ratio (95%) × contracted volume once the build is over")
def volume_shortfall(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    for s in statuses(ctx):
        if ctx.in_scope(s.project_id) and s.volume_short and _delivery_due(ctx, s):
            min_ratio = ctx.rules(s.program_id).delivery_min_ratio
            yield self.finding(
                ctx, "compliance.dlv01", {"data_type": s.data_type_name, "contracted": s.contracted_volume,
                                          "built": s.built_volume, "ratio": s.delivered_ratio or 0,
                                          "min_ratio": min_ratio}, **_where(ctx, s),
                evidence=[{**_base(s), "contracted": s.contracted_volume, "built": s.built_volume,
                           "ratio": s.delivered_ratio, "min_ratio": min_ratio,
                           "last_progress": s.last_progress_month}])


@check("DLV-02", "품질 목표 미달 후 기한 내 미보완", "Quality target missed and not remedied by the deadline",
       Severity.high, domain="delivery",
       rule="a conditional or failed TTA verification is remedied on or before its remediation deadline")
def quality_not_remedied(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    for s in statuses(ctx):
        if ctx.in_scope(s.project_id) and s.quality_state in ("remediation_overdue", "remedied_late"):
            late = (s.remedied_date - s.remediation_due_date).days if s.remedied_date and s.remediation_due_date \
                else (ctx.today - s.remediation_due_date).days if s.remediation_due_date else None
            key = "compliance.dlv02.late" if s.quality_state == "remedied_late" else "compliance.dlv02.overdue"
            yield self.finding(
                ctx, key, {"data_type": s.data_type_name, "result": s.quality_result, "verified": s.verified_date,
                           "due": s.remediation_due_date, "days": late}, **_where(ctx, s),
                evidence=[{**_base(s), "result": s.quality_result, "verified": s.verified_date,
                           "syntactic_pct": s.syntactic_measured_pct, "semantic_target_pct": s.semantic_target_pct,
                           "semantic_pct": s.semantic_measured_pct, "due": s.remediation_due_date,
                           "remedied": s.remedied_date, "days": late}])


@check("DLV-03", "데이터 개방 지연", "Data opened late", Severity.medium, domain="delivery",
       rule="a data type opens on the data hub (AI Hub) on or before its opening due date")
def opened_late(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    for s in statuses(ctx):
        if ctx.in_scope(s.project_id) and s.opening_state == "opened_late":
            yield self.finding(
                ctx, "compliance.dlv03", {"data_type": s.data_type_name, "opened": s.opened_date,
                                          "due": s.open_due_date, "days": s.days_late}, **_where(ctx, s),
                evidence=[{**_base(s), "due": s.open_due_date, "opened": s.opened_date, "days": s.days_late}])


@check("DLV-04", "데이터 미개방", "Data not opened", Severity.high, domain="delivery",
       rule="a data type whose opening due date has passed is open on the data hub (AI Hub)")
def not_opened(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    for s in statuses(ctx):
        if ctx.in_scope(s.project_id) and s.opening_state == "not_opened_overdue":
            yield self.finding(
                ctx, "compliance.dlv04", {"data_type": s.data_type_name, "due": s.open_due_date,
                                          "days": s.days_late}, **_where(ctx, s),
                evidence=[{**_base(s), "due": s.open_due_date, "days": s.days_late,
                           "quality_state": s.quality_state}])
