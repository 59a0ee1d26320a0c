"""Seed invariants of the 2021 programme: totals, counts, ranges, determinism."""

from collections import Counter

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import schema
from budgeting.rules import required_direct_hires
from core import audit, db
from program.models import CallType, CoreField, Organization, Program, Project, Proposal
from program.rules import business_number_valid
from seed_data.run import run_seed


def test_programme_totals_and_counts(seeded_engine: Engine):
    with Session(seeded_engine) as s:
        program = s.exec(select(Program).where(Program.year == 2021)).one()
        assert program.total_budget_krw == 292_500_000_000
        projects = s.exec(select(Project).where(Project.program_id == program.id)).all()
        assert len(projects) == 150
        types = {t.id: t.code for t in s.exec(select(CallType)).all()}
        assert Counter(types[p.call_type_id] for p in projects) == {"designated": 130, "regional": 10, "free": 10}
        fields = {f.id: f.code for f in s.exec(select(CoreField)).all()}
        designated = Counter(fields[p.field_id] for p in projects if types[p.call_type_id] == "designated")
        assert designated == {"LANG": 30, "VISION": 27, "HEALTH": 22, "TRANSPORT": 15, "AGRI": 18, "SAFETY": 18}
        assert len(fields) == 6
        assert sum(p.ceiling_krw for p in projects) <= program.total_budget_krw
        assert all(1_900_000_000 <= p.ceiling_krw <= 7_600_000_000 for p in projects)
        assert all(p.region for p in projects if types[p.call_type_id] == "regional")
        assert required_direct_hires(program.total_budget_krw, program.rules.hires_per_100m_krw) == 7020


def test_organisations_and_proposals_are_plausible(seeded_engine: Engine):
    with Session(seeded_engine) as s:
        orgs = s.exec(select(Organization)).all()
        assert 300 <= len(orgs) <= 600
        assert all(business_number_valid(o.business_number) for o in orgs)
        assert len({o.business_number for o in orgs}) == len(orgs)
        per_project = Counter(p.project_id for p in s.exec(select(Proposal)).all())
        assert min(per_project.values()) >= 2
        assert max(per_project.values()) <= 9  # 2–5 regular ones, plus a few planted
        projects = {p.id: p for p in s.exec(select(Project)).all()}
        for p in s.exec(select(Proposal)).all():
            assert 0 < p.requested_grant_krw <= projects[p.project_id].ceiling_krw
        members = s.exec(text(
            "SELECT consortium_id, COUNT(*) FROM consortium_member GROUP BY consortium_id")).all()
        sizes = [n for _, n in members]
        assert min(sizes) == 1 and max(sizes) <= 8  # the planted single-member consortia
        assert sum(1 for n in sizes if n >= 2) / len(sizes) > 0.95


def test_planted_ineligible_proposals_are_recorded(seeded):
    planted = seeded.report.planted
    assert len(planted["too_few_hires"]) == 3
    assert len(planted["single_member"]) == 2
    assert len(planted["lead_four_fields"]) == 4


def test_audit_chain_of_the_seed_is_intact(seeded_engine: Engine):
    with Session(seeded_engine) as s:
        assert audit.verify_chain(s).ok


def _dump(engine: Engine) -> dict[str, list[tuple]]:
    out = {}
    with engine.connect() as conn:
        for table in schema.load_models().sorted_tables:
            if table.name == "app_user":
                continue  # password hashes are salted
            out[table.name] = [tuple(r) for r in conn.execute(table.select().order_by(*table.primary_key.columns))]
    return out


def test_same_seed_same_rows_other_seed_other_rows(tmp_path, seeded_engine: Engine):
    engines = []
    for name, seed in (("a", 2021), ("b", 7)):
        eng = db.make_engine(f"sqlite:///{tmp_path / name}.db")
        schema.create_all(eng)
        run_seed(eng, scale="program", seed=seed)
        engines.append(eng)
    same, other = _dump(engines[0]), _dump(engines[1])
    assert same == _dump(seeded_engine)
    assert same["organization"] != other["organization"]
    for e in engines:
        e.dispose()
