"""HTTP routes of the programme domain: parse, check the role, call one service function."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlmodel import Session

from core.audit import Actor
from core.auth import AnyStaff, OfficialUser, ReaderUser
from core.bounded import Code, Id, Offset, SearchText
from core.db import get_session, get_write_session
from core.pagination import Page
from program import service
from program.lifecycle import ActionIn, OfficialAction, WithdrawIn
from program.models import (
    CallTypeCode,
    CallTypeRead,
    ConsortiumCreate,
    ConsortiumRead,
    CoreFieldRead,
    OrganizationCreate,
    OrganizationRead,
    OrgKind,
    ProgramRead,
    ProgramRulesUpdate,
    ProgramSummary,
    ProjectCreate,
    ProjectRead,
    ProjectStatus,
    ProjectUpdate,
    ProposalCreate,
    ProposalRead,
    ProposalStatus,
    ProposalUpdate,
    RestrictionUpdate,
)

router = APIRouter(tags=["program"])


def _program_read(p) -> ProgramRead:
    return ProgramRead(id=p.id, year=p.year, name_ko=p.name_ko, name_en=p.name_en,
                       total_budget_krw=p.total_budget_krw, call_opened_date=p.call_opened_date, rules=p.rules)


@router.get("/programs", response_model=list[ProgramRead])
def list_programs(_: AnyStaff, session: Session = Depends(get_session)) -> list[ProgramRead]:
    return [_program_read(p) for p in service.list_programs(session)]


@router.get("/programs/{program_id}", response_model=ProgramRead)
def get_program(program_id: Id, _: AnyStaff, session: Session = Depends(get_session)) -> ProgramRead:
    return _program_read(service.get_program(session, program_id))


@router.patch("/programs/{program_id}/rules", response_model=ProgramRead)
def update_rules(program_id: Id, data: ProgramRulesUpdate, user: OfficialUser,
                 session: Session = Depends(get_write_session)) -> ProgramRead:
    return _program_read(service.update_rules(session, Actor.of(user), program_id, data.changes()))


@router.get("/programs/{program_id}/summary", response_model=ProgramSummary)
def program_summary(program_id: Id, _: AnyStaff, session: Session = Depends(get_session)) -> ProgramSummary:
    return service.program_summary(session, program_id)


@router.get("/fields", response_model=list[CoreFieldRead])
def list_fields(_: AnyStaff, session: Session = Depends(get_session)) -> list[CoreFieldRead]:
    return [CoreFieldRead.model_validate(f, from_attributes=True) for f in service.list_fields(session)]


@router.get("/call-types", response_model=list[CallTypeRead])
def list_call_types(_: AnyStaff, session: Session = Depends(get_session)) -> list[CallTypeRead]:
    return [CallTypeRead.model_validate(t, from_attributes=True) for t in service.list_call_types(session)]


@router.get("/projects", response_model=Page[ProjectRead])
def list_projects(
    _: AnyStaff,
    session: Session = Depends(get_session),
    program_id: Id | None = None,
    field: Code | None = Query(None, description="core field code, e.g. HEALTH"),
    call_type: CallTypeCode | None = Query(None, description="designated, regional or free"),
    status: ProjectStatus | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
) -> Page[ProjectRead]:
    items, total = service.list_projects(session, program_id=program_id, field_code=field, call_type=call_type,
                                         status=status, limit=limit, offset=offset)
    return Page(items=items, total=total)


@router.get("/projects/{project_id}", response_model=ProjectRead)
def get_project(project_id: Id, _: AnyStaff, session: Session = Depends(get_session)) -> ProjectRead:
    return service.project_read(session, project_id)


@router.post("/projects", response_model=ProjectRead, status_code=201)
def create_project(data: ProjectCreate, user: OfficialUser,
                   session: Session = Depends(get_write_session)) -> ProjectRead:
    project = service.create_project(session, Actor.of(user), data)
    assert project.id is not None
    return service.project_read(session, project.id)


@router.patch("/projects/{project_id}", response_model=ProjectRead)
def update_project(project_id: Id, data: ProjectUpdate, user: OfficialUser,
                   session: Session = Depends(get_write_session)) -> ProjectRead:
    service.update_project(session, Actor.of(user), project_id, data)
    return service.project_read(session, project_id)


@router.post("/projects/{project_id}/actions/{action}", response_model=ProjectRead)
def project_action(project_id: Id, action: OfficialAction, user: OfficialUser, data: ActionIn | None = None,
                   session: Session = Depends(get_write_session)) -> ProjectRead:
    """Move a project on in its life cycle (409 when its status does not allow the action)."""
    service.project_action(session, Actor.of(user), project_id, action, data.reason if data else None)
    return service.project_read(session, project_id)


@router.get("/organizations", response_model=Page[OrganizationRead])
def list_organizations(_: ReaderUser, session: Session = Depends(get_session), kind: OrgKind | None = None,
                       q: SearchText | None = None, limit: int = Query(50, ge=1, le=500),
                       offset: Offset = 0) -> Page[OrganizationRead]:
    rows, total = service.list_organizations(session, kind=kind, q=q, limit=limit, offset=offset)
    return Page(items=[OrganizationRead.model_validate(o, from_attributes=True) for o in rows], total=total)


@router.post("/organizations", response_model=OrganizationRead, status_code=201)
def create_organization(data: OrganizationCreate, user: OfficialUser,
                        session: Session = Depends(get_write_session)) -> OrganizationRead:
    org = service.create_organization(session, Actor.of(user), data)
    return OrganizationRead.model_validate(org, from_attributes=True)


@router.put("/organizations/{org_id}/restriction", response_model=OrganizationRead)
def set_restriction(org_id: Id, data: RestrictionUpdate, user: OfficialUser,
                    session: Session = Depends(get_write_session)) -> OrganizationRead:
    org = service.set_restriction(session, Actor.of(user), org_id, data)
    return OrganizationRead.model_validate(org, from_attributes=True)


@router.post("/consortia", response_model=ConsortiumRead, status_code=201)
def create_consortium(data: ConsortiumCreate, user: OfficialUser,
                      session: Session = Depends(get_write_session)) -> ConsortiumRead:
    c = service.create_consortium(session, Actor.of(user), data)
    assert c.id is not None
    return service.consortium_read(session, c.id)


@router.get("/consortia/{consortium_id}", response_model=ConsortiumRead)
def get_consortium(consortium_id: Id, _: ReaderUser, session: Session = Depends(get_session)) -> ConsortiumRead:
    return service.consortium_read(session, consortium_id)


@router.get("/proposals", response_model=Page[ProposalRead])
def list_proposals(_: ReaderUser, session: Session = Depends(get_session), project_id: Id | None = None,
                   program_id: Id | None = None, status: ProposalStatus | None = None,
                   limit: int = Query(50, ge=1, le=500), offset: Offset = 0) -> Page[ProposalRead]:
    rows, total = service.list_proposals(session, project_id=project_id, program_id=program_id, status=status,
                                         limit=limit, offset=offset)
    return Page(items=[ProposalRead.model_validate(p, from_attributes=True) for p in rows], total=total)


@router.get("/proposals/{proposal_id}", response_model=ProposalRead)
def get_proposal(proposal_id: Id, _: ReaderUser, session: Session = Depends(get_session)) -> ProposalRead:
    return ProposalRead.model_validate(service.get_proposal(session, proposal_id), from_attributes=True)


@router.post("/proposals", response_model=ProposalRead, status_code=201)
def create_proposal(data: ProposalCreate, user: OfficialUser,
                    session: Session = Depends(get_write_session)) -> ProposalRead:
    p = service.create_proposal(session, Actor.of(user), data)
    return ProposalRead.model_validate(p, from_attributes=True)


@router.patch("/proposals/{proposal_id}", response_model=ProposalRead)
def update_proposal(proposal_id: Id, data: ProposalUpdate, user: OfficialUser,
                    session: Session = Depends(get_write_session)) -> ProposalRead:
    p = service.update_proposal(session, Actor.of(user), proposal_id, data)
    return ProposalRead.model_validate(p, from_attributes=True)


@router.post("/proposals/{proposal_id}/actions/withdraw", response_model=ProposalRead)
def withdraw_proposal(proposal_id: Id, data: WithdrawIn, user: OfficialUser,
                      session: Session = Depends(get_write_session)) -> ProposalRead:
    """Withdraw a proposal while its project's call is open (409 otherwise)."""
    p = service.withdraw_proposal(session, Actor.of(user), proposal_id, data.reason)
    return ProposalRead.model_validate(p, from_attributes=True)
