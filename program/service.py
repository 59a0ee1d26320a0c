"""Use cases of the programme domain. Takes a Session; raises domain errors; audits every change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, func, select

from budgeting import rules as budgeting_rules
from core import audit
from core.audit import Actor
from core.errors import Conflict, NotFound, RuleViolation
from core.money import format_krw
from core.timeutil import utcnow
from program.models import (
    CallType,
    CallTypeCode,
    Consortium,
    ConsortiumCreate,
    ConsortiumMember,
    ConsortiumRead,
    CoreField,
    CountBy,
    MemberRead,
    MemberRole,
    Organization,
    OrganizationCreate,
    Program,
    ProgramRules,
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
)


def _snapshot(obj: Any) -> dict[str, Any]:
    return obj.model_dump(mode="json") if obj is not None else {}


# --------------------------------------------------------------------------- programme


def get_program(session: Session, program_id: int) -> Program:
    program = session.get(Program, program_id)
    if program is None:
        raise NotFound(f"programme {program_id} does not exist")
    return program


def current_program(session: Session) -> Program:
    """The newest programme (the one the dashboard and reports show by default)."""
    program = session.exec(select(Program).order_by(Program.year.desc())).first()  # type: ignore[attr-defined]
    if program is None:
        raise NotFound("no programme yet: run `python main.py seed`")
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
        raise RuleViolation(f"invalid rules: {exc}", field="rules") from exc
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
        required_direct_hires=budgeting_rules.required_direct_hires(
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
        raise RuleViolation(f"unknown field code '{code}'", field="field_code")
    return field


def call_type_by_code(session: Session, code: CallTypeCode | str) -> CallType:
    ct = session.exec(select(CallType).where(CallType.code == code)).first()
    if ct is None:
        raise RuleViolation(f"unknown call type '{code}'", field="call_type")
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
        raise NotFound(f"project {project_id} does not exist")
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
    """Open a new project slot; the ceilings of a programme never exceed its total budget."""
    program = get_program(session, data.program_id)
    field = field_by_code(session, data.field_code)
    ctype = call_type_by_code(session, data.call_type)
    if data.call_type == CallTypeCode.regional and not data.region:
        raise RuleViolation("a regional project needs a region", field="region")
    if session.exec(select(Project).where(Project.program_id == program.id, Project.code == data.code)).first():
        raise Conflict(f"project code '{data.code}' already exists in this programme", field="code")
    room = program.total_budget_krw - _ceilings_total(session, data.program_id)
    if data.ceiling_krw > room:
        raise RuleViolation(
            f"ceiling {data.ceiling_krw:,} KRW exceeds the programme's unallocated budget of {room:,} KRW "
            f"by {data.ceiling_krw - room:,} KRW", field="ceiling_krw")
    project = Project(program_id=program.id, code=data.code, field_id=field.id, call_type_id=ctype.id,
                      title_ko=data.title_ko, title_en=data.title_en, region=data.region,
                      ceiling_krw=data.ceiling_krw, planned_volume=data.planned_volume,
                      volume_unit=data.volume_unit)
    session.add(project)
    session.flush()
    audit.record(session, actor, "project.create", "project", project.id, after=_snapshot(project))
    session.commit()
    return project


def update_project(session: Session, actor: Actor, project_id: int, data: ProjectUpdate) -> Project:
    project = get_project(session, project_id)
    before = _snapshot(project)
    changes = data.model_dump(exclude_unset=True)
    if "ceiling_krw" in changes and changes["ceiling_krw"] is not None:
        program = get_program(session, project.program_id)
        room = program.total_budget_krw - _ceilings_total(session, project.program_id, excluding=project.id)
        if changes["ceiling_krw"] > room:
            raise RuleViolation(
                f"ceiling {changes['ceiling_krw']:,} KRW exceeds the room left in the programme "
                f"({room:,} KRW)", field="ceiling_krw")
    for key, value in changes.items():
        if value is not None:
            setattr(project, key, value)
    session.add(project)
    audit.record(session, actor, "project.update", "project", project.id, before=before, after=_snapshot(project))
    session.commit()
    return project


def set_project_status(session: Session, actor: Actor, project_id: int, status: ProjectStatus,
                       *, reason: str | None = None, commit: bool = True) -> Project:
    """Move a project through its life (used by scoring and budgeting services too)."""
    project = get_project(session, project_id)
    before = {"status": project.status}
    project.status = status
    session.add(project)
    audit.record(session, actor, "project.status", "project", project.id, before=before,
                 after={"status": status}, reason=reason)
    if commit:
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
        raise NotFound(f"organisation {org_id} does not exist")
    return org


def create_organization(session: Session, actor: Actor, data: OrganizationCreate) -> Organization:
    if session.exec(select(Organization).where(Organization.business_number == data.business_number)).first():
        raise Conflict(f"business number {data.business_number} is already registered", field="business_number")
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
        raise NotFound(f"consortium {consortium_id} does not exist")
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
        raise RuleViolation(f"a consortium needs exactly one lead, got {len(leads)}", field="members")
    ids = [m.org_id for m in data.members]
    if len(set(ids)) != len(ids):
        raise RuleViolation("an organisation appears twice in the consortium", field="members")
    for oid in ids:
        get_organization(session, oid)
    shares = sum(m.share_bp for m in data.members)
    if shares not in (0, 10000):
        raise RuleViolation(f"planned shares add up to {shares / 100:.2f}%, not 100%", field="members")
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
        raise NotFound(f"proposal {proposal_id} does not exist")
    return p


def create_proposal(session: Session, actor: Actor, data: ProposalCreate) -> Proposal:
    """Register a proposal; eligibility screening (scoring) decides whether it goes to a panel."""
    project = get_project(session, data.project_id)
    if session.get(Consortium, data.consortium_id) is None:
        raise RuleViolation(f"consortium {data.consortium_id} does not exist", field="consortium_id")
    if project.status not in (ProjectStatus.open, ProjectStatus.reannounced):
        raise Conflict(f"project {project.code} is not open for proposals (status {project.status})")
    values = data.model_dump()
    values["submitted_at"] = values["submitted_at"] or utcnow()
    p = Proposal(**values)
    session.add(p)
    session.flush()
    audit.record(session, actor, "proposal.create", "proposal", p.id, after=_snapshot(p))
    session.commit()
    return p


def update_proposal(session: Session, actor: Actor, proposal_id: int, data: ProposalUpdate) -> Proposal:
    p = get_proposal(session, proposal_id)
    before = _snapshot(p)
    for key, value in data.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(p, key, value)
    session.add(p)
    audit.record(session, actor, "proposal.update", "proposal", p.id, before=before, after=_snapshot(p))
    session.commit()
    return p
