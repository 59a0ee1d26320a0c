"""Money domain benchmarks, each a ratio against a floor measured in the same run.

1. Seeding the national-scale ledger (~1M rows): rows/s of the seed's money step against a
   plain sqlite3 executemany of the same rows into the same table (goal: within 5×).
2. Analytics over the national ledger (execution by award and by month) against loading the
   same rows with sqlite3 into pandas and one group-by (goal: within 2×).
3. The paginated award list (150 awards with totals) on one uvicorn worker against the bare
   FastAPI endpoint of bench/floors.py returning the same rows (goal: at least 0.6×); the other
   list endpoints and two workers: bench/bench_api.py.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import median_seconds, save

ROOT = Path(__file__).resolve().parent.parent
N_REQUESTS = 300


def _seed(path: Path) -> tuple[Any, Any]:
    import schema
    from core import db
    from seed_data.run import run_seed

    eng = db.make_engine(f"sqlite:///{path}")
    schema.create_all(eng)
    report = run_seed(eng, scale="national", seed=2021)
    return eng, report


def _floor_insert(path: Path, tmp: Path) -> float:
    """rows/s of a bare sqlite3 executemany of the ledger rows into the same table (with its indexes)."""
    src = sqlite3.connect(path)
    ddl = [r[0] for r in src.execute("SELECT sql FROM sqlite_master WHERE tbl_name='expenditure' AND sql IS NOT NULL")]
    rows = src.execute("SELECT * FROM expenditure ORDER BY id").fetchall()
    src.close()
    dst_path = tmp / "floor.db"
    dst = sqlite3.connect(dst_path)
    dst.execute("PRAGMA journal_mode=WAL")
    dst.execute("PRAGMA synchronous=NORMAL")
    for stmt in ddl:
        dst.execute(stmt)
    marks = ",".join("?" * len(rows[0]))
    started = time.perf_counter()
    for i in range(0, len(rows), 50_000):
        dst.executemany(f"INSERT INTO expenditure VALUES ({marks})", rows[i:i + 50_000])
    dst.commit()
    seconds = time.perf_counter() - started
    dst.close()
    return len(rows) / seconds


def _analytics(eng: Any, program_ids: list[int]) -> float:
    from sqlmodel import Session

    from budgeting import analytics

    def run() -> None:
        with Session(eng) as s:
            for pid in program_ids:
                analytics.execution_rate(s, pid, by="award")
                analytics.execution_rate(s, pid, by="month")

    return median_seconds(run, repeat=3)


def _analytics_floor(path: Path, program_ids: list[int]) -> float:
    import pandas as pd

    def run() -> None:
        con = sqlite3.connect(path)
        for pid in program_ids:
            rows = con.execute("SELECT award_id, spent_date, amount_krw FROM expenditure WHERE program_id=?",
                               (pid,)).fetchall()
            df = pd.DataFrame(rows, columns=["award_id", "spent_date", "amount_krw"])
            df["month"] = df["spent_date"].str.slice(0, 7)
            df.groupby(["award_id", "month"])["amount_krw"].sum()
        con.close()

    return median_seconds(run, repeat=3)


def _serve_and_measure(app: str, env: dict[str, str], path: str, headers: dict[str, str]) -> float:
    import httpx

    from bench.common import served

    with served(env, app=app) as server, httpx.Client(timeout=30) as client:
        url = server.url + path
        for _ in range(20):
            client.get(url, headers=headers)
        started = time.perf_counter()
        for _ in range(N_REQUESTS):
            r = client.get(url, headers=headers)
            assert r.status_code == 200 and len(r.json()["items"]) > 0
        return N_REQUESTS / (time.perf_counter() - started)


def _api(path: Path, program_id: int) -> tuple[float, float]:
    from sqlmodel import Session

    from core import auth, db
    from core.models import Role, User

    eng = db.make_engine(f"sqlite:///{path}")
    with Session(eng, expire_on_commit=False) as s:
        user = User(username="bench-official", role=Role.official, password_hash=auth.hash_password("bench-pass-123"))
        s.add(user)
        s.commit()
    eng.dispose()
    token = auth.create_token(user)
    env = {"DATABASE_URL": f"sqlite:///{path}", "BENCH_DATABASE_URL": f"sqlite:///{path}"}
    ours = _serve_and_measure("server:create_app", env, f"/api/v1/budgeting/awards?program_id={program_id}&limit=150",
                              {"Authorization": f"Bearer {token}"})
    bare = _serve_and_measure("bench.floors:floor_app", env, f"/awards?program_id={program_id}&limit=150", {})
    return ours, bare


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        path = tmp / "national.db"
        started = time.perf_counter()
        eng, report = _seed(path)
        seed_seconds = time.perf_counter() - started
        rows = report.counts.get("expenditure", 0)
        money_rate = rows / report.seconds["seed_money"]
        floor_rate = _floor_insert(path, tmp)
        program_ids = _program_ids(path)
        ours_a = _analytics(eng, program_ids)
        floor_a = _analytics_floor(path, program_ids)
        eng.dispose()
        ours_rps, bare_rps = _api(path, report.main_program_id or 1)
    save("budgeting", {
        "ledger_rows": rows,
        "national_seed_total_s": round(seed_seconds, 1),
        "money_step_s": round(report.seconds["seed_money"], 1),
        "money_step_rows_per_s": round(money_rate),
        "sqlite3_executemany_rows_per_s": round(floor_rate),
        "seed_slowdown_vs_floor (goal <= 5x)": round(floor_rate / money_rate, 2),
        "analytics_s (award+month, all programmes)": round(ours_a, 3),
        "analytics_floor_s (sqlite3+pandas groupby)": round(floor_a, 3),
        "analytics_ratio (goal <= 2x)": round(ours_a / floor_a, 2),
        "award_list_rps": round(ours_rps, 1),
        "bare_fastapi_rps": round(bare_rps, 1),
        "api_ratio (goal >= 0.6x)": round(ours_rps / bare_rps, 2),
    })


def _program_ids(path: Path) -> list[int]:
    con = sqlite3.connect(path)
    ids = [r[0] for r in con.execute("SELECT id FROM program ORDER BY id")]
    con.close()
    return ids
