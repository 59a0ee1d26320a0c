"""The decision package (선정 심의 자료): one per call type, or one per project on request.

Built from the functions the dashboard's evaluation page calls, so the numbers agree:
`scoring.results.evaluation_overview` (the project list: selected proposal, recommended grant),
`scoring.results.project_result` (the ranking of each project), `scoring.results.evaluator_stats`
(leniency, agreement, outliers), plus `scoring.results.selections_departing_from_ranking`,
`scoring.service.list_conflicts` / `get_panel`, `budgeting.service.list_envelopes` and the 2.4 rule
(`budgeting.rules.required_direct_hires`). Rows only; reports/decision_pdf.py and
reports/decision_xlsx.py render them.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
from pydantic import BaseModel
from sqlmodel import Session

from budgeting import service as budgeting_service
from budgeting.rules import required_direct_hires
from core.errors import NotFound, RuleViolation
from decisions.service import envelope_map
from program import service as program_service
from program.models import CallTypeCode
from scoring import results
from scoring import service as scoring_service

CALL_TYPES = tuple(c.value for c in CallTypeCode)


class RankingRow(BaseModel):
    project_code: str
    rank: int | None
    proposal_id: int
    consortium: str
    lead: str
    requested_grant_krw: int
    panel_score: Decimal | None
    bonus: Decimal
    final_score: Decimal | None
    outcome: str
    recommended_grant_krw: int | None


class ProjectRow(BaseModel):
    project_id: int
    project_code: str
    title_ko: str
    field_code: str
    envelope_code: str | None
    outcome: str
    confirmed: bool
    selected_proposal_id: int | None
    selected_consortium: str | None
    final_score: Decimal | None
    recommended_grant_krw: int | None
    required_hires: int


class EnvelopeRow(BaseModel):
    code: str
    name_ko: str
    amount_krw: int  # 배정액 (before)
    awarded_krw: int  # 기협약액 recorded so far
    recommended_krw: int  # recommended grants of the package's selected proposals in it
    after_krw: int  # 선정 후 잔액 = amount − recommended


class DepartureRow(BaseModel):
    project_code: str
    proposal_id: int
    rank: int | None
    final_score: Decimal | None
    below_threshold: bool
    reason: str | None
    has_reason: bool  # False: flagged, a departure needs a reason


class ConflictRow(BaseModel):
    project_code: str
    evaluator_code: str
    source: str  # membership / employment / declared / cleared
    detail: str
    cleared: bool
    reason: str | None


class LeniencyRow(BaseModel):
    evaluator_code: str
    sheets: int
    leniency: Decimal


class AgreementRow(BaseModel):
    project_code: str
    raters: int
    proposals: int
    kendall_w: Decimal | None


class OutlierRow(BaseModel):
    project_code: str
    proposal_id: int
    evaluator_code: str
    total: Decimal
    median_of_others: Decimal
    distance: Decimal


class DecisionPackage(BaseModel):
    program_id: int
    program_name: str
    call_type: str
    call_type_name: str
    project_id: int | None
    pass_threshold: Decimal
    trim_from_sheets: int
    bonus_cap: Decimal
    hires_per_100m_krw: Decimal
    projects: list[ProjectRow]
    ranking: list[RankingRow]
    envelopes: list[EnvelopeRow]
    departures: list[DepartureRow]
    conflicts: list[ConflictRow]
    leniency: list[LeniencyRow]
    agreement: list[AgreementRow]
    outliers: list[OutlierRow]
    selected_projects: int
    recommended_total_krw: int
    required_hires_total: int


def decision_package(session: Session, program_id: int, call_type: str, *,
                     project_id: int | None = None) -> DecisionPackage:
    """The decision package of one call type of a programme (or of one of its projects)."""
    if call_type not in CALL_TYPES:
        raise RuleViolation("decisions.err.unknown_call_type", field="call_type", code=call_type,
                            known=", ".join(CALL_TYPES))
    program = program_service.get_program(session, program_id)
    ct = program_service.call_type_by_code(session, call_type)
    rules = program.rules
    overview = results.evaluation_overview(session, program_id)
    overview = overview[overview["call_type"] == call_type]
    if project_id is not None:
        overview = overview[overview["project_id"] == project_id]
        if overview.empty:
            raise NotFound("decisions.err.not_in_call", field="project_id", project_id=project_id,
                           call_type=call_type, program_id=program_id)
    ids = [int(i) for i in overview["project_id"]]
    envelopes = [e for e in budgeting_service.list_envelopes(session, program_id) if e.call_type_id == ct.id]
    env_code = {e.id: e.code for e in envelopes}
    env_of = envelope_map(session, program_id, ids)
    projects: list[ProjectRow] = []
    ranking: list[RankingRow] = []
    conflicts: list[ConflictRow] = []
    codes: dict[int, str] = {}
    panel_codes: set[str] = set()
    for r in overview.itertuples(index=False):
        pid = int(r.project_id)
        codes[pid] = str(r.code)
        result = results.project_result(session, pid)
        chosen = None if pd.isna(r.selected_proposal_id) else int(r.selected_proposal_id)
        grant = None if pd.isna(r.recommended_grant_krw) else int(r.recommended_grant_krw)
        sel = next((p for p in result.proposals if p.proposal_id == chosen), None)
        projects.append(ProjectRow(
            project_id=pid, project_code=result.project_code, title_ko=result.title_ko, field_code=str(r.field_code),
            envelope_code=env_code.get(env_of.get(pid) or 0), outcome=str(result.outcome),
            confirmed=bool(r.confirmed), selected_proposal_id=chosen,
            selected_consortium=sel.consortium_name if sel else None, final_score=sel.final_score if sel else None,
            recommended_grant_krw=grant,
            required_hires=required_direct_hires(grant, rules.hires_per_100m_krw) if grant else 0))
        for p in result.proposals:
            ranking.append(RankingRow(
                project_code=result.project_code, rank=p.rank, proposal_id=p.proposal_id,
                consortium=p.consortium_name, lead=p.lead_org_name, requested_grant_krw=p.requested_grant_krw,
                panel_score=p.panel_score, bonus=p.bonus.total, final_score=p.final_score, outcome=str(p.outcome),
                recommended_grant_krw=p.recommended_grant_krw))
        panel = scoring_service.get_panel(session, pid)
        members = {m.evaluator_id for m in panel.members}
        panel_codes |= {m.evaluator_code for m in panel.members}
        for c in scoring_service.list_conflicts(session, pid):
            if c.evaluator_id in members or c.source == "declared" or c.cleared:
                conflicts.append(ConflictRow(project_code=result.project_code, evaluator_code=c.evaluator_code,
                                             source=c.source, detail=c.detail, cleared=c.cleared, reason=c.reason))
    recommended: dict[int, int] = {}
    for row in projects:
        env_id = env_of.get(row.project_id)
        if env_id is not None and row.recommended_grant_krw:
            recommended[env_id] = recommended.get(env_id, 0) + row.recommended_grant_krw
    envelope_rows = [EnvelopeRow(code=e.code, name_ko=e.name_ko, amount_krw=e.amount_krw, awarded_krw=e.awarded_krw,
                                 recommended_krw=recommended.get(e.id or 0, 0),
                                 after_krw=e.amount_krw - recommended.get(e.id or 0, 0))
                     for e in envelopes if project_id is None or (e.id in {env_of.get(i) for i in ids})]
    departures = [DepartureRow(project_code=codes[d["project_id"]], proposal_id=d["proposal_id"], rank=d["rank"],
                               final_score=d["final_score"], below_threshold=d["below_threshold"],
                               reason=d["override_reason"], has_reason=d["has_reason"])
                  for d in results.selections_departing_from_ranking(session, program_id) if d["project_id"] in codes]
    stats = results.evaluator_stats(session, program_id)
    return DecisionPackage(
        program_id=program_id, program_name=program.name_ko, call_type=call_type, call_type_name=ct.name_ko,
        project_id=project_id, pass_threshold=rules.pass_threshold, trim_from_sheets=rules.trim_from_sheets,
        bonus_cap=rules.bonus_cap, hires_per_100m_krw=rules.hires_per_100m_krw,
        projects=projects, ranking=ranking, envelopes=envelope_rows, departures=departures, conflicts=conflicts,
        leniency=[LeniencyRow(evaluator_code=x.evaluator_code, sheets=x.sheets, leniency=x.leniency)
                  for x in stats.leniency if x.evaluator_code in panel_codes],
        agreement=[AgreementRow(project_code=codes[a.project_id], raters=a.raters, proposals=a.proposals,
                                kendall_w=a.kendall_w) for a in stats.agreement if a.project_id in codes],
        outliers=[OutlierRow(project_code=codes[o.project_id], proposal_id=o.proposal_id,
                             evaluator_code=o.evaluator_code, total=o.total, median_of_others=o.median_of_others,
                             distance=o.distance) for o in stats.outliers if o.project_id in codes],
        selected_projects=sum(1 for p in projects if p.selected_proposal_id is not None),
        recommended_total_krw=sum(p.recommended_grant_krw or 0 for p in projects),
        required_hires_total=sum(p.required_hires for p in projects))
