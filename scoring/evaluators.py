"""The evaluator registry (평가위원 인력풀): profiles, affiliations with dates, accounts, import; rubric copies.

Contact details (e-mail, phone) are private: they are returned only when the caller says the reader
is an official (`with_contact=True`, decided by the API from the role) and never enter the audit log
(which auditors read): an event records that the contact changed, not its value.

Linking an account to a profile (`link_evaluator_account`) never seats anyone on a panel: panels are
set by officials (`scoring.panels.set_panel` / `auto_panel`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import delete, func, or_
from sqlmodel import Session, select

from core import audit
from core.audit import Actor
from core.errors import Conflict, InvalidValue, NotFound, RuleViolation
from core.models import Role, User
from core.uploads import Upload, read_table
from program.models import BUSINESS_NUMBER_PATTERN, CoreField, Organization
from scoring.models import (
    AffiliationIn,
    AffiliationRead,
    BonusItem,
    Evaluator,
    EvaluatorCreate,
    EvaluatorEmployment,
    EvaluatorImportResult,
    EvaluatorRead,
    EvaluatorUpdate,
    PanelMember,
    Rubric,
    RubricCriterion,
)

Progress = Callable[[int, int], None]

# --------------------------------------------------------------------------- reads


def _field_codes(session: Session) -> dict[int, str]:
    return {f.id: f.code for f in session.exec(select(CoreField)).all() if f.id is not None}


def _field_id(session: Session, code: str | None) -> int | None:
    if not code:
        return None
    field = session.exec(select(CoreField).where(CoreField.code == code)).first()
    if field is None:
        raise RuleViolation("evaluator.unknown_field", field="expertise_field_code", code=code)
    return field.id


def _reads(session: Session, evaluators: list[Evaluator], *, with_contact: bool) -> list[EvaluatorRead]:
    ids = [e.id for e in evaluators if e.id is not None]
    fields = _field_codes(session)
    jobs: dict[int, list[AffiliationRead]] = {i: [] for i in ids}
    org_names: dict[int, str] = {}
    if ids:
        for job, org in session.execute(
                select(EvaluatorEmployment, Organization)
                .join(Organization, Organization.id == EvaluatorEmployment.org_id)
                .where(EvaluatorEmployment.evaluator_id.in_(ids))  # type: ignore[attr-defined]
                .order_by(EvaluatorEmployment.evaluator_id, EvaluatorEmployment.id)).all():
            jobs[job.evaluator_id].append(AffiliationRead(org_id=org.id, org_name=org.name,
                                                          start_date=job.start_date, end_date=job.end_date))
        aff_ids = {e.affiliation_org_id for e in evaluators if e.affiliation_org_id}
        if aff_ids:
            org_names = dict(session.execute(select(Organization.id, Organization.name)
                                             .where(Organization.id.in_(aff_ids))).all())  # type: ignore[union-attr]
    panels: dict[int, int] = dict(session.execute(
        select(PanelMember.evaluator_id, func.count()).where(PanelMember.evaluator_id.in_(ids))  # type: ignore[attr-defined]
        .group_by(PanelMember.evaluator_id)).all()) if ids else {}
    out = []
    for e in evaluators:
        assert e.id is not None
        out.append(EvaluatorRead(
            id=e.id, code=e.code, name=e.name, title=e.title or "", active=e.active, has_account=e.user_id is not None,
            expertise_field_code=fields.get(e.expertise_field_id) if e.expertise_field_id else None,
            affiliation_org_id=e.affiliation_org_id,
            affiliation_org_name=org_names.get(e.affiliation_org_id) if e.affiliation_org_id else None,
            affiliations=jobs.get(e.id, []),
            email=e.email if with_contact else None, phone=e.phone if with_contact else None,
            panels=int(panels.get(e.id, 0))))
    return out


def get_evaluator(session: Session, evaluator_id: int) -> Evaluator:
    ev = session.get(Evaluator, evaluator_id)
    if ev is None:
        raise NotFound("evaluator.not_found", evaluator_id=evaluator_id)
    return ev


def evaluator_read(session: Session, evaluator_id: int, *, with_contact: bool = False) -> EvaluatorRead:
    """One profile; contact only for officials (`with_contact`)."""
    return _reads(session, [get_evaluator(session, evaluator_id)], with_contact=with_contact)[0]


def list_evaluators(session: Session, *, q: str | None = None, field_code: str | None = None,
                    active: bool | None = None, limit: int = 50, offset: int = 0,
                    with_contact: bool = False) -> tuple[list[EvaluatorRead], int]:
    """Search profiles by name or code, expertise field and state; one page and the total."""
    stmt = select(Evaluator)
    if q:
        stmt = stmt.where(or_(Evaluator.name.contains(q), Evaluator.code.contains(q)))  # type: ignore[attr-defined]
    if field_code:
        stmt = stmt.where(Evaluator.expertise_field_id == _field_id(session, field_code))
    if active is not None:
        stmt = stmt.where(Evaluator.active.is_(active))  # type: ignore[attr-defined]
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = list(session.exec(stmt.order_by(Evaluator.id).offset(offset).limit(limit)).all())
    return _reads(session, rows, with_contact=with_contact), int(total)


# --------------------------------------------------------------------------- writes


def _next_code(session: Session) -> str:
    n = int(session.exec(select(func.count()).select_from(Evaluator)).one())
    while True:
        n += 1
        code = f"EV{n:04d}"
        if session.exec(select(Evaluator.id).where(Evaluator.code == code)).first() is None:
            return code


def _check_affiliations(session: Session, items: list[AffiliationIn], org_id: int | None) -> None:
    for oid in [org_id, *[a.org_id for a in items]]:
        if oid is not None and session.get(Organization, oid) is None:
            raise RuleViolation("evaluator.unknown_org", field="affiliations", org_id=oid)
    for a in items:
        if a.start_date and a.end_date and a.end_date < a.start_date:
            raise RuleViolation("evaluator.dates", field="affiliations")


def _audit_view(ev: Evaluator, affiliations: list[AffiliationIn] | None = None) -> dict[str, Any]:
    """What the audit log keeps of a profile: no contact values (auditors read the log)."""
    view: dict[str, Any] = {"code": ev.code, "name": ev.name, "title": ev.title,
                            "expertise_field_id": ev.expertise_field_id,
                            "affiliation_org_id": ev.affiliation_org_id, "active": ev.active,
                            "user_id": ev.user_id, "has_email": bool(ev.email), "has_phone": bool(ev.phone)}
    if affiliations is not None:
        view["affiliations"] = [a.model_dump(mode="json") for a in affiliations]
    return view


def _set_affiliations(session: Session, ev: Evaluator, items: list[AffiliationIn]) -> None:
    session.execute(delete(EvaluatorEmployment).where(EvaluatorEmployment.evaluator_id == ev.id))
    for a in items:
        session.add(EvaluatorEmployment(evaluator_id=ev.id, org_id=a.org_id, start_date=a.start_date,
                                        end_date=a.end_date))


def _new_evaluator(session: Session, data: EvaluatorCreate, *, user_id: int | None = None) -> Evaluator:
    _check_affiliations(session, data.affiliations, data.affiliation_org_id)
    ev = Evaluator(code=_next_code(session), name=data.name, title=data.title,
                   expertise_field_id=_field_id(session, data.expertise_field_code),
                   affiliation_org_id=data.affiliation_org_id, email=data.email, phone=data.phone, user_id=user_id)
    session.add(ev)
    session.flush()
    _set_affiliations(session, ev, data.affiliations)
    return ev


def create_evaluator(session: Session, actor: Actor, data: EvaluatorCreate) -> Evaluator:
    """Register an evaluator profile (code EV#### given by the registry); seats on no panel."""
    ev = _new_evaluator(session, data)
    audit.record(session, actor, "evaluator.create", "evaluator", ev.id, after=_audit_view(ev, data.affiliations))
    session.commit()
    return ev


def update_evaluator(session: Session, actor: Actor, evaluator_id: int, data: EvaluatorUpdate) -> Evaluator:
    """Edit a profile; `affiliations`, when given, replaces the dated list the conflict rules read."""
    ev = get_evaluator(session, evaluator_id)
    changes = data.model_dump(exclude_unset=True)
    before = _audit_view(ev)
    if "affiliations" in changes and data.affiliations is not None:
        _check_affiliations(session, data.affiliations, data.affiliation_org_id)
        _set_affiliations(session, ev, data.affiliations)
    elif data.affiliation_org_id is not None:
        _check_affiliations(session, [], data.affiliation_org_id)
    if "expertise_field_code" in changes:
        ev.expertise_field_id = _field_id(session, data.expertise_field_code)
    for key in ("name", "title", "affiliation_org_id", "email", "phone"):
        if key in changes and (changes[key] is not None or key in ("email", "phone", "affiliation_org_id")):
            setattr(ev, key, changes[key])
    session.add(ev)
    session.flush()
    audit.record(session, actor, "evaluator.update", "evaluator", ev.id, before=before,
                 after=_audit_view(ev, data.affiliations))
    session.commit()
    return ev


def set_evaluator_active(session: Session, actor: Actor, evaluator_id: int, active: bool,
                         reason: str | None = None) -> Evaluator:
    """Deactivate (no new panel seats; current seats stay until an official swaps them) or reactivate."""
    ev = get_evaluator(session, evaluator_id)
    before = {"active": ev.active}
    ev.active = active
    session.add(ev)
    audit.record(session, actor, "evaluator.activate" if active else "evaluator.deactivate", "evaluator", ev.id,
                 before=before, after={"active": active}, reason=reason)
    session.commit()
    return ev


def link_evaluator_account(session: Session, actor: Actor, user_id: int,
                           evaluator_code: str | None = None) -> Evaluator:
    """Link an evaluator account to its profile (an existing one by code, or a new empty one).

    Never seats the evaluator on a panel: that is an official's decision (set or auto panel).
    Does not commit when it has nothing to change; commits otherwise.
    """
    user = session.get(User, user_id)
    if user is None or Role(user.role) != Role.evaluator:
        raise RuleViolation("evaluator.not_evaluator_account", field="user_id")
    mine = session.exec(select(Evaluator).where(Evaluator.user_id == user_id)).first()
    if evaluator_code is None:
        if mine is not None:
            return mine
        ev = _new_evaluator(session, EvaluatorCreate(name=user.full_name or user.username), user_id=user_id)
    else:
        ev = session.exec(select(Evaluator).where(Evaluator.code == evaluator_code)).first()  # type: ignore[assignment]
        if ev is None:
            raise NotFound("evaluator.code_not_found", field="evaluator_code", code=evaluator_code)
        if mine is not None and mine.id != ev.id:
            raise Conflict("evaluator.has_profile", field="user_id", code=mine.code)
        if ev.user_id is not None and ev.user_id != user_id:
            raise Conflict("evaluator.account_taken", field="evaluator_code", code=ev.code)
        ev.user_id = user_id
        session.add(ev)
        session.flush()
    audit.record(session, actor, "evaluator.link_account", "evaluator", ev.id,
                 after={"code": ev.code, "user_id": user_id})
    session.commit()
    return ev


# --------------------------------------------------------------------------- import

#: The columns of the evaluator import file, in order (Korean headers).
EVALUATOR_COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "이름"), ("expertise_field_code", "전문분야"), ("affiliation_business_number", "소속기관 사업자등록번호"),
    ("title", "직위"), ("email", "이메일"), ("phone", "전화번호"),
    ("previous_business_number", "이전 소속 사업자등록번호"), ("previous_end_date", "이전 소속 종료일"),
)
_LABELS = dict(EVALUATOR_COLUMNS)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_BN = re.compile(BUSINESS_NUMBER_PATTERN)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def import_evaluators(session: Session, actor: Actor, upload: Upload, *, max_rows: int = 5000,
                      progress: Progress | None = None) -> EvaluatorImportResult:
    """Register the evaluators of a file (.xlsx or .csv, Korean headers); the whole file is checked first.

    Any problem (row, column, reason in Korean) refuses the whole file and writes nothing.
    """
    table = read_table(upload, max_rows=max_rows)
    headers = [label for _, label in EVALUATOR_COLUMNS]
    if not table or [_text(v) for v in table[0][:len(headers)]] != headers:
        raise RuleViolation("evaluator.import_header", field="file", columns=", ".join(headers))
    rows = [r for r in table[1:] if any(_text(v) for v in r)]
    if not rows:
        raise RuleViolation("evaluator.import_empty", field="file")
    # a core field by its code (HEALTH) or its Korean or English name (헬스케어), as the template explains
    fields: dict[str, int] = {}
    for f in session.exec(select(CoreField)).all():
        assert f.id is not None
        for name in (f.code, f.name_ko, f.name_en):
            if name:
                fields[name.strip()] = f.id
    code_of = {f.id: f.code for f in session.exec(select(CoreField)).all()}
    orgs = dict(session.execute(select(Organization.business_number, Organization.id)).all())
    problems: list[dict[str, Any]] = []
    parsed: list[tuple[EvaluatorCreate, int | None, date | None]] = []
    for number, raw in enumerate(table[1:], start=2):
        if not any(_text(v) for v in raw):
            continue
        cells = {key: _text(raw[i]) if i < len(raw) else "" for i, (key, _) in enumerate(EVALUATOR_COLUMNS)}

        def bad(key: str, reason_key: str, number: int = number, **params: Any) -> None:
            # the reason keeps its key: the API (core.http_errors) and the page render it in the reader's language
            problems.append({"row": number, "column": _LABELS[key], "field": key,
                             "reason": InvalidValue(reason_key, **params)})
        if not cells["name"]:
            bad("name", "intake.required")
        elif len(cells["name"]) > 200:
            bad("name", "intake.too_long", limit=200)
        if cells["expertise_field_code"] and cells["expertise_field_code"] not in fields:
            bad("expertise_field_code", "evaluator.unknown_field", code=cells["expertise_field_code"][:20])
        org_id = None
        for key in ("affiliation_business_number", "previous_business_number"):
            if cells[key]:
                if not _BN.match(cells[key]):
                    bad(key, "intake.business_number")
                elif cells[key] not in orgs:
                    bad(key, "evaluator.unknown_business_number")
        if cells["email"] and not _EMAIL.match(cells["email"]):
            bad("email", "evaluator.email")
        end: date | None = None
        if cells["previous_end_date"]:
            try:
                end = date.fromisoformat(cells["previous_end_date"][:10])
            except ValueError:
                bad("previous_end_date", "evaluator.import_date")
        org_id = orgs.get(cells["affiliation_business_number"]) if cells["affiliation_business_number"] else None
        prev = orgs.get(cells["previous_business_number"]) if cells["previous_business_number"] else None
        if not problems or problems[-1]["row"] != number:
            parsed.append((EvaluatorCreate(
                name=cells["name"],
                expertise_field_code=code_of[fields[cells["expertise_field_code"]]]
                if cells["expertise_field_code"] else None,
                affiliation_org_id=org_id, title=cells["title"][:200], email=cells["email"] or None,
                phone=cells["phone"][:32] or None,
                affiliations=[AffiliationIn(org_id=prev, end_date=end)] if prev else []), org_id, end))
    if problems:
        first = InvalidValue("evaluator.import_cell", row=problems[0]["row"], column=problems[0]["column"],
                             reason=problems[0]["reason"])
        raise RuleViolation("evaluator.import_invalid", field="file", details=problems[:200], n=len(problems),
                            first=first)
    made: list[int] = []
    for i, (data, _, _) in enumerate(parsed, start=1):
        ev = _new_evaluator(session, data)
        assert ev.id is not None
        made.append(ev.id)
        if progress is not None:
            progress(i, len(parsed))
    audit.record(session, actor, "evaluator.import", "evaluator", made[0],
                 after={"file": upload.filename, "sha256": upload.sha256, "evaluator_ids": made})
    session.commit()
    return EvaluatorImportResult(created=len(made), evaluator_ids=made)


# --------------------------------------------------------------------------- rubric copies (programme life)


def copy_rubrics(session: Session, actor: Actor, from_program_id: int, to_program_id: int) -> int:
    """Copy every rubric of a programme (criteria and bonus items) to another; no commit. Returns the count."""
    n = 0
    for rubric in session.exec(select(Rubric).where(Rubric.program_id == from_program_id).order_by(Rubric.id)).all():
        copy = Rubric(program_id=to_program_id, call_type_id=rubric.call_type_id, step=rubric.step)
        session.add(copy)
        session.flush()
        for c in session.exec(select(RubricCriterion).where(RubricCriterion.rubric_id == rubric.id)
                              .order_by(RubricCriterion.sort_order, RubricCriterion.id)).all():
            session.add(RubricCriterion(rubric_id=copy.id, code=c.code, name_ko=c.name_ko, name_en=c.name_en,
                                        max_points=c.max_points, sort_order=c.sort_order))
        for b in session.exec(select(BonusItem).where(BonusItem.rubric_id == rubric.id).order_by(BonusItem.id)).all():
            session.add(BonusItem(rubric_id=copy.id, code=b.code, name_ko=b.name_ko, name_en=b.name_en,
                                  points=b.points))
        session.flush()
        audit.record(session, actor, "rubric.copy", "rubric", copy.id,
                     after={"from_rubric_id": rubric.id, "program_id": to_program_id,
                            "call_type_id": rubric.call_type_id})
        n += 1
    return n
