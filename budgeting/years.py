"""Cross-year figures (2017–2025 at national scale): one row per programme year, for the overview's
"연도별 추이" and any report that compares years.

Each figure comes from the function that owns it: budget from the programme, awarded and executed
from the analytics frames (`analytics.national_frames`: two queries for all years, each year cut at
its own reporting date), data types built and opened from `program.delivery.delivery_funnel`,
direct hires from the money domain's hire table. Findings belong to compliance, which this package
may not import: the caller passes `findings_by_year` (compliance's stored findings counted by
programme year); without it the column is None ("not available"), never a made-up zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlmodel import Session, col

from budgeting import analytics
from budgeting.models import Award, EmploymentType, Hire
from core.money import ratio
from program.models import Program


class YearFigures(BaseModel):
    """One programme year's headline figures, as of that programme's reporting date."""

    program_id: int
    year: int
    as_of: date
    total_budget_krw: int
    awarded_grant_krw: int
    project_budget_krw: int
    executed_total_krw: int
    execution_rate_total: Decimal | None
    awards: int
    types_contracted: int
    types_built: int
    types_opened: int
    direct_hires: int
    findings: int | None = None  # compliance's stored findings of that year; None when not given


def figures_by_year(session: Session, *, findings_by_year: Mapping[int, int] | None = None,
                    as_of: date | None = None) -> list[YearFigures]:
    """Per programme year, oldest first: budget, awarded, executed, data types built/opened, hires, findings."""
    from program import delivery

    frames = analytics.national_frames(session, as_of)
    programs = {p.id: p for p in session.execute(select(Program)).scalars()}
    hires = {int(pid): int(n) for pid, n in session.execute(
        select(Award.program_id, func.count(col(Hire.id)))  # type: ignore[call-overload]
        .join(Award, Award.id == Hire.award_id)
        .where(Hire.employment_type == EmploymentType.direct).group_by(Award.program_id))}
    out = []
    for pid, f in frames.items():
        program = programs[pid]
        awarded = int(f.awards["grant_krw"].sum())
        budget = awarded + int(f.awards["matching_krw"].sum())
        executed = int(f.monthly["spent_krw"].sum())
        stages = {s.stage: s.data_types for s in delivery.delivery_funnel(session, today=f.as_of,
                                                                          program_id=pid).stages}
        out.append(YearFigures(
            program_id=pid, year=program.year, as_of=f.as_of, total_budget_krw=program.total_budget_krw,
            awarded_grant_krw=awarded, project_budget_krw=budget, executed_total_krw=executed,
            execution_rate_total=ratio(executed, budget), awards=len(f.awards),
            types_contracted=stages.get("contracted", 0), types_built=stages.get("built", 0),
            types_opened=stages.get("opened", 0), direct_hires=hires.get(pid, 0),
            findings=None if findings_by_year is None else int(findings_by_year.get(program.year, 0))))
    return sorted(out, key=lambda y: (y.year, y.program_id))
