"""Fixtures of the dashboard tests: a live server over a seeded SQLite database, headless Chromium.

Browser tests are marked `browser`. Under CI (CI=true) they must run: a missing chromium or
chromedriver fails them with a message; elsewhere they are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from tests.dashboard import livedb

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")
SCREENSHOTS = ROOT / "screenshots"


@dataclass
class Live:
    url: str
    engine: Engine
    db_path: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server at {url} did not become healthy within {timeout}s")


@pytest.fixture(scope="session")
def live_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Engine]]:
    """A seeded programme-scale SQLite database with the demo accounts."""
    path = tmp_path_factory.mktemp("dashboard") / "live.db"
    engine = livedb.build(path, "program")
    yield path, engine
    engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_db: tuple[Path, Engine], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """uvicorn serving server:create_app on a free 127.0.0.1 port over the seeded database, with one job
    worker beside it (`main.py worker`, as `main.py serve` starts one) consuming the embedded queue in a
    folder of this session's own: report downloads are jobs, and nothing else would run them."""
    path, engine = live_db
    port = _free_port()
    logs = tmp_path_factory.mktemp("server-log")
    log, worker_log = logs / "uvicorn.log", logs / "worker.log"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "DEMO_MODE": "true",
           "JOB_STORAGE_DIR": str(tmp_path_factory.mktemp("jobs")), "JOB_QUEUE_URL": ""}
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "server:create_app", "--factory", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    with open(worker_log, "wb") as fh:
        worker = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "worker"],
                                  cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        if worker.poll() is not None:
            raise RuntimeError(f"the job worker exited with code {worker.returncode}; "
                               f"worker log:\n{worker_log.read_text()[-3000:]}")
    except RuntimeError as exc:
        proc.kill()
        worker.kill()
        raise RuntimeError(f"{exc}; server log:\n{log.read_text()[-3000:]}") from exc
    yield Live(url=url, engine=engine, db_path=path)
    for p in (worker, proc):  # the worker first: it finishes its running job on SIGTERM
        p.terminate()
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()


def _browser_missing() -> str | None:
    for path, what in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromedriver")):
        if not (Path(path).exists() or shutil.which(path)):
            return (f"{what} not found at {path} "
                    "(install: apt-get install chromium chromium-driver, or `make browser-deps`)")
    return None


@pytest.fixture(scope="session")
def chrome_available() -> None:
    reason = _browser_missing()
    if reason is None:
        return
    if IN_CI:
        pytest.fail(f"browser tests must run under CI but {reason}")
    pytest.skip(reason)


@pytest.fixture
def browser(chrome_available: None) -> Iterator[Any]:
    """A fresh headless Chromium (its own profile directory) with browser logs enabled."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    downloads = tempfile.mkdtemp(prefix="chromium-downloads-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", f"--user-data-dir={profile}", "--window-size=1366,900", "--lang=ko-KR"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.add_experimental_option("prefs", {"download.default_directory": downloads,
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_window_size(1366, 900)
    driver.download_dir = downloads  # type: ignore[attr-defined]
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(downloads, ignore_errors=True)


@pytest.fixture(scope="session")
def unit_db(live_db: tuple[Path, Engine], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A private copy of the seeded database for the callback tests (they write score sheets)."""
    import sqlite3

    from core import db

    src, _ = live_db
    dst = tmp_path_factory.mktemp("dashboard-unit") / "unit.db"
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    engine = db.make_engine(f"sqlite:///{dst}")
    yield engine
    engine.dispose()


@pytest.fixture
def on_unit_db(unit_db: Engine) -> Iterator[Engine]:
    """Point core.db's process-wide engines (what dashboard.data uses) at the unit database, then restore them."""
    from core import db
    from dashboard import data

    saved = (db._engine, db._write_engine)
    db._engine, db._write_engine = unit_db, db.writer(unit_db)
    data.clear_caches()
    try:
        yield unit_db
    finally:
        db._engine, db._write_engine = saved
        data.clear_caches()


def user_named(engine: Engine, username: str) -> Any:
    from sqlmodel import Session, select

    from core.models import User

    with Session(engine, expire_on_commit=False) as s:
        return s.exec(select(User).where(User.username == username)).one()
