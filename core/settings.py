"""Settings read from environment variables (and an optional `.env` file)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET = "change-me-demo-only-secret-key-0000"  # noqa: S105 - refused outside demo mode
MIN_SECRET_BYTES = 32  # HS256 keys shorter than the hash output are guessable offline from one token
MAX_TOKEN_TTL_MINUTES = 31 * 24 * 60


def default_checkpoint_file(database_url: str) -> str:
    """The checkpoint file of a database when none is configured."""
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[-1]
        if path and path != ":memory:":
            return f"{path}.checkpoints.jsonl"
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", database_url.rsplit("@", 1)[-1])[-80:] or "database"
    return str(ROOT / "var" / f"audit-checkpoints-{name}.jsonl")


class Settings(BaseSettings):
    """Runtime configuration; every field maps to an upper-case environment variable."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(default=f"sqlite:///{ROOT / 'var' / 'grants.db'}")
    secret_key: str = DEFAULT_SECRET
    demo_mode: bool = True
    host: str = "127.0.0.1"
    port: int = 8000
    token_ttl_minutes: int = 8 * 60
    sqlite_busy_timeout_ms: int = 30_000
    # Requests a web worker runs at once (its thread pool), and the PostgreSQL connections it may hold:
    # the pool (plus overflow) is larger than the thread pool, so a busy worker queues requests for a
    # thread instead of failing them when the pool's wait runs out (the load test's 500s).
    web_threads: int = 32
    db_pool_size: int = 16
    db_max_overflow: int = 32
    seed_scale: str = "program"
    seed_number: int = 2021
    # Browser safety: HSTS and Secure cookies when the site is served over HTTPS.
    # None means "on outside demo mode, off in demo mode" (the demo serves plain http on loopback).
    https: bool | None = None
    # Where extra trusted origins for cookie-authenticated unsafe requests may be named
    # (comma-separated, e.g. "https://grants.example.go.kr"); the request's own origin is always allowed.
    trusted_origins: str = ""
    # Uploads: the largest file accepted, and the most rows one import may hold.
    max_upload_bytes: int = 20 * 2**20
    max_import_rows: int = 200_000
    # Largest JSON (or form) body outside uploads.
    max_body_bytes: int = 2 * 2**20
    # Login throttling (shared by every worker through the database).
    login_max_failures: int = 5
    login_window_minutes: int = 15
    login_max_per_client: int = 50  # failures per client address in the same window
    password_hash_concurrency: int = 2  # Argon2 at 64 MiB each: bounded so a burst cannot exhaust memory
    # Audit checkpoints: an Ed25519 key and an append-only file, both outside the database.
    audit_key_file: str = str(ROOT / "var" / "audit-signing.key")
    # Default: one file per database (beside a SQLite file, else in var/ named after the database), so
    # that two databases on one machine never contradict each other's checkpoints.
    audit_checkpoint_file: str = ""
    checkpoint_interval_minutes: int = 60
    # Where long jobs keep their result files.
    storage_dir: str = str(ROOT / "var" / "storage")
    # Jobs (core/jobs.py): result files and, by default, the embedded SQLite queue live in JOB_STORAGE_DIR;
    # JOB_QUEUE_URL=redis://host:6379/0 is the distributed mode (any number of `main.py worker`),
    # memory:// runs each job inline when it is enqueued.
    job_storage_dir: str = str(ROOT / "var" / "jobs")
    job_queue_url: str = ""
    job_queue_name: str = "grants"
    job_retention_days: int = 7
    job_max_attempts: int = 2  # a job whose worker stopped is run again once, then marked failed
    job_heartbeat_seconds: float = 15.0
    # A job worker's CPU priority below the web server's (os.nice): a report never slows a page.
    job_worker_nice: int = 10
    job_modules: str = "reports.jobs,compliance.jobs,opendata.jobs,program.jobs,core.audit_jobs,seed_data.jobs"

    def model_post_init(self, context: Any, /) -> None:
        if not self.audit_checkpoint_file:
            self.audit_checkpoint_file = default_checkpoint_file(self.database_url)

    @property
    def serve_https(self) -> bool:
        """HTTPS protections (HSTS, Secure cookie) are on unless the setting or demo mode says otherwise."""
        return self.https if self.https is not None else not self.demo_mode

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def check_secure(self) -> None:
        """Refuse to run with a SECRET_KEY shorter than 32 bytes, or outside demo mode with the demo key.

        (The accounts are checked too: core.auth.refuse_known_passwords, called by `serve` and create_app.)
        """
        if len(self.secret_key.encode("utf-8")) < MIN_SECRET_BYTES:
            raise RuntimeError(
                f"SECRET_KEY is {len(self.secret_key.encode('utf-8'))} bytes long; it must have at least "
                f"{MIN_SECRET_BYTES} (e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        if not self.demo_mode and self.secret_key == DEFAULT_SECRET:
            raise RuntimeError(
                "SECRET_KEY is the default demo key; set SECRET_KEY to a long random value "
                "or run with DEMO_MODE=true"
            )
        if not 1 <= self.token_ttl_minutes <= MAX_TOKEN_TTL_MINUTES:
            raise RuntimeError(f"TOKEN_TTL_MINUTES must be between 1 and {MAX_TOKEN_TTL_MINUTES}: every token expires")


@lru_cache
def get_settings() -> Settings:
    return Settings()
