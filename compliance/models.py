"""Schemas of the compliance domain (no tables: findings are computed on demand from the data)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel


class Severity(StrEnum):
    high = "high"  # 중대: money at risk or a rule plainly broken
    medium = "medium"  # 주의
    low = "low"  # 참고

    @property
    def rank(self) -> int:
        return {"high": 0, "medium": 1, "low": 2}[self.value]


class Finding(BaseModel):
    """One breach of one rule, with the evidence an auditor needs to follow it up."""

    check_id: str
    severity: Severity
    title_ko: str
    title_en: str
    message: str
    program_id: int | None = None
    award_id: int | None = None
    project_id: int | None = None
    project_code: str | None = None
    subject: str  # what the finding is about, e.g. "data_type:12", "hire:person P-0001"
    amount_krw: int | None = None  # money at stake when there is a figure
    evidence: list[dict[str, Any]] = []


class CheckInfo(BaseModel):
    id: str
    title_ko: str
    title_en: str
    severity: Severity
    rule: str
    domain: str


class CheckOutcome(BaseModel):
    check_id: str
    status: str  # ok | findings | error
    findings: int
    detail: str | None = None


class FindingsReport(BaseModel):
    """What `run_checks` returns: counts by severity, per-check status and the findings."""

    as_of: date
    program_id: int | None
    counts: dict[str, int]
    checks: list[CheckOutcome]
    findings: list[Finding]
    total: int
