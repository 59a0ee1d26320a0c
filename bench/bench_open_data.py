"""Open-data benchmark: the 360Giving export of the national-scale database against a floor.

`python -m bench open-data` (needs var/national.db: `make seed-national`).

- ours: `opendata.giving360.package` over every programme, its chunks encoded as UTF-8 and
  written to a file (what the API and the CLI do), median of 3 runs;
- floor: the same rows read with `sqlite3` (the award rows with their joins, every member of
  the awarded consortia, the ledger aggregated by award and month, the extensions) and written
  with `json.dumps`, one line per award, without building the standard's structure;
- the ratio (goal: within 2×), the tracemalloc peak of the export for one programme and for
  all nine (memory flat: the peak should not grow with the number of awards), and whether the
  national 360Giving and OCDS exports validate against the official schemas.
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bench.common import save

ROOT = Path(__file__).resolve().parent.parent
NATIONAL = ROOT / "var" / "national.db"
AS_OF = date(2026, 3, 31)  # after every agreement of the 2017–2025 history
REPEAT = 3


def _ours(engine: Any, out: Path, program_id: int | None = None) -> int:
    from sqlmodel import Session

    from opendata import giving360

    written = 0
    with Session(engine) as session, out.open("wb") as fh:
        for chunk in giving360.package(session, program_id, AS_OF):
            data = chunk.encode("utf-8")
            fh.write(data)
            written += len(data)
    return written


def _floor(out: Path) -> int:
    """The same rows with sqlite3 and json.dumps: the cost of reading and writing them, nothing more."""
    cut = datetime.combine(AS_OF + timedelta(days=1), datetime.min.time(), timezone(timedelta(hours=9)))
    cut_text = cut.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    con = sqlite3.connect(f"file:{NATIONAL}?mode=ro", uri=True)
    awards = con.execute(
        "SELECT a.id, a.program_id, g.year, g.name_ko, p.id, p.code, p.title_ko, p.title_en, p.region, "
        "p.planned_volume, p.volume_unit, f.code, f.name_ko, f.name_en, t.code, t.name_ko, t.name_en, "
        "a.consortium_id, c.name, a.grant_krw, a.matching_krw, r.requested_grant_krw, a.start_date, a.end_date, "
        "a.created_at, a.status, s.id, s.confirmed_at FROM award a JOIN program g ON g.id = a.program_id "
        "JOIN project p ON p.id = a.project_id JOIN core_field f ON f.id = p.field_id "
        "JOIN call_type t ON t.id = p.call_type_id JOIN consortium c ON c.id = a.consortium_id "
        "JOIN proposal r ON r.id = a.proposal_id JOIN selection s ON s.id = a.selection_id "
        "WHERE a.created_at < ? AND s.confirmed_at < ? ORDER BY a.id", (cut_text, cut_text)).fetchall()
    members: dict[int, list[tuple[Any, ...]]] = {}
    for row in con.execute(
            "SELECT m.consortium_id, o.id, o.name, o.name_en, o.business_number, o.kind, o.region, m.role, "
            "c.lead_org_id, m.share_bp, m.id FROM consortium_member m JOIN organization o ON o.id = m.org_id "
            "JOIN consortium c ON c.id = m.consortium_id WHERE m.consortium_id IN (SELECT consortium_id FROM award)"):
        members.setdefault(row[0], []).append(row)
    months: dict[int, list[tuple[Any, ...]]] = {}
    for row in con.execute(
            "SELECT award_id, substr(spent_date, 1, 7) AS month, sum(amount_krw), max(spent_date), max(created_at) "
            "FROM expenditure WHERE spent_date <= ? AND created_at < ? GROUP BY award_id, month "
            "ORDER BY award_id, month", (AS_OF.isoformat(), cut_text)):
        months.setdefault(row[0], []).append(row)
    extensions = {row[0]: row for row in con.execute(
        "SELECT award_id, max(new_end_date), max(created_at) FROM award_extension WHERE created_at < ? "
        "GROUP BY award_id", (cut_text,))}
    con.close()
    written = 0
    with out.open("wb") as fh:
        for a in awards:
            data = (json.dumps([a, members.get(a[17], []), months.get(a[0], []), extensions.get(a[0])],
                               ensure_ascii=False) + "\n").encode("utf-8")
            fh.write(data)
            written += len(data)
    return written


def _median(fn: Callable[[], Any]) -> float:
    fn()  # warm the page cache and the compiled statements
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _peak_mb(chunks: Callable[[], Iterator[str]]) -> float:
    tracemalloc.start()
    try:
        for _ in chunks():
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    if not NATIONAL.exists():
        print(f"  {NATIONAL} is missing: build it with `make seed-national` (a few minutes), then run again")
        return
    from sqlalchemy import text
    from sqlmodel import Session

    from core import db
    from opendata import giving360, ocds, stream, validation

    engine = db.make_engine(f"sqlite:///{NATIONAL}")
    with engine.connect() as conn:
        programs = [r[0] for r in conn.execute(text("SELECT id FROM program ORDER BY id"))]
        awards = conn.execute(text("SELECT count(*) FROM award")).scalar_one()
        ledger = conn.execute(text("SELECT count(*) FROM expenditure")).scalar_one()
        biggest = conn.execute(text("SELECT program_id FROM award GROUP BY program_id "
                                    "ORDER BY count(*) DESC LIMIT 1")).scalar_one()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        ours_bytes = _ours(engine, tmp / "ours.json")
        floor_bytes = _floor(tmp / "floor.jsonl")
        ours_s = _median(lambda: _ours(engine, tmp / "ours.json"))
        floor_s = _median(lambda: _floor(tmp / "floor.jsonl"))
        with Session(engine) as s:
            peak_all = _peak_mb(lambda: giving360.package(s, None, AS_OF))
            peak_one = _peak_mb(lambda: giving360.package(s, biggest, AS_OF))
            started = time.perf_counter()
            grants = stream.collect(giving360.package(s, None, AS_OF))
            errors_360 = validation.errors("360giving", grants)
            validate_360_s = time.perf_counter() - started
            n_grants = len(grants["grants"])
            n_disbursements = sum(len(g.get("disbursementTransaction", [])) for g in grants["grants"])
            del grants
            started = time.perf_counter()
            releases = stream.collect(ocds.package(s, None, AS_OF))
            ocds_s = time.perf_counter() - started
            errors_ocds = validation.errors("ocds", releases)
            validate_ocds_s = time.perf_counter() - started
            n_releases = len(releases["releases"])
            del releases
        engine.dispose()
    save("open_data", {
        "database": os.path.relpath(NATIONAL, ROOT),
        "programmes / awards / ledger rows": f"{len(programs)} / {awards:,} / {ledger:,}",
        "360giving grants / disbursements": f"{n_grants:,} / {n_disbursements:,}",
        "360giving export_s (all programmes)": round(ours_s, 3),
        "360giving export_MB": round(ours_bytes / 2**20, 2),
        "floor_s (sqlite3 + json.dumps, same rows)": round(floor_s, 3),
        "floor_MB": round(floor_bytes / 2**20, 2),
        "ratio (goal within 2x)": round(ours_s / floor_s, 2),
        "peak_MB all programmes (tracemalloc)": round(peak_all, 2),
        f"peak_MB programme {biggest} alone": round(peak_one, 2),
        "360giving valid (official 1.4.3 schema)": not errors_360,
        "360giving collect+validate_s": round(validate_360_s, 1),
        "ocds releases": n_releases,
        "ocds export_s (collected into one dict)": round(ocds_s, 3),
        "ocds valid (official 1.1.5 schema)": not errors_ocds,
        "ocds collect+validate_s": round(validate_ocds_s, 1),
        "first errors": (errors_360 + errors_ocds)[:3],
    })
