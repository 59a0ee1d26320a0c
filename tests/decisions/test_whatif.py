"""What-if allocation: pure re-run on the recorded sheets, hand-worked cases, the lottery, nothing written."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from budgeting.models import Award, BudgetLine, Envelope
from budgeting.rules import required_direct_hires
from core.audit import SYSTEM
from core.errors import RuleViolation
from core.models import AuditEvent
from decisions import service, whatif
from decisions.models import WhatIfRequest
from scoring import service as scoring_service
from scoring.models import Selection
from tests.builders import count, fresh
from tests.decisions.builders import programme

# Builder proposals request 1,900,000,000 KRW; bands 90→100%, 80→95%, 70→90%, rounded down to 1,000 KRW.
GRANT_90, GRANT_84, GRANT_72 = 1_900_000_000, 1_805_000_000, 1_710_000_000


def req(**body: object) -> WhatIfRequest:
    return WhatIfRequest.model_validate(body)


def row(result, project) -> object:  # type: ignore[no-untyped-def]
    return next(p for p in result.projects if p.project_id == project.id)


# --------------------------------------------------------------------------- the seeded programme


def test_unchanged_rules_equal_what_was_decided_on_the_seeded_programme(seeded_engine):
    """Issue 15: with unchanged rules and budgets the what-if equals what was decided, exactly: the
    selections and grants the evaluation page shows (scoring.results.evaluation_overview) and the awards."""
    with Session(seeded_engine) as session:
        program_id = 1
        result = service.run_what_if(session, program_id, WhatIfRequest())
        overview = scoring_service.evaluation_overview(session, program_id).set_index("project_id")
        awards = {a.project_id: a.grant_krw for a in session.exec(
            select(Award).where(Award.program_id == program_id)).all()}
    assert result.consortium_changes == 0 and result.grant_changes == 0
    assert result.decided == result.whatif
    assert len(result.projects) == 150 and result.whatif.funded_projects == 140
    for p in result.projects:
        page = overview.loc[p.project_id]
        if p.whatif_outcome == "selected":
            assert p.whatif_proposal_id == int(page["selected_proposal_id"]) == p.decided_proposal_id
            assert p.whatif_grant_krw == int(page["recommended_grant_krw"]) == awards[p.project_id]
            assert p.funding == "funded"
        else:
            assert p.whatif_grant_krw is None and p.project_id not in awards
        assert p.whatif_outcome == page["outcome"]
    assert result.whatif.required_hires == sum(required_direct_hires(g, Decimal("2.4")) for g in awards.values())
    for e in result.envelopes:
        assert e.whatif_funded_krw == e.decided_awarded_krw == e.decided_grants_krw
    # the planted departure from the ranking (rank 2 selected without a reason) is kept
    kept = [p for p in result.projects if p.departure]
    assert [(p.project_code, p.departure) for p in kept] == [("2021-D-LANG-012", "kept")]


def test_same_inputs_same_result_and_departures_can_be_dropped(seeded_engine):
    """Issue 15: same inputs, same result (digest); without the recorded departure rank 1 is selected."""
    body = {"rules": {"pass_threshold": "75", "trimming": False},
            "budgets": [{"target": "designated", "change_pct": "-20"}], "lottery": {"seed": 7, "tolerance": "0.5"}}
    with Session(seeded_engine) as session:
        inp = service.load_inputs(session, 1)
        first, second = service.compare(inp, req(**body)), service.compare(inp, req(**body))
        pure = service.compare(inp, req(keep_departures=False))
    assert first.digest == second.digest and first == second
    assert first.consortium_changes > 0 and first.whatif.grants_krw < first.decided.grants_krw
    dropped = [p for p in pure.projects if p.departure]
    assert [(p.project_code, p.departure, p.consortium_changed) for p in dropped] == [
        ("2021-D-LANG-012", "dropped", True)]
    assert pure.consortium_changes == 1


def test_a_run_reads_only_the_recorded_data(seeded_engine):
    """Issue 15: the pure run leaves the loaded frame as it was (selections, rules)."""
    with Session(seeded_engine) as session:
        inp = service.load_inputs(session, 1)
    selections = dict(inp.frame.selections)
    rules = inp.frame.rules.model_dump()
    service.compare(inp, req(rules={"pass_threshold": "90"}, keep_departures=False))
    assert inp.frame.selections == selections and inp.frame.rules.model_dump() == rules


# --------------------------------------------------------------------------- hand-worked cases


def test_a_higher_threshold_drops_the_named_proposal(session):
    """Issue 15 (hand-worked): finals 84 and 72 pass at 70; at 75 the 72-point proposal is dropped, its project
    re-announced, its 1,710,000,000 KRW grant (1.9B × 90%) and its 42 hires (⌈2.4 × 17.1⌉) gone."""
    built = programme(session, [[[80, 82, 84, 86, 100], [70, 71, 72, 73, 60]], [[72, 72, 72, 72, 72]]])
    first, second = built["projects"]
    a, c = first["proposals"][0], second["proposals"][0]
    result = service.run_what_if(session, built["program"].id, req(rules={"pass_threshold": "75"}))
    r1, r2 = row(result, first["project"]), row(result, second["project"])
    assert (r1.whatif_proposal_id, r1.whatif_grant_krw, r1.consortium_changed) == (a.id, GRANT_84, False)
    assert (r2.decided_proposal_id, r2.decided_grant_krw, r2.decided_hires) == (c.id, GRANT_72, 42)
    assert (r2.whatif_outcome, r2.whatif_proposal_id, r2.whatif_grant_krw) == ("re-announce", None, None)
    assert r2.consortium_changed and r2.grant_delta_krw == -GRANT_72
    assert result.decided.required_hires - result.whatif.required_hires == 42
    assert result.consortium_changes == 1 and result.grant_changes == 1


def test_a_smaller_envelope_stops_the_last_award_at_the_limit(session):
    """Issue 15 (hand-worked): three projects in one envelope with finals 90, 84, 72 ask 1.9B, 1.805B and 1.71B.
    An envelope of 4,705,000,000 KRW funds the first two (3,705,000,000) and stops at the third, which
    does not fit the 1,000,000,000 left; no grant is cut."""
    built = programme(session, [[[90] * 5], [[72] * 5], [[80, 82, 84, 86, 100]]])
    p90, p72, p84 = (b["project"] for b in built["projects"])
    code = "designated-HEALTH"  # builder projects are designated HEALTH projects: one envelope
    result = service.run_what_if(session, built["program"].id,
                                 req(budgets=[{"target": code, "amount_krw": 4_705_000_000}]))
    assert [(row(result, p).funding, row(result, p).whatif_grant_krw) for p in (p90, p84, p72)] == [
        ("funded", GRANT_90), ("funded", GRANT_84), ("envelope_exhausted", None)]
    env = next(e for e in result.envelopes if e.code == code)
    assert (env.whatif_amount_krw, env.whatif_funded_krw, env.whatif_remaining_krw) == (
        4_705_000_000, 3_705_000_000, 1_000_000_000)
    assert (env.whatif_funded_projects, env.whatif_unfunded_projects) == (2, 1)
    assert row(result, p72).consortium_changed and row(result, p72).whatif_recommended_krw == GRANT_72
    # exactly the three grants funds all three; 10% less (designated −10%: 4,873,500,000) stops at the third
    total = GRANT_90 + GRANT_84 + GRANT_72
    exact = service.run_what_if(session, built["program"].id, req(budgets=[{"target": code, "amount_krw": total}]))
    assert exact.grant_changes == 0 and exact.whatif.funded_projects == 3
    cut = service.run_what_if(session, built["program"].id, req(budgets=[
        {"target": code, "amount_krw": total}, {"target": "designated", "change_pct": "-10"}]))
    env = next(e for e in cut.envelopes if e.code == code)
    assert (env.whatif_amount_krw, env.whatif_funded_krw, env.whatif_unfunded_projects) == (
        4_873_500_000, 3_705_000_000, 1)
    assert row(cut, p72).funding == "envelope_exhausted"


def test_envelope_percent_change_is_exact():
    """Issue 15: a percent change is floor(amount × (100 + pct) / 100) on integer won."""
    envs = [whatif.EnvelopeInfo(1, "designated-LANG", "", 1, 1_000_000_001, 0),
            whatif.EnvelopeInfo(2, "designated-VISION", "", 1, 999, 0),
            whatif.EnvelopeInfo(3, "free", "", 3, 500, 0)]
    types = {1: "designated", 3: "free"}
    assert whatif.envelope_amounts(envs, types, [("designated", Decimal("-10"), None)]) == {
        1: 900_000_000, 2: 899, 3: 500}
    assert whatif.envelope_amounts(envs, types, [("free", None, 7), ("designated-LANG", Decimal("-100"), None)]) == {
        1: 0, 2: 999, 3: 7}
    with pytest.raises(KeyError):
        whatif.envelope_amounts(envs, types, [("regional", Decimal("5"), None)])
    with pytest.raises(ValueError):
        whatif.envelope_amounts(envs, types, [("designated", None, 5)])  # two envelopes, one amount


# --------------------------------------------------------------------------- lottery


def test_lottery_is_reproducible_from_its_seed_and_changes_with_another(session):
    """Issue 15: two proposals with the same final score (80) cannot be told apart; the lottery draws one with
    a recorded seed: the same seed draws the same one, another seed the other one."""
    built = programme(session, [[[80] * 5, [80] * 5]])
    project = built["projects"][0]["project"]
    inp = service.load_inputs(session, built["program"].id)
    drawn = {}
    for seed in range(12):
        result = service.compare(inp, req(lottery={"seed": seed}))
        again = service.compare(inp, req(lottery={"seed": seed}))
        assert again.digest == result.digest
        r = row(result, project)
        assert r.drawn and result.draws[0].where == "project" and result.draws[0].chosen == [r.whatif_proposal_id]
        drawn[seed] = r.whatif_proposal_id
    assert set(drawn.values()) == {p.id for p in built["projects"][0]["proposals"]}
    # without a lottery, the tie-break is the rule's (earlier submission, then id)
    plain = service.compare(inp, WhatIfRequest())
    assert row(plain, project).whatif_proposal_id == built["projects"][0]["proposals"][0].id


def test_lottery_at_the_funding_line_of_an_envelope(session):
    """Issue 15: two projects at 84 in an envelope with room for one: the draw decides which is funded."""
    built = programme(session, [[[80, 82, 84, 86, 100]], [[80, 82, 84, 86, 100]]])
    ids = [b["project"].id for b in built["projects"]]
    inp = service.load_inputs(session, built["program"].id)
    code = inp.envelopes[0].code
    funded = set()
    for seed in range(12):
        body = {"budgets": [{"target": code, "amount_krw": GRANT_84}], "lottery": {"seed": seed}}
        result = service.compare(inp, req(**body))
        assert service.compare(inp, req(**body)).digest == result.digest
        [draw] = [d for d in result.draws if d.where == "envelope"]
        winners = [p.project_id for p in result.projects if p.funding == "funded"]
        assert len(winners) == 1 and len(draw.chosen) == 1
        funded.add(winners[0])
    assert funded == set(ids)


# --------------------------------------------------------------------------- records


def test_a_run_writes_no_selection_award_or_line_and_is_audited(session):
    """Issue 15: a what-if run never writes a selection or an award; the run and its inputs are in the audit log."""
    built = programme(session, [[[80, 82, 84, 86, 100], [70, 71, 72, 73, 60]], [[72] * 5]])
    scoring_service.confirm_selection(session, SYSTEM, built["projects"][0]["project"].id)
    fresh(session)
    before = {m: count(session, m) for m in (Selection, Award, BudgetLine, Envelope)}
    events = count(session, AuditEvent)
    body = req(rules={"pass_threshold": "75"}, lottery={"seed": 3})
    result = service.what_if(session, SYSTEM, built["program"].id, body)
    assert {m: count(session, m) for m in before} == before
    assert count(session, AuditEvent) == events + 1
    event = session.get(AuditEvent, result.audit_event_id)
    assert event.action == "whatif.run" and event.entity_id == str(built["program"].id)
    after = json.loads(event.after_json)
    assert after["digest"] == result.digest and after["request"]["rules"]["pass_threshold"] == "75"
    assert after["request"]["lottery"] == {"seed": 3, "tolerance": "0"}


def test_invalid_rule_combinations_and_targets_are_refused(session):
    """Issue 15: the run's rules are checked as a whole (a band above the threshold), targets must exist."""
    built = programme(session, [[[80] * 5]])
    pid = built["program"].id
    with pytest.raises(RuleViolation) as exc:
        service.run_what_if(session, pid, req(rules={"pass_threshold": "60"}))  # lowest band 70 > 60
    assert exc.value.field.startswith("rules")
    with pytest.raises(RuleViolation) as exc:
        service.run_what_if(session, pid, req(budgets=[{"target": "nowhere", "change_pct": "5"}]))
    assert exc.value.field == "budgets.target"
