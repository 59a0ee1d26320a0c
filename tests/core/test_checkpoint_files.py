"""Each database has its own checkpoint file, and a deliberate reset keeps the old one aside (issue 10).

Found while trying the app: two databases on one machine (the demo's and a copy) appended to one
checkpoint file, so each made the other's history look rewritten; and `seed --reset` left the wiped
log's checkpoints in place, so verification said "BROKEN" after a legitimate start over.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from core.settings import ROOT, Settings, default_checkpoint_file


def test_default_checkpoint_file_is_per_database(tmp_path: Path) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    # (the test run sets AUDIT_CHECKPOINT_FILE; an empty value means "not configured")
    assert Settings(database_url=f"sqlite:///{a}", audit_checkpoint_file="").audit_checkpoint_file \
        == f"{a}.checkpoints.jsonl"
    assert Settings(database_url=f"sqlite:///{b}", audit_checkpoint_file="").audit_checkpoint_file \
        == f"{b}.checkpoints.jsonl"
    pg = default_checkpoint_file("postgresql+psycopg://grants@db.internal:5432/grants")
    assert pg == str(ROOT / "var" / "audit-checkpoints-db.internal_5432_grants.jsonl")
    assert Settings(database_url=f"sqlite:///{a}", audit_checkpoint_file="/srv/cp.jsonl").audit_checkpoint_file \
        == "/srv/cp.jsonl"


def _main(*args: str, db: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("AUDIT_CHECKPOINT_FILE",)}
    env.update(DATABASE_URL=f"sqlite:///{db}", AUDIT_KEY_FILE=str(db.parent / "audit.key"), DEMO_MODE="true")
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=600, input=stdin)


def test_reset_keeps_the_wiped_logs_checkpoints_aside_and_the_new_log_verifies(tmp_path: Path) -> None:
    db = tmp_path / "grants.db"
    assert _main("seed", "--quiet", db=db).returncode == 0
    # a day's work after the (deterministic) seed, so the old log differs from the new one
    made = _main("create-user", "--username", "kim.auditor", "--role", "auditor", "--password-stdin", db=db,
                 stdin="Ledger-Audit-Spring-47\n")
    assert made.returncode == 0, made.stdout + made.stderr
    assert _main("audit", "checkpoint", db=db).returncode == 0
    checkpoints = Path(f"{db}.checkpoints.jsonl")
    first = checkpoints.read_text()
    reset = _main("seed", "--reset", "--quiet", db=db)
    assert reset.returncode == 0, reset.stderr
    aside = list(tmp_path.glob("grants.db.checkpoints.jsonl.before-reset-*"))
    assert len(aside) == 1 and aside[0].read_text() == first
    assert not checkpoints.exists() or checkpoints.read_text() != first
    assert _main("audit", "checkpoint", db=db).returncode == 0
    verify = _main("audit", "verify", "--checkpoint", str(checkpoints), db=db)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    # the old checkpoints still prove that the old log was wiped, when checked against the new one
    stale = _main("audit", "verify", "--checkpoint", str(aside[0]), db=db)
    assert stale.returncode == 1, stale.stdout
