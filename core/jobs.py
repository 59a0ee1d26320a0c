"""Long work as jobs on huey: one queue engine, an embedded default and a distributed mode.

- **Engine** (chosen by measuring, see the commit): huey 3. Embedded default: ``SqliteHuey`` on a file
  in the job storage folder (``JOB_STORAGE_DIR``, default ``var/jobs``), needing no server; ``serve``
  starts one worker process beside the web server. Distributed: ``JOB_QUEUE_URL=redis://host:6379/0``
  makes it ``RedisHuey``, consumed by any number of ``main.py worker`` processes on any machine that
  reaches the same Redis and database. ``JOB_QUEUE_URL=memory://`` runs each job inline when it is
  enqueued (huey's immediate mode: tests, one-shot scripts).
- **The job row is the truth** (table ``job``): who asked and why, the parameters, the status
  (queued → running → done | failed | cancelled), progress 0–100 with a message key rendered per
  language, the result file. The queue carries only the job's id, so a message lost with a killed
  worker is recovered from the row: a job found ``running`` whose worker is gone (its process is dead
  on this host, or its heartbeat is stale) is queued again up to ``JOB_MAX_ATTEMPTS`` times, then
  marked failed with the reason. A job ``queued`` for longer than ``LOST_AFTER`` whose message is on
  no queue (Redis flushed, a message lost between the commit and the queue) is put on the queue once
  more, and failed with the reason when it is lost again. Only ``_claim`` starts a job (one conditional
  UPDATE), so a message put twice never runs the job twice.
- **Periodic work** on every consumer (``run_worker``): ``housekeeping`` every five minutes, and a daily
  signed audit checkpoint (kind ``audit.checkpoint`` of ``core/audit_jobs.py``, once a day however many
  workers there are).
- **The command line** runs long commands as jobs too: ``run_here`` runs a job in the calling process
  (the same ``run_job``), ``follow`` shows its progress as a tqdm bar until it finishes.
- **Kinds** are registered by the packages that own the work (``reports/jobs.py``,
  ``compliance/jobs.py``, ``opendata/jobs.py``) with ``register``; the worker imports
  ``JOB_MODULES``. Each kind names the roles that may ask for it.
- Every enqueue, cancel, resume and finish is an audit event (entity ``job``) in the same transaction
  as the row's change; result files live in ``JOB_STORAGE_DIR/<id>/`` and are deleted with their row
  after ``JOB_RETENTION_DAYS``.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from pydantic import BaseModel, ValidationError
from sqlalchemy import BigInteger, Column, Text, update
from sqlmodel import Field, Session, SQLModel, col, select

from core import audit, db, i18n
from core.audit import SYSTEM, Actor
from core.errors import Conflict, DomainError, Forbidden, NotFound, RuleViolation
from core.models import Role, User
from core.settings import ROOT, get_settings
from core.timeutil import utcnow

log = logging.getLogger("grants.jobs")


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"
    cancelled = "cancelled"


FINISHED = (JobStatus.done, JobStatus.failed, JobStatus.cancelled)

i18n.register_codes("job_status", {
    "queued": ("대기 중", "Queued"), "running": ("진행 중", "Running"), "done": ("완료", "Done"),
    "failed": ("실패", "Failed"), "cancelled": ("취소됨", "Cancelled"),
})
i18n.register_messages({
    "job.queued": ("대기 중입니다", "Waiting in the queue"),
    "job.started": ("시작했습니다", "Started"),
    "job.resumed": ("작업자가 중단되어 다시 시작합니다({attempt:n}번째)",
                    "The worker stopped; starting again (attempt {attempt:n})"),
    "job.done": ("완료했습니다", "Done"),
    "job.cancelled": ("취소했습니다", "Cancelled"),
    "job.cancel_requested": ("취소를 요청했습니다", "Cancellation requested"),
    "job.failed": ("실패했습니다: {reason}", "Failed: {reason}"),
    "job.interrupted": ("작업자가 {attempts:n}번 중단되어 작업을 실패로 마쳤습니다",
                        "The worker stopped {attempts:n} time(s); the job is marked failed"),
    "job.internal_error": ("내부 오류가 발생했습니다(오류 번호 {error_id})",
                           "An internal error occurred (error id {error_id})"),
    "job.collecting": ("자료를 모으는 중입니다", "Collecting the data"),
    "job.rows": ("{what} {done:n}행을 처리했습니다", "{what}: {done:n} rows processed"),
    "job.rendering": ("문서를 만드는 중입니다", "Rendering the document"),
    "job.writing": ("파일을 쓰는 중입니다", "Writing the file"),
    "job.checking": ("점검을 실행하는 중입니다", "Running the checks"),
    "job.step": ("{step} 진행 중입니다", "{step} in progress"),
    "job.requeued": ("대기열에서 작업 요청이 사라져 다시 넣었습니다", "The job's message was lost from the queue; "
                     "queued again"),
    "job.lost": ("대기열에서 작업 요청이 두 번 사라져 작업을 실패로 마쳤습니다. 다시 요청하세요",
                 "The job's message was lost from the queue twice; the job is marked failed. Ask for it again"),
    "job.waiting_worker": ("작업 처리기를 기다리는 중입니다({command})",
                           "Waiting for a job worker ({command})"),
})


class Job(SQLModel, table=True):
    """One piece of long work asked for by a person (or the system): the row is the truth of the job."""

    __tablename__ = "job"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=64, index=True)
    requested_by: str = Field(max_length=64, index=True)  # username
    requested_by_id: int | None = Field(default=None, index=True)  # app_user.id (None: the system)
    requester_role: str = Field(max_length=16)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    params_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    status: JobStatus = Field(default=JobStatus.queued, max_length=16, index=True)
    progress: int = Field(default=0)
    message_key: str = Field(default="job.queued", max_length=64)
    message_params: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    cancel_requested: bool = Field(default=False)
    attempts: int = Field(default=0)
    worker: str | None = Field(default=None, max_length=128)
    result_path: str | None = Field(default=None, max_length=512)
    result_name: str | None = Field(default=None, max_length=256)
    result_type: str | None = Field(default=None, max_length=128)
    result_bytes: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    started_at: datetime | None = Field(default=None)
    finished_at: datetime | None = Field(default=None, index=True)
    heartbeat_at: datetime | None = Field(default=None)

    @property
    def params(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.params_json or "{}")
        return value

    def message(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """The progress or outcome sentence in `lang`."""
        params = json.loads(self.message_params or "{}")
        if self.message_key == "job.failed" and isinstance(params.get("reason"), dict):
            params = {"reason": params["reason"].get(i18n.as_lang(lang), "")}
        try:
            return i18n.render(self.message_key, params, lang)
        except (KeyError, ValueError):
            return i18n.code_label("job_status", self.status, lang)


class JobRead(SQLModel):
    """What the API shows of a job."""

    id: int
    kind: str
    kind_label: str
    status: JobStatus
    status_label: str
    progress: int
    message: str
    requested_by: str
    reason: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    url: str
    file_url: str | None
    file_name: str | None
    file_bytes: int | None


class JobCancelled(Exception):
    """Raised inside a running job when its cancellation was requested."""


# --- kinds ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Output:
    """A job's result: bytes to store, or a file the handler already wrote at `ctx.output_path(name)`."""

    filename: str
    content_type: str
    content: bytes | None = None


Handler = Callable[["Context"], Output | None]


@dataclass(frozen=True)
class Kind:
    name: str
    handler: Handler
    label: tuple[str, str]
    roles: tuple[Role, ...]
    params: type[BaseModel] | None = None  # the bounded parameters (a RequestModel): checked at enqueue


KINDS: dict[str, Kind] = {}


def register(name: str, label: tuple[str, str], roles: Iterable[Role],
             params: type[BaseModel] | None = None) -> Callable[[Handler], Handler]:
    """Decorator: the function runs jobs of kind `name` (label in Korean, English), asked for by `roles`, with
    parameters checked by the model `params` (unknown or unbounded values: 422 at enqueue, nothing queued)."""

    def wrap(func: Handler) -> Handler:
        KINDS[name] = Kind(name=name, handler=func, label=label, roles=tuple(roles), params=params)
        i18n.register_codes("job_kind", {name: label})
        return func

    return wrap


def load_kinds() -> None:
    """Import the modules that register the kinds (JOB_MODULES), as a worker does before it starts."""
    for module in get_settings().job_modules.split(","):
        if module.strip():
            importlib.import_module(module.strip())


# --- the queue -----------------------------------------------------------------------------------

def storage_dir() -> Path:
    path = Path(get_settings().job_storage_dir)
    if not path.is_absolute():
        path = ROOT / path
    path.mkdir(parents=True, exist_ok=True)
    return path


def make_queue(url: str, name: str) -> Huey:
    """The huey instance for a queue URL: redis://… (distributed), memory:// (inline), else a SQLite file."""
    # results=False: the outcome lives in the job row; huey would otherwise keep every task's return value.
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, utc=True, results=False)
    if url.startswith("memory://"):
        return MemoryHuey(name, immediate=True, utc=True, results=False)
    path = url.split("///", 1)[-1] if url.startswith("sqlite") else (url or str(storage_dir() / "queue.db"))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=path, utc=True, timeout=30, results=False)


_queue: Huey | None = None
_run_task: Any = None
_background_task: Any = None
# System work that keeps derived data current (no job row, no requester): name → handler(payload).
BACKGROUND: dict[str, Callable[[dict[str, Any]], None]] = {}


def background(name: str) -> Callable[[Callable[[dict[str, Any]], None]], Callable[[dict[str, Any]], None]]:
    """Register a background task: derived data the application keeps current after a change (e.g. stored
    compliance findings). It runs on the same queue as the jobs — in a worker, or inline with `memory://` —
    but has no job row and no audit event of its own: what it writes is audited by its own code."""
    def wrap(fn: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
        BACKGROUND[name] = fn
        return fn
    return wrap


def run_background(name: str, payload: dict[str, Any]) -> None:
    """What a worker runs for a background task (the modules of JOB_MODULES register the handlers)."""
    if name not in BACKGROUND:
        load_kinds()
    handler = BACKGROUND.get(name)
    if handler is None:
        log.error("no background task %r registered in this worker", name)
        return
    handler(payload)


def submit_background(name: str, payload: dict[str, Any]) -> None:
    """Put a background task on the queue (runs at once with `memory://`)."""
    queue()
    _background_task(name, payload)


def configure(url: str | None = None, name: str | None = None) -> Huey:
    """(Re)build the queue from the settings (or the given URL) and register the job task on it."""
    global _queue, _run_task
    settings = get_settings()
    queue = make_queue(url if url is not None else settings.job_queue_url, name or settings.job_queue_name)
    _run_task = queue.task(name="grants.run_job", retries=0)(run_job)
    global _background_task
    _background_task = queue.task(name="grants.background", retries=1, retry_delay=5)(run_background)
    queue.periodic_task(crontab(minute="*/5"), name="grants.housekeeping")(housekeeping)
    # 03:10 KST (18:10 UTC), when nobody works: one signed checkpoint a day as a job (progress, audit)
    queue.periodic_task(crontab(minute="10", hour="18"), name="grants.daily_checkpoint")(_daily_checkpoint_task)
    _queue = queue
    return queue


def queue() -> Huey:
    return _queue if _queue is not None else configure()


def embedded() -> bool:
    """True when the queue needs no server (a SQLite file or inline)."""
    url = get_settings().job_queue_url
    return not url.startswith(("redis://", "rediss://", "unix://"))


# --- enqueue, read, cancel -----------------------------------------------------------------------

def _actor(user: User | Actor) -> Actor:
    return user if isinstance(user, Actor) else Actor.of(user)


def enqueue(session: Session, user: User | Actor, kind: str, params: dict[str, Any], *,
            reason: str | None = None, put: bool = True) -> Job:
    """Record the job and its audit event (one commit), then put its id on the queue (`put=False`: the caller
    runs it itself with `run_here`, as the command line does when no worker is asked for)."""
    if kind not in KINDS:
        load_kinds()  # the kinds of JOB_MODULES, imported on first need (the web process imports few of them)
    spec = KINDS.get(kind)
    if spec is None:
        raise RuleViolation(f"unknown job kind '{kind[:64]}'", field="kind")
    actor = _actor(user)
    if actor is not SYSTEM and not _allowed(actor.role, spec.roles):
        raise Forbidden(f"role '{actor.role}' may not ask for {kind}")
    if spec.params is not None:
        try:
            params = spec.params.model_validate(params).model_dump(mode="json")
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "params"
            raise RuleViolation(f"job parameter {where[:100]}: {str(first.get('msg', 'invalid'))[:200]}",
                                field=f"params.{where[:100]}") from None
    job = Job(kind=kind, requested_by=actor.username, requested_by_id=actor.user_id, requester_role=actor.role,
              reason=reason, params_json=json.dumps(params, sort_keys=True, ensure_ascii=False, default=str))
    session.add(job)
    session.flush()
    audit.record(session, actor, "job.enqueue", "job", job.id, after={"kind": kind, "params": job.params},
                 reason=reason)
    session.commit()
    if put:
        _put(job.id)  # type: ignore[arg-type]
    session.refresh(job)
    return job


def _put(job_id: int) -> None:
    queue()
    _run_task(job_id)


def _allowed(role: str, roles: tuple[Role, ...]) -> bool:
    try:
        r = Role(role)
    except ValueError:
        return False
    return r in roles or (r == Role.admin and Role.official in roles)


def get_job(session: Session, job_id: int, user: User) -> Job:
    """The job, for the person who asked for it (or an admin); others get 404, as if it did not exist."""
    job = session.get(Job, job_id)
    if job is None or not (user.role == Role.admin or (job.requested_by_id is not None
                                                        and job.requested_by_id == user.id)):
        raise NotFound(f"job {job_id} not found")
    return job


def list_jobs(session: Session, user: User, *, limit: int = 50, offset: int = 0) -> tuple[list[Job], int]:
    """The caller's jobs, newest first."""
    stmt = select(Job).where(Job.requested_by_id == user.id)
    total = len(session.exec(select(Job.id).where(Job.requested_by_id == user.id)).all())
    rows = session.exec(stmt.order_by(col(Job.id).desc()).offset(offset).limit(limit)).all()
    return list(rows), total


def cancel(session: Session, user: User | Actor, job_id: int, *, reason: str | None = None) -> Job:
    """Cancel a queued job at once; ask a running one to stop at its next progress report."""
    actor = _actor(user)
    job = session.exec(db.lock_for_update(session, select(Job).where(Job.id == job_id))).first()
    if job is None or not (actor.role == Role.admin or (job.requested_by_id is not None
                                                         and job.requested_by_id == actor.user_id)):
        raise NotFound(f"job {job_id} not found")
    if job.status in FINISHED:
        raise Conflict(f"job {job_id} is already {job.status}")
    before = {"status": job.status}
    job.cancel_requested = True
    if job.status == JobStatus.queued:
        job.status = JobStatus.cancelled
        job.finished_at = utcnow()
        job.message_key, job.message_params = "job.cancelled", "{}"
    else:
        job.message_key, job.message_params = "job.cancel_requested", "{}"
    session.add(job)
    audit.record(session, actor, "job.cancel", "job", job.id, before=before,
                 after={"status": job.status, "cancel_requested": True}, reason=reason)
    session.commit()
    session.refresh(job)
    return job


def read(job: Job, lang: str = i18n.DEFAULT_LANG) -> JobRead:
    assert job.id is not None
    done = job.status == JobStatus.done and job.result_path is not None
    return JobRead(
        id=job.id, kind=job.kind, kind_label=i18n.code_label("job_kind", job.kind, lang), status=job.status,
        status_label=i18n.code_label("job_status", job.status, lang), progress=job.progress,
        message=job.message(lang), requested_by=job.requested_by, reason=job.reason, created_at=job.created_at,
        started_at=job.started_at, finished_at=job.finished_at, url=f"/api/v1/jobs/{job.id}",
        file_url=f"/api/v1/jobs/{job.id}/file" if done else None,
        file_name=job.result_name if done else None, file_bytes=job.result_bytes if done else None)


def result_file(job: Job) -> Path:
    """The path of a finished job's file; 404 while it is not done (or after its retention)."""
    if job.status != JobStatus.done or not job.result_path:
        raise NotFound(f"job {job.id} has no file (status {job.status})")
    path = Path(job.result_path)
    if not path.is_file():
        raise NotFound(f"the file of job {job.id} is gone")
    return path


# --- running a job -------------------------------------------------------------------------------

def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Context:
    """What a running job's handler sees: its parameters, who asked, and a progress reporter."""

    job_id: int
    kind: str
    params: dict[str, Any]
    requested_by: str
    requester_role: str
    requested_by_id: int | None
    reason: str | None
    folder: Path
    _cancel: threading.Event = field(default_factory=threading.Event)
    _last_write: float = 0.0
    _last: tuple[int, str] = (-1, "")
    live: tuple[int, str, dict[str, Any]] = (0, "job.started", {})  # the latest progress, before it is written
    # Set by a handler whose long transactions hold SQLite's write lock: the heartbeat then only reads (a beat
    # would wait for that transaction). The worker is on this host then, and recovery asks its process.
    holds_write_lock: bool = False

    @property
    def by(self) -> str:
        """How documents name the requester: 'username (감사관)' — the role by its label, not its code."""
        return f"{self.requested_by} ({i18n.code_label('role', self.requester_role)})"

    @property
    def actor(self) -> Actor:
        return Actor(username=self.requested_by, role=self.requester_role, user_id=self.requested_by_id)

    def output_path(self, filename: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / filename

    def check_cancelled(self) -> None:
        if self._cancel.is_set():
            raise JobCancelled()

    def progress(self, percent: int, key: str = "job.step", **params: Any) -> None:
        """Report progress (0–100) with a message key; raises JobCancelled when cancellation was asked."""
        self.check_cancelled()
        percent = max(0, min(100, int(percent)))
        self.live = (percent, key, params)
        now = time.monotonic()
        if (percent, key) == self._last or (now - self._last_write < 0.5 and key == self._last[1]
                                            and percent < 100):
            return
        self._last, self._last_write = (percent, key), now
        with db.session_scope(write=True) as session:
            session.exec(update(Job).where(col(Job.id) == self.job_id, col(Job.status) == JobStatus.running)
                         .values(progress=percent, message_key=key, heartbeat_at=utcnow(),
                                 message_params=json.dumps(params, ensure_ascii=False, default=str)))
            session.commit()

    def note(self, percent: int, key: str = "job.step", **params: Any) -> None:
        """Progress kept in memory only (a follower in this process sees it): for a handler whose own open
        write transaction holds SQLite's lock, where writing the job row would wait for that very transaction.
        Raises JobCancelled when cancellation was asked, like `progress`."""
        self.check_cancelled()
        self.live = (max(0, min(100, int(percent))), key, params)

    def rows(self, low: int, high: int) -> Callable[[str, int, int | None], None]:
        """A (what, done, total) callback for the report builders that maps rows onto low…high percent."""

        def report(what: str, done: int, total: int | None) -> None:
            share = done / total if total else 0.0
            self.progress(low + int((high - low) * min(share, 1.0)), "job.rows", what=what, done=done)

        return report


def _claim(job_id: int) -> Job | None:
    """Mark a queued job running for this worker (one conditional UPDATE: two workers never both run it)."""
    with db.session_scope(write=True) as session:
        now = utcnow()
        result = session.exec(update(Job).where(col(Job.id) == job_id, col(Job.status) == JobStatus.queued)
                              .values(status=JobStatus.running, started_at=now, heartbeat_at=now,
                                      worker=_worker_id(), attempts=Job.attempts + 1,
                                      message_key="job.started", message_params="{}"))
        session.commit()
        if result.rowcount != 1:
            return None
        return session.get(Job, job_id)


def _heartbeat(job_id: int, ctx: Context, stop: threading.Event, every: float) -> None:
    """Beat the job's heartbeat while it runs, and notice a cancellation request."""
    while not stop.wait(every):
        try:
            # the flag first: a read does not wait for a writer (SQLite WAL), so a handler holding the write
            # lock in a long transaction still learns of a cancellation
            with db.session_scope() as session:
                flag = session.exec(select(Job.cancel_requested).where(Job.id == job_id)).first()
            if flag:
                ctx._cancel.set()
            if ctx.holds_write_lock:
                continue
            with db.session_scope(write=True) as session:
                session.exec(update(Job).where(col(Job.id) == job_id).values(heartbeat_at=utcnow()))
                session.commit()
        except Exception:  # a missed beat is retried; the job itself goes on
            log.exception("heartbeat of job %s", job_id)


def _finish(job_id: int, status: JobStatus, key: str, params: dict[str, Any], *, path: Path | None = None,
            output: Output | None = None) -> None:
    with db.session_scope(write=True) as session:
        job = session.exec(db.lock_for_update(session, select(Job).where(Job.id == job_id))).first()
        if job is None or job.status != JobStatus.running or job.worker != _worker_id():
            if path is not None:
                shutil.rmtree(path.parent, ignore_errors=True)
            return  # taken over by recovery (or deleted): its new run finishes it
        if status == JobStatus.done and job.cancel_requested:
            status, key, params = JobStatus.cancelled, "job.cancelled", {}
            if path is not None:
                path.unlink(missing_ok=True)
                path = None
        job.status, job.finished_at, job.heartbeat_at = status, utcnow(), utcnow()
        job.message_key, job.message_params = key, json.dumps(params, ensure_ascii=False)
        if status == JobStatus.done and path is not None and output is not None:
            job.progress = 100
            job.result_path, job.result_name = str(path), output.filename
            job.result_type, job.result_bytes = output.content_type, path.stat().st_size
        session.add(job)
        audit.record(session, SYSTEM, "job.finish", "job", job.id,
                     after={"status": status, "kind": job.kind, "file": job.result_name, "bytes": job.result_bytes,
                            "attempts": job.attempts, "message": job.message("en")},
                     reason=f"for {job.requested_by}" + (f": {job.reason}" if job.reason else ""))
        session.commit()


# The jobs running in this process, by id (a follower in the same process reads their live progress).
RUNNING: dict[int, Context] = {}


def run_job(job_id: int) -> str:
    """The one huey task: run the job `job_id` if it is still queued; return its final status."""
    job = _claim(job_id)
    if job is None:
        return "skipped"
    spec = KINDS.get(job.kind)
    folder = storage_dir() / str(job_id)
    shutil.rmtree(folder, ignore_errors=True)  # a fresh folder: nothing left by an interrupted run (or an old id)
    ctx = Context(job_id=job_id, kind=job.kind, params=job.params, requested_by=job.requested_by,
                  requester_role=job.requester_role, requested_by_id=job.requested_by_id, reason=job.reason,
                  folder=folder)
    RUNNING[job_id] = ctx
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(job_id, ctx, stop, get_settings().job_heartbeat_seconds),
                            daemon=True, name=f"job-{job_id}-heartbeat")
    beat.start()
    try:
        if spec is None:
            raise RuleViolation(f"this worker does not know the job kind '{job.kind}'", field="kind")
        output = spec.handler(ctx)
        ctx.check_cancelled()
        path: Path | None = None
        if output is not None:
            path = ctx.output_path(output.filename)
            if output.content is not None:
                part = path.with_name(path.name + ".part")
                part.write_bytes(output.content)
                os.replace(part, path)
        _finish(job_id, JobStatus.done, "job.done", {}, path=path, output=output)
        return "done"
    except JobCancelled:
        shutil.rmtree(folder, ignore_errors=True)
        _finish(job_id, JobStatus.cancelled, "job.cancelled", {})
        return "cancelled"
    except DomainError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        _finish(job_id, JobStatus.failed, "job.failed", {"reason": {"ko": exc.render("ko"), "en": exc.render("en")}})
        return "failed"
    except Exception as exc:
        import uuid

        error_id = uuid.uuid4().hex[:12]
        log.exception("job %s (%s) failed [error id %s]: %s", job_id, job.kind, error_id, exc)
        shutil.rmtree(folder, ignore_errors=True)
        _finish(job_id, JobStatus.failed, "job.internal_error", {"error_id": error_id})
        return "failed"
    finally:
        stop.set()
        RUNNING.pop(job_id, None)


# --- recovery and retention ----------------------------------------------------------------------

def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _worker_gone(job: Job, now: datetime, stale: timedelta) -> bool:
    host, _, pid = (job.worker or "").rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return int(pid) != os.getpid() and not _pid_alive(int(pid))
    beat = job.heartbeat_at or job.started_at
    if beat is not None and beat.tzinfo is None:
        from datetime import UTC

        beat = beat.replace(tzinfo=UTC)
    return beat is None or now - beat > stale


# A job queued this long whose message is on no queue was lost (a worker takes a message within seconds).
LOST_AFTER = timedelta(minutes=10)


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _waiting_ids(q: Huey) -> set[int] | None:
    """The job ids whose `run_job` message is on the queue (waiting or scheduled); None when the queue
    cannot be read (then no queued job is judged lost)."""
    if q.immediate or _run_task is None:
        return None
    try:
        name = q._registry.task_to_string(_run_task.task_class)
        raw = list(q.storage.enqueued_items()) + list(q.storage.scheduled_items())
    except Exception:  # an unreachable queue: try again at the next housekeeping
        log.exception("the job queue could not be read")
        return None
    ids: set[int] = set()
    for item in raw:
        try:
            message = q.serializer.deserialize(item)
        except Exception:
            continue
        if message.name == name and message.args:
            ids.add(int(message.args[0]))
    return ids


def _queued_since(job: Job) -> datetime:
    """When the job was last put on the queue: its creation, or the time recovery put it back (kept in
    `heartbeat_at`, which a queued job does not otherwise use)."""
    return _aware(job.heartbeat_at or job.created_at)


def recover_lost(now: datetime | None = None, lost_after: timedelta = LOST_AFTER) -> tuple[list[int], list[int]]:
    """Jobs `queued` for longer than `lost_after` whose message is on no queue: put each back on the queue
    once (message ``job.requeued``), and fail it when it is lost again (``job.lost``). Each change is a
    conditional UPDATE on a still-queued row, so a worker claiming the job at the same moment wins, and a
    message put twice runs the job once (`_claim`). Returns (requeued, failed)."""
    now = _aware(now or utcnow())
    waiting = _waiting_ids(queue())
    if waiting is None:
        return [], []
    requeued: list[int] = []
    failed: list[int] = []
    with db.session_scope(write=True) as session:
        queued = session.exec(select(Job).where(Job.status == JobStatus.queued)).all()
        for job in queued:
            if job.id in waiting or now - _queued_since(job) < lost_after:
                continue
            again = job.message_key != "job.requeued"
            values: dict[str, Any] = (
                {"message_key": "job.requeued", "message_params": "{}", "heartbeat_at": now} if again else
                {"status": JobStatus.failed, "finished_at": now, "message_key": "job.lost", "message_params": "{}"})
            result = session.exec(update(Job).where(col(Job.id) == job.id, col(Job.status) == JobStatus.queued,
                                                    col(Job.message_key) == job.message_key).values(**values))
            if result.rowcount != 1:
                continue  # claimed (or cancelled) meanwhile
            audit.record(session, SYSTEM, "job.requeue" if again else "job.finish", "job", job.id,
                         before={"status": "queued", "since": _queued_since(job).isoformat()},
                         after={"status": "queued" if again else "failed", "kind": job.kind,
                                "message": i18n.render(str(values["message_key"]), {}, "en")},
                         reason="the job's message was on no queue after "
                                f"{int(lost_after.total_seconds())} s")
            (requeued if again else failed).append(job.id)  # type: ignore[arg-type]
        session.commit()
    for job_id in requeued:
        _put(job_id)
    return requeued, failed


def recover(now: datetime | None = None) -> list[int]:
    """Jobs left `running` by a worker that is gone: queue them again, or fail them after the last attempt;
    then the queued jobs whose message was lost (`recover_lost`)."""
    settings = get_settings()
    now = now or utcnow()
    stale = timedelta(seconds=max(settings.job_heartbeat_seconds * 4, 60))
    requeued: list[int] = []
    with db.session_scope(write=True) as session:
        running = session.exec(db.lock_for_update(session, select(Job).where(Job.status == JobStatus.running))).all()
        for job in running:
            if not _worker_gone(job, now, stale):
                continue
            before = {"status": job.status, "worker": job.worker, "attempts": job.attempts}
            if job.attempts < settings.job_max_attempts and not job.cancel_requested:
                job.status, job.worker, job.progress = JobStatus.queued, None, 0
                job.heartbeat_at = now  # queued again now (see _queued_since)
                job.message_key = "job.resumed"
                job.message_params = json.dumps({"attempt": job.attempts + 1})
                action = "job.resume"
                requeued.append(job.id)
            else:
                job.status, job.finished_at = (JobStatus.cancelled if job.cancel_requested else JobStatus.failed), now
                job.message_key = "job.cancelled" if job.cancel_requested else "job.interrupted"
                job.message_params = json.dumps({"attempts": job.attempts})
                action = "job.finish"
            session.add(job)
            audit.record(session, SYSTEM, action, "job", job.id, before=before,
                         after={"status": job.status, "attempts": job.attempts},
                         reason=f"worker {before['worker']} stopped while running the job")
        session.commit()
    for job_id in requeued:
        _put(job_id)
    again, _failed = recover_lost(now)
    return requeued + again


def cleanup(now: datetime | None = None) -> int:
    """Delete finished jobs (rows and files) older than the retention period; return how many."""
    settings = get_settings()
    cutoff = (now or utcnow()) - timedelta(days=settings.job_retention_days)
    with db.session_scope(write=True) as session:
        old = session.exec(select(Job).where(col(Job.status).in_(list(FINISHED)),
                                             col(Job.finished_at) < cutoff)).all()
        for job in old:
            shutil.rmtree(storage_dir() / str(job.id), ignore_errors=True)
            session.delete(job)
        session.commit()
    return len(old)


def housekeeping() -> None:
    """Periodic (every five minutes on a worker): recover stopped and lost jobs, delete expired ones."""
    recover()
    cleanup()


def daily_checkpoint(now: datetime | None = None) -> Job | None:
    """Periodic (daily on a worker): ask for an ``audit.checkpoint`` job in the system's name, unless one
    was asked for by the system in the last 20 hours (every consumer runs the periodic tasks)."""
    now = _aware(now or utcnow())
    with db.session_scope(write=True) as session:
        recent = session.exec(select(Job.id, Job.created_at).where(Job.kind == "audit.checkpoint",
                                                                   Job.requested_by == SYSTEM.username)
                              .order_by(col(Job.id).desc()).limit(1)).first()
        if recent is not None and now - _aware(recent[1]) < timedelta(hours=20):
            return None
        return enqueue(session, SYSTEM, "audit.checkpoint", {"note": "daily"}, reason="daily audit checkpoint")


def _daily_checkpoint_task() -> None:
    daily_checkpoint()


def run_worker(*, workers: int = 1) -> None:
    """A standalone consumer of the queue (``main.py worker``): recover, clean up, then consume until stopped."""
    load_kinds()
    q = queue()
    if q.immediate:
        raise RuntimeError("JOB_QUEUE_URL=memory:// runs jobs inline; there is no queue for a worker to consume")
    recovered = recover()
    removed = cleanup()
    nice = get_settings().job_worker_nice
    if nice > 0 and hasattr(os, "nice"):
        os.nice(nice)  # exports and full runs yield the CPU to the web workers' interactive requests
    log.info("job worker %s: %d job(s) resumed, %d expired removed", _worker_id(), len(recovered), removed)
    consumer = q.create_consumer(workers=workers, worker_type="thread", periodic=True, initial_delay=0.1,
                                 max_delay=1.0)
    consumer.run()


# --- the command line: run a job here, or follow one a worker runs ---------------------------------

def run_here(job_id: int) -> threading.Thread:
    """Run a job (enqueued with `put=False`) in this process on a thread, through the same `run_job` a
    worker uses: the caller follows it with `follow`."""
    load_kinds()
    thread = threading.Thread(target=run_job, args=(job_id,), name=f"job-{job_id}", daemon=False)
    thread.start()
    return thread


def _snapshot(job_id: int, lang: str) -> tuple[JobStatus, int, str] | None:
    ctx = RUNNING.get(job_id)
    with db.session_scope() as session:
        job = session.exec(select(Job).where(Job.id == job_id).execution_options(populate_existing=True)).first()
        if job is None:
            return None
        if ctx is not None and job.status == JobStatus.running:  # this process runs it: its live progress
            percent, key, params = ctx.live
            try:
                return job.status, percent, i18n.render(key, params, lang)
            except (KeyError, ValueError):
                return job.status, percent, job.message(lang)
        message = job.message(lang)
        if job.status == JobStatus.queued and job.message_key == "job.queued" and not embedded():
            message = i18n.render("job.waiting_worker", {"command": "main.py worker"}, lang)
        return job.status, job.progress, message


def follow(job_id: int, *, lang: str = i18n.DEFAULT_LANG, file: Any = None, show: bool = True,
           poll: float = 0.2, thread: threading.Thread | None = None) -> Job:
    """Show a job's progress as a tqdm bar (0–100 %, its message in `lang`) until it is finished; return the
    finished row. Ctrl-C asks for its cancellation (audited) and follows it to the end; a second Ctrl-C
    stops following (the job goes on, or stops at its next progress report)."""
    import sys

    from tqdm import tqdm

    out = file if file is not None else sys.stderr
    first = _snapshot(job_id, lang)
    bar = tqdm(total=100, file=out, disable=not show, unit="%", leave=True, dynamic_ncols=True,
               desc=first[2][:60] if first else "", bar_format="{desc} |{bar}| {n:.0f}% [{elapsed}]")
    interrupted = False
    try:
        while True:
            try:
                snap = _snapshot(job_id, lang)
                if snap is None:
                    raise NotFound(f"job {job_id} not found")
                status, percent, message = snap
                bar.set_description_str(message[:60], refresh=False)
                if status == JobStatus.done:
                    percent = 100
                bar.update(max(0, percent - bar.n))
                if status in FINISHED and (thread is None or not thread.is_alive()):
                    break
                time.sleep(poll)
            except KeyboardInterrupt:
                if interrupted:
                    raise
                interrupted = True
                _cancel_here(job_id)
    finally:
        bar.close()
    with db.session_scope() as session:
        job = session.exec(select(Job).where(Job.id == job_id).execution_options(populate_existing=True)).first()
        assert job is not None
        return job


def _cancel_here(job_id: int) -> None:
    """Ctrl-C while following: stop the job at its next progress report and record the cancellation."""
    ctx = RUNNING.get(job_id)
    if ctx is not None:
        ctx._cancel.set()  # at once, even while the job's own transaction holds SQLite's write lock
    try:
        with db.session_scope(write=True) as session:
            cancel(session, SYSTEM, job_id, reason="interrupted on the command line")
    except DomainError:  # already finished
        pass


def submit(kind: str, params: dict[str, Any], *, reason: str | None, on_worker: bool, lang: str,
           show: bool = True, user: User | Actor = SYSTEM) -> Job:
    """What a long command-line command does: record the job (who asked, why), run it here — or, with
    `on_worker`, let a worker run it — and follow it with a progress bar; the finished row."""
    with db.session_scope(write=True) as session:
        job = enqueue(session, user, kind, params, reason=reason, put=on_worker)
    assert job.id is not None
    thread = None if on_worker else run_here(job.id)
    try:
        return follow(job.id, lang=lang, show=show, thread=thread)
    finally:
        if thread is not None:
            thread.join()
