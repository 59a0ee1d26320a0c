"""Request and response schemas of the money domain (money in int won, ratios Decimal)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, field_validator, model_validator
from pydantic import Field as PField

from budgeting.bounds import (
    ApplyUrl,
    Evidence,
    EvidenceRef,
    JobRole,
    Note500,
    PayUnit,
    PersonKey,
    Platform,
    Reason500,
    RegionName,
    TrainingHours,
)
from budgeting.models import AwardStatus, CostCategory, EmploymentType, TransferStatus
from core.bounded import Count, Id, Name, PositiveWon, RequestModel, Won
from core.pagination import Page

# Text fields sized to their columns (budgeting/models.py); reasons may span lines.


BUSINESS_NUMBER_PATTERN = r"^[0-9]{3}-[0-9]{2}-[0-9]{5}$"  # ASCII digits only


class _In(RequestModel):
    """Base of the money domain's request bodies: bounded fields, unknown fields refused."""


# --------------------------------------------------------------------------- envelopes


class EnvelopeRead(BaseModel):
    id: int
    program_id: int
    code: str
    name_ko: str
    call_type_id: int
    field_id: int | None
    amount_krw: int
    awarded_krw: int
    available_krw: int


class EnvelopeTransferCreate(_In):
    from_envelope_id: Id
    to_envelope_id: Id
    amount_krw: PositiveWon
    reason: Reason500


class EnvelopeTransferRead(BaseModel):
    id: int
    program_id: int
    from_envelope_id: int
    to_envelope_id: int
    amount_krw: int
    reason: str
    created_by: str
    created_at: datetime
    status: TransferStatus = TransferStatus.recorded
    first_approved_by: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None


# --------------------------------------------------------------------------- awards


class AwardCreate(_In):
    """An agreement from a confirmed selection. Lines default to the programme's typical shares."""

    selection_id: Id
    grant_krw: PositiveWon | None = PField(default=None, description="default: the selection's recommended grant")
    matching_krw: Won | None = PField(default=None, description="default: the proposal's private matching")
    start_date: date
    end_date: date
    lines: dict[CostCategory, Won] | None = None
    envelope_id: Id | None = None

    @model_validator(mode="after")
    def _period(self) -> AwardCreate:
        if self.end_date < self.start_date:
            raise ValueError("end_date must not be before start_date")
        return self


class ExtensionCreate(_In):
    new_end_date: date
    reason: Reason500


class ExtensionRead(BaseModel):
    id: int
    award_id: int
    previous_end_date: date
    new_end_date: date
    reason: str
    created_by: str
    created_at: datetime


class LineRead(BaseModel):
    id: int
    category: CostCategory
    budget_krw: int
    spent_krw: int
    remaining_krw: int


class AwardSummary(BaseModel):
    """An award with its totals (the list row)."""

    id: int
    program_id: int
    project_id: int
    project_code: str
    project_title: str
    field_code: str
    call_type_code: str
    consortium_id: int
    consortium_name: str
    envelope_id: int
    grant_krw: int
    matching_krw: int
    budget_krw: int
    spent_krw: int
    remaining_krw: int
    execution_rate: Decimal | None
    start_date: date
    end_date: date
    current_end_date: date
    status: AwardStatus


class LineTransferCreate(_In):
    from_category: CostCategory
    to_category: CostCategory
    amount_krw: PositiveWon
    reason: Reason500


class TransferDecision(_In):
    approve: bool
    reason: Note500 = ""


class LineTransferRead(BaseModel):
    id: int
    award_id: int
    from_line_id: int
    to_line_id: int
    amount_krw: int
    reason: str
    status: TransferStatus
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    first_approved_by: str | None = None
    first_approved_at: datetime | None = None


# --------------------------------------------------------------------------- ledger


class ExpenditureCreate(_In):
    category: CostCategory
    spent_date: date
    amount_krw: PositiveWon
    payee_name: Name
    payee_business_number: str | None = PField(default=None, pattern=BUSINESS_NUMBER_PATTERN)
    description: Note500 = ""
    evidence_ref: EvidenceRef


class ReversalCreate(_In):
    reason: Reason500
    spent_date: date | None = PField(default=None, description="default: the corrected entry's date")


class ExpenditureRead(BaseModel):
    id: int
    award_id: int
    line_id: int
    category: CostCategory
    spent_date: date
    amount_krw: int
    payee_name: str
    payee_business_number: str | None
    description: str
    evidence_ref: str
    reverses_id: int | None
    created_by: str
    created_at: datetime


class ImportResult(BaseModel):
    award_id: int
    rows: int
    total_krw: int
    first_id: int | None
    last_id: int | None


# --------------------------------------------------------------------------- obligations


class HireCreate(_In):
    person_key: PersonKey = PField(
        description="pseudonymous key; never a resident number")
    org_id: Id
    job_role: JobRole
    employment_type: EmploymentType = EmploymentType.direct
    contract_start: date
    contract_end: date
    full_time: bool = True
    social_insurance: bool = False
    evidence_contract: Evidence | None = None
    evidence_insurance: Evidence | None = None
    evidence_payroll: Evidence | None = None

    @field_validator("person_key")
    @classmethod
    def _not_resident_number(cls, v: str) -> str:
        from budgeting.rules import looks_like_resident_number

        if looks_like_resident_number(v):
            raise ValueError("person_key looks like a resident registration number (주민등록번호); "
                             "use a pseudonymous key")
        return v

    @model_validator(mode="after")
    def _period(self) -> HireCreate:
        if self.contract_end < self.contract_start:
            raise ValueError("contract_end must not be before contract_start")
        return self


class HireRead(BaseModel):
    id: int
    award_id: int
    person_key: str
    org_id: int
    job_role: str
    employment_type: EmploymentType
    contract_start: date
    contract_end: date
    full_time: bool
    social_insurance: bool
    evidence_contract: str | None
    evidence_insurance: str | None
    evidence_payroll: str | None
    counts: bool
    lacks_evidence: bool


class HireCompliance(BaseModel):
    award_id: int | None
    grant_krw: int
    required: int
    counted: int
    shortfall: int
    lacking_evidence: int


class CrowdActivityCreate(_In):
    period_start: date
    period_end: date
    workers_engaged: Count
    items_labelled: Count


class TrainingCreate(_In):
    held_date: date
    title: Name
    hours: TrainingHours
    attendees: Count


class TrainingRead(BaseModel):
    id: int
    award_id: int
    held_date: date
    title: str
    hours: int
    attendees: int


class CrowdSummary(BaseModel):
    award_id: int
    workers_engaged: int
    items_labelled: int
    crowd_paid_krw: int
    crowd_share_of_grant: Decimal | None
    planned_crowd_payment_krw: int
    planned_crowd_workers: int
    training_sessions: int
    training_hours: int
    planned_training_hours: int


class JobPostingCreate(_In):
    title: Name
    platform: Platform
    pay_krw: PositiveWon
    pay_unit: PayUnit = "건"
    open_date: date
    close_date: date
    region: RegionName | None = None
    apply_url: ApplyUrl | None = None


JobStatus = Literal["open", "upcoming", "closed"]
"""A posting on the reference date: open (within its dates and not withdrawn), not yet open, or closed."""
JobSort = Literal["close_date", "-close_date", "open_date", "-open_date", "pay_krw", "-pay_krw", "title"]
"""The job board's server-side orders (a leading '-' is descending)."""


class JobPostingPublic(BaseModel):
    """What citizens see: the job, not the people."""

    id: int
    title: str
    platform: str
    pay_krw: int
    pay_unit: str
    open_date: date
    close_date: date
    field_code: str
    field_name_ko: str
    region: str
    project_title: str
    apply_url: str | None = None
    status: JobStatus = "open"


class JobBoardPage(Page[JobPostingPublic]):
    """A page of the public job board, with the date its postings were judged open on."""

    as_of: date
    program_id: int | None = None


class JobPostingRead(JobPostingPublic):
    award_id: int
    is_open: bool


# --------------------------------------------------------------------------- detail and totals


class AwardDetail(BaseModel):
    award: AwardSummary
    lines: list[LineRead]
    extensions: list[ExtensionRead]
    transfers: list[LineTransferRead]
    ledger: list[ExpenditureRead]
    ledger_total: int
    hires: list[HireRead]
    hire_compliance: HireCompliance
    crowd: CrowdSummary
    trainings: list[TrainingRead]


class ProgramTotals(BaseModel):
    program_id: int
    total_budget_krw: int
    enveloped_krw: int
    awarded_krw: int
    matching_krw: int
    executed_krw: int
    remaining_krw: int
    unawarded_krw: int
    execution_rate: Decimal | None
    projects_awarded: int
    projects_total: int
