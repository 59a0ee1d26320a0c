"""Eligibility screening (적격성 검토) and the sheets that send eligible proposals to a panel."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from core import audit
from core.audit import Actor
from core.db import lock_for_update
from core.errors import Conflict, NotFound
from core.timeutil import utcnow
from program.models import (
    Consortium,
    ConsortiumMember,
    Organization,
    Project,
    Proposal,
    ProposalStatus,
)
from scoring import rules
from scoring.lookup import program_or_404 as _program
from scoring.lookup import project_or_404 as _project
from scoring.models import (
    PanelMember,
    ScoreSheet,
    Screening,
    ScreeningRead,
    Selection,
)

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
        s = existing.get(p.id) or Screening(proposal_id=p.id, project_id=project.id,  # type: ignore[arg-type]
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
    project = _project(session, project_id, lock=True)
    if session.exec(select(Selection).where(Selection.project_id == project_id)).first():
        raise Conflict("the selection of this project is confirmed; screening is closed")
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
            raise NotFound(f"proposal {proposal_id} does not exist")
        raise Conflict(f"proposal {proposal_id} has not been screened yet; screen its project first")
    if session.exec(select(Selection).where(Selection.project_id == s.project_id)).first():
        raise Conflict("the selection of this project is confirmed; screening is closed")
    before = _screening_read(s).model_dump(mode="json")
    s.override_eligible, s.override_reason, s.overridden_by = eligible, reason, actor.username
    session.add(s)
    p = session.get(Proposal, proposal_id)
    assert p is not None
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
                session.add(ScoreSheet(project_id=project.id, proposal_id=pid, evaluator_id=pm.evaluator_id,  # type: ignore[arg-type]
                                       panel_member_id=pm.id))
                n += 1
    return n


