"""The 360Giving data-quality conventions that apply, and the figures agreeing with the record."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from budgeting.models import Award
from opendata.identifiers import org_identifier
from program.models import Consortium, ConsortiumMember, Organization, Project, Proposal, ProposalStatus
from tests.opendata.conftest import Built
from tests.opendata.exports import both, program_id

AS_OF = date(2021, 9, 30)


@pytest.fixture(scope="module")
def seeded_grants(seeded_engine: Engine) -> list[dict[str, Any]]:
    grants, _ = both(seeded_engine, program_id(seeded_engine, 2021), AS_OF)
    return list(grants["grants"])


def test_no_zero_amounts(seeded_grants: list[dict[str, Any]]) -> None:
    """amountAwarded, amountAppliedFor and every disbursement are non-zero; nothing is disbursed beyond the award."""
    for g in seeded_grants:
        assert g["amountAwarded"] > 0 and g["amountAppliedFor"] > 0, g["id"]
        assert all(t["value"] != 0 for t in g.get("disbursementTransaction", [])), g["id"]
        assert 0 <= g["amountDisbursed"] <= g["amountAwarded"], g["id"]
        assert g["amountDisbursed"] == sum(t["value"] for t in g.get("disbursementTransaction", []))
        assert g["amountAwarded"] <= g["amountAppliedFor"], g["id"]  # a grant is adjusted down, never up


def test_planned_start_before_end(seeded_grants: list[dict[str, Any]]) -> None:
    for g in seeded_grants:
        (period,) = g["plannedDates"]
        assert period["startDate"] < period["endDate"], g["id"]


def test_no_post_dated_award_dates_or_transactions(seeded_grants: list[dict[str, Any]]) -> None:
    """Nothing is dated after the as-of date: award dates, disbursements, modifications."""
    for g in seeded_grants:
        assert g["awardDate"] <= AS_OF.isoformat(), g["id"]
        assert all(t["transactionDate"] <= AS_OF.isoformat() for t in g.get("disbursementTransaction", []))
        assert g["dateModified"][:10] <= AS_OF.isoformat()


def test_programme_and_location_on_every_grant(seeded_grants: list[dict[str, Any]]) -> None:
    for g in seeded_grants:
        assert g["grantProgramme"] and g["grantProgramme"][0]["title"], g["id"]
        assert g["beneficiaryLocation"] and g["beneficiaryLocation"][0]["countryCode"] == "KR", g["id"]
        assert g["fromOpenCall"] == "Yes" and g["currency"] == "KRW"
        assert {c["vocabulary"].removeprefix("360G-msit-") for c in g["classifications"]} == {"core-field",
                                                                                               "call-type"}


def test_ids_are_unique_and_prefixed(seeded_grants: list[dict[str, Any]]) -> None:
    ids = [g["id"] for g in seeded_grants]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("360G-") for i in ids)


def test_one_grant_per_award_with_its_figures(seeded_engine: Engine, seeded_grants: list[dict[str, Any]]) -> None:
    """Every award agreed by the date is a grant with its grant, requested amount and every consortium member."""
    with Session(seeded_engine) as s:
        awards = s.exec(select(Award.id, Project.code, Award.grant_krw, Proposal.requested_grant_krw,
                               Award.consortium_id)
                        .join(Project, Project.id == Award.project_id)
                        .join(Proposal, Proposal.id == Award.proposal_id)
                        .where(Award.program_id == program_id(seeded_engine, 2021))).all()
        by_code = {g["id"].removeprefix("360G-msit-"): g for g in seeded_grants}
        assert len(by_code) == len(awards)
        for _, code, grant, requested, cid in awards:
            g = by_code[code]
            assert (g["amountAwarded"], g["amountAppliedFor"]) == (grant, requested)
            consortium = s.get(Consortium, cid)
            assert consortium is not None
            lead = s.get(Organization, consortium.lead_org_id)
            assert lead is not None
            assert g["recipientOrganization"][0]["id"] == org_identifier(lead.business_number)
            members = s.exec(select(func.count()).select_from(ConsortiumMember)
                             .where(ConsortiumMember.consortium_id == cid)).one()
            assert len(g["recipientOrganization"]) == members


def test_regional_projects_name_their_region(national_sample: Built) -> None:
    """Regional projects: the region with its ISO 3166-2 code and a subnational scope; the others: the country."""
    grants, _ = both(national_sample.engine)
    regional = [g for g in grants["grants"] if g["classifications"][1]["code"] == "regional"]
    others = [g for g in grants["grants"] if g["classifications"][1]["code"] != "regional"]
    assert regional and others
    for g in regional:
        assert g["beneficiaryLocation"] == [{"id": "KR-26", "name": "부산", "countryCode": "KR", "geoCode": "KR-26",
                                             "geoCodeType": "ISO 3166-2"}]
        assert g["locationScope"] == "GLS040"
    for g in others:
        assert g["beneficiaryLocation"][0]["id"] == "KR" and g["locationScope"] == "GLS030"


def test_ocds_tenderers_and_figures(seeded_engine: Engine) -> None:
    """numberOfTenderers counts the proposals not withdrawn; the award's suppliers are the consortium."""
    pid = program_id(seeded_engine, 2021)
    _, releases = both(seeded_engine, pid, AS_OF)
    with Session(seeded_engine) as s:
        counts = dict(s.exec(select(Project.code, func.count(Proposal.id))
                             .join(Proposal, Proposal.project_id == Project.id)
                             .where(Project.program_id == pid, Proposal.status != ProposalStatus.withdrawn)
                             .group_by(Project.code)).all())
    for r in releases["releases"]:
        code = r["ocid"].removeprefix("ocds-xxxxxx-")
        assert r["tender"]["numberOfTenderers"] == counts.get(code, 0)
        roles = {p["id"]: set(p["roles"]) for p in r["parties"]}
        assert {t["id"] for t in r["tender"]["tenderers"]} <= {i for i, ro in roles.items() if "tenderer" in ro}
        for award in r.get("awards", []):
            assert all("supplier" in roles[s["id"]] for s in award["suppliers"])
            assert award["date"][:10] <= AS_OF.isoformat()
        for contract in r.get("contracts", []):
            assert contract["awardID"] == r["awards"][0]["id"]
            assert contract["period"]["startDate"] < contract["period"]["endDate"]
            paid = sum(t["value"]["amount"] for t in contract.get("implementation", {}).get("transactions", []))
            assert 0 <= paid <= contract["value"]["amount"]


def test_both_standards_report_the_same_disbursements(seeded_engine: Engine) -> None:
    """The OCDS transactions and the 360Giving disbursements are the same figures, month by month."""
    grants, releases = both(seeded_engine, program_id(seeded_engine, 2021), AS_OF)
    paid_360 = {g["id"].removeprefix("360G-msit-"): [t["value"] for t in g.get("disbursementTransaction", [])]
                for g in grants["grants"]}
    paid_ocds = {r["ocid"].removeprefix("ocds-xxxxxx-"): [t["value"]["amount"] for t in
                                                          r["contracts"][0].get("implementation", {})
                                                          .get("transactions", [])]
                 for r in releases["releases"] if r.get("contracts")}
    assert paid_360 == paid_ocds
