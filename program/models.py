"""Tables and schemas of the programme domain.

Money columns end in `_krw` and hold integer won (BIGINT). Ratios are stored as basis
points (1 bp = 0.01%) or as Decimal strings inside the rules configuration.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic import Field as PField
from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.timeutil import utcnow


def krw_column(*, nullable: bool = False, index: bool = False) -> Any:
    return Column(BigInteger, nullable=nullable, index=index)


# --------------------------------------------------------------------------- rules


class MatchingRate(BaseModel):
    """Minimum private matching (민간부담금) as a share of the total project cost."""

    kind: str
    min_rate: Decimal


class AdjustmentBand(BaseModel):
    """Score band → share of the requested grant that is awarded."""

    min_score: Decimal
    rate: Decimal


class ProgramRules(BaseModel):
    """Every rule value of a call, stored as data on the programme (defaults: 2021)."""

    model_config = ConfigDict(extra="forbid")

    hires_per_100m_krw: Decimal = Decimal("2.4")
    pass_threshold: Decimal = Decimal("70")
    trim_from_sheets: int = 5
    panel_min: int = 5
    panel_max: int = 9
    bonus_cap: Decimal = Decimal("5")
    bonus_crowd_share_min: Decimal = Decimal("0.30")
    bonus_crowd_points: Decimal = Decimal("2")
    bonus_vulnerable_points: Decimal = Decimal("2")
    bonus_regional_lead_points: Decimal = Decimal("1")
    adjustment_bands: list[AdjustmentBand] = [
        AdjustmentBand(min_score=Decimal("90"), rate=Decimal("1.00")),
        AdjustmentBand(min_score=Decimal("80"), rate=Decimal("0.95")),
        AdjustmentBand(min_score=Decimal("70"), rate=Decimal("0.90")),
    ]
    grant_rounding_krw: int = 1000
    min_consortium_members: int = 2
    max_fields_per_lead: int = 3
    matching_min_rates: list[MatchingRate] = [
        MatchingRate(kind="sme", min_rate=Decimal("0.10")),
        MatchingRate(kind="startup", min_rate=Decimal("0.10")),
        MatchingRate(kind="large", min_rate=Decimal("0.15")),
        MatchingRate(kind="university", min_rate=Decimal("0.10")),
        MatchingRate(kind="hospital", min_rate=Decimal("0.10")),
        MatchingRate(kind="public", min_rate=Decimal("0.10")),
        MatchingRate(kind="crowd_platform", min_rate=Decimal("0.10")),
    ]
    comment_required_below: Decimal = Decimal("0.40")
    conflict_lookback_years: int = 3
    indirect_cost_cap: Decimal = Decimal("0.05")
    transfer_free_ratio: Decimal = Decimal("0.20")
    delivery_min_ratio: Decimal = Decimal("0.95")
    # a sheet this many points from the median of the other sheets on a proposal is an outlier
    outlier_points: Decimal = Decimal("15")
    # an award projected to leave more than this share of its budget unspent is flagged
    unspent_tolerance: Decimal = Decimal("0.10")
    # an award's labour cost per delivered item above Q3 + k × IQR of the programme is an outlier
    labour_outlier_iqr_factor: Decimal = Decimal("3")
    # crowd payments or training below this share of what the proposal promised are flagged
    promise_min_ratio: Decimal = Decimal("0.5")
    # typical share of each cost category: the default split of a new award's budget
    cost_category_shares: dict[str, Decimal] = {
        "labour": Decimal("0.32"), "crowdsourcing": Decimal("0.25"), "outsourcing": Decimal("0.10"),
        "collection": Decimal("0.12"), "equipment": Decimal("0.08"), "quality": Decimal("0.05"),
        "travel": Decimal("0.03"), "indirect": Decimal("0.05"),
    }

    def min_matching_rate(self, kind: str) -> Decimal:
        for m in self.matching_min_rates:
            if m.kind == kind:
                return m.min_rate
        return max((m.min_rate for m in self.matching_min_rates), default=Decimal("0"))


# --------------------------------------------------------------------------- enums


class CallTypeCode(StrEnum):
    designated = "designated"  # 지정공모
    regional = "regional"  # 자유공모(지역)
    free = "free"  # 자유공모(자유)


class ProjectStatus(StrEnum):
    open = "open"
    under_evaluation = "under_evaluation"
    awarded = "awarded"
    building = "building"
    quality_verification = "quality_verification"
    opened = "opened"
    reannounced = "reannounced"
    cancelled = "cancelled"


class OrgKind(StrEnum):
    large = "large"
    sme = "sme"
    startup = "startup"
    university = "university"
    hospital = "hospital"
    public = "public"
    crowd_platform = "crowd_platform"


class MemberRole(StrEnum):
    lead = "lead"  # 주관기관
    participant = "participant"  # 참여기관
    crowd_platform = "crowd_platform"  # 크라우드소싱 플랫폼
    quality = "quality"  # 품질관리


class ProposalStatus(StrEnum):
    submitted = "submitted"
    eligible = "eligible"
    ineligible = "ineligible"
    under_review = "under_review"
    selected = "selected"
    reserve = "reserve"
    not_selected = "not_selected"
    withdrawn = "withdrawn"


REGIONS: tuple[str, ...] = (
    "서울", "부산", "대구", "인천", "광주", "대전", "울산", "세종", "경기",
    "강원", "충북", "충남", "전북", "전남", "경북", "경남", "제주",
)


# --------------------------------------------------------------------------- tables


class Program(SQLModel, table=True):
    """One yearly call (e.g. 2021 AI training data construction project)."""

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True, unique=True)
    name_ko: str
    name_en: str = ""
    total_budget_krw: int = Field(sa_column=krw_column())  # 총 사업비(정부출연금)
    call_opened_date: date | None = None
    rules_json: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def rules(self) -> ProgramRules:
        return ProgramRules.model_validate(self.rules_json or {})


class CoreField(SQLModel, table=True):
    """One of the six core fields (6대 핵심분야)."""

    __tablename__ = "core_field"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=16)
    name_ko: str
    name_en: str
    sort_order: int = 0


class CallType(SQLModel, table=True):
    """Designated contest (지정공모), regional (지역) or free (자유)."""

    __tablename__ = "call_type"

    id: int | None = Field(default=None, primary_key=True)
    code: CallTypeCode = Field(index=True, unique=True)
    name_ko: str
    name_en: str


class Project(SQLModel, table=True):
    """A project slot (과제): one data type to build, with a budget ceiling."""

    __table_args__ = (UniqueConstraint("program_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    code: str = Field(max_length=32, index=True)
    field_id: int = Field(foreign_key="core_field.id", index=True)
    call_type_id: int = Field(foreign_key="call_type.id", index=True)
    title_ko: str
    title_en: str = ""
    region: str | None = Field(default=None, index=True)  # regional projects only
    ceiling_krw: int = Field(sa_column=krw_column())  # 과제 상한액
    planned_volume: int = 0  # items (images, utterances, hours…) to build
    volume_unit: str = "건"
    status: ProjectStatus = Field(default=ProjectStatus.open, index=True)


class DataType(SQLModel, table=True):
    """A dataset a project delivers (usually one per project)."""

    __tablename__ = "data_type"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    name_ko: str
    name_en: str = ""
    modality: str = ""  # image, video, speech, text, sensor
    contracted_volume: int = 0
    volume_unit: str = "건"


class Organization(SQLModel, table=True):
    """A company, university, hospital, public body or crowdsourcing platform."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    name_en: str = ""
    business_number: str = Field(index=True, unique=True, max_length=12)  # 사업자등록번호 000-00-00000
    kind: OrgKind = Field(index=True)
    region: str = Field(index=True)
    restricted_until: date | None = None  # 참여제한 (participation restriction)
    restriction_reason: str | None = None


class Consortium(SQLModel, table=True):
    """The group of organisations that applies for one project."""

    id: int | None = Field(default=None, primary_key=True)
    name: str
    lead_org_id: int = Field(foreign_key="organization.id", index=True)


class ConsortiumMember(SQLModel, table=True):
    __tablename__ = "consortium_member"
    __table_args__ = (UniqueConstraint("consortium_id", "org_id"),)

    id: int | None = Field(default=None, primary_key=True)
    consortium_id: int = Field(foreign_key="consortium.id", index=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    role: MemberRole
    share_bp: int = 0  # planned share of the work in basis points (10000 = 100%)


class Proposal(SQLModel, table=True):
    """A consortium's application (사업계획서) for one project."""

    __table_args__ = (Index("ix_proposal_project_status", "project_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    consortium_id: int = Field(foreign_key="consortium.id", index=True)
    title: str = ""
    requested_grant_krw: int = Field(sa_column=krw_column())  # 정부출연금 신청액
    private_matching_krw: int = Field(sa_column=krw_column())  # 민간부담금
    planned_direct_hires: int = 0  # 직접고용 계획 인원
    planned_crowd_payment_krw: int = Field(default=0, sa_column=krw_column())
    planned_crowd_workers: int = 0
    planned_training_hours: int = 0
    planned_volume: int = 0
    vulnerable_hiring_plan: bool = False  # 취약계층 고용 계획
    submitted_at: datetime = Field(index=True)
    status: ProposalStatus = Field(default=ProposalStatus.submitted, index=True)


# --------------------------------------------------------------------------- schemas


class ProgramRead(SQLModel):
    id: int
    year: int
    name_ko: str
    name_en: str
    total_budget_krw: int
    call_opened_date: date | None
    rules: ProgramRules


class ProgramRulesUpdate(BaseModel):
    """Partial update of the rules; unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")
    rules: dict[str, Any]


class CountBy(BaseModel):
    code: str
    name_ko: str
    name_en: str
    projects: int
    ceiling_krw: int


class ProgramSummary(BaseModel):
    program_id: int
    year: int
    name_ko: str
    total_budget_krw: int
    total_budget_label: str
    projects: int
    projects_by_call_type: list[CountBy]
    projects_by_field: list[CountBy]
    sum_of_ceilings_krw: int
    hires_per_100m_krw: Decimal
    required_direct_hires: int
    proposals: int
    organizations: int


class CoreFieldRead(SQLModel):
    id: int
    code: str
    name_ko: str
    name_en: str


class CallTypeRead(SQLModel):
    id: int
    code: CallTypeCode
    name_ko: str
    name_en: str


class ProjectRead(SQLModel):
    id: int
    program_id: int
    code: str
    field_id: int
    field_code: str | None = None
    call_type_id: int
    call_type_code: str | None = None
    title_ko: str
    title_en: str
    region: str | None
    ceiling_krw: int
    planned_volume: int
    volume_unit: str
    status: ProjectStatus


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    program_id: int
    code: str = PField(min_length=1, max_length=32)
    field_code: str
    call_type: CallTypeCode
    title_ko: str = PField(min_length=1, max_length=200)
    title_en: str = ""
    region: str | None = None
    ceiling_krw: int = PField(gt=0)
    planned_volume: int = PField(default=0, ge=0)
    volume_unit: str = "건"

    @field_validator("region")
    @classmethod
    def _region_known(cls, v: str | None) -> str | None:
        if v is not None and v not in REGIONS:
            raise ValueError(f"unknown region '{v}'; one of {', '.join(REGIONS)}")
        return v


class ProjectUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title_ko: str | None = PField(default=None, min_length=1, max_length=200)
    title_en: str | None = None
    ceiling_krw: int | None = PField(default=None, gt=0)
    planned_volume: int | None = PField(default=None, ge=0)
    status: ProjectStatus | None = None


class OrganizationRead(SQLModel):
    id: int
    name: str
    name_en: str
    business_number: str
    kind: OrgKind
    region: str
    restricted_until: date | None
    restriction_reason: str | None


class OrganizationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = PField(min_length=1, max_length=200)
    name_en: str = ""
    business_number: str = PField(pattern=r"^\d{3}-\d{2}-\d{5}$")
    kind: OrgKind
    region: str

    @field_validator("region")
    @classmethod
    def _region_known(cls, v: str) -> str:
        if v not in REGIONS:
            raise ValueError(f"unknown region '{v}'; one of {', '.join(REGIONS)}")
        return v


class RestrictionUpdate(BaseModel):
    """Put an organisation under a participation restriction (참여제한) or lift it."""

    model_config = ConfigDict(extra="forbid")
    restricted_until: date | None
    reason: str = PField(min_length=3, max_length=500)


class MemberIn(BaseModel):
    org_id: int
    role: MemberRole
    share_bp: int = PField(ge=0, le=10000)


class MemberRead(MemberIn):
    org_name: str
    org_kind: OrgKind
    business_number: str


class ConsortiumCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = PField(min_length=1, max_length=200)
    members: list[MemberIn] = PField(min_length=1)


class ConsortiumRead(BaseModel):
    id: int
    name: str
    lead_org_id: int
    members: list[MemberRead]


class ProposalRead(SQLModel):
    id: int
    project_id: int
    consortium_id: int
    title: str
    requested_grant_krw: int
    private_matching_krw: int
    planned_direct_hires: int
    planned_crowd_payment_krw: int
    planned_crowd_workers: int
    planned_training_hours: int
    planned_volume: int
    vulnerable_hiring_plan: bool
    submitted_at: datetime
    status: ProposalStatus


class ProposalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project_id: int
    consortium_id: int
    title: str = PField(default="", max_length=300)
    requested_grant_krw: int = PField(gt=0)
    private_matching_krw: int = PField(ge=0)
    planned_direct_hires: int = PField(ge=0)
    planned_crowd_payment_krw: int = PField(default=0, ge=0)
    planned_crowd_workers: int = PField(default=0, ge=0)
    planned_training_hours: int = PField(default=0, ge=0)
    planned_volume: int = PField(default=0, ge=0)
    vulnerable_hiring_plan: bool = False
    submitted_at: datetime | None = None


class ProposalUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = PField(default=None, max_length=300)
    requested_grant_krw: int | None = PField(default=None, gt=0)
    private_matching_krw: int | None = PField(default=None, ge=0)
    planned_direct_hires: int | None = PField(default=None, ge=0)
    planned_crowd_payment_krw: int | None = PField(default=None, ge=0)
    planned_crowd_workers: int | None = PField(default=None, ge=0)
    planned_training_hours: int | None = PField(default=None, ge=0)
    planned_volume: int | None = PField(default=None, ge=0)
    vulnerable_hiring_plan: bool | None = None
    status: ProposalStatus | None = None
