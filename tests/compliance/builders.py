"""Builders for delivery, compliance and report tests: `make_x(session, **overrides)` returns committed rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from program.delivery_models import DataOpening, DeliveryProgress, QualityVerification
from program.models import DataType, Program, Project, ProjectStatus
from tests.builders import make_project


def data_type_of(session: Session, project: Project) -> DataType:
    dt = session.exec(select(DataType).where(DataType.project_id == project.id)).one()
    session.commit()
    return dt


def make_delivery(session: Session, project: Project | None = None, *, program: Program | None = None,
                  contracted: int = 100_000, built: int | None = None, result: str | None = "pass",
                  verified: date = date(2022, 4, 1), remediation_due: date | None = None,
                  remedied: date | None = None, open_due: date | None = date(2022, 7, 31),
                  opened: date | None = date(2022, 7, 1), **project_overrides: Any) -> DataType:
    """A project with one data type, its progress (two months), one verification and an opening row."""
    project_overrides.setdefault("status", ProjectStatus.awarded)
    project = project or make_project(session, program, planned_volume=contracted, **project_overrides)
    if project.status == ProjectStatus.open:
        project.status = ProjectStatus.awarded
        session.add(project)
    dt = data_type_of(session, project)
    dt.contracted_volume = contracted
    session.add(dt)
    built = contracted if built is None else built
    session.add(DeliveryProgress(data_type_id=dt.id, month=date(2021, 6, 1), built_items=built // 2))
    session.add(DeliveryProgress(data_type_id=dt.id, month=date(2021, 7, 1), built_items=built - built // 2))
    if result is not None:
        needs = result != "pass"
        session.add(QualityVerification(
            data_type_id=dt.id, verified_date=verified, result=result, syntactic_target_pct=Decimal("99.5"),
            syntactic_measured_pct=Decimal("99.7") if not needs else Decimal("98.1"),
            semantic_target_pct=Decimal("90"), semantic_measured_pct=Decimal("93.2"),
            remediation_due_date=(remediation_due or date(2022, 6, 1)) if needs else None,
            remediation_status=("remedied" if remedied else "open") if needs else "not_required",
            remedied_date=remedied))
    if open_due is not None:
        session.add(DataOpening(data_type_id=dt.id, due_date=open_due, opened_date=opened))
    session.commit()
    session.refresh(dt)
    session.commit()
    return dt


# --------------------------------------------------------------------------- money (legacy rows)
# The ledger service refuses out-of-period payments and overruns; audits find them in data
# imported from older systems, so these builders write rows directly, as the seed does.


def add_entry(session: Session, award: Any, category: str, day: date, amount: int, *, payee: str = "(주)공급사",
              business_number: str | None = None) -> Any:
    """Append a ledger row to an award's line and keep the line's running total."""
    from budgeting.models import BudgetLine, Expenditure

    line = session.exec(select(BudgetLine).where(BudgetLine.award_id == award.id,
                                                 BudgetLine.category == category)).one()
    e = Expenditure(program_id=award.program_id, award_id=award.id, line_id=line.id, spent_date=day,
                    amount_krw=amount, payee_name=payee, payee_business_number=business_number,
                    description="test", evidence_ref="EV", created_by="legacy-import")
    line.spent_krw += amount
    session.add_all([e, line])
    session.commit()
    session.refresh(e)
    session.commit()
    return e


def line_budget(session: Session, award: Any, category: str) -> int:
    from budgeting.models import BudgetLine

    b = session.exec(select(BudgetLine.budget_krw).where(BudgetLine.award_id == award.id,
                                                         BudgetLine.category == category)).one()
    session.commit()
    return int(b)


def add_hire(session: Session, award: Any, person_key: str, *, start: date = date(2021, 5, 1),
             end: date = date(2021, 12, 31), evidence: bool = True, full_time: bool = True,
             org_id: int | None = None) -> Any:
    from budgeting.models import Hire
    from program.models import Consortium

    org_id = org_id or session.get(Consortium, award.consortium_id).lead_org_id  # type: ignore[union-attr]
    h = Hire(award_id=award.id, person_key=person_key, org_id=org_id, job_role="라벨러", contract_start=start,
             contract_end=end, full_time=full_time, social_insurance=evidence,
             evidence_contract="CT-1" if evidence else "CT-1", evidence_insurance="SI-1" if evidence else None,
             evidence_payroll="PR-1", created_by="test")
    session.add(h)
    session.commit()
    session.refresh(h)
    session.commit()
    return h


def make_award_with_delivery(session: Session, program: Program, *, grant: int = 1_900_000_000,
                             contracted: int = 100_000, built: int | None = None, **delivery: Any) -> tuple[Any, Any]:
    """An award on a fresh project of `program` (with envelopes) and the project's delivery."""
    from budgeting import service as budgeting_service
    from budgeting.models import Envelope
    from tests.budgeting.builders import OFFICIAL, make_award

    project = make_project(session, program, planned_volume=contracted, ceiling_krw=grant + 100_000_000)
    if not session.exec(select(Envelope).where(Envelope.program_id == program.id)).first():
        session.commit()
        budgeting_service.create_envelopes(session, OFFICIAL, program.id)
    session.commit()
    award = make_award(session, project, grant=grant)
    dt = make_delivery(session, project, contracted=contracted, built=built, **delivery)
    return award, dt
