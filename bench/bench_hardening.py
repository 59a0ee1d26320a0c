"""Hardening figures of issue 9: hostile inputs, /health under heavy work, fuzzing totals.

1. The slowest single request among hostile inputs (huge exponents in points and ratios, 2**63 in
   query, path and body, 100,000-character strings, deeply nested JSON, NUL and lone surrogates),
   in ms, in-process against the seeded programme (each request the best of 3).
2. /health p50/p99 alone, while a 100,000-row ledger import runs, and while the compliance
   workbook is exported: the app served by uvicorn in a subprocess on a free loopback port over a
   copy of the seeded programme; the heavy request runs in a thread while /health is sampled.
3. Schemathesis totals per role and database (operations, requests, server errors, problems), from
   the harness of tests/test_fuzz_schemathesis.py; PostgreSQL when `tools/pg_testdb.py` can
   create a database.

    .venv/bin/python -m bench hardening        (results in bench/results/hardening.json)
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
IMPORT_ROWS = 100_000


def _seeded(path: Path) -> None:
    import schema
    from core import db
    from seed_data.run import run_seed

    eng = db.make_engine(f"sqlite:///{path}")
    schema.create_all(eng)
    run_seed(eng, scale="program", seed=2021)
    eng.dispose()


def _tokens(path: Path) -> dict[str, str]:
    """Bearer tokens of a fresh official, evaluator (with open panels) and admin on the database at `path`."""
    from sqlmodel import Session

    from core import auth, db
    from core.models import Role, User

    eng = db.make_engine(f"sqlite:///{path}")
    out = {}
    with Session(eng, expire_on_commit=False) as session:
        for role in (Role.official, Role.evaluator, Role.admin):
            user = User(username=f"bench-{role.value}", role=role, full_name=f"bench {role.value}",
                        password_hash=auth.hash_password("bench-password-not-used"))
            session.add(user)
            session.commit()
            if role == Role.evaluator:
                from scoring.service import attach_demo_evaluator

                attach_demo_evaluator(session, user.id)
                session.commit()
            out[role.value] = auth.create_token(user)
    eng.dispose()
    return out


def _one(path: Path, sql: str) -> Any:
    with sqlite3.connect(path) as conn:
        row = conn.execute(sql).fetchone()
    return row[0] if row else None


# --------------------------------------------------------------------------- 1. hostile inputs


def hostile_requests(path: Path, tokens: dict[str, str]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(label, method, url, httpx kwargs) for each hostile input."""
    official = {"Authorization": f"Bearer {tokens['official']}"}
    evaluator = {"Authorization": f"Bearer {tokens['evaluator']}"}
    program_id = _one(path, "SELECT min(id) FROM program") or 1
    project_id = _one(path, "SELECT min(id) FROM project") or 1
    sheet_id = _one(path, "SELECT s.id FROM score_sheet s JOIN evaluator e ON e.id = s.evaluator_id "
                          "JOIN app_user u ON u.id = e.user_id WHERE u.username = 'bench-evaluator' LIMIT 1") or 1
    big = str(2**63)
    long = "가" * 100_000
    json_h = {"content-type": "application/json"}
    deep = b"[" * 100_000 + b"]" * 100_000
    near_cap = b'{"title_ko": "' + b"x" * (2 * 2**20 - 100) + b'"}'
    return [
        ("score points 1E-10000000", "PUT", f"/api/v1/scoring/assignments/{sheet_id}/sheet",
         {"headers": evaluator, "json": {"scores": [{"criterion_code": "PLAN", "points": "1E-10000000"}]}}),
        ("score points 1E+10000000", "PUT", f"/api/v1/scoring/assignments/{sheet_id}/sheet",
         {"headers": evaluator, "json": {"scores": [{"criterion_code": "PLAN", "points": "1E+10000000"}]}}),
        ("score points 100,000 digits", "PUT", f"/api/v1/scoring/assignments/{sheet_id}/sheet",
         {"headers": evaluator, "json": {"scores": [{"criterion_code": "PLAN", "points": "9" * 100_000}]}}),
        ("rules ratio 1E-3000000", "PATCH", f"/api/v1/programs/{program_id}/rules",
         {"headers": official, "json": {"hires_per_100m_krw": "1E-3000000"}}),
        ("rules cap 1E+999999999", "PATCH", f"/api/v1/programs/{program_id}/rules",
         {"headers": official, "json": {"indirect_cap": "1E+999999999"}}),
        ("offset 2**63 in query", "GET", f"/api/v1/public/jobs?offset={big}", {}),
        ("id 2**63 in path", "GET", f"/api/v1/projects/{big}", {"headers": official}),
        ("id of 25 digits in path", "GET", f"/api/v1/budgeting/awards/{'9' * 25}", {"headers": official}),
        ("ceiling 2**63 in body", "PATCH", f"/api/v1/projects/{project_id}",
         {"headers": official, "json": {"ceiling_krw": 2**63}}),
        ("100,000-character name", "POST", "/api/v1/organizations",
         {"headers": official, "json": {"name": long, "business_number": "123-45-67890", "kind": "company"}}),
        # httpx refuses a query component over 64 KiB, so the longest query string it can send:
        ("60,000-character query", "GET", "/api/v1/public/jobs", {"params": {"region": "a" * 60_000}}),
        ("100,000-character username", "POST", "/api/v1/auth/token",
         {"data": {"username": long, "password": long}}),
        ("JSON nested 100,000 deep", "POST", "/api/v1/projects",
         {"headers": {**official, **json_h}, "content": deep}),
        ("JSON body of 2 MiB", "POST", "/api/v1/projects", {"headers": {**official, **json_h}, "content": near_cap}),
        ("NUL in query", "GET", "/api/v1/public/jobs?region=a%00b", {}),
        ("NUL in login form", "POST", "/api/v1/auth/token", {"data": {"username": "a\x00b", "password": "x"}}),
        ("lone surrogate in body", "PATCH", f"/api/v1/projects/{project_id}",
         {"headers": {**official, **json_h}, "content": b'{"title_ko": "\\ud800"}'}),
        ("lone surrogate in payee", "POST", "/api/v1/organizations",
         {"headers": {**official, **json_h}, "content": b'{"name": "\\udfff\\ud800", "kind": "company"}'}),
    ]


def measure_hostile(path: Path, tokens: dict[str, str]) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from core import db
    from server import create_app

    db.configure(f"sqlite:///{path}")
    client = TestClient(create_app(with_dashboard=False), raise_server_exceptions=False)
    timings: dict[str, dict[str, Any]] = {}
    for label, method, url, kwargs in hostile_requests(path, tokens):
        best, status = float("inf"), 0
        for _ in range(3):
            started = time.perf_counter()
            r = client.request(method, url, **kwargs)
            best = min(best, (time.perf_counter() - started) * 1000)
            status = r.status_code
        timings[label] = {"ms": round(best, 1), "status": status}
    slowest = max(timings, key=lambda k: timings[k]["ms"])
    return {"slowest": slowest, "slowest_ms": timings[slowest]["ms"],
            "server_errors": sum(1 for t in timings.values() if t["status"] >= 500), "requests": timings}


# --------------------------------------------------------------------------- 2. /health under load


def _ledger_csv(path: Path) -> tuple[int, bytes]:
    """An award of the seeded programme and a CSV of IMPORT_ROWS distinct 1-won payments on its labour line."""
    award_id, start = sqlite3.connect(path).execute(
        "SELECT a.id, a.start_date FROM award a JOIN budget_line b ON b.award_id = a.id "
        "WHERE b.category = 'labour' AND b.budget_krw - b.spent_krw > 200000 ORDER BY a.id LIMIT 1").fetchone()
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["category", "date", "amount", "payee", "business_number", "description", "evidence"])
    for i in range(IMPORT_ROWS):
        w.writerow(["labour", start, "1", f"연구원 {i % 97}", "", f"bench row {i}", f"BENCH-{i:06d}"])
    return int(award_id), buf.getvalue().encode("utf-8")


def measure_health(path: Path, tokens: dict[str, str]) -> dict[str, Any]:
    import httpx

    from bench.common import percentiles as _percentiles
    from bench.common import served

    official = {"Authorization": f"Bearer {tokens['official']}"}
    out: dict[str, Any] = {}
    with served({"DATABASE_URL": f"sqlite:///{path}", "DEMO_MODE": "true"}) as server:
        base = server.url

        def sample(while_running: threading.Thread | None, count: int = 300) -> list[float]:
            times: list[float] = []
            with httpx.Client(timeout=120) as c:
                while (while_running is None and len(times) < count) or \
                        (while_running is not None and while_running.is_alive()):
                    started = time.perf_counter()
                    c.get(f"{base}/health")
                    times.append((time.perf_counter() - started) * 1000)
                    time.sleep(0.01)
            return times

        out["alone"] = _percentiles(sample(None))

        award_id, content = _ledger_csv(path)
        heavy: dict[str, Any] = {}

        def do_import() -> None:
            started = time.perf_counter()
            r = httpx.post(f"{base}/api/v1/budgeting/awards/{award_id}/ledger/import", headers=official,
                           files={"file": ("bench.csv", content, "text/csv")}, timeout=900)
            heavy["import"] = {"status": r.status_code, "seconds": round(time.perf_counter() - started, 2),
                               "rows": IMPORT_ROWS, "bytes": len(content),
                               "answer": r.text[:200] if r.status_code >= 400 else ""}

        t = threading.Thread(target=do_import)
        t.start()
        time.sleep(0.05)
        out["during_import"] = {**_percentiles(sample(t)), "request": heavy.get("import")}
        t.join()
        out["during_import"]["request"] = heavy.get("import")

        def do_export() -> None:
            started = time.perf_counter()
            r = httpx.get(f"{base}/api/v1/reports/compliance.xlsx", headers=official, timeout=900)
            heavy["export"] = {"status": r.status_code, "seconds": round(time.perf_counter() - started, 2),
                               "bytes": len(r.content)}

        t = threading.Thread(target=do_export)
        t.start()
        time.sleep(0.05)
        out["during_export"] = _percentiles(sample(t))
        t.join()
        out["during_export"]["request"] = heavy.get("export")
    return out


# --------------------------------------------------------------------------- 3. fuzzing totals


def measure_fuzz(database: str, url: str, max_examples: int) -> dict[str, Any]:
    from sqlmodel import Session

    import schema
    from core import db
    from server import create_app
    from tests.test_fuzz_schemathesis import ROLES, run_fuzz, seed_world

    eng = db.configure(url)
    schema.drop_all(eng)
    schema.create_all(eng)
    totals: dict[str, Any] = {}
    for role in ROLES:
        schema.drop_all(eng)
        schema.create_all(eng)
        with Session(eng, expire_on_commit=False) as session:
            headers, ids = seed_world(session)
        report = run_fuzz(create_app(with_dashboard=False), role, headers[role], ids, max_examples=max_examples)
        totals[role] = {"operations": report.operations, "requests": report.requests,
                        "server_errors": report.server_errors, "problems": len(report.problems),
                        "seconds": round(report.seconds, 1),
                        "problem_list": [f"[{p.check}] {p.operation} → {p.status}: {p.message[:160]}"
                                         for p in report.problems]}
    schema.drop_all(eng)
    eng.dispose()
    return {"database": database, "max_examples": max_examples, "roles": totals}


def _postgres_url(name: str) -> str | None:
    proc = subprocess.run([sys.executable, "tools/pg_testdb.py", "create", name], cwd=ROOT, capture_output=True,
                          text=True)
    return proc.stdout.strip() if proc.returncode == 0 and proc.stdout.strip() else None


def measure() -> dict[str, Any]:
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        seeded = Path(tmp) / "seeded.db"
        started = time.perf_counter()
        _seeded(seeded)
        result["seed_seconds"] = round(time.perf_counter() - started, 1)
        work = Path(tmp) / "work.db"
        shutil.copy(seeded, work)
        tokens = _tokens(work)
        result["hostile"] = measure_hostile(work, tokens)
        served = Path(tmp) / "served.db"
        shutil.copy(seeded, served)
        result["health"] = measure_health(served, _tokens(served))
        max_examples = int(os.environ.get("FUZZ_MAX_EXAMPLES", "10"))
        result["fuzz"] = [measure_fuzz("sqlite", f"sqlite:///{Path(tmp) / 'fuzz.db'}", max_examples)]
    pg_name = f"grants_bench_hardening_{os.getpid()}"
    pg_url = _postgres_url(pg_name)
    if pg_url:
        try:
            result["fuzz"].append(measure_fuzz("postgres", pg_url, int(os.environ.get("FUZZ_MAX_EXAMPLES", "10"))))
        finally:
            subprocess.run([sys.executable, "tools/pg_testdb.py", "drop", pg_name], cwd=ROOT, capture_output=True)
    else:
        result["fuzz"].append({"database": "postgres", "skipped": "PostgreSQL not reachable"})
    return result


def main() -> None:
    from bench.common import RESULTS

    result = measure()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "hardening.json").write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    h = result["hostile"]
    print(f"  slowest hostile request: {h['slowest']} {h['slowest_ms']} ms ({h['server_errors']} server errors)")
    for label, t in h["requests"].items():
        print(f"    {label:<32} {t['ms']:>9} ms  {t['status']}")
    for phase, figures in result["health"].items():
        print(f"  /health {phase:<14} {json.dumps(figures, ensure_ascii=False)}")
    for run in result["fuzz"]:
        if "skipped" in run:
            print(f"  fuzz {run['database']}: {run['skipped']}")
            continue
        for role, t in run["roles"].items():
            print(f"  fuzz {run['database']:<8} {role:<10} {t['operations']} operations, {t['requests']} requests, "
                  f"{t['server_errors']} server errors, {t['problems']} problems, {t['seconds']} s")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
