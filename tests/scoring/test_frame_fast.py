"""The evaluation frame's fast paths (issue 14) give what the plain definitions give.

- sheets read as Core rows, their `submitted_at` converted on first read: the ORM's value, on both databases;
- a frame loaded with `sheets_only` counts the same sheets and refuses to decide;
- `evaluator_leniency` is `evaluator_stats(...).leniency`, `score_distribution(field_code=True)` adds the field;
- on the seeded programme, leniency, Kendall's W, outliers and every project's panel scores equal the plain
  definitions (tests/scoring/test_rules_plain.py) applied to the frame's sheets.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from sqlmodel import Session, select

from scoring import evaluation_frame, results, rules
from scoring.models import ScoreSheet
from tests.scoring.builders import scenario, score
from tests.scoring.test_rules_plain import (
    plain_kendall_w,
    plain_leniency,
    plain_mean,
    plain_outliers,
    plain_panel_score,
    plain_trimmed_positions,
)


def test_frame_sheets_and_light_paths_on_both_databases(session):
    s = scenario(session, n_eval=5, n_props=2)
    a, b = s["proposals"]
    for u, ta, tb in zip(s["users"], [80, 82, 84, 86, 100], [70, 71, 72, 73, 60], strict=True):
        score(session, u, a, ta)
        if tb != 60:
            score(session, u, b, tb)
    program_id = s["program"].id
    fr = evaluation_frame.load_frame(session, program_id)
    orm = {sh.id: sh for sh in session.exec(select(ScoreSheet)).all()}
    sheets = [x for v in fr.sheets_by_proposal.values() for x in v]
    assert len(sheets) == 10
    for x in sheets:
        want = orm[x.id]
        assert x.submitted_at == want.submitted_at and (x.submitted_at is None) == (want.status != "submitted")
        assert x.submitted_at is None or x.submitted_at.utcoffset() == want.submitted_at.utcoffset()
        assert x.submitted_at == want.submitted_at  # a second read gives the converted value again
        assert x.total == want.total and x.status == want.status

    light = evaluation_frame.load_frame(session, program_id, sheets_only=True)
    assert {p: [x.id for x in light.counted(p)] for p in light.proposals} == \
        {p: [x.id for x in fr.counted(p)] for p in fr.proposals}
    with pytest.raises(ValueError):
        light.decide(s["project"].id)

    assert results.evaluator_leniency(session, program_id) == results.evaluator_stats(session, program_id).leniency
    plain = results.score_distribution(session, program_id)
    with_field = results.score_distribution(session, program_id, field_code=True)
    assert list(with_field.columns) == [*plain.columns, "field_code"]
    assert with_field[plain.columns].equals(plain)
    assert set(with_field.field_code) == {fr.projects[s["project"].id]["field_code"]}


def test_seeded_statistics_equal_the_plain_definitions(seeded_engine, seeded):
    program_id = seeded.report.main_program_id
    with Session(seeded_engine) as s:
        fr = evaluation_frame.load_frame(s, program_id)
        stats = results.evaluator_stats(s, program_id)
        assert results.evaluator_leniency(s, program_id) == stats.leniency
        rows = [(x.evaluator_code, pid, x.total) for pid in fr.proposals for x in fr.counted(pid)]
        want = plain_leniency(rows)
        assert [(r.evaluator_code, r.sheets, r.leniency) for r in stats.leniency] == \
            [(c, n, rules.to_decimal(v)) for c, (n, v) in sorted(want.items())]
        agreement = {a.project_id: a for a in stats.agreement}
        outliers = {(o.sheet_id, o.median_of_others, o.distance) for o in stats.outliers}
        plain_outs = set()
        checked = 0
        for prj_id in fr.projects:
            pids = [p for p in fr.proposals_by_project.get(prj_id, []) if fr.proposals[p]["eligible"]]
            per_rater: dict[str, dict[int, object]] = {}
            for pid in pids:
                totals = [(x, x.total) for x in fr.counted(pid)]
                for x, t in totals:
                    per_rater.setdefault(x.panel_code, {})[pid] = t
                for x, med, dist in plain_outliers(totals, max_distance=fr.rules.outlier_points):
                    plain_outs.add((x.id, rules.to_decimal(med), rules.to_decimal(dist)))
            full = [[r[p] for p in pids] for r in per_rater.values() if len(r) == len(pids)]
            if full:
                assert agreement[prj_id].kendall_w == rules.to_decimal(plain_kendall_w(full))
                checked += 1
            # every proposal's panel score, trimming and heaviest mean as decide gives them
            by_id = fr.decide(prj_id).by_id()
            for pid in pids:
                totals = [x.total for x in fr.counted(pid)]
                o = by_id[pid]
                assert o.panel_score == plain_panel_score(totals, fr.rules.trim_from_sheets)
                assert o.trimmed == plain_trimmed_positions(totals, fr.rules.trim_from_sheets)
                heavy = [fr.heaviest_points[x.id] for x in fr.counted(pid) if x.id in fr.heaviest_points]
                assert o.heaviest_mean == plain_mean(heavy)
                if o.panel_score is not None:
                    assert o.final_score == o.panel_score + Fraction(fr.bonus(pid)[1])
        assert outliers == plain_outs and checked > 100
