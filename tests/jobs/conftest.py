"""Queues for the job tests: the embedded SQLite queue and Redis (127.0.0.1:6379; required under CI=true).

`queue` points the settings at a fresh queue and job folder; `worker` starts real `main.py worker`
processes on the test database (and stops them), so a test can stop one in the middle of a job.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from core import jobs
from core.settings import ROOT, get_settings
from tests.conftest import IN_CI
from tests.jobs import kinds as _test_kinds  # noqa: F401  (the test.gate kind, in this process too)

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@dataclass
class Queue:
    url: str
    name: str
    storage: Path
    env: dict[str, str]
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start_worker(self) -> subprocess.Popen[bytes]:
        log = self.storage.parent / f"worker-{len(self.procs) + 1}.log"  # read it when a test fails
        with log.open("ab") as out:
            proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "worker", "--threads", "2"],
                                    env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """Stop a worker the hard way (as a crash or a power cut would)."""
        proc.send_signal(signal.SIGKILL)
        proc.wait()


@pytest.fixture(params=["sqlite", "redis"])
def queue(request: pytest.FixtureRequest, clean_engine: Engine, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[Queue]:
    if request.param == "redis":
        if not _redis_up():
            if IN_CI:
                raise RuntimeError(f"Redis at {REDIS_URL} is not reachable (required under CI=true)")
            pytest.skip(f"Redis at {REDIS_URL} not reachable")
        url = REDIS_URL
    else:
        url = f"sqlite:///{tmp_path / 'queue.db'}"
    name = f"grants-test-{uuid.uuid4().hex[:8]}"
    settings = get_settings()
    storage = tmp_path / "jobs"
    for attr, value in (("job_queue_url", url), ("job_queue_name", name), ("job_storage_dir", str(storage)),
                        ("job_heartbeat_seconds", 0.5)):
        monkeypatch.setattr(settings, attr, value)
    env = dict(os.environ, DATABASE_URL=clean_engine.url.render_as_string(hide_password=False),
               JOB_QUEUE_URL=url, JOB_QUEUE_NAME=name, JOB_STORAGE_DIR=str(storage), JOB_HEARTBEAT_SECONDS="0.5",
               JOB_MODULES=settings.job_modules + ",tests.jobs.kinds", PYTHONPATH=str(ROOT),
               AUDIT_CHECKPOINT_FILE=settings.audit_checkpoint_file)
    q = Queue(url=url, name=name, storage=storage, env=env)
    huey = jobs.configure()
    yield q
    for proc in q.procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    huey.storage.flush_all()
    jobs.configure("memory://")
