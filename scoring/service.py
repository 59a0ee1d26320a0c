"""Use cases of the evaluation domain: the evaluator's assignments and sheets, the demo evaluator,
and (re-exported) the officials' use cases and the read-only results other packages call.

Public contract (used by main.py, budgeting, compliance, the dashboard and reports):

- `attach_demo_evaluator(session, user_id)`: profile + conflict-free seats on the open panels.
- `project_result(session, project_id) -> ProjectResult`
- `evaluation_overview(session, program_id) -> DataFrame` (one row per project, bulk queries)
- `evaluator_stats(session, program_id) -> EvaluatorStats`
- `score_distribution(session, program_id) -> DataFrame`
- `list_selections(session, program_id)`, `get_selection(session, selection_id)`
- `conflicted_sheets_counted(session, program_id)`, `selections_departing_from_ranking(session, program_id)`
- officials: `change_ceiling(session, actor, project_id, ceiling_krw)` (within the programme total, above
  the recommended grant; re-screens the project's proposals)
- evaluator side: `my_assignments`, `get_assignment`, `save_sheet`, `submit_sheet`, `declare_own_conflict`
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from core import audit
from core.audit import Actor
from core.db import lock_for_update
from core.errors import Conflict, Forbidden, NotFound, RuleViolation
from core.models import Role, User
from core.timeutil import utcnow
from program.models import (
    Consortium,
    ConsortiumMember,
    Organization,
    Program,
    Project,
    ProjectStatus,
    Proposal,
    ProposalDocument,
)
from program.service import locked_project as program_locked_project
from scoring import rules
from scoring.conflicts import (  # noqa: F401
    conflicts_for_project,
    is_conflicted,
    list_conflicts,
    record_conflict,
)
from scoring.evaluators import (  # noqa: F401  (re-exported: the evaluator registry)
    copy_rubrics,
    create_evaluator,
    evaluator_read,
    get_evaluator,
    import_evaluators,
    link_evaluator_account,
    list_evaluators,
    set_evaluator_active,
    update_evaluator,
)
from scoring.models import (
    AssignmentDetail,
    AssignmentRead,
    ConflictConfirmation,
    ConflictConfirmationRead,
    ConflictKind,
    ConflictNotice,
    ConflictRead,
    ConflictRecord,
    CriterionScore,
    Evaluator,
    PanelMember,
    ProposalSummary,
    RubricCriterion,
    ScoreRead,
    ScoreSheet,
    Screening,
    SheetIn,
    SheetRead,
    SheetStatus,
)
from scoring.panels import (  # noqa: F401  (re-exported: one door to the domain)
    auto_panel,
    confirm_selection,
    get_panel,
    get_rubric,
    progress,
    put_rubric,
    reopen_sheet,
    rubric_for,
    rubric_read,
    set_panel,
)
from scoring.results import (  # noqa: F401
    conflicted_sheets_counted,
    evaluation_overview,
    evaluator_stats,
    get_selection,
    list_selections,
    project_result,
    score_distribution,
    selections_departing_from_ranking,
)
from scoring.screening import (  # noqa: F401
    change_ceiling,
    create_sheets,
    list_screening,
    override_screening,
    screen_project,
)

# --------------------------------------------------------------------------- the evaluator's side


def evaluator_of(session: Session, user: User) -> Evaluator:
    """The evaluator profile of a logged-in user (403 when the account has none)."""
    ev = session.exec(select(Evaluator).where(Evaluator.user_id == user.id)).first()
    if ev is None or not ev.active:
        raise Forbidden("scoring.err.no_evaluator_profile")
    return ev


@dataclass
class _Own:
    """The caller's own sheet with what its request reads again: held here, they stay in the session.

    SQLAlchemy's identity map holds objects weakly; while these are referenced, `session.get` of the
    sheet's project, programme, proposal or consortium (here, in the conflict rules, in the rubric) is
    answered from the session instead of another query.
    """

    ev: Evaluator
    sheet: ScoreSheet
    assignment: AssignmentRead
    project: Project
    program: Program
    proposal: Proposal
    consortium: Consortium


def _assignment_query(evaluator_id: int, sheet_id: int | None = None) -> Any:
    """The evaluator's sheets on eligible proposals, with project, programme, proposal and consortium,
    and per row whether the project's no-conflict confirmation is given and the proposal has a document."""
    confirmed = select(ConflictConfirmation.id).where(ConflictConfirmation.evaluator_id == evaluator_id,
                                                      ConflictConfirmation.project_id == Project.id).exists()
    documented = select(ProposalDocument.id).where(ProposalDocument.proposal_id == Proposal.id).exists()
    stmt = (select(ScoreSheet, Project, Program, Proposal, Consortium, confirmed.label("confirmed"),
                   documented.label("documented"))
            .join(Project, Project.id == ScoreSheet.project_id)
            .join(Program, Program.id == Project.program_id)
            .join(Proposal, Proposal.id == ScoreSheet.proposal_id)
            .join(Consortium, Consortium.id == Proposal.consortium_id)
            .join(Screening, Screening.proposal_id == Proposal.id)
            .where(ScoreSheet.evaluator_id == evaluator_id)
            .where(func.coalesce(Screening.override_eligible, Screening.eligible).is_(True))
            .order_by(ScoreSheet.id))
    if sheet_id is not None:
        stmt = stmt.where(ScoreSheet.id == sheet_id)
    return stmt


def _assignments(session: Session, evaluator_id: int, sheet_id: int | None = None) -> list[tuple[AssignmentRead, Any]]:
    """(assignment, its row) for each of the evaluator's sheets, without a proposal they are in conflict with."""
    rows = session.execute(_assignment_query(evaluator_id, sheet_id)).all()
    conflicted: dict[int, bool] = {}
    out = []
    for row in rows:
        sheet, project, _, proposal, consortium, confirmed, documented = row
        if project.id not in conflicted:
            conflicted[project.id] = is_conflicted(session, evaluator_id, project.id)
        if conflicted[project.id]:
            continue  # never show a proposal the evaluator is in conflict with
        out.append((AssignmentRead(id=sheet.id, project_id=project.id, project_code=project.code,
                                   project_title=project.title_ko, proposal_id=proposal.id,
                                   proposal_title=proposal.title, consortium_name=consortium.name,
                                   status=sheet.status, total=sheet.total, submitted_at=sheet.submitted_at,
                                   conflict_confirmed=bool(confirmed), has_document=bool(documented)), row))
    return out


def _assignment_rows(session: Session, evaluator_id: int, sheet_id: int | None = None) -> list[AssignmentRead]:
    return [a for a, _ in _assignments(session, evaluator_id, sheet_id)]


def my_assignments(session: Session, user: User) -> list[AssignmentRead]:
    """The caller's sheets, without any proposal they are in conflict with."""
    return _assignment_rows(session, evaluator_of(session, user).id)


def _own(session: Session, user: User, sheet_id: int, *, lock: bool = False) -> _Own:
    """The caller's own sheet and its assignment row; 404 for anyone else's, 403 when in conflict.

    The conflict rules run once per request: the assignment row already leaves out a conflicted (or
    ineligible) proposal, and only when it is missing is the conflict asked for, to say which. A write
    locks the sheet's row first; a read takes the sheet from the assignment row.
    """
    ev = evaluator_of(session, user)
    assert ev.id is not None
    if lock:
        sheet = session.exec(lock_for_update(session, select(ScoreSheet).where(ScoreSheet.id == sheet_id))).first()
        if sheet is None or sheet.evaluator_id != ev.id:
            raise NotFound("scoring.err.assignment_not_found", sheet_id=sheet_id)  # same answer for someone else's
    found = _assignments(session, ev.id, sheet_id)
    if not found:
        if not lock:
            sheet = session.exec(select(ScoreSheet).where(ScoreSheet.id == sheet_id)).first()
            if sheet is None or sheet.evaluator_id != ev.id:
                raise NotFound("scoring.err.assignment_not_found", sheet_id=sheet_id)
        if is_conflicted(session, ev.id, sheet.project_id):
            raise Forbidden("scoring.err.conflicted")
        raise NotFound("scoring.err.assignment_not_found", sheet_id=sheet_id)
    assignment, (sheet, project, program, proposal, consortium, _, _) = found[0]
    return _Own(ev, sheet, assignment, project, program, proposal, consortium)


def _own_assignment(session: Session, user: User, sheet_id: int, *, lock: bool = False
                    ) -> tuple[Evaluator, ScoreSheet, AssignmentRead]:
    """The caller's own sheet and its assignment row (see `_own`)."""
    own = _own(session, user, sheet_id, lock=lock)
    return own.ev, own.sheet, own.assignment


def _own_sheet(session: Session, user: User, sheet_id: int, *, lock: bool = False) -> tuple[Evaluator, ScoreSheet]:
    ev, sheet, _ = _own_assignment(session, user, sheet_id, lock=lock)
    return ev, sheet


def _require_own_confirmation(own: _Own) -> None:
    """`_require_confirmation` on what the assignment row already read (the programme's rule, the confirmation)."""
    if own.program.rules.conflict_confirmation_required and not own.assignment.conflict_confirmed:
        raise Conflict("coi.confirm_first", field="conflict_confirmation")


def _sheet_read(session: Session, sheet: ScoreSheet) -> SheetRead:
    scores = session.execute(select(RubricCriterion.code, CriterionScore.points, CriterionScore.comment)
                             .join(RubricCriterion, RubricCriterion.id == CriterionScore.criterion_id)
                             .where(CriterionScore.sheet_id == sheet.id).order_by(RubricCriterion.sort_order)).all()
    return SheetRead(id=sheet.id, proposal_id=sheet.proposal_id, status=sheet.status,
                     total=sheet.total, submitted_at=sheet.submitted_at,
                     scores=[ScoreRead(criterion_code=c, points=Decimal(p), comment=m) for c, p, m in scores])


def _rubric_of_sheet(session: Session, sheet: ScoreSheet) -> tuple[object, list[RubricCriterion], Decimal]:
    project = session.get(Project, sheet.project_id)
    assert project is not None
    rubric = rubric_for(session, project.program_id, project.call_type_id)
    crits = list(session.exec(select(RubricCriterion).where(RubricCriterion.rubric_id == rubric.id)
                              .order_by(RubricCriterion.sort_order)).all())
    return rubric, crits, Decimal(rubric.step)


def get_assignment(session: Session, user: User, sheet_id: int) -> AssignmentDetail:
    """Proposal summary, rubric and the caller's own sheet (after the no-conflict confirmation)."""
    own = _own(session, user, sheet_id)
    _require_own_confirmation(own)
    sheet, proposal, consortium, project = own.sheet, own.proposal, own.consortium, own.project
    lead = session.get(Organization, consortium.lead_org_id)
    members = session.exec(select(Organization.name).join(ConsortiumMember, ConsortiumMember.org_id == Organization.id)
                           .where(ConsortiumMember.consortium_id == consortium.id)
                           .order_by(ConsortiumMember.id)).all()
    rubric = rubric_for(session, project.program_id, project.call_type_id)
    unit = project.volume_unit
    return AssignmentDetail(
        assignment=own.assignment,
        proposal=ProposalSummary(id=proposal.id, title=proposal.title, consortium_name=consortium.name,
                                 lead_org_name=lead.name if lead else "", members=list(members),
                                 requested_grant_krw=proposal.requested_grant_krw,
                                 private_matching_krw=proposal.private_matching_krw,
                                 planned_direct_hires=proposal.planned_direct_hires,
                                 planned_crowd_payment_krw=proposal.planned_crowd_payment_krw,
                                 planned_crowd_workers=proposal.planned_crowd_workers,
                                 planned_training_hours=proposal.planned_training_hours,
                                 planned_volume=proposal.planned_volume, volume_unit=unit,
                                 vulnerable_hiring_plan=proposal.vulnerable_hiring_plan),
        rubric=rubric_read(session, rubric),
        sheet=_sheet_read(session, sheet))


def get_my_sheet(session: Session, user: User, sheet_id: int) -> SheetRead:
    _, sheet = _own_sheet(session, user, sheet_id)
    return _sheet_read(session, sheet)


def _write_scores(session: Session, sheet: ScoreSheet, data: SheetIn) -> None:
    """Validate every score against the rubric (422 naming the criterion) and upsert them."""
    _, crits, step = _rubric_of_sheet(session, sheet)
    by_code = {c.code: c for c in crits}
    seen: set[str] = set()
    for s in data.scores:
        c = by_code.get(s.criterion_code)
        if c is None:
            raise RuleViolation("scoring.err.unknown_criterion", code=s.criterion_code, codes=", ".join(by_code),
                                field=f"scores.{s.criterion_code}")
        if s.criterion_code in seen:
            raise RuleViolation("scoring.err.criterion_twice", field=f"scores.{c.code}", code=c.code)
        seen.add(s.criterion_code)
        error = rules.score_error(s.points, Decimal(c.max_points), step)
        if error:
            in_range = 0 <= s.points <= c.max_points
            raise RuleViolation("scoring.err.score_step" if in_range else "scoring.err.score_range",
                                field=f"scores.{c.code}", code=c.code, name=c.name_ko, points=s.points,
                                max=Decimal(c.max_points), step=step)
    existing = {cs.criterion_id: cs for cs in session.exec(select(CriterionScore)
                                                           .where(CriterionScore.sheet_id == sheet.id)).all()}
    for s in data.scores:
        c = by_code[s.criterion_code]
        row = existing.get(c.id) or CriterionScore(sheet_id=sheet.id, criterion_id=c.id, points=s.points)
        row.points = s.points
        row.comment = (s.comment or "").strip() or None
        session.add(row)
    session.flush()


def save_sheet(session: Session, user: User, sheet_id: int, data: SheetIn) -> SheetRead:
    """Save scores as a draft (partial sheets allowed); a submitted sheet is locked (409)."""
    own = _own(session, user, sheet_id, lock=True)
    _require_own_confirmation(own)
    sheet = own.sheet
    if sheet.status == SheetStatus.submitted:
        raise Conflict("scoring.err.sheet_locked")
    _write_scores(session, sheet, data)
    sheet.status, sheet.updated_at = SheetStatus.draft, utcnow()
    session.add(sheet)
    session.flush()
    result = _sheet_read(session, sheet)
    audit.record(session, Actor.of(user), "sheet.save", "score_sheet", sheet_id, after=result)
    session.commit()
    return result


def submit_sheet(session: Session, user: User, sheet_id: int, data: SheetIn | None = None) -> SheetRead:
    """Submit (and lock) a complete sheet: every criterion scored, comments where below 40% of the maximum."""
    own = _own(session, user, sheet_id, lock=True)
    _require_own_confirmation(own)
    sheet, program = own.sheet, own.program
    if sheet.status == SheetStatus.submitted:
        raise Conflict("scoring.err.sheet_submitted")
    if data is not None and data.scores:
        _write_scores(session, sheet, data)
    _, crits, _ = _rubric_of_sheet(session, sheet)
    below = program.rules.comment_required_below  # the sheet's own programme's rule, never a default
    scores = {cs.criterion_id: cs for cs in session.exec(select(CriterionScore)
                                                         .where(CriterionScore.sheet_id == sheet.id)).all()}
    for c in crits:
        cs = scores.get(c.id)
        if cs is None:
            raise RuleViolation("scoring.err.no_score", field=f"scores.{c.code}", code=c.code, name=c.name_ko)
        if rules.comment_required(Decimal(cs.points), Decimal(c.max_points), below) and not cs.comment:
            raise RuleViolation("scoring.err.comment_required", field=f"scores.{c.code}.comment", code=c.code,
                                name=c.name_ko, pct=f"{below * 100:.0f}")
    sheet.total = rules.sheet_total(Decimal(scores[c.id].points) for c in crits)  # type: ignore[index]
    sheet.status, sheet.submitted_at = SheetStatus.submitted, utcnow()
    sheet.updated_at = sheet.submitted_at
    session.add(sheet)
    session.flush()
    result = _sheet_read(session, sheet)
    audit.record(session, Actor.of(user), "sheet.submit", "score_sheet", sheet_id, after=result)
    session.commit()
    return result


def declare_own_conflict(session: Session, user: User, sheet_id: int, reason: str) -> ConflictRead:
    """An evaluator declares a conflict with the project of one of their assignments: they leave its panel
    and the officials get a notice (`declare_conflict_and_leave`)."""
    notice = declare_conflict_and_leave(session, user, sheet_id, reason)
    return ConflictRead(evaluator_id=notice.evaluator_id, evaluator_code=notice.evaluator_code,
                        project_id=notice.project_id, source="declared", detail=reason, cleared=False, reason=reason)


# --------------------------------------------------------------------------- demo


def attach_demo_evaluator(session: Session, user_id: int) -> None:
    """Give the demo evaluator a profile and conflict-free seats on the open panels (2–4 proposals).

    Idempotent; commits. Open panels: projects under evaluation whose panels are below the maximum.
    """
    user = session.get(User, user_id)
    if user is None or Role(user.role) != Role.evaluator:
        raise NotFound("scoring.err.evaluator_account_not_found", user_id=user_id)
    ev = session.exec(select(Evaluator).where(Evaluator.user_id == user_id)).first()
    if ev is None:
        n = session.exec(select(func.count()).select_from(Evaluator)).one()
        code = f"EV{n + 1:04d}"
        while session.exec(select(Evaluator).where(Evaluator.code == code)).first():
            n += 1
            code = f"EV{n + 1:04d}"
        ev = Evaluator(code=code, user_id=user_id, name=user.full_name or user.username)
        session.add(ev)
        session.flush()
        audit.record(session, audit.SYSTEM, "evaluator.create", "evaluator", ev.id,
                     after={"code": ev.code, "user_id": user_id})
    have = session.exec(select(func.count()).select_from(ScoreSheet).where(ScoreSheet.evaluator_id == ev.id)).one()
    if have >= 2:
        session.commit()
        return
    open_projects = session.exec(select(Project).join(Program, Program.id == Project.program_id)
                                 .where(Project.status == ProjectStatus.under_evaluation)
                                 .order_by((Program.year != 2021), Project.id)).all()
    total = have
    for project in open_projects:
        if total >= 4:
            break
        rules_ = session.get(Program, project.program_id).rules  # type: ignore[union-attr]
        members = session.exec(select(PanelMember).where(PanelMember.project_id == project.id)).all()
        if not members or len(members) >= rules_.panel_max or any(m.evaluator_id == ev.id for m in members):
            continue
        if is_conflicted(session, ev.id, project.id):
            continue
        n_eligible = session.exec(select(func.count()).select_from(Screening).where(
            Screening.project_id == project.id,
            func.coalesce(Screening.override_eligible, Screening.eligible).is_(True))).one()
        if not n_eligible or total + n_eligible > 4:
            continue
        used = {m.code for m in members}
        code = next(f"E{i:02d}" for i in range(1, 100) if f"E{i:02d}" not in used)
        pm = PanelMember(project_id=project.id, evaluator_id=ev.id, code=code)
        session.add(pm)
        session.flush()
        total += create_sheets(session, project, [pm])
        session.flush()
        audit.record(session, audit.SYSTEM, "panel.add_demo_evaluator", "project", project.id,
                     after={"evaluator_id": ev.id, "panel_code": code})
    session.commit()


# --------------------------------------------------------------------------- conflict-of-interest confirmation


def conflict_confirmed(session: Session, evaluator_id: int, project_id: int) -> bool:
    """Has the evaluator stated having no conflict of interest with the project (이해충돌 없음 확인)?"""
    return session.exec(select(ConflictConfirmation.id).where(
        ConflictConfirmation.evaluator_id == evaluator_id,
        ConflictConfirmation.project_id == project_id)).first() is not None


def _require_confirmation(session: Session, ev: Evaluator, sheet: ScoreSheet) -> None:
    """A sheet opens only after the evaluator confirmed no conflict with its project (when the rules ask)."""
    project = session.get(Project, sheet.project_id)
    program = session.get(Program, project.program_id) if project else None
    if program is None or not program.rules.conflict_confirmation_required:
        return
    assert ev.id is not None
    if not conflict_confirmed(session, ev.id, sheet.project_id):
        raise Conflict("coi.confirm_first", field="conflict_confirmation")


def conflict_check(session: Session, user: User, sheet_id: int) -> dict[str, object]:
    """What the evaluator reads before confirming: the project, the consortium and its members."""
    ev, sheet = _own_sheet(session, user, sheet_id)
    project = session.get(Project, sheet.project_id)
    proposal = session.get(Proposal, sheet.proposal_id)
    assert project is not None and proposal is not None and ev.id is not None
    consortium = session.get(Consortium, proposal.consortium_id)
    members = session.execute(select(Organization.name, Organization.business_number, ConsortiumMember.role)
                              .join(ConsortiumMember, ConsortiumMember.org_id == Organization.id)
                              .where(ConsortiumMember.consortium_id == proposal.consortium_id)
                              .order_by(ConsortiumMember.id)).all()
    return {"sheet_id": sheet_id, "project_id": project.id, "project_code": project.code,
            "project_title": project.title_ko, "consortium_name": consortium.name if consortium else "",
            "members": [{"name": n, "business_number": b, "role": str(getattr(r, "value", r))} for n, b, r in members],
            "confirmed": conflict_confirmed(session, ev.id, project.id)}


def confirm_no_conflict(session: Session, user: User, sheet_id: int) -> ConflictConfirmationRead:
    """The evaluator confirms no conflict with the project of a sheet: its sheets open (idempotent)."""
    ev, sheet = _own_sheet(session, user, sheet_id)
    assert ev.id is not None
    row = session.exec(select(ConflictConfirmation).where(ConflictConfirmation.evaluator_id == ev.id,
                                                          ConflictConfirmation.project_id == sheet.project_id)).first()
    if row is None:
        row = ConflictConfirmation(evaluator_id=ev.id, project_id=sheet.project_id)
        session.add(row)
        session.flush()
        audit.record(session, Actor.of(user), "conflict.confirm_none", "conflict_confirmation", row.id,
                     after={"evaluator_id": ev.id, "project_id": sheet.project_id})
        session.commit()
    return ConflictConfirmationRead(evaluator_id=ev.id, project_id=row.project_id, confirmed_at=row.confirmed_at)


def declare_conflict_and_leave(session: Session, user: User, sheet_id: int, reason: str) -> ConflictNotice:
    """The evaluator declares a conflict: they leave the project's panel and the officials are told.

    The declaration is a conflict record (its sheets stop counting); the evaluator's unsubmitted sheets
    of the project are removed, and their panel seat too when no submitted sheet hangs on it. The record
    stays a notice on the officials' list until one of them marks it seen.
    """
    ev, sheet = _own_sheet(session, user, sheet_id)
    assert ev.id is not None
    project = program_locked_project(session, sheet.project_id)
    assert project.id is not None
    rec = ConflictRecord(evaluator_id=ev.id, project_id=project.id, kind=ConflictKind.declared, reason=reason,
                         recorded_by=Actor.of(user).username)
    session.add(rec)
    session.flush()
    sheets = session.exec(select(ScoreSheet).where(ScoreSheet.evaluator_id == ev.id,
                                                   ScoreSheet.project_id == project.id)).all()
    removed = 0
    keep_seat = False
    for s in sheets:
        if s.status == SheetStatus.submitted:
            keep_seat = True
            continue
        for cs in session.exec(select(CriterionScore).where(CriterionScore.sheet_id == s.id)).all():
            session.delete(cs)
        session.flush()
        session.delete(s)
        removed += 1
    session.flush()
    if not keep_seat:
        for pm in session.exec(select(PanelMember).where(PanelMember.project_id == project.id,
                                                         PanelMember.evaluator_id == ev.id)).all():
            session.delete(pm)
    session.flush()
    audit.record(session, Actor.of(user), "conflict.declared", "conflict_record", rec.id,
                 after={"evaluator_id": ev.id, "project_id": project.id, "kind": ConflictKind.declared,
                        "sheets_removed": removed, "left_panel": not keep_seat}, reason=reason)
    session.commit()
    return _notice(session, rec, removed)


def _notice(session: Session, rec: ConflictRecord, removed: int = 0) -> ConflictNotice:
    ev = session.get(Evaluator, rec.evaluator_id)
    project = session.get(Project, rec.project_id)
    assert ev is not None and project is not None and rec.id is not None
    return ConflictNotice(record_id=rec.id, evaluator_id=rec.evaluator_id, evaluator_code=ev.code,
                          evaluator_name=ev.name, project_id=rec.project_id, project_code=project.code,
                          reason=rec.reason, recorded_at=rec.recorded_at, seen_by=rec.seen_by, seen_at=rec.seen_at,
                          sheets_removed=removed)


def conflict_notices(session: Session, program_id: int, *, unseen_only: bool = True) -> list[ConflictNotice]:
    """Conflicts evaluators declared in a programme (newest first): the officials' notices."""
    stmt = (select(ConflictRecord).join(Project, Project.id == ConflictRecord.project_id)
            .where(Project.program_id == program_id, ConflictRecord.kind == ConflictKind.declared))
    if unseen_only:
        stmt = stmt.where(ConflictRecord.seen_at.is_(None))  # type: ignore[union-attr]
    return [_notice(session, r) for r in session.exec(stmt.order_by(ConflictRecord.id.desc())).all()]  # type: ignore[union-attr]


def acknowledge_conflict_notice(session: Session, actor: Actor, record_id: int) -> ConflictNotice:
    """An official marks a declared conflict as seen (the notice leaves the list; the record stays)."""
    rec = session.get(ConflictRecord, record_id)
    if rec is None or rec.kind != ConflictKind.declared:
        raise NotFound("coi.notice_not_found", record_id=record_id)
    if rec.seen_at is None:
        rec.seen_by, rec.seen_at = actor.username, utcnow()
        session.add(rec)
        audit.record(session, actor, "conflict.notice_seen", "conflict_record", rec.id,
                     after={"seen_by": rec.seen_by})
        session.commit()
    return _notice(session, rec)


# --------------------------------------------------------------------------- proposal documents (who may read)


def proposal_document_for(session: Session, user: User, proposal_id: int) -> ProposalDocument:
    """The newest document of a proposal if `user` may read it: officials and auditors always; an evaluator
    only on a proposal of their own sheets, without a conflict and after the no-conflict confirmation.
    Anyone else is answered as if the proposal did not exist (404)."""
    from program import documents

    role = Role(user.role)
    if role in (Role.official, Role.auditor):
        return documents.latest_document(session, proposal_id)
    if role != Role.evaluator:
        raise NotFound("program.proposal_not_found", proposal_id=proposal_id)
    ev = session.exec(select(Evaluator).where(Evaluator.user_id == user.id)).first()
    sheet = None if ev is None or not ev.active else session.exec(select(ScoreSheet).where(
        ScoreSheet.evaluator_id == ev.id, ScoreSheet.proposal_id == proposal_id)).first()
    if ev is None or sheet is None or not _assignment_rows(session, ev.id, sheet.id):
        raise NotFound("program.proposal_not_found", proposal_id=proposal_id)
    _require_confirmation(session, ev, sheet)
    return documents.latest_document(session, proposal_id)
