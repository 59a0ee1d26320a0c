"""Use cases of the obligations an award carries: direct hires (the 2.4 rule), crowd work,
training sessions and the crowd-work job postings of the public board."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from budgeting import rules
from budgeting.models import CrowdActivity, Hire, JobPosting, TrainingSession
from budgeting.schemas import CrowdActivityCreate, HireCreate, JobPostingCreate, TrainingCreate
from budgeting.service import get_award
from core import audit
from core.audit import Actor
from core.errors import Conflict, NotFound, RuleViolation
from program.models import REGIONS, ConsortiumMember, Project


def hire_facts(h: Hire) -> rules.HireFacts:
    return rules.HireFacts(employment_type=str(h.employment_type), contract_start=h.contract_start,
                           contract_end=h.contract_end, social_insurance=h.social_insurance,
                           evidence_contract=h.evidence_contract, evidence_insurance=h.evidence_insurance,
                           evidence_payroll=h.evidence_payroll)


def record_hire(session: Session, actor: Actor, award_id: int, data: HireCreate) -> Hire:
    """Record a person employed for an award by one of its consortium members."""
    award = get_award(session, award_id, lock=True)
    if rules.looks_like_resident_number(data.person_key):  # schemas check too; services are called directly
        raise RuleViolation("budget.err.resident_number",
                            field="person_key")
    member = session.exec(select(ConsortiumMember.id).where(ConsortiumMember.consortium_id == award.consortium_id,
                                                            ConsortiumMember.org_id == data.org_id)).first()
    if member is None:
        raise RuleViolation("budget.err.not_member", field="org_id", org_id=data.org_id)
    if session.exec(select(Hire.id).where(Hire.award_id == award_id, Hire.person_key == data.person_key)).first():
        raise Conflict("budget.err.person_recorded", field="person_key", person_key=data.person_key, award_id=award_id)
    hire = Hire(award_id=award_id, created_by=actor.username, **data.model_dump())
    session.add(hire)
    session.flush()
    audit.record(session, actor, "hire.create", "hire", hire.id, after=hire.model_dump(mode="json"))
    session.commit()
    return hire


def record_crowd_activity(session: Session, actor: Actor, award_id: int, data: CrowdActivityCreate) -> CrowdActivity:
    """Report crowd workers engaged and items labelled over a period."""
    get_award(session, award_id, lock=True)
    if data.period_end < data.period_start:
        raise RuleViolation("budget.err.period_order", field="period_end")
    row = CrowdActivity(award_id=award_id, created_by=actor.username, **data.model_dump())
    session.add(row)
    session.flush()
    audit.record(session, actor, "crowd_activity.create", "crowd_activity", row.id, after=row.model_dump(mode="json"))
    session.commit()
    return row


def record_training(session: Session, actor: Actor, award_id: int, data: TrainingCreate) -> TrainingSession:
    """Record a training session for crowd workers."""
    get_award(session, award_id, lock=True)
    row = TrainingSession(award_id=award_id, created_by=actor.username, **data.model_dump())
    session.add(row)
    session.flush()
    audit.record(session, actor, "training.create", "training_session", row.id, after=row.model_dump(mode="json"))
    session.commit()
    return row


def create_job_posting(session: Session, actor: Actor, award_id: int, data: JobPostingCreate,
                       *, today: date) -> JobPosting:
    """Publish a crowd-work posting; it is open while today is within its dates."""
    award = get_award(session, award_id)
    if data.close_date < data.open_date:
        raise RuleViolation("budget.err.close_before_open", field="close_date")
    project = session.get(Project, award.project_id)
    assert project is not None
    region = data.region or project.region or "전국"
    if region not in REGIONS and region != "전국":
        raise RuleViolation("budget.err.unknown_region", field="region", region=region)
    row = JobPosting(award_id=award_id, title=data.title, platform=data.platform, pay_krw=data.pay_krw,
                     pay_unit=data.pay_unit, open_date=data.open_date, close_date=data.close_date,
                     is_open=data.open_date <= today <= data.close_date, field_id=project.field_id, region=region,
                     apply_url=data.apply_url, created_by=actor.username)
    session.add(row)
    session.flush()
    audit.record(session, actor, "job_posting.create", "job_posting", row.id, after=row.model_dump(mode="json"))
    session.commit()
    return row


def close_job_posting(session: Session, actor: Actor, posting_id: int) -> JobPosting:
    """Take a posting off the public board."""
    row = session.get(JobPosting, posting_id)
    if row is None:
        raise NotFound("budget.err.posting_not_found", posting_id=posting_id)
    if not row.is_open:
        raise Conflict("budget.err.posting_closed", posting_id=posting_id)
    row.is_open = False
    session.add(row)
    audit.record(session, actor, "job_posting.close", "job_posting", row.id, before={"is_open": True},
                 after={"is_open": False})
    session.commit()
    return row

