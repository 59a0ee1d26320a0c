"""core.bounded, table-driven: every type at its exact bounds, and the hostile values of issue 9.

Findings 1 (a huge exponent froze the server), 4 (a NUL or control character poisoned exports)
and 9 (values beyond a column's range gave 500). No timing asserts: a huge exponent must be
refused, which it can only be quickly because the raw text is checked before `Decimal` work.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from core import bounded as b
from core.errors import RuleViolation

OK = object()


def _accepts(kind: Any, value: Any) -> Any:
    return b.check(kind, value, field="x")


def _refuses(kind: Any, value: Any) -> str:
    with pytest.raises(RuleViolation) as info:
        b.check(kind, value, field="x")
    assert info.value.field == "x"
    return str(info.value)


INT_CASES = [
    # (type, lowest accepted, highest accepted)
    (b.Id, 1, b.INT32_MAX),
    (b.Offset, 0, b.INT32_MAX),
    (b.Count, 0, b.COUNT_MAX),
    (b.Won, 0, b.MONEY_MAX),
    (b.PositiveWon, 1, b.MONEY_MAX),
    (b.SignedWon, -b.MONEY_MAX, b.MONEY_MAX),
    (b.Year, 2000, 2100),
    (b.bounded_int(3, 7), 3, 7),
]


@pytest.mark.parametrize(("kind", "low", "high"), INT_CASES)
def test_integers_at_their_exact_bounds(kind: Any, low: int, high: int) -> None:
    assert _accepts(kind, low) == low and _accepts(kind, high) == high
    assert _accepts(kind, str(high)) == high  # a query parameter arrives as text
    _refuses(kind, low - 1)
    _refuses(kind, high + 1)
    _refuses(kind, 2**63)  # finding 9: beyond BIGINT was a 500 on both databases
    _refuses(kind, str(2**63))
    _refuses(kind, -(2**63) - 1)


def test_integer_bounds_fit_the_columns() -> None:
    """Ids and counts fit PostgreSQL's 32-bit INTEGER; money sums fit SQLite's 64-bit SUM."""
    assert b.INT32_MAX == 2**31 - 1 and b.COUNT_MAX < 2**31
    assert b.MONEY_MAX * 9_000 < 2**63 and b.COUNT_MAX * 9_000_000_000 < 2**63


@pytest.mark.parametrize("kind", [b.Count, b.Won, b.PositiveWon, b.SignedWon, b.bounded_int(0, 10)])
def test_booleans_are_not_numbers(kind: Any) -> None:
    """Finding 6: a JSON `true` was accepted as 1 won."""
    assert "true/false" in _refuses(kind, True)
    _refuses(kind, False)


@pytest.mark.parametrize("kind", [b.Ratio, b.Points, b.Rate, b.bounded_decimal()])
def test_decimals_refuse_booleans(kind: Any) -> None:
    _refuses(kind, True)


DECIMAL_CASES = [
    # (type, accepted texts → value, refused texts)
    (b.Ratio, {"0": Decimal(0), "1": Decimal(1), "0.000001": Decimal("0.000001"), "1.000000": Decimal(1)},
     ["-0.000001", "1.000001", "0.0000001", "2"]),
    (b.Points, {"0": Decimal(0), "1000": Decimal(1000), "99.99": Decimal("99.99"), "7.50": Decimal("7.5")},
     ["-0.01", "1000.01", "0.001", "1E+4"]),
    (b.Rate, {"0": Decimal(0), "10000": Decimal(10000), "2.4": Decimal("2.4"), "0.0001": Decimal("0.0001")},
     ["-2.4", "10000.0001", "0.00001"]),
]


@pytest.mark.parametrize(("kind", "accepted", "refused"), DECIMAL_CASES)
def test_decimals_at_their_exact_bounds(kind: Any, accepted: dict[str, Decimal], refused: list[str]) -> None:
    for text, value in accepted.items():
        got = _accepts(kind, text)
        assert got == value and isinstance(got, Decimal), text
    for text in refused:
        _refuses(kind, text)


@pytest.mark.parametrize("text", ["1E-10000000", "1E+10000000", "1e-3000000", "9" * 41, "0." + "0" * 50 + "1",
                                  "NaN", "Infinity", "-Infinity", "sNaN", "1E999999999999999999", "", " ", "1,5",
                                  "0x10", "１２"])
@pytest.mark.parametrize("kind", [b.Points, b.Ratio, b.Rate])
def test_hostile_decimals_are_refused(kind: Any, text: str) -> None:
    """Finding 1: "1E-10000000" took 17 s of CPU in Fraction(Decimal(...)); now it is refused on its text."""
    _refuses(kind, text)


def test_exact_fraction_guards_the_rules() -> None:
    """The rules' Fraction builder refuses what would be costly, and is exact on what it accepts."""
    assert b.exact_fraction(Decimal("2.4")) == Fraction(12, 5)
    assert b.exact_fraction("0.30") == Fraction(3, 10)
    assert b.exact_fraction(7) == 7 and b.exact_fraction(Fraction(1, 3)) == Fraction(1, 3)
    for hostile in (Decimal("1E-10000000"), Decimal("1E+10000000"), "1E-10000000", Decimal("NaN"),
                    Decimal("Infinity"), "abc", "9" * 41, True, None):
        with pytest.raises(RuleViolation):
            b.exact_fraction(hostile)


TEXT_REFUSED = [
    "a\x00b",  # NUL: PostgreSQL refuses it with a 500 (finding 9); it poisoned the XLSX export (finding 4)
    "a\x01b",  # a spreadsheet cell with \x01 (finding 4)
    "a\x1bb", "a\x7fb", "a\x85b", "a\x9fb",  # ESC, DEL, C1 controls
    "a\ud800b",  # a lone surrogate
    "a\udfffb",
    "a\ufffeb", "a\uffffb",  # XML cannot hold these
]


@pytest.mark.parametrize("text", TEXT_REFUSED)
@pytest.mark.parametrize("kind", [b.Name, b.ShortText, b.Code, b.Reason, b.LongText, b.SearchText])
def test_text_refuses_control_characters_and_lone_surrogates(kind: Any, text: str) -> None:
    _refuses(kind, text)


@pytest.mark.parametrize("kind", [b.Name, b.ShortText, b.Code, b.SearchText])
def test_single_line_text_refuses_tab_and_newline(kind: Any) -> None:
    _refuses(kind, "a\nb")
    _refuses(kind, "a\tb")
    _refuses(kind, "a\rb")


@pytest.mark.parametrize("kind", [b.Reason, b.LongText])
def test_multiline_text_keeps_tab_and_newline(kind: Any) -> None:
    assert _accepts(kind, "첫째 줄\n\t둘째 줄") == "첫째 줄\n\t둘째 줄"
    _refuses(kind, "a\rb\x00")


def test_text_is_nfc_normalised_and_stripped() -> None:
    decomposed = unicodedata.normalize("NFD", "한국지능정보사회진흥원 Café")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    got = _accepts(b.Name, f"  {decomposed}  ")
    assert got == "한국지능정보사회진흥원 Café" and unicodedata.is_normalized("NFC", got)


TEXT_LENGTHS = [(b.Name, 1, 200), (b.ShortText, 0, 200), (b.Code, 1, 64), (b.Reason, 1, 2000),
                (b.LongText, 0, 10_000), (b.SearchText, 0, 100), (b.bounded_text(12, min_length=3), 3, 12)]


@pytest.mark.parametrize(("kind", "shortest", "longest"), TEXT_LENGTHS)
def test_text_lengths_at_their_exact_bounds(kind: Any, shortest: int, longest: int) -> None:
    assert _accepts(kind, "가" * longest) == "가" * longest
    _refuses(kind, "가" * (longest + 1))
    _refuses(kind, "x" * 100_000)
    if shortest:
        _refuses(kind, "가" * (shortest - 1))
        _refuses(kind, " " * shortest)  # only spaces: empty once stripped
    assert _accepts(kind, "가" * shortest) == "가" * shortest


def test_text_length_counts_after_nfc() -> None:
    """200 composed syllables given as 400 decomposed code points fit a 200-character Name."""
    decomposed = unicodedata.normalize("NFD", "한" * 200)
    assert len(decomposed) > 200
    assert _accepts(b.Name, decomposed) == "한" * 200


def test_secret_is_cleaned_but_not_stripped() -> None:
    assert _accepts(b.Secret, "  pass word  ") == "  pass word  "
    _refuses(b.Secret, "pass\x00word")
    _refuses(b.Secret, "")
    _refuses(b.Secret, "x" * 257)


def test_request_model_refuses_unknown_fields() -> None:
    class Body(b.RequestModel):
        amount_krw: b.Won  # type: ignore[valid-type]

    assert Body.model_validate({"amount_krw": 5}).amount_krw == 5
    with pytest.raises(ValueError, match="status"):
        Body.model_validate({"amount_krw": 5, "status": "open"})
