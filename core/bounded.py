"""The one boundary: bounded types for every value that enters the system.

Every request schema, query and path parameter, form field, spreadsheet cell, dashboard
callback input and rule edit takes its values through these types, so that nothing
unbounded reaches exact arithmetic (``Fraction``), the database or an export:

- integers within the range of the column they land in (32-bit ``INTEGER`` on PostgreSQL
  for ids and counts, 64-bit ``BIGINT`` for money), booleans refused where a number is meant;
- decimals with a bounded number of digits and a bounded exponent, checked on the raw text
  before ``Decimal`` or ``Fraction`` sees it;
- text with a maximum length, normalised to NFC, without NUL, other control characters
  (tab and newline only where a field allows several lines) or lone surrogates.

A violation is a pydantic validation error, which the app answers with 422 naming the
field and the reason; outside pydantic, :func:`check` raises :class:`core.errors.RuleViolation`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Annotated, Any, TypeVar

from annotated_types import Interval
from pydantic import BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError
from sqlmodel import SQLModel

from core.errors import InvalidValue

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
# Room for sums: a money column may hold at most this, so that adding a few million of them
# in SQL (SQLite's SUM is a signed 64-bit integer) cannot overflow.
MONEY_MAX = 10**15  # 1,000조 won: far above any programme, far below 2**63 / 9,000
COUNT_MAX = 10**9  # persons, items, workers: far below 2**31 and summable in 64 bits
DECIMAL_MAX_CHARS = 40  # of the raw text of a decimal, before it is parsed

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 and C1 controls and DEL; tab and newline are allowed only in multi-line text.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_SINGLE_LINE = re.compile("[\x00-\x1f\x7f-\x9f]")
# Characters XML 1.0 cannot hold at all (what XLSX writers choke on), beyond the controls above.
_NONCHARACTER = re.compile("[\ufffe\uffff]")


# --------------------------------------------------------------------------- integers


def _no_bool(value: Any) -> Any:
    """`true` is not 1 won: JSON booleans (and Python bools) are refused where a number is meant."""
    if isinstance(value, bool):
        raise InvalidValue("bounded.no_bool")
    return value


def _int(ge: int, le: int, *, no_bool: bool = True) -> Any:
    # Constraints as annotated_types before the validator: FastAPI and pydantic then document
    # them as minimum/maximum (a validator placed first hides them from the JSON schema).
    if no_bool:
        return Annotated[int, Interval(ge=ge, le=le), BeforeValidator(_no_bool)]
    return Annotated[int, Interval(ge=ge, le=le)]


Id = _int(1, INT32_MAX, no_bool=False)
"""A row id (32-bit on PostgreSQL); for path and query parameters and bodies alike."""
Offset = _int(0, INT32_MAX, no_bool=False)
Count = _int(0, COUNT_MAX)
"""Persons, items, workers, sessions: non-negative, summable."""
Won = _int(0, MONEY_MAX)
"""An amount of money in won, non-negative."""
PositiveWon = _int(1, MONEY_MAX)
SignedWon = _int(-MONEY_MAX, MONEY_MAX)
Year = _int(2000, 2100)


def bounded_int(ge: int = 0, le: int = INT32_MAX) -> Any:
    """An integer type within [ge, le] (keep it within the 32-bit range unless it is money)."""
    return _int(ge, le)


Day = Annotated[date, Interval(ge=date(1900, 1, 1), le=date(2200, 12, 31))]
"""A calendar date within 1900–2200 (as-of and deadline parameters): date arithmetic never overflows."""


# --------------------------------------------------------------------------- decimals


def _bounded_decimal_text(max_digits: int, decimal_places: int) -> Any:
    def parse(value: Any) -> Any:
        if isinstance(value, bool):
            raise InvalidValue("bounded.no_bool")
        if isinstance(value, Decimal):
            text = format(value, "f") if value.is_finite() and abs(int(value.as_tuple().exponent)) <= 64 else str(value)
        elif isinstance(value, int | float | str):
            text = str(value).strip()
        else:
            return value  # let pydantic refuse the type
        if len(text) > DECIMAL_MAX_CHARS:
            raise InvalidValue("bounded.number_too_long", limit=DECIMAL_MAX_CHARS)
        if not text.isascii():
            raise InvalidValue("bounded.not_ascii_number")  # Decimal would read other scripts' digits
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise InvalidValue("bounded.not_number") from None
        if not number.is_finite():
            raise InvalidValue("bounded.not_finite")
        exponent = number.as_tuple().exponent
        assert isinstance(exponent, int)
        if exponent < -decimal_places - 20 or exponent > max_digits:
            # a huge or tiny exponent: refuse before anyone quantises or builds a Fraction from it
            raise InvalidValue("bounded.digits", digits=max_digits, places=decimal_places)
        # drop trailing zeros beyond the allowed places ("1.500000" is 1.5) without rounding
        if -exponent > decimal_places:
            normal = number.normalize()
            n_exp = normal.as_tuple().exponent
            assert isinstance(n_exp, int)
            if -n_exp > decimal_places:
                raise InvalidValue("bounded.places", places=decimal_places)
            number = normal
        return number

    return parse


def bounded_decimal(*, max_digits: int = 12, decimal_places: int = 4, ge: Decimal | int | None = None,
                    le: Decimal | int | None = None) -> Any:
    """A decimal with at most `max_digits` digits, `decimal_places` of them after the point."""
    return Annotated[
        Decimal,
        Field(max_digits=max_digits, decimal_places=decimal_places, ge=ge, le=le),
        BeforeValidator(_bounded_decimal_text(max_digits, decimal_places)),
    ]


Ratio = bounded_decimal(max_digits=7, decimal_places=6, ge=0, le=1)
"""A share between 0 and 1 (caps, tolerances, ratios)."""
Points = bounded_decimal(max_digits=6, decimal_places=2, ge=0, le=1000)
"""Score points."""
Rate = bounded_decimal(max_digits=9, decimal_places=4, ge=0, le=10_000)
"""A non-negative rate (hires per 100M won, factors)."""


# --------------------------------------------------------------------------- text


def clean_text(value: str, *, multiline: bool = False) -> str:
    """NFC text without NUL, control characters (but tab/newline when multi-line) or lone surrogates."""
    if _LONE_SURROGATE.search(value):
        raise InvalidValue("bounded.lone_surrogate")
    pattern = _CONTROL if multiline else _CONTROL_SINGLE_LINE
    if pattern.search(value) or _NONCHARACTER.search(value):
        raise InvalidValue("bounded.control")
    return unicodedata.normalize("NFC", value)


def _text_validator(multiline: bool, strip: bool = True) -> Any:
    def validate(value: Any) -> Any:
        if isinstance(value, str):
            value = clean_text(value, multiline=multiline)
            return value.strip() if strip else value
        return value

    return validate


def bounded_text(max_length: int, *, min_length: int = 0, multiline: bool = False, strip: bool = True) -> Any:
    """A string of at most `max_length` characters (after NFC), clean of control characters."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length),
                     BeforeValidator(_text_validator(multiline, strip))]


Name = bounded_text(200, min_length=1)
"""A person's, organisation's or project's name."""
ShortText = bounded_text(200)
Code = bounded_text(64, min_length=1)
Reason = bounded_text(2000, min_length=1, multiline=True)
"""Why an action was taken (overrides, reversals, rejections)."""
LongText = bounded_text(10_000, multiline=True)
SearchText = bounded_text(100)
Secret = Annotated[str, Field(min_length=1, max_length=256), BeforeValidator(_text_validator(False, strip=False))]
"""A password: cleaned of control characters but never stripped or case-folded."""


# --------------------------------------------------------------------------- schemas


class RequestModel(SQLModel):
    """Base of every request body: unknown fields (a status, an id) are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]


# --------------------------------------------------------------------------- outside pydantic

T = TypeVar("T")
_ADAPTERS: dict[int, TypeAdapter[Any]] = {}


def check(kind: Any, value: Any, *, field: str) -> Any:
    """Validate one value outside a schema (a spreadsheet cell, a callback input, a CLI argument).

    Raises `core.errors.RuleViolation` naming `field` with pydantic's reason.
    """
    from core.errors import RuleViolation

    adapter = _ADAPTERS.get(id(kind))
    if adapter is None:
        adapter = _ADAPTERS[id(kind)] = TypeAdapter(kind)
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        from core.http_errors import ValidationReason

        raise RuleViolation("bounded.field", field=field, label=field,
                            reason=ValidationReason(exc.errors()[0])) from None


# --------------------------------------------------------------------------- exact arithmetic

EXACT_MAX_EXPONENT = 40  # |exponent| of a Decimal that may become a Fraction (10**40 is cheap)


def exact_fraction(value: Any) -> Fraction:
    """`Fraction(value)` for the rules, refusing what would be costly or meaningless.

    A Decimal (or decimal text) must be finite with at most 40 digits and an exponent within
    ±40: `Fraction(Decimal("1E-10000000"))` would otherwise build a ten-million-digit number.
    Raises `core.errors.RuleViolation`; ints and Fractions pass through.
    """
    from core.errors import RuleViolation

    if isinstance(value, bool):
        raise RuleViolation("bounded.no_bool")
    if isinstance(value, Fraction | int):
        return Fraction(value)
    if isinstance(value, str):
        text = value.strip()
        if len(text) > DECIMAL_MAX_CHARS:
            raise RuleViolation("bounded.number_too_long", limit=DECIMAL_MAX_CHARS)
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise RuleViolation("bounded.not_number") from None
    if isinstance(value, float):
        value = Decimal(value)
    if not isinstance(value, Decimal):
        raise RuleViolation("bounded.not_number")
    if not value.is_finite():
        raise RuleViolation("bounded.not_finite")
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if len(digits) > DECIMAL_MAX_CHARS or abs(exponent) > EXACT_MAX_EXPONENT:
        raise RuleViolation("bounded.too_many_digits")
    return Fraction(value)
