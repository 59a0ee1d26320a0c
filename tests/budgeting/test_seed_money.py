"""Invariants of the seeded money: envelopes add up, no overspend except the planted rows, planted patterns."""

from collections import Counter, defaultdict
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import Session, select

from budgeting import queries, rules
from budgeting.models import Award, BudgetLine, Envelope, Expenditure, Hire, JobPosting
from program.models import Program, ProgramRules, Project
from scoring.models import Selection
from seed_data.common import call_2021


def test_cost_shares_match_the_call_data():
    expected = {c["code"]: Decimal(c["typical_share"]) for c in call_2021()["cost_categories"]}
    assert ProgramRules().cost_category_shares == expected
    assert ProgramRules.model_validate(call_2021()["rules"]).cost_category_shares == expected


def test_envelopes_awards_and_lines_add_up(seeded):
    planted = seeded.report.planted
    with Session(seeded.engine) as s:
        program = s.exec(select(Program).where(Program.year == 2021)).one()
        envs = s.exec(select(Envelope).where(Envelope.program_id == program.id)).all()
        assert sum(e.amount_krw for e in envs) == program.total_budget_krw
        assert {e.code for e in envs} >= {"designated-LANG", "designated-HEALTH", "regional", "free"}
        awards = s.exec(select(Award).where(Award.program_id == program.id)).all()
        sels = s.exec(select(Selection).where(Selection.program_id == program.id)).all()
        assert len(awards) == len(sels) > 100
        ceilings = {p.id: p.ceiling_krw for p in s.exec(select(Project)).all()}
        by_env = Counter()
        for a in awards:
            assert a.grant_krw <= ceilings[a.project_id]
            by_env[a.envelope_id] += a.grant_krw
        assert all(by_env[e.id] <= e.amount_krw for e in envs)
        lines = s.exec(select(BudgetLine)).all()
        per_award = defaultdict(int)
        for ln in lines:
            per_award[ln.award_id] += ln.budget_krw
        assert all(per_award[a.id] == a.grant_krw + a.matching_krw for a in awards)
        ledger = dict(s.exec(text("SELECT line_id, SUM(amount_krw) FROM expenditure GROUP BY line_id")).all())
        assert all(ln.spent_krw == ledger.get(ln.id, 0) for ln in lines)
        overrun = {ln.id for ln in lines if ln.spent_krw > ln.budget_krw}
        assert overrun == set(planted["line_overrun"])
        over_cap = set()
        for a in awards:
            budgets = {str(ln.category): ln.budget_krw for ln in lines if ln.award_id == a.id}
            if rules.indirect_excess_krw(budgets):
                over_cap.add(a.id)
        assert over_cap == set(planted["indirect_over_cap"])


def test_ledger_reversals_and_period(seeded):
    planted = seeded.report.planted
    with Session(seeded.engine) as s:
        reversals = s.exec(select(Expenditure).where(Expenditure.reverses_id.is_not(None))).all()
        assert reversals
        for r in reversals:
            original = s.get(Expenditure, r.reverses_id)
            assert original.reverses_id is None and r.amount_krw == -original.amount_krw
        outside = s.exec(text("SELECT e.id FROM expenditure e JOIN award a ON a.id = e.award_id "
                              "WHERE e.spent_date < a.start_date OR e.spent_date > a.current_end_date")).all()
        assert sorted(r[0] for r in outside) == sorted(planted["out_of_period"])
        assert s.exec(text("SELECT COUNT(*) FROM expenditure")).one()[0] > 20_000


def test_hires_and_postings(seeded):
    planted = seeded.report.planted
    with Session(seeded.engine) as s:
        program = s.exec(select(Program).where(Program.year == 2021)).one()
        rows = queries.hires_table(s, program_id=program.id)
        short = [r for r in rows if r.shortfall]
        assert 0 < len(short) < len(rows) / 3  # most awards compliant, some short
        assert any(r.lacking_evidence for r in rows)
        ghosts = [s.get(Hire, i) for i in planted["ghost_employee"]]
        assert ghosts[0].person_key == ghosts[1].person_key and ghosts[0].award_id != ghosts[1].award_id
        assert all(not s.get(Hire, i).social_insurance for i in planted["hire_without_insurance"])
        posts = s.exec(select(JobPosting)).all()
        assert 0 < sum(p.is_open for p in posts) < len(posts)
        for key in ("round_trip_payee", "inflated_labour", "crowd_shortfall"):
            assert planted[key]
        members_bn = {r[0] for r in s.exec(text(
            "SELECT o.business_number FROM organization o JOIN consortium_member m ON m.org_id = o.id")).all()}
        assert all(s.get(Expenditure, i).payee_business_number in members_bn for i in planted["round_trip_payee"])
