"""Pure rules of the compliance checks (values in, values out; no session, no clock)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from core.bounded import exact_fraction

# Overstated work volume (과다 계상): an award's labour cost per delivered item is an outlier
# when its *labour-cost index* lies above Q3 + OUTLIER_IQR_FACTOR × IQR of the programme's
# awards (Tukey's "far out" fence, k = 3). The index is
#     (labour spent ÷ items built) ÷ (award budget ÷ items contracted),
# i.e. labour per delivered item as a share of the award's own price per contracted item.
# Raw won per item differ tenfold between data types (an hour of speech vs an image; in the
# seeded 2021 call 300–3,200 KRW with no wrongdoing), which buries an inflated award among
# honest expensive ones; the index removes that spread and still grows both when labour
# is inflated and when items are not delivered. A z-score rule was rejected: one huge
# outlier inflates the standard deviation and hides itself; quartiles are robust to it.
OUTLIER_IQR_FACTOR = Decimal("3")  # default of ProgramRules.labour_outlier_iqr_factor
OUTLIER_MIN_SAMPLE = 8  # fewer awards than this: no distribution to compare against
# Promises scored in selection (crowd payments, training hours): a finished award that
# delivered less than this share of its promise is "far below" it (default; a rule value).
PROMISE_MIN_RATIO = Decimal("0.5")  # default of ProgramRules.promise_min_ratio


def quartiles(values: Sequence[Decimal | int | float]) -> tuple[Decimal, Decimal, Decimal]:
    """(Q1, median, Q3) by linear interpolation between closest ranks (numpy's default, 'linear')."""
    if not values:
        raise ValueError("no values")
    xs = sorted(Decimal(str(v)) for v in values)
    n = len(xs)

    def q(p: Decimal) -> Decimal:
        pos = p * (n - 1)
        lo = int(pos)
        frac = pos - lo
        if lo + 1 >= n:
            return xs[lo]
        return xs[lo] + (xs[lo + 1] - xs[lo]) * frac

    return q(Decimal("0.25")), q(Decimal("0.5")), q(Decimal("0.75"))


def upper_fence(values: Sequence[Decimal | int | float], k: Decimal = OUTLIER_IQR_FACTOR) -> Decimal | None:
    """Q3 + k × IQR, or None when there are fewer than OUTLIER_MIN_SAMPLE values."""
    if len(values) < OUTLIER_MIN_SAMPLE:
        return None
    q1, _, q3 = quartiles(values)
    return q3 + k * (q3 - q1)


def per_item(amount_krw: int, items: int) -> Decimal | None:
    """Won per item (None when nothing was delivered)."""
    if items <= 0:
        return None
    return (Decimal(amount_krw) / Decimal(items)).quantize(Decimal("0.01"))


def labour_index(labour_krw: int, built: int, budget_krw: int, contracted: int) -> Decimal | None:
    """(labour ÷ built) ÷ (budget ÷ contracted); None when nothing was built, budgeted or contracted."""
    if built <= 0 or budget_krw <= 0 or contracted <= 0:
        return None
    return (Decimal(labour_krw) * contracted / (Decimal(built) * budget_krw)).quantize(Decimal("0.0001"))


def far_below_promise(delivered: int, promised: int, min_ratio: Decimal = PROMISE_MIN_RATIO) -> bool:
    """True when a positive promise was delivered at less than `min_ratio` of it (exact)."""
    if promised <= 0:
        return False
    return Fraction(delivered) < exact_fraction(min_ratio) * promised
