"""List endpoints against their floors, and what a second web worker adds (issue 14).

Each list endpoint of the project (award list, projects, proposals, job postings, programme
summary) served by the real app (middleware, authentication) is compared with the bare endpoint of
bench/floors.py returning the same rows (goal: at least 0.6× its requests per second). Both are
served by uvicorn through core/serving.py on one worker, then on two; /health shows the
keep-alive latency a second worker used to add (Nagle + delayed ACK, see core/serving.py).

The database is var/national.db when it exists (`make seed-national`; copied, so the bench user
does not touch it), else a programme-scale seed in a temporary folder. Load: CONCURRENCY clients
on keep-alive connections (httpx, asyncio) for SECONDS each.

    .venv/bin/python -m bench api          (results in bench/results/api.json)
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, add_missing_columns, percentiles, save, served

CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
LIMIT = 150


async def _load(urls: list[str], headers: dict[str, str], seconds: float, concurrency: int) -> dict[str, Any]:
    import httpx

    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client(n: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(headers=headers, timeout=30) as c:
            i = n
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                r = await c.get(urls[i % len(urls)])
                latencies.append((time.perf_counter() - started) * 1000)
                if r.status_code != 200:
                    errors += 1
                i += 1

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(concurrency)))
    wall = time.perf_counter() - started
    return {"rps": round(len(latencies) / wall, 1), "errors": errors, **percentiles(latencies)}


def load(urls: list[str], headers: dict[str, str] | None = None, seconds: float = SECONDS,
         concurrency: int = CONCURRENCY) -> dict[str, Any]:
    import httpx

    with httpx.Client(headers=headers or {}, timeout=60) as c:  # warm-up: first-use imports and caches
        for u in urls[:3] * 5:
            r = c.get(u)
            if r.status_code != 200:
                raise RuntimeError(f"{u}: {r.status_code} {r.text[:300]}")
    return asyncio.run(_load(urls, headers or {}, seconds, concurrency))


def _database(tmp: Path) -> Path:
    national = ROOT / "var" / "national.db"
    path = tmp / "bench.db"
    if national.exists():
        src = sqlite3.connect(national)
        dst = sqlite3.connect(path)
        src.backup(dst)
        src.close()
        dst.close()
        add_missing_columns(f"sqlite:///{path}")  # the seed may predate a column added since
        return path
    import schema
    from core import db
    from seed_data.run import run_seed

    eng = db.make_engine(f"sqlite:///{path}")
    schema.create_all(eng)
    run_seed(eng, scale="program", seed=2021)
    eng.dispose()
    return path


def _token(url: str) -> str:
    from sqlmodel import Session

    from core import auth, db
    from core.models import Role, User

    eng = db.make_engine(url)
    with Session(eng, expire_on_commit=False) as s:
        user = User(username=f"bench-official-{os.getpid()}", role=Role.official,
                    password_hash=auth.hash_password("bench-pass-123"))
        s.add(user)
        s.commit()
    eng.dispose()
    return auth.create_token(user)


ENDPOINTS = {  # name: (project path, floor path)
    "award_list": ("/api/v1/budgeting/awards?program_id={pid}&limit={limit}&offset={off}",
                   "/awards?program_id={pid}&limit={limit}&offset={off}"),
    "projects": ("/api/v1/projects?program_id={pid}&limit={limit}&offset={off}",
                 "/projects?program_id={pid}&limit={limit}&offset={off}"),
    "proposals": ("/api/v1/proposals?program_id={pid}&limit={limit}&offset={off}",
                  "/proposals?program_id={pid}&limit={limit}&offset={off}"),
    "job_postings": ("/api/v1/budgeting/job-postings?program_id={pid}&limit={limit}&offset={off}",
                     "/postings?program_id={pid}&limit={limit}&offset={off}"),
    "programme_summary": ("/api/v1/programs/{pid}/summary", "/summary?program_id={pid}"),
}


def _urls(base: str, template: str, pid: int) -> list[str]:
    return [base + template.format(pid=pid, limit=LIMIT, off=off) for off in (0, LIMIT, 2 * LIMIT)]


def measure(url: str, program_id: int, only: list[str] | None = None) -> dict[str, Any]:
    token = _token(url)
    auth = {"Authorization": f"Bearer {token}"}
    env = {"DATABASE_URL": url, "BENCH_DATABASE_URL": url}
    names = only or list(ENDPOINTS)
    out: dict[str, Any] = {"database": url.split(":")[0], "program_id": program_id, "concurrency": CONCURRENCY,
                           "seconds_each": SECONDS}
    for workers in (1, 2):
        ours: dict[str, Any] = {}
        with served(env, workers=workers) as server:
            ours["health"] = load([f"{server.url}/health"])
            for name in names:
                ours[name] = load(_urls(server.url, ENDPOINTS[name][0], program_id), auth)
        floor: dict[str, Any] = {}
        with served(env, app="bench.floors:floor_app", workers=workers) as server:
            floor["health"] = load([f"{server.url}/health"])
            for name in names:
                floor[name] = load(_urls(server.url, ENDPOINTS[name][1], program_id))
        out[f"workers_{workers}"] = {
            name: {"ours_rps": ours[name]["rps"], "floor_rps": floor[name]["rps"],
                   "ratio (goal >= 0.6)": round(ours[name]["rps"] / floor[name]["rps"], 2),
                   "ours_p50_ms": ours[name].get("p50_ms"), "floor_p50_ms": floor[name].get("p50_ms"),
                   "errors": ours[name]["errors"] + floor[name]["errors"]}
            for name in ["health", *names]}
    for name in ["health", *names]:
        one, two = out["workers_1"][name]["ours_rps"], out["workers_2"][name]["ours_rps"]
        out.setdefault("second_worker_gain", {})[name] = round(two / one, 2)
    return out


def main() -> None:
    only = [n for n in os.environ.get("BENCH_ONLY", "").split(",") if n] or None
    with tempfile.TemporaryDirectory() as tmp:
        path = _database(Path(tmp))
        con = sqlite3.connect(path)
        program_id = con.execute("SELECT program_id FROM award GROUP BY program_id ORDER BY COUNT(*) DESC "
                                 "LIMIT 1").fetchone()[0]
        con.close()
        result = measure(f"sqlite:///{path}", program_id, only)
    save("api", result)
