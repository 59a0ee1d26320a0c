"""Bounded types sized to this domain's columns (module-level aliases, so type checkers read them as types)."""

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from core.bounded import bounded_decimal, bounded_int, bounded_text

CriterionCode = bounded_text(32, min_length=1)  # column rubric_criterion.code
MaxPoints = bounded_decimal(max_digits=5, decimal_places=2, ge=Decimal("0.01"), le=100)
Step = bounded_decimal(max_digits=4, decimal_places=2, ge=Decimal("0.01"), le=100)
Comment = bounded_text(2000, multiline=True)
EvaluationReason = bounded_text(1000, min_length=5, multiline=True)
PanelSize = bounded_int(1, 100)
ConfirmReason = bounded_text(1000, multiline=True)
if TYPE_CHECKING:  # built at run time; to mypy they are plain strings
    EmailText = str
    PhoneText = str
else:
    EmailText = Annotated[bounded_text(254, min_length=3), Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    PhoneText = Annotated[bounded_text(32, min_length=3), Field(pattern=r"^[0-9+\-() ]+$")]
