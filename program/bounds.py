"""Bounded types sized to this domain's columns (module-level aliases, so type checkers read them as types)."""

from core.bounded import Points, Ratio, bounded_decimal, bounded_int, bounded_text

PointsValue = Points  # 0..1000 points, two decimals
ShareValue = Ratio  # a share between 0 and 1
FactorValue = bounded_decimal(max_digits=8, decimal_places=4, ge=0, le=1000)
SmallCount = bounded_int(1, 100)
RoundingWon = bounded_int(1, 100_000_000)
MAX_LOOKBACK_YEARS = 30
LookbackYears = bounded_int(0, MAX_LOOKBACK_YEARS)
ProjectCode = bounded_text(32, min_length=1)
FieldCode = bounded_text(16, min_length=1)
Unit = bounded_text(20, min_length=1)
RestrictionReason = bounded_text(500, min_length=3, multiline=True)
BasisPoints = bounded_int(0, 10_000)
ProposalTitle = bounded_text(300)
Percent = bounded_decimal(max_digits=6, decimal_places=3, ge=0, le=100)  # column Numeric(7, 3)
Note = bounded_text(500, multiline=True)
Agency = bounded_text(64, min_length=1)
Url = bounded_text(500)
