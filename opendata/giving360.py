"""The programme's awards as a 360Giving Data Standard 1.4.3 grants package (one grant per award).

`package(session, program_id, as_of)` returns an iterator of JSON text chunks: the awards are
read in batches and written one by one, so a national export streams with flat memory.
What is published, per grant (field names of the standard):

- `id`: the publisher's 360Giving prefix and the project code; `title`, `description` in Korean;
- `currency` KRW, `amountAwarded` the government grant (정부출연금), `amountAppliedFor` the grant
  requested (신청액), `amountDisbursed` the sum of `disbursementTransaction`;
- `awardDate`: when the selection was confirmed (the decision); `plannedDates`: the agreement
  period, with the extensions recorded by the as-of date;
- `recipientOrganization`: every consortium member, the lead (주관기관) first, identified by
  KR-BRN and its business registration number; `fundingOrganization`: the ministry;
- `grantProgramme` (the yearly call), `fromOpenCall` Yes, `classifications` by core field and
  call type, `beneficiaryLocation` and `locationScope` by region (regional projects) or the
  whole country;
- `disbursementTransaction`: per month, the government share of the ledger's net execution
  (see `opendata.rules.government_disbursements`); `dateModified`, `dataSource`.

Only what was decided, agreed, recorded or spent on or before `as_of` (Korean time) is included.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from sqlmodel import Session

from core.errors import NotFound
from opendata import labels as _labels  # noqa: F401  (registers the messages)
from opendata import queries, stream
from opendata.identifiers import (
    COUNTRY,
    COUNTRY_NAME_KO,
    FUNDER_NAME_EN,
    FUNDER_NAME_KO,
    MEMBER_ROLE_KO,
    ORG_KIND_KO,
    REGION_CODES,
    OpenDataSettings,
    get_open_data_settings,
    org_identifier,
    safe_part,
)
from opendata.queries import AwardRow, Member
from opendata.rules import (
    KST,
    MonthSpend,
    cutoff,
    end_with_extensions,
    government_disbursements,
    latest,
    today_kst,
    utc_text,
)
from program import service as program_service

STANDARD_VERSION = "1.4"  # the package's `version` is major.minor; the schema kept here is 1.4.3
PATH = "/api/v1/public/open-data/360giving.json"
SCOPE_NATIONAL, SCOPE_SUBNATIONAL = "GLS030", "GLS040"  # locationScope codelist
BATCH = 100  # awards a query: the peak memory follows the batch, not the number of awards


def data_source(base_url: str, path: str, program_id: int | None, as_of: date) -> str:
    """The address that serves this very export (programme and as-of date included)."""
    query = {"program_id": program_id, "as_of": as_of.isoformat()} if program_id else {"as_of": as_of.isoformat()}
    return f"{base_url.rstrip('/')}{path}?{urlencode(query)}"


def grant_id(prefix: str, project_code: str) -> str:
    return f"{prefix}-{safe_part(project_code)}"


def description(row: AwardRow) -> str:
    """A short Korean description of the grant activity, from the project's public facts."""
    text = (f"{row.program_name_ko} {row.call_type_name_ko} 과제({row.field_name_ko} 분야) "
            f"'{row.title_ko}' 구축")
    if row.planned_volume:
        text += f", 목표 {row.planned_volume:,}{row.volume_unit}"
    if row.region:
        text += f", 지역 {row.region}"
    return f"{text}. 수행: {row.consortium_name}."


def organisation(member: Member) -> dict[str, Any]:
    """A recipient organisation: identifier, names, kind, role in the consortium, region (no contact data)."""
    out: dict[str, Any] = {"id": org_identifier(member.business_number), "name": member.name}
    if member.name_en:
        out["alternateName"] = member.name_en
    out["organisationType"] = ORG_KIND_KO.get(member.kind, member.kind)
    out["description"] = f"컨소시엄 {MEMBER_ROLE_KO.get(member.role, member.role)}" + (
        "" if member.role == "lead" or not member.is_lead else " (주관)")
    out["addressRegion"] = member.region
    out["addressCountry"] = COUNTRY
    return out


def funder(settings: OpenDataSettings) -> dict[str, Any]:
    return {"id": settings.funder(), "name": FUNDER_NAME_KO, "alternateName": FUNDER_NAME_EN,
            "addressCountry": COUNTRY}


def location(region: str | None) -> dict[str, Any]:
    """Where the beneficiaries are: the project's region (ISO 3166-2:KR), or the whole country."""
    if not region:
        return {"id": COUNTRY, "name": COUNTRY_NAME_KO, "countryCode": COUNTRY}
    code = REGION_CODES.get(region)
    out: dict[str, Any] = {"id": code or f"{COUNTRY}-{safe_part(region)}", "name": region, "countryCode": COUNTRY}
    if code:
        out["geoCode"] = code
        out["geoCodeType"] = "ISO 3166-2"
    return out


def grant(row: AwardRow, members: list[Member], months: list[MonthSpend],
          extension: tuple[date, datetime] | None, recorded: datetime | None, *,
          settings: OpenDataSettings, source: str) -> dict[str, Any]:
    """One award as a 360Giving grant (pure: every value comes in)."""
    gid = grant_id(settings.grant_prefix, row.project_code)
    funder_id = settings.funder()
    recipients = [organisation(m) for m in members] or [
        {"id": f"{settings.grant_prefix}-consortium-{row.consortium_id}", "name": row.consortium_name}]
    end = end_with_extensions(row.end_date, [extension[0]] if extension else [])
    paid = government_disbursements(months, row.grant_krw, row.matching_krw)
    prefix = settings.grant_prefix
    out: dict[str, Any] = {
        "id": gid,
        "title": row.title_ko,
        "description": description(row),
        "currency": "KRW",
        "amountAppliedFor": row.requested_krw,
        "amountAwarded": row.grant_krw,
        "amountDisbursed": sum(d.amount_krw for d in paid),
        "awardDate": row.confirmed_at.astimezone(KST).date().isoformat(),
        "plannedDates": [{"startDate": row.start_date.isoformat(), "endDate": end.isoformat()}],
        "recipientOrganization": recipients,
        "beneficiaryLocation": [location(row.region)],
        "locationScope": SCOPE_SUBNATIONAL if row.region else SCOPE_NATIONAL,
        "fundingOrganization": [funder(settings)],
        "grantProgramme": [{"code": f"{prefix}-programme-{row.year}", "title": row.program_name_ko}],
        "fromOpenCall": "Yes",
        "classifications": [
            {"vocabulary": f"{prefix}-core-field", "code": row.field_code, "title": row.field_name_ko,
             "description": row.field_name_en},
            {"vocabulary": f"{prefix}-call-type", "code": row.call_type_code, "title": row.call_type_name_ko,
             "description": row.call_type_name_en},
        ],
        "disbursementTransaction": [
            {"id": f"{gid}-DSB-{d.month}", "transactionDate": d.on.isoformat(), "currency": "KRW",
             "value": d.amount_krw, "provider": funder_id, "recipient": recipients[0]["id"],
             "description": f"{d.month[:4]}년 {int(d.month[5:7])}월 정부출연금 집행액 (집행 내역 기준)"}
            for d in paid],
        "dateModified": utc_text(latest(row.created_at, row.confirmed_at,
                                        extension[1] if extension else None, recorded)),
        "dataSource": source,
    }
    if not paid:
        del out["disbursementTransaction"]
    return out


class _Latest:
    """The latest dateModified seen while the grants stream (the package's `modified`)."""

    def __init__(self) -> None:
        self.value: str | None = None
        self.grants = 0

    def see(self, item: dict[str, Any]) -> dict[str, Any]:
        self.grants += 1
        if self.value is None or item["dateModified"] > self.value:
            self.value = item["dateModified"]
        return item


def package(session: Session, program_id: int | None = None, as_of: date | None = None, *,
            base_url: str | None = None, batch: int = BATCH) -> Iterator[str]:
    """The 360Giving grants package of a programme (or of every programme) as of a date, as JSON text chunks.

    Checks run at once (an unknown programme, or nothing awarded by `as_of`: NotFound, since a
    package must hold one grant at least); the grants are then read `batch` awards at a time
    as the chunks are consumed, within the caller's session.
    """
    as_of = as_of or today_kst()
    settings = get_open_data_settings()
    if program_id is not None:
        program_service.get_program(session, program_id)
    cut = cutoff(as_of)
    if not queries.any_award(session, cut=cut, program_id=program_id):
        if program_id is not None:
            year = program_service.get_program(session, program_id).year
            raise NotFound("opendata.no_award_in", year=year, day=as_of)
        raise NotFound("opendata.no_award", day=as_of)
    source = data_source(base_url or settings.base_url, PATH, program_id, as_of)
    seen = _Latest()

    def grants() -> Iterator[dict[str, Any]]:
        for rows in queries.iter_award_batches(session, cut=cut, program_id=program_id, batch=batch):
            ids = [r.award_id for r in rows]
            members = queries.members_by_consortium(session, [r.consortium_id for r in rows])
            months, recorded = queries.monthly_execution(session, ids, as_of=as_of, cut=cut)
            exts = queries.extensions(session, ids, cut=cut)
            for r in rows:
                yield seen.see(grant(r, members.get(r.consortium_id, []), months.get(r.award_id, []),
                                     exts.get(r.award_id), recorded.get(r.award_id), settings=settings,
                                     source=source))

    def fields() -> dict[str, Any]:
        scope = f"{program_id}" if program_id is not None else "all"
        return {
            "version": STANDARD_VERSION,
            "title": f"{FUNDER_NAME_KO} 인공지능 학습용 데이터 구축 사업 지원 내역 ({as_of.isoformat()} 기준)",
            "description": "과제별 정부출연금 지원 결정, 협약 기간, 컨소시엄 참여기관과 월별 정부출연금 집행액 "
                           "(360Giving Data Standard 1.4.3).",
            "issued": as_of.isoformat(),
            "modified": seen.value,
            "identifier": f"{settings.grant_prefix}-package-{scope}-{as_of.isoformat()}",
            "publisher": {"identifier": settings.funder(), "name": FUNDER_NAME_KO},
            "downloadURL": source,
            "license": settings.license_url,
        }

    return stream.package("grants", grants(), fields)


def collect(session: Session, program_id: int | None = None, as_of: date | None = None,
            **kwargs: Any) -> dict[str, Any]:
    """The whole package as a dict (small programmes, tests)."""
    return stream.collect(package(session, program_id, as_of, **kwargs))
