"""Cross-year figures (2017–2025 at national scale): one row per programme year, for the overview's
"연도별 추이" and any report that compares years.

Each figure comes from the function that owns it: budget from the programme, awarded from the awards, executed
from `analytics.executed_totals` (each year cut at its own reporting date; equal to the frames'
sum), data types built and opened from `program.delivery.delivery_funnel`,
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
    from program.reporting import as_of_for

    programs = {p.id: p for p in session.execute(select(Program)).scalars() if p.id is not None}
    days = {pid: as_of_for(session, pid, as_of) for pid in programs}
    executed = analytics.executed_totals(session, days)
    awarded = {int(pid): (int(g), int(m), int(n)) for pid, g, m, n in session.execute(
        select(Award.program_id, func.sum(Award.grant_krw), func.sum(Award.matching_krw),
               func.count(col(Award.id))).group_by(Award.program_id))}  # type: ignore[call-overload]
    hires = {int(pid): int(n) for pid, n in session.execute(
        select(Award.program_id, func.count(col(Hire.id)))  # type: ignore[call-overload]
        .join(Award, Award.id == Hire.award_id)
        .where(Hire.employment_type == EmploymentType.direct).group_by(Award.program_id))}
    out = []
    for pid, program in programs.items():
        grant, matching, n_awards = awarded.get(pid, (0, 0, 0))
        spent = executed.get(pid, 0)
        stages = {s.stage: s.data_types for s in delivery.delivery_funnel(session, today=days[pid],
                                                                          program_id=pid).stages}
        out.append(YearFigures(
            program_id=pid, year=program.year, as_of=days[pid], total_budget_krw=program.total_budget_krw,
            awarded_grant_krw=grant, project_budget_krw=grant + matching, executed_total_krw=spent,
            execution_rate_total=ratio(spent, grant + matching), awards=n_awards,
            types_contracted=stages.get("contracted", 0), types_built=stages.get("built", 0),
            types_opened=stages.get("opened", 0), direct_hires=hires.get(pid, 0),
            findings=None if findings_by_year is None else int(findings_by_year.get(program.year, 0))))
    return sorted(out, key=lambda y: (y.year, y.program_id))
