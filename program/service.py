"""Use cases of the programme domain. Takes a Session; raises domain errors; audits every change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, func, select

from core import audit
from core.audit import Actor
from core.db import lock_limit
from core.errors import Conflict, LimitExceeded, NotFound, RuleViolation, Term
from core.money import format_krw
from core.timeutil import today_kst, utcnow
from program import lifecycle
from program import rules as programme_rules
from program.delivery_models import DataOpening, DeliveryProgress
from program.lifecycle import ProjectAction, ProjectFacts
from program.models import (
    CallActionResult,
    CallType,
    CallTypeCode,
    Consortium,
    ConsortiumCreate,
    ConsortiumMember,
    ConsortiumRead,
    CoreField,
    CountBy,
    DataType,
    MemberRead,
    MemberRole,
    Organization,
    OrganizationCreate,
    Program,
    ProgramCopyIn,
    ProgramRules,
    ProgramStateRead,
    ProgramStatus,
    ProgramSummary,
    Project,
    ProjectCreate,
    ProjectRead,
    ProjectStatus,
    ProjectUpdate,
    Proposal,
    ProposalCreate,
    ProposalStatus,
    ProposalUpdate,
    RestrictionUpdate,
    SlotCreate,
    SlotRead,
    SlotUpdate,
)


def _snapshot(obj: Any) -> dict[str, Any]:
    return obj.model_dump(mode="json") if obj is not None else {}


# --------------------------------------------------------------------------- programme


def get_program(session: Session, program_id: int) -> Program:
    program = session.get(Program, program_id)
    if program is None:
        raise NotFound("program.not_found", program_id=program_id)
    return program


def current_program(session: Session) -> Program:
    """The newest programme (the one the dashboard and reports show by default)."""
    program = session.exec(select(Program).order_by(Program.year.desc())).first()  # type: ignore[attr-defined]
    if program is None:
        raise NotFound("program.err.no_programme")
    return program


def list_programs(session: Session) -> Sequence[Program]:
    return session.exec(select(Program).order_by(Program.year)).all()


def program_rules(session: Session, program_id: int) -> ProgramRules:
    return get_program(session, program_id).rules


def update_rules(session: Session, actor: Actor, program_id: int, changes: dict[str, Any]) -> Program:
    """Change rule values (e.g. the hire rate for a new call); the whole set is re-validated."""
    program = get_program(session, program_id)
    before = dict(program.rules_json)
    merged = {**program.rules.model_dump(mode="json"), **changes}
    try:
        rules = ProgramRules.model_validate(merged)
    except ValueError as exc:
        raise RuleViolation("program.err.invalid_rules", field="rules", reason=exc) from exc
    program.rules_json = rules.model_dump(mode="json")
    session.add(program)
    audit.record(session, actor, "program.rules.update", "program", program.id, before=before,
                 after=program.rules_json)
    session.commit()
    return program


def program_summary(session: Session, program_id: int) -> ProgramSummary:
    """The totals a minister would quote."""
    program = get_program(session, program_id)
    rules = program.rules
    by_type = session.exec(
        select(CallType.code, CallType.name_ko, CallType.name_en, func.count(Project.id),
               func.coalesce(func.sum(Project.ceiling_krw), 0))
        .select_from(CallType)
        .join(Project, (Project.call_type_id == CallType.id) & (Project.program_id == program_id), isouter=True)
        .group_by(CallType.id, CallType.code, CallType.name_ko, CallType.name_en)
        .order_by(CallType.id)
    ).all()
    by_field = session.exec(
        select(CoreField.code, CoreField.name_ko, CoreField.name_en, func.count(Project.id),
               func.coalesce(func.sum(Project.ceiling_krw), 0))
        .select_from(CoreField)
        .join(Project, (Project.field_id == CoreField.id) & (Project.program_id == program_id), isouter=True)
        .group_by(CoreField.id, CoreField.code, CoreField.name_ko, CoreField.name_en, CoreField.sort_order)
        .order_by(CoreField.sort_order)
    ).all()
    n_proposals = session.exec(
        select(func.count(Proposal.id)).join(Project, Project.id == Proposal.project_id)
        .where(Project.program_id == program_id)
    ).one()
    n_orgs = session.exec(select(func.count(Organization.id))).one()
    ceilings = sum(int(r[4]) for r in by_type)
    return ProgramSummary(
        program_id=program_id,
        year=program.year,
        name_ko=program.name_ko,
        total_budget_krw=program.total_budget_krw,
        total_budget_label=format_krw(program.total_budget_krw, "eok", decimals=0),
        projects=sum(int(r[3]) for r in by_type),
        projects_by_call_type=[CountBy(code=str(r[0]), name_ko=r[1], name_en=r[2], projects=int(r[3]),
                                       ceiling_krw=int(r[4])) for r in by_type],
        projects_by_field=[CountBy(code=r[0], name_ko=r[1], name_en=r[2], projects=int(r[3]),
                                   ceiling_krw=int(r[4])) for r in by_field],
        sum_of_ceilings_krw=ceilings,
        hires_per_100m_krw=rules.hires_per_100m_krw,
        required_direct_hires=programme_rules.required_direct_hires(
            program.total_budget_krw, rules.hires_per_100m_krw),
        proposals=int(n_proposals),
        organizations=int(n_orgs),
    )


# --------------------------------------------------------------------------- reference data


def list_fields(session: Session) -> Sequence[CoreField]:
    return session.exec(select(CoreField).order_by(CoreField.sort_order)).all()


def list_call_types(session: Session) -> Sequence[CallType]:
    return session.exec(select(CallType).order_by(CallType.id)).all()


def field_by_code(session: Session, code: str) -> CoreField:
    field = session.exec(select(CoreField).where(CoreField.code == code)).first()
    if field is None:
        raise RuleViolation("program.err.unknown_field", field="field_code", code=code)
    return field


def call_type_by_code(session: Session, code: CallTypeCode | str) -> CallType:
    ct = session.exec(select(CallType).where(CallType.code == code)).first()
    if ct is None:
        raise RuleViolation("program.err.unknown_call_type", field="call_type", code=code)
    return ct


# --------------------------------------------------------------------------- projects


def _project_read(p: Project, field_codes: dict[int, str], type_codes: dict[int, str]) -> ProjectRead:
    data = p.model_dump()
    return ProjectRead(**data, field_code=field_codes.get(p.field_id), call_type_code=type_codes.get(p.call_type_id))


def _code_maps(session: Session) -> tuple[dict[int, str], dict[int, str]]:
    fields = {f.id: f.code for f in list_fields(session) if f.id is not None}
    types = {t.id: str(t.code) for t in list_call_types(session) if t.id is not None}
    return fields, types


def list_projects(
    session: Session,
    *,
    program_id: int | None = None,
    field_code: str | None = None,
    call_type: str | None = None,
    status: ProjectStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ProjectRead], int]:
    """Projects matching the filters, one page of them and the total count."""
    q = select(Project)
    if program_id is not None:
        q = q.where(Project.program_id == program_id)
    if field_code:
        q = q.where(Project.field_id == field_by_code(session, field_code).id)
    if call_type:
        q = q.where(Project.call_type_id == call_type_by_code(session, call_type).id)
    if status:
        q = q.where(Project.status == status)
    total = session.exec(select(func.count()).select_from(q.subquery())).one()
    rows = session.exec(q.order_by(Project.id).offset(offset).limit(limit)).all()
    fields, types = _code_maps(session)
    return [_project_read(p, fields, types) for p in rows], int(total)


def get_project(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound("program.project_not_found", project_id=project_id)
    return project


def project_read(session: Session, project_id: int) -> ProjectRead:
    fields, types = _code_maps(session)
    return _project_read(get_project(session, project_id), fields, types)


def _ceilings_total(session: Session, program_id: int, *, excluding: int | None = None) -> int:
    q = select(func.coalesce(func.sum(Project.ceiling_krw), 0)).where(Project.program_id == program_id)
    if excluding is not None:
        q = q.where(Project.id != excluding)
    return int(session.exec(q).one())


def create_project(session: Session, actor: Actor, data: ProjectCreate) -> Project:
    """Open a new project slot; the ceilings of a programme never exceed its total budget.

    The programme row holds that limit: it is locked before the ceilings are summed, so
    concurrent creations queue instead of all seeing the same room (finding 2).
    """
    program = _locked_program(session, data.program_id)
    field = field_by_code(session, data.field_code)
    ctype = call_type_by_code(session, data.call_type)
    if data.call_type == CallTypeCode.regional and not data.region:
        raise RuleViolation("program.slot_region", field="region")
    if session.exec(select(Project).where(Project.program_id == program.id, Project.code == data.code)).first():
        raise Conflict("program.slot_code_taken", field="code", code=data.code)
    _check_room(session, program, data.ceiling_krw)
    project = Project(program_id=program.id, code=data.code, field_id=field.id, call_type_id=ctype.id,
                      title_ko=data.title_ko, title_en=data.title_en, region=data.region,
                      ceiling_krw=data.ceiling_krw, planned_volume=data.planned_volume,
                      volume_unit=data.volume_unit)
    session.add(project)
    session.flush()
    audit.record(session, actor, "project.create", "project", project.id, after=_snapshot(project))
    session.commit()
    return project


def _locked_program(session: Session, program_id: int) -> Program:
    program = lock_limit(session, Program, program_id)
    if program is None:
        raise NotFound("program.not_found", program_id=program_id)
    return program


def locked_project(session: Session, project_id: int) -> Project:
    """The project row, locked (its status and ceiling are limits other writers check)."""
    project = lock_limit(session, Project, project_id)
    if project is None:
        raise NotFound("program.project_not_found", project_id=project_id)
    return project


def _check_room(session: Session, program: Program, ceiling_krw: int, *, excluding: int | None = None) -> None:
    """The programme total holds the sum of its projects' ceilings (caller has locked the programme)."""
    assert program.id is not None
    room = program.total_budget_krw - _ceilings_total(session, program.id, excluding=excluding)
    if ceiling_krw > room:
        raise LimitExceeded(
            "program.err.ceiling_over_room", ceiling=ceiling_krw, room=room, over=ceiling_krw - room,
            field="ceiling_krw",
            details={"ceiling_krw": ceiling_krw, "room_krw": room,
                     "total_budget_krw": program.total_budget_krw})


def update_project(session: Session, actor: Actor, project_id: int, data: ProjectUpdate) -> Project:
    """Edit a project's descriptive fields; its status moves only by actions and its ceiling only by
    `scoring.service.change_ceiling` (which re-screens the proposals)."""
    changes = data.model_dump(exclude_unset=True)
    for key in ("status", "ceiling_krw"):
        if key in changes:
            how = ("POST /api/v1/projects/{id}/actions/{action}" if key == "status"
                   else "POST /api/v1/scoring/projects/{id}/ceiling")
            raise RuleViolation("program.err.not_edited", field=key, key=key, how=how)
    project = locked_project(session, project_id)
    before = _snapshot(project)
    for key, value in changes.items():
        if value is not None:
            setattr(project, key, value)
    session.add(project)
    audit.record(session, actor, "project.update", "project", project.id, before=before, after=_snapshot(project))
    session.commit()
    return project


def apply_ceiling(session: Session, actor: Actor, project: Project, ceiling_krw: int, *,
                  floor_krw: int, floor_what: str, reason: str | None = None) -> dict[str, int]:
    """Set a project's ceiling within the programme total and above `floor_krw`; audits, does not commit.

    The caller (the ceiling use case in scoring, which knows the floor and re-screens) has locked
    the programme and then the project, in that order.
    """
    if ceiling_krw <= 0:
        raise RuleViolation("program.err.ceiling_positive", field="ceiling_krw")
    why = lifecycle.ceiling_floor_problem(ceiling_krw, floor_krw, floor_what)
    if why:
        raise LimitExceeded(why, field="ceiling_krw",
                            details={"ceiling_krw": ceiling_krw, "floor_krw": floor_krw, "floor": floor_what})
    program = get_program(session, project.program_id)
    _check_room(session, program, ceiling_krw, excluding=project.id)
    before = project.ceiling_krw
    project.ceiling_krw = ceiling_krw
    session.add(project)
    audit.record(session, actor, "project.ceiling", "project", project.id, before={"ceiling_krw": before},
                 after={"ceiling_krw": ceiling_krw, "floor_krw": floor_krw}, reason=reason)
    return {"before_krw": before, "after_krw": ceiling_krw}


def lock_program_then_project(session: Session, project_id: int) -> tuple[Program, Project]:
    """Lock order of every ceiling change: programme (the total) → project (the ceiling)."""
    plain = get_project(session, project_id)
    program = _locked_program(session, plain.program_id)
    return program, locked_project(session, project_id)


def transition_project(session: Session, actor: Actor, project: Project, action: ProjectAction, *,
                       reason: str | None = None, details: dict[str, Any] | None = None) -> Project:
    """Take one automatic transition (panel, selection, agreement): state check, write, audit; no commit.

    The caller has locked `project` and checked the rest of its own rule.
    """
    why = lifecycle.state_problem(action, ProjectStatus(project.status))
    if why:
        raise Conflict(why, field="status")
    return _move(session, actor, project, action, reason=reason, details=details)


def _move(session: Session, actor: Actor, project: Project, action: ProjectAction, *,
          reason: str | None = None, details: dict[str, Any] | None = None) -> Project:
    before = ProjectStatus(project.status)
    project.status = lifecycle.project_target(action)
    session.add(project)
    audit.record(session, actor, f"project.{action.value}", "project", project.id,
                 before={"status": before}, after={"status": project.status, **(details or {})}, reason=reason)
    return project


def _project_facts(session: Session, project: Project, reason: str | None) -> ProjectFacts:
    active = session.exec(select(func.count()).select_from(Proposal).where(
        Proposal.project_id == project.id,
        Proposal.status.in_(list(lifecycle.PROPOSAL_ACTIVE)))).one()  # type: ignore[attr-defined]
    type_ids = list(session.exec(select(DataType.id).where(DataType.project_id == project.id)).all())
    built = opened = 0
    if type_ids:
        built = int(session.exec(select(func.coalesce(func.sum(DeliveryProgress.built_items), 0))
                                 .where(DeliveryProgress.data_type_id.in_(type_ids))).one())  # type: ignore[attr-defined]
        opened = int(session.exec(select(func.count()).select_from(DataOpening).where(
            DataOpening.data_type_id.in_(type_ids), DataOpening.opened_date.is_not(None))).one())  # type: ignore[attr-defined,union-attr]
    return ProjectFacts(status=ProjectStatus(project.status), active_proposals=int(active),
                        data_types=len(type_ids), built_items=built, data_types_opened=opened, reason=reason)


def project_action(session: Session, actor: Actor, project_id: int, action: ProjectAction | str,
                   reason: str | None = None) -> Project:
    """An official moves a project on: close the call, re-announce, cancel, start quality verification,
    mark its data opened. The rule is `lifecycle.project_transition_problems`; 409 when the state does
    not allow it, 422 when another rule fails; the audit event carries the reason."""
    action = ProjectAction(str(action))
    if action not in lifecycle.OFFICIAL_ACTIONS:
        raise RuleViolation("program.err.not_official_action", field="action", action=action.value,
                            actions=[Term("project_action", a.value) for a in lifecycle.OFFICIAL_ACTIONS])
    project = locked_project(session, project_id)
    facts = _project_facts(session, project, reason)
    problems = lifecycle.project_transition_problems(action, facts)
    if problems:
        state_error = lifecycle.state_problem(action, facts.status)
        if state_error:
            raise Conflict(state_error, field="status")
        raise RuleViolation("; ".join(problems), field="action", details=[{"reason": p} for p in problems])
    closed: list[int] = []
    if action in (ProjectAction.reannounce, ProjectAction.cancel):
        # the proposals of the round that ends are closed as not selected (the history stays)
        for p in session.exec(select(Proposal).where(
                Proposal.project_id == project.id,
                Proposal.status.in_(list(lifecycle.PROPOSAL_ACTIVE))).order_by(Proposal.id)).all():  # type: ignore[attr-defined]
            p.status = ProposalStatus.not_selected
            session.add(p)
            closed.append(p.id)
    _move(session, actor, project, action, reason=reason,
          details={"proposals_closed": closed} if closed else None)
    session.commit()
    return project


# --------------------------------------------------------------------------- organisations


def list_organizations(session: Session, *, kind: str | None = None, q: str | None = None,
                       limit: int = 50, offset: int = 0) -> tuple[Sequence[Organization], int]:
    stmt = select(Organization)
    if kind:
        stmt = stmt.where(Organization.kind == kind)
    if q:
        stmt = stmt.where(Organization.name.contains(q))  # type: ignore[attr-defined]
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(Organization.id).offset(offset).limit(limit)).all()
    return rows, int(total)


def get_organization(session: Session, org_id: int) -> Organization:
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound("program.err.org_not_found", org_id=org_id)
    return org


def create_organization(session: Session, actor: Actor, data: OrganizationCreate) -> Organization:
    if session.exec(select(Organization).where(Organization.business_number == data.business_number)).first():
        raise Conflict("program.err.business_number_taken", field="business_number",
                       business_number=data.business_number)
    org = Organization(**data.model_dump())
    session.add(org)
    session.flush()
    audit.record(session, actor, "organization.create", "organization", org.id, after=_snapshot(org))
    session.commit()
    return org


def set_restriction(session: Session, actor: Actor, org_id: int, data: RestrictionUpdate) -> Organization:
    """Put an organisation on (or take it off) the participation-restriction list."""
    org = get_organization(session, org_id)
    before = {"restricted_until": org.restricted_until, "restriction_reason": org.restriction_reason}
    org.restricted_until = data.restricted_until
    org.restriction_reason = data.reason if data.restricted_until else None
    session.add(org)
    audit.record(session, actor, "organization.restriction", "organization", org.id, before=before,
                 after={"restricted_until": org.restricted_until, "restriction_reason": org.restriction_reason},
                 reason=data.reason)
    session.commit()
    return org


# --------------------------------------------------------------------------- consortia


def consortium_read(session: Session, consortium_id: int) -> ConsortiumRead:
    c = session.get(Consortium, consortium_id)
    if c is None:
        raise NotFound("program.err.consortium_not_found", consortium_id=consortium_id)
    rows = session.exec(
        select(ConsortiumMember, Organization)
        .join(Organization, Organization.id == ConsortiumMember.org_id)
        .where(ConsortiumMember.consortium_id == consortium_id)
        .order_by(ConsortiumMember.id)
    ).all()
    members = [MemberRead(org_id=m.org_id, role=m.role, share_bp=m.share_bp, org_name=o.name,
                          org_kind=o.kind, business_number=o.business_number) for m, o in rows]
    assert c.id is not None
    return ConsortiumRead(id=c.id, name=c.name, lead_org_id=c.lead_org_id, members=members)


def consortium_members(session: Session, consortium_id: int) -> list[tuple[ConsortiumMember, Organization]]:
    rows = session.exec(
        select(ConsortiumMember, Organization)
        .join(Organization, Organization.id == ConsortiumMember.org_id)
        .where(ConsortiumMember.consortium_id == consortium_id)
    ).all()
    return [(m, o) for m, o in rows]


def create_consortium(session: Session, actor: Actor, data: ConsortiumCreate) -> Consortium:
    """A consortium with exactly one lead; shares add up to 100% when given."""
    leads = [m for m in data.members if m.role == MemberRole.lead]
    if len(leads) != 1:
        raise RuleViolation("program.err.lead_count", field="members", n=len(leads))
    ids = [m.org_id for m in data.members]
    if len(set(ids)) != len(ids):
        raise RuleViolation("program.err.member_twice", field="members")
    for oid in ids:
        get_organization(session, oid)
    shares = sum(m.share_bp for m in data.members)
    if shares not in (0, 10000):
        raise RuleViolation("program.err.shares", field="members", total=f"{shares / 100:.2f}")
    c = Consortium(name=data.name, lead_org_id=leads[0].org_id)
    session.add(c)
    session.flush()
    for m in data.members:
        session.add(ConsortiumMember(consortium_id=c.id, org_id=m.org_id, role=m.role, share_bp=m.share_bp))
    audit.record(session, actor, "consortium.create", "consortium", c.id, after=data.model_dump(mode="json"))
    session.commit()
    return c


# --------------------------------------------------------------------------- proposals


def list_proposals(session: Session, *, project_id: int | None = None, program_id: int | None = None,
                   status: ProposalStatus | None = None, limit: int = 50,
                   offset: int = 0) -> tuple[Sequence[Proposal], int]:
    q = select(Proposal)
    if project_id is not None:
        q = q.where(Proposal.project_id == project_id)
    if program_id is not None:
        q = q.join(Project, Project.id == Proposal.project_id).where(Project.program_id == program_id)
    if status is not None:
        q = q.where(Proposal.status == status)
    total = session.exec(select(func.count()).select_from(q.subquery())).one()
    rows = session.exec(q.order_by(Proposal.id).offset(offset).limit(limit)).all()
    return rows, int(total)


def get_proposal(session: Session, proposal_id: int) -> Proposal:
    p = session.get(Proposal, proposal_id)
    if p is None:
        raise NotFound("program.proposal_not_found", proposal_id=proposal_id)
    return p


def create_proposal(session: Session, actor: Actor, data: ProposalCreate) -> Proposal:
    """Register a proposal while the project's call is open (409 otherwise); screening decides the rest.

    The project row is locked so that closing the call and a late proposal cannot cross.
    """
    project = locked_project(session, data.project_id)
    if session.get(Consortium, data.consortium_id) is None:
        raise RuleViolation("program.err.consortium_not_found", field="consortium_id", consortium_id=data.consortium_id)
    if not call_accepts_proposals(get_program(session, project.program_id)):
        raise Conflict("program.proposals_closed", field="project_id", code=project.code)
    if not lifecycle.accepts_proposals(ProjectStatus(project.status)):
        raise Conflict("program.err.not_open_for_proposals", field="project_id", code=project.code,
                       status=Term("project_status", project.status))
    values = data.model_dump()
    values["submitted_at"] = utcnow()  # server-owned: not in ProposalCreate
    p = Proposal(**values)
    session.add(p)
    session.flush()
    audit.record(session, actor, "proposal.create", "proposal", p.id, after=_snapshot(p))
    session.commit()
    return p


def _locked_proposal(session: Session, proposal_id: int) -> Proposal:
    p = lock_limit(session, Proposal, proposal_id)
    if p is None:
        raise NotFound("program.proposal_not_found", proposal_id=proposal_id)
    return p


def update_proposal(session: Session, actor: Actor, proposal_id: int, data: ProposalUpdate) -> Proposal:
    """Edit a proposal's title; what is evaluated (requested amounts, plans) is frozen once submitted (409)."""
    changes = data.model_dump(exclude_unset=True)
    if "status" in changes:
        raise RuleViolation("program.err.proposal_status_edit", field="status")
    p = _locked_proposal(session, proposal_id)
    frozen = lifecycle.frozen_changes(_snapshot(p), changes)
    if frozen:
        raise Conflict("program.err.proposal_frozen", proposal_id=proposal_id, fields=", ".join(frozen), n=len(frozen),
                       field=frozen[0], details=[{"field": f, "current": getattr(p, f), "requested": changes[f]}
                                                 for f in frozen])
    before = _snapshot(p)
    for key, value in changes.items():
        if value is not None:
            setattr(p, key, value)
    session.add(p)
    audit.record(session, actor, "proposal.update", "proposal", p.id, before=before, after=_snapshot(p))
    session.commit()
    return p


def withdraw_proposal(session: Session, actor: Actor, proposal_id: int, reason: str) -> Proposal:
    """The consortium withdraws its proposal (신청 철회), only while the project's call is open."""
    plain = get_proposal(session, proposal_id)
    project = locked_project(session, plain.project_id)  # lock order: project → proposal
    p = _locked_proposal(session, proposal_id)
    why = lifecycle.withdraw_problem(ProposalStatus(p.status), ProjectStatus(project.status))
    if why:
        raise Conflict(why, field="status")
    before = {"status": p.status}
    p.status = ProposalStatus.withdrawn
    session.add(p)
    audit.record(session, actor, "proposal.withdraw", "proposal", p.id, before=before,
                 after={"status": p.status}, reason=reason)
    session.commit()
    return p


# --------------------------------------------------------------------------- programme life (issue 12)
# A programme is made from an existing one (`copy_programme`, composed with the rubric and envelope
# copies by budgeting.programmes.create_programme_from); it starts before the call (draft), its slots
# are added, edited within the total and published, then its call opens and closes.


def program_state(session: Session, program_id: int) -> ProgramStateRead:
    """A programme with its call state and the room its total leaves for new slots."""
    program = get_program(session, program_id)
    slots, published, ceilings = session.exec(
        select(func.count(Project.id),
               func.count(Project.published_at),
               func.coalesce(func.sum(Project.ceiling_krw), 0)).where(Project.program_id == program_id)).one()
    status = ProgramStatus(program.status)
    assert program.id is not None
    return ProgramStateRead(
        id=program.id, year=program.year, name_ko=program.name_ko, name_en=program.name_en,
        total_budget_krw=program.total_budget_krw, status=status, copied_from_id=program.copied_from_id,
        call_opened_date=program.call_opened_date, call_closed_date=program.call_closed_date,
        slots=int(slots), published_slots=int(slots) if status != ProgramStatus.draft else int(published),
        sum_of_ceilings_krw=int(ceilings), room_krw=program.total_budget_krw - int(ceilings))


def list_program_states(session: Session) -> list[ProgramStateRead]:
    """Every programme (year) with its call state, oldest first (the programme selector)."""
    return [program_state(session, p.id) for p in list_programs(session) if p.id is not None]


def copy_programme(session: Session, actor: Actor, previous_id: int, data: ProgramCopyIn) -> Program:
    """A new programme, before its call, with the rules (and cost-category shares) of `previous_id`.

    Core fields and call types are shared reference data (every programme uses them). Does not
    commit: `budgeting.programmes.create_programme_from` copies the rubrics and envelopes in the
    same transaction.
    """
    previous = get_program(session, previous_id)
    if session.exec(select(Program.id).where(Program.year == data.year)).first() is not None:
        raise Conflict("program.year_taken", field="year", year=data.year)
    program = Program(year=data.year, name_ko=data.name_ko, name_en=data.name_en,
                      total_budget_krw=data.total_budget_krw or previous.total_budget_krw,
                      rules_json=previous.rules.model_dump(mode="json"), status=ProgramStatus.draft,
                      copied_from_id=previous.id)
    session.add(program)
    session.flush()
    audit.record(session, actor, "program.create", "program", program.id, after=_snapshot(program),
                 reason=f"copied from programme {previous.year}")
    return program


def _slot_read(session: Session, project: Project) -> SlotRead:
    fields, types = _code_maps(session)
    program = get_program(session, project.program_id)
    base = _project_read(project, fields, types).model_dump()
    return SlotRead(**base, published_at=project.published_at,
                    published=ProgramStatus(program.status) != ProgramStatus.draft or project.published_at is not None)


def slot_read(session: Session, project_id: int) -> SlotRead:
    return _slot_read(session, get_project(session, project_id))


def list_slots(session: Session, program_id: int) -> list[SlotRead]:
    """The project slots of a programme with their publication state."""
    get_program(session, program_id)
    projects = session.exec(select(Project).where(Project.program_id == program_id).order_by(Project.id)).all()
    return [_slot_read(session, p) for p in projects]


def add_slot(session: Session, actor: Actor, program_id: int, data: SlotCreate) -> Project:
    """Add a project slot within the programme total (locked); a slot of a draft programme waits to be published."""
    program = _locked_program(session, program_id)
    status = ProgramStatus(program.status)
    if status == ProgramStatus.call_closed:
        raise Conflict("program.call_closed", field="program_id")
    field = field_by_code(session, data.field_code)
    ctype = call_type_by_code(session, data.call_type)
    if data.call_type == CallTypeCode.regional and not data.region:
        raise RuleViolation("program.slot_region", field="region")
    if session.exec(select(Project).where(Project.program_id == program.id, Project.code == data.code)).first():
        raise Conflict("program.slot_code_taken", field="code", code=data.code)
    _check_slot_room(session, program, data.ceiling_krw)
    project = Project(program_id=program.id, code=data.code, field_id=field.id, call_type_id=ctype.id,
                      title_ko=data.title_ko, title_en=data.title_en, region=data.region,
                      ceiling_krw=data.ceiling_krw, planned_volume=data.planned_volume, volume_unit=data.volume_unit,
                      published_at=None if status == ProgramStatus.draft else utcnow())
    session.add(project)
    session.flush()
    session.add(DataType(project_id=project.id, name_ko=project.title_ko, name_en=project.title_en,
                         contracted_volume=project.planned_volume, volume_unit=project.volume_unit))
    audit.record(session, actor, "project.create", "project", project.id, after=_snapshot(project))
    session.commit()
    return project


def _check_slot_room(session: Session, program: Program, ceiling_krw: int, *, excluding: int | None = None) -> None:
    assert program.id is not None
    room = program.total_budget_krw - _ceilings_total(session, program.id, excluding=excluding)
    if ceiling_krw > room:
        raise LimitExceeded("program.room", field="ceiling_krw", ceiling=ceiling_krw, room=room,
                            over=ceiling_krw - room,
                            details={"ceiling_krw": ceiling_krw, "room_krw": room,
                                     "total_budget_krw": program.total_budget_krw})


def _draft_slot(session: Session, project_id: int) -> tuple[Program, Project]:
    """Lock the programme then the slot; refuse unless the slot is an unpublished slot of a draft programme."""
    program, project = lock_program_then_project(session, project_id)
    if ProgramStatus(program.status) != ProgramStatus.draft:
        raise Conflict("program.not_draft", field="status",
                       status=Term("program_status", program.status))
    if project.published_at is not None:
        raise Conflict("program.slot_published", field="status", code=project.code)
    return program, project


def update_slot(session: Session, actor: Actor, project_id: int, data: SlotUpdate) -> Project:
    """Edit an unpublished slot of a draft programme; a new ceiling stays within the programme total."""
    program, project = _draft_slot(session, project_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "ceiling_krw" in changes:
        _check_slot_room(session, program, changes["ceiling_krw"], excluding=project.id)
    before = _snapshot(project)
    for key, value in changes.items():
        setattr(project, key, value)
    session.add(project)
    for dt in session.exec(select(DataType).where(DataType.project_id == project.id)).all():
        if "planned_volume" in changes:
            dt.contracted_volume = changes["planned_volume"]
        if "title_ko" in changes:
            dt.name_ko = changes["title_ko"]
        session.add(dt)
    audit.record(session, actor, "project.update", "project", project.id, before=before, after=_snapshot(project))
    session.commit()
    return project


def delete_slot(session: Session, actor: Actor, project_id: int) -> None:
    """Remove an unpublished slot of a draft programme (nothing refers to it yet)."""
    _, project = _draft_slot(session, project_id)
    before = _snapshot(project)
    for dt in session.exec(select(DataType).where(DataType.project_id == project.id)).all():
        session.delete(dt)
    session.flush()
    session.delete(project)
    audit.record(session, actor, "project.delete", "project", project_id, before=before)
    session.commit()


def publish_slot(session: Session, actor: Actor, project_id: int) -> Project:
    """Publish (공고) a slot of a draft programme: from now on it is fixed and will open with the call."""
    _, project = _draft_slot(session, project_id)
    project.published_at = utcnow()
    session.add(project)
    audit.record(session, actor, "project.publish", "project", project.id, after={"published_at": project.published_at})
    session.commit()
    return project


def open_call(session: Session, actor: Actor, program_id: int) -> CallActionResult:
    """Open the programme's call (접수 개시): every slot published, at least one; rules are then in force."""
    program = _locked_program(session, program_id)
    if ProgramStatus(program.status) != ProgramStatus.draft:
        raise Conflict("program.not_draft", field="status", status=Term("program_status", program.status))
    projects = session.exec(select(Project).where(Project.program_id == program_id).order_by(Project.id)).all()
    if not projects:
        raise RuleViolation("program.no_slots", field="program_id")
    unpublished = [p.code for p in projects if p.published_at is None]
    if unpublished:
        raise RuleViolation("program.unpublished_slots", field="program_id", n=len(unpublished),
                            codes=", ".join(unpublished[:10]))
    before = {"status": program.status, "call_opened_date": program.call_opened_date}
    program.status = ProgramStatus.call_open
    program.call_opened_date = today_kst()
    session.add(program)
    audit.record(session, actor, "program.open-call", "program", program.id, before=before,
                 after={"status": program.status, "call_opened_date": program.call_opened_date,
                        "projects": len(projects)})
    session.commit()
    return CallActionResult(program=program_state(session, program_id))


def close_call(session: Session, actor: Actor, program_id: int) -> CallActionResult:
    """Close the programme's call (접수 마감): each project with proposals moves to evaluation.

    A project without a proposal stays open for the official to re-announce or cancel (listed).
    """
    program = _locked_program(session, program_id)
    if ProgramStatus(program.status) != ProgramStatus.call_open:
        raise Conflict("program.not_open", field="status", status=Term("program_status", program.status))
    moved: list[int] = []
    empty: list[int] = []
    projects = session.exec(select(Project).where(Project.program_id == program_id,
                                                  Project.status.in_(list(lifecycle.CALL_OPEN)))  # type: ignore[attr-defined]
                            .order_by(Project.id)).all()
    for plain in projects:
        assert plain.id is not None
        project = locked_project(session, plain.id)
        facts = _project_facts(session, project, None)
        if facts.active_proposals == 0:
            empty.append(plain.id)
            continue
        _move(session, actor, project, ProjectAction.close_call, details={"by": "program.close-call"})
        moved.append(plain.id)
    before = {"status": program.status}
    program.status = ProgramStatus.call_closed
    program.call_closed_date = today_kst()
    session.add(program)
    audit.record(session, actor, "program.close-call", "program", program.id, before=before,
                 after={"status": program.status, "call_closed_date": program.call_closed_date,
                        "projects_moved": moved, "projects_without_proposals": empty})
    session.commit()
    return CallActionResult(program=program_state(session, program_id), projects_moved=moved,
                            projects_without_proposals=empty)


def call_accepts_proposals(program: Program) -> bool:
    """A programme takes proposals only while its call is open (legacy programmes: open)."""
    return ProgramStatus(program.status) == ProgramStatus.call_open
