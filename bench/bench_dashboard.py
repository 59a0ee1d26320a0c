"""Server time of each dashboard page's callbacks, at programme scale and at national scale.

`python -m bench dashboard` builds (or reuses) var/bench_dashboard_<scale>.db with the demo
accounts, then posts each page's callback requests in-process (the same ASGI app uvicorn
serves) and reports, in milliseconds, the median of 3 cold runs (the dashboard's caches
cleared before each: every service computes) and of 5 warm runs (data unchanged, results
kept across requests), with the response size. Goal (issue 14): < 300 ms cold at
both scales.
`BENCH_DASHBOARD_SCALES=program` limits the run to one scale.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

from bench.common import save

ROOT = Path(__file__).resolve().parent.parent
GOALS_MS = {"program": 300, "national": 300}  # issue 14: every callback under 300 ms cold at national scale
COLD_REPEAT = 3

# (page, role, output of the callback, input values)
CALLBACKS: list[tuple[str, str | None, str, dict[str, Any]]] = [
    ("shell", "official", "shell-page.children",
     {"shell-url.pathname": "/dashboard/allocation", "shell-url.search": "", "shell-lang.data": "ko"}),
    ("overview", "official", "overview-kpis.children", {"overview-lang.data": "ko"}),
    ("overview/attention", "official", "overview-attention.children", {"overview-lang.data": "ko"}),
    ("overview/years", "official", "overview-years-chart.figure", {"overview-lang.data": "ko"}),
    ("allocation", "official", "allocation-treemap.figure",
     {"allocation-field.value": "", "allocation-call-type.value": "", "allocation-lang.data": "ko"}),
    ("allocation/field", "official", "allocation-treemap.figure",
     {"allocation-field.value": "HEALTH", "allocation-call-type.value": "", "allocation-lang.data": "ko"}),
    ("award", "official", "award-body.children", {"award-key.data": {"award_id": "1", "lang": "ko"}}),
    ("award/findings", "official", "award-findings.children", {"award-key.data": {"award_id": "1", "lang": "ko"}}),
    ("evaluation/histogram", "official", "evaluation-hist.figure",
     {"evaluation-field.value": "", "evaluation-lang.data": "ko"}),
    ("evaluation/leniency", "official", "evaluation-leniency.figure", {"evaluation-lang.data": "ko"}),
    ("evaluation/incomplete", "official", "evaluation-incomplete.children",
     {"evaluation-field.value": "", "evaluation-lang.data": "ko"}),
    ("evaluation/ranking", "official", "evaluation-ranking.children",
     {"evaluation-project.value": 1, "evaluation-lang.data": "ko"}),
    ("assignments", "evaluator", "shell-page.children",
     {"shell-url.pathname": "/dashboard/assignments", "shell-url.search": "", "shell-lang.data": "ko"}),
    ("obligations", "official", "obligations-hires-field.figure",
     {"obligations-field.value": "", "obligations-measure.value": "payment", "obligations-lang.data": "ko"}),
    ("delivery", "official", "delivery-funnel.figure", {"delivery-field.value": "", "delivery-lang.data": "ko"}),
    ("compliance", "official", "compliance-counts.children",
     {"compliance-severity.value": "", "compliance-check.value": "", "compliance-lang.data": "ko"}),
    ("jobs (public)", None, "jobs-by-field.figure", {"jobs-field.value": "", "jobs-region.value": "",
                                                     "jobs-lang.data": "ko"}),
]


def _database(scale: str) -> Path:
    from tests.dashboard import livedb

    path = ROOT / "var" / f"bench_dashboard_{scale}.db"
    started = time.perf_counter()
    livedb.build(path, scale).dispose()
    print(f"  database {path.name} ready in {time.perf_counter() - started:.1f}s", flush=True)
    return path


def _measure(scale: str, repeat: int = 5) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from core import db
    from dashboard import data
    from server import create_app
    from tests.dashboard.dashclient import body
    from tests.dashboard.livedb import DEMO_ACCOUNTS

    path = _database(scale)
    db.configure(f"sqlite:///{path}")
    data.clear_caches()
    app = create_app()
    dash_app = app.state.dash_app
    results: dict[str, Any] = {}
    # Like a browser: Origin on every POST, the login form's CSRF token (core.security).
    with TestClient(app, headers={"Origin": "http://testserver"}) as client:
        cookies: dict[str | None, dict[str, str]] = {None: {}}
        for role in ("official", "evaluator"):
            username, password = DEMO_ACCOUNTS[role]
            client.get("/dashboard/login")
            r = client.post("/dashboard/login", data={"username": username, "password": password,
                                                      "csrf_token": client.cookies.get("grants_csrf")},
                            follow_redirects=False)
            cookies[role] = {"grants_token": r.cookies["grants_token"]}
            client.cookies.clear()
        for page, role, output, values in CALLBACKS:
            payload = body(dash_app, output, values)
            client.cookies.clear()
            for k, v in cookies[role].items():
                client.cookies.set(k, v)
            size = 0

            def post(page: str = page, payload: dict[str, Any] = payload) -> float:
                nonlocal size
                started = time.perf_counter()
                r = client.post("/dashboard/_dash-update-component", json=payload)
                elapsed = (time.perf_counter() - started) * 1000
                if r.status_code != 200:
                    raise RuntimeError(f"{page}: HTTP {r.status_code} {r.text[:200]}")
                size = len(r.content)
                return elapsed

            cold = []
            for _ in range(COLD_REPEAT):  # nothing kept from earlier requests: the services compute everything
                data.clear_caches()
                cold.append(post())
            warm = [post() for _ in range(repeat)]  # data unchanged since: results kept across requests
            c, w = statistics.median(cold), statistics.median(warm)
            results[page] = {"cold_ms": round(c), "warm_ms": round(w), "kb": round(size / 1024, 1),
                             "cold_within_goal": c < GOALS_MS[scale]}
            print(f"  {scale:<9} {page:<22} cold {c:7.0f} ms   warm {w:6.0f} ms   {size / 1024:7.1f} KB"
                  f"{'' if c < GOALS_MS[scale] else '   over goal'}", flush=True)
    return results


def main() -> None:
    scales = os.environ.get("BENCH_DASHBOARD_SCALES", "program,national").split(",")
    out: dict[str, Any] = {}
    for scale in scales:
        print(f"\n  scale: {scale} (goal < {GOALS_MS[scale]} ms per callback, cold median)", flush=True)
        out[scale] = _measure(scale.strip())
    save("dashboard", {f"{s}/{p}": v for s, pages in out.items() for p, v in pages.items()})


if __name__ == "__main__":
    main()
