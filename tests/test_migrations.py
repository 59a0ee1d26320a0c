"""The Alembic migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import schema
from core import db, migrate


def test_migrations_match_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    migrate.upgrade(url)
    engine = db.make_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), schema.load_models())
    engine.dispose()
    assert diff == [], f"models and migrations differ; run `alembic revision --autogenerate`: {diff}"


def test_migration_0004_fills_spend_month_from_an_existing_ledger_and_keeps_it(tmp_path):
    """A database whose ledger was written before spend_month existed gets its sums at the upgrade, and
    the triggers keep them from then on."""
    import sqlite3

    path = tmp_path / "old.db"
    migrate.upgrade(f"sqlite:///{path}", "0003")
    con = sqlite3.connect(path)  # foreign keys off: ledger rows without their award, for the sums only
    row = ("x", "", "", "seed", "2021-05-01 00:00:00")
    con.executemany("INSERT INTO expenditure (program_id, award_id, line_id, spent_date, amount_krw, payee_name, "
                    "description, evidence_ref, created_by, created_at) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?)",
                    [(1, 7, "2021-05-03", 100, *row), (1, 7, "2021-05-30", 20, *row), (1, 8, "2021-06-01", 5, *row)])
    con.commit()
    con.close()
    migrate.upgrade(f"sqlite:///{path}")
    con = sqlite3.connect(path)
    sums = "SELECT award_id, month, amount_krw, entries FROM spend_month ORDER BY award_id, month"
    assert con.execute(sums).fetchall() == [(7, "2021-05", 120, 2), (8, "2021-06", 5, 1)]
    con.execute("INSERT INTO expenditure (program_id, award_id, line_id, spent_date, amount_krw, payee_name, "
                "description, evidence_ref, created_by, created_at) VALUES (1, 8, 1, '2021-06-09', -5, ?, ?, ?, ?, ?)",
                row)
    assert con.execute(sums).fetchall() == [(7, "2021-05", 120, 2), (8, "2021-06", 0, 2)]
    con.close()
