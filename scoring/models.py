"""Tables and schemas of the evaluation domain.

A project (과제) gets one panel (평가위원회) of 5–9 evaluators; every panel member gets one
score sheet (평가표) per eligible proposal of the project. A sheet is the "assignment" an
evaluator sees. Sheet totals are stored when a sheet is submitted so that aggregation
never needs the criterion rows.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from pydantic import Field as PField
from sqlalchemy import JSON, BigInteger, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.bounded import Id, Name, Points, RequestModel, ShortText
from core.timeutil import utcnow
from scoring.bounds import (
    Comment,
    ConfirmReason,
    CriterionCode,
    EmailText,
    EvaluationReason,
    MaxPoints,
    PanelSize,
    PhoneText,
    Step,
)


def points_column(*, nullable: bool = False) -> Any:
    return Column(Numeric(9, 4), nullable=nullable)


class Selection(SQLModel, table=True):
    """A confirmed selection (선정): the proposal that won a project and its recommended grant.

    This is the hand-over to budgeting: an award (협약) is created from a selection.
    """

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    project_id: int = Field(foreign_key="project.id", index=True, unique=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True, unique=True)
    final_score: Decimal = Field(sa_column=Column(Numeric(9, 4), nullable=False))
    recommended_grant_krw: int = Field(sa_column=Column(BigInteger, nullable=False))
    confirmed_by_user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    confirmed_by: str = Field(max_length=64)
    confirmed_at: datetime
    override_reason: str | None = None  # set when the selection departs from the ranking
    rank_at_confirmation: int | None = None  # the proposal's rank when it was confirmed


# --------------------------------------------------------------------------- enums


class SheetStatus(StrEnum):
    assigned = "assigned"
    draft = "draft"
    submitted = "submitted"


class ConflictKind(StrEnum):
    declared = "declared"  # self-declared or declared by an official: counts as a conflict
    cleared = "cleared"  # an official overrides a detected conflict (with a reason)


class Outcome(StrEnum):
    selected = "selected"
    reserve = "reserve"
    not_selected = "not_selected"
    ineligible = "ineligible"
    reannounce = "re-announce"
    pending = "pending"  # sheets still outstanding


# --------------------------------------------------------------------------- tables


class Rubric(SQLModel, table=True):
    """The score sheet layout of one call type in one programme (평가지표)."""

    __table_args__ = (UniqueConstraint("program_id", "call_type_id"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    call_type_id: int = Field(foreign_key="call_type.id", index=True)
    step: Decimal = Field(default=Decimal("0.5"), sa_column=Column(Numeric(6, 2), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class RubricCriterion(SQLModel, table=True):
    __tablename__ = "rubric_criterion"
    __table_args__ = (UniqueConstraint("rubric_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    rubric_id: int = Field(foreign_key="rubric.id", index=True)
    code: str = Field(max_length=32)
    name_ko: str
    name_en: str = ""
    max_points: Decimal = Field(sa_column=Column(Numeric(6, 2), nullable=False))
    sort_order: int = 0


class BonusItem(SQLModel, table=True):
    """A bonus item (가점) of a rubric; the sum of bonus points is capped by rules.bonus_cap."""

    __tablename__ = "bonus_item"
    __table_args__ = (UniqueConstraint("rubric_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    rubric_id: int = Field(foreign_key="rubric.id", index=True)
    code: str = Field(max_length=32)  # CROWD_SHARE, VULNERABLE, REGIONAL_LEAD
    name_ko: str
    name_en: str = ""
    points: Decimal = Field(sa_column=Column(Numeric(6, 2), nullable=False))


class Evaluator(SQLModel, table=True):
    """An outside expert (평가위원). Only the demo evaluator has a login (user_id)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, index=True, unique=True)  # EV0001: stable, anonymous
    user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True, unique=True)
    name: str
    expertise_field_id: int | None = Field(default=None, foreign_key="core_field.id", index=True)
    affiliation_org_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    active: bool = True
    # contact, kept private: only officials read it (never an evaluator list, a report or the audit diff)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    title: str = Field(default="", max_length=200)  # 직위/소속 설명


class EvaluatorEmployment(SQLModel, table=True):
    """Past (or current, end_date None) employment of an evaluator, for conflict detection."""

    __tablename__ = "evaluator_employment"

    id: int | None = Field(default=None, primary_key=True)
    evaluator_id: int = Field(foreign_key="evaluator.id", index=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    start_date: date | None = None
    end_date: date | None = None


class ConflictRecord(SQLModel, table=True):
    """A declared conflict (adds to the detected ones) or an official's clearance of a detected one."""

    __tablename__ = "conflict_record"

    id: int | None = Field(default=None, primary_key=True)
    evaluator_id: int = Field(foreign_key="evaluator.id", index=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    kind: ConflictKind = Field(index=True)
    reason: str
    recorded_by: str = Field(max_length=64)
    recorded_at: datetime = Field(default_factory=utcnow)
    # a conflict an evaluator declares is a notice to the officials until one of them has seen it
    seen_by: str | None = Field(default=None, max_length=64)
    seen_at: datetime | None = None


class ConflictConfirmation(SQLModel, table=True):
    """An evaluator's statement of no conflict of interest with a project (이해충돌 없음 확인)."""

    __tablename__ = "conflict_confirmation"
    __table_args__ = (UniqueConstraint("evaluator_id", "project_id"),)

    id: int | None = Field(default=None, primary_key=True)
    evaluator_id: int = Field(foreign_key="evaluator.id", index=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    confirmed_at: datetime = Field(default_factory=utcnow)


class Screening(SQLModel, table=True):
    """Eligibility screening (적격성 검토) of a proposal, with reasons and an optional override."""

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True, unique=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    screened_on: date
    eligible: bool  # what the rules said
    reasons: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    override_eligible: bool | None = None
    override_reason: str | None = None
    overridden_by: str | None = None
    screened_at: datetime = Field(default_factory=utcnow)

    @property
    def effective_eligible(self) -> bool:
        return self.eligible if self.override_eligible is None else self.override_eligible


class PanelMember(SQLModel, table=True):
    """An evaluator on the panel of a project, with an anonymous code stable per panel (E01…)."""

    __tablename__ = "panel_member"
    __table_args__ = (UniqueConstraint("project_id", "evaluator_id"), UniqueConstraint("project_id", "code"))

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    evaluator_id: int = Field(foreign_key="evaluator.id", index=True)
    code: str = Field(max_length=8)
    assigned_at: datetime = Field(default_factory=utcnow)


class ScoreSheet(SQLModel, table=True):
    """One evaluator's sheet for one proposal (the evaluator's assignment)."""

    __tablename__ = "score_sheet"
    __table_args__ = (UniqueConstraint("proposal_id", "evaluator_id"),
                      Index("ix_score_sheet_project_status", "project_id", "status"))

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    evaluator_id: int = Field(foreign_key="evaluator.id", index=True)
    panel_member_id: int = Field(foreign_key="panel_member.id", index=True)
    status: SheetStatus = Field(default=SheetStatus.assigned, index=True)
    total: Decimal | None = Field(default=None, sa_column=points_column(nullable=True))
    submitted_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)
    counted_at_confirmation: bool = False  # was in the aggregation when the selection was confirmed
    reopen_count: int = 0


class CriterionScore(SQLModel, table=True):
    __tablename__ = "criterion_score"
    __table_args__ = (UniqueConstraint("sheet_id", "criterion_id"),)

    id: int | None = Field(default=None, primary_key=True)
    sheet_id: int = Field(foreign_key="score_sheet.id", index=True)
    criterion_id: int = Field(foreign_key="rubric_criterion.id", index=True)
    points: Decimal = Field(sa_column=Column(Numeric(6, 2), nullable=False))
    comment: str | None = None


# --------------------------------------------------------------------------- schemas


class BonusCode(StrEnum):
    """The bonus items (가점) the rules know how to decide; their points are programme rules."""

    crowd_share = "CROWD_SHARE"  # rules.bonus_crowd_points
    vulnerable = "VULNERABLE"  # rules.bonus_vulnerable_points
    regional_lead = "REGIONAL_LEAD"  # rules.bonus_regional_lead_points


class CriterionIn(RequestModel):
    code: CriterionCode
    name_ko: Name
    name_en: Name
    max_points: MaxPoints


class BonusItemIn(RequestModel):
    """A bonus item of a rubric: which one and its names. Its points come from the programme rules."""

    code: BonusCode
    name_ko: Name
    name_en: ShortText = ""


class BonusItemRead(BaseModel):
    code: str
    name_ko: str
    name_en: str
    points: Decimal  # from ProgramRules.bonus_item_points(), the one source


class RubricIn(RequestModel):
    step: Step = Decimal("0.5")
    criteria: list[CriterionIn] = PField(min_length=1, max_length=50)
    bonus_items: list[BonusItemIn] = PField(default=[], max_length=len(BonusCode))


class CriterionRead(BaseModel):
    id: int
    code: str
    name_ko: str
    name_en: str
    max_points: Decimal


class RubricRead(BaseModel):
    id: int
    program_id: int
    call_type: str
    step: Decimal
    criteria: list[CriterionRead]
    bonus_items: list[BonusItemRead]


class ScoreIn(RequestModel):
    criterion_code: CriterionCode
    points: Points  # at most 6 digits, 2 decimals: "1E-10000000" is refused before any arithmetic
    comment: Comment | None = None


class SheetIn(RequestModel):
    scores: list[ScoreIn] = PField(max_length=100)


class ScoreRead(BaseModel):
    criterion_code: str
    points: Decimal
    comment: str | None


class SheetRead(BaseModel):
    id: int
    proposal_id: int
    status: SheetStatus
    total: Decimal | None
    submitted_at: datetime | None
    scores: list[ScoreRead]


class AssignmentRead(BaseModel):
    """What an evaluator sees in their list: no other evaluator's data."""

    id: int  # the sheet id
    project_id: int
    project_code: str
    project_title: str
    proposal_id: int
    proposal_title: str
    consortium_name: str
    status: SheetStatus
    total: Decimal | None
    submitted_at: datetime | None
    conflict_confirmed: bool = False  # the evaluator confirmed no conflict with the project (the sheet opens)
    has_document: bool = False  # the proposal has a PDF to read


class ProposalSummary(BaseModel):
    id: int
    title: str
    consortium_name: str
    lead_org_name: str
    members: list[str]
    requested_grant_krw: int
    private_matching_krw: int
    planned_direct_hires: int
    planned_crowd_payment_krw: int
    planned_crowd_workers: int = 0
    planned_training_hours: int = 0  # growth support: hours of training for crowd workers
    planned_volume: int = 0
    volume_unit: str = "건"  # the project's unit of the volume
    vulnerable_hiring_plan: bool


class AssignmentDetail(BaseModel):
    assignment: AssignmentRead
    proposal: ProposalSummary
    rubric: RubricRead
    sheet: SheetRead


class ReasonIn(RequestModel):
    reason: EvaluationReason


class ScreeningOverrideIn(ReasonIn):
    eligible: bool


class ScreeningRead(BaseModel):
    proposal_id: int
    project_id: int
    screened_on: date
    eligible: bool
    reasons: list[dict[str, Any]]
    override_eligible: bool | None
    override_reason: str | None
    effective_eligible: bool


class PanelIn(RequestModel):
    evaluator_ids: list[Id] = PField(min_length=1, max_length=100)


class PanelAutoIn(RequestModel):
    size: PanelSize | None = None


class PanelMemberRead(BaseModel):
    evaluator_id: int
    evaluator_code: str
    name: str
    panel_code: str
    expertise_field_id: int | None
    sheets_assigned: int
    sheets_submitted: int
    conflicted: bool


class PanelRead(BaseModel):
    project_id: int
    members: list[PanelMemberRead]


class ConflictIn(RequestModel):
    evaluator_id: Id
    project_id: Id
    reason: EvaluationReason
    clear: bool = False  # True: override (clear) a detected conflict


class ConflictRead(BaseModel):
    evaluator_id: int
    evaluator_code: str
    project_id: int
    source: str  # membership, employment, declared
    detail: str
    cleared: bool
    reason: str | None = None


class ProgressRow(BaseModel):
    project_id: int
    project_code: str
    panel_size: int
    assigned: int
    drafted: int
    submitted: int
    complete: bool


class ProgressRead(BaseModel):
    program_id: int
    totals: dict[str, int]
    projects: list[ProgressRow]


class SheetTotal(BaseModel):
    sheet_id: int
    evaluator_code: str
    total: Decimal
    trimmed: bool
    excluded: bool = False


class BonusRead(BaseModel):
    items: dict[str, Decimal]
    total: Decimal


class ProposalResult(BaseModel):
    proposal_id: int
    rank: int | None
    consortium_name: str
    lead_org_name: str
    requested_grant_krw: int
    submitted_at: datetime
    sheets: list[SheetTotal]
    criterion_means: dict[str, Decimal]
    panel_score: Decimal | None
    panel_score_display: str | None
    bonus: BonusRead
    final_score: Decimal | None
    final_score_display: str | None
    outcome: Outcome
    screening_reasons: list[dict[str, Any]] = []
    recommended_grant_krw: int | None


class FlaggedSheet(BaseModel):
    sheet_id: int
    proposal_id: int
    evaluator_code: str
    reason: str


class ProjectResult(BaseModel):
    project_id: int
    project_code: str
    title_ko: str
    outcome: Outcome
    complete: bool
    proposals: list[ProposalResult]
    selection_id: int | None
    selected_proposal_id: int | None
    confirmed_by: str | None
    confirmed_at: datetime | None
    override_reason: str | None
    flagged_sheets: list[FlaggedSheet]


class ConfirmIn(RequestModel):
    proposal_id: Id | None = None  # default: the rank-1 proposal
    reason: ConfirmReason | None = None


class SelectionRead(BaseModel):
    id: int
    program_id: int
    project_id: int
    proposal_id: int
    final_score: Decimal
    recommended_grant_krw: int
    confirmed_by: str
    confirmed_at: datetime
    override_reason: str | None


class EvaluatorLeniency(BaseModel):
    evaluator_code: str
    sheets: int
    leniency: Decimal  # mean(total − panel mean of the proposal)


class PanelAgreement(BaseModel):
    project_id: int
    raters: int
    proposals: int
    kendall_w: Decimal | None


class OutlierSheet(BaseModel):
    sheet_id: int
    project_id: int
    proposal_id: int
    evaluator_code: str
    total: Decimal
    median_of_others: Decimal
    distance: Decimal


class EvaluatorStats(BaseModel):
    program_id: int
    leniency: list[EvaluatorLeniency]
    agreement: list[PanelAgreement]
    outliers: list[OutlierSheet]


# --------------------------------------------------------------------------- evaluator registry


class AffiliationIn(RequestModel):
    """An organisation an evaluator works or worked for, with dates (the conflict rules look back)."""

    org_id: Id
    start_date: date | None = None
    end_date: date | None = None  # None: current


class AffiliationRead(BaseModel):
    org_id: int
    org_name: str
    start_date: date | None
    end_date: date | None


class EvaluatorCreate(RequestModel):
    name: Name
    expertise_field_code: CriterionCode | None = None  # a core field code (e.g. HEALTH)
    affiliation_org_id: Id | None = None  # current organisation
    title: ShortText = ""
    email: EmailText | None = None
    phone: PhoneText | None = None
    affiliations: list[AffiliationIn] = PField(default=[], max_length=50)


class EvaluatorUpdate(RequestModel):
    """What an official may edit on a profile; `affiliations`, when given, replaces the list."""

    name: Name | None = None
    expertise_field_code: CriterionCode | None = None
    affiliation_org_id: Id | None = None
    title: ShortText | None = None
    email: EmailText | None = None
    phone: PhoneText | None = None
    affiliations: list[AffiliationIn] | None = PField(default=None, max_length=50)


class EvaluatorRead(BaseModel):
    """A profile as officials see it (contact included only for officials: `contact_visible`)."""

    id: int
    code: str
    name: str
    title: str
    active: bool
    has_account: bool
    expertise_field_code: str | None
    affiliation_org_id: int | None
    affiliation_org_name: str | None
    affiliations: list[AffiliationRead]
    email: str | None = None
    phone: str | None = None
    panels: int = 0  # projects whose panel seats this evaluator


class EvaluatorImportResult(BaseModel):
    created: int
    evaluator_ids: list[int]


class ConflictConfirmationRead(BaseModel):
    evaluator_id: int
    project_id: int
    confirmed_at: datetime


class ConflictNotice(BaseModel):
    """A conflict an evaluator declared (they left the panel): what the official is told."""

    record_id: int
    evaluator_id: int
    evaluator_code: str
    evaluator_name: str
    project_id: int
    project_code: str
    reason: str
    recorded_at: datetime
    seen_by: str | None
    seen_at: datetime | None
    sheets_removed: int = 0
from scoring import labels as _labels  # noqa: E402,F401  (registers the code labels and error messages)
from scoring import labels_workflow as _labels_workflow  # noqa: E402,F401  (registers the words)
