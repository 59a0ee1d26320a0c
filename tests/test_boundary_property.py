"""Property tests of the boundary (issue 9, findings 1, 4 and 9), on SQLite and PostgreSQL.

- any integer or decimal text posted as an amount or as points: 422, or stored exactly; never 500;
- any Unicode text as a payee or an organisation name: stored and read back losslessly (NFC,
  stripped), or 422; never 500.

Example counts stay modest so the suite stays fast; the database is shared across the examples
of one test (rows accumulate, which the properties allow for).
"""

from __future__ import annotations

import itertools
import json
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from budgeting.models import Expenditure
from core.bounded import MONEY_MAX, clean_text
from core.models import Role
from program.models import Organization
from tests.budgeting.builders import make_award
from tests.builders import fresh, make_user, token_for
from tests.scoring.builders import scenario, sheet_of

B = "/api/v1/budgeting"
SETTINGS = settings(max_examples=60, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Numbers as a client could send them: JSON integers of any size, booleans, floats, and decimal
# text with any exponent (the "1E-10000000" of finding 1), signs, spaces and junk.
exponents = st.integers(min_value=-10_000_000, max_value=10_000_000)
decimal_text = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.builds(lambda m, e: f"{m}E{e}", st.integers(-10**6, 10**6), exponents),
    st.from_regex(r"\A[ +-]?[0-9]{0,30}(\.[0-9]{0,30})?([eE][+-]?[0-9]{1,9})?\s?\Z"),
    st.text(max_size=12),
)
numbers = st.one_of(st.integers(), st.integers(min_value=-(2**70), max_value=2**70), st.booleans(),
                    st.floats(allow_nan=False, allow_infinity=False), decimal_text)


_CTX: dict[tuple[str, int], Any] = {}


def _once(session: Any, key: str, make: Any) -> Any:
    """Set-up made once per test (the fixtures live across Hypothesis examples), then reused."""
    if (key, id(session)) not in _CTX:
        _CTX[(key, id(session))] = make()
    return _CTX[(key, id(session))]


def _award_and_official(session: Any) -> tuple[int, dict[str, str]]:
    award = make_award(session)
    return award.id, token_for(make_user(session, Role.official))  # type: ignore[return-value]


def _sheet_and_evaluator(session: Any) -> tuple[int, dict[str, str]]:
    s = scenario(session, n_eval=5, n_props=1)
    me = s["users"][0]
    return sheet_of(session, me, s["proposals"][0]), token_for(me)


def _exact_int(value: Any) -> int | None:
    """The integer `value` means exactly, as an API integer field may take it, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    try:  # integer text ("1", " 7 "), which a JSON client may send for an integer field
        number = Decimal(str(value).strip().replace("_", ""))
    except InvalidOperation:
        return None
    if not number.is_finite() or abs(number.adjusted()) > 30 or number != number.to_integral_value():
        return None
    return int(number)


@given(amount=numbers)
@SETTINGS
def test_any_amount_is_422_or_stored_exactly(client, session, amount):
    """Finding 9/6: an amount is refused (422), refused by a limit (409), or stored to the won."""
    award_id, h = _once(session, "amount", lambda: _award_and_official(session))
    body = {"category": "equipment", "spent_date": "2021-06-10", "amount_krw": amount, "payee_name": "(주)장비",
            "evidence_ref": "EV-1"}
    r = client.post(f"{B}/awards/{award_id}/ledger", json=body, headers=h)
    assert r.status_code in (201, 409, 422), (amount, r.status_code, r.text[:300])
    exact = _exact_int(amount)
    if r.status_code == 201:
        assert exact is not None and 1 <= exact <= MONEY_MAX
        assert r.json()["amount_krw"] == exact
        fresh(session)
        stored = session.get(Expenditure, r.json()["id"])
        assert stored is not None and stored.amount_krw == exact
        session.commit()
    elif exact is None or not 1 <= exact <= MONEY_MAX:
        assert r.status_code == 422


@given(points=numbers)
@SETTINGS
def test_any_points_are_422_or_stored_exactly(client, session, points):
    """Finding 1: points of any size or exponent are answered at once: 422, or saved exactly."""
    sid, h = _once(session, "points", lambda: _sheet_and_evaluator(session))
    r = client.put(f"/api/v1/scoring/assignments/{sid}/sheet",
                   json={"scores": [{"criterion_code": "PLAN", "points": points}]}, headers=h)
    assert r.status_code in (200, 422), (points, r.status_code, r.text[:300])
    if r.status_code == 200:
        saved = next(x for x in r.json()["scores"] if x["criterion_code"] == "PLAN")
        assert not isinstance(points, bool)
        try:
            expected = Decimal(str(points).strip()) if not isinstance(points, float) else Decimal(repr(points))
        except InvalidOperation:  # pragma: no cover - accepted text is always a number
            raise AssertionError(f"accepted a non-number {points!r}") from None
        assert Decimal(saved["points"]) == expected  # exact: no rounding on the way in
        assert 0 <= expected <= 15  # PLAN's maximum in the 2021 rubric


def _expected_text(text: str, max_length: int) -> str | None:
    """What a one-line bounded text field stores for `text`, or None when it must be refused."""
    try:
        cleaned = clean_text(text).strip()
    except ValueError:
        return None
    return cleaned if 1 <= len(cleaned) <= max_length else None


texts = st.one_of(st.text(max_size=60), st.text(alphabet=st.characters(codec="utf-8"), max_size=60),
                  st.sampled_from(["a\x00b", "a\ud800b", "\u1100\u1161\u11a8", "Cafe\u0301", " 　(주)한국 ",
                                   "\t", "x" * 201, "\ufeffBOM", "\u202eRTL", "😀" * 10]))


@given(payee=texts)
@SETTINGS
def test_any_payee_is_stored_losslessly_or_refused(client, session, payee):
    """Finding 4: any Unicode payee is stored and read back as its NFC form, or refused with 422."""
    award_id, h = _once(session, "payee", lambda: _award_and_official(session))
    body = {"category": "travel", "spent_date": "2021-06-10", "amount_krw": 1, "payee_name": payee,
            "evidence_ref": "EV-1"}
    # the client sends the text as JSON escapes, so a lone surrogate arrives as "\\ud800"
    r = client.post(f"{B}/awards/{award_id}/ledger", content=json.dumps(body).encode(),
                    headers={**h, "Content-Type": "application/json"})
    expected = _expected_text(payee, 200)
    assert r.status_code in (201, 422), (payee, r.status_code, r.text[:300])
    if expected is None:
        assert r.status_code == 422
        return
    assert r.status_code == 201, (payee, r.text[:300])
    assert r.json()["payee_name"] == expected and unicodedata.is_normalized("NFC", expected)
    fresh(session)
    stored = session.get(Expenditure, r.json()["id"])
    assert stored is not None and stored.payee_name == expected
    session.commit()


_numbers = itertools.count(1)


@given(name=texts)
@SETTINGS
def test_any_organisation_name_is_stored_losslessly_or_refused(client, session, name):
    """Finding 9: NUL in an organisation name was a 500 on PostgreSQL; now 422, and the rest round-trips."""
    h = _once(session, "org", lambda: token_for(make_user(session, Role.official)))
    n = next(_numbers)
    body = {"name": name, "business_number": f"{n // 100_000 % 1000:03d}-{n // 100_000 % 100:02d}-{n % 100_000:05d}",
            "kind": "sme", "region": "서울"}
    r = client.post("/api/v1/organizations", content=json.dumps(body).encode(),
                    headers={**h, "Content-Type": "application/json"})
    expected = _expected_text(name, 200)
    assert r.status_code in (201, 422), (name, r.status_code, r.text[:300])
    if expected is None:
        assert r.status_code == 422
        return
    assert r.status_code == 201, (name, r.text[:300])
    fresh(session)
    stored = session.exec(select(Organization).where(Organization.id == r.json()["id"])).one()
    assert stored.name == expected
    session.commit()
