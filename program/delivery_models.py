"""Tables and schemas of delivery tracking (산출물 관리): built volume, quality verification, opening.

Each data type (`program.models.DataType`) has a contracted volume; here it gets monthly
progress rows (items built that month), quality verifications by the quality agency
(TTA: pass / conditional / fail, measured accuracy against the target, remediation
deadline and status) and its opening on the public data hub (AI Hub).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Column, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.bounded import Count, RequestModel
from core.timeutil import utcnow
from program.bounds import Agency, Note, Percent, Url


class QualityResult(StrEnum):
    passed = "pass"  # 적합
    conditional = "conditional"  # 조건부 적합 (remediation required)
    failed = "fail"  # 부적합 (remediation required)


class RemediationStatus(StrEnum):
    not_required = "not_required"
    open = "open"  # 보완 중
    remedied = "remedied"  # 보완 완료


def pct_column() -> Column:
    """A percentage such as 99.500 (not a fraction)."""
    return Column(Numeric(7, 3), nullable=True)


# --------------------------------------------------------------------------- tables


class DeliveryProgress(SQLModel, table=True):
    """Items of one data type built in one month (월별 구축 실적); the month is its first day."""

    __tablename__ = "delivery_progress"
    __table_args__ = (UniqueConstraint("data_type_id", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    data_type_id: int = Field(foreign_key="data_type.id", index=True)
    month: date = Field(index=True)
    built_items: int = 0
    recorded_at: datetime = Field(default_factory=utcnow)


class QualityVerification(SQLModel, table=True):
    """One quality verification of a data type by the quality agency (품질검증, TTA)."""

    __tablename__ = "quality_verification"

    id: int | None = Field(default=None, primary_key=True)
    data_type_id: int = Field(foreign_key="data_type.id", index=True)
    verified_date: date = Field(index=True)
    agency: str = "TTA"
    result: QualityResult = Field(index=True)
    syntactic_target_pct: Decimal | None = Field(default=None, sa_column=pct_column())  # 구문 정확성 목표
    syntactic_measured_pct: Decimal | None = Field(default=None, sa_column=pct_column())
    semantic_target_pct: Decimal | None = Field(default=None, sa_column=pct_column())  # 의미 정확성 목표
    semantic_measured_pct: Decimal | None = Field(default=None, sa_column=pct_column())
    remediation_due_date: date | None = Field(default=None, index=True)  # 보완 기한
    remediation_status: RemediationStatus = Field(default=RemediationStatus.not_required, index=True)
    remedied_date: date | None = None
    note: str | None = None


class DataOpening(SQLModel, table=True):
    """When a data type is due to open, and opened, on the public data hub (AI Hub 개방)."""

    __tablename__ = "data_opening"

    id: int | None = Field(default=None, primary_key=True)
    data_type_id: int = Field(foreign_key="data_type.id", index=True, unique=True)
    due_date: date = Field(index=True)  # 개방 기한
    opened_date: date | None = Field(default=None, index=True)
    hub: str = "AI Hub"
    url: str | None = None


# --------------------------------------------------------------------------- requests


class ProgressIn(RequestModel):
    month: date
    built_items: Count


class VerificationIn(RequestModel):
    verified_date: date
    agency: Agency = "TTA"
    result: QualityResult
    syntactic_target_pct: Percent | None = None
    syntactic_measured_pct: Percent | None = None
    semantic_target_pct: Percent | None = None
    semantic_measured_pct: Percent | None = None
    remediation_due_date: date | None = None
    note: Note | None = None


class RemediationIn(RequestModel):
    remedied_date: date
    note: Note | None = None


class OpeningIn(RequestModel):
    due_date: date | None = None
    opened_date: date | None = None
    url: Url | None = None


# --------------------------------------------------------------------------- responses


class ProgressRead(BaseModel):
    month: date
    built_items: int
    cumulative_items: int


class VerificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    data_type_id: int
    verified_date: date
    agency: str
    result: QualityResult
    syntactic_target_pct: Decimal | None
    syntactic_measured_pct: Decimal | None
    semantic_target_pct: Decimal | None
    semantic_measured_pct: Decimal | None
    remediation_due_date: date | None
    remediation_status: RemediationStatus
    remedied_date: date | None
    note: str | None


class OpeningRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    data_type_id: int
    due_date: date
    opened_date: date | None
    hub: str
    url: str | None


class DeliveryStatus(BaseModel):
    """One data type's delivery at a glance (the row of the delivery list, the reports and the checks)."""

    data_type_id: int
    data_type_name: str
    project_id: int
    project_code: str
    program_id: int
    field_code: str
    field_name_ko: str
    contracted_volume: int
    built_volume: int
    delivered_ratio: Decimal | None
    volume_short: bool
    last_progress_month: date | None
    quality_result: QualityResult | None
    verified_date: date | None
    syntactic_measured_pct: Decimal | None
    semantic_target_pct: Decimal | None
    semantic_measured_pct: Decimal | None
    remediation_due_date: date | None
    remediation_status: RemediationStatus | None
    remedied_date: date | None
    # pass | remedied_on_time | remedied_late | remediation_open | remediation_overdue | not_verified
    quality_state: str
    open_due_date: date | None
    opened_date: date | None
    opening_state: str  # opened_on_time | opened_late | not_opened_overdue | pending | no_due_date
    days_late: int | None


class DeliveryDetail(BaseModel):
    status: DeliveryStatus
    progress: list[ProgressRead]
    verifications: list[VerificationRead]
    opening: OpeningRead | None


class FunnelStage(BaseModel):
    stage: str  # contracted | built | verified | opened
    label_ko: str
    data_types: int
    items: int


class DeliveryFunnel(BaseModel):
    program_id: int | None
    as_of: date
    stages: list[FunnelStage]


class HistoryPoint(BaseModel):
    year: int
    data_types: int
    cumulative: int
    source: str  # "database" or "reference"


class DeliveryHistory(BaseModel):
    goal_year: int
    goal_data_types: int
    points: list[HistoryPoint]


class MonthlyProgress(BaseModel):
    month: date
    built_items: int
    cumulative_items: int
