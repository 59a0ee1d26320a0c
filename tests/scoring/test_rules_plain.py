"""The evaluation rules computed on integers equal their plain definitions (Fractions, value by value).

`scoring.rules` adds and compares integers over a common denominator and builds one Fraction per result
(issue 14: the dashboard computes them for every sheet of a national programme on a cold cache). The plain
definitions below are the rules as first written; every result must be the same Fraction, to the last digit.
"""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction
from statistics import StatisticsError, median
from typing import Any

import pytest

from scoring import rules


def plain_trimmed_positions(totals: Any, trim_from: int = 5) -> set[int]:
    if len(totals) < trim_from or len(totals) < 3:
        return set()
    order = sorted(range(len(totals)), key=lambda i: (Fraction(totals[i]), i))
    return {order[0], order[-1]}


def plain_panel_score(totals: Any, trim_from: int = 5) -> Fraction | None:
    if not totals:
        return None
    dropped = plain_trimmed_positions(totals, trim_from)
    kept = [Fraction(t) for i, t in enumerate(totals) if i not in dropped]
    return sum(kept, Fraction(0)) / len(kept)


def plain_mean(values: Any) -> Fraction | None:
    if not values:
        return None
    return sum((Fraction(v) for v in values), Fraction(0)) / len(values)


def plain_leniency(rows: Any) -> dict[str, tuple[int, Fraction]]:
    by_proposal: dict[Any, list[Fraction]] = {}
    items = [(e, p, Fraction(t)) for e, p, t in rows]
    for _, p, t in items:
        by_proposal.setdefault(p, []).append(t)
    means = {p: sum(v, Fraction(0)) / len(v) for p, v in by_proposal.items()}
    diffs: dict[str, list[Fraction]] = {}
    for e, p, t in items:
        diffs.setdefault(e, []).append(t - means[p])
    return {e: (len(v), sum(v, Fraction(0)) / len(v)) for e, v in diffs.items()}


def plain_average_ranks(values: Any) -> list[Fraction]:
    order = sorted(range(len(values)), key=lambda i: Fraction(values[i]))
    ranks: list[Fraction] = [Fraction(0)] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and Fraction(values[order[j + 1]]) == Fraction(values[order[i]]):
            j += 1
        avg = Fraction(i + 1 + j + 1, 2)
        for k in range(i, j + 1):
            ranks[order[k]] = avg
        i = j + 1
    return ranks


def plain_kendall_w(matrix: Any) -> Fraction | None:
    m = len(matrix)
    if m < 2:
        return None
    n = len(matrix[0])
    if n < 2 or any(len(row) != n for row in matrix):
        return None
    rank_rows = [plain_average_ranks(row) for row in matrix]
    sums = [sum((r[j] for r in rank_rows), Fraction(0)) for j in range(n)]
    mean_sum = Fraction(m * (n + 1), 2)
    s = sum(((rj - mean_sum) ** 2 for rj in sums), Fraction(0))
    t = 0
    for row in matrix:
        counts: dict[Fraction, int] = {}
        for v in row:
            counts[Fraction(v)] = counts.get(Fraction(v), 0) + 1
        t += sum(c ** 3 - c for c in counts.values())
    denom = m * m * (n ** 3 - n) - m * t
    if denom == 0:
        return None
    return 12 * s / denom


def plain_outliers(totals: Any, *, max_distance: Any = rules.DEFAULT_OUTLIER_POINTS,
                   min_others: int = 3) -> list[tuple[Any, Fraction, Fraction]]:
    found = []
    for i, (key, total) in enumerate(totals):
        others = [Fraction(t) for j, (_, t) in enumerate(totals) if j != i]
        if len(others) < min_others:
            continue
        med = Fraction(median(others))
        dist = abs(Fraction(total) - med)
        if dist > Fraction(max_distance):
            found.append((key, med, dist))
    return found


def _value(rng: random.Random) -> Any:
    """A score as the database gives it (Decimal with up to two places), now and then an int or a Fraction,
    drawn from a narrow range so that ties are common."""
    kind = rng.random()
    if kind < 0.7:
        return Decimal(rng.randint(100, 200)) / Decimal(rng.choice([1, 2, 4, 10, 100])) + Decimal(50)
    if kind < 0.85:
        return rng.randint(50, 100)
    return Fraction(rng.randint(500, 1000), rng.choice([3, 7, 9, 10]))


def _same(a: Any, b: Any) -> None:
    assert a == b
    assert type(a) is type(b)
    if isinstance(a, dict):
        assert list(a) == list(b)  # same order
        for k in a:
            assert a[k] == b[k] and [type(x) for x in a[k]] == [type(x) for x in b[k]]
    if isinstance(a, list):
        for x, y in zip(a, b, strict=True):
            assert type(x) is type(y)
            if isinstance(x, tuple):
                assert [type(i) for i in x] == [type(i) for i in y]


@pytest.mark.parametrize("seed", range(40))
def test_sheet_rules_equal_their_plain_definition(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        totals = [_value(rng) for _ in range(rng.randint(0, 9))]
        trim_from = rng.choice([3, 4, 5, 6])
        _same(rules.trimmed_positions(totals, trim_from), plain_trimmed_positions(totals, trim_from))
        _same(rules.panel_score(totals, trim_from), plain_panel_score(totals, trim_from))
        _same(rules.mean(totals), plain_mean(totals))
        _same(rules.average_ranks(totals), plain_average_ranks(totals))
        keyed = [(f"s{i}", t) for i, t in enumerate(totals)]
        for dist in (Decimal("15"), Decimal("2.5"), Decimal("0"), 7, Fraction(10, 3)):
            for others in (3, 1, 2):
                _same(rules.outliers(keyed, max_distance=dist, min_others=others),
                      plain_outliers(keyed, max_distance=dist, min_others=others))


@pytest.mark.parametrize("seed", range(40))
def test_statistics_equal_their_plain_definition(seed: int) -> None:
    rng = random.Random(1000 + seed)
    evaluators = [f"EV{i:04d}" for i in range(rng.randint(1, 12))]
    rows = [(rng.choice(evaluators), rng.randint(1, 15), _value(rng)) for _ in range(rng.randint(0, 120))]
    _same(rules.leniency(rows), plain_leniency(rows))
    for _ in range(10):
        m, n = rng.randint(0, 6), rng.randint(1, 6)
        matrix = [[_value(rng) for _ in range(n)] for _ in range(m)]
        _same(rules.kendall_w(matrix), plain_kendall_w(matrix))
    # all raters tied on every item: the denominator is 0 in both
    assert rules.kendall_w([[5, 5, 5], [Decimal("5.0"), 5, Fraction(10, 2)]]) is None
    assert plain_kendall_w([[5, 5, 5], [Decimal("5.0"), 5, Fraction(10, 2)]]) is None


def test_outliers_of_one_sheet_with_no_others_required_fails_as_the_plain_definition() -> None:
    with pytest.raises(StatisticsError):
        plain_outliers([("a", 80)], min_others=0)
    with pytest.raises(StatisticsError):
        rules.outliers([("a", 80)], min_others=0)
    assert rules.outliers([], min_others=0) == plain_outliers([], min_others=0) == []


@pytest.mark.parametrize("seed", range(20))
def test_decide_project_equals_its_plain_definition(seed: int) -> None:
    """decide_project with the plain panel score, trimming and mean gives the same outcome, field by field."""
    from datetime import datetime, timedelta
    from types import SimpleNamespace

    rng = random.Random(2000 + seed)
    bands = [SimpleNamespace(min_score=Decimal("90"), rate=Decimal("1.00")),
             SimpleNamespace(min_score=Decimal("80"), rate=Decimal("0.95")),
             SimpleNamespace(min_score=Decimal("70"), rate=Decimal("0.90"))]
    t0 = datetime(2021, 4, 1, 9)
    inputs = []
    for pid in range(1, rng.randint(1, 6) + 1):
        totals = [_value(rng) for _ in range(rng.randint(0, 7))]
        inputs.append(rules.ProposalInput(
            proposal_id=pid, eligible=rng.random() < 0.85, totals=totals,
            heaviest_points=[_value(rng) / 4 for _ in totals], outstanding=1 if rng.random() < 0.1 else 0,
            bonus=Decimal(rng.choice([0, 1, 2, 3])) / 2, submitted_at=t0 + timedelta(minutes=rng.randint(0, 3)),
            requested_grant_krw=rng.randint(1, 30) * 100_000_000))
    got = rules.decide_project(inputs, threshold=Decimal("70"), trim_from=5, panel_min=3, bands=bands,
                               ceiling_krw=2_500_000_000)
    for p, o in zip(inputs, got.proposals, strict=True):
        if not p.eligible:
            continue
        ps = plain_panel_score(p.totals, 5)
        assert o.panel_score == ps and type(o.panel_score) is type(ps)
        assert o.final_score == (ps + Fraction(p.bonus) if ps is not None else None)
        assert o.trimmed == plain_trimmed_positions(p.totals, 5)
        assert o.heaviest_mean == plain_mean(p.heaviest_points)
