"""Use cases of delivery tracking: record progress, verifications, remediation and opening; read statuses.

Writers take an Actor, audit in the same transaction and commit once. Readers take
`today` (the API passes the real date, tests fixed ones).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlmodel import Session, func, select

from core import audit
from core.audit import Actor
from core.errors import NotFound, RuleViolation, Term
from program import delivery_rules as rules
from program.delivery_models import (
    DataOpening,
    DeliveryDetail,
    DeliveryFunnel,
    DeliveryHistory,
    DeliveryProgress,
    DeliveryStatus,
    FunnelStage,
    HistoryPoint,
    MonthlyProgress,
    OpeningIn,
    OpeningRead,
    ProgressIn,
    ProgressRead,
    QualityResult,
    QualityVerification,
    RemediationIn,
    RemediationStatus,
    VerificationIn,
    VerificationRead,
)
from program.models import CoreField, DataType, Program, ProgramRules, Project, ProjectStatus

# Projects whose data types are under contract (협약 이후): the ones delivery tracking lists.
DELIVERING_STATUSES = (ProjectStatus.awarded, ProjectStatus.building, ProjectStatus.quality_verification,
                       ProjectStatus.opened)
STAGE_LABELS = {"contracted": "협약", "built": "구축", "verified": "품질검증 통과", "opened": "개방"}
# Reference history and goal of the national programme (published figures; the seed's program_2021.json
# holds the same): used for years the database does not hold. Code, not a file read at run time.
REFERENCE_HISTORY: dict[str, Any] = {
    "history": [{"year": 2017, "data_types": 4}, {"year": 2018, "data_types": 7}, {"year": 2019, "data_types": 10},
                {"year": 2020, "data_types": 170}, {"year": 2021, "data_types": 190}],
    "goal": {"year": 2025, "data_types": 1300},
}


def _data_type(session: Session, data_type_id: int) -> DataType:
    dt = session.get(DataType, data_type_id)
    if dt is None:
        raise NotFound("program.err.data_type_not_found", data_type_id=data_type_id)
    return dt


def _dump(obj: Any) -> dict[str, Any]:
    return obj.model_dump(mode="json")


# --------------------------------------------------------------------------- writes


def record_progress(session: Session, actor: Actor, data_type_id: int, data: ProgressIn) -> ProgressRead:
    """Record the items built in a month (replaces that month's figure; the audit keeps the old one)."""
    _data_type(session, data_type_id)
    month = data.month.replace(day=1)
    row = session.exec(select(DeliveryProgress).where(DeliveryProgress.data_type_id == data_type_id,
                                                      DeliveryProgress.month == month)).first()
    before = _dump(row) if row else None
    if row is None:
        row = DeliveryProgress(data_type_id=data_type_id, month=month, built_items=data.built_items)
    else:
        row.built_items = data.built_items
    session.add(row)
    session.flush()
    audit.record(session, actor, "delivery.progress", "data_type", data_type_id, before=before, after=_dump(row))
    session.commit()
    cumulative = session.exec(select(func.coalesce(func.sum(DeliveryProgress.built_items), 0))
                              .where(DeliveryProgress.data_type_id == data_type_id,
                                     DeliveryProgress.month <= month)).one()
    return ProgressRead(month=month, built_items=data.built_items, cumulative_items=int(cumulative))


def record_verification(session: Session, actor: Actor, data_type_id: int,
                        data: VerificationIn) -> QualityVerification:
    """Record a quality verification; a conditional or failed result needs a remediation deadline."""
    _data_type(session, data_type_id)
    needs = data.result in (QualityResult.conditional, QualityResult.failed)
    if needs and data.remediation_due_date is None:
        raise RuleViolation("program.err.remediation_deadline", field="remediation_due_date")
    if data.remediation_due_date is not None and data.remediation_due_date < data.verified_date:
        raise RuleViolation("program.err.remediation_before", field="remediation_due_date")
    v = QualityVerification(data_type_id=data_type_id, **data.model_dump(),
                            remediation_status=RemediationStatus.open if needs else RemediationStatus.not_required)
    if not needs:
        v.remediation_due_date = None
    session.add(v)
    session.flush()
    audit.record(session, actor, "delivery.verification", "quality_verification", v.id, after=_dump(v))
    session.commit()
    return v


def record_remediation(session: Session, actor: Actor, verification_id: int,
                       data: RemediationIn) -> QualityVerification:
    """Mark a conditional or failed verification as remedied on a date."""
    v = session.get(QualityVerification, verification_id)
    if v is None:
        raise NotFound("program.err.verification_not_found", verification_id=verification_id)
    if v.remediation_status != RemediationStatus.open:
        raise RuleViolation("program.err.no_open_remediation", field="remedied_date", verification_id=verification_id,
                            status=Term("remediation_status", v.remediation_status))
    if data.remedied_date < v.verified_date:
        raise RuleViolation("program.err.remedied_before", field="remedied_date")
    before = _dump(v)
    v.remediation_status = RemediationStatus.remedied
    v.remedied_date = data.remedied_date
    if data.note:
        v.note = data.note
    session.add(v)
    audit.record(session, actor, "delivery.remediation", "quality_verification", v.id, before=before, after=_dump(v))
    session.commit()
    return v


def set_opening(session: Session, actor: Actor, data_type_id: int, data: OpeningIn) -> DataOpening:
    """Set the opening deadline and/or the date the data type opened on the data hub."""
    _data_type(session, data_type_id)
    row = session.exec(select(DataOpening).where(DataOpening.data_type_id == data_type_id)).first()
    before = _dump(row) if row else None
    if row is None:
        if data.due_date is None:
            raise RuleViolation("program.err.opening_due", field="due_date")
        row = DataOpening(data_type_id=data_type_id, due_date=data.due_date)
    changes = data.model_dump(exclude_unset=True)
    for key, value in changes.items():
        if key == "due_date" and value is None:
            continue
        setattr(row, key, value)
    session.add(row)
    session.flush()
    audit.record(session, actor, "delivery.opening", "data_type", data_type_id, before=before, after=_dump(row))
    session.commit()
    return row


# --------------------------------------------------------------------------- reads


_VERIFICATION_COLUMNS = (QualityVerification.data_type_id, QualityVerification.verified_date,
                         QualityVerification.result, QualityVerification.remediation_due_date,
                         QualityVerification.remedied_date,
                         QualityVerification.syntactic_measured_pct, QualityVerification.semantic_target_pct,
                         QualityVerification.semantic_measured_pct, QualityVerification.remediation_status)


def delivery_statuses(session: Session, *, today: date, program_id: int | None = None,
                      project_id: int | None = None, data_type_ids: list[int] | None = None,
                      field_code: str | None = None) -> list[DeliveryStatus]:
    """The delivery of every data type under contract, as of `today` (ordered by data type id).

    Under contract = its project is awarded or later (DELIVERING_STATUSES); explicit
    `data_type_ids` are returned whatever their project's status. Only what was known on
    `today` counts: progress of months up to it, verifications up to it, an opening on or before it.
    """
    q = (select(DataType.id, DataType.name_ko, DataType.contracted_volume, Project.id, Project.code,
                Project.program_id, CoreField.code, CoreField.name_ko)
         .join(Project, Project.id == DataType.project_id)
         .join(CoreField, CoreField.id == Project.field_id))
    if program_id is not None:
        q = q.where(Project.program_id == program_id)
    if project_id is not None:
        q = q.where(Project.id == project_id)
    if field_code:
        q = q.where(CoreField.code == field_code)
    if data_type_ids is not None:
        q = q.where(DataType.id.in_(data_type_ids))  # type: ignore[union-attr]
    else:
        q = q.where(Project.status.in_(DELIVERING_STATUSES))  # type: ignore[attr-defined]
    base = session.exec(q.order_by(DataType.id)).all()
    if not base:
        return []
    ids = [r[0] for r in base]
    min_ratio = {p.id: p.rules.delivery_min_ratio for p in session.exec(select(Program)).all()}

    built: dict[int, tuple[int, date | None]] = {}
    verifs: dict[int, list[Any]] = defaultdict(list)
    openings: dict[int, Any] = {}
    for chunk in _chunks(ids, 900):
        for dt_id, total, last in session.exec(
            select(DeliveryProgress.data_type_id, func.sum(DeliveryProgress.built_items),
                   func.max(DeliveryProgress.month))
            .where(DeliveryProgress.data_type_id.in_(chunk),  # type: ignore[attr-defined]
                   DeliveryProgress.month <= today)
            .group_by(DeliveryProgress.data_type_id)
        ).all():
            built[dt_id] = (int(total or 0), last)
        # the columns used below as plain rows, not ORM objects (nine programmes' worth on the overview's
        # cross-year view; bench dashboard)
        for v in session.execute(select(*_VERIFICATION_COLUMNS)
                                 .where(QualityVerification.data_type_id.in_(chunk),  # type: ignore[attr-defined]
                                        QualityVerification.verified_date <= today)
                                 .order_by(QualityVerification.verified_date, QualityVerification.id)).all():
            verifs[v.data_type_id].append(v)
        for o in session.execute(select(DataOpening.data_type_id, DataOpening.due_date, DataOpening.opened_date)
                                 .where(DataOpening.data_type_id.in_(chunk))).all():  # type: ignore[attr-defined]
            openings[o.data_type_id] = o

    out = []
    for dt_id, name, contracted, proj_id, proj_code, prog_id, fcode, fname in base:
        total, last_month = built.get(dt_id, (0, None))
        latest = verifs[dt_id][-1] if verifs.get(dt_id) else None
        state = rules.quality_state(
            rules.Verification(latest.verified_date, str(latest.result), latest.remediation_due_date,
                               latest.remedied_date) if latest else None, today)
        op = openings.get(dt_id)
        opened_date = op.opened_date if op and op.opened_date is not None and op.opened_date <= today else None
        o_state, days_late = rules.opening_state(op.due_date if op else None, opened_date, today)
        out.append(DeliveryStatus(
            data_type_id=dt_id, data_type_name=name, project_id=proj_id, project_code=proj_code,
            program_id=prog_id, field_code=fcode, field_name_ko=fname, contracted_volume=contracted,
            built_volume=total, delivered_ratio=rules.delivered_ratio(contracted, total),
            volume_short=rules.volume_short(contracted, total, min_ratio[prog_id]), last_progress_month=last_month,
            quality_result=latest.result if latest else None, verified_date=latest.verified_date if latest else None,
            syntactic_measured_pct=latest.syntactic_measured_pct if latest else None,
            semantic_target_pct=latest.semantic_target_pct if latest else None,
            semantic_measured_pct=latest.semantic_measured_pct if latest else None,
            remediation_due_date=latest.remediation_due_date if latest else None,
            remediation_status=latest.remediation_status if latest else None,
            remedied_date=latest.remedied_date if latest else None, quality_state=state,
            open_due_date=op.due_date if op else None, opened_date=opened_date,
            opening_state=o_state, days_late=days_late,
        ))
    return out


def _chunks(values: list[int], size: int) -> list[list[int]]:
    return [values[i:i + size] for i in range(0, len(values), size)]


def delivery_detail(session: Session, data_type_id: int, *, today: date) -> DeliveryDetail:
    """One data type: status, month-by-month progress, every verification, the opening."""
    _data_type(session, data_type_id)
    status = delivery_statuses(session, today=today, data_type_ids=[data_type_id])[0]
    rows = session.exec(select(DeliveryProgress).where(DeliveryProgress.data_type_id == data_type_id)
                        .order_by(DeliveryProgress.month)).all()
    running = 0
    progress = []
    for r in rows:
        running += r.built_items
        progress.append(ProgressRead(month=r.month, built_items=r.built_items, cumulative_items=running))
    verifs = session.exec(select(QualityVerification).where(QualityVerification.data_type_id == data_type_id)
                          .order_by(QualityVerification.verified_date, QualityVerification.id)).all()
    opening = session.exec(select(DataOpening).where(DataOpening.data_type_id == data_type_id)).first()
    return DeliveryDetail(status=status, progress=progress,
                          verifications=[VerificationRead.model_validate(v) for v in verifs],
                          opening=OpeningRead.model_validate(opening) if opening else None)


def delivery_funnel(session: Session, *, today: date, program_id: int | None = None,
                    field_code: str | None = None) -> DeliveryFunnel:
    """Contracted → built → verified → opened, in data types and items, as of `today`.

    The one denominator of every delivery share is the first stage: data types under contract.
    "Built" uses the programme's `delivery_min_ratio`.
    """
    statuses = delivery_statuses(session, today=today, program_id=program_id, field_code=field_code)
    program = session.get(Program, program_id) if program_id is not None else None
    min_ratio = program.rules.delivery_min_ratio if program else ProgramRules().delivery_min_ratio
    stages = []
    inputs = [rules.FunnelInput(s.contracted_volume, s.built_volume, s.quality_state, s.opened_date is not None)
              for s in statuses]
    for stage, n, items in rules.funnel(inputs, min_ratio):
        stages.append(FunnelStage(stage=stage, label_ko=STAGE_LABELS[stage], data_types=n, items=items))
    return DeliveryFunnel(program_id=program_id, as_of=today, stages=stages)


def delivery_history(session: Session, *, reference: dict[str, Any] | None = None) -> DeliveryHistory:
    """Data types built per year and cumulatively, toward the goal (1,300 types by 2025).

    Years the database holds count its data types; earlier years come from the reference
    history (`REFERENCE_HISTORY`, or the one given).
    """
    if reference is None:
        reference = REFERENCE_HISTORY
    rows = session.exec(select(Program.year, func.count(DataType.id))
                        .join(Project, Project.program_id == Program.id)
                        .join(DataType, DataType.project_id == Project.id)
                        .group_by(Program.year)).all()
    db_years = {int(y): int(n) for y, n in rows}
    per_year: dict[int, tuple[int, str]] = {}
    for h in reference.get("history", []):
        per_year[int(h["year"])] = (int(h["data_types"]), "reference")
    for y, n in db_years.items():
        if y not in per_year or len(db_years) > 1:
            per_year[y] = (n, "database")
    points = [HistoryPoint(year=y, data_types=n, cumulative=c, source=per_year[y][1])
              for y, n, c in rules.cumulative([(y, v[0]) for y, v in per_year.items()])]
    goal = reference.get("goal", {"year": 2025, "data_types": 1300})
    return DeliveryHistory(goal_year=int(goal["year"]), goal_data_types=int(goal["data_types"]), points=points)


def monthly_progress(session: Session, *, program_id: int | None = None) -> list[MonthlyProgress]:
    """Items built per month across the programme, with the running total."""
    q = select(DeliveryProgress.month, func.sum(DeliveryProgress.built_items))
    if program_id is not None:
        q = (q.join(DataType, DataType.id == DeliveryProgress.data_type_id)
             .join(Project, Project.id == DataType.project_id).where(Project.program_id == program_id))
    rows = session.exec(q.group_by(DeliveryProgress.month).order_by(DeliveryProgress.month)).all()
    running = 0
    out = []
    for month, n in rows:
        running += int(n or 0)
        out.append(MonthlyProgress(month=month, built_items=int(n or 0), cumulative_items=running))
    return out
