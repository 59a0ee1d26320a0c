"""Database engine and sessions.

SQLite (the default, embedded) runs in WAL mode with foreign keys on and a busy timeout.
Write transactions on SQLite start with ``BEGIN IMMEDIATE`` so that two read-then-write
transactions never both read and then fail on the upgrade ("database is locked"); reads
stay deferred so the dashboard does not queue behind writers. On PostgreSQL both kinds
are ordinary transactions and the services lock the rows that hold a limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine, select

from core.settings import get_settings

M = TypeVar("M", bound=SQLModel)

_engine: Engine | None = None
_write_engine: Engine | None = None


def make_engine(url: str, *, busy_timeout_ms: int = 30_000, echo: bool = False) -> Engine:
    """Create an engine for `url` with the pragmas and transaction mode this project needs."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Take transaction control from the driver so that we can emit BEGIN ourselves.
            dbapi_connection.isolation_level = None
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            immediate = conn.get_execution_options().get("sqlite_immediate", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    settings = get_settings()
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=settings.db_pool_size,
                         max_overflow=settings.db_max_overflow)


def writer(engine: Engine) -> Engine:
    """The same engine (same pool) whose transactions are write transactions."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_immediate=True)
    return engine


def configure(url: str | None = None) -> Engine:
    """(Re)build the process-wide engines; tests and the CLI call this to pick a database."""
    global _engine, _write_engine
    settings = get_settings()
    if _engine is not None:
        _engine.dispose()
    _engine = make_engine(url or settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    _write_engine = writer(_engine)
    return _engine


def get_engine() -> Engine:
    if _engine is None:
        configure()
    assert _engine is not None
    return _engine


def get_write_engine() -> Engine:
    if _write_engine is None:
        configure()
    assert _write_engine is not None
    return _write_engine


def get_session() -> Iterator[Session]:
    """FastAPI dependency: a session for reading."""
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


def get_write_session() -> Iterator[Session]:
    """FastAPI dependency: a session whose transaction is a write transaction."""
    with Session(get_write_engine(), expire_on_commit=False) as session:
        yield session


@contextmanager
def session_scope(*, write: bool = False) -> Iterator[Session]:
    """A short-lived session for the CLI, the dashboard and reports."""
    engine = get_write_engine() if write else get_engine()
    with Session(engine, expire_on_commit=False) as session:
        yield session


def lock_for_update(session: Session, statement: Any) -> Any:
    """Add `FOR UPDATE` on PostgreSQL (SQLite's write transaction already holds the lock)."""
    if session.get_bind().dialect.name == "postgresql":
        return statement.with_for_update()
    return statement


def lock_rows(session: Session, model: type[M], ids: Iterable[int]) -> dict[int, M]:
    """Lock the rows of `model` that hold a limit, in id order, and return them freshly read.

    The one lock helper of every limit (programme total, envelopes, project ceilings, awards and
    their budget lines, transfers): call it *before* reading what the limit is checked against.
    On PostgreSQL it takes ``SELECT … FOR UPDATE`` (ids sorted, so two callers never lock the same
    rows in opposite orders); on SQLite a write session already holds the database lock since
    ``BEGIN IMMEDIATE``. Rows already in the session are re-read (a lock on stale values is no
    lock at all). Missing ids are simply absent from the result.
    """
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    pk = model.id  # type: ignore[attr-defined]
    stmt = (select(model).where(pk.in_(wanted)).order_by(pk)
            .execution_options(populate_existing=True))
    rows = session.exec(lock_for_update(session, stmt)).all()
    return {row.id: row for row in rows}


def lock_limit(session: Session, model: type[M], row_id: int) -> M | None:
    """Lock the one row that holds a limit (see `lock_rows`); None when it does not exist."""
    return lock_rows(session, model, [row_id]).get(row_id)
