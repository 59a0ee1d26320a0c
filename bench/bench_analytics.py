"""The national analytics against the fastest floor measured on this machine (issue 14).

Execution by award and by month for every programme of the national database (var/national.db,
`make seed-national`; about 1M ledger rows over 2017–2025):

- ours: `budgeting.analytics` as the API and the dashboard call it, one `load_frames` per programme
  (awards, and the monthly GROUP BY in SQL) and both figures from it;
- ours, as before: `execution_rate(by=award)` and `execution_rate(by=month)` each loading its frames
  (the monthly GROUP BY twice per programme);
- the bare SQL: the ledger's monthly GROUP BY per programme with sqlite3, no frames; and the same
  from spend_month (the ledger's monthly sums kept by triggers, what `load_frames` reads since 0004);
- the floors: polars over the same SQLite file (connectorx reads the ledger, polars groups it), and
  polars over spend_month (the rows ours reads).

Goal: ours within 2× of the fastest floor.   .venv/bin/python -m bench analytics
(NATIONAL_DB=var/bench_dashboard_national.db uses the dashboard bench's national database.)
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from bench.common import ROOT, median_seconds, save


def measure(path: Path, repeat: int = 3) -> dict[str, Any]:
    from sqlmodel import Session

    from bench.floors import polars_execution, polars_execution_rollup
    from budgeting import analytics
    from core import db

    eng = db.make_engine(f"sqlite:///{path}")
    con = sqlite3.connect(path)
    program_ids = [r[0] for r in con.execute("SELECT id FROM program ORDER BY id")]
    rows = con.execute("SELECT COUNT(*) FROM expenditure").fetchone()[0]
    con.close()

    def ours() -> None:
        with Session(eng) as s:
            for pid in program_ids:
                frames = analytics.load_frames(s, pid)
                analytics.execution_rate(s, pid, by="award", frames=frames)
                analytics.execution_rate(s, pid, by="month", frames=frames)

    def before() -> None:
        with Session(eng) as s:
            for pid in program_ids:
                analytics.execution_rate(s, pid, by="award")
                analytics.execution_rate(s, pid, by="month")

    def bare_sql() -> None:
        c = sqlite3.connect(path)
        for pid in program_ids:
            c.execute("SELECT award_id, substr(spent_date, 1, 7) AS m, SUM(amount_krw) FROM expenditure "
                      "WHERE program_id = ? GROUP BY award_id, m", (pid,)).fetchall()
        c.close()

    def bare_sql_rollup() -> None:
        c = sqlite3.connect(path)
        for pid in program_ids:
            c.execute("SELECT award_id, month, SUM(amount_krw) FROM spend_month WHERE program_id = ? "
                      "GROUP BY award_id, month", (pid,)).fetchall()
        c.close()

    result: dict[str, Any] = {"ledger_rows": rows, "programmes": len(program_ids)}
    timings = {"ours_s": median_seconds(ours, repeat), "before_s (frames loaded twice)": median_seconds(before, repeat),
               "bare_sql_s": median_seconds(bare_sql, repeat),
               "bare_sql_spend_month_s": median_seconds(bare_sql_rollup, repeat),
               "polars_floor_s": median_seconds(lambda: polars_execution(str(path)), repeat),
               "polars_spend_month_floor_s": median_seconds(lambda: polars_execution_rollup(str(path)), repeat)}
    eng.dispose()
    result.update({k: round(v, 3) for k, v in timings.items()})
    floor = timings["polars_floor_s"]
    best = timings["ours_s"]
    fastest = min(floor, timings["polars_spend_month_floor_s"])
    result["ratio_vs_fastest_floor (goal <= 2)"] = round(best / fastest, 2)
    result["ratio_vs_polars_over_the_ledger"] = round(best / floor, 2)
    result["ratio_vs_bare_sql"] = round(best / timings["bare_sql_s"], 2)
    result["before_ratio_vs_polars"] = round(timings["before_s (frames loaded twice)"] / floor, 2)
    return result


def main() -> None:
    import os

    path = Path(os.environ.get("NATIONAL_DB", ROOT / "var" / "national.db"))  # as tests/conftest.py
    if not path.exists():
        print("  var/national.db is missing: run `make seed-national` first")
        return
    save("analytics", measure(path))
