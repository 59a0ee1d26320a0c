"""History that cannot be rewritten unnoticed (issue 10): every guarded row under the chain.

Runs on the test database of the run (SQLite, or PostgreSQL with TEST_DB=postgres): the
2021 programme is seeded once for the module, a normal day of activity goes through the
services, and then, for each guarded table, a row is edited, deleted and inserted behind
the application's back — each inside a transaction that is rolled back, verified on that
same connection — and must be detected and named.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Boolean, Integer, Numeric, String, Text, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, select

import schema
from core import audit
from core.audit import GUARDED, SYSTEM

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")


@pytest.fixture(scope="module")
def history(engine: Engine) -> Iterator[dict[str, Any]]:
    """The seeded programme plus a normal day of activity through the services (module-wide)."""
    from tests.conftest import _truncate

    _truncate(engine)
    from seed_data.run import run_seed

    report = run_seed(engine, scale="program", seed=2021)
    day = _normal_day(engine)
    yield {"seed": report, "day": day}
    _truncate(engine)


def _normal_day(engine: Engine) -> dict[str, Any]:
    """Writes an ordinary day makes: payments, a reversal, a line transfer, an extension, a re-screening,
    a reopened sheet, a new account — every one through a service, none recording row digests itself."""
    from budgeting import ledger
    from budgeting import service as money
    from budgeting.models import Award, BudgetLine
    from budgeting.schemas import (
        EnvelopeTransferCreate,
        ExpenditureCreate,
        ExtensionCreate,
        LineTransferCreate,
        ReversalCreate,
    )
    from core.errors import Conflict
    from program import lifecycle
    from program.models import Proposal
    from scoring import panels as admin
    from scoring import screening
    from scoring.models import ScoreSheet, Screening, Selection, SheetStatus
    from tests.builders import make_user

    official = audit.Actor("official", "official")
    with Session(engine, expire_on_commit=False) as s:
        award = s.exec(select(Award).order_by(Award.id.desc())).first()  # type: ignore[attr-defined]
        assert award is not None
        lines = {str(b.category): b for b in s.exec(select(BudgetLine).where(BudgetLine.award_id == award.id))}
        line = max(lines.values(), key=lambda b: b.budget_krw - b.spent_krw)
        day = min(award.current_end_date, max(award.start_date, date(2021, 9, 1)))
        paid = ledger.record_expenditure(s, official, award.id, ExpenditureCreate(  # type: ignore[arg-type]
            category=line.category, spent_date=day, amount_krw=1_000, payee_name="한빛데이터(주)",
            evidence_ref="EV-DAY-1"))
        ledger.reverse_expenditure(s, official, paid.id, ReversalCreate(reason="중복 지급 정정"))  # type: ignore[arg-type]
        ledger.record_expenditure(s, official, award.id, ExpenditureCreate(  # type: ignore[arg-type]
            category=line.category, spent_date=day, amount_krw=2_000, payee_name="두리 지급처",
            evidence_ref="EV-DAY-2"))
        other = next(c for c in lines if c != str(line.category))
        money.request_line_transfer(s, official, award.id, LineTransferCreate(  # type: ignore[arg-type]
            from_category=line.category, to_category=other, amount_krw=1, reason="소액 비목 전용"))
        envs = money.list_envelopes(s, award.program_id)
        rich = max(envs, key=lambda e: e.amount_krw - e.awarded_krw)
        money.transfer_between_envelopes(s, official, award.program_id, EnvelopeTransferCreate(
            from_envelope_id=rich.id, to_envelope_id=next(e.id for e in envs if e.id != rich.id), amount_krw=1,
            reason="재원 조정"))
        money.extend_award(s, official, award.id, ExtensionCreate(  # type: ignore[arg-type]
            new_end_date=award.current_end_date + timedelta(days=30), reason="기간 연장"))
        confirmed = set(s.exec(select(Selection.project_id)).all())
        sc = s.exec(select(Screening).join(Proposal, Proposal.id == Screening.proposal_id)  # type: ignore[arg-type]
                    .where(Screening.project_id.not_in(confirmed),  # type: ignore[attr-defined]
                           Proposal.status.in_(lifecycle.PROPOSAL_SCREENABLE))).first()  # type: ignore[attr-defined]
        assert sc is not None, "the seed has no proposal left to re-screen"
        screening.override_screening(s, official, sc.proposal_id, not sc.effective_eligible, "재검토 결과 변경")
        sheets = s.exec(select(ScoreSheet).where(ScoreSheet.status == SheetStatus.submitted,
                                                 ScoreSheet.project_id.not_in(confirmed))).all()  # type: ignore[attr-defined]
        reopened = 0
        for sheet in sheets:
            try:
                admin.reopen_sheet(s, official, sheet.id, "평가위원 요청으로 재개")  # type: ignore[arg-type]
                reopened += 1
                break
            except Conflict:
                s.rollback()
        assert reopened, "the seed has no sheet left to reopen"
        user = make_user(s)
    return {"award_id": award.id, "user_id": user.id}


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the module's data (not the conftest one, which empties the tables after each test)."""
    with Session(engine, expire_on_commit=False) as s:
        yield s


def test_seed_and_a_normal_day_verify(history: dict[str, Any], session: Session) -> None:
    """Legitimate history verifies: the seed (bulk, Merkle roots), payments, a reversal, a transfer,
    an extension, a re-screening, a reopened sheet and a new account (ORM, covered at commit)."""
    report = audit.verify_history(session)
    assert report.ok, [f.line() for f in report.findings] or report.chain
    assert set(report.tables) >= set(GUARDED)
    for table in GUARDED:
        state = report.tables[table]
        assert state.rows > 0, f"no {table} row in the seeded day: the test would prove nothing for it"
        assert state.entries >= state.rows


def test_every_seeded_ledger_row_has_its_own_digest(history: dict[str, Any], session: Session) -> None:
    """The seed wrote 4 summary events for ~28,000 ledger rows (finding); now each row has an entry."""
    n_rows = session.exec(text("SELECT count(*) FROM expenditure")).one()[0]  # type: ignore[call-overload]
    covered = session.exec(text("SELECT count(DISTINCT row_id) FROM audit_row "  # type: ignore[call-overload]
                                "WHERE table_name = 'expenditure'")).one()[0]
    assert n_rows > 20_000 and covered == n_rows


# --------------------------------------------------------------------------- tampering, table by table


def _meta_table(name: str) -> Any:
    return schema.load_models().tables[name]


def _edit_column(name: str) -> tuple[str, str]:
    """A column that can be changed in place without breaking a constraint, and the SQL expression to change it."""
    t = _meta_table(name)
    skip = {c.name for c in t.columns if c.primary_key or c.foreign_keys or c.unique}
    for idx in t.indexes:
        if idx.unique:
            skip |= {c.name for c in idx.columns}
    for cons in t.constraints:
        skip |= {c.name for c in getattr(cons, "columns", []) if type(cons).__name__ == "UniqueConstraint"}
    cols = [c for c in t.columns if c.name not in skip]
    for kind, expr in ((Integer, "{c} + 1"), (Numeric, "{c} + 1"), (String, "{c} || 'x'"), (Text, "{c} || 'x'"),
                       (Boolean, "NOT {c}")):
        for c in cols:
            typ = getattr(c.type, "impl", c.type)  # sqlmodel's AutoString decorates String
            if isinstance(typ, kind) and not hasattr(c.type, "enums") and not c.nullable:
                return c.name, expr.format(c=f'"{c.name}"')
    raise AssertionError(f"no editable column in {name}")


def _pick_row(conn: Connection, table: str) -> int:
    return conn.exec_driver_sql(f'SELECT max(id) FROM "{table}"').scalar_one()


def _defer_constraints(conn: Connection) -> None:
    """Let a deleted row stay referenced until the (rolled back) end of the transaction."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    else:
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")


def _tampered(engine: Engine, table: str, tamper: Any) -> tuple[audit.HistoryReport, Any]:
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            _defer_constraints(conn)
            info = tamper(conn)
            report = audit.verify_history(conn, tables=[table])
        finally:
            trans.rollback()
    return report, info


@pytest.mark.parametrize("table", GUARDED)
def test_row_edited_behind_the_back_is_named_with_its_field(history: dict[str, Any], engine: Engine,
                                                            table: str) -> None:
    """`UPDATE expenditure SET amount_krw = amount_krw + 1000000` passed `audit verify` (finding); any guarded
    table: the edit is detected, with the table, the id and the column."""
    column, expr = _edit_column(table)

    def edit(conn: Connection) -> int:
        rid = _pick_row(conn, table)
        conn.exec_driver_sql(f'UPDATE "{table}" SET "{column}" = {expr} WHERE id = {rid}')
        return rid

    report, rid = _tampered(engine, table, edit)
    assert not report.ok
    edited = [f for f in report.findings if f.kind == "edited"]
    assert [(f.table, f.row_id) for f in edited] == [(table, rid)]
    assert column in edited[0].fields


@pytest.mark.parametrize("table", GUARDED)
def test_row_deleted_behind_the_back_is_named(history: dict[str, Any], engine: Engine, table: str) -> None:
    """A row deleted outside the application is named: table and id."""
    def delete(conn: Connection) -> int:
        rid = _pick_row(conn, table)
        conn.exec_driver_sql(f'DELETE FROM "{table}" WHERE id = {rid}')
        return rid

    report, rid = _tampered(engine, table, delete)
    assert [(f.kind, f.table, f.row_id) for f in report.findings] == [("deleted", table, rid)]


@pytest.mark.parametrize("table", GUARDED)
def test_row_inserted_behind_the_back_is_named(history: dict[str, Any], engine: Engine, table: str) -> None:
    """A row inserted outside the application (here: a copy of a row under a new id) is named."""
    def insert(conn: Connection) -> int:
        rid = _pick_row(conn, table)
        new_id = rid + 1000
        cols = [c.name for c in _meta_table(table).columns if c.name != "id"]
        names = ", ".join(f'"{c}"' for c in cols)
        conn.exec_driver_sql(f'CREATE TEMPORARY TABLE copied AS SELECT * FROM "{table}" WHERE id = {rid}')
        conn.exec_driver_sql(f'DELETE FROM "{table}" WHERE id = {rid}')  # frees its unique values
        conn.exec_driver_sql(f'INSERT INTO "{table}" (id, {names}) SELECT {new_id}, {names} FROM copied')
        return rid, new_id

    report, (old_id, new_id) = _tampered(engine, table, insert)
    kinds = {(f.kind, f.row_id) for f in report.findings if f.table == table}
    assert ("inserted", new_id) in kinds and ("deleted", old_id) in kinds


def test_digest_store_edited_to_match_an_edit_is_caught_by_the_root(history: dict[str, Any],
                                                                    engine: Engine) -> None:
    """Editing a row *and* its stored digest consistently does not pass: the event's Merkle root disagrees."""
    def edit_both(conn: Connection) -> int:
        rid = _pick_row(conn, "expenditure")
        conn.exec_driver_sql(f"UPDATE expenditure SET amount_krw = amount_krw + 1000000 WHERE id = {rid}")
        cols = sorted(c.name for c in _meta_table("expenditure").columns)
        from core import digest as dg

        (_, js, *raw), = dg.read_rows(conn, "expenditure", cols, [rid], raw=True)
        conn.exec_driver_sql(
            "UPDATE audit_row SET digest = ?, fields = ? WHERE table_name = 'expenditure' AND row_id = ? "
            "AND event_id = (SELECT max(event_id) FROM audit_row WHERE table_name = 'expenditure' AND row_id = ?)"
            .replace("?", "%s" if conn.dialect.name == "postgresql" else "?"),
            (dg.row_digest(js), dg.field_prints(raw), rid, rid))
        return rid

    with engine.connect() as conn:
        trans = conn.begin()
        try:
            edit_both(conn)
            report = audit.verify_history(conn)
        finally:
            trans.rollback()
    assert not report.ok
    assert [f.kind for f in report.findings] == ["store"]
    assert "Merkle root" in report.findings[0].detail


def test_a_bulk_write_nobody_covers_cannot_commit(history: dict[str, Any], engine: Engine) -> None:
    """Coverage is enforced: a bulk statement on a guarded table without record_bulk fails at commit."""
    from sqlalchemy import update

    from budgeting.models import Hire

    with Session(engine) as s:
        s.execute(update(Hire).where(Hire.id == 1).values(job_role="데이터 라벨러"))  # type: ignore[arg-type]
        with pytest.raises(audit.UncoveredWrite, match="hire"):
            s.commit()
        s.rollback()
    with Session(engine) as s:
        assert s.get(Hire, 1).job_role != "데이터 라벨러"  # type: ignore[union-attr]


def test_password_hashes_never_reach_the_event_log(history: dict[str, Any], session: Session) -> None:
    """Covering events carry each row's values for auditors, but an account's password hash is redacted."""
    from core.models import AuditEvent

    ev = session.exec(select(AuditEvent).where(AuditEvent.action == "rows.write",
                                               AuditEvent.entity_type == "app_user")).first()
    assert ev is not None and ev.after_json is not None
    assert "<redacted>" in ev.after_json and "argon2" not in ev.after_json


def test_added_column_is_rebaselined_by_an_event(history: dict[str, Any], engine: Engine) -> None:
    """A migration that adds a column changes every digest of the table: verify says so and names the
    column; `rebaseline --added` re-records them (refused while anything else is off), then all verifies."""
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE training_session ADD COLUMN online_hours INTEGER NOT NULL DEFAULT 0")
    audit.forget_columns()  # the running process learns the new column (a migration restarts the app)
    try:
        with Session(engine) as s:
            before = audit.verify_history(s, tables=["training_session"])
            assert not before.ok
            assert {f.kind for f in before.findings} == {"edited"}
            assert all("online_hours" in f.fields for f in before.findings)
            assert any("rebaseline" in h for h in before.hints)
        with engine.begin() as conn:  # an edit elsewhere: the rebaseline must refuse to bless it
            conn.exec_driver_sql("UPDATE hire SET job_role = job_role || 'x' WHERE id = 1")
        with Session(engine) as s:
            refused = audit.rebaseline(s, SYSTEM, reason="migration 0003", added=["training_session.online_hours"])
            assert refused.refused is not None and not refused.events
        with engine.begin() as conn:
            conn.exec_driver_sql("UPDATE hire SET job_role = substr(job_role, 1, length(job_role) - 1) WHERE id = 1")
        with Session(engine) as s:
            done = audit.rebaseline(s, SYSTEM, reason="migration 0003 adds training_session.online_hours",
                                    added=["training_session.online_hours"])
            assert done.refused is None and done.events
            s.commit()
        with Session(engine) as s:
            assert audit.verify_history(s).ok
            ev = s.get(audit.AuditEvent, done.events[0])
            assert ev.action == "rows.rebaseline" and "migration 0003" in (ev.reason or "")  # type: ignore[union-attr]
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE training_session DROP COLUMN online_hours")
        audit.forget_columns()
        with Session(engine) as s:  # back to the model's columns: re-record once more for the next tests
            ids = [r[0] for r in s.exec(text("SELECT id FROM training_session"))]  # type: ignore[call-overload]
            from budgeting.models import TrainingSession

            audit.record_bulk(s, SYSTEM, TrainingSession, ids, action="rows.rebaseline", reason="test cleanup")
            s.commit()
