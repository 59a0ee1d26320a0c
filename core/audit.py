"""The audit log: every mutation appends one event, hash-chained to the one before."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from core.db import lock_for_update
from core.models import AuditEvent, AuditHead, User
from core.timeutil import utcnow

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who is acting: a logged-in user, or the system (CLI, seed)."""

    username: str
    role: str
    user_id: int | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(username=user.username, role=str(user.role), user_id=user.id)


SYSTEM = Actor(username="system", role="admin")


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot serialise {type(value).__name__} for the audit log")


def to_json(value: Any) -> str | None:
    """Canonical JSON (sorted keys, no spaces) of a snapshot; None stays None."""
    if value is None:
        return None
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default)


def event_hash(
    *,
    prev_hash: str,
    occurred_at: datetime,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    before_json: str | None,
    after_json: str | None,
    reason: str | None,
) -> str:
    """SHA-256 over the event's fields and the previous event's hash."""
    payload = json.dumps(
        [prev_hash, occurred_at.isoformat(timespec="microseconds"), actor, action, entity_type,
         entity_id, before_json, after_json, reason],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: Any,
    *,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
    occurred_at: datetime | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (the caller commits).

    `occurred_at` is for the deterministic seed only; everything else takes the clock.
    """
    head = session.exec(lock_for_update(session, select(AuditHead).where(AuditHead.id == 1))).first()
    if head is None:
        head = AuditHead(id=1, last_event_id=None, last_hash=GENESIS_HASH, event_count=0)
        session.add(head)
    occurred_at = occurred_at or utcnow()
    before_json, after_json = to_json(before), to_json(after)
    digest = event_hash(
        prev_hash=head.last_hash, occurred_at=occurred_at, actor=actor.username, action=action,
        entity_type=entity_type, entity_id=str(entity_id), before_json=before_json,
        after_json=after_json, reason=reason,
    )
    event = AuditEvent(
        occurred_at=occurred_at, actor=actor.username, action=action, entity_type=entity_type,
        entity_id=str(entity_id), before_json=before_json, after_json=after_json, reason=reason,
        prev_hash=head.last_hash, hash=digest,
    )
    session.add(event)
    session.flush()
    head.last_event_id = event.id
    head.last_hash = digest
    head.event_count += 1
    session.add(head)
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    ok: bool
    first_broken_id: int | None = None
    problem: str | None = None
    last_hash: str = GENESIS_HASH


def verify_chain(session: Session, *, batch: int = 5000) -> ChainReport:
    """Recompute every hash in order; report the first event that does not match."""
    prev = GENESIS_HASH
    checked = 0
    last_id = 0
    last_event_id: int | None = None
    cols = (AuditEvent.id, AuditEvent.prev_hash, AuditEvent.hash, AuditEvent.occurred_at, AuditEvent.actor,
            AuditEvent.action, AuditEvent.entity_type, AuditEvent.entity_id, AuditEvent.before_json,
            AuditEvent.after_json, AuditEvent.reason)
    while True:
        # plain columns, not ORM objects: never a stale copy from the identity map, and faster
        rows = session.exec(
            select(*cols).where(col(AuditEvent.id) > last_id).order_by(col(AuditEvent.id)).limit(batch)  # type: ignore[call-overload]
        ).all()
        if not rows:
            break
        for ev_id, prev_hash, stored_hash, occurred_at, actor, action, etype, eid, before, after, reason in rows:
            if prev_hash != prev:
                return ChainReport(checked, False, ev_id,
                                   "previous-hash link broken (an event before it was changed or deleted)", prev)
            expected = event_hash(
                prev_hash=prev_hash, occurred_at=occurred_at, actor=actor, action=action, entity_type=etype,
                entity_id=eid, before_json=before, after_json=after, reason=reason,
            )
            if expected != stored_hash:
                return ChainReport(checked, False, ev_id, "content does not match its hash (edited)", prev)
            prev = stored_hash
            checked += 1
            last_id = ev_id
            last_event_id = ev_id
    head = session.exec(
        select(AuditHead).where(AuditHead.id == 1).execution_options(populate_existing=True)
    ).first()
    if head is None:
        if checked:
            return ChainReport(checked, False, None, "audit head row missing", prev)
        return ChainReport(0, True, last_hash=prev)
    if head.last_hash != prev or head.event_count != checked or head.last_event_id != last_event_id:
        return ChainReport(
            checked, False, head.last_event_id,
            f"chain ends at event {last_event_id} ({checked} events) but the head records event "
            f"{head.last_event_id} ({head.event_count} events): newest events deleted or head edited",
            prev,
        )
    return ChainReport(checked, True, last_hash=prev)


def last_hash(session: Session) -> str:
    """Hash of the newest event (what a report reflects)."""
    head = session.get(AuditHead, 1)
    return head.last_hash if head else GENESIS_HASH
