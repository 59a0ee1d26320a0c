"""The public exports carry no personal data, no score and no contact data (issue 15: only what the public may see)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from budgeting.models import Expenditure, Hire
from core.models import User
from program.models import Organization
from scoring.models import CriterionScore, Evaluator, ScoreSheet, Selection
from tests.opendata.builders import EVALUATOR_NAME, HIRE_KEY, OFFICIAL_FULL_NAME, PERSON_PAYEE
from tests.opendata.conftest import Built
from tests.opendata.exports import both, keys, leaves, program_id

RESIDENT_NUMBER = re.compile(r"\d{6}-?[1-4]\d{6}")  # 주민등록번호
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"\b0\d{1,2}-\d{3,4}-\d{4}\b")
# The only numbers published: money, counts of bids, planned volumes.
NUMERIC_KEYS = {"amountAwarded", "amountAppliedFor", "amountDisbursed", "value", "amount", "numberOfTenderers",
                "quantity"}
FORBIDDEN_KEY_PARTS = ("score", "point", "rank", "evaluat", "hire", "person", "payee_name", "email", "telephone",
                       "contact", "individual")


def texts(engine: Engine, program: int | None = None) -> tuple[str, list[dict[str, Any]]]:
    grants, releases = both(engine, program)
    return json.dumps([grants, releases], ensure_ascii=False), [grants, releases]


def assert_no_personal_data(text: str, docs: list[dict[str, Any]], *, names: set[str], scores: set[Decimal]) -> None:
    for name in names:
        assert name not in text, f"personal data published: {name!r}"
    assert not RESIDENT_NUMBER.search(text) and not EMAIL.search(text) and not PHONE.search(text)
    for doc in docs:
        found = {k for k in keys(doc) if any(part in k.lower() for part in FORBIDDEN_KEY_PARTS)}
        assert not found, f"fields that do not belong in open data: {found}"
        for key, value in leaves(doc):
            if isinstance(value, int | float) and not isinstance(value, bool):
                assert key in NUMERIC_KEYS, f"unexpected number under {key!r}: {value}"
                assert isinstance(value, int), f"a fractional number under {key!r}: {value}"
    fractional = {format(s.normalize(), "f") for s in scores if s != s.to_integral_value()}
    for score in fractional:
        assert score not in text, f"a score value published: {score}"


@pytest.fixture(scope="module")
def seeded_people(seeded_engine: Engine) -> tuple[set[str], set[Decimal]]:
    """Names of evaluators, hires' keys, officials, people paid from the ledger; every score on record."""
    with Session(seeded_engine) as s:
        org_names = set(s.exec(select(Organization.name)).all())
        names = set(s.exec(select(Evaluator.name)).all()) | set(s.exec(select(Evaluator.code)).all())
        names |= set(s.exec(select(Hire.person_key)).all())
        names |= set(s.exec(select(Selection.confirmed_by)).all())
        names |= set(s.exec(select(User.username)).all()) | {n for n in s.exec(select(User.full_name)).all() if n}
        names |= {p for p in s.exec(select(Expenditure.payee_name).distinct()).all() if p not in org_names}
        names |= {e for e in s.exec(select(Expenditure.evidence_ref).distinct().limit(500)).all() if e}
        scores = {Decimal(v) for v in s.exec(select(Selection.final_score)).all()}
        scores |= {Decimal(v) for v in s.exec(select(ScoreSheet.total).where(ScoreSheet.total.is_not(None))).all()}  # type: ignore[union-attr]
        scores |= {Decimal(v) for v in s.exec(select(CriterionScore.points).distinct()).all()}
    return names, scores


def test_seeded_programme_exports_no_personal_data(seeded_engine: Engine,
                                                   seeded_people: tuple[set[str], set[Decimal]]) -> None:
    """Across the seeded 2021 programme: no evaluator, hire, official or paid person; no score; no contact data."""
    names, scores = seeded_people
    assert len(names) > 1000 and any(s != s.to_integral_value() for s in scores)  # the scan has something to find
    text, docs = texts(seeded_engine, program_id(seeded_engine, 2021))
    assert_no_personal_data(text, docs, names=names, scores=scores)


def test_sample_exports_no_personal_data(national_sample: Built) -> None:
    """The sample's person paid from the ledger, its evaluator, hire and official stay out."""
    text, docs = texts(national_sample.engine)
    assert_no_personal_data(text, docs, names={PERSON_PAYEE, EVALUATOR_NAME, HIRE_KEY, OFFICIAL_FULL_NAME,
                                               "official-test", "증빙 누락 정정", "데이터 수집 지연"},
                            scores={Decimal("85.5")})


def test_the_scan_finds_what_it_looks_for(national_sample: Built) -> None:
    """The scan can fail: a name, a score or a contact slipped into an export is caught."""
    text, docs = texts(national_sample.engine)
    leaked = json.loads(text)
    leaked[0]["grants"][0]["recipientOrganization"][0]["contactName"] = EVALUATOR_NAME
    with pytest.raises(AssertionError):
        assert_no_personal_data(json.dumps(leaked, ensure_ascii=False), leaked, names={EVALUATOR_NAME}, scores=set())
    leaked = json.loads(text)
    leaked[1]["releases"][0]["tender"]["awardCriteriaDetails"] = "최종점수 85.5"
    with pytest.raises(AssertionError):
        assert_no_personal_data(json.dumps(leaked, ensure_ascii=False), leaked, names=set(),
                                scores={Decimal("85.5")})
    leaked = json.loads(text)
    leaked[0]["grants"][0]["finalScore"] = 91
    with pytest.raises(AssertionError):
        assert_no_personal_data(json.dumps(leaked, ensure_ascii=False), leaked, names=set(), scores=set())


def test_only_bidding_organisations_are_parties(national_sample: Built) -> None:
    """An organisation that bid for nothing appears nowhere; unsuccessful bids show only their lead."""
    text, docs = texts(national_sample.engine)
    assert "(주)응모안한회사" not in text
    for r in docs[1]["releases"]:
        assert len(r["tender"]["tenderers"]) == r["tender"]["numberOfTenderers"]
