"""The seeded 2021 programme: a result recomputed by hand, planted patterns, contract functions."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlalchemy import text
from sqlmodel import Session

from scoring import service


def _hand_result(s: Session, project_id: int) -> dict[int, dict]:
    """Panel and final scores from raw rows, by hand: sort the totals, drop the ends from 5 sheets, add bonus."""
    rows = s.execute(text("""
        SELECT sh.proposal_id, sh.total FROM score_sheet sh
        WHERE sh.project_id = :p AND sh.status = 'submitted' ORDER BY sh.proposal_id, sh.id"""),
                     {"p": project_id}).all()
    facts = {r[0]: r[1:] for r in s.execute(text("""
        SELECT pr.id, pr.requested_grant_krw, pr.planned_crowd_payment_krw, pr.vulnerable_hiring_plan,
               o.region, pj.region, ct.code, pj.ceiling_krw
        FROM proposal pr JOIN consortium c ON c.id = pr.consortium_id JOIN organization o ON o.id = c.lead_org_id
        JOIN project pj ON pj.id = pr.project_id JOIN call_type ct ON ct.id = pj.call_type_id
        WHERE pr.project_id = :p"""), {"p": project_id}).all()}
    totals: dict[int, list[Fraction]] = {}
    for pid, total in rows:
        totals.setdefault(pid, []).append(Fraction(Decimal(str(total))))
    out = {}
    for pid, ts in totals.items():
        ts = sorted(ts)
        kept = ts[1:-1] if len(ts) >= 5 else ts
        panel = sum(kept) / len(kept)
        grant, crowd, vulnerable, lead_region, region, call_type, ceiling = facts[pid]
        bonus = (2 if Fraction(crowd, grant) >= Fraction(3, 10) else 0) + (2 if vulnerable else 0) \
            + (1 if call_type == "regional" and lead_region == region else 0)
        final = panel + min(bonus, 5)
        rate = Fraction(1) if final >= 90 else Fraction(95, 100) if final >= 80 else Fraction(9, 10)
        out[pid] = {"panel": panel, "final": final,
                    "grant": min(int(grant * rate) // 1000 * 1000, ceiling) if final >= 70 else None}
    return out


def _dec(x: Fraction) -> Decimal:
    return (Decimal(x.numerator) / Decimal(x.denominator)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def test_seeded_project_result_recomputed_by_hand(seeded_engine, seeded):
    planted = seeded.report.planted
    skip = set(planted.get("incomplete_panel_projects", []))
    with Session(seeded_engine) as s:
        program_id = seeded.report.main_program_id
        # a regional project with several eligible proposals, nothing planted on it
        project_id = s.execute(text("""
            SELECT pj.id FROM project pj JOIN call_type ct ON ct.id = pj.call_type_id
            JOIN selection se ON se.project_id = pj.id
            WHERE pj.program_id = :g AND ct.code = 'regional'
              AND (SELECT count(*) FROM screening sc WHERE sc.project_id = pj.id AND sc.eligible) >= 2
              AND NOT EXISTS (SELECT 1 FROM conflict_record cr WHERE cr.project_id = pj.id)
            ORDER BY pj.id LIMIT 1"""), {"g": program_id}).scalar_one()
        assert project_id not in skip
        hand = _hand_result(s, project_id)
        result = service.project_result(s, project_id)
        assert result.outcome == "selected" and result.complete
        ranked = sorted(hand, key=lambda p: -hand[p]["final"])
        assert [p.proposal_id for p in result.proposals if p.rank][: len(ranked)] == ranked
        for p in result.proposals:
            if p.proposal_id in hand:
                assert p.panel_score == _dec(hand[p.proposal_id]["panel"])
                assert p.final_score == _dec(hand[p.proposal_id]["final"])
                assert p.recommended_grant_krw == hand[p.proposal_id]["grant"]
        winner = result.proposals[0]
        sel = service.get_selection(s, result.selection_id)
        assert sel.proposal_id == winner.proposal_id == result.selected_proposal_id
        assert sel.final_score == winner.final_score and sel.recommended_grant_krw == winner.recommended_grant_krw
        assert result.confirmed_by and result.confirmed_at is not None


def test_seeded_planted_patterns_and_screening(seeded_engine, seeded):
    planted = seeded.report.planted
    program_id = seeded.report.main_program_id
    with Session(seeded_engine) as s:
        reasons = dict(s.execute(text("SELECT proposal_id, reasons FROM screening")).all())

        def codes(pid):
            import json

            value = reasons[pid]
            return [r["code"] for r in (json.loads(value) if isinstance(value, str) else value)]

        assert all(codes(p) == ["too_few_hires"] for p in planted["too_few_hires"])
        assert all(codes(p) == ["too_few_members"] for p in planted["single_member"])
        assert all(codes(p) == ["lead_too_many_fields"] for p in planted["lead_four_fields"])
        assert any(codes(p) == ["member_restricted"] for p in reasons)
        counted = service.conflicted_sheets_counted(s, program_id)
        assert [c["sheet_id"] for c in counted] == planted["conflicted_sheet_counted"]
        departing = service.selections_departing_from_ranking(s, program_id)
        assert [d["selection_id"] for d in departing] == planted["selection_without_reason"]
        assert departing[0]["has_reason"] is False and departing[0]["rank"] == 2
        df = service.evaluation_overview(s, program_id)
        assert len(df) == 150
        assert set(df.loc[df.outcome == "pending", "project_id"]) == set(planted["incomplete_panel_projects"])
        assert (df.outcome == "re-announce").sum() >= 3
        assert df.loc[df.outcome != "pending", "complete"].sum() >= 140
        assert int(df.confirmed.sum()) == len(service.list_selections(s, program_id))
        assert df.panel_size[df.panel_size > 0].between(5, 9).all()
        stats = service.evaluator_stats(s, program_id)
        lenient = [x for x in stats.leniency if x.sheets >= 5]
        assert max(x.leniency for x in lenient) > 4 and min(x.leniency for x in lenient) < -4
        dist = service.score_distribution(s, program_id)
        assert dist.total.between(0, 100).all() and len(dist) > 2000
