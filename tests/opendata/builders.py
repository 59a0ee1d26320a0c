"""Builders of the open-data tests: awards with their decision dates, ledger months, and a national-like sample.

The services stamp rows with the clock; an export as of a date in 2021 needs 2021 stamps, so
the builders set `created_at` / `confirmed_at` / `submitted_at` after the service wrote the row
(test set-up only: the exports read these columns and nothing else of the audit trail).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlmodel import Session, select

from budgeting import ledger, service
from budgeting.models import Award, AwardExtension, Expenditure
from budgeting.schemas import ExpenditureCreate, ExtensionCreate, ReversalCreate
from core.models import Role
from program.models import Program, Project, ProjectStatus, Proposal, ProposalStatus
from scoring.models import Evaluator, Selection
from tests.budgeting.builders import OFFICIAL, make_award
from tests.builders import make_org, make_program, make_project, make_proposal, make_user

PERSON_PAYEE = "홍길동"  # a person paid from the ledger: must never reach open data
EVALUATOR_NAME = "김평가"
HIRE_KEY = "PK-TEST-0000001"
OFFICIAL_FULL_NAME = "이담당 사무관"


def stamp(day: date, hour: int = 1) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def make_open_program(session: Session, year: int, *, total: int = 50_000_000_000,
                      projects: list[dict[str, Any]] | None = None) -> tuple[Program, list[Project]]:
    """A programme of `year` whose call opened on 12 March, with its projects and envelopes."""
    program = make_program(session, year=year, name_ko=f"{year}년 인공지능 학습용 데이터 구축 사업",
                           total_budget_krw=total, call_opened_date=date(year, 3, 12))
    specs = projects or [{"field_code": "HEALTH", "call_type": "designated"}]
    made = [make_project(session, program, ceiling_krw=3_000_000_000, **spec) for spec in specs]
    service.create_envelopes(session, OFFICIAL, program.id)
    session.commit()
    return program, made


def make_open_award(session: Session, project: Project, *, year: int = 2021, grant: int = 1_800_000_000,
                    matching: int = 200_000_000, confirmed: datetime | None = None,
                    agreed: datetime | None = None) -> Award:
    """An award agreed for 1 May–31 December of `year`, selected on 28 April and agreed on 30 April."""
    award = make_award(session, project, grant=grant, matching=matching, start_date=date(year, 5, 1),
                       end_date=date(year, 12, 31))
    _restamp(session, award, created_at=agreed or stamp(date(year, 4, 30)))
    _restamp(session, session.get(Selection, award.selection_id), confirmed_at=confirmed or stamp(date(year, 4, 28)))
    _restamp(session, session.get(Proposal, award.proposal_id), submitted_at=stamp(date(year, 4, 1)))
    return award


def _restamp(session: Session, row: Any, **values: Any) -> None:
    """Set a row's time stamps (through the ORM, so the audit log's session hook covers the write)."""
    assert row is not None
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    session.commit()
    session.refresh(row)
    session.commit()


def spend(session: Session, award: Award, day: date, amount: int, *, category: str = "labour",
          payee: str = "(주)테스트공급", recorded: datetime | None = None) -> Expenditure:
    """One ledger payment of the award, recorded on `recorded` (default: the day it was spent)."""
    entry = ledger.record_expenditure(session, OFFICIAL, award.id, ExpenditureCreate(  # type: ignore[arg-type]
        category=category, spent_date=day, amount_krw=amount, payee_name=payee,
        description=f"{day.month}월 지급", evidence_ref=f"EV-{award.id}-{day.isoformat()}"))
    _restamp(session, entry, created_at=recorded or stamp(day, 9))
    return entry


def reverse(session: Session, entry: Expenditure, day: date) -> Expenditure:
    out = ledger.reverse_expenditure(session, OFFICIAL, entry.id,  # type: ignore[arg-type]
                                     ReversalCreate(reason="증빙 누락 정정", spent_date=day))
    _restamp(session, out, created_at=stamp(day, 9))
    return out


def extend(session: Session, award: Award, new_end: date, recorded: datetime) -> AwardExtension:
    ext = service.extend_award(session, OFFICIAL, award.id,  # type: ignore[arg-type]
                               ExtensionCreate(new_end_date=new_end, reason="데이터 수집 지연"))
    _restamp(session, ext, created_at=recorded)
    return ext


def add_people(session: Session, award: Award) -> None:
    """The personal data the exports must leave out: a hire, an evaluator with a sheet, an official."""
    from budgeting.models import Hire

    make_user(session, Role.official, full_name=OFFICIAL_FULL_NAME)
    session.add(Evaluator(code="EV9001", name=EVALUATOR_NAME))
    session.add(Hire(award_id=award.id, person_key=HIRE_KEY, org_id=_lead_org(session, award), job_role="검수자",
                     contract_start=award.start_date, contract_end=award.end_date, created_by="official-test"))
    session.commit()


def _lead_org(session: Session, award: Award) -> int:
    from program.models import Consortium

    consortium = session.get(Consortium, award.consortium_id)
    assert consortium is not None
    return consortium.lead_org_id


@dataclass
class Sample:
    """A small national-like sample: three yearly programmes, three call types, regions, history."""

    programs: list[Program] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)  # the project code of each award, in order
    open_project: Project | None = None


def make_national_sample(session: Session) -> Sample:
    """2019–2021: designated, regional (부산) and free projects; competing bids; an extension; a reversal;
    a project still under evaluation and one re-announced; a person paid from the ledger.

    In 2019 the first award (designated) has a payment reversed in August, the second (regional) is
    extended on 1 December to 28 February 2020, the third (free) has neither.
    """
    sample = Sample()
    for year in (2019, 2020, 2021):
        program, (designated, regional, free, pending) = make_open_program(session, year, projects=[
            {"field_code": "HEALTH", "call_type": "designated"},
            {"field_code": "AGRI", "call_type": "regional", "region": "부산"},
            {"field_code": "LANG", "call_type": "free"},
            {"field_code": "VISION", "call_type": "free"},
        ])
        sample.programs.append(program)
        for project in (designated, regional, free):
            rival = make_proposal(session, project=project, submitted_at=stamp(date(year, 4, 2)),
                                  status=ProposalStatus.not_selected)
            assert rival.id
            award = make_open_award(session, project, year=year)
            sample.awards.append(award)
            sample.codes.append(project.code)
            for month in (5, 6, 7):
                spend(session, award, date(year, month, 15), 100_000_000 + month * 1_000_000)
        make_proposal(session, project=pending, submitted_at=stamp(date(year, 4, 3)))
        pending.status = ProjectStatus.reannounced if year < 2021 else ProjectStatus.under_evaluation
        session.add(pending)
        session.commit()
        if year == 2021:
            sample.open_project = pending
    first = sample.awards[0]
    wrong = spend(session, first, date(2019, 8, 20), 30_000_000, payee=PERSON_PAYEE)
    reverse(session, wrong, date(2019, 8, 28))
    extend(session, sample.awards[1], date(2020, 2, 28), stamp(date(2019, 12, 1)))
    add_people(session, sample.awards[-1])
    make_org(session, name="(주)응모안한회사")  # an organisation with no bid: not a party of anything
    session.commit()
    return sample


def program_of_year(session: Session, year: int) -> Program:
    program = session.exec(select(Program).where(Program.year == year)).one()
    session.commit()
    return program
