"""Rubrics, panels, evaluation progress, confirmation of the selection, reopening of sheets (officials' use cases).

Screening lives in `scoring.screening`, conflicts of interest in `scoring.conflicts`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, select

from core import audit
from core.audit import Actor
from core.db import lock_for_update
from core.errors import Conflict, NotFound, RuleViolation
from core.i18n import code_label
from core.timeutil import utcnow
from program import lifecycle
from program import service as program_service
from program.lifecycle import ProjectAction
from program.models import (
    CallType,
    Project,
    ProjectStatus,
    Proposal,
    ProposalStatus,
)
from program.service import get_program as _program
from program.service import get_project as _project
from scoring import rules
from scoring.conflicts import conflicts_for_project
from scoring.evaluation_frame import load_frame
from scoring.models import (
    BonusItem,
    BonusItemRead,
    CriterionRead,
    CriterionScore,
    Evaluator,
    PanelMember,
    PanelMemberRead,
    PanelRead,
    ProgressRead,
    ProgressRow,
    Rubric,
    RubricCriterion,
    RubricIn,
    RubricRead,
    ScoreSheet,
    Screening,
    Selection,
    SheetStatus,
)
from scoring.screening import _screen_rows, create_sheets

# --------------------------------------------------------------------------- rubrics


def _call_type(session: Session, code: str) -> CallType:
    ct = session.exec(select(CallType).where(CallType.code == code)).first()
    if ct is None:
        raise NotFound("scoring.err.call_type_not_found", code=code)
    return ct


def rubric_for(session: Session, program_id: int, call_type_id: int) -> Rubric:
    rubric = session.exec(select(Rubric).where(Rubric.program_id == program_id,
                                               Rubric.call_type_id == call_type_id)).first()
    if rubric is None:
        raise NotFound("scoring.err.no_rubric", call_type_id=call_type_id, program_id=program_id)
    return rubric


def rubric_read(session: Session, rubric: Rubric) -> RubricRead:
    ct = session.get(CallType, rubric.call_type_id)
    crits = session.exec(select(RubricCriterion).where(RubricCriterion.rubric_id == rubric.id)
                         .order_by(RubricCriterion.sort_order)).all()
    bonus = session.exec(select(BonusItem).where(BonusItem.rubric_id == rubric.id).order_by(BonusItem.id)).all()
    bonus_points = _program(session, rubric.program_id).rules.bonus_item_points()  # the one source of the points
    return RubricRead(id=rubric.id, program_id=rubric.program_id, call_type=str(ct.code) if ct else "",
                      step=Decimal(rubric.step),
                      criteria=[CriterionRead(id=c.id, code=c.code, name_ko=c.name_ko, name_en=c.name_en,
                                              max_points=Decimal(c.max_points)) for c in crits],
                      bonus_items=[BonusItemRead(code=b.code, name_ko=b.name_ko, name_en=b.name_en,
                                                 points=bonus_points.get(b.code, Decimal(0))) for b in bonus])


def get_rubric(session: Session, program_id: int, call_type: str) -> RubricRead:
    """The rubric of a call type in a programme."""
    _program(session, program_id)
    return rubric_read(session, rubric_for(session, program_id, _call_type(session, call_type).id))


def put_rubric(session: Session, actor: Actor, program_id: int, call_type: str, data: RubricIn) -> RubricRead:
    """Create or replace a rubric: criteria with Korean and English names, maxima summing to 100."""
    _program(session, program_id)
    ct = _call_type(session, call_type)
    codes = [c.code for c in data.criteria]
    if len(set(codes)) != len(codes):
        raise RuleViolation("scoring.err.criterion_codes_unique", field="criteria")
    total = sum((c.max_points for c in data.criteria), Decimal(0))
    if total != 100:
        raise RuleViolation("scoring.err.maxima_sum", field="criteria", total=total)
    for c in data.criteria:
        if (Fraction(c.max_points) / Fraction(data.step)).denominator != 1:
            raise RuleViolation("scoring.err.maximum_step", code=c.code, step=data.step,
                                field=f"criteria.{c.code}")
    if len({b.code for b in data.bonus_items}) != len(data.bonus_items):
        raise RuleViolation("scoring.err.bonus_codes_unique", field="bonus_items")
    rubric = session.exec(lock_for_update(session, select(Rubric).where(
        Rubric.program_id == program_id, Rubric.call_type_id == ct.id))).first()
    before = rubric_read(session, rubric).model_dump(mode="json") if rubric else None
    if rubric is not None:
        used = session.exec(select(func.count()).select_from(CriterionScore).join(
            RubricCriterion, RubricCriterion.id == CriterionScore.criterion_id)
            .where(RubricCriterion.rubric_id == rubric.id)).one()
        if used:
            raise Conflict("scoring.err.rubric_in_use")
        old = {m: list(session.exec(select(m.id).where(m.rubric_id == rubric.id)).all())
               for m in (RubricCriterion, BonusItem)}
        session.execute(delete(RubricCriterion).where(RubricCriterion.rubric_id == rubric.id))
        session.execute(delete(BonusItem).where(BonusItem.rubric_id == rubric.id))
        for m, ids in old.items():  # guarded tables: cover the bulk deletes (else the commit is refused)
            audit.record_bulk(session, actor, m, ids)
        rubric.step = data.step
        rubric.updated_at = utcnow()
    else:
        rubric = Rubric(program_id=program_id, call_type_id=ct.id, step=data.step)
    session.add(rubric)
    session.flush()
    for i, c in enumerate(data.criteria):
        session.add(RubricCriterion(rubric_id=rubric.id, code=c.code, name_ko=c.name_ko, name_en=c.name_en,
                                    max_points=c.max_points, sort_order=i))
    bonus_points = _program(session, program_id).rules.bonus_item_points()
    for b in data.bonus_items:
        # `points` keeps a copy of the rule value for the record; results read the programme rules
        session.add(BonusItem(rubric_id=rubric.id, code=b.code, name_ko=b.name_ko, name_en=b.name_en,
                              points=bonus_points[b.code]))
    session.flush()
    result = rubric_read(session, rubric)
    audit.record(session, actor, "rubric.put", "rubric", rubric.id, before=before, after=result)
    session.commit()
    return result


# --------------------------------------------------------------------------- panels


def get_panel(session: Session, project_id: int) -> PanelRead:
    project = _project(session, project_id)
    rows = session.execute(select(PanelMember, Evaluator).join(Evaluator, Evaluator.id == PanelMember.evaluator_id)
                           .where(PanelMember.project_id == project_id).order_by(PanelMember.code)).all()
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for ev, status, n in session.execute(select(ScoreSheet.evaluator_id, ScoreSheet.status, func.count())
                                         .where(ScoreSheet.project_id == project_id)
                                         .group_by(ScoreSheet.evaluator_id, ScoreSheet.status)).all():
        counts[ev][str(status.value if hasattr(status, "value") else status)] += n
    conflicted = conflicts_for_project(session, project, [ev.id for _, ev in rows]) if rows else {}
    return PanelRead(project_id=project_id, members=[
        PanelMemberRead(evaluator_id=ev.id, evaluator_code=ev.code, name=ev.name, panel_code=pm.code,
                        expertise_field_id=ev.expertise_field_id, sheets_assigned=sum(counts[ev.id].values()),
                        sheets_submitted=counts[ev.id]["submitted"], conflicted=ev.id in conflicted)
        for pm, ev in rows])


def set_panel(session: Session, actor: Actor, project_id: int, evaluator_ids: list[int]) -> PanelRead:
    """Set a project's panel (5–9 conflict-free evaluators); creates the sheets; screens first if needed.

    Setting the panel closes the call (open or re-announced → under evaluation)."""
    project = program_service.locked_project(session, project_id)
    problem = lifecycle.state_problem(ProjectAction.panel, ProjectStatus(project.status))
    if problem:
        raise Conflict(problem, field="status")
    program = _program(session, project.program_id)
    r = program.rules
    ids = list(dict.fromkeys(evaluator_ids))
    if not r.panel_min <= len(ids) <= r.panel_max:
        raise RuleViolation("scoring.err.panel_size", low=r.panel_min, high=r.panel_max, n=len(ids),
                            field="evaluator_ids")
    if session.exec(select(Selection).where(Selection.project_id == project_id)).first():
        raise Conflict("scoring.err.selection_confirmed_panel")
    found = {e.id: e for e in session.exec(select(Evaluator).where(Evaluator.id.in_(ids))).all()}  # type: ignore[union-attr]
    missing = [i for i in ids if i not in found or not found[i].active]
    if missing:
        raise RuleViolation("scoring.err.unknown_evaluators", field="evaluator_ids", ids=missing, n=len(missing))
    conflicted = conflicts_for_project(session, project, ids)
    if conflicted:
        def named(lang: str) -> str:  # each evaluator with the kind of conflict in words, never its code
            return ", ".join(f"{found[e].code} ({code_label('conflict_kind', conflicted[e][0][0], lang)})"
                             for e in sorted(conflicted))

        raise RuleViolation("scoring.err.panel_conflicts", field="evaluator_ids", codes=", ".join(
            f"{found[e].code}" for e in sorted(conflicted)), named_ko=named("ko"), named_en=named("en"))
    unscreened = session.exec(select(Proposal.id).outerjoin(Screening, Screening.proposal_id == Proposal.id)
                              .where(Proposal.project_id == project_id, Screening.id.is_(None))).first()  # type: ignore[union-attr]
    if unscreened is not None:  # first panel, or new proposals of a re-announced call
        _screen_rows(session, project, utcnow().date())
    current = {pm.evaluator_id: pm for pm in session.exec(select(PanelMember).where(
        PanelMember.project_id == project_id)).all()}
    before = sorted(current)
    for ev_id, pm in current.items():
        if ev_id in ids:
            continue
        started = session.exec(select(func.count()).select_from(ScoreSheet).where(
            ScoreSheet.panel_member_id == pm.id, ScoreSheet.status != SheetStatus.assigned)).one()
        if started:
            raise Conflict("scoring.err.already_scored",
                           code=found[ev_id].code if ev_id in found else ev_id)
        sheet_ids = session.exec(select(ScoreSheet.id).where(ScoreSheet.panel_member_id == pm.id)).all()
        if sheet_ids:
            session.execute(delete(ScoreSheet).where(ScoreSheet.id.in_(sheet_ids)))  # type: ignore[union-attr]
            audit.record_bulk(session, actor, ScoreSheet, list(sheet_ids))  # score_sheet is guarded: cover the delete
        session.delete(pm)
    session.flush()
    used = {pm.code for ev, pm in current.items() if ev in ids}
    free = (f"E{i:02d}" for i in range(1, 100) if f"E{i:02d}" not in used)
    for ev_id in ids:
        if ev_id not in current:
            session.add(PanelMember(project_id=project_id, evaluator_id=ev_id, code=next(free)))
    session.flush()
    members = session.exec(select(PanelMember).where(PanelMember.project_id == project_id)).all()
    create_sheets(session, project, members)
    if project.status != ProjectStatus.under_evaluation:
        program_service.transition_project(session, actor, project, ProjectAction.panel)
    session.flush()
    audit.record(session, actor, "panel.set", "project", project_id, before={"evaluator_ids": before},
                 after={"evaluator_ids": sorted(ids)})
    session.commit()
    return get_panel(session, project_id)


def auto_panel(session: Session, actor: Actor, project_id: int, size: int | None = None) -> PanelRead:
    """Fill a panel automatically: keep current members, add conflict-free evaluators of the project's field
    first, fewest panels in the programme first (balanced load)."""
    project = _project(session, project_id)
    r = _program(session, project.program_id).rules
    size = size or min(max(r.panel_min, 7), r.panel_max)
    current = list(session.exec(select(PanelMember.evaluator_id).where(PanelMember.project_id == project_id)
                                .order_by(PanelMember.code)).all())
    load: dict[int, int] = dict(session.execute(select(PanelMember.evaluator_id, func.count())
                                .join(Project, Project.id == PanelMember.project_id)
                                .where(Project.program_id == project.program_id)
                                .group_by(PanelMember.evaluator_id)).all())
    evaluators = session.execute(select(Evaluator.id, Evaluator.expertise_field_id)
                                 .where(Evaluator.active.is_(True))).all()  # type: ignore[attr-defined]
    conflicted = conflicts_for_project(session, project)
    candidates = sorted((e for e in evaluators if e[0] not in current and e[0] not in conflicted),
                        key=lambda e: (e[1] != project.field_id, load.get(e[0], 0), e[0]))
    picks = current + [e[0] for e in candidates[: max(size - len(current), 0)]]
    if len(picks) < r.panel_min:
        raise RuleViolation("scoring.err.too_few_free", field="size", n=len(picks), low=r.panel_min)
    return set_panel(session, actor, project_id, picks)


# --------------------------------------------------------------------------- progress


def progress(session: Session, program_id: int) -> ProgressRead:
    """Sheets assigned, drafted and submitted per project (one grouped query)."""
    program = _program(session, program_id)
    rows = session.execute(select(Project.id, Project.code, ScoreSheet.status, func.count())
                           .join(ScoreSheet, ScoreSheet.project_id == Project.id)
                           .where(Project.program_id == program_id)
                           .group_by(Project.id, Project.code, ScoreSheet.status)).all()
    sizes: dict[int, int] = dict(session.execute(select(PanelMember.project_id, func.count())
                                 .join(Project, Project.id == PanelMember.project_id)
                                 .where(Project.program_id == program_id).group_by(PanelMember.project_id)).all())
    per: dict[int, dict[str, Any]] = {}
    for pid, code, status, n in rows:
        d = per.setdefault(pid, {"code": code, "assigned": 0, "draft": 0, "submitted": 0})
        d[str(status.value if hasattr(status, "value") else status)] += n
    out = []
    for pid, d in sorted(per.items()):
        total = d["assigned"] + d["draft"] + d["submitted"]
        out.append(ProgressRow(project_id=pid, project_code=d["code"], panel_size=sizes.get(pid, 0), assigned=total,
                               drafted=d["draft"], submitted=d["submitted"],
                               complete=d["submitted"] == total and sizes.get(pid, 0) >= program.rules.panel_min))
    totals = {"projects_with_panel": len(out), "assigned": sum(p.assigned for p in out),
              "drafted": sum(p.drafted for p in out), "submitted": sum(p.submitted for p in out),
              "complete": sum(p.complete for p in out)}
    return ProgressRead(program_id=program_id, totals=totals, projects=out)


# --------------------------------------------------------------------------- confirmation


def confirm_selection(session: Session, actor: Actor, project_id: int, *, proposal_id: int | None = None,
                      reason: str | None = None, now: datetime | None = None) -> Selection:
    """Confirm the selection of a complete panel: rank 1 by default; another passing proposal needs a reason.

    Records who confirmed and when, marks the counted sheets, updates statuses (the hand-over to budgeting)."""
    project = program_service.locked_project(session, project_id)
    if session.exec(select(Selection).where(Selection.project_id == project_id)).first():
        raise Conflict("scoring.err.already_confirmed", code=project.code)
    problem = lifecycle.state_problem(ProjectAction.confirm_selection, ProjectStatus(project.status))
    if problem:
        raise Conflict(problem, field="status")
    fr = load_frame(session, project.program_id, [project_id])
    decision = fr.decide(project_id)
    if decision.outcome == "pending":
        raise Conflict("scoring.err.panel_incomplete")
    if decision.outcome == "re-announce":
        raise RuleViolation("scoring.err.reannounce", field="proposal_id")
    by_id = decision.by_id()
    chosen_id = proposal_id if proposal_id is not None else decision.winner_id
    o = by_id.get(chosen_id)
    if o is None:
        raise RuleViolation("scoring.err.not_this_project", field="proposal_id", proposal_id=chosen_id)
    if o.final_score is None or o.final_score < Fraction(fr.rules.pass_threshold):
        raise RuleViolation("scoring.err.below_threshold", field="proposal_id", proposal_id=chosen_id,
                            threshold=fr.rules.pass_threshold)
    reason = (reason or "").strip() or None
    if chosen_id != decision.winner_id and (reason is None or len(reason) < 5):
        raise RuleViolation("scoring.err.reason_required", field="reason")
    sel = Selection(program_id=project.program_id, project_id=project_id, proposal_id=chosen_id,
                    final_score=rules.to_decimal(o.final_score), recommended_grant_krw=o.recommended_grant_krw,
                    confirmed_by_user_id=actor.user_id, confirmed_by=actor.username, confirmed_at=now or utcnow(),
                    override_reason=reason if chosen_id != decision.winner_id else None, rank_at_confirmation=o.rank)
    session.add(sel)
    counted = [s.id for p in fr.proposals_by_project.get(project_id, []) for s in fr.counted(p)]
    for sheet in session.exec(select(ScoreSheet).where(ScoreSheet.id.in_(counted))).all():  # type: ignore[union-attr]
        sheet.counted_at_confirmation = True
        session.add(sheet)
    for p in session.exec(select(Proposal).where(Proposal.project_id == project_id)).all():
        if p.status not in lifecycle.PROPOSAL_ACTIVE:
            continue  # withdrawn, or closed with an earlier round: keeps its status
        po = by_id[p.id]  # type: ignore[index]
        p.status = (ProposalStatus.ineligible if po.outcome == "ineligible" else ProposalStatus.selected
                    if p.id == chosen_id else ProposalStatus.reserve
                    if po.final_score is not None and po.final_score >= Fraction(fr.rules.pass_threshold)
                    else ProposalStatus.not_selected)
        session.add(p)
    session.flush()
    program_service.transition_project(session, actor, project, ProjectAction.confirm_selection,
                                       details={"selection_id": sel.id, "proposal_id": chosen_id})
    audit.record(session, actor, "selection.confirm", "selection", sel.id,
                 after={"project_id": project_id, "proposal_id": chosen_id, "final_score": sel.final_score,
                        "recommended_grant_krw": sel.recommended_grant_krw, "rank": o.rank}, reason=reason)
    session.commit()
    return sel


def reopen_sheet(session: Session, actor: Actor, sheet_id: int, reason: str) -> ScoreSheet:
    """Unlock a submitted sheet (official only); the reason goes into the audit log."""
    sheet = session.exec(lock_for_update(session, select(ScoreSheet).where(ScoreSheet.id == sheet_id))).first()
    if sheet is None:
        raise NotFound("scoring.err.sheet_not_found", sheet_id=sheet_id)
    if sheet.status != SheetStatus.submitted:
        raise Conflict("scoring.err.sheet_not_submitted", sheet_id=sheet_id)
    if session.exec(select(Selection).where(Selection.project_id == sheet.project_id)).first():
        raise Conflict("scoring.err.selection_confirmed_sheets")
    before = {"status": sheet.status, "total": sheet.total, "submitted_at": sheet.submitted_at}
    sheet.status, sheet.total, sheet.submitted_at = SheetStatus.draft, None, None
    sheet.reopen_count += 1
    sheet.updated_at = utcnow()
    session.add(sheet)
    session.flush()
    audit.record(session, actor, "sheet.reopen", "score_sheet", sheet_id, before=before,
                 after={"status": sheet.status, "reopen_count": sheet.reopen_count}, reason=reason)
    session.commit()
    return sheet
