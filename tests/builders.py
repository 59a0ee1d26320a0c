"""Plain builder functions for tests: `make_x(session, **overrides)` returns a committed row.

SQLite gives a transaction a snapshot: a test session that has read inside an open
transaction does not see what the API commits afterwards. Builders therefore end their
transaction, and `count()` / `fresh()` end it before reading.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from core import auth
from core.models import Role, User
from program.models import (
    CallType,
    CallTypeCode,
    Consortium,
    ConsortiumMember,
    CoreField,
    DataType,
    MemberRole,
    Organization,
    OrgKind,
    Program,
    ProgramRules,
    Project,
    Proposal,
)
from program.rules import business_number_check_digit, format_business_number

_seq = itertools.count(1)
FIELDS = [("LANG", "음성·자연어", "Speech and natural language"), ("VISION", "비전(영상·이미지)", "Vision"),
          ("HEALTH", "헬스케어", "Healthcare"), ("TRANSPORT", "교통·물류", "Transport and logistics"),
          ("AGRI", "농·축·수산", "Agriculture"), ("SAFETY", "재난·안전·환경", "Disaster, safety, environment")]


def _save(session: Session, obj: Any) -> Any:
    session.add(obj)
    session.commit()
    session.refresh(obj)
    session.commit()  # end the read transaction that refresh opened
    return obj


def fresh(session: Session) -> Session:
    """End the session's transaction so that the next read sees the latest commits."""
    session.commit()
    return session


def count(session: Session, model: Any) -> int:
    """Rows in `model`'s table as committed now."""
    from sqlmodel import func

    session.commit()
    n = session.exec(select(func.count()).select_from(model)).one()
    session.commit()
    return int(n)


def make_user(session: Session, role: Role | str = Role.official, **overrides: Any) -> User:
    n = next(_seq)
    values = {"username": f"{Role(role).value}{n}", "full_name": f"Test {role} {n}", "role": Role(role),
              "password_hash": auth.hash_password("correct-horse-battery")}
    values.update(overrides)
    return _save(session, User(**values))


def token_for(user: User) -> dict[str, str]:
    """Authorization header for `user`."""
    return {"Authorization": f"Bearer {auth.create_token(user)}"}


def make_reference(session: Session) -> dict[str, Any]:
    """The six fields and three call types (idempotent)."""
    if not session.exec(select(CoreField)).first():
        for i, (code, ko, en) in enumerate(FIELDS):
            session.add(CoreField(code=code, name_ko=ko, name_en=en, sort_order=i))
        for code, ko, en in [("designated", "지정공모", "Designated"), ("regional", "자유공모(지역)", "Regional"),
                             ("free", "자유공모(자유)", "Free")]:
            session.add(CallType(code=CallTypeCode(code), name_ko=ko, name_en=en))
        session.commit()
    result = {"fields": {f.code: f for f in session.exec(select(CoreField)).all()},
              "call_types": {str(t.code): t for t in session.exec(select(CallType)).all()}}
    session.commit()
    return result
    return {"fields": {f.code: f for f in session.exec(select(CoreField)).all()},
            "call_types": {str(t.code): t for t in session.exec(select(CallType)).all()}}


def make_program(session: Session, **overrides: Any) -> Program:
    make_reference(session)
    values: dict[str, Any] = {"year": 2021 + next(_seq), "name_ko": "테스트 사업", "name_en": "Test programme",
                              "total_budget_krw": 292_500_000_000,
                              "rules_json": ProgramRules().model_dump(mode="json")}
    values.update(overrides)
    return _save(session, Program(**values))


def make_project(session: Session, program: Program | None = None, *, field_code: str = "HEALTH",
                 call_type: str = "designated", **overrides: Any) -> Project:
    ref = make_reference(session)
    program = program or make_program(session)
    n = next(_seq)
    values: dict[str, Any] = {"program_id": program.id, "code": f"P-{n:04d}", "field_id": ref["fields"][field_code].id,
                              "call_type_id": ref["call_types"][call_type].id, "title_ko": f"테스트 과제 {n}",
                              "title_en": f"Test project {n}", "ceiling_krw": 1_950_000_000,
                              "planned_volume": 100_000}
    values.update(overrides)
    project = _save(session, Project(**values))
    _save(session, DataType(project_id=project.id, name_ko=project.title_ko, contracted_volume=project.planned_volume))
    return project


def make_business_number() -> str:
    n = next(_seq)
    first = f"{100 + n % 800:03d}81{n % 10000:04d}"
    return format_business_number(first + str(business_number_check_digit(first)))


def make_org(session: Session, **overrides: Any) -> Organization:
    n = next(_seq)
    values: dict[str, Any] = {"name": f"(주)테스트{n}", "business_number": make_business_number(),
                              "kind": OrgKind.sme, "region": "서울"}
    values.update(overrides)
    return _save(session, Organization(**values))


def make_consortium(session: Session, lead: Organization | None = None,
                    others: list[Organization] | None = None) -> Consortium:
    lead = lead or make_org(session)
    others = [make_org(session)] if others is None else others
    c = _save(session, Consortium(name=f"{lead.name} 컨소시엄", lead_org_id=lead.id))
    session.add(ConsortiumMember(consortium_id=c.id, org_id=lead.id, role=MemberRole.lead,
                                 share_bp=6000 if others else 10000))
    for i, o in enumerate(others):
        share = 4000 // len(others) + (4000 % len(others) if i == 0 else 0)
        session.add(ConsortiumMember(consortium_id=c.id, org_id=o.id,
                                     role=(MemberRole.crowd_platform if o.kind == OrgKind.crowd_platform
                                           else MemberRole.participant),
                                     share_bp=share))
    session.commit()
    session.refresh(c)
    session.commit()
    return c


def make_proposal(session: Session, project: Project | None = None, consortium: Consortium | None = None,
                  **overrides: Any) -> Proposal:
    project = project or make_project(session)
    consortium = consortium or make_consortium(session)
    values: dict[str, Any] = {"project_id": project.id, "consortium_id": consortium.id, "title": "사업계획서",
                              "requested_grant_krw": 1_900_000_000, "private_matching_krw": 212_000_000,
                              "planned_direct_hires": 50, "planned_crowd_payment_krw": 500_000_000,
                              "planned_crowd_workers": 200, "planned_training_hours": 40, "planned_volume": 100_000,
                              "submitted_at": datetime(2021, 4, 1, 10, 0, tzinfo=UTC)}
    values.update(overrides)
    return _save(session, Proposal(**values))
