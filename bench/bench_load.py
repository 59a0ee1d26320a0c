"""Many users at a deadline on the production set-up (issue 14): PostgreSQL, two web workers, jobs on Redis.

Bounded and loopback only. A throwaway PostgreSQL database (tools/pg_testdb.py) is migrated and seeded
with the 2021 programme; the app is served by uvicorn with two workers (bench.common.served, the start-up
of `main.py serve --workers 2`) and one job worker (`main.py worker`) consumes a Redis queue
(``JOB_QUEUE_URL=redis://127.0.0.1:6379/<n>``, a queue name of its own). Then USERS simulated people
(asyncio + httpx), each pausing 1–3 s between requests, for SECONDS:

- officials browse (programme summary and totals, the award list, an award's detail) and now and then
  export the status workbook (a report job: 202, the job URL polled, the file downloaded once done);
- EVALUATORS evaluators at the deadline: open each of their sheets (no-conflict confirmation, rubric),
  save a draft, save the full scores, submit; then look at their list now and then;
- auditors read the stored findings and now and then start a full compliance run (a job).

The deadline is made before the clock starts with the application's own actions: the programme's
panel maximum is raised (PATCH rules) and the open projects' panels are filled automatically
(auto panel), then each of the first EVALUATORS seated evaluators gets an account linked to its
profile. Tokens are issued directly (logins are measured by `bench logins`).

Reported: requests, errors (goal 0), p50/p95/p99 of the interactive requests (every request except
the export file downloads) overall and while at least one job was running, jobs completed; then that
nothing was lost: every sheet whose submit answered 200 is `submitted` in the database, the number of
`sheet.submit` audit events matches, and `main.py audit verify` passes on the database.

    .venv/bin/python -m bench load                                  (results in bench/results/load.json)
    BENCH_LOAD_USERS=40 BENCH_LOAD_SECONDS=20 .venv/bin/python -m bench load      (a shorter run)
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

from bench.common import ROOT, save, served

USERS = int(os.environ.get("BENCH_LOAD_USERS", "200"))
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "60"))
EVALUATORS = int(os.environ.get("BENCH_LOAD_EVALUATORS", str(min(100, USERS // 2))))
AUDITOR_SHARE = 0.25  # of the users who are not evaluators
EXPORT_CHANCE = 0.06  # an official's action is an export with this chance (one export at a time each)
RUN_CHANCE = 0.08  # an auditor's action is a full compliance run with this chance (one at a time each)
PAUSE = (1.0, 3.0)
DRAIN_SECONDS = float(os.environ.get("BENCH_LOAD_DRAIN_SECONDS", "180"))
DB_NAME = os.environ.get("BENCH_LOAD_DB", "grants_bench_load")
REDIS_DB = os.environ.get("BENCH_LOAD_REDIS_DB", "9")
PASSWORD = "Load-test-pass-2021!"
# A diagnosis, not the measurement: serve the app without compliance's after-commit findings refresh, to
# tell its cost from the rest (the result says so in "diagnostic").
WITHOUT_REFRESH = os.environ.get("BENCH_LOAD_WITHOUT_FINDINGS_REFRESH") == "1"


def diagnostic_app() -> Any:
    """The served app with compliance's after-commit subscriber removed (BENCH_LOAD_WITHOUT_FINDINGS_REFRESH=1)."""
    from compliance import store
    from core import events
    from server import create_app

    events.unsubscribe(store._on_commit)
    return create_app()


# --------------------------------------------------------------------------- set-up (before the clock)


def _create_database() -> str:
    out = subprocess.run([sys.executable, "tools/pg_testdb.py", "create", DB_NAME], cwd=ROOT, check=True,
                         capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def _drop_database() -> None:
    subprocess.run([sys.executable, "tools/pg_testdb.py", "drop", DB_NAME], cwd=ROOT, check=False,
                   capture_output=True, text=True)


@dataclass
class Cast:
    program_id: int
    award_ids: list[int]
    officials: list[str] = field(default_factory=list)  # tokens
    auditors: list[str] = field(default_factory=list)
    evaluators: list[tuple[str, list[int]]] = field(default_factory=list)  # (token, open sheet ids)
    criteria: dict[int, list[tuple[str, Decimal]]] = field(default_factory=dict)  # sheet id → (code, points)
    open_projects: int = 0


def _prepare(url: str) -> Cast:
    """Migrate, seed, make the deadline and the accounts; every change an audited service action."""
    from sqlmodel import Session, col, select

    import schema  # noqa: F401  (every model registered)
    from budgeting.models import Award
    from core import auth, db, migrate
    from core.audit import SYSTEM
    from core.models import Role, UserCreate
    from program import service as program_service
    from program.models import Program, Project, ProjectStatus
    from scoring import panels
    from scoring.evaluators import link_evaluator_account
    from scoring.models import Evaluator, RubricCriterion, ScoreSheet, SheetStatus
    from scoring.service import rubric_for
    from seed_data.run import run_seed

    migrate.upgrade(url)
    engine = db.configure(url)
    started = time.perf_counter()
    report = run_seed(engine, scale="program", seed=2021)
    print(f"  seeded the 2021 programme in {time.perf_counter() - started:.0f} s", flush=True)
    pid = report.main_program_id
    assert pid is not None
    with Session(engine, expire_on_commit=False) as s:
        award_ids = list(s.exec(select(Award.id).where(Award.program_id == pid).order_by(Award.id)).all())
        program = s.get(Program, pid)
        assert program is not None
        open_ids = list(s.exec(select(Project.id).where(
            Project.program_id == pid,
            col(Project.status).in_([ProjectStatus.under_evaluation, ProjectStatus.reannounced]))
            .order_by(Project.id)).all())
        # The deadline: enough seats on the open panels for EVALUATORS evaluators (panel maximum raised).
        per_panel = max(program.rules.panel_max, -(-EVALUATORS // max(len(open_ids), 1)) + 10)
        program_service.update_rules(s, SYSTEM, pid, {"panel_max": per_panel})
        for project_id in open_ids:
            panels.auto_panel(s, SYSTEM, project_id, size=per_panel)
        open_sheets = s.exec(select(ScoreSheet).where(
            col(ScoreSheet.project_id).in_(open_ids), ScoreSheet.status != SheetStatus.submitted)
            .order_by(ScoreSheet.evaluator_id, ScoreSheet.id)).all()
        by_evaluator: dict[int, list[ScoreSheet]] = {}
        for sheet in open_sheets:
            by_evaluator.setdefault(sheet.evaluator_id, []).append(sheet)
        chosen = sorted(by_evaluator)[:EVALUATORS]
        if len(chosen) < EVALUATORS:
            raise RuntimeError(f"only {len(chosen)} evaluators have open sheets; {EVALUATORS} wanted")
        cast = Cast(program_id=pid, award_ids=award_ids, open_projects=len(open_ids))
        crit_cache: dict[int, list[tuple[str, Decimal]]] = {}
        for ev_id in chosen:
            ev = s.get(Evaluator, ev_id)
            assert ev is not None
            user = auth.create_user(s, SYSTEM, UserCreate(username=f"load-{ev.code.lower()}", role=Role.evaluator,
                                                         full_name=ev.name, password=PASSWORD))
            assert user.id is not None
            link_evaluator_account(s, SYSTEM, user.id, ev.code)
            s.refresh(user)
            sheets = by_evaluator[ev_id]
            for sheet in sheets:
                project = s.get(Project, sheet.project_id)
                assert project is not None and sheet.id is not None
                if project.id not in crit_cache:
                    rubric = rubric_for(s, project.program_id, project.call_type_id)
                    step = Decimal(rubric.step)
                    crits = s.exec(select(RubricCriterion).where(RubricCriterion.rubric_id == rubric.id)
                                   .order_by(RubricCriterion.sort_order)).all()
                    # 80% of each maximum, on the rubric's step: above the comment threshold
                    crit_cache[project.id] = [  # type: ignore[index]
                        (c.code, (Decimal(c.max_points) * Decimal("0.8") / step).quantize(Decimal(1), ROUND_DOWN)
                         * step) for c in crits]
                cast.criteria[sheet.id] = crit_cache[project.id]  # type: ignore[index]
            cast.evaluators.append((auth.create_token(user, minutes=120), [sh.id for sh in sheets]))  # type: ignore[misc]
        others = USERS - EVALUATORS
        n_auditors = max(1, round(others * AUDITOR_SHARE)) if others > 1 else 0
        for i in range(others):
            role = Role.auditor if i < n_auditors else Role.official
            user = auth.create_user(s, SYSTEM, UserCreate(username=f"load-{role.value}-{i:03d}", role=role,
                                                         full_name=f"Load {role.value} {i}", password=PASSWORD))
            (cast.auditors if role == Role.auditor else cast.officials).append(auth.create_token(user, minutes=120))
    engine.dispose()
    return cast


# --------------------------------------------------------------------------- the simulated people


@dataclass
class Tally:
    interactive: list[tuple[float, float]] = field(default_factory=list)  # (start offset s, latency ms)
    downloads: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    submitted: list[int] = field(default_factory=list)
    jobs_started: list[int] = field(default_factory=list)
    jobs_done: dict[int, str] = field(default_factory=dict)  # id → final status seen by its poller
    job_spans: list[tuple[float, float]] = field(default_factory=list)  # (first seen running/queued, finished)
    t0: float = 0.0


class Person:
    def __init__(self, client: Any, token: str, tally: Tally, deadline: float, rng: random.Random) -> None:
        self.c, self.tally, self.deadline, self.rng = client, tally, deadline, rng
        self.h = {"Authorization": f"Bearer {token}", "Accept-Language": "ko"}

    async def pause(self) -> None:
        await asyncio.sleep(self.rng.uniform(*PAUSE))

    def alive(self) -> bool:
        return time.perf_counter() < self.deadline

    async def call(self, kind: str, method: str, url: str, *, ok: tuple[int, ...] = (200,), download: bool = False,
                   **kw: Any) -> Any:
        started = time.perf_counter()
        try:
            r = await self.c.request(method, url, headers=self.h, **kw)
        except Exception as exc:  # a transport error is an error, not a crash of the bench
            self.tally.errors.append(f"{kind}: {type(exc).__name__} {exc}")
            return None
        ms = (time.perf_counter() - started) * 1000
        if download:
            self.tally.downloads.append(ms)
        else:
            self.tally.interactive.append((started - self.tally.t0, ms))
            self.tally.by_kind.setdefault(kind, []).append(ms)
        if r.status_code not in ok:
            self.tally.errors.append(f"{kind}: {r.status_code} {r.text[:200]}")
            return None
        return r

    async def follow_job(self, r: Any) -> None:
        """Poll a 202's job URL (1–3 s apart, like a progress bar) until it ends; download its file."""
        job = r.json()
        self.tally.jobs_started.append(job["id"])
        first = time.perf_counter() - self.tally.t0
        while True:
            await self.pause()
            p = await self.call("job status", "GET", job["url"])
            if p is None:
                return
            state = p.json()
            if state["status"] in ("done", "failed", "cancelled"):
                self.tally.jobs_done[job["id"]] = state["status"]
                self.tally.job_spans.append((first, time.perf_counter() - self.tally.t0))
                if state["status"] != "done":
                    self.tally.errors.append(f"job {job['id']} {job['kind']}: {state['status']} {state.get('message')}")
                elif state.get("file_url"):
                    await self.call("export download", "GET", state["file_url"], download=True)
                return
            if time.perf_counter() > self.deadline + DRAIN_SECONDS:
                return


class Official(Person):
    def __init__(self, *a: Any, cast: Cast) -> None:
        super().__init__(*a)
        self.cast = cast
        self.export: asyncio.Task[None] | None = None

    async def run(self) -> None:
        pid = self.cast.program_id
        while self.alive():
            await self.pause()
            if not self.alive():
                break
            if self.rng.random() < EXPORT_CHANCE and (self.export is None or self.export.done()):
                r = await self.call("export (202)", "GET",
                                    f"/api/v1/reports/status.xlsx?program_id={pid}&reason=load+test", ok=(202,))
                if r is not None:
                    self.export = asyncio.create_task(self.follow_job(r))
                continue
            what = self.rng.random()
            if what < 0.3:
                await self.call("programme summary", "GET", f"/api/v1/programs/{pid}/summary")
                await self.call("programme totals", "GET", f"/api/v1/budgeting/programs/{pid}/totals")
            elif what < 0.65:
                off = self.rng.randrange(0, max(len(self.cast.award_ids) - 50, 1))
                await self.call("award list", "GET", f"/api/v1/budgeting/awards?program_id={pid}&limit=50&offset={off}")
            else:
                aid = self.rng.choice(self.cast.award_ids)
                await self.call("award detail", "GET", f"/api/v1/budgeting/awards/{aid}")
        if self.export is not None:
            await self.export


class Auditor(Official):
    async def run(self) -> None:
        pid = self.cast.program_id
        while self.alive():
            await self.pause()
            if not self.alive():
                break
            if self.rng.random() < RUN_CHANCE and (self.export is None or self.export.done()):
                r = await self.call("compliance run (202)", "POST", "/api/v1/jobs", ok=(202,),
                                    json={"kind": "compliance.run", "params": {"program_id": pid},
                                          "reason": "load test"})
                if r is not None:
                    self.export = asyncio.create_task(self.follow_job(r))
                continue
            if self.rng.random() < 0.7:
                await self.call("findings", "GET", f"/api/v1/compliance/findings?program_id={pid}&limit=50")
            else:
                aid = self.rng.choice(self.cast.award_ids)
                await self.call("award findings", "GET",
                                f"/api/v1/compliance/findings?program_id={pid}&award_id={aid}")
        if self.export is not None:
            await self.export


class EvaluatorPerson(Person):
    def __init__(self, *a: Any, sheets: list[int], criteria: dict[int, list[tuple[str, Decimal]]]) -> None:
        super().__init__(*a)
        self.sheets, self.criteria = sheets, criteria

    def body(self, sheet_id: int, upto: int | None = None) -> dict[str, Any]:
        crits = self.criteria[sheet_id][:upto]
        return {"scores": [{"criterion_code": code, "points": str(points), "comment": "부하 시험 평가 의견"}
                           for code, points in crits]}

    async def run(self) -> None:
        await asyncio.sleep(self.rng.uniform(0, PAUSE[1]))  # not all at the same instant
        if await self.call("my assignments", "GET", "/api/v1/scoring/assignments") is None:
            return
        for sheet_id in self.sheets:
            steps = [
                ("no-conflict confirm", "POST", f"/api/v1/scoring/assignments/{sheet_id}/no-conflict", None),
                ("assignment detail", "GET", f"/api/v1/scoring/assignments/{sheet_id}", None),
                ("sheet save (draft)", "PUT", f"/api/v1/scoring/assignments/{sheet_id}/sheet",
                 self.body(sheet_id, 2)),
                ("sheet save (full)", "PUT", f"/api/v1/scoring/assignments/{sheet_id}/sheet", self.body(sheet_id)),
                ("sheet submit", "POST", f"/api/v1/scoring/assignments/{sheet_id}/submit", None),
            ]
            for kind, method, url, payload in steps:
                await self.pause()
                if not self.alive():
                    return
                r = await self.call(kind, method, url, json=payload)
                if r is None:
                    break
                if kind == "sheet submit" and r.json().get("status") == "submitted":
                    self.tally.submitted.append(sheet_id)
        while self.alive():  # done before the deadline: glance at the list now and then
            await asyncio.sleep(self.rng.uniform(5, 10))
            if self.alive():
                await self.call("my assignments", "GET", "/api/v1/scoring/assignments")


async def _simulate(base: str, cast: Cast, seconds: float) -> Tally:
    import httpx

    tally = Tally()
    rng = random.Random(2021)
    # An idle connection is dropped after 3 s, before uvicorn's 5 s keep-alive timeout closes it from its
    # side (with the same 5 s on both ends a request could be sent on a connection being closed: ReadError).
    limits = httpx.Limits(max_connections=USERS + 50, max_keepalive_connections=USERS + 50, keepalive_expiry=3)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        tally.t0 = time.perf_counter()
        deadline = tally.t0 + seconds
        people: list[Any] = []
        for token in cast.officials:
            people.append(Official(client, token, tally, deadline, random.Random(rng.random()), cast=cast))
        for token in cast.auditors:
            people.append(Auditor(client, token, tally, deadline, random.Random(rng.random()), cast=cast))
        for token, sheets in cast.evaluators:
            people.append(EvaluatorPerson(client, token, tally, deadline, random.Random(rng.random()),
                                          sheets=sheets, criteria=cast.criteria))
        await asyncio.gather(*(p.run() for p in people))
    tally.t0 = time.perf_counter() - tally.t0  # now: the wall time of the whole simulation
    return tally


# --------------------------------------------------------------------------- verification afterwards


def _verify(url: str, submitted: list[int], env: dict[str, str]) -> dict[str, Any]:
    from sqlalchemy import func
    from sqlmodel import Session, col, select

    from core import db
    from core.models import AuditEvent
    from scoring.models import ScoreSheet, SheetStatus

    engine = db.make_engine(url)
    with Session(engine) as s:
        statuses = dict(s.exec(select(ScoreSheet.id, ScoreSheet.status)
                               .where(col(ScoreSheet.id).in_(submitted or [-1]))).all())
        events = s.exec(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "sheet.submit", AuditEvent.entity_type == "score_sheet",
            col(AuditEvent.entity_id).in_([str(i) for i in submitted] or ["-1"]))).one()
    engine.dispose()
    lost = [i for i in submitted if statuses.get(i) != SheetStatus.submitted]
    verify = subprocess.run([sys.executable, "main.py", "audit", "verify", "--json"], cwd=ROOT,
                            env={**os.environ, **env}, capture_output=True, text=True)
    try:
        verdict = json.loads(verify.stdout)
        summary = {k: v for k, v in verdict.items() if not isinstance(v, list)} if isinstance(verdict, dict) else {}
    except json.JSONDecodeError:
        summary = {"output": (verify.stdout + verify.stderr)[-400:]}
    return {"sheets_submitted (200)": len(submitted), "sheets_submitted_in_db": len(submitted) - len(lost),
            "sheets_lost": lost, "sheet.submit_audit_events": events,
            "audit_verify_exit": verify.returncode, "audit_verify": summary}


# --------------------------------------------------------------------------- the run


def _pct(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 1)

    return {"n": len(values), "p50_ms": round(statistics.median(ordered), 1), "p95_ms": at(0.95),
            "p99_ms": at(0.99), "max_ms": round(ordered[-1], 1)}


def _loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> None:
    url = _create_database()
    env: dict[str, str] = {}
    try:
        print(f"  database {DB_NAME} (PostgreSQL), {USERS} users ({EVALUATORS} evaluators) for {SECONDS:.0f} s",
              flush=True)
        cast = _prepare(url)
        with tempfile.TemporaryDirectory() as storage:
            env = {"DATABASE_URL": url, "JOB_QUEUE_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
                   "JOB_QUEUE_NAME": f"bench-load-{os.getpid()}", "JOB_STORAGE_DIR": storage}
            worker = subprocess.Popen([sys.executable, "main.py", "worker", "--threads", "2"], cwd=ROOT,
                                      env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                                      stderr=open(Path(storage) / "worker.log", "w"))  # noqa: SIM115
            try:
                app = "bench.bench_load:diagnostic_app" if WITHOUT_REFRESH else "server:create_app"
                with served(env, app=app, workers=2) as server:
                    load_before = _loadavg()
                    tally = asyncio.run(_simulate(server.url, cast, SECONDS))
                    load_after = _loadavg()
            finally:
                worker.terminate()
                try:
                    worker.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
                log = (Path(storage) / "worker.log").read_text(errors="replace")
            checks = _verify(url, tally.submitted, env)
        spans = tally.job_spans
        during = [ms for at, ms in tally.interactive if any(a <= at <= b for a, b in spans)]
        total_requests = len(tally.interactive) + len(tally.downloads)
        result: dict[str, Any] = {
            "diagnostic": "without the after-commit findings refresh" if WITHOUT_REFRESH else None,
            "database": "postgresql", "web_workers": 2, "job_workers": 1, "users": USERS,
            "officials": len(cast.officials), "auditors": len(cast.auditors), "evaluators": len(cast.evaluators),
            "open_projects": cast.open_projects, "seconds": SECONDS, "wall_seconds": round(tally.t0, 1),
            "requests": total_requests, "requests_per_s": round(total_requests / tally.t0, 1),
            "errors": len(tally.errors), "first_errors": tally.errors[:10],
            "interactive": _pct([ms for _, ms in tally.interactive]),
            "interactive_while_jobs_ran": _pct(during),
            "export_downloads": _pct(tally.downloads),
            "jobs_started": len(tally.jobs_started),
            "jobs_completed": sum(1 for v in tally.jobs_done.values() if v == "done"),
            "jobs_not_finished_when_polling_stopped": len(tally.jobs_started) - len(tally.jobs_done),
            "by_kind": {k: _pct(v) for k, v in sorted(tally.by_kind.items())},
            **checks,
            "load_average_before": load_before, "load_average_after": load_after, "cores": os.cpu_count(),
        }
        if "Traceback" in log:
            result["worker_log_tail"] = log[-1500:]
    finally:
        if os.environ.get("BENCH_LOAD_KEEP_DB") != "1":
            _drop_database()
    _table(result)
    save("load", result)


def _table(r: dict[str, Any]) -> None:
    print(f"\n  {'request kind':<24} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    rows = [("ALL interactive", r["interactive"]), ("  while jobs ran", r["interactive_while_jobs_ran"]),
            ("export downloads", r["export_downloads"]), *r["by_kind"].items()]
    for name, p in rows:
        if p.get("n"):
            print(f"  {name:<24} {p['n']:>6} {p['p50_ms']:>8} {p['p95_ms']:>8} {p['p99_ms']:>8} {p['max_ms']:>8}")
    print()


if __name__ == "__main__":
    main()
