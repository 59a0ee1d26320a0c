"""History benchmarks (issue 10), each against a floor measured in the same run.

1. `audit verify` over the national database (var/national.db, ~1M ledger rows and the other
   guarded tables; built here when missing) against a floor: reading the same rows with
   sqlite3 and hashing each (`sha256(repr(row))`) with hashlib. Goal: within 3× of the floor.
2. The cost of the row digest on a single ledger write: p50 of 1,000 API writes
   (`POST /api/v1/budgeting/awards/{id}/ledger`, in-process client, program-scale copy) with the
   coverage hook and with it removed, alternating request by request so the load of a shared machine hits both alike.
   Goal: under 10% more.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.common import save

ROOT = Path(__file__).resolve().parent.parent
NATIONAL = ROOT / "var" / "national.db"
N_WRITES = 1000
BLOCK = 1


def _build(path: Path, scale: str) -> None:
    import schema
    from core import db
    from seed_data.run import run_seed

    eng = db.make_engine(f"sqlite:///{path}")
    schema.create_all(eng)
    run_seed(eng, scale=scale, seed=2021)
    eng.dispose()


def _national() -> Path:
    ok = NATIONAL.exists()
    if ok:
        con = sqlite3.connect(NATIONAL)
        ok = bool(con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'audit_row'").fetchone()[0])
        con.close()
    if not ok:
        print(f"  building {NATIONAL} (national seed with row coverage) …", flush=True)
        NATIONAL.unlink(missing_ok=True)
        _build(NATIONAL, "national")
    return NATIONAL


def _floor(path: Path, tables: list[str]) -> tuple[float, int]:
    """Read every guarded row with sqlite3 and hash it with hashlib."""
    con = sqlite3.connect(path)
    started = time.perf_counter()
    n = 0
    sha = hashlib.sha256
    for t in tables:
        for row in con.execute(f'SELECT * FROM "{t}"'):
            sha(repr(row).encode()).digest()
            n += 1
    seconds = time.perf_counter() - started
    con.close()
    return seconds, n


def _verify(path: Path) -> tuple[float, Any]:
    from sqlmodel import Session

    from core import audit, db

    eng = db.make_engine(f"sqlite:///{path}")
    with Session(eng) as s:
        started = time.perf_counter()
        report = audit.verify_history(s)
        seconds = time.perf_counter() - started
    eng.dispose()
    return seconds, report


def _coverage(on: bool) -> None:
    """Switch the session hook that covers ORM writes (benchmark only: production never turns it off)."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session as OrmSession

    from core import audit

    hooks = [("after_flush", audit._note_flush), ("do_orm_execute", audit._note_statement),
             ("before_commit", audit._cover_at_commit)]
    for name, fn in hooks:
        present = event.contains(OrmSession, name, fn)
        if on and not present:
            event.listen(OrmSession, name, fn)
        elif not on and present:
            event.remove(OrmSession, name, fn)


def _writes(tmp: Path) -> dict[str, float]:
    import os

    from fastapi.testclient import TestClient
    from sqlmodel import Session, select

    from budgeting.models import Award, BudgetLine
    from core import auth, db
    from core.models import Role, User

    path = tmp / "program.db"
    _build(path, "program")
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    from core.settings import get_settings

    get_settings.cache_clear()
    settings = get_settings()
    settings.audit_key_file = str(tmp / "audit.key")
    settings.audit_checkpoint_file = str(tmp / "checkpoints.jsonl")
    eng = db.configure(f"sqlite:///{path}")
    with Session(eng, expire_on_commit=False) as s:
        user = User(username="bench-official", role=Role.official,
                    password_hash=auth.hash_password("bench-pass-12345"))
        s.add(user)
        s.commit()
        award = s.exec(select(Award).order_by(Award.grant_krw.desc())).first()  # type: ignore[attr-defined]
        assert award is not None
        line = max(s.exec(select(BudgetLine).where(BudgetLine.award_id == award.id)).all(),
                   key=lambda b: b.budget_krw - b.spent_krw)
    token = auth.create_token(user)
    from server import create_app

    day = max(award.start_date, min(award.current_end_date, date(2021, 9, 1)))
    body = {"category": str(line.category), "spent_date": day.isoformat(), "amount_krw": 1,
            "payee_name": "벤치마크 지급처", "evidence_ref": "EV-BENCH"}
    times: dict[bool, list[float]] = {True: [], False: []}
    with TestClient(create_app(with_dashboard=False)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        url = f"/api/v1/budgeting/awards/{award.id}/ledger"
        for _ in range(20):  # warm-up
            assert client.post(url, json=body, headers=headers).status_code == 201
        try:
            for block in range(2 * N_WRITES // BLOCK):
                on = block % 2 == 0
                _coverage(on)
                for _ in range(BLOCK):
                    started = time.perf_counter()
                    r = client.post(url, json=body, headers=headers)
                    times[on].append(time.perf_counter() - started)
                    assert r.status_code == 201, r.text
        finally:
            _coverage(True)
    eng.dispose()
    with_ms = statistics.median(times[True]) * 1000
    without_ms = statistics.median(times[False]) * 1000
    return {"with_ms": with_ms, "without_ms": without_ms}


def main() -> None:
    from core.audit import GUARDED

    path = _national()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        copy = tmp / "national.db"
        shutil.copy(path, copy)
        floor_s, floor_rows = _floor(copy, list(GUARDED))
        ours_s, report = _verify(copy)
        floor2_s, _ = _floor(copy, list(GUARDED))  # again, after the verification warmed the cache too
        floor_s = min(floor_s, floor2_s)
        copy.unlink()
        writes = _writes(tmp)
    rows = sum(t.rows for t in report.tables.values())
    save("audit", {
        "national_guarded_rows": rows,
        "national_ledger_rows": report.tables["expenditure"].rows,
        "events_in_log": report.chain.checked,
        "verify_ok": report.ok,
        "verify_s (chain + every guarded row + Merkle roots)": round(ours_s, 2),
        "floor_s (sqlite3 read + hashlib sha256 per row)": round(floor_s, 2),
        "verify_ratio (goal <= 3x)": round(ours_s / floor_s, 2),
        "floor_rows": floor_rows,
        "ledger_write_p50_ms_with_digest": round(writes["with_ms"], 2),
        "ledger_write_p50_ms_without_digest": round(writes["without_ms"], 2),
        "digest_overhead_pct (goal < 10%)": round(100 * (writes["with_ms"] / writes["without_ms"] - 1), 1),
        "writes_each_mode": N_WRITES,
    })
