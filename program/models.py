"""Tables and schemas of the programme domain.

Money columns end in `_krw` and hold integer won (BIGINT). Ratios are stored as basis
points (1 bp = 0.01%) or as Decimal strings inside the rules configuration.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, create_model, field_validator, model_validator
from pydantic import Field as PField
from sqlalchemy import JSON, BigInteger, Column, Index, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.bounded import (
    Code,
    Count,
    Id,
    Name,
    PositiveWon,
    Rate,
    RequestModel,
    ShortText,
    Won,
)
from core.timeutil import utcnow
from program.bounds import (
    BasisPoints,
    FactorValue,
    FieldCode,
    LookbackYears,
    PointsValue,
    ProjectCode,
    ProposalTitle,
    RestrictionReason,
    RoundingWon,
    ShareValue,
    SmallCount,
    Unit,
)


def krw_column(*, nullable: bool = False, index: bool = False) -> Any:
    return Column(BigInteger, nullable=nullable, index=index)


# --------------------------------------------------------------------------- rules
# (the bounded types of the rule values are in program/bounds.py)


class MatchingRate(BaseModel):
    """Minimum private matching (민간부담금) as a share of the total project cost."""

    model_config = ConfigDict(extra="forbid")

    kind: Code
    min_rate: ShareValue


class AdjustmentBand(BaseModel):
    """Score band → share of the requested grant that is awarded."""

    model_config = ConfigDict(extra="forbid")

    min_score: PointsValue
    rate: ShareValue


_DEFAULT_COST_CATEGORY_SHARES: dict[str, Decimal] = {
    "labour": Decimal("0.32"), "crowdsourcing": Decimal("0.25"), "outsourcing": Decimal("0.10"),
    "collection": Decimal("0.12"), "equipment": Decimal("0.08"), "quality": Decimal("0.05"),
    "travel": Decimal("0.03"), "indirect": Decimal("0.05"),
}


class ProgramRules(BaseModel):
    """Every rule value of a call, stored as data on the programme (defaults: 2021).

    Each value is bounded by its type and the set is checked as a whole (`_consistent`):
    an invalid combination is refused before it is stored, so no result, summary or report
    meets one. The bonus points (`bonus_*_points`) are the one source of the bonus items'
    points: a rubric lists which bonus items its call type has, the rules say how much each is worth.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    hires_per_100m_krw: Rate = Decimal("2.4")
    pass_threshold: PointsValue = Decimal("70")
    trim_from_sheets: SmallCount = 5
    panel_min: SmallCount = 5
    panel_max: SmallCount = 9
    bonus_cap: PointsValue = Decimal("5")
    bonus_crowd_share_min: ShareValue = Decimal("0.30")
    bonus_crowd_points: PointsValue = Decimal("2")  # CROWD_SHARE
    bonus_vulnerable_points: PointsValue = Decimal("2")  # VULNERABLE
    bonus_regional_lead_points: PointsValue = Decimal("1")  # REGIONAL_LEAD
    adjustment_bands: list[AdjustmentBand] = PField(default=[
        AdjustmentBand(min_score=Decimal("90"), rate=Decimal("1.00")),
        AdjustmentBand(min_score=Decimal("80"), rate=Decimal("0.95")),
        AdjustmentBand(min_score=Decimal("70"), rate=Decimal("0.90")),
    ], min_length=1, max_length=20)
    grant_rounding_krw: RoundingWon = 1000
    min_consortium_members: SmallCount = 2
    max_fields_per_lead: SmallCount = 3
    matching_min_rates: list[MatchingRate] = PField(default=[
        MatchingRate(kind="sme", min_rate=Decimal("0.10")),
        MatchingRate(kind="startup", min_rate=Decimal("0.10")),
        MatchingRate(kind="large", min_rate=Decimal("0.15")),
        MatchingRate(kind="university", min_rate=Decimal("0.10")),
        MatchingRate(kind="hospital", min_rate=Decimal("0.10")),
        MatchingRate(kind="public", min_rate=Decimal("0.10")),
        MatchingRate(kind="crowd_platform", min_rate=Decimal("0.10")),
    ], max_length=20)
    comment_required_below: ShareValue = Decimal("0.40")
    conflict_lookback_years: LookbackYears = 3
    indirect_cost_cap: ShareValue = Decimal("0.05")
    transfer_free_ratio: ShareValue = Decimal("0.20")
    delivery_min_ratio: ShareValue = Decimal("0.95")
    # a sheet this many points from the median of the other sheets on a proposal is an outlier
    outlier_points: PointsValue = Decimal("15")
    # an award projected to leave more than this share of its budget unspent is flagged
    unspent_tolerance: ShareValue = Decimal("0.10")
    # an award's labour cost per delivered item above Q3 + k × IQR of the programme is an outlier
    labour_outlier_iqr_factor: FactorValue = Decimal("3")
    # crowd payments or training below this share of what the proposal promised are flagged
    promise_min_ratio: ShareValue = Decimal("0.5")
    # typical share of each cost category: the default split of a new award's budget
    cost_category_shares: dict[Code, ShareValue] = PField(
        default_factory=lambda: dict(_DEFAULT_COST_CATEGORY_SHARES), max_length=20)
    # an envelope transfer up to this share of the source envelope is recorded at once; a larger one
    # waits in the approval queue (four eyes; above the approver's limit, a second approver)
    envelope_transfer_free_ratio: ShareValue = Decimal("0.50")
    # an evaluator confirms having no conflict of interest with a project before its sheets open
    conflict_confirmation_required: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> ProgramRules:
        """Order and combination checks that no single field can make."""
        if self.panel_min > self.panel_max:
            raise ValueError(f"panel_min ({self.panel_min}) must not exceed panel_max ({self.panel_max})")
        scores = [b.min_score for b in self.adjustment_bands]
        if len(set(scores)) != len(scores):
            raise ValueError("adjustment_bands: each min_score may appear once")
        bands = sorted(self.adjustment_bands, key=lambda b: b.min_score, reverse=True)
        for higher, lower in zip(bands, bands[1:], strict=False):
            if lower.rate > higher.rate:
                raise ValueError(f"adjustment_bands: the band from {lower.min_score} points pays more "
                                 f"({lower.rate}) than the band from {higher.min_score} ({higher.rate})")
        if bands[-1].min_score > self.pass_threshold:
            # a proposal that passes would fall below every band and get no grant
            raise ValueError(f"adjustment_bands: the lowest band ({bands[-1].min_score}) is above the "
                             f"pass threshold ({self.pass_threshold})")
        self.__dict__["adjustment_bands"] = bands  # stored highest first (the model is frozen)
        kinds = [m.kind for m in self.matching_min_rates]
        if len(set(kinds)) != len(kinds):
            raise ValueError("matching_min_rates: each kind may appear once")
        unknown = sorted(set(kinds) - {k.value for k in OrgKind})
        if unknown:
            raise ValueError(f"matching_min_rates: unknown organisation kind {', '.join(unknown)}")
        unknown = sorted(set(self.cost_category_shares) - set(_DEFAULT_COST_CATEGORY_SHARES))
        if unknown:
            raise ValueError(f"cost_category_shares: unknown cost category {', '.join(unknown)}; "
                             f"one of {', '.join(_DEFAULT_COST_CATEGORY_SHARES)}")
        if sum(self.cost_category_shares.values(), Decimal(0)) <= 0:
            raise ValueError("cost_category_shares: the shares must not all be zero")
        return self

    def min_matching_rate(self, kind: str) -> Decimal:
        for m in self.matching_min_rates:
            if m.kind == kind:
                return m.min_rate
        return max((m.min_rate for m in self.matching_min_rates), default=Decimal("0"))

    def bonus_item_points(self) -> dict[str, Decimal]:
        """Points of each bonus item code (가점): the one source the rubric's bonus items take."""
        return {"CROWD_SHARE": self.bonus_crowd_points, "VULNERABLE": self.bonus_vulnerable_points,
                "REGIONAL_LEAD": self.bonus_regional_lead_points}


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


class ProgramStatus(StrEnum):
    """The life of a programme's call: rules and slots are edited before the call opens."""

    draft = "draft"  # 공고 전: rules, rubric, envelopes and slots editable
    call_open = "call_open"  # 접수 중
    call_closed = "call_closed"  # 접수 마감


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
    # The date figures are reported as of unless a caller names another (program.reporting.as_of_for).
    reporting_date: date | None = None
    rules_json: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    # programmes made before the call life existed are taken as having their call open
    status: ProgramStatus = Field(default=ProgramStatus.call_open,
                                  sa_column=Column(String(16), nullable=False, index=True,
                                                   server_default="call_open"))
    copied_from_id: int | None = Field(default=None, index=True)  # the programme its rules came from
    call_closed_date: date | None = None

    @property
    def rules(self) -> ProgramRules:
        return parse_rules(self.rules_json)


_RULES_CACHE: dict[str, ProgramRules] = {}


def parse_rules(rules_json: dict[str, Any] | None) -> ProgramRules:
    """The validated rules of a stored rule set, parsed once per distinct content.

    Validating the whole set costs about a millisecond; the seed and the analytics read a
    programme's rules thousands of times (the national seed spent 24 s of 48 here). The
    cached object is shared: it is frozen, so no caller can change another's rules.
    """
    key = json.dumps(rules_json or {}, sort_keys=True, default=str)
    rules = _RULES_CACHE.get(key)
    if rules is None:
        if len(_RULES_CACHE) > 256:
            _RULES_CACHE.clear()
        rules = _RULES_CACHE[key] = ProgramRules.model_validate(rules_json or {})
    return rules


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
    # a slot of a draft programme is published (공고) before the call opens: None while it is a draft
    # (slots of a programme whose call is open are public whatever this says)
    published_at: datetime | None = None


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
    status: ProgramStatus = ProgramStatus.call_open
    copied_from_id: int | None = None


def _partial(model: type[BaseModel], name: str) -> type[BaseModel]:
    """`model` with every field optional and bounded as in `model` (for a PATCH that merges)."""
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        kind: Any = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        fields[field_name] = (kind | None, PField(default=None, description=info.description))
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields)


ProgramRulesPatch = _partial(ProgramRules, "ProgramRulesPatch")


class ProgramRulesUpdate(RequestModel):
    """Partial update of the rules: each value bounded here, then the merged set checked as a whole."""

    rules: ProgramRulesPatch  # type: ignore[valid-type]

    def changes(self) -> dict[str, Any]:
        """The values given, as JSON values (what `program.service.update_rules` merges)."""
        return self.rules.model_dump(mode="json", exclude_none=True)  # type: ignore[attr-defined]


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


BUSINESS_NUMBER_PATTERN = r"^[0-9]{3}-[0-9]{2}-[0-9]{5}$"  # ASCII digits only (\d would take any script's)


def _region_known(v: str | None) -> str | None:
    if v is not None and v not in REGIONS:
        raise ValueError(f"unknown region '{v}'; one of {', '.join(REGIONS)}")
    return v


class ProjectCreate(RequestModel):
    program_id: Id
    code: ProjectCode
    field_code: FieldCode
    call_type: CallTypeCode
    title_ko: Name
    title_en: ShortText = ""
    region: Code | None = None
    ceiling_krw: PositiveWon
    planned_volume: Count = 0
    volume_unit: Unit = "건"

    _region = field_validator("region")(_region_known)


class ProjectUpdate(RequestModel):
    """What an official may edit on a project; its status changes only through its actions."""

    title_ko: Name | None = None
    title_en: ShortText | None = None
    planned_volume: Count | None = None  # the ceiling: POST /scoring/projects/{id}/ceiling (re-screens)


class OrganizationRead(SQLModel):
    id: int
    name: str
    name_en: str
    business_number: str
    kind: OrgKind
    region: str
    restricted_until: date | None
    restriction_reason: str | None


class OrganizationCreate(RequestModel):
    name: Name
    name_en: ShortText = ""
    business_number: str = PField(pattern=BUSINESS_NUMBER_PATTERN)
    kind: OrgKind
    region: Code

    _region = field_validator("region")(_region_known)


class RestrictionUpdate(RequestModel):
    """Put an organisation under a participation restriction (참여제한) or lift it."""

    restricted_until: date | None
    reason: RestrictionReason


class MemberIn(RequestModel):
    org_id: Id
    role: MemberRole
    share_bp: BasisPoints


class MemberRead(BaseModel):
    org_id: int
    role: MemberRole
    share_bp: int
    org_name: str
    org_kind: OrgKind
    business_number: str


class ConsortiumCreate(RequestModel):
    name: Name
    members: list[MemberIn] = PField(min_length=1, max_length=50)


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


class ProposalCreate(RequestModel):
    """A proposal as submitted; the server stamps `submitted_at` and the status."""

    project_id: Id
    consortium_id: Id
    title: ProposalTitle = ""
    requested_grant_krw: PositiveWon
    private_matching_krw: Won
    planned_direct_hires: Count
    planned_crowd_payment_krw: Won = 0
    planned_crowd_workers: Count = 0
    planned_training_hours: Count = 0
    planned_volume: Count = 0
    vulnerable_hiring_plan: bool = False


class ProposalUpdate(RequestModel):
    """What an official may edit on a proposal; its status changes only through its actions."""

    title: ProposalTitle | None = None
    requested_grant_krw: PositiveWon | None = None
    private_matching_krw: Won | None = None
    planned_direct_hires: Count | None = None
    planned_crowd_payment_krw: Won | None = None
    planned_crowd_workers: Count | None = None
    planned_training_hours: Count | None = None
    planned_volume: Count | None = None
    vulnerable_hiring_plan: bool | None = None


# --------------------------------------------------------------------------- programme life, intake, documents


class ProposalImport(SQLModel, table=True):
    """A file of proposals imported into a programme, known by its content digest (the same file twice → 409)."""

    __tablename__ = "proposal_import"
    __table_args__ = (UniqueConstraint("program_id", "sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    sha256: str = Field(max_length=64)
    filename: str = Field(max_length=255)
    proposals: int = 0
    organizations: int = 0  # organisations created by the file (known business numbers are reused)
    consortia: int = 0
    first_proposal_id: int | None = None
    last_proposal_id: int | None = None
    imported_by: str = Field(max_length=64)
    imported_at: datetime = Field(default_factory=utcnow)


class ProposalDocument(SQLModel, table=True):
    """A PDF of a proposal (사업계획서 원문) uploaded by an official; the newest one is shown."""

    __tablename__ = "proposal_document"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    filename: str = Field(max_length=255)
    size_bytes: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_by: str = Field(max_length=64)
    uploaded_at: datetime = Field(default_factory=utcnow)


class ProgramCopyIn(RequestModel):
    """Next year's programme from an existing one: its rules, rubrics, bonus items and envelopes copied."""

    year: Annotated[int, PField(ge=2000, le=2100)]
    name_ko: Name
    name_en: ShortText = ""
    total_budget_krw: PositiveWon | None = None  # None: the previous programme's total


class ProgramCreateIn(ProgramCopyIn):
    """`POST /programs`: a copy of `from_program_id` (the only way a programme is made)."""

    from_program_id: Id


class ProgramStateRead(BaseModel):
    """A programme with its call state (what the programme-life pages show)."""

    id: int
    year: int
    name_ko: str
    name_en: str
    total_budget_krw: int
    status: ProgramStatus
    copied_from_id: int | None
    call_opened_date: date | None
    call_closed_date: date | None
    slots: int
    published_slots: int
    sum_of_ceilings_krw: int
    room_krw: int  # the programme total not yet given to a slot


class SlotCreate(RequestModel):
    """A project slot (과제) of a programme (the programme comes from the path)."""

    code: ProjectCode
    field_code: FieldCode
    call_type: CallTypeCode
    title_ko: Name
    title_en: ShortText = ""
    region: Code | None = None
    ceiling_krw: PositiveWon
    planned_volume: Count = 0
    volume_unit: Unit = "건"

    _region = field_validator("region")(_region_known)


class SlotUpdate(RequestModel):
    """Edit an unpublished slot of a draft programme (its ceiling within the programme total)."""

    title_ko: Name | None = None
    title_en: ShortText | None = None
    ceiling_krw: PositiveWon | None = None
    planned_volume: Count | None = None
    volume_unit: Unit | None = None


class SlotRead(ProjectRead):
    published_at: datetime | None = None
    published: bool = True


class CallActionResult(BaseModel):
    """What opening or closing a programme's call did."""

    program: ProgramStateRead
    projects_moved: list[int] = PField(default_factory=list)  # projects whose call closed (under evaluation)
    projects_without_proposals: list[int] = PField(default_factory=list)  # left open: re-announce or cancel


class IntakeError(BaseModel):
    sheet: str
    row: int
    column: str
    reason: str


class IntakeResult(BaseModel):
    import_id: int
    filename: str
    sha256: str
    proposals: int
    organizations: int
    consortia: int
    proposal_ids: list[int]


class ProposalDocumentRead(BaseModel):
    id: int
    proposal_id: int
    filename: str
    size_bytes: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
from program import labels as _labels  # noqa: E402,F401  (registers the code labels and error messages)
from program import labels_workflow as _labels_workflow  # noqa: E402,F401  (registers the words)
