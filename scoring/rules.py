"""Pure rules of the evaluation domain: scores, aggregation, ranking, bonus, grant adjustment,
eligibility, conflicts of interest and evaluator statistics.

No session, no clock (dates are parameters). Scores are kept exact internally as
`Fraction`; `display()` shows two decimals. Rule values come from `ProgramRules` and are
passed in by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache
from math import lcm
from statistics import StatisticsError
from typing import Any

from core.bounded import exact_fraction
from program.rules import required_direct_hires

Number = int | Decimal | Fraction

# Default of the outlier rule (a documented model value, not yet in ProgramRules).
DEFAULT_OUTLIER_POINTS = Decimal("15")


def as_fraction(x: Number | str) -> Fraction:
    """`Fraction(x)`, refusing (RuleViolation) a non-finite or huge-exponent decimal before it is built."""
    return exact_fraction(x)


@lru_cache(maxsize=4096)
def _decimal_fraction(digits: Any) -> Fraction:
    return exact_fraction(Decimal(digits))


def _rule_fraction(x: Number | str) -> Fraction:
    """`as_fraction(x)`, remembered for a Decimal by its exact digits and exponent (`as_tuple`, so 70 and
    70.0 are kept apart and a refused value is refused every time): the rule values (bands, shares) recur
    for every proposal of a programme. Fractions are immutable, so sharing one is safe."""
    if type(x) is Decimal:
        return _decimal_fraction(x.as_tuple())
    return as_fraction(x)


def to_decimal(x: Fraction | None, places: int = 4) -> Decimal | None:
    """A Fraction as a Decimal rounded half-up to `places` (for storage and JSON)."""
    if x is None:
        return None
    q = Decimal(1).scaleb(-places)
    return (Decimal(x.numerator) / Decimal(x.denominator)).quantize(q, rounding=ROUND_HALF_UP)


def display(x: Fraction | Decimal | None) -> str | None:
    """Two decimals for people: 69.995 shows as '70.00' but stays below 70 internally."""
    if x is None:
        return None
    return f"{to_decimal(Fraction(x), 2)}"


# --------------------------------------------------------------------------- sheets


def score_error(points: Decimal, max_points: Decimal, step: Decimal) -> str | None:
    """Why `points` is not a valid score for a criterion (0..max in `step`s), or None."""
    if points < 0 or points > max_points:
        return f"must be between 0 and {max_points}"
    if step > 0 and (as_fraction(points) / as_fraction(step)).denominator != 1:
        return f"must be a multiple of {step}"
    return None


def comment_required(points: Decimal, max_points: Decimal, below: Decimal) -> bool:
    """A comment is required when a criterion gets less than `below` of its maximum.

    `below` is the programme's rule value (`ProgramRules.comment_required_below`, 0.40 in 2021);
    it has no default here, so no caller can judge a sheet by a value other than its programme's.
    """
    return as_fraction(points) < as_fraction(below) * as_fraction(max_points)


def sheet_total(points: Iterable[Number]) -> Decimal:
    """Sheet total = the sum of criterion points (exact)."""
    total = Decimal(0)
    for p in points:
        total += Decimal(p) if not isinstance(p, Fraction) else Decimal(p.numerator) / Decimal(p.denominator)
    return total


def _ratio(x: Any) -> tuple[int, int]:
    """`x` as an exact (numerator, denominator > 0) pair: the value `Fraction(x)` holds, perhaps unreduced."""
    if type(x) is int:
        return x, 1
    if isinstance(x, Decimal):
        return x.as_integer_ratio()  # exact; raises on NaN and infinity as Fraction(x) does
    f = x if isinstance(x, Fraction) else Fraction(x)
    return f.numerator, f.denominator


def _scaled(values: Iterable[Any]) -> tuple[list[int], int]:
    """The values as integers over one common denominator: ([v × d for v in values], d), exact.

    Sums, comparisons and ties of the integers are those of the values, so the rules below add and
    compare integers and build one `Fraction` per result instead of one per value and operation.
    """
    pairs = [_ratio(v) for v in values]
    d = lcm(*{q for _, q in pairs}) if pairs else 1
    return [n * (d // q) for n, q in pairs], d


def _trimmed(scaled: Sequence[int], trim_from: int) -> set[int]:
    n = len(scaled)
    if n < trim_from or n < 3:
        return set()
    # sorted by (value, position): the first is the lowest (earliest on a tie), the last the highest (latest)
    return {min(range(n), key=lambda i: (scaled[i], i)), max(range(n), key=lambda i: (scaled[i], i))}


def trimmed_positions(totals: Sequence[Number], trim_from: int = 5) -> set[int]:
    """Positions of the totals dropped before averaging: one highest and one lowest, from `trim_from` sheets.

    Plain definition: sort the positions by (total, position) and drop the first and the last.
    """
    if len(totals) < trim_from or len(totals) < 3:
        return set()
    return _trimmed(_scaled(totals)[0], trim_from)


def _panel(totals: Sequence[Number], trim_from: int) -> tuple[Fraction | None, set[int]]:
    """(panel score, trimmed positions) of `panel_score` and `trimmed_positions`, from one conversion."""
    if not totals:
        return None, set()
    scaled, d = _scaled(totals)
    dropped = _trimmed(scaled, trim_from)
    kept = [v for i, v in enumerate(scaled) if i not in dropped]
    return Fraction(sum(kept), d * len(kept)), dropped


def panel_score(totals: Sequence[Number], trim_from: int = 5) -> Fraction | None:
    """Mean of the sheet totals, after dropping one highest and one lowest when there are >= trim_from."""
    return _panel(totals, trim_from)[0]


def mean(values: Sequence[Number]) -> Fraction | None:
    if not values:
        return None
    scaled, d = _scaled(values)
    return Fraction(sum(scaled), d * len(scaled))


# --------------------------------------------------------------------------- bonus


@dataclass(frozen=True)
class BonusFacts:
    requested_grant_krw: int
    crowd_payment_krw: int
    vulnerable_hiring_plan: bool
    lead_region: str | None
    project_region: str | None
    regional_project: bool


def bonus_points(facts: BonusFacts, points: dict[str, Decimal], *, crowd_share_min: Decimal = Decimal("0.30"),
                 cap: Decimal = Decimal("5")) -> tuple[dict[str, Decimal], Decimal]:
    """Bonus items earned (code → points) and their total capped at `cap` (가점 상한).

    CROWD_SHARE: crowd payment / requested grant >= crowd_share_min; VULNERABLE: a vulnerable-group
    hiring plan; REGIONAL_LEAD: the lead is in the project's region on a regional project.
    """
    earned: dict[str, Decimal] = {}
    grant = facts.requested_grant_krw
    share_min = _rule_fraction(crowd_share_min) if grant > 0 else None
    # crowd / grant >= n / d, with grant > 0: crowd × d >= n × grant (exact, no Fraction built)
    crowd_share_met = share_min is not None and \
        facts.crowd_payment_krw * share_min.denominator >= share_min.numerator * grant
    if "CROWD_SHARE" in points and crowd_share_met:
        earned["CROWD_SHARE"] = points["CROWD_SHARE"]
    if "VULNERABLE" in points and facts.vulnerable_hiring_plan:
        earned["VULNERABLE"] = points["VULNERABLE"]
    if ("REGIONAL_LEAD" in points and facts.regional_project and facts.project_region
            and facts.lead_region == facts.project_region):
        earned["REGIONAL_LEAD"] = points["REGIONAL_LEAD"]
    return earned, min(sum(earned.values(), Decimal(0)), cap)


# --------------------------------------------------------------------------- grant


def adjustment_rate(score: Number, bands: Sequence[Any]) -> Decimal | None:
    """Share of the requested grant for a score band (bands: objects with min_score and rate); None below all."""
    exact: Fraction | None = None
    for band in sorted(bands, key=lambda b: Decimal(b.min_score), reverse=True):
        if exact is None:
            exact = as_fraction(score)
        if exact >= _rule_fraction(Decimal(band.min_score)):
            return Decimal(band.rate)
    return None


def recommended_grant(requested_krw: int, score: Number, bands: Sequence[Any], *, ceiling_krw: int,
                      rounding_krw: int = 1000) -> int | None:
    """Requested × band rate, rounded down to `rounding_krw`, never above the ceiling; None below every band."""
    rate = adjustment_rate(score, bands)
    if rate is None:
        return None
    exact = Fraction(requested_krw) * _rule_fraction(rate)
    amount = int(exact // rounding_krw) * rounding_krw
    return min(amount, ceiling_krw)


# --------------------------------------------------------------------------- ranking and outcome


@dataclass(frozen=True)
class ProposalInput:
    """What aggregation needs about one proposal."""

    proposal_id: int
    eligible: bool
    totals: Sequence[Number]  # counted, submitted sheet totals
    heaviest_points: Sequence[Number]  # points of the heaviest criterion on the same sheets
    outstanding: int  # sheets assigned but not submitted (not excluded)
    bonus: Decimal
    submitted_at: datetime
    requested_grant_krw: int


@dataclass
class ProposalOutcome:
    proposal_id: int
    rank: int | None
    panel_score: Fraction | None
    final_score: Fraction | None
    heaviest_mean: Fraction | None
    trimmed: set[int]
    outcome: str
    recommended_grant_krw: int | None


@dataclass
class ProjectOutcome:
    outcome: str  # selected / re-announce / pending
    proposals: list[ProposalOutcome] = field(default_factory=list)
    winner_id: int | None = None  # rank 1 when it passes

    def by_id(self) -> dict[int, ProposalOutcome]:
        return {p.proposal_id: p for p in self.proposals}


def rank_key(final: Fraction, heaviest_mean: Fraction | None, submitted_at: datetime, proposal_id: int) -> tuple:
    """Sort key: higher final score, then higher mean on the heaviest criterion, then earlier submission."""
    return (-final, -(heaviest_mean or Fraction(0)), submitted_at, proposal_id)


def decide_project(inputs: Sequence[ProposalInput], *, threshold: Decimal, trim_from: int, panel_min: int,
                   bands: Sequence[Any], ceiling_krw: int, rounding_krw: int = 1000,
                   selected_proposal_id: int | None = None) -> ProjectOutcome:
    """Scores, ranks and outcomes of a project's proposals.

    - ineligible proposals are not ranked;
    - 'pending' while any eligible proposal still has outstanding sheets;
    - 're-announce' when no eligible proposal, a proposal has fewer than `panel_min` counted
      sheets, or none reaches the threshold (compared exactly: 69.995 < 70);
    - otherwise rank 1 (or the confirmed `selected_proposal_id`) is selected, others passing are
      'reserve', the rest 'not_selected'.
    """
    results: list[ProposalOutcome] = []
    ranked: list[ProposalOutcome] = []
    facts = {p.proposal_id: p for p in inputs}
    for p in inputs:
        if not p.eligible:
            results.append(ProposalOutcome(p.proposal_id, None, None, None, None, set(), "ineligible", None))
            continue
        ps, trimmed = _panel(p.totals, trim_from)
        final = ps + Fraction(p.bonus) if ps is not None else None
        po = ProposalOutcome(p.proposal_id, None, ps, final, mean(p.heaviest_points), trimmed, "pending", None)
        results.append(po)
        ranked.append(po)
    scored = [r for r in ranked if r.final_score is not None]
    scored.sort(key=lambda r: rank_key(r.final_score, r.heaviest_mean,  # type: ignore[arg-type]
                                       facts[r.proposal_id].submitted_at, r.proposal_id))
    for i, r in enumerate(scored, start=1):
        r.rank = i
    thr = Fraction(threshold)
    for r in scored:
        if r.final_score is not None and r.final_score >= thr:
            r.recommended_grant_krw = recommended_grant(facts[r.proposal_id].requested_grant_krw, r.final_score,
                                                        bands, ceiling_krw=ceiling_krw, rounding_krw=rounding_krw)
    if any(facts[r.proposal_id].outstanding > 0 for r in ranked):
        return ProjectOutcome("pending", results)
    incomplete = not ranked or any(len(facts[r.proposal_id].totals) < panel_min for r in ranked)
    passing = [r for r in scored if r.final_score is not None and r.final_score >= thr]
    if incomplete or not passing:
        for r in ranked:
            r.outcome = "re-announce"
        return ProjectOutcome("re-announce", results)
    winner = passing[0].proposal_id
    chosen = selected_proposal_id if selected_proposal_id is not None else winner
    for r in ranked:
        if r.proposal_id == chosen:
            r.outcome = "selected"
        elif r.final_score is not None and r.final_score >= thr:
            r.outcome = "reserve"
        else:
            r.outcome = "not_selected"
    return ProjectOutcome("selected", results, winner_id=winner)


# --------------------------------------------------------------------------- eligibility


@dataclass(frozen=True)
class EligibilityFacts:
    member_count: int
    lead_fields: int  # distinct fields the lead applies to in this call
    requested_grant_krw: int
    ceiling_krw: int
    planned_direct_hires: int
    private_matching_krw: int
    lead_kind: str
    restricted_members: Sequence[str]  # names of members with restricted_until >= screening date


def screen(facts: EligibilityFacts, *, min_members: int, max_fields: int, hires_per_100m_krw: Decimal,
           min_matching_rate: Decimal) -> list[dict[str, Any]]:
    """Reasons a proposal is ineligible (empty list = eligible), each one a consortium can act on."""
    reasons: list[dict[str, Any]] = []
    if facts.member_count < min_members:
        reasons.append({"code": "too_few_members", "required": min_members, "actual": facts.member_count,
                        "message": f"the consortium has {facts.member_count} member organisation(s); "
                                   f"at least {min_members} are required"})
    if facts.lead_fields > max_fields:
        reasons.append({"code": "lead_too_many_fields", "required": max_fields, "actual": facts.lead_fields,
                        "message": f"the lead organisation applies in {facts.lead_fields} fields of this call; "
                                   f"at most {max_fields} are allowed"})
    if facts.requested_grant_krw > facts.ceiling_krw:
        reasons.append({"code": "grant_above_ceiling", "required": facts.ceiling_krw,
                        "actual": facts.requested_grant_krw,
                        "message": f"requested grant {facts.requested_grant_krw:,} KRW exceeds the project ceiling "
                                   f"of {facts.ceiling_krw:,} KRW"})
    required = required_direct_hires(facts.requested_grant_krw, hires_per_100m_krw)
    if facts.planned_direct_hires < required:
        reasons.append({"code": "too_few_hires", "required": required, "actual": facts.planned_direct_hires,
                        "message": f"{facts.planned_direct_hires} direct hires planned; the requested grant requires "
                                   f"at least {required} ({hires_per_100m_krw} per 100M KRW)"})
    total = facts.requested_grant_krw + facts.private_matching_krw
    share = Fraction(facts.private_matching_krw, total) if total else Fraction(0)
    if share < Fraction(min_matching_rate):
        reasons.append({"code": "matching_too_low", "required": str(min_matching_rate),
                        "actual": str(to_decimal(share, 4)),
                        "message": f"private matching is {float(share) * 100:.2f}% of the project cost; at least "
                                   f"{Decimal(min_matching_rate) * 100:.0f}% is required for a {facts.lead_kind} lead"})
    if facts.restricted_members:
        names = ", ".join(facts.restricted_members)
        reasons.append({"code": "member_restricted", "actual": list(facts.restricted_members),
                        "message": f"member(s) under a participation restriction: {names}"})
    return reasons


# --------------------------------------------------------------------------- conflicts


def years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def detect_conflicts(affiliation_org_id: int | None, employments: Iterable[tuple[int, date | None]],
                     bidding_org_ids: set[int], ref_date: date, lookback_years: int = 3) -> list[tuple[str, int]]:
    """Detected conflicts of an evaluator with a project: (source, org_id) pairs.

    'membership': the evaluator's organisation is a member of a bidding consortium;
    'employment': the evaluator worked for such a member and the job ended on or after
    `ref_date` minus `lookback_years` (end_date None = still employed).
    """
    found: list[tuple[str, int]] = []
    if affiliation_org_id is not None and affiliation_org_id in bidding_org_ids:
        found.append(("membership", affiliation_org_id))
    cutoff = years_before(ref_date, lookback_years)
    for org_id, end_date in employments:
        if org_id in bidding_org_ids and (end_date is None or end_date >= cutoff):
            found.append(("employment", org_id))
    return found


# --------------------------------------------------------------------------- statistics


def leniency(rows: Iterable[tuple[str, Any, Number]]) -> dict[str, tuple[int, Fraction]]:
    """Per evaluator: (sheets, mean of total − the mean of all totals of the same proposal).

    Plain definition: the mean m_p of each proposal's totals, then per evaluator the mean of t − m_p over
    their sheets. Computed exactly on integers: totals over one denominator d, and L = the lcm of the
    proposals' sheet counts, so (t − m_p) × d × L = t·d·L − (Σ_p t·d) × L / n_p is an integer.
    """
    items = list(rows)
    scaled, d = _scaled(t for _, _, t in items)
    sums: dict[Any, int] = {}
    counts: dict[Any, int] = {}
    for (_, p, _), v in zip(items, scaled, strict=True):
        sums[p] = sums.get(p, 0) + v
        counts[p] = counts.get(p, 0) + 1
    big_l = lcm(*set(counts.values())) if counts else 1
    share = {p: sums[p] * (big_l // n) for p, n in counts.items()}
    acc: dict[str, list[int]] = {}
    for (e, p, _), v in zip(items, scaled, strict=True):
        a = acc.get(e)
        if a is None:
            acc[e] = a = [0, 0]
        a[0] += 1
        a[1] += v * big_l - share[p]
    return {e: (n, Fraction(total, n * d * big_l)) for e, (n, total) in acc.items()}


def average_ranks(values: Sequence[Number]) -> list[Fraction]:
    """Ranks 1..n (1 = smallest), ties share the mean of their positions."""
    return [Fraction(r, 2) for r in _doubled_ranks(_scaled(values)[0])]


def _doubled_ranks(scaled: Sequence[int]) -> list[int]:
    """2 × the average ranks of the values (integers: a tie over positions i..j shares i + j + 2)."""
    order = sorted(range(len(scaled)), key=lambda i: scaled[i])
    ranks = [0] * len(scaled)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scaled[order[j + 1]] == scaled[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = i + j + 2
        i = j + 1
    return ranks


def kendall_w(matrix: Sequence[Sequence[Number]]) -> Fraction | None:
    """Kendall's coefficient of concordance W for m raters (rows) × n items (columns).

    Each rater's scores are ranked (ties get average ranks); R_j = the rank sum of item j,
    S = Σ (R_j − m(n+1)/2)², T = Σ over raters of Σ (t³ − t) over tie groups, and
    W = 12 S / (m² (n³ − n) − m T). None when m < 2, n < 2 or the denominator is 0.
    Computed on doubled ranks (integers): 4 S = Σ (2 R_j − m(n+1))², so W = 3 · 4S / denominator.
    """
    m = len(matrix)
    if m < 2:
        return None
    n = len(matrix[0])
    if n < 2 or any(len(row) != n for row in matrix):
        return None
    sums = [0] * n
    t = 0
    for row in matrix:
        scaled = _scaled(row)[0]
        for j, r in enumerate(_doubled_ranks(scaled)):
            sums[j] += r
        counts: dict[int, int] = {}
        for v in scaled:
            counts[v] = counts.get(v, 0) + 1
        t += sum(c ** 3 - c for c in counts.values())
    mean_sum2 = m * (n + 1)
    s4 = sum((rj - mean_sum2) ** 2 for rj in sums)
    denom = m * m * (n ** 3 - n) - m * t
    if denom == 0:
        return None
    return Fraction(3 * s4, denom)


def outliers(totals: Sequence[tuple[Any, Number]], *, max_distance: Decimal = DEFAULT_OUTLIER_POINTS,
             min_others: int = 3) -> list[tuple[Any, Fraction, Fraction]]:
    """Sheets whose total is more than `max_distance` points from the median of the other totals of
    the same proposal (needs at least `min_others` other totals): (key, median_of_others, distance).

    Plain definition: for each sheet, the median of the others (the middle one, or the mean of the two
    middle ones) and its distance to the sheet. Computed on integers over one denominator, doubled so
    that a mean of two middle values stays an integer; a Fraction is built only for a sheet found.
    """
    if not totals or len(totals) - 1 < min_others:
        return []
    if len(totals) == 1:  # min_others <= 0: the plain definition takes the median of no value
        raise StatisticsError("no median for empty data")
    scaled, d = _scaled([t for _, t in totals] + [max_distance])
    limit2 = 2 * scaled.pop()
    ordered = sorted(scaled)
    k = len(ordered) - 1  # the number of others
    found = []
    for (key, _), v in zip(totals, scaled, strict=True):
        pos = ordered.index(v)
        others = ordered[:pos] + ordered[pos + 1:]
        med2 = 2 * others[k // 2] if k % 2 else others[k // 2 - 1] + others[k // 2]
        dist2 = abs(2 * v - med2)
        if dist2 > limit2:
            found.append((key, Fraction(med2, 2 * d), Fraction(dist2, 2 * d)))
    return found
