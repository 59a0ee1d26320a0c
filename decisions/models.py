"""Request and response schemas of the what-if runs and the decision package (no tables).

Every value that enters is bounded (core.bounded): a what-if request names rule values of
the programme (`ProgramRules` checks the merged set as a whole), budget changes and an
optional lottery. Nothing here is stored except the audit event of a run.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from core.bounded import INT32_MAX, Code, Points, Rate, Ratio, RequestModel, Won, bounded_decimal, bounded_int

SmallCount = bounded_int(1, 100)
Seed = bounded_int(0, INT32_MAX)
Percent = bounded_decimal(max_digits=8, decimal_places=4, ge=-100, le=1000)
"""A relative change of an envelope in percent: −10 is 10% smaller, −100 empties it."""


class BandIn(RequestModel):
    """A score band: from `min_score` points, `rate` of the requested grant (1.00 = all of it)."""

    min_score: Points
    rate: Ratio


class RuleChanges(RequestModel):
    """Rule values to change for the run (None: as the programme has them)."""

    pass_threshold: Points | None = None
    trimming: bool | None = None  # False: no highest/lowest sheet is dropped, whatever the panel size
    trim_from_sheets: SmallCount | None = None  # type: ignore[valid-type]
    adjustment_bands: list[BandIn] | None = Field(default=None, min_length=1, max_length=20)
    bonus_crowd_points: Points | None = None
    bonus_vulnerable_points: Points | None = None
    bonus_regional_lead_points: Points | None = None
    bonus_cap: Points | None = None
    bonus_crowd_share_min: Ratio | None = None
    hires_per_100m_krw: Rate | None = None


class BudgetChange(RequestModel):
    """An envelope change: `target` is an envelope code (designated-LANG) or a call type (designated:
    all its envelopes); either a relative `change_pct` or, for one envelope, a new `amount_krw`."""

    target: Code
    change_pct: Percent | None = None  # type: ignore[valid-type]
    amount_krw: Won | None = None


class LotteryIn(RequestModel):
    """Draw lots among proposals that cannot be told apart: final scores within `tolerance` points."""

    seed: Seed  # type: ignore[valid-type]
    tolerance: Points = Decimal("0")


class WhatIfRequest(RequestModel):
    rules: RuleChanges = Field(default_factory=RuleChanges)
    budgets: list[BudgetChange] = Field(default_factory=list, max_length=50)
    # A recorded selection that departs from the ranking stays while its proposal still passes.
    keep_departures: bool = True
    lottery: LotteryIn | None = None


# --------------------------------------------------------------------------- results

Funding = Literal["funded", "envelope_exhausted", "none"]


class ProjectComparison(BaseModel):
    """One project: what was decided (confirmed, or what the evaluation page recommends) and the what-if."""

    project_id: int
    project_code: str
    title_ko: str
    call_type: str
    field_code: str
    envelope_code: str | None
    confirmed: bool
    decided_outcome: str
    decided_proposal_id: int | None
    decided_consortium: str | None
    decided_final_score: Decimal | None
    decided_grant_krw: int | None  # the award's grant when there is one, else the recommended grant
    decided_hires: int
    whatif_outcome: str
    whatif_proposal_id: int | None
    whatif_consortium: str | None
    whatif_final_score: Decimal | None
    whatif_recommended_krw: int | None
    whatif_grant_krw: int | None  # funded within the envelope (None: not funded)
    whatif_hires: int
    funding: Funding
    departure: Literal["kept", "dropped"] | None = None  # a recorded departure from the ranking
    drawn: bool = False  # the selected proposal was drawn by lot
    consortium_changed: bool
    grant_changed: bool
    grant_delta_krw: int


class EnvelopeComparison(BaseModel):
    envelope_id: int
    code: str
    name_ko: str
    decided_amount_krw: int
    decided_awarded_krw: int  # recorded awards drawn on the envelope
    decided_grants_krw: int  # what was decided (awards, or recommended grants) per project in it
    whatif_amount_krw: int
    whatif_funded_krw: int
    whatif_remaining_krw: int
    whatif_funded_projects: int
    whatif_unfunded_projects: int  # below the funding line


class Totals(BaseModel):
    funded_projects: int
    grants_krw: int
    required_hires: int
    crowd_payment_krw: int  # planned crowd payments of the funded proposals
    crowd_share: Decimal | None  # crowd payments / grants
    crowd_bonus_projects: int  # funded proposals that earn the crowdsourcing bonus


class Draw(BaseModel):
    """One lottery: where, among which proposals (in drawn order), who won."""

    where: Literal["project", "envelope"]
    key: str  # project code or envelope code
    candidates: list[int]  # proposal ids: by id (project), in the order drawn (envelope)
    chosen: list[int]  # proposal ids selected (project) or funded (envelope) by the draw


class WhatIfResult(BaseModel):
    program_id: int
    request: WhatIfRequest
    rules_used: dict[str, object]
    envelope_rule: str
    projects: list[ProjectComparison]
    envelopes: list[EnvelopeComparison]
    decided: Totals
    whatif: Totals
    draws: list[Draw]
    consortium_changes: int
    grant_changes: int
    digest: str  # SHA-256 of the result: same inputs, same digest
    audit_event_id: int | None = None
from decisions import labels as _labels  # noqa: E402,F401  (registers the error messages)
