"""Read-only queries of the exports: plain SQL Core selects of the public columns only, in batches.

No service of the owning domains returns these rows in bulk (per-award lookups would cost
one query per award at national scale), so they are read here, read-only, column by column:
never a person (hires, evaluators, payees, officials), a score or a contact. Each function
takes a batch of ids and returns plain tuples; callers walk the awards or projects by keyset
(`id > last`), so memory stays flat in the size of the programme.

They run on the session's connection (its transaction, no ORM execution layer). Each
statement is built once (bound parameters for the dates, the keyset and expanding id
lists) and executed batch after batch: no statement objects are rebuilt, compiled or keyed
per batch, which keeps a national export from piling up short-lived garbage.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import and_, bindparam, exists, func, or_, select
from sqlmodel import Session

from budgeting.models import Award, AwardExtension, Expenditure
from opendata.identifiers import MEMBER_ROLE_ORDER
from opendata.rules import MonthSpend
from program.models import (
    CallType,
    Consortium,
    ConsortiumMember,
    CoreField,
    Organization,
    Program,
    Project,
    Proposal,
    ProposalStatus,
)
from scoring.models import Selection

IDS: Any = bindparam("ids", expanding=True)


class AwardRow(NamedTuple):
    award_id: int
    program_id: int
    year: int
    program_name_ko: str
    project_id: int
    project_code: str
    title_ko: str
    title_en: str
    region: str | None
    planned_volume: int
    volume_unit: str
    field_code: str
    field_name_ko: str
    field_name_en: str
    call_type_code: str
    call_type_name_ko: str
    call_type_name_en: str
    consortium_id: int
    consortium_name: str
    grant_krw: int
    matching_krw: int
    requested_krw: int
    start_date: date
    end_date: date
    created_at: datetime
    status: str
    selection_id: int
    confirmed_at: datetime


class Member(NamedTuple):
    org_id: int
    name: str
    name_en: str
    business_number: str
    kind: str
    region: str
    role: str
    is_lead: bool


class ProjectRow(NamedTuple):
    project_id: int
    program_id: int
    year: int
    program_name_ko: str
    call_opened_date: date | None
    project_code: str
    title_ko: str
    title_en: str
    region: str | None
    ceiling_krw: int
    planned_volume: int
    volume_unit: str
    status: str
    field_code: str
    field_name_ko: str
    field_name_en: str
    call_type_code: str
    call_type_name_ko: str
    call_type_name_en: str


class Bid(NamedTuple):
    """A proposal as a bid: when it came and which organisation leads it (no amounts, no scores)."""

    project_id: int
    proposal_id: int
    submitted_at: datetime
    lead: Member


class Decision(NamedTuple):
    """A confirmed selection and, when made by the as-of date, its agreement."""

    project_id: int
    selection_id: int
    confirmed_at: datetime
    recommended_krw: int
    consortium_id: int
    consortium_name: str
    award_id: int | None
    grant_krw: int | None
    matching_krw: int | None
    start_date: date | None
    end_date: date | None
    award_created_at: datetime | None
    award_status: str | None


def _text(value: Any) -> str:
    return "" if value is None else str(value.value if hasattr(value, "value") else value)


# --------------------------------------------------------------------------- awards (360Giving)


def _award_select(program_filter: bool) -> Any:
    q = (select(Award.id, Award.program_id, Program.year, Program.name_ko, Project.id, Project.code,
                Project.title_ko, Project.title_en, Project.region, Project.planned_volume, Project.volume_unit,
                CoreField.code, CoreField.name_ko, CoreField.name_en, CallType.code, CallType.name_ko,
                CallType.name_en, Award.consortium_id, Consortium.name, Award.grant_krw, Award.matching_krw,
                Proposal.requested_grant_krw, Award.start_date, Award.end_date, Award.created_at, Award.status,
                Selection.id, Selection.confirmed_at)
         .join(Program, Program.id == Award.program_id)
         .join(Project, Project.id == Award.project_id)
         .join(CoreField, CoreField.id == Project.field_id)
         .join(CallType, CallType.id == Project.call_type_id)
         .join(Consortium, Consortium.id == Award.consortium_id)
         .join(Proposal, Proposal.id == Award.proposal_id)
         .join(Selection, Selection.id == Award.selection_id)
         .where(Award.created_at < bindparam("cut"), Selection.confirmed_at < bindparam("cut")))
    if program_filter:
        q = q.where(Award.program_id == bindparam("program_id"))
    return q


@lru_cache
def _awards_exist(program_filter: bool) -> Any:
    return select(exists(_award_select(program_filter).with_only_columns(Award.id)))


@lru_cache
def _award_page(program_filter: bool, batch: int) -> Any:
    return _award_select(program_filter).where(Award.id > bindparam("last")).order_by(Award.id).limit(batch)


Row = TypeVar("Row", bound=tuple)


def _keyset_batches(session: Session, stmt: Any, params: dict[str, Any], batch: int, row_type: Callable[..., Row],
                    *, enums: tuple[int, ...]) -> Iterator[list[Row]]:
    """Run a keyset page statement (`id > :last … LIMIT batch`) until a short page: one list of rows a query.

    The first column is the key. `enums` are the positions of enum columns, read as their text value.
    """
    last = 0
    while True:
        rows = session.connection().execute(stmt, {**params, "last": last}).all()
        if not rows:
            return
        out = []
        for r in rows:
            values = list(r)
            for i in enums:
                values[i] = _text(values[i])
            out.append(row_type(*values))
        yield out
        last = out[-1][0]
        if len(out) < batch:
            return


def _params(program_id: int | None, **values: Any) -> dict[str, Any]:
    return {**values, "program_id": program_id} if program_id is not None else values


def any_award(session: Session, *, cut: datetime, program_id: int | None) -> bool:
    """Whether an award was decided and agreed before `cut` (in the programme, or in any)."""
    stmt = _awards_exist(program_id is not None)
    return bool(session.connection().execute(stmt, _params(program_id, cut=cut)).scalar())


def iter_award_batches(session: Session, *, cut: datetime, program_id: int | None,
                       batch: int) -> Iterator[list[AwardRow]]:
    """The awards agreed (and their selections confirmed) before `cut`, in id order, `batch` a query."""
    stmt = _award_page(program_id is not None, batch)
    yield from _keyset_batches(session, stmt, _params(program_id, cut=cut), batch, AwardRow, enums=(14, 25))


@lru_cache
def _members() -> Any:
    return (select(ConsortiumMember.consortium_id, Organization.id, Organization.name, Organization.name_en,
                   Organization.business_number, Organization.kind, Organization.region, ConsortiumMember.role,
                   Consortium.lead_org_id, ConsortiumMember.share_bp, ConsortiumMember.id)
            .join(Organization, Organization.id == ConsortiumMember.org_id)
            .join(Consortium, Consortium.id == ConsortiumMember.consortium_id)
            .where(ConsortiumMember.consortium_id.in_(IDS)))  # type: ignore[attr-defined]


def members_by_consortium(session: Session, consortium_ids: Sequence[int]) -> dict[int, list[Member]]:
    """Every member of these consortia, the lead first, then by role and share of the work."""
    if not consortium_ids:
        return {}
    rows = session.connection().execute(_members(), {"ids": sorted(set(consortium_ids))}).all()
    grouped: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for cid, oid, name, name_en, bn, kind, region, role, lead_id, share, mid in rows:
        role_text = _text(role)
        key = (0 if oid == lead_id else 1, MEMBER_ROLE_ORDER.get(role_text, 9), -share, mid)
        grouped[cid].append((key, Member(oid, name, name_en or "", bn, _text(kind), region, role_text,
                                         oid == lead_id)))
    return {cid: [m for _, m in sorted(items, key=lambda x: x[0])] for cid, items in grouped.items()}


@lru_cache
def _monthly(dialect: str) -> Any:
    month: Any
    if dialect == "postgresql":
        month = func.to_char(Expenditure.spent_date, "YYYY-MM")
    else:
        month = func.substr(Expenditure.spent_date, 1, 7)
    month = month.label("month")
    return (select(Expenditure.award_id, month, func.sum(Expenditure.amount_krw), func.max(Expenditure.spent_date),
                   func.max(Expenditure.created_at))
            .where(Expenditure.award_id.in_(IDS), Expenditure.spent_date <= bindparam("as_of"),  # type: ignore[attr-defined]
                   Expenditure.created_at < bindparam("cut"))
            .group_by(Expenditure.award_id, month).order_by(Expenditure.award_id, month))


def monthly_execution(session: Session, award_ids: Sequence[int], *, as_of: date,
                      cut: datetime) -> tuple[dict[int, list[MonthSpend]], dict[int, datetime]]:
    """Net ledger execution per award and month spent by `as_of` and recorded before `cut`.

    Also the latest time a counted entry was recorded, per award (for dateModified). Aggregated
    in SQL over the (award, date) index; never a payee, a description or an evidence reference.
    """
    if not award_ids:
        return {}, {}
    rows = session.connection().execute(_monthly(session.get_bind().dialect.name),
                           {"ids": list(award_ids), "as_of": as_of, "cut": cut}).all()
    months: dict[int, list[MonthSpend]] = defaultdict(list)
    recorded: dict[int, datetime] = {}
    for aid, mon, net, last_day, last_created in rows:
        months[aid].append(MonthSpend(str(mon), int(net), _as_date(last_day)))
        if last_created is not None and (aid not in recorded or last_created > recorded[aid]):
            recorded[aid] = last_created
    return dict(months), recorded


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


@lru_cache
def _extensions() -> Any:
    return (select(AwardExtension.award_id, func.max(AwardExtension.new_end_date),
                   func.max(AwardExtension.created_at))
            .where(AwardExtension.award_id.in_(IDS), AwardExtension.created_at < bindparam("cut"))  # type: ignore[attr-defined]
            .group_by(AwardExtension.award_id))


def extensions(session: Session, award_ids: Sequence[int], *, cut: datetime) -> dict[int, tuple[date, datetime]]:
    """Per award: the latest extended end and when the latest extension was recorded (before `cut`)."""
    if not award_ids:
        return {}
    rows = session.connection().execute(_extensions(), {"ids": list(award_ids), "cut": cut}).all()
    return {aid: (_as_date(end), created) for aid, end, created in rows}


# --------------------------------------------------------------------------- projects (OCDS)


def _project_select(program_filter: bool) -> Any:
    q = (select(Project.id, Project.program_id, Program.year, Program.name_ko, Program.call_opened_date,
                Project.code, Project.title_ko, Project.title_en, Project.region, Project.ceiling_krw,
                Project.planned_volume, Project.volume_unit, Project.status, CoreField.code, CoreField.name_ko,
                CoreField.name_en, CallType.code, CallType.name_ko, CallType.name_en)
         .join(Program, Program.id == Project.program_id)
         .join(CoreField, CoreField.id == Project.field_id)
         .join(CallType, CallType.id == Project.call_type_id)
         .where(or_(Program.call_opened_date.is_(None), Program.call_opened_date <= bindparam("as_of"))))  # type: ignore[union-attr]
    if program_filter:
        q = q.where(Project.program_id == bindparam("program_id"))
    return q


@lru_cache
def _projects_exist(program_filter: bool) -> Any:
    return select(exists(_project_select(program_filter).with_only_columns(Project.id)))


@lru_cache
def _project_page(program_filter: bool, batch: int) -> Any:
    return (_project_select(program_filter).where(Project.id > bindparam("last"))
            .order_by(Project.id).limit(batch))


def any_project(session: Session, *, as_of: date, program_id: int | None) -> bool:
    """Whether a call for a project slot was open by `as_of`."""
    stmt = _projects_exist(program_id is not None)
    return bool(session.connection().execute(stmt, _params(program_id, as_of=as_of)).scalar())


def iter_project_batches(session: Session, *, as_of: date, program_id: int | None,
                         batch: int) -> Iterator[list[ProjectRow]]:
    """Project slots whose call had opened by `as_of`, in id order, `batch` a query."""
    stmt = _project_page(program_id is not None, batch)
    yield from _keyset_batches(session, stmt, _params(program_id, as_of=as_of), batch, ProjectRow, enums=(12, 16))


@lru_cache
def _bids() -> Any:
    return (select(Proposal.project_id, Proposal.id, Proposal.submitted_at, Organization.id, Organization.name,
                   Organization.name_en, Organization.business_number, Organization.kind, Organization.region)
            .join(Consortium, Consortium.id == Proposal.consortium_id)
            .join(Organization, Organization.id == Consortium.lead_org_id)
            .where(Proposal.project_id.in_(IDS), Proposal.submitted_at < bindparam("cut"),  # type: ignore[attr-defined]
                   Proposal.status != ProposalStatus.withdrawn)
            .order_by(Proposal.project_id, Proposal.submitted_at, Proposal.id))


def bids(session: Session, project_ids: Sequence[int], *, cut: datetime) -> dict[int, list[Bid]]:
    """Per project: the proposals submitted before `cut` and not withdrawn, with their lead organisation."""
    if not project_ids:
        return {}
    rows = session.connection().execute(_bids(), {"ids": list(project_ids), "cut": cut}).all()
    out: dict[int, list[Bid]] = defaultdict(list)
    for pid, prop_id, submitted, oid, name, name_en, bn, kind, region in rows:
        out[pid].append(Bid(pid, prop_id, submitted, Member(oid, name, name_en or "", bn, _text(kind), region,
                                                            "lead", True)))
    return dict(out)


@lru_cache
def _decisions() -> Any:
    return (select(Selection.project_id, Selection.id, Selection.confirmed_at, Selection.recommended_grant_krw,
                   Proposal.consortium_id, Consortium.name, Award.id, Award.grant_krw, Award.matching_krw,
                   Award.start_date, Award.end_date, Award.created_at, Award.status)
            .join(Proposal, Proposal.id == Selection.proposal_id)
            .join(Consortium, Consortium.id == Proposal.consortium_id)
            .outerjoin(Award, and_(Award.selection_id == Selection.id, Award.created_at < bindparam("cut")))
            .where(Selection.project_id.in_(IDS), Selection.confirmed_at < bindparam("cut")))  # type: ignore[attr-defined]


def decisions(session: Session, project_ids: Sequence[int], *, cut: datetime) -> dict[int, Decision]:
    """Per project: the selection confirmed before `cut` and its agreement when made before `cut`."""
    if not project_ids:
        return {}
    rows = session.connection().execute(_decisions(), {"ids": list(project_ids), "cut": cut}).all()
    out = {}
    for r in rows:
        values = list(r)
        values[12] = _text(values[12]) if values[12] is not None else None
        out[values[0]] = Decision(*values)
    return out
