"""Eligibility screening (적격성 검토) and the sheets that send eligible proposals to a panel."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, select

from core import audit
from core.audit import Actor
from core.bounded import PositiveWon, Reason, RequestModel
from core.db import lock_for_update
from core.errors import Conflict, NotFound, Term
from core.timeutil import utcnow
from program import lifecycle
from program import service as program_service
from program.models import (
    Consortium,
    ConsortiumMember,
    Organization,
    Project,
    ProjectStatus,
    Proposal,
    ProposalStatus,
)
from program.service import get_program as _program
from program.service import get_project as _project
from scoring import rules
from scoring.models import (
    PanelMember,
    ScoreSheet,
    Screening,
    ScreeningRead,
    Selection,
)

# --------------------------------------------------------------------------- schemas of the ceiling use case


class CeilingIn(RequestModel):
    """A project's new ceiling (과제 상한액) and why it changes."""

    ceiling_krw: PositiveWon
    reason: Reason | None = None


class CeilingChange(BaseModel):
    project_id: int
    before_krw: int
    ceiling_krw: int
    floor_krw: int
    rescreened: list[ScreeningRead]


# --------------------------------------------------------------------------- screening


def _screening_read(s: Screening) -> ScreeningRead:
    return ScreeningRead(proposal_id=s.proposal_id, project_id=s.project_id, screened_on=s.screened_on,
                         eligible=s.eligible, reasons=s.reasons, override_eligible=s.override_eligible,
                         override_reason=s.override_reason, effective_eligible=s.effective_eligible)


def _screen_rows(session: Session, project: Project, today: date) -> list[Screening]:
    """Screen (or re-screen) every proposal of a project; keeps officials' overrides. Caller audits."""
    program = _program(session, project.program_id)
    r = program.rules
    props = session.exec(select(Proposal).where(Proposal.project_id == project.id).order_by(Proposal.id)).all()
    existing = {s.proposal_id: s for s in session.exec(select(Screening).where(
        Screening.project_id == project.id)).all()}
    out = []
    for p in props:
        if p.status not in lifecycle.PROPOSAL_SCREENABLE and p.status != ProposalStatus.under_review:
            # withdrawn, or closed with an earlier round of the call: out of the running, whatever
            # an earlier screening or override said
            s = existing.get(p.id) or Screening(proposal_id=p.id, project_id=project.id,
                                                screened_on=today, eligible=False)
            code = "withdrawn" if p.status == ProposalStatus.withdrawn else "closed_round"
            s.screened_on, s.eligible, s.screened_at = today, False, utcnow()
            s.reasons = [{"code": code, "actual": str(p.status),
                          "message": "the proposal was withdrawn" if code == "withdrawn"
                          else "the proposal belongs to an earlier round of this call"}]
            s.override_eligible = None
            session.add(s)
            out.append(s)
            continue
        consortium = session.get(Consortium, p.consortium_id)
        assert consortium is not None
        lead = session.get(Organization, consortium.lead_org_id)
        assert lead is not None
        mem = session.exec(select(Organization).join(ConsortiumMember, ConsortiumMember.org_id == Organization.id)
                           .where(ConsortiumMember.consortium_id == consortium.id)).all()
        fields = session.exec(select(func.count(func.distinct(Project.field_id))).select_from(Proposal)
                              .join(Project, Project.id == Proposal.project_id)
                              .join(Consortium, Consortium.id == Proposal.consortium_id)
                              .where(Project.program_id == program.id,
                                     Consortium.lead_org_id == consortium.lead_org_id,
                                     Proposal.status != ProposalStatus.withdrawn)).one()
        kind = str(lead.kind.value if hasattr(lead.kind, "value") else lead.kind)
        facts = rules.EligibilityFacts(
            member_count=len(mem), lead_fields=int(fields), requested_grant_krw=p.requested_grant_krw,
            ceiling_krw=project.ceiling_krw, planned_direct_hires=p.planned_direct_hires,
            private_matching_krw=p.private_matching_krw, lead_kind=kind,
            restricted_members=[o.name for o in mem if o.restricted_until is not None and o.restricted_until >= today])
        reasons = rules.screen(facts, min_members=r.min_consortium_members, max_fields=r.max_fields_per_lead,
                               hires_per_100m_krw=r.hires_per_100m_krw, min_matching_rate=r.min_matching_rate(kind))
        s = existing.get(p.id) or Screening(proposal_id=p.id, project_id=project.id,
                                            screened_on=today, eligible=not reasons)
        s.screened_on, s.eligible, s.reasons, s.screened_at = today, not reasons, reasons, utcnow()
        session.add(s)
        if p.status in (ProposalStatus.submitted, ProposalStatus.eligible, ProposalStatus.ineligible):
            p.status = ProposalStatus.eligible if s.effective_eligible else ProposalStatus.ineligible
            session.add(p)
        out.append(s)
    session.flush()
    return out


def screen_project(session: Session, actor: Actor, project_id: int, *,
                   today: date | None = None) -> list[ScreeningRead]:
    """Run eligibility screening for every proposal of a project (restrictions as of `today`)."""
    project = program_service.locked_project(session, project_id)
    if session.exec(select(Selection).where(Selection.project_id == project_id)).first():
        raise Conflict("scoring.err.screening_closed")
    rows = _screen_rows(session, project, today or utcnow().date())
    result = [_screening_read(s) for s in rows]
    audit.record(session, actor, "screening.run", "project", project_id,
                 after={"proposals": [{"proposal_id": s.proposal_id, "eligible": s.eligible,
                                       "reasons": [x["code"] for x in s.reasons]} for s in result]})
    session.commit()
    return result


def list_screening(session: Session, project_id: int) -> list[ScreeningRead]:
    _project(session, project_id)
    return [_screening_read(s) for s in session.exec(select(Screening).where(Screening.project_id == project_id)
                                                     .order_by(Screening.proposal_id)).all()]


def override_screening(session: Session, actor: Actor, proposal_id: int, eligible: bool, reason: str) -> ScreeningRead:
    """An official overrides a screening result; the reason goes into the audit log."""
    s = session.exec(lock_for_update(session, select(Screening).where(Screening.proposal_id == proposal_id))).first()
    if s is None:
        if session.get(Proposal, proposal_id) is None:
            raise NotFound("scoring.err.proposal_not_found", proposal_id=proposal_id)
        raise Conflict("scoring.err.not_screened", proposal_id=proposal_id)
    if session.exec(select(Selection).where(Selection.project_id == s.project_id)).first():
        raise Conflict("scoring.err.screening_closed")
    p = session.get(Proposal, proposal_id)
    assert p is not None
    if p.status not in lifecycle.PROPOSAL_SCREENABLE:
        raise Conflict("scoring.err.override_status", field="status", proposal_id=proposal_id,
                       status=Term("proposal_status", p.status))
    before = _screening_read(s).model_dump(mode="json")
    s.override_eligible, s.override_reason, s.overridden_by = eligible, reason, actor.username
    session.add(s)
    p.status = ProposalStatus.eligible if eligible else ProposalStatus.ineligible
    session.add(p)
    if eligible:  # send it to the panel that already exists
        project = _project(session, s.project_id)
        create_sheets(session, project, session.exec(select(PanelMember).where(
            PanelMember.project_id == project.id)).all())
    session.flush()
    after = _screening_read(s)
    audit.record(session, actor, "screening.override", "proposal", proposal_id, before=before, after=after,
                 reason=reason)
    session.commit()
    return after



def eligible_proposals(session: Session, project: Project) -> list[int]:
    return list(session.exec(select(Proposal.id).join(Screening, Screening.proposal_id == Proposal.id)
                             .where(Proposal.project_id == project.id)
                             .where(func.coalesce(Screening.override_eligible, Screening.eligible).is_(True))
                             .order_by(Proposal.id)).all())


def create_sheets(session: Session, project: Project, members: Any) -> int:
    """A sheet for every (panel member, eligible proposal) that has none yet."""
    have = set(session.execute(select(ScoreSheet.evaluator_id, ScoreSheet.proposal_id)
                               .where(ScoreSheet.project_id == project.id)).all())
    n = 0
    for pid in eligible_proposals(session, project):
        for pm in members:
            if (pm.evaluator_id, pid) not in have:
                session.add(ScoreSheet(project_id=project.id, proposal_id=pid, evaluator_id=pm.evaluator_id,
                                       panel_member_id=pm.id))
                n += 1
    return n


# --------------------------------------------------------------------------- ceiling


def ceiling_floor(session: Session, project_id: int) -> tuple[int, str]:
    """What a project's ceiling may not go below: the confirmed selection's recommended grant
    (an award never exceeds it, so it also covers what is awarded); 0 before confirmation."""
    sel = session.exec(select(Selection).where(Selection.project_id == project_id)).first()
    if sel is None:
        return 0, "nothing yet"
    return sel.recommended_grant_krw, f"recommended grant of the confirmed selection {sel.id}"


def change_ceiling(session: Session, actor: Actor, project_id: int, ceiling_krw: int, *,
                   reason: str | None = None, today: date | None = None) -> CeilingChange:
    """Change a project's ceiling (과제 상한액): within the programme total (409 with the room), never below
    what is recommended or awarded (409 with the figures), and, while the selection is open, re-screen
    the project's proposals against the new ceiling (and give a new eligible one its panel sheets).

    One use case in scoring because the floor and the screening live here (programme imports nothing
    of scoring). Locks programme → project, like every ceiling change.
    """
    _, project = program_service.lock_program_then_project(session, project_id)
    if ProjectStatus(project.status) in lifecycle.TERMINAL:
        raise Conflict("scoring.err.ceiling_frozen", field="status", code=project.code,
                       status=Term("project_status", project.status))
    floor, what = ceiling_floor(session, project_id)
    moved = program_service.apply_ceiling(session, actor, project, ceiling_krw, floor_krw=floor, floor_what=what,
                                          reason=reason)
    rescreened: list[ScreeningRead] = []
    confirmed = session.exec(select(Selection.id).where(Selection.project_id == project_id)).first() is not None
    screened = session.exec(select(Screening.id).where(Screening.project_id == project_id)).first() is not None
    if screened and not confirmed:
        rows = _screen_rows(session, project, today or utcnow().date())
        create_sheets(session, project, session.exec(select(PanelMember).where(
            PanelMember.project_id == project_id)).all())
        session.flush()
        rescreened = [_screening_read(s) for s in rows]
        audit.record(session, actor, "screening.run", "project", project_id,
                     after={"cause": "ceiling", "ceiling_krw": ceiling_krw,
                            "proposals": [{"proposal_id": s.proposal_id, "eligible": s.effective_eligible,
                                           "reasons": [x["code"] for x in s.reasons]} for s in rescreened]})
    session.commit()
    return CeilingChange(project_id=project_id, before_krw=moved["before_krw"], ceiling_krw=ceiling_krw,
                         floor_krw=floor, rescreened=rescreened)
