"""Schemas and tables of the compliance domain.

Findings are computed by the checks (compliance/registry.py) and stored (`finding`), one stored
set per programme and as-of date (`finding_set`), each check's state in it (`finding_check`) and
every run that computed them (`finding_run`), with the audit event the data had reached — so a
read says when and from which data state its findings were computed (compliance/store.py).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, BigInteger, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from compliance import labels  # noqa: F401  (registers the domain's words with core.i18n)


class Severity(StrEnum):
    high = "high"  # 중대: money at risk or a rule plainly broken
    medium = "medium"  # 주의
    low = "low"  # 참고

    @property
    def rank(self) -> int:
        return {"high": 0, "medium": 1, "low": 2}[self.value]


class Finding(BaseModel):
    """One breach of one rule, as structured data (message key and parameters, typed evidence).

    `message` and `subject` are the sentence and the target rendered in the reader's language
    (filled by `with_text`); the key, the parameters and the evidence keys are what is stored.
    """

    check_id: str
    severity: Severity
    title_ko: str
    title_en: str
    message_key: str
    params: dict[str, Any] = {}
    message: str = ""
    subject_key: str = "compliance.subject.none"
    subject_params: dict[str, Any] = {}
    subject: str = ""
    program_id: int | None = None
    award_id: int | None = None
    other_award_id: int | None = None  # a second award the finding involves (the same person on two awards)
    project_id: int | None = None
    project_code: str | None = None
    project_title: str | None = None
    amount_krw: int | None = None  # money at stake when there is a figure
    evidence: list[dict[str, Any]] = []  # rows of field key (compliance.labels.FIELDS) → value
    # the records behind it by kind ("expenditure", "hire", "data_type", "line", "sheet", "selection"): for
    # the workbook's cross-references and for tests; never shown as words
    refs: dict[str, list[int]] = {}
    computed_at: datetime | None = None

    def with_text(self, lang: str = "ko") -> Finding:
        """This finding with its message and subject rendered in `lang`."""
        return self.model_copy(update={"message": labels.finding_message(self, lang),
                                       "subject": labels.finding_subject(self, lang)})


class CheckInfo(BaseModel):
    id: str
    title_ko: str
    title_en: str
    title: str = ""
    severity: Severity
    rule: str
    domain: str


class CheckOutcome(BaseModel):
    check_id: str
    status: str  # ok | findings | error
    findings: int
    detail: str | None = None
    computed_at: datetime | None = None


class Freshness(BaseModel):
    """How current stored findings are: when computed, from which audit event, and whether data changed since."""

    computed_at: datetime | None
    full_run_at: datetime | None
    data_event_id: int | None
    changes_since: int  # covering audit events on the checks' tables after data_event_id not yet re-checked
    current: bool
    stored: bool  # False: computed for this request (no stored set for the date)


class FindingsReport(BaseModel):
    """What `run_checks` and `stored_findings` return: counts by severity, per-check status and the findings."""

    as_of: date
    program_id: int | None
    counts: dict[str, int]
    checks: list[CheckOutcome]
    findings: list[Finding]
    total: int
    freshness: Freshness | None = None


# --------------------------------------------------------------------------- stored findings


class FindingSet(SQLModel, table=True):
    """The stored findings of one programme judged as of one date, kept current by incremental runs."""

    __tablename__ = "finding_set"
    __table_args__ = (UniqueConstraint("program_id", "as_of_date"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    as_of_date: date
    created_at: datetime
    full_run_at: datetime | None = None
    updated_at: datetime
    data_event_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class FindingCheck(SQLModel, table=True):
    """One check's state in a stored set: its status and when it last ran."""

    __tablename__ = "finding_check"
    __table_args__ = (UniqueConstraint("set_id", "check_id"),)

    id: int | None = Field(default=None, primary_key=True)
    set_id: int = Field(foreign_key="finding_set.id", index=True)
    check_id: str = Field(max_length=16)
    status: str = Field(max_length=16)
    detail: str | None = Field(default=None, max_length=500)
    findings: int = 0
    computed_at: datetime


class FindingRun(SQLModel, table=True):
    """One run of checks that wrote a stored set: full (every check) or incremental (a change's scope)."""

    __tablename__ = "finding_run"

    id: int | None = Field(default=None, primary_key=True)
    set_id: int = Field(foreign_key="finding_set.id", index=True)
    kind: str = Field(max_length=16)  # full | incremental
    checks: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    project_ids: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    requested_by: str = Field(max_length=64)
    started_at: datetime
    finished_at: datetime
    data_event_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    added: int = 0
    removed: int = 0


class StoredFinding(SQLModel, table=True):
    """A stored finding (the `Finding` schema's fields, as computed by the run that wrote it)."""

    __tablename__ = "finding"

    id: int | None = Field(default=None, primary_key=True)
    set_id: int = Field(foreign_key="finding_set.id", index=True)
    run_id: int = Field(foreign_key="finding_run.id", index=True)
    check_id: str = Field(max_length=16, index=True)
    severity: str = Field(max_length=8)
    award_id: int | None = Field(default=None, index=True)
    other_award_id: int | None = None
    project_id: int | None = Field(default=None, index=True)
    project_code: str | None = Field(default=None, max_length=32)
    project_title: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    message_key: str = Field(max_length=64)
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    subject_key: str = Field(max_length=64)
    subject_params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    amount_krw: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    evidence: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    refs: dict[str, list[int]] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    fingerprint: str = Field(max_length=64)
    computed_at: datetime
