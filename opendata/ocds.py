"""The programme as an Open Contracting Data Standard 1.1.5 release package (one release per project slot).

Each project slot (과제) is one contracting process, `ocid` = the publisher's OCDS prefix and
the project code. Its release, as of a date, holds:

- `tender`: the call for that slot: the ceiling as the value, open procedure, the award criteria
  from the call type's rubric (criteria and maxima, bonus items, pass threshold: what the call
  announces, never a score), `numberOfTenderers` = the proposals (bids) not withdrawn, and as
  `tenderers` the organisation leading each (주관기관);
- `awards`: the confirmed selection, with every member of the selected consortium as a supplier
  and the recommended grant as the value;
- `contracts`: the agreement (협약), with its period (extensions included), the government
  grant as the value and, as `implementation.transactions`, the monthly government share of
  the ledger's execution (the same figures as the 360Giving disbursements);
- `parties`: the ministry (buyer, procuringEntity, payer) and the organisations with their roles
  (tenderer, supplier, payee).

Only what was submitted, decided, agreed, recorded or spent on or before `as_of` (Korean time).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from core.errors import NotFound
from opendata import labels as _labels  # noqa: F401  (registers the messages)
from opendata import queries, stream
from opendata.giving360 import data_source
from opendata.identifiers import (
    COUNTRY_NAME_KO,
    FUNDER_NAME_KO,
    ORG_SCHEME,
    OpenDataSettings,
    compact_business_number,
    get_open_data_settings,
    org_identifier,
    safe_part,
)
from opendata.queries import Bid, Decision, Member, ProjectRow
from opendata.rules import (
    KST,
    Disbursement,
    cutoff,
    day_end,
    day_start,
    end_with_extensions,
    government_disbursements,
    latest,
    today_kst,
    utc_text,
)
from program import service as program_service
from scoring import panels as scoring_admin

STANDARD_VERSION = "1.1"  # major.minor, as the package schema asks; the schema kept here is 1.1.5
PATH = "/api/v1/public/open-data/ocds.json"
BATCH = 100  # project slots a query
TENDER_STATUS_WITHOUT_SELECTION = {"cancelled": "cancelled", "reannounced": "unsuccessful"}


def ocid(prefix: str, project_code: str) -> str:
    return f"{prefix}-{safe_part(project_code)}"


def _points(value: Decimal) -> str:
    return format(value.normalize(), "f")


def award_criteria_details(rubric: Any | None, rules: Any) -> str:
    """The call's published evaluation rules in Korean: criteria and maxima, bonus items, pass threshold."""
    parts = []
    if rubric is not None and rubric.criteria:
        total = sum((c.max_points for c in rubric.criteria), Decimal(0))
        crits = ", ".join(f"{c.name_ko} {_points(c.max_points)}점" for c in rubric.criteria)
        parts.append(f"평가지표({_points(total)}점): {crits}")
        if rubric.bonus_items:
            bonus = ", ".join(f"{b.name_ko} {_points(b.points)}점" for b in rubric.bonus_items)
            parts.append(f"가점: {bonus} (합계 최대 {_points(rules.bonus_cap)}점)")
    parts.append(f"선정: 평가점수 {_points(rules.pass_threshold)}점 이상인 제안 중 최고점 제안, "
                 "점수에 따라 정부출연금 조정")
    return "; ".join(parts)


class _Parties:
    """The parties of one release, each once, with the union of its roles."""

    def __init__(self) -> None:
        self.by_id: dict[str, dict[str, Any]] = {}

    def add(self, party: dict[str, Any], *roles: str) -> dict[str, Any]:
        entry = self.by_id.setdefault(party["id"], {**party, "roles": []})
        for role in roles:
            if role not in entry["roles"]:
                entry["roles"].append(role)
        return {"id": party["id"], "name": party["name"]}

    def list(self) -> list[dict[str, Any]]:
        return list(self.by_id.values())


def organisation(member: Member) -> dict[str, Any]:
    """An organisation party: id and identifier (KR-BRN), name, region; no contact point."""
    return {"id": org_identifier(member.business_number), "name": member.name,
            "identifier": {"scheme": ORG_SCHEME, "id": compact_business_number(member.business_number),
                           "legalName": member.name},
            "address": {"region": member.region, "countryName": COUNTRY_NAME_KO}}


def ministry(settings: OpenDataSettings) -> dict[str, Any]:
    party: dict[str, Any] = {"id": settings.funder(), "name": FUNDER_NAME_KO,
                             "address": {"countryName": COUNTRY_NAME_KO}}
    scheme_prefix = f"{ORG_SCHEME}-"
    if party["id"].startswith(scheme_prefix):
        party["identifier"] = {"scheme": ORG_SCHEME, "id": party["id"][len(scheme_prefix):],
                               "legalName": FUNDER_NAME_KO}
    return party


def tender_description(p: ProjectRow) -> str:
    text = f"{p.program_name_ko} {p.call_type_name_ko} 과제({p.field_name_ko} 분야) '{p.title_ko}' 구축 사업자 공모"
    if p.region:
        text += f", 지역 {p.region}"
    return text + "."


def contract_status(end: date, as_of: date, award_status: str | None, today: date) -> str:
    """Active within its period; terminated after it, or (seen today) when ended early or completed."""
    if as_of > end:
        return "terminated"
    if award_status in ("terminated", "completed") and as_of >= today:
        return "terminated"
    return "active"


def release(p: ProjectRow, bids: list[Bid], decision: Decision | None, members: list[Member],
            months: list[Any], extension: tuple[date, datetime] | None, recorded: datetime | None, *,
            criteria: str, settings: OpenDataSettings, as_of: date, today: date) -> dict[str, Any]:
    """One project slot as an OCDS release (pure: every value comes in)."""
    the_ocid = ocid(settings.ocid_prefix, p.project_code)
    parties = _Parties()
    buyer = parties.add(ministry(settings), "buyer", "procuringEntity")
    tenderers = []
    for bid in bids:
        ref = parties.add(organisation(bid.lead), "tenderer")
        if ref not in tenderers:
            tenderers.append(ref)
    if decision is not None:
        status = "complete"
    else:
        status = TENDER_STATUS_WITHOUT_SELECTION.get(p.status, "active")
    tender: dict[str, Any] = {
        "id": f"{the_ocid}-tender",
        "title": p.title_ko,
        "description": tender_description(p),
        "status": status,
        "procuringEntity": buyer,
        "items": [{"id": "1", "description": f"{p.title_ko} ({p.field_name_ko})"}],
        "value": {"amount": p.ceiling_krw, "currency": "KRW"},
        "procurementMethod": "open",
        "procurementMethodDetails": p.call_type_name_ko,
        "mainProcurementCategory": "services",
        "awardCriteria": "qualityOnly",
        "awardCriteriaDetails": criteria,
        "numberOfTenderers": len(bids),
        "tenderers": tenderers,
    }
    if p.planned_volume:
        tender["items"][0]["quantity"] = p.planned_volume
        tender["items"][0]["unit"] = {"name": p.volume_unit}
    if p.call_opened_date is not None:
        tender["tenderPeriod"] = {"startDate": day_start(p.call_opened_date)}
    out: dict[str, Any] = {"ocid": the_ocid, "id": "", "date": "", "tag": ["tender"], "initiationType": "tender",
                           "language": "ko", "parties": [], "buyer": buyer, "tender": tender}
    moments: list[datetime | None] = [datetime.combine(p.call_opened_date or as_of, datetime.min.time(), KST)]
    moments += [b.submitted_at for b in bids]
    if decision is not None:
        suppliers = [parties.add(organisation(m), "supplier") for m in members]
        out["awards"] = [{"id": f"{the_ocid}-award-{decision.selection_id}", "title": p.title_ko,
                          "status": "active", "date": utc_text(decision.confirmed_at),
                          "value": {"amount": decision.recommended_krw, "currency": "KRW"},
                          "suppliers": suppliers}]
        out["tag"].append("award")
        moments.append(decision.confirmed_at)
        if decision.award_id is not None:
            out["contracts"] = [_contract(the_ocid, p, decision, members, months, extension, parties, buyer,
                                          settings=settings, as_of=as_of, today=today)]
            out["tag"].append("contract")
            if out["contracts"][0].get("implementation"):
                out["tag"].append("implementation")
            moments += [decision.award_created_at, extension[1] if extension else None, recorded]
    when = latest(*moments)
    out["date"] = utc_text(when)
    out["id"] = f"{the_ocid}-{when.astimezone(KST):%Y%m%dT%H%M%S}"
    out["parties"] = parties.list()
    return out


def _contract(the_ocid: str, p: ProjectRow, d: Decision, members: list[Member], months: list[Any],
              extension: tuple[date, datetime] | None, parties: _Parties, buyer: dict[str, Any], *,
              settings: OpenDataSettings, as_of: date, today: date) -> dict[str, Any]:
    assert d.award_id is not None and d.start_date and d.end_date and d.award_created_at
    end = end_with_extensions(d.end_date, [extension[0]] if extension else [])
    contract: dict[str, Any] = {
        "id": f"{the_ocid}-contract-{d.award_id}",
        "awardID": f"{the_ocid}-award-{d.selection_id}",
        "title": p.title_ko,
        "description": f"{p.title_ko} 구축 협약 ({d.consortium_name})",
        "status": contract_status(end, as_of, d.award_status, today),
        "period": {"startDate": day_start(d.start_date), "endDate": day_end(end)},
        "value": {"amount": d.grant_krw, "currency": "KRW"},
        "dateSigned": utc_text(d.award_created_at),
    }
    paid: list[Disbursement] = government_disbursements(months, d.grant_krw or 0, d.matching_krw or 0)
    if paid and members:
        parties.add(ministry(settings), "payer")
        payee = parties.add(organisation(members[0]), "payee")
        contract["implementation"] = {"transactions": [
            {"id": f"{the_ocid}-tx-{t.month}", "date": day_end(t.on),
             "value": {"amount": t.amount_krw, "currency": "KRW"}, "payer": buyer, "payee": payee}
            for t in paid]}
    if extension is not None and extension[0] > d.end_date:
        contract["amendments"] = [{"id": f"{the_ocid}-amendment-period", "date": utc_text(extension[1]),
                                   "description": f"협약기간 연장: 종료일 {d.end_date.isoformat()} → "
                                                  f"{extension[0].isoformat()}"}]
    return contract


class _Latest:
    def __init__(self) -> None:
        self.value: str | None = None

    def see(self, item: dict[str, Any]) -> dict[str, Any]:
        if self.value is None or item["date"] > self.value:
            self.value = item["date"]
        return item


def package(session: Session, program_id: int | None = None, as_of: date | None = None, *,
            base_url: str | None = None, batch: int = BATCH) -> Iterator[str]:
    """The OCDS release package of a programme (or of every programme) as of a date, as JSON text chunks.

    Checks run at once (an unknown programme, or no call open by `as_of`: NotFound, since a
    package must hold one release at least); the releases are read `batch` projects at a time.
    """
    as_of = as_of or today_kst()
    today = today_kst()
    settings = get_open_data_settings()
    if program_id is not None:
        program_service.get_program(session, program_id)
    cut = cutoff(as_of)
    if not queries.any_project(session, as_of=as_of, program_id=program_id):
        if program_id is not None:
            year = program_service.get_program(session, program_id).year
            raise NotFound("opendata.no_call_in", year=year, day=as_of)
        raise NotFound("opendata.no_call", day=as_of)
    source = data_source(base_url or settings.base_url, PATH, program_id, as_of)
    seen = _Latest()
    criteria_cache: dict[tuple[int, str], str] = {}

    def criteria(p: ProjectRow) -> str:
        key = (p.program_id, p.call_type_code)
        if key not in criteria_cache:
            try:
                rubric = scoring_admin.get_rubric(session, p.program_id, p.call_type_code)
            except NotFound:
                rubric = None
            criteria_cache[key] = award_criteria_details(rubric, program_service.program_rules(session, p.program_id))
        return criteria_cache[key]

    def releases() -> Iterator[dict[str, Any]]:
        for rows in queries.iter_project_batches(session, as_of=as_of, program_id=program_id, batch=batch):
            pids = [r.project_id for r in rows]
            all_bids = queries.bids(session, pids, cut=cut)
            made = queries.decisions(session, pids, cut=cut)
            award_ids = [d.award_id for d in made.values() if d.award_id is not None]
            members = queries.members_by_consortium(session, [d.consortium_id for d in made.values()])
            months, recorded = queries.monthly_execution(session, award_ids, as_of=as_of, cut=cut)
            exts = queries.extensions(session, award_ids, cut=cut)
            for p in rows:
                d = made.get(p.project_id)
                aid = d.award_id if d is not None else None
                yield seen.see(release(
                    p, all_bids.get(p.project_id, []), d, members.get(d.consortium_id, []) if d else [],
                    months.get(aid, []) if aid else [], exts.get(aid) if aid else None,
                    recorded.get(aid) if aid else None, criteria=criteria(p), settings=settings,
                    as_of=as_of, today=today))

    def fields() -> dict[str, Any]:
        return {
            "uri": source,
            "version": STANDARD_VERSION,
            "publishedDate": seen.value,
            "publisher": {"name": FUNDER_NAME_KO, **_publisher_id(settings)},
            "license": settings.license_url,
        }

    return stream.package("releases", releases(), fields)


def _publisher_id(settings: OpenDataSettings) -> dict[str, Any]:
    funder_id = settings.funder()
    if funder_id.startswith(f"{ORG_SCHEME}-"):
        return {"scheme": ORG_SCHEME, "uid": funder_id[len(ORG_SCHEME) + 1:]}
    return {}


def collect(session: Session, program_id: int | None = None, as_of: date | None = None,
            **kwargs: Any) -> dict[str, Any]:
    """The whole package as a dict (small programmes, tests)."""
    return stream.collect(package(session, program_id, as_of, **kwargs))
