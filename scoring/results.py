"""Results, overview, statistics and audit checks of the evaluation domain (read only).

Everything is computed from one bulk `Frame` through `rules.decide_project`, so the
dashboard, the reports, the API and the seed show the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd
from sqlmodel import Session, select

from core.errors import NotFound
from program.models import Project
from scoring import rules
from scoring.evaluation_frame import Frame, load_frame
from scoring.models import (
    BonusRead,
    CriterionScore,
    EvaluatorLeniency,
    EvaluatorStats,
    FlaggedSheet,
    Outcome,
    OutlierSheet,
    PanelAgreement,
    ProjectResult,
    ProposalResult,
    RubricCriterion,
    ScoreSheet,
    Selection,
    SheetStatus,
    SheetTotal,
)

D = rules.to_decimal


def _project(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound("scoring.err.project_not_found", project_id=project_id)
    return project


def project_result(session: Session, project_id: int) -> ProjectResult:
    """Per proposal: rank, sheet totals (anonymised E01…), trimmed ones, criterion means, panel score,
    bonus, final score, outcome and recommended grant; the project's outcome and confirmation."""
    project = _project(session, project_id)
    fr = load_frame(session, project.program_id, [project_id])
    return _result_from_frame(session, fr, project_id)


def _criterion_means(session: Session, sheet_ids: list[int]) -> dict[int, dict[str, list[Decimal]]]:
    out: dict[int, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    if not sheet_ids:
        return out
    q = select(ScoreSheet.proposal_id, RubricCriterion.code, CriterionScore.points) \
        .join(ScoreSheet, ScoreSheet.id == CriterionScore.sheet_id) \
        .join(RubricCriterion, RubricCriterion.id == CriterionScore.criterion_id) \
        .where(CriterionScore.sheet_id.in_(sheet_ids)).order_by(RubricCriterion.sort_order)  # type: ignore[attr-defined]
    for pid, code, pts in session.execute(q).all():
        out[pid][code].append(Decimal(pts))
    return out


def _result_from_frame(session: Session, fr: Frame, project_id: int) -> ProjectResult:
    project = fr.projects[project_id]
    decision = fr.decide(project_id)
    by_id = decision.by_id()
    counted_ids = [s.id for pid in fr.proposals_by_project.get(project_id, []) for s in fr.counted(pid)]
    cmeans = _criterion_means(session, counted_ids)
    sel = fr.selections.get(project_id)
    proposals: list[ProposalResult] = []
    flagged: list[FlaggedSheet] = []
    for pid in fr.proposals_by_project.get(project_id, []):
        p = fr.proposals[pid]
        o = by_id[pid]
        counted = fr.counted(pid)
        sheets = [SheetTotal(sheet_id=s.id, evaluator_code=s.panel_code, total=s.total, trimmed=i in o.trimmed)
                  for i, s in enumerate(counted)]
        for s in fr.sheets_by_proposal.get(pid, []):
            if s.conflicted:
                flagged.append(FlaggedSheet(sheet_id=s.id, proposal_id=pid, evaluator_code=s.panel_code,
                                            reason="evaluator in conflict of interest: sheet excluded"))
                if s.total is not None:
                    sheets.append(SheetTotal(sheet_id=s.id, evaluator_code=s.panel_code, total=s.total,
                                             trimmed=False, excluded=True))
        items, bonus_total = fr.bonus(pid)
        outcome = Outcome(o.outcome)
        proposals.append(ProposalResult(
            proposal_id=pid, rank=o.rank, consortium_name=p["consortium_name"], lead_org_name=p["lead_name"],
            requested_grant_krw=p["requested_grant_krw"], submitted_at=p["submitted_at"], sheets=sheets,
            criterion_means={c: D(rules.mean(v)) for c, v in cmeans.get(pid, {}).items()},  # type: ignore[misc]
            panel_score=D(o.panel_score), panel_score_display=rules.display(o.panel_score),
            bonus=BonusRead(items=items, total=bonus_total),
            final_score=D(o.final_score), final_score_display=rules.display(o.final_score),
            outcome=outcome, screening_reasons=p["reasons"] if p["eligible"] is False else [],
            recommended_grant_krw=o.recommended_grant_krw))
    proposals.sort(key=lambda r: (r.rank is None, r.rank or 0, r.proposal_id))
    return ProjectResult(
        project_id=project_id, project_code=project["code"], title_ko=project["title_ko"],
        outcome=Outcome(decision.outcome), complete=_complete(fr, project_id), proposals=proposals,
        selection_id=sel.id if sel else None, selected_proposal_id=sel.proposal_id if sel else None,
        confirmed_by=sel.confirmed_by if sel else None, confirmed_at=sel.confirmed_at if sel else None,
        override_reason=sel.override_reason if sel else None, flagged_sheets=flagged)


def _complete(fr: Frame, project_id: int) -> bool:
    eligible = [pid for pid in fr.proposals_by_project.get(project_id, []) if fr.proposals[pid]["eligible"]]
    return bool(eligible) and all(fr.outstanding(pid) == 0 and len(fr.counted(pid)) >= fr.rules.panel_min
                                  for pid in eligible)


OVERVIEW_COLUMNS = ["project_id", "code", "title_ko", "field_code", "call_type", "n_proposals", "n_eligible",
                    "panel_size", "sheets_submitted", "complete", "outcome", "top_final_score",
                    "selected_proposal_id", "recommended_grant_krw", "confirmed"]


def evaluation_overview(session: Session, program_id: int) -> pd.DataFrame:
    """One row per project of the programme (bulk queries only; fit for ~1,300 projects)."""
    fr = load_frame(session, program_id)
    rows: list[dict[str, Any]] = []
    for prj_id, prj in fr.projects.items():
        decision = fr.decide(prj_id)
        pids = fr.proposals_by_project.get(prj_id, [])
        finals = [o.final_score for o in decision.proposals if o.final_score is not None]
        sel = fr.selections.get(prj_id)
        by_id = decision.by_id()
        chosen = sel.proposal_id if sel else decision.winner_id
        rows.append({
            "project_id": prj_id, "code": prj["code"], "title_ko": prj["title_ko"], "field_code": prj["field_code"],
            "call_type": prj["call_type"], "n_proposals": len(pids),
            "n_eligible": sum(1 for p in pids if fr.proposals[p]["eligible"]),
            "panel_size": fr.panel_size.get(prj_id, 0),
            "sheets_submitted": sum(1 for p in pids for s in fr.sheets_by_proposal.get(p, [])
                                    if s.status == SheetStatus.submitted),
            "complete": _complete(fr, prj_id), "outcome": decision.outcome,
            "top_final_score": float(D(max(finals))) if finals else None,
            "selected_proposal_id": chosen,
            "recommended_grant_krw": (sel.recommended_grant_krw if sel else
                                      by_id[chosen].recommended_grant_krw if chosen else None),
            "confirmed": sel is not None,
        })
    df = pd.DataFrame(rows, columns=OVERVIEW_COLUMNS)
    for col in ("selected_proposal_id", "recommended_grant_krw"):
        df[col] = df[col].astype("Int64")
    return df


def score_distribution(session: Session, program_id: int, *, field_code: bool = False) -> pd.DataFrame:
    """Counted sheet totals (project_id, proposal_id, evaluator_code, total) for histograms; with
    `field_code`, the project's field code as a fifth column."""
    fr = load_frame(session, program_id, sheets_only=True)
    cols = ["project_id", "proposal_id", "evaluator_code", "total"]
    rows: list[tuple[Any, ...]] = [(s.project_id, pid, s.panel_code, float(s.total))
                                   for pid in fr.proposals for s in fr.counted(pid)]
    if field_code:
        fields = {prj: p["field_code"] for prj, p in fr.projects.items()}
        rows = [(*r, fields[r[0]]) for r in rows]
        cols.append("field_code")
    return pd.DataFrame(rows, columns=cols)


def _leniency(fr: Frame) -> list[EvaluatorLeniency]:
    rows = [(s.evaluator_code, pid, s.total) for pid in fr.proposals for s in fr.counted(pid)]
    return [EvaluatorLeniency(evaluator_code=code, sheets=n, leniency=D(v))
            for code, (n, v) in sorted(rules.leniency(rows).items())]


def evaluator_leniency(session: Session, program_id: int) -> list[EvaluatorLeniency]:
    """The leniency part of `evaluator_stats` alone (what the dashboard's leniency chart shows)."""
    return _leniency(load_frame(session, program_id, sheets_only=True))


def evaluator_stats(session: Session, program_id: int) -> EvaluatorStats:
    """Leniency per evaluator (global code), Kendall's W per panel, outlier sheets (> 15 points from the
    median of the other totals of the same proposal)."""
    fr = load_frame(session, program_id)
    leniency = _leniency(fr)
    agreement: list[PanelAgreement] = []
    outliers: list[OutlierSheet] = []
    for prj_id in fr.projects:
        pids = [p for p in fr.proposals_by_project.get(prj_id, []) if fr.proposals[p]["eligible"]]
        per_rater: dict[str, dict[int, Decimal]] = defaultdict(dict)
        for pid in pids:
            totals = [(s, s.total) for s in fr.counted(pid) if s.total is not None]  # counted sheets have one
            for s, total in totals:
                per_rater[s.panel_code][pid] = total
            far = rules.outliers(totals, max_distance=fr.rules.outlier_points)
            for sheet, med, dist in far:
                outliers.append(OutlierSheet(sheet_id=sheet.id, project_id=prj_id, proposal_id=pid,
                                             evaluator_code=sheet.evaluator_code, total=sheet.total,
                                             median_of_others=D(med), distance=D(dist)))
        full = [[r[p] for p in pids] for r in per_rater.values() if len(r) == len(pids)]
        if full:
            w = rules.kendall_w(full)
            agreement.append(PanelAgreement(project_id=prj_id, raters=len(full), proposals=len(pids),
                                            kendall_w=D(w)))
    return EvaluatorStats(program_id=program_id, leniency=leniency, agreement=agreement, outliers=outliers)


def list_selections(session: Session, program_id: int) -> list[Selection]:
    """Confirmed selections of a programme, in project order."""
    return list(session.exec(select(Selection).where(Selection.program_id == program_id)
                             .order_by(Selection.project_id)).all())


def get_selection(session: Session, selection_id: int) -> Selection:
    sel = session.get(Selection, selection_id)
    if sel is None:
        raise NotFound("scoring.err.selection_not_found", selection_id=selection_id)
    return sel


def conflicted_sheets_counted(session: Session, program_id: int, *, frame: Frame | None = None) -> list[dict[str, Any]]:
    """Sheets by an evaluator now in conflict that were counted in a confirmed result (should be none).

    `frame` lets a caller that runs several checks load the programme's evaluation data once.
    """
    fr = frame or load_frame(session, program_id)
    out = []
    for pid, sheets in fr.sheets_by_proposal.items():
        for s in sheets:
            if s.conflicted and s.counted_at_confirmation and s.project_id in fr.selections:
                sel = fr.selections[s.project_id]
                out.append({"sheet_id": s.id, "project_id": s.project_id, "proposal_id": pid,
                            "evaluator_code": s.evaluator_code, "panel_code": s.panel_code,
                            "total": s.total, "selection_id": sel.id, "confirmed_at": sel.confirmed_at})
    return sorted(out, key=lambda d: d["sheet_id"])


def selections_departing_from_ranking(session: Session, program_id: int, *,
                                      frame: Frame | None = None) -> list[dict[str, Any]]:
    """Confirmed selections whose proposal is not rank 1 (by score) or is below the threshold."""
    fr = frame or load_frame(session, program_id)
    out = []
    thr = Fraction(fr.rules.pass_threshold)
    for prj_id, sel in sorted(fr.selections.items()):
        o = fr.decide(prj_id).by_id().get(sel.proposal_id)
        rank = o.rank if o else None
        below = o is None or o.final_score is None or o.final_score < thr
        if rank != 1 or below:
            out.append({"selection_id": sel.id, "project_id": prj_id, "proposal_id": sel.proposal_id,
                        "rank": rank, "final_score": D(o.final_score) if o else None, "below_threshold": below,
                        "override_reason": sel.override_reason, "has_reason": bool(sel.override_reason)})
    return out
