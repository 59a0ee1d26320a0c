"""Cross-year figures agree with each year's headline figures (one truth), and findings come only
from what compliance passes in."""

from sqlmodel import Session

from budgeting import analytics, years


def test_each_year_equals_its_headline_figures(seeded_engine):
    with Session(seeded_engine) as s:
        rows = years.figures_by_year(s)
        assert rows and [r.year for r in rows] == sorted(r.year for r in rows)
        for r in rows:
            h = analytics.headline_figures(s, r.program_id)
            assert (r.year, r.as_of, r.total_budget_krw) == (h.year, h.as_of, h.total_budget_krw)
            assert r.awarded_grant_krw == h.awarded_grant_krw and r.executed_total_krw == h.executed_total_krw
            assert r.project_budget_krw == h.project_budget_krw and r.awards == h.projects_awarded
            assert (r.types_built, r.types_opened, r.types_contracted) == (h.types_built, h.types_opened,
                                                                          h.types_contracted)
            assert r.findings is None
        assert any(r.executed_total_krw > 0 and r.direct_hires > 0 for r in rows)


def test_findings_by_year_are_taken_from_the_caller(seeded_engine):
    with Session(seeded_engine) as s:
        year = years.figures_by_year(s)[0].year
        rows = years.figures_by_year(s, findings_by_year={year: 7})
    assert rows[0].findings == 7 and all(r.findings == 0 for r in rows[1:])
