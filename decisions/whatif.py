"""What-if allocation: the recorded score sheets re-run under changed rule values and budgets.

Pure: values in (a loaded `scoring.evaluation_frame.Frame`, the envelopes, the awards), values out; no
session, no clock. Every rule is the one the programme uses:

- aggregation, ranking, outcome and the recommended grant: `Frame.decide` →
  `scoring.rules.decide_project` (threshold, trimming, panel minimum, score bands, bonus);
- bonus points: `Frame.bonus` → `scoring.rules.bonus_points` with the run's rule values;
- order within an envelope: `scoring.rules.rank_key` (final score, then the heaviest criterion,
  then the earlier submission);
- required hires: `budgeting.rules.required_direct_hires` (the 2.4 rule).

Envelope rule (the funding line): within each envelope the projects' selected proposals are
funded in the order of `rank_key` across the envelope (highest final score first) with their
full recommended grant; the first one whose grant no longer fits draws the funding line, and
it and every project after it in that envelope go unfunded. No grant is cut to fit (a smaller
grant would break the proposal's budget and its hire plan), and no lower-ranked project jumps
the line because it is cheaper. A project that no envelope covers is not limited.

Lottery (optional, `Lottery(seed, tolerance)`): one `random.Random(seed)` draws, in this
order, (1) for each project (by id) among the passing proposals whose final score is within
`tolerance` of the best, which one is selected; (2) for each envelope (by id) among the
projects whose final score is within `tolerance` of the first project below the funding
line, the order in which they are funded. Same inputs and seed, same result.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

from budgeting.rules import required_direct_hires
from core.bounded import exact_fraction
from program.models import ProgramRules
from scoring import rules as scoring_rules
from scoring.evaluation_frame import Frame
from scoring.rules import ProjectOutcome

NO_TRIM = 2**31 - 1  # trim_from_sheets for "trimming off": no panel is that large

ENVELOPE_RULE = ("봉투(재원)별로 선정 제안서를 최종점수 순(동점: 최고배점 항목 평균, 제출 시각)으로 권고 출연금 전액 "
                 "지원하며, 잔액을 넘는 첫 과제에서 지원선이 그어지고 그 아래 과제는 지원하지 않습니다. "
                 "(Within each envelope, selected proposals are funded in order of final score with their full "
                 "recommended grant; the first that no longer fits draws the funding line and it and all below "
                 "it go unfunded.)")


@dataclass(frozen=True)
class EnvelopeInfo:
    id: int
    code: str
    name_ko: str
    call_type_id: int
    amount_krw: int  # as recorded
    awarded_krw: int  # recorded awards drawn on it


@dataclass(frozen=True)
class AwardFact:
    project_id: int
    grant_krw: int
    envelope_id: int


@dataclass(frozen=True)
class Lottery:
    seed: int
    tolerance: Decimal = Decimal("0")


@dataclass(frozen=True)
class Scenario:
    rules: ProgramRules  # validated as a whole; trimming off → trim_from_sheets = NO_TRIM
    envelope_amounts: Mapping[int, int]  # envelope id → amount for the run
    keep_departures: bool = True
    lottery: Lottery | None = None


@dataclass(frozen=True)
class Inputs:
    frame: Frame  # as recorded, with the programme's rules and its confirmed selections
    envelopes: Sequence[EnvelopeInfo]
    envelope_of: Mapping[int, int | None]  # project id → envelope id
    awards: Mapping[int, AwardFact]  # project id → its award


@dataclass
class ProjectRun:
    project_id: int
    outcome: str  # selected / re-announce / pending
    proposal_id: int | None
    final_score: Fraction | None
    recommended_krw: int | None
    grant_krw: int | None = None
    funding: str = "none"
    departure: str | None = None
    drawn: bool = False
    hires: int = 0
    sort_key: tuple[Any, ...] = ()


@dataclass
class DecidedProject:
    project_id: int
    confirmed: bool
    outcome: str
    proposal_id: int | None
    final_score: Fraction | None
    grant_krw: int | None
    hires: int
    winner_id: int | None  # rank 1 under the recorded rules (a confirmed selection may depart from it)


@dataclass
class Draw:
    where: str
    key: str
    candidates: list[int]
    chosen: list[int]


@dataclass
class RunOutput:
    projects: dict[int, ProjectRun]
    decided: dict[int, DecidedProject]
    envelope_funded: dict[int, tuple[int, int, int]]  # id → (funded krw, funded n, unfunded n)
    draws: list[Draw] = field(default_factory=list)


@dataclass(frozen=True)
class _Choice:
    """Stands in for a confirmed selection in the run's frame: the proposal `decide` marks selected."""

    proposal_id: int


# --------------------------------------------------------------------------- scenario


def scenario_frame(frame: Frame, rules: ProgramRules) -> Frame:
    """A copy of the recorded frame that decides under `rules` (no selection confirmed yet).

    The rubric says which bonus items a call type has (kept); the run's rules say what each is worth.
    """
    points = rules.bonus_item_points()
    bonus = {ct: {code: points[code] for code in items if code in points}
             for ct, items in frame.bonus_points.items()}
    return replace(frame, rules=rules, bonus_points=bonus, selections={})


def envelope_amounts(envelopes: Sequence[EnvelopeInfo], call_type_codes: Mapping[int, str],
                     changes: Sequence[tuple[str, Decimal | None, int | None]]) -> dict[int, int]:
    """Envelope id → amount after the changes (target, percent, amount), applied in order.

    A target is an envelope code or a call type code (all its envelopes); a percent change is
    floor(amount × (100 + pct) / 100), exact. Raises KeyError naming an unknown target and
    ValueError for an amount given to a call type of several envelopes or neither/both given.
    """
    out = {e.id: e.amount_krw for e in envelopes}
    for target, pct, amount in changes:
        hit = [e for e in envelopes if e.code == target] or \
              [e for e in envelopes if call_type_codes.get(e.call_type_id) == target]
        if not hit:
            raise KeyError(target)
        if (pct is None) == (amount is None):
            raise ValueError("give either change_pct or amount_krw")
        if amount is not None:
            if len(hit) != 1:
                raise ValueError(f"amount_krw needs one envelope; '{target}' has {len(hit)}")
            out[hit[0].id] = amount
            continue
        factor = (100 + exact_fraction(pct)) / 100
        for e in hit:
            exact = out[e.id] * factor
            out[e.id] = max(0, exact.numerator // exact.denominator)
    return out


# --------------------------------------------------------------------------- the run


def _passing(outcome: ProjectOutcome, threshold: Decimal) -> list[scoring_rules.ProposalOutcome]:
    thr = Fraction(threshold)
    ranked = [o for o in outcome.proposals if o.rank is not None and o.final_score is not None
              and o.final_score >= thr]
    return sorted(ranked, key=lambda o: o.rank or 0)


def decided_projects(inp: Inputs) -> dict[int, DecidedProject]:
    """What was decided, project by project, as the evaluation page shows it: the confirmed selection
    (or, unconfirmed, the recommended rank 1), its award's grant (else its recommended grant)."""
    fr = inp.frame
    rate = fr.rules.hires_per_100m_krw
    out: dict[int, DecidedProject] = {}
    for prj_id in fr.projects:
        decision = fr.decide(prj_id)
        sel = fr.selections.get(prj_id)
        chosen = sel.proposal_id if sel else decision.winner_id
        o = decision.by_id().get(chosen) if chosen else None
        award = inp.awards.get(prj_id)
        grant = (award.grant_krw if award else sel.recommended_grant_krw if sel
                 else o.recommended_grant_krw if o else None)
        out[prj_id] = DecidedProject(prj_id, sel is not None, decision.outcome, chosen,
                                     o.final_score if o else None, grant,
                                     required_direct_hires(grant, rate) if grant else 0, decision.winner_id)
    return out


def run(inp: Inputs, sc: Scenario, decided: dict[int, DecidedProject] | None = None) -> RunOutput:
    """Re-run ranking, selection, grant adjustment and envelope limits under the scenario."""
    recorded = inp.frame
    fr = scenario_frame(recorded, sc.rules)
    rng = random.Random(sc.lottery.seed) if sc.lottery else None
    tol = Fraction(sc.lottery.tolerance) if sc.lottery else Fraction(0)
    decided = decided if decided is not None else decided_projects(inp)
    out = RunOutput(projects={}, decided=decided, envelope_funded={})
    for prj_id in fr.projects:
        outcome = fr.decide(prj_id)
        chosen = outcome.winner_id if outcome.outcome == "selected" else None
        departure, drawn = None, False
        sel = recorded.selections.get(prj_id)
        if sel is not None and decided[prj_id].winner_id not in (None, sel.proposal_id):
            passing_ids = {o.proposal_id for o in _passing(outcome, sc.rules.pass_threshold)}
            if sc.keep_departures and chosen is not None and sel.proposal_id in passing_ids:
                chosen, departure = sel.proposal_id, "kept"
            else:
                departure = "dropped"
        if rng is not None and chosen is not None and departure != "kept":
            passing = _passing(outcome, sc.rules.pass_threshold)
            best = passing[0].final_score
            tied = sorted(o.proposal_id for o in passing if best - o.final_score <= tol)  # type: ignore[operator]
            if len(tied) > 1:
                chosen = rng.choice(tied)
                drawn = True
                out.draws.append(Draw("project", fr.projects[prj_id]["code"], tied, [chosen]))
        if chosen is not None and chosen != outcome.winner_id:
            fr.selections[prj_id] = _Choice(chosen)  # type: ignore[assignment]
            outcome = fr.decide(prj_id)
        o = outcome.by_id().get(chosen) if chosen is not None else None
        key: tuple[Any, ...] = ()
        if o is not None and o.final_score is not None:
            key = scoring_rules.rank_key(o.final_score, o.heaviest_mean, fr.proposals[o.proposal_id]["submitted_at"],
                                         o.proposal_id)
        out.projects[prj_id] = ProjectRun(prj_id, outcome.outcome, chosen, o.final_score if o else None,
                                          o.recommended_grant_krw if o else None, departure=departure, drawn=drawn,
                                          sort_key=key)
    _fund(inp, sc, out, rng, tol)
    rate = sc.rules.hires_per_100m_krw
    for p in out.projects.values():
        p.hires = required_direct_hires(p.grant_krw, rate) if p.grant_krw else 0
    return out


def _walk(cands: list[ProjectRun], amount: int | None) -> int:
    """Fund in order; returns the index of the first project below the funding line (len: none)."""
    left = amount
    for i, p in enumerate(cands):
        grant = p.recommended_krw or 0
        if left is not None and grant > left:
            return i
        if left is not None:
            left -= grant
    return len(cands)


def _fund(inp: Inputs, sc: Scenario, out: RunOutput, rng: random.Random | None, tol: Fraction) -> None:
    by_env: dict[int | None, list[ProjectRun]] = {}
    for p in out.projects.values():
        if p.proposal_id is not None and p.recommended_krw is not None:
            by_env.setdefault(inp.envelope_of.get(p.project_id), []).append(p)
    codes = {e.id: e.code for e in inp.envelopes}
    for env_id in sorted(by_env, key=lambda k: (k is None, k or 0)):
        cands = sorted(by_env[env_id], key=lambda p: p.sort_key)
        amount = None if env_id is None else sc.envelope_amounts.get(env_id, 0)
        line = _walk(cands, amount)
        if rng is not None and line < len(cands):
            marginal = cands[line].final_score or Fraction(0)
            band = [i for i, p in enumerate(cands) if abs((p.final_score or Fraction(0)) - marginal) <= tol]
            if len(band) > 1:
                lo, hi = band[0], band[-1] + 1
                part = cands[lo:hi]
                rng.shuffle(part)
                cands = cands[:lo] + part + cands[hi:]
                line = _walk(cands, amount)
                drawn_ids = [pid for p in part if (pid := p.proposal_id) is not None]
                funded_ids = [pid for p in cands[lo:min(hi, line)] if (pid := p.proposal_id) is not None]
                out.draws.append(Draw("envelope", codes.get(env_id or 0, "–"), drawn_ids, funded_ids))
        funded = 0
        for i, p in enumerate(cands):
            if i < line:
                p.grant_krw, p.funding = p.recommended_krw, "funded"
                funded += p.recommended_krw or 0
            else:
                p.funding = "envelope_exhausted"
        if env_id is not None:
            out.envelope_funded[env_id] = (funded, line, len(cands) - line)
