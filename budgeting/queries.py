"""Read side of the money domain, for the API, compliance checks, reports and the dashboard.

Lists are built from plain SQL rows (no ORM objects per row); the ledger is streamed in
chunks for exports of ~1M rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import String, and_, exists, type_coerce
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from budgeting import rules
from budgeting.models import (
    Award,
    AwardExtension,
    BudgetLine,
    CrowdActivity,
    Expenditure,
    Hire,
    JobPosting,
    LineTransfer,
    TrainingSession,
)
from budgeting.obligations import hire_facts
from budgeting.schemas import (
    AwardDetail,
    AwardSummary,
    CrowdSummary,
    ExpenditureRead,
    ExtensionRead,
    HireCompliance,
    HireRead,
    JobPostingPublic,
    JobPostingRead,
    JobStatus,
    LineRead,
    LineTransferRead,
    ProgramTotals,
    TrainingRead,
)
from budgeting.service import get_award
from core.errors import NotFound
from core.money import ratio
from program.models import CallType, Consortium, ConsortiumMember, CoreField, Organization, Program, Project, Proposal

LEDGER_COLUMNS = ("id", "award_id", "project_code", "category", "spent_date", "amount_krw", "payee_name",
                  "payee_business_number", "description", "evidence_ref", "reverses_id")


# --------------------------------------------------------------------------- awards


def _line_totals():
    return (select(BudgetLine.award_id.label("award_id"),  # type: ignore[attr-defined]
                   func.sum(BudgetLine.budget_krw).label("budget"), func.sum(BudgetLine.spent_krw).label("spent"))
            .group_by(BudgetLine.award_id).subquery())


def _summary_select():
    return select(Award.id, Award.program_id, Award.project_id, Project.code, Project.title_ko, CoreField.code,
                  CallType.code, Award.consortium_id, Consortium.name, Award.envelope_id, Award.grant_krw,
                  Award.matching_krw, Award.start_date, Award.end_date, Award.current_end_date, Award.status) \
        .join(Project, Project.id == Award.project_id) \
        .join(CoreField, CoreField.id == Project.field_id) \
        .join(CallType, CallType.id == Project.call_type_id) \
        .join(Consortium, Consortium.id == Award.consortium_id)


def _summaries(session: Session, rows: Sequence[Any]) -> list[AwardSummary]:
    """Award rows with their line totals (one indexed GROUP BY over just these awards' lines)."""
    ids = [r[0] for r in rows]
    totals: dict[int, tuple[int, int]] = {}
    if ids:
        totals = {aid: (int(b), int(sp)) for aid, b, sp in session.exec(
            select(BudgetLine.award_id, func.sum(BudgetLine.budget_krw), func.sum(BudgetLine.spent_krw))
            .where(BudgetLine.award_id.in_(ids)).group_by(BudgetLine.award_id)).all()}  # type: ignore[attr-defined]
    out = []
    for (aid, pid, prj, code, title, fcode, ctcode, cid, cname, eid, grant, matching, start, end, current_end,
         status) in rows:
        budget, spent = totals.get(aid, (0, 0))
        out.append(AwardSummary(
            id=aid, program_id=pid, project_id=prj, project_code=code, project_title=title, field_code=fcode,
            call_type_code=str(ctcode), consortium_id=cid, consortium_name=cname, envelope_id=eid, grant_krw=grant,
            matching_krw=matching, budget_krw=budget, spent_krw=spent, remaining_krw=budget - spent,
            execution_rate=ratio(spent, budget), start_date=start, end_date=end, current_end_date=current_end,
            status=status))
    return out


AWARD_KEYS = ("id", "program_id", "project_id", "project_code", "project_title", "field_code", "call_type_code",
              "consortium_id", "consortium_name", "envelope_id", "grant_krw", "matching_krw", "start_date",
              "end_date", "current_end_date", "status")


def award_rows(session: Session, *, program_id: int | None = None, field_code: str | None = None,
               call_type: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """One page of awards as plain dicts with the keys and values of `AwardSummary`, and the total count.

    SQLAlchemy Core on the session's connection (no ORM result processing, no model per row): the
    award list API serialises these dicts directly (core/fastjson.py); `list_awards` wraps them.
    """
    conds = []
    if program_id is not None:
        conds.append(Award.program_id == program_id)
    if field_code:
        conds.append(CoreField.code == field_code)
    if call_type:
        conds.append(CallType.code == call_type)
    q = _summary_select()
    count_q = select(func.count()).select_from(Award)
    if field_code or call_type:
        count_q = count_q.join(Project, Project.id == Award.project_id) \
            .join(CoreField, CoreField.id == Project.field_id).join(CallType, CallType.id == Project.call_type_id)
    if conds:
        q = q.where(and_(*conds))
        count_q = count_q.where(and_(*conds))
    conn = session.connection()
    total = int(conn.execute(count_q).scalar_one())
    rows = conn.execute(q.order_by(Award.id).offset(offset).limit(limit)).all()
    totals: dict[int, tuple[int, int]] = {}
    if rows:
        totals = {aid: (int(b), int(sp)) for aid, b, sp in conn.execute(
            select(BudgetLine.award_id, func.sum(BudgetLine.budget_krw), func.sum(BudgetLine.spent_krw))
            .where(BudgetLine.award_id.in_([r[0] for r in rows]))  # type: ignore[attr-defined]
            .group_by(BudgetLine.award_id))}
    items = []
    for r in rows:
        item = dict(zip(AWARD_KEYS, r, strict=True))
        budget, spent = totals.get(r[0], (0, 0))
        item.update(budget_krw=budget, spent_krw=spent, remaining_krw=budget - spent,
                    execution_rate=ratio(spent, budget), call_type_code=str(item["call_type_code"]))
        items.append(item)
    return items, total


def list_awards(session: Session, *, program_id: int | None = None, field_code: str | None = None,
                call_type: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[AwardSummary], int]:
    """Awards with grant, matching, spent, remaining and execution rate; one page and the total count."""
    items, total = award_rows(session, program_id=program_id, field_code=field_code, call_type=call_type,
                              limit=limit, offset=offset)
    return [AwardSummary(**i) for i in items], total


def award_summary(session: Session, award_id: int) -> AwardSummary:
    row = session.exec(_summary_select().where(Award.id == award_id)).first()
    if row is None:
        raise NotFound("budget.err.award_not_found", award_id=award_id)
    return _summaries(session, [row])[0]


def award_lines_read(session: Session, award_id: int) -> list[LineRead]:
    lines = session.exec(select(BudgetLine).where(BudgetLine.award_id == award_id).order_by(BudgetLine.id)).all()
    return [LineRead(id=ln.id or 0, category=ln.category, budget_krw=ln.budget_krw, spent_krw=ln.spent_krw,
                     remaining_krw=ln.budget_krw - ln.spent_krw) for ln in lines]


def ledger_page(session: Session, award_id: int, *, limit: int = 100, offset: int = 0,
                category: str | None = None) -> tuple[list[ExpenditureRead], int]:
    """One page of an award's ledger, newest first, and the number of entries."""
    q = select(Expenditure, BudgetLine.category).join(BudgetLine, BudgetLine.id == Expenditure.line_id) \
        .where(Expenditure.award_id == award_id)
    if category:
        q = q.where(BudgetLine.category == category)
    total = int(session.exec(select(func.count()).select_from(q.subquery())).one())
    rows = session.exec(q.order_by(col(Expenditure.spent_date).desc(), col(Expenditure.id).desc())
                        .offset(offset).limit(limit)).all()
    return [ExpenditureRead(**e.model_dump(exclude={"program_id"}), category=cat) for e, cat in rows], total


def get_expenditure(session: Session, expenditure_id: int) -> ExpenditureRead:
    row = session.exec(select(Expenditure, BudgetLine.category).join(BudgetLine, BudgetLine.id == Expenditure.line_id)
                       .where(Expenditure.id == expenditure_id)).first()
    if row is None:
        raise NotFound("budget.err.entry_not_found", expenditure_id=expenditure_id)
    return ExpenditureRead(**row[0].model_dump(exclude={"program_id"}), category=row[1])


def _hire_read(h: Hire, start: date, end: date) -> HireRead:
    facts = hire_facts(h)
    return HireRead(**h.model_dump(exclude={"created_by", "created_at"}), counts=rules.hire_counts(facts, start, end),
                    lacks_evidence=rules.hire_in_period(facts, start, end) and not rules.hire_has_evidence(facts))


def award_detail(session: Session, award_id: int, *, ledger_limit: int = 100, ledger_offset: int = 0) -> AwardDetail:
    """Everything about one award: lines, extensions, transfers, a ledger page, hires, crowd work, trainings."""
    summary = award_summary(session, award_id)
    award = get_award(session, award_id)
    exts = session.exec(select(AwardExtension).where(AwardExtension.award_id == award_id)
                        .order_by(AwardExtension.id)).all()
    transfers = session.exec(select(LineTransfer).where(LineTransfer.award_id == award_id)
                             .order_by(LineTransfer.id)).all()
    ledger, ledger_total = ledger_page(session, award_id, limit=ledger_limit, offset=ledger_offset)
    hires = session.exec(select(Hire).where(Hire.award_id == award_id).order_by(Hire.id)).all()
    trainings = session.exec(select(TrainingSession).where(TrainingSession.award_id == award_id)
                             .order_by(TrainingSession.held_date, TrainingSession.id)).all()
    return AwardDetail(
        award=summary, lines=award_lines_read(session, award_id),
        extensions=[ExtensionRead(**e.model_dump()) for e in exts],
        transfers=[LineTransferRead(**t.model_dump()) for t in transfers],
        ledger=ledger, ledger_total=ledger_total,
        hires=[_hire_read(h, award.start_date, award.current_end_date) for h in hires],
        hire_compliance=hires_table(session, award_id=award_id)[0],
        crowd=crowd_table(session, award_id=award_id)[0],
        trainings=[TrainingRead(**t.model_dump()) for t in trainings],
    )


def list_transfers(session: Session, award_id: int) -> list[LineTransferRead]:
    rows = session.exec(select(LineTransfer).where(LineTransfer.award_id == award_id).order_by(LineTransfer.id)).all()
    return [LineTransferRead(**t.model_dump()) for t in rows]


def hire_read(session: Session, hire: Hire) -> HireRead:
    """One hire with whether it counts and whether it lacks evidence (judged against its award's period)."""
    award = get_award(session, hire.award_id)
    return _hire_read(hire, award.start_date, award.current_end_date)


def list_hires(session: Session, award_id: int) -> list[HireRead]:
    award = get_award(session, award_id)
    hires = session.exec(select(Hire).where(Hire.award_id == award_id).order_by(Hire.id)).all()
    return [_hire_read(h, award.start_date, award.current_end_date) for h in hires]


def hires_by_award(session: Session, program_id: int, *, lacking_evidence_only: bool = False,
                   as_of: date | None = None) -> dict[int, list[HireRead]]:
    """Every hire of a programme's awards in one query, grouped by award (optionally only those lacking evidence;
    with `as_of`, only hires whose contract has started by that day, as `hires_table` counts them)."""
    q = select(Hire, Award.start_date, Award.current_end_date).join(Award, Award.id == Hire.award_id) \
        .where(Award.program_id == program_id).order_by(Hire.award_id, Hire.id)
    if as_of is not None:
        q = q.where(Hire.contract_start <= as_of)
    rows = session.exec(q).all()
    out: dict[int, list[HireRead]] = {}
    for hire, start, end in rows:
        read = _hire_read(hire, start, end)
        if lacking_evidence_only and not read.lacks_evidence:
            continue
        out.setdefault(hire.award_id, []).append(read)
    return out


# --------------------------------------------------------------------------- programme


def program_totals(session: Session, program_id: int) -> ProgramTotals:
    """Awarded, executed and remaining money of a programme, and how many projects have an award."""
    from budgeting.models import Envelope

    program = session.get(Program, program_id)
    if program is None:
        raise NotFound("budget.err.programme_not_found", program_id=program_id)
    enveloped = session.exec(select(func.coalesce(func.sum(Envelope.amount_krw), 0))
                             .where(Envelope.program_id == program_id)).one()
    lt = _line_totals()
    awarded, matching, spent, n = session.exec(
        select(func.coalesce(func.sum(Award.grant_krw), 0), func.coalesce(func.sum(Award.matching_krw), 0),
               func.coalesce(func.sum(lt.c.spent), 0), func.count(Award.id))
        .select_from(Award).outerjoin(lt, lt.c.award_id == Award.id).where(Award.program_id == program_id)).one()
    projects = session.exec(select(func.count()).select_from(Project).where(Project.program_id == program_id)).one()
    awarded, matching, spent = int(awarded), int(matching), int(spent)
    return ProgramTotals(program_id=program_id, total_budget_krw=program.total_budget_krw,
                         enveloped_krw=int(enveloped), awarded_krw=awarded, matching_krw=matching,
                         executed_krw=spent, remaining_krw=awarded + matching - spent,
                         unawarded_krw=program.total_budget_krw - awarded,
                         execution_rate=ratio(spent, awarded + matching), projects_awarded=int(n),
                         projects_total=int(projects))


def iter_ledger_chunks(session: Session, program_id: int, chunk: int = 50_000) -> Iterator[list[tuple[Any, ...]]]:
    """The programme's ledger in id order as lists of plain tuples (`LEDGER_COLUMNS`), `chunk` rows a query."""
    last = 0
    while True:
        rows = session.exec(
            select(Expenditure.id, Expenditure.award_id, Project.code, BudgetLine.category, Expenditure.spent_date,
                   Expenditure.amount_krw, Expenditure.payee_name, Expenditure.payee_business_number,
                   Expenditure.description, Expenditure.evidence_ref, Expenditure.reverses_id)
            .join(BudgetLine, BudgetLine.id == Expenditure.line_id)
            .join(Award, Award.id == Expenditure.award_id).join(Project, Project.id == Award.project_id)
            .where(Expenditure.program_id == program_id, col(Expenditure.id) > last)
            .order_by(Expenditure.id).limit(chunk)
        ).all()
        if not rows:
            return
        out = [(r[0], r[1], r[2], str(r[3]), *r[4:]) for r in rows]
        yield out
        last = out[-1][0]
        if len(out) < chunk:
            return


def iter_ledger_rows(session: Session, program_id: int, chunk: int = 50_000) -> Iterator[tuple[Any, ...]]:
    """Stream the programme's ledger row by row (tuples of `LEDGER_COLUMNS`), fetched `chunk` rows at a time."""
    for rows in iter_ledger_chunks(session, program_id, chunk):
        yield from rows


def ledger_frame(session: Session, program_id: int, chunk: int = 50_000) -> Any:
    """The programme's ledger as a pandas DataFrame (columns `LEDGER_COLUMNS`), for exports."""
    import pandas as pd

    frames = [pd.DataFrame(rows, columns=list(LEDGER_COLUMNS))
              for rows in iter_ledger_chunks(session, program_id, chunk)]
    if not frames:
        return pd.DataFrame(columns=list(LEDGER_COLUMNS))
    return pd.concat(frames, ignore_index=True)


def hires_table(session: Session, *, program_id: int | None = None,
                award_id: int | None = None, as_of: date | None = None) -> list[HireCompliance]:
    """Per award: required hires (2.4 rule), counted, shortfall and hires lacking evidence.

    With `as_of`, the table is as that day saw it: a hire whose contract starts after `as_of` is not
    yet counted (nor listed as lacking evidence). The evidence columns carry no dates, so evidence
    on file is judged as it stands. None: every hire on record (the behaviour before `as_of`).
    """
    q = select(Award.id, Award.program_id, Award.grant_krw, Award.start_date, Award.current_end_date).order_by(Award.id)
    if award_id is not None:
        q = q.where(Award.id == award_id)
    if program_id is not None:
        q = q.where(Award.program_id == program_id)
    awards = session.exec(q).all()
    if not awards:
        if award_id is not None:
            raise NotFound("budget.err.award_not_found", award_id=award_id)
        return []
    rates = {p.id: p.rules.hires_per_100m_krw
             for p in session.exec(select(Program).where(Program.id.in_({a[1] for a in awards}))).all()}  # type: ignore[union-attr]
    # the employment type as its stored text (the rules compare text): no Enum conversion of each row
    hq = select(Hire.award_id, type_coerce(Hire.employment_type, String), Hire.contract_start, Hire.contract_end,
                Hire.social_insurance, Hire.evidence_contract, Hire.evidence_insurance, Hire.evidence_payroll)
    if award_id is not None:
        hq = hq.where(Hire.award_id == award_id)
    else:
        hq = hq.join(Award, Award.id == Hire.award_id)
        if program_id is not None:
            hq = hq.where(Award.program_id == program_id)
    by_award: dict[int, list[rules.HireFacts]] = {}
    if as_of is not None:
        hq = hq.where(Hire.contract_start <= as_of)
    # Core rows, not ORM ones (about 10,000 hires per programme at national scale; bench dashboard)
    for aid, etype, cs, ce, si, ec, ei, ep in session.connection().execute(hq).all():
        by_award.setdefault(aid, []).append(rules.HireFacts(str(etype), cs, ce, bool(si), ec, ei, ep))
    out = []
    for aid, pid, grant, start, end in awards:
        facts = by_award.get(aid, [])
        required = rules.required_direct_hires(grant, rates[pid])
        counted = sum(1 for h in facts if rules.hire_counts(h, start, end))
        lacking = sum(1 for h in facts if rules.hire_in_period(h, start, end) and not rules.hire_has_evidence(h))
        out.append(HireCompliance(award_id=aid, grant_krw=grant, required=required, counted=counted,
                                  shortfall=max(0, required - counted), lacking_evidence=lacking))
    return out


def program_hires(session: Session, program_id: int, as_of: date | None = None) -> HireCompliance:
    """The 2.4 rule summed over a programme's awards (shortfall: the sum of per-award shortfalls)."""
    rows = hires_table(session, program_id=program_id, as_of=as_of)
    return HireCompliance(award_id=None, grant_krw=sum(r.grant_krw for r in rows),
                          required=sum(r.required for r in rows), counted=sum(r.counted for r in rows),
                          shortfall=sum(r.shortfall for r in rows),
                          lacking_evidence=sum(r.lacking_evidence for r in rows))


def crowd_table(session: Session, *, program_id: int | None = None, award_id: int | None = None) -> list[CrowdSummary]:
    """Per award: crowd workers, items, crowd payments (and share of grant), trainings, against the proposal."""
    aq = select(Award.id, Award.grant_krw, Proposal.planned_crowd_payment_krw, Proposal.planned_crowd_workers,
                Proposal.planned_training_hours).join(Proposal, Proposal.id == Award.proposal_id).order_by(Award.id)
    if award_id is not None:
        aq = aq.where(Award.id == award_id)
    if program_id is not None:
        aq = aq.where(Award.program_id == program_id)
    awards = session.exec(aq).all()
    if not awards and award_id is not None:
        raise NotFound("budget.err.award_not_found", award_id=award_id)
    ids = [a[0] for a in awards]

    def grouped(stmt: Any) -> dict[int, tuple[Any, ...]]:
        return {r[0]: tuple(r[1:]) for r in session.exec(stmt).all()}

    crowd = grouped(select(CrowdActivity.award_id, func.sum(CrowdActivity.workers_engaged),
                           func.sum(CrowdActivity.items_labelled))
                    .where(CrowdActivity.award_id.in_(ids)).group_by(CrowdActivity.award_id))  # type: ignore[attr-defined]
    paid = grouped(select(BudgetLine.award_id, func.sum(BudgetLine.spent_krw))
                   .where(BudgetLine.award_id.in_(ids), BudgetLine.category == "crowdsourcing")  # type: ignore[attr-defined]
                   .group_by(BudgetLine.award_id))
    train = grouped(select(TrainingSession.award_id, func.count(TrainingSession.id), func.sum(TrainingSession.hours))
                    .where(TrainingSession.award_id.in_(ids)).group_by(TrainingSession.award_id))  # type: ignore[attr-defined]
    out = []
    for aid, grant, planned_pay, planned_workers, planned_hours in awards:
        workers, items = crowd.get(aid, (0, 0))
        crowd_paid = int(paid.get(aid, (0,))[0] or 0)
        n_train, hours = train.get(aid, (0, 0))
        out.append(CrowdSummary(award_id=aid, workers_engaged=int(workers or 0), items_labelled=int(items or 0),
                                crowd_paid_krw=crowd_paid, crowd_share_of_grant=ratio(crowd_paid, grant),
                                planned_crowd_payment_krw=planned_pay, planned_crowd_workers=planned_workers,
                                training_sessions=int(n_train or 0), training_hours=int(hours or 0),
                                planned_training_hours=planned_hours))
    return out


# --------------------------------------------------------------------------- job board


def _postings_select():
    return select(JobPosting.id, JobPosting.title, JobPosting.platform, JobPosting.pay_krw, JobPosting.pay_unit,
                  JobPosting.open_date, JobPosting.close_date, CoreField.code, CoreField.name_ko, JobPosting.region,
                  Project.title_ko, JobPosting.award_id, JobPosting.is_open, JobPosting.apply_url) \
        .join(CoreField, CoreField.id == JobPosting.field_id) \
        .join(Award, Award.id == JobPosting.award_id).join(Project, Project.id == Award.project_id)


def job_status(is_open: bool, open_date: date, close_date: date, on: date) -> JobStatus:
    """A posting on day `on`: 'open' while within its dates and not withdrawn, 'upcoming' before, else 'closed'."""
    if not is_open or close_date < on:
        return "closed"
    return "upcoming" if open_date > on else "open"


_JOB_ORDER = {"close_date": (JobPosting.close_date, False), "open_date": (JobPosting.open_date, False),
              "pay_krw": (JobPosting.pay_krw, False), "title": (JobPosting.title, False)}


def list_public_jobs(session: Session, *, on: date, field_code: str | None = None, region: str | None = None,
                     program_id: int | None = None, include_closed: bool = False, sort: str = "close_date",
                     limit: int = 20, offset: int = 0) -> tuple[list[JobPostingPublic], int]:
    """The public job board on day `on` (the programme's reference date, never the machine's clock).

    By default only postings open that day: within their dates and not withdrawn (`is_open`, which an
    official's close clears). `include_closed` lists every posting, each with its status that day.
    Sorted on the server by `sort` (a JobSort: close_date, -pay_krw, ...), then by id; one page of `limit`.
    """
    q = _postings_select()
    if not include_closed:
        q = q.where(JobPosting.is_open == True, JobPosting.open_date <= on, JobPosting.close_date >= on)  # noqa: E712
    if program_id is not None:
        q = q.where(Award.program_id == program_id)
    if field_code:
        q = q.where(CoreField.code == field_code)
    if region:
        q = q.where(JobPosting.region == region)
    total = int(session.exec(select(func.count()).select_from(q.subquery())).one())
    column, _ = _JOB_ORDER.get(sort.lstrip("-"), _JOB_ORDER["close_date"])
    order = col(column).desc() if sort.startswith("-") else col(column).asc()
    rows = session.exec(q.order_by(order, col(JobPosting.id).asc()).offset(offset).limit(limit)).all()
    return [JobPostingPublic(id=r[0], title=r[1], platform=r[2], pay_krw=r[3], pay_unit=r[4], open_date=r[5],
                             close_date=r[6], field_code=r[7], field_name_ko=r[8], region=r[9], project_title=r[10],
                             apply_url=r[13], status=job_status(r[12], r[5], r[6], on))
            for r in rows], total


def public_job_counts(session: Session, *, on: date, program_id: int | None = None, field_code: str | None = None,
                      region: str | None = None, include_closed: bool = False) -> list[tuple[str, str, int]]:
    """(field code, region, postings) of the board's selection on day `on`: what the board's charts count."""
    q = select(CoreField.code, JobPosting.region, func.count(col(JobPosting.id))) \
        .join(CoreField, CoreField.id == JobPosting.field_id).join(Award, Award.id == JobPosting.award_id)
    if not include_closed:
        q = q.where(JobPosting.is_open == True, JobPosting.open_date <= on, JobPosting.close_date >= on)  # noqa: E712
    if program_id is not None:
        q = q.where(Award.program_id == program_id)
    if field_code:
        q = q.where(CoreField.code == field_code)
    if region:
        q = q.where(JobPosting.region == region)
    rows = session.exec(q.group_by(CoreField.code, JobPosting.region)).all()
    return [(str(c), str(r), int(n)) for c, r, n in rows]


def public_job_regions(session: Session, *, program_id: int | None = None) -> list[str]:
    """Every region a posting of the programme names (the board's region filter)."""
    q = select(JobPosting.region).distinct().join(Award, Award.id == JobPosting.award_id)
    if program_id is not None:
        q = q.where(Award.program_id == program_id)
    return sorted(str(r) for r in session.exec(q).all())


def list_job_postings(session: Session, *, award_id: int | None = None, program_id: int | None = None,
                      only_open: bool = False, limit: int = 50, offset: int = 0) -> tuple[list[JobPostingRead], int]:
    """All postings (open and closed) for staff."""
    q = _postings_select()
    if award_id is not None:
        q = q.where(JobPosting.award_id == award_id)
    if program_id is not None:
        q = q.where(Award.program_id == program_id)
    if only_open:
        q = q.where(JobPosting.is_open == True)  # noqa: E712
    total = int(session.exec(select(func.count()).select_from(q.subquery())).one())
    rows = session.exec(q.order_by(JobPosting.id).offset(offset).limit(limit)).all()
    return [JobPostingRead(id=r[0], title=r[1], platform=r[2], pay_krw=r[3], pay_unit=r[4], open_date=r[5],
                           close_date=r[6], field_code=r[7], field_name_ko=r[8], region=r[9], project_title=r[10],
                           award_id=r[11], is_open=r[12], apply_url=r[13],
                           status="open" if r[12] else "closed") for r in rows], total


# --------------------------------------------------------------------------- reads of the compliance checks
# One SELECT each (plain rows), scoped to one programme; compliance and the compliance workbook call these.


@dataclass(frozen=True)
class AwardRef:
    award_id: int
    program_id: int
    project_id: int
    project_code: str
    consortium_id: int
    grant_krw: int
    start_date: date
    end_date: date  # current end (with extensions)


def awards_by_project(session: Session, program_id: int) -> dict[int, AwardRef]:
    """Project id → its award (one award per project)."""
    rows = session.exec(select(Award.id, Award.program_id, Award.project_id, Project.code, Award.consortium_id,
                               Award.grant_krw, Award.start_date, Award.current_end_date)
                        .join(Project, Project.id == Award.project_id)
                        .where(Award.program_id == program_id).order_by(Award.id)).all()
    return {r[2]: AwardRef(*r) for r in rows}


def award_refs_for_checks(session: Session, award_ids: Sequence[int] | set[int]) -> dict[int, AwardRef]:
    """Award id → its reference (programme, project), for the given awards of any programme."""
    ids = sorted(set(award_ids))
    if not ids:
        return {}
    rows = session.exec(select(Award.id, Award.program_id, Award.project_id, Project.code, Award.consortium_id,
                               Award.grant_krw, Award.start_date, Award.current_end_date)
                        .join(Project, Project.id == Award.project_id).where(col(Award.id).in_(ids))).all()
    return {r[0]: AwardRef(*r) for r in rows}


def line_spend(session: Session, program_id: int) -> dict[int, dict[str, tuple[int, int, int]]]:
    """Award id → {category: (line id, budget_krw, spent_krw)}."""
    rows = session.exec(select(BudgetLine.award_id, BudgetLine.category, BudgetLine.id, BudgetLine.budget_krw,
                               BudgetLine.spent_krw)
                        .join(Award, Award.id == BudgetLine.award_id)
                        .where(Award.program_id == program_id).order_by(BudgetLine.id)).all()
    out: dict[int, dict[str, tuple[int, int, int]]] = {}
    for award_id, category, line_id, budget, spent in rows:
        out.setdefault(award_id, {})[str(category)] = (line_id, int(budget), int(spent))
    return out


def _not_reversed() -> Any:
    rev = aliased(Expenditure)
    return ~exists().where(rev.reverses_id == Expenditure.id)


def entries_outside_period(session: Session, program_id: int) -> list[tuple[Any, ...]]:
    """(entry id, award id, spent date, amount, payee, category, start, end) outside the agreement period."""
    return [tuple(r) for r in session.exec(
        select(Expenditure.id, Expenditure.award_id, Expenditure.spent_date, Expenditure.amount_krw,
               Expenditure.payee_name, BudgetLine.category, Award.start_date, Award.current_end_date)
        .join(Award, Award.id == Expenditure.award_id).join(BudgetLine, BudgetLine.id == Expenditure.line_id)
        .where(Expenditure.program_id == program_id, Expenditure.amount_krw > 0,
               col(Expenditure.reverses_id).is_(None),
               (Expenditure.spent_date < Award.start_date) | (Expenditure.spent_date > Award.current_end_date),
               _not_reversed())
        .order_by(Expenditure.award_id, Expenditure.id)).all()]


def payments_to_members(session: Session, program_id: int) -> list[tuple[Any, ...]]:
    """(entry id, award id, spent date, amount, payee, business number, category, member org id, member role)."""
    return [tuple(r) for r in session.exec(
        select(Expenditure.id, Expenditure.award_id, Expenditure.spent_date, Expenditure.amount_krw,
               Expenditure.payee_name, Expenditure.payee_business_number, BudgetLine.category, Organization.id,
               ConsortiumMember.role)
        .join(Award, Award.id == Expenditure.award_id).join(BudgetLine, BudgetLine.id == Expenditure.line_id)
        .join(ConsortiumMember, ConsortiumMember.consortium_id == Award.consortium_id)
        .join(Organization, and_(Organization.id == ConsortiumMember.org_id,
                                 Organization.business_number == Expenditure.payee_business_number))
        .where(Expenditure.program_id == program_id, Expenditure.amount_krw > 0,
               col(Expenditure.reverses_id).is_(None), _not_reversed())
        .order_by(Expenditure.award_id, Expenditure.id)).all()]


def overlapping_full_time_hires(session: Session, program_id: int) -> list[tuple[Any, ...]]:
    """(person key, hire a, award a, start a, end a, hire b, award b, start b, end b) for overlapping pairs.

    Pairs where at least one award is in the programme; a < b by hire id. Two steps (a GROUP BY
    for the person keys on more than one award, then their hires): a self-join of the hire
    table took minutes on the national ledger's 57k hires in SQLite.
    """
    direct_ft = and_(Hire.full_time, Hire.employment_type == "direct")
    in_program = select(Hire.person_key).join(Award, Award.id == Hire.award_id) \
        .where(direct_ft, Award.program_id == program_id).distinct().subquery()
    keys = select(Hire.person_key).where(direct_ft, col(Hire.person_key).in_(select(in_program.c.person_key))) \
        .group_by(Hire.person_key).having(func.count(func.distinct(Hire.award_id)) > 1)
    rows = session.exec(select(Hire.person_key, Hire.id, Hire.award_id, Hire.contract_start, Hire.contract_end)
                        .where(direct_ft, col(Hire.person_key).in_(keys))
                        .order_by(Hire.person_key, Hire.id)).all()
    by_person: dict[str, list[tuple[Any, ...]]] = {}
    for r in rows:
        by_person.setdefault(r[0], []).append(tuple(r[1:]))
    out = []
    for person, hires in by_person.items():
        for i, (ha, aa, sa, ea) in enumerate(hires):
            for hb, ab, sb, eb in hires[i + 1:]:
                if aa != ab and sa <= eb and sb <= ea:
                    out.append((person, ha, aa, sa, ea, hb, ab, sb, eb))
    return out


def ledger_count(session: Session, program_id: int) -> int:
    """Number of ledger entries of a programme (reversals included)."""
    return int(session.exec(select(func.count()).select_from(Expenditure)
                            .where(Expenditure.program_id == program_id)).one())
