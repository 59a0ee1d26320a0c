"""The evaluation frame: bulk loading of everything aggregation needs for a programme (or some of its projects).

A fixed number of queries whatever the number of projects: the dashboard calls this at
national scale (~1,300 projects, ~30,000 sheets). Plain rows, never ORM objects.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import String, func, type_coerce
from sqlmodel import Session, col, select

from core.timeutil import utcnow
from program.models import (
    CallType,
    Consortium,
    ConsortiumMember,
    CoreField,
    Organization,
    Program,
    ProgramRules,
    Project,
    Proposal,
)
from scoring import rules
from scoring.models import (
    BonusItem,
    ConflictKind,
    ConflictRecord,
    CriterionScore,
    Evaluator,
    EvaluatorEmployment,
    PanelMember,
    Rubric,
    RubricCriterion,
    ScoreSheet,
    Screening,
    Selection,
    SheetStatus,
)
from scoring.rules import ProjectOutcome


@dataclass(slots=True)
class SheetRow:
    id: int
    project_id: int
    proposal_id: int
    evaluator_id: int
    evaluator_code: str  # global, e.g. EV0042
    panel_code: str  # per panel, e.g. E03
    status: str
    total: Decimal | None
    counted_at_confirmation: bool
    conflicted: bool = False
    # submitted_at as the database gave it and the column type's conversion, applied on first read: no
    # figure reads it, and converting 30,000 timestamps was a tenth of the frame's time at national scale
    stored_submitted_at: Any = field(default=None, repr=False, compare=False)
    convert_submitted_at: Any = field(default=None, repr=False, compare=False)

    @property
    def submitted_at(self) -> datetime | None:
        if self.convert_submitted_at is not None:
            self.stored_submitted_at = self.convert_submitted_at(self.stored_submitted_at)
            self.convert_submitted_at = None
        return self.stored_submitted_at


@dataclass
class Frame:
    program_id: int
    rules: ProgramRules
    conflict_ref_date: date
    projects: dict[int, dict[str, Any]] = field(default_factory=dict)
    proposals: dict[int, dict[str, Any]] = field(default_factory=dict)
    proposals_by_project: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    sheets_by_proposal: dict[int, list[SheetRow]] = field(default_factory=lambda: defaultdict(list))
    heaviest_points: dict[int, Decimal] = field(default_factory=dict)  # sheet id → points
    panel_size: dict[int, int] = field(default_factory=dict)
    bonus_points: dict[int, dict[str, Decimal]] = field(default_factory=dict)  # call_type_id → code → points
    selections: dict[int, Selection] = field(default_factory=dict)  # project id → selection
    # loaded with sheets_only=True: no heaviest points, panel sizes, bonus points or selections, so no decisions
    sheets_only: bool = False

    def _decidable(self) -> None:
        if self.sheets_only:
            raise ValueError("a frame loaded with sheets_only=True cannot decide projects or give bonus points")

    def counted(self, proposal_id: int) -> list[SheetRow]:
        return [s for s in self.sheets_by_proposal.get(proposal_id, [])
                if s.status == SheetStatus.submitted and not s.conflicted and s.total is not None]

    def outstanding(self, proposal_id: int) -> int:
        return sum(1 for s in self.sheets_by_proposal.get(proposal_id, [])
                   if s.status != SheetStatus.submitted and not s.conflicted)

    def bonus(self, proposal_id: int) -> tuple[dict[str, Decimal], Decimal]:
        self._decidable()
        p = self.proposals[proposal_id]
        project = self.projects[p["project_id"]]
        facts = rules.BonusFacts(
            requested_grant_krw=p["requested_grant_krw"], crowd_payment_krw=p["planned_crowd_payment_krw"],
            vulnerable_hiring_plan=bool(p["vulnerable_hiring_plan"]), lead_region=p["lead_region"],
            project_region=project["region"], regional_project=project["call_type"] == "regional")
        return rules.bonus_points(facts, self.bonus_points.get(project["call_type_id"], {}),
                                  crowd_share_min=self.rules.bonus_crowd_share_min, cap=self.rules.bonus_cap)

    def decide(self, project_id: int) -> ProjectOutcome:
        """The project's outcome through `rules.decide_project` (the same call the seed makes)."""
        self._decidable()
        project = self.projects[project_id]
        sel = self.selections.get(project_id)
        inputs = []
        heaviest = self.heaviest_points
        for pid in self.proposals_by_project.get(project_id, []):
            p = self.proposals[pid]
            # counted(pid) and outstanding(pid) in one pass over the proposal's sheets
            totals: list[Decimal] = []
            heavy: list[Decimal] = []
            outstanding = 0
            for s in self.sheets_by_proposal.get(pid, ()):
                if s.conflicted:
                    continue
                if s.status != SheetStatus.submitted:
                    outstanding += 1
                elif s.total is not None:
                    totals.append(s.total)
                    if s.id in heaviest:
                        heavy.append(heaviest[s.id])
            inputs.append(rules.ProposalInput(
                proposal_id=pid, eligible=bool(p["eligible"]), totals=totals, heaviest_points=heavy,
                outstanding=outstanding, bonus=self.bonus(pid)[1], submitted_at=p["submitted_at"],
                requested_grant_krw=p["requested_grant_krw"]))
        r = self.rules
        return rules.decide_project(inputs, threshold=r.pass_threshold, trim_from=r.trim_from_sheets,
                                    panel_min=r.panel_min, bands=r.adjustment_bands, ceiling_krw=project["ceiling_krw"],
                                    rounding_krw=r.grant_rounding_krw,
                                    selected_proposal_id=sel.proposal_id if sel else None)


def conflict_ref_date(program: Program) -> date:
    """Conflicts are assessed as of the call's opening date (stable over time); today when unknown."""
    return program.call_opened_date or utcnow().date()


def _reader(session: Session) -> Any:
    """`execute` of the session's connection: Core rows, without the ORM's per-row work (a third of the
    time at national scale). What the session has pending is flushed first, as its own execute would."""
    if session.autoflush:
        session.flush()
    return session.connection().execute


def load_frame(session: Session, program_id: int, project_ids: list[int] | None = None, *,
               sheets_only: bool = False) -> Frame:
    """Load projects, proposals, screening, sheets, conflicts, rubrics and selections in bulk.

    `sheets_only`: projects, proposals and sheets (with their conflicts) only, for what reads counted
    sheets and decides nothing (score distribution, leniency); the frame refuses to decide.
    """
    program = session.get(Program, program_id)
    if program is None:
        from core.errors import NotFound

        raise NotFound("scoring.err.programme_not_found", program_id=program_id)
    fr = Frame(program_id=program_id, rules=program.rules, conflict_ref_date=conflict_ref_date(program),
               sheets_only=sheets_only)
    execute = _reader(session)

    def scope(stmt: Any, col: Any) -> Any:
        stmt = stmt.where(Project.program_id == program_id)
        return stmt.where(col.in_(project_ids)) if project_ids is not None else stmt

    # projects
    q = select(Project.id, Project.code, Project.title_ko, CoreField.code, CallType.code, Project.call_type_id,
               Project.region, Project.ceiling_krw, Project.status) \
        .join(CoreField, CoreField.id == Project.field_id).join(CallType, CallType.id == Project.call_type_id)
    for row in execute(scope(q, Project.id).order_by(Project.id)).all():
        fr.projects[row[0]] = {"id": row[0], "code": row[1], "title_ko": row[2], "field_code": row[3],
                               "call_type": str(row[4].value if hasattr(row[4], "value") else row[4]),
                               "call_type_id": row[5], "region": row[6], "ceiling_krw": row[7],
                               "status": str(row[8].value if hasattr(row[8], "value") else row[8])}
    # proposals with lead and screening
    q = select(Proposal.id, Proposal.project_id, Consortium.name, Organization.name, Organization.region,
               Proposal.requested_grant_krw, Proposal.planned_crowd_payment_krw, Proposal.vulnerable_hiring_plan,
               Proposal.submitted_at, Screening.eligible, Screening.override_eligible, Screening.reasons,
               Proposal.status) \
        .join(Project, Project.id == Proposal.project_id) \
        .join(Consortium, Consortium.id == Proposal.consortium_id) \
        .join(Organization, Organization.id == Consortium.lead_org_id) \
        .outerjoin(Screening, Screening.proposal_id == Proposal.id)
    for row in execute(scope(q, Project.id).order_by(Proposal.id)).all():
        (pid, prj, cname, lname, lregion, grant, crowd, vuln, sub_at, elig, over, reasons, status) = row
        effective = None if elig is None else (elig if over is None else over)
        fr.proposals[pid] = {"id": pid, "project_id": prj, "consortium_name": cname, "lead_name": lname,
                             "lead_region": lregion, "requested_grant_krw": grant, "planned_crowd_payment_krw": crowd,
                             "vulnerable_hiring_plan": vuln, "submitted_at": sub_at, "eligible": effective,
                             "screened": elig is not None, "reasons": reasons or [], "status": str(status)}
        fr.proposals_by_project[prj].append(pid)
    if not sheets_only:
        # panels
        q = select(PanelMember.project_id, func.count()).join(Project, Project.id == PanelMember.project_id) \
            .group_by(PanelMember.project_id)
        fr.panel_size = {pid: n for pid, n in execute(scope(q, Project.id)).all()}
    # sheets
    submitted_type = ScoreSheet.__table__.c.submitted_at.type  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect
    convert = submitted_type.dialect_impl(dialect).result_processor(dialect, None)
    q = select(ScoreSheet.id, ScoreSheet.project_id, ScoreSheet.proposal_id, ScoreSheet.evaluator_id, Evaluator.code,
               PanelMember.code, ScoreSheet.status, ScoreSheet.total,
               type_coerce(ScoreSheet.submitted_at, String) if convert is not None else ScoreSheet.submitted_at,
               ScoreSheet.counted_at_confirmation) \
        .join(Project, Project.id == ScoreSheet.project_id) \
        .join(Evaluator, Evaluator.id == ScoreSheet.evaluator_id) \
        .join(PanelMember, PanelMember.id == ScoreSheet.panel_member_id)
    conflicted = conflicted_pairs(session, program_id, fr.conflict_ref_date, project_ids)
    for row in execute(scope(q, Project.id).order_by(ScoreSheet.id)).all():
        s = SheetRow(id=row[0], project_id=row[1], proposal_id=row[2], evaluator_id=row[3], evaluator_code=row[4],
                     panel_code=row[5], status=str(row[6].value if hasattr(row[6], "value") else row[6]),
                     total=Decimal(row[7]) if row[7] is not None else None, counted_at_confirmation=bool(row[9]),
                     stored_submitted_at=row[8], convert_submitted_at=convert if row[8] is not None else None)
        s.conflicted = (s.evaluator_id, s.project_id) in conflicted
        fr.sheets_by_proposal[s.proposal_id].append(s)
    if sheets_only:
        return fr
    # the heaviest criterion of each rubric (first in sort order on a tie) and its points per sheet
    crit = execute(select(Rubric.call_type_id, RubricCriterion.id, RubricCriterion.max_points,
                                  RubricCriterion.sort_order)
                           .join(RubricCriterion, RubricCriterion.rubric_id == Rubric.id)
                           .where(Rubric.program_id == program_id)).all()
    heaviest: dict[int, tuple[Decimal, int, int]] = {}
    for ct, cid, mx, order in crit:
        cur = heaviest.get(ct)
        if cur is None or (Decimal(mx), -order) > (cur[0], -cur[1]):
            heaviest[ct] = (Decimal(mx), order, cid)
    heavy_ids = [v[2] for v in heaviest.values()]
    if heavy_ids:
        q = select(CriterionScore.sheet_id, CriterionScore.points) \
            .join(ScoreSheet, ScoreSheet.id == CriterionScore.sheet_id) \
            .join(Project, Project.id == ScoreSheet.project_id) \
            .where(CriterionScore.criterion_id.in_(heavy_ids))  # type: ignore[attr-defined]
        fr.heaviest_points = {sid: Decimal(pts) for sid, pts in execute(scope(q, Project.id)).all()}
    # the rubric says which bonus items a call type has; the programme rules say what each is worth
    rule_points = fr.rules.bonus_item_points()
    for ct, code in execute(select(Rubric.call_type_id, BonusItem.code)
                                    .join(BonusItem, BonusItem.rubric_id == Rubric.id)
                                    .where(Rubric.program_id == program_id)).all():
        if code in rule_points:
            fr.bonus_points.setdefault(ct, {})[code] = rule_points[code]
    q = select(Selection).join(Project, Project.id == Selection.project_id)
    fr.selections = {s.project_id: s for s in session.exec(scope(q, Project.id)).all()}
    return fr


def bidding_orgs(session: Session, program_id: int, project_ids: list[int] | None = None) -> dict[int, set[int]]:
    """Project id → organisations that are members of a consortium bidding for it."""
    q = select(Proposal.project_id, ConsortiumMember.org_id) \
        .join(ConsortiumMember, ConsortiumMember.consortium_id == Proposal.consortium_id) \
        .join(Project, Project.id == Proposal.project_id).where(Project.program_id == program_id)
    if project_ids is not None:
        q = q.where(Project.id.in_(project_ids))  # type: ignore[union-attr]
    out: dict[int, set[int]] = defaultdict(set)
    for prj, org in _reader(session)(q).all():
        out[prj].add(org)
    return out


def evaluator_histories(session: Session, evaluator_ids: list[int] | None = None
                        ) -> tuple[dict[int, int | None], dict[int, list[tuple[int, date | None]]]]:
    """Evaluator id → affiliation org id, and evaluator id → [(org id, end date)]."""
    q = select(Evaluator.id, Evaluator.affiliation_org_id)
    e = select(EvaluatorEmployment.evaluator_id, EvaluatorEmployment.org_id, col(EvaluatorEmployment.end_date))
    if evaluator_ids is not None:
        q = q.where(col(Evaluator.id).in_(evaluator_ids))
        e = e.where(col(EvaluatorEmployment.evaluator_id).in_(evaluator_ids))
    aff = {eid: org for eid, org in _reader(session)(q).all()}
    jobs: dict[int, list[tuple[int, date | None]]] = defaultdict(list)
    for eid, org, end in _reader(session)(e).all():
        jobs[eid].append((org, end))
    return aff, jobs


def latest_records(session: Session, program_id: int, project_ids: list[int] | None = None
                   ) -> dict[tuple[int, int], ConflictRecord]:
    """(evaluator id, project id) → the newest declaration or clearance."""
    q = select(ConflictRecord).join(Project, Project.id == ConflictRecord.project_id) \
        .where(Project.program_id == program_id).order_by(ConflictRecord.id)
    if project_ids is not None:
        q = q.where(Project.id.in_(project_ids))  # type: ignore[union-attr]
    return {(r.evaluator_id, r.project_id): r for r in session.exec(q).all()}


def conflicted_pairs(session: Session, program_id: int, ref_date: date,
                     project_ids: list[int] | None = None) -> set[tuple[int, int]]:
    """(evaluator id, project id) pairs in conflict among panel members: detected ∪ declared − cleared."""
    q = select(PanelMember.evaluator_id, PanelMember.project_id).join(Project, Project.id == PanelMember.project_id) \
        .where(Project.program_id == program_id)
    if project_ids is not None:
        q = q.where(Project.id.in_(project_ids))  # type: ignore[union-attr]
    pairs = _reader(session)(q).all()
    if not pairs:
        return set()
    program = session.get(Program, program_id)
    lookback = program.rules.conflict_lookback_years if program else 3
    bids = bidding_orgs(session, program_id, project_ids)
    aff, jobs = evaluator_histories(session, sorted({e for e, _ in pairs}) if len(pairs) < 500 else None)
    records = latest_records(session, program_id, project_ids)
    out: set[tuple[int, int]] = set()
    for ev, prj in pairs:
        rec = records.get((ev, prj))
        if rec is not None:
            if rec.kind == ConflictKind.declared:
                out.add((ev, prj))
            continue
        if rules.detect_conflicts(aff.get(ev), jobs.get(ev, []), bids.get(prj, set()), ref_date, lookback):
            out.add((ev, prj))
    return out
