"""After-commit notifications of changed rows: a small listener registry for other domains.

A domain that keeps derived data current (compliance's stored findings) subscribes with
`on_commit(fn)`; after every commit of an ORM session, `fn(changes, engine)` receives the rows
that the transaction wrote — table, id and the row's foreign keys (`award_id`, `project_id`,
`data_type_id`, `program_id`, taken from the instance, so deleted rows are described too) — and
the engine to open its own session on. Bulk statements (`session.execute(insert(...))`) name
their table with no ids. The writing domains know nothing of their subscribers.

A subscriber that fails is logged; the commit it follows has already happened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession

log = logging.getLogger("grants.events")

KEYS = ("award_id", "project_id", "data_type_id", "program_id")


@dataclass(frozen=True)
class Change:
    """One written row (`row_id` None: a bulk statement on `table`) and its foreign keys."""

    table: str
    row_id: int | None
    keys: tuple[tuple[str, int], ...] = ()

    def key(self, name: str) -> int | None:
        return next((v for k, v in self.keys if k == name), None)


Subscriber = Callable[[list[Change], Engine], None]
_SUBSCRIBERS: list[Subscriber] = []


def on_commit(fn: Subscriber) -> Subscriber:
    """Register `fn(changes, engine)` to run after each commit that wrote rows (idempotent)."""
    if fn not in _SUBSCRIBERS:
        _SUBSCRIBERS.append(fn)
    return fn


def unsubscribe(fn: Subscriber) -> None:
    if fn in _SUBSCRIBERS:
        _SUBSCRIBERS.remove(fn)


def suspended(session: OrmSession) -> None:
    """No notifications for this session's transactions (a seed or an import that refreshes afterwards)."""
    session.info["events_suspended"] = True


def _describe(obj: Any) -> Change | None:
    table = getattr(type(obj), "__tablename__", None)
    if table is None:
        return None
    state = obj.__dict__
    rid = state.get("id")
    keys = tuple((k, int(state[k])) for k in KEYS if isinstance(state.get(k), int))
    return Change(str(table), int(rid) if isinstance(rid, int) else None, keys)


def _note_flush(session: OrmSession, _ctx: Any) -> None:
    if not _SUBSCRIBERS:
        return
    found: list[Change] | None = None
    for bucket, check in ((session.new, False), (session.dirty, True), (session.deleted, False)):
        for obj in bucket:
            if check and not session.is_modified(obj, include_collections=False):
                continue
            c = _describe(obj)
            if c is None or c.row_id is None:
                continue
            if found is None:
                found = session.info.setdefault("events_changes", [])
            found.append(c)


def _note_statement(state: ORMExecuteState) -> None:
    if not _SUBSCRIBERS or not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table:
        state.session.info.setdefault("events_changes", []).append(Change(str(table), None))


def _after_commit(session: OrmSession) -> None:
    changes: list[Change] | None = session.info.pop("events_changes", None)
    if not changes or session.info.get("events_suspended"):
        return
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    unique = list(dict.fromkeys(changes))
    for fn in list(_SUBSCRIBERS):
        try:
            fn(unique, engine)
        except Exception:  # the commit has happened; a subscriber's failure must not undo or hide it
            log.exception("after-commit subscriber %s failed", getattr(fn, "__name__", fn))


def _forget(session: OrmSession, *_: Any) -> None:
    session.info.pop("events_changes", None)


sa_event.listen(OrmSession, "after_flush", _note_flush)
sa_event.listen(OrmSession, "do_orm_execute", _note_statement)
sa_event.listen(OrmSession, "after_commit", _after_commit)
sa_event.listen(OrmSession, "after_rollback", _forget)


# --------------------------------------------------------------------------- the data state, from the audit log


def data_state(session: Any) -> int | None:
    """The audit event the data have reached (the chain's head): what derived data records it was computed from."""
    from core.models import AuditHead

    head = session.get(AuditHead, 1)
    return head.last_event_id if head else None


def changes_since(session: Any, event_id: int | None, tables: Any) -> int:
    """Covering audit events (rows written) on `tables` after `event_id` (an event over several tables counts)."""
    from sqlmodel import col, func, select

    from core.audit import COVER_ACTIONS
    from core.models import AuditEvent

    q = select(func.count()).select_from(AuditEvent).where(
        col(AuditEvent.action).in_(COVER_ACTIONS), col(AuditEvent.entity_type).in_([*tables, "rows"]))
    if event_id is not None:
        q = q.where(col(AuditEvent.id) > event_id)
    return int(session.exec(q).one())
