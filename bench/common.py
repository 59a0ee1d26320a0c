"""Helpers shared by the benchmarks: timing medians, peak memory, result files, a served app."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


def median_seconds(fn: Callable[[], Any], repeat: int = 5, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def peak_memory_mb(fn: Callable[[], Any]) -> float:
    """Peak Python heap allocated while `fn` runs (tracemalloc), in MiB."""
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def save(name: str, result: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, default=str))
    for key, value in result.items():
        print(f"  {key:<40} {value}")


# --------------------------------------------------------------------------- a real server in a subprocess

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Served:
    url: str  # http://127.0.0.1:PORT
    pid: int  # the server process (the supervisor when workers > 1)


@contextmanager
def served(env: dict[str, str], *, app: str = "server:create_app", workers: int = 1, ready: str = "/health",
           headers: dict[str, str] | None = None, timeout: float = 90) -> Iterator[Served]:
    """The app served by uvicorn (core/serving.py, as `main.py serve` does) on a free loopback port,
    in a subprocess with `env`; yields its URL and pid once `ready` answers 200, stops it afterwards."""
    import httpx

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "core.serving", app, "--host", "127.0.0.1", "--port", str(port),
                             "--workers", str(workers), "--log-level", "warning"], cwd=ROOT, env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited with {proc.returncode}")
            try:
                if httpx.get(f"{base}{ready}", headers=headers, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{base}{ready} did not answer within {timeout} s")
            time.sleep(0.2)
        yield Served(base, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def percentiles(values: list[float]) -> dict[str, Any]:
    """n, p50, p99 and max of latencies in ms."""
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return {"n": len(values), "p50_ms": round(statistics.median(ordered), 1), "p99_ms": round(p99, 1),
            "max_ms": round(ordered[-1], 1)}


def add_missing_columns(url: str) -> list[str]:
    """Add to a benchmark's copy of a database the columns the models have gained since it was
    seeded (nullable, no default), so an older `var/national.db` still serves; returns them."""
    from sqlalchemy import inspect, text
    from sqlmodel import SQLModel

    import schema  # noqa: F401  (every model registered)
    from core import db

    eng = db.make_engine(url)
    added: list[str] = []
    try:
        present = inspect(eng)
        tables = set(present.get_table_names())
        with eng.begin() as con:
            for table in SQLModel.metadata.sorted_tables:
                if table.name not in tables:
                    table.create(con)
                    added.append(table.name)
                    continue
                have = {c["name"] for c in present.get_columns(table.name)}
                for column in table.columns:
                    if column.name not in have:
                        kind = column.type.compile(dialect=eng.dialect)
                        con.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'))
                        added.append(f"{table.name}.{column.name}")
    finally:
        eng.dispose()
    return added
