"""The audit log: every mutation appends one event, hash-chained to the one before, and every
guarded row is covered by an event carrying its digest.

Events
    ``record`` appends one event in the caller's transaction; each event carries the hash of
    the one before it and ``audit_head`` holds the tip (see ``verify_chain``).

Guarded tables (``GUARDED``)
    The ledger, awards and their extensions, envelopes, budget lines, line and envelope
    transfers, hires, crowd activity, trainings, score sheets and scores, screenings,
    conflicts, selections, delivery progress, quality verifications, data openings, users
    (with their roles), programmes (with their rules) and rubrics (criteria, bonus items).
    Every row of these is covered by the log:

    - ORM writes, whatever service makes them: a session hook (``after_flush``) notes every
      new, changed or deleted guarded instance; at commit (``before_commit``) the rows are
      read back through the canonical SQL of ``core.digest`` and one covering event
      ``rows.write`` is appended through the same chain, in the same transaction, carrying
      each row's digest and canonical values (secret columns redacted) and the Merkle root
      over them. No service has to remember anything.
    - Bulk writes (``session.execute(insert(Model), rows)`` in the seed and the ledger
      import, bulk updates): the caller adds ``record_bulk(session, actor, Model, ...)``
      after the statement; it writes one ``rows.bulk`` event with the rows' id ranges and
      the Merkle root over their digests. A bulk statement on a guarded table that no
      ``record_bulk`` covers makes the commit fail (``UncoveredWrite``): coverage is
      enforced, not hoped for.
    - Each covering event's entries (table, id, digest, field prints) are also kept in
      ``audit_row``, which makes verification one ordered pass per table instead of a replay
      of the log; the event's root authenticates them, so the store is under the chain too.
      Measured on the national database: see ``bench/bench_audit.py``.

Verification (``verify_history``)
    Recomputes the chain (as before), then for each guarded table merges the current rows
    (id order) with the stored entries (row id, event id order): a row whose digest differs
    from its newest entry is *edited* (the field prints name the column), a row without an
    entry or whose newest entry is a deletion was *inserted* outside the application, an
    entry without its row (and not a deletion) means the row was *deleted* outside it. The
    same pass streams every entry into the Merkle root of its event (``MerkleBuilder``), and
    each root must equal the one in the (already verified) event. Checkpoints signed
    outside the database (``core.checkpoint``) prove that the log extends what was signed.

Schema changes (``rebaseline``)
    A digest covers every column the database has. A migration that adds a column therefore
    changes every digest of that table: ``main.py audit rebaseline --added TABLE.COLUMN
    --reason …`` first verifies the table with the new columns left out (so a rebaseline
    cannot bless an edit), then writes ``rows.rebaseline`` events (Merkle roots of the new
    digests, at most 200,000 rows an event) with the reason. A database created before this
    coverage existed is taken under it once with ``--adopt`` (``rows.adopt``: covers rows
    that have no entry at all; it cannot tell earlier edits, and says so in its reason).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from core import digest as dg
from core import labels as _labels  # noqa: F401  (registers the audit.* message templates)
from core.db import lock_for_update
from core.models import AuditEvent, AuditHead, User
from core.timeutil import utcnow

GENESIS_HASH = "0" * 64

GUARDED: tuple[str, ...] = (
    "app_user", "award", "award_extension", "bonus_item", "budget_line", "conflict_record", "criterion_score",
    "crowd_activity", "data_opening", "delivery_progress", "envelope", "envelope_transfer", "expenditure", "hire",
    "line_transfer", "program", "quality_verification", "rubric", "rubric_criterion", "score_sheet", "screening",
    "selection", "training_session",
)
_GUARDED = frozenset(GUARDED)
COVER_ACTIONS = ("rows.write", "rows.bulk", "rows.rebaseline", "rows.adopt")
SECRET_COLUMNS: dict[str, frozenset[str]] = {"app_user": frozenset({"password_hash"})}
MAX_ROWS_PER_EVENT = 200_000


class UncoveredWrite(RuntimeError):
    """A bulk statement wrote a guarded table and no ``record_bulk`` covered it."""


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

    The event joins the chain when the transaction commits (`_cover_at_commit`): the chain's head is
    locked only for the final inserts, not while the rest of the transaction runs. Every writer of
    the database waits on that one lock, so holding it through a request's work made writes queue
    behind each other at a deadline (the load test: 40 transactions waiting on the head). Once a
    transaction holds the head (a bulk cover), later events are appended at once, in order.
    `event.id` is set when the transaction commits.
    """
    if not session.info.get("_audit_covering"):
        # the covering event of this transaction is written in the name of its last actor and clock
        session.info["audit_actor"] = actor
        if occurred_at is not None:
            session.info["audit_clock"] = occurred_at
    event = AuditEvent(
        occurred_at=occurred_at or utcnow(), actor=actor.username, action=action, entity_type=entity_type,
        entity_id=str(entity_id), before_json=to_json(before), after_json=to_json(after), reason=reason,
        prev_hash="", hash="",
    )
    if "_audit_head" in session.info:  # the head is held already: append now, after what came before
        _append(session, event, clocked=occurred_at is None)
    else:
        session.info.setdefault("audit_queue", []).append((event, occurred_at is None))
    return event


def _append(session: Session, event: AuditEvent, *, clocked: bool) -> None:
    """Link one event to the head (locked) and insert it: its id, prev hash and hash."""
    head = _locked_head(session)
    if clocked:
        event.occurred_at = utcnow()  # the chain's order is its clock's order
    event.prev_hash = head.last_hash
    event.hash = event_hash(
        prev_hash=head.last_hash, occurred_at=event.occurred_at, actor=event.actor, action=event.action,
        entity_type=event.entity_type, entity_id=event.entity_id, before_json=event.before_json,
        after_json=event.after_json, reason=event.reason,
    )
    session.add(event)
    session.flush([event])
    head.last_event_id = event.id
    head.last_hash = event.hash
    head.event_count += 1
    session.add(head)


def _drain(session: Session) -> None:
    """Append the transaction's queued events, in the order they were recorded (takes the head's lock)."""
    queued: list[tuple[AuditEvent, bool]] = session.info.pop("audit_queue", None) or []
    for event, clocked in queued:
        _append(session, event, clocked=clocked)


def _locked_head(session: Session) -> AuditHead:
    head: AuditHead | None = session.info.get("_audit_head")
    if head is None:  # first event of the transaction: lock the head (kept for the transaction's later events)
        head = session.exec(lock_for_update(session, select(AuditHead).where(AuditHead.id == 1))).first()
        if head is None:
            head = AuditHead(id=1, last_event_id=None, last_hash=GENESIS_HASH, event_count=0)
            session.add(head)
        session.info["_audit_head"] = head
    return head


_time_processors: dict[str, Any] = {}


def _stored_time(conn: Connection, value: datetime) -> Any:
    """`value` as the ORM would bind it to audit_event.occurred_at on this backend."""
    name = conn.dialect.name
    if name not in _time_processors:
        col_type = AuditEvent.__table__.c.occurred_at.type  # type: ignore[attr-defined]
        _time_processors[name] = col_type._cached_bind_processor(conn.dialect)
    proc = _time_processors[name]
    return proc(value) if proc is not None else value


def _append_core(session: Session, actor: Actor, action: str, entity_type: str, entity_id: str, *,
                 after_json: str | None, reason: str | None, occurred_at: datetime | None) -> int:
    """`record` for covering events, without the unit of work: one INSERT … RETURNING id.

    The head is changed on the (already locked) ORM object, so the commit's flush writes it
    once for every event of the transaction. Measured: this keeps a single ledger write's
    extra cost to the reads and inserts coverage needs.
    """
    head = _locked_head(session)
    occurred_at = occurred_at or utcnow()
    digest = event_hash(prev_hash=head.last_hash, occurred_at=occurred_at, actor=actor.username, action=action,
                        entity_type=entity_type, entity_id=entity_id, before_json=None, after_json=after_json,
                        reason=reason)
    conn = session.connection()
    stored_at = _stored_time(conn, occurred_at)
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cur.execute("INSERT INTO audit_event (occurred_at, actor, action, entity_type, entity_id, before_json, "
                    f"after_json, reason, prev_hash, hash) VALUES ({', '.join([mark] * 10)}) RETURNING id",
                    (stored_at, actor.username, action, entity_type, entity_id, None, after_json, reason,
                     head.last_hash, digest))
        ev_id: int = cur.fetchone()[0]  # type: ignore[index]
    finally:
        cur.close()
    head.last_event_id = ev_id
    head.last_hash = digest
    head.event_count += 1
    session.add(head)
    return ev_id


# --------------------------------------------------------------------------- coverage of guarded rows


# An entry: (table, row id, digest — dg.DELETED for a deletion —, field prints, canonical JSON or None)
Entry = tuple[str, int, str, str, str | None]


_columns: dict[tuple[str, str], list[str]] = {}


def table_columns(conn: Connection, table: str) -> list[str]:
    """The table's columns as the database has them, read once per process and table.

    Schema changes happen with the application stopped (migrations); a test or tool that alters
    a guarded table in a running process calls ``forget_columns``. Verification always reads the
    catalogue afresh.
    """
    key = (str(conn.engine.url), table)
    cols = _columns.get(key)
    if cols is None:
        cols = _columns[key] = dg.table_columns(conn, table)
    return cols


def forget_columns() -> None:
    _columns.clear()


def _read_entries(conn: Connection, table: str, ids: Iterable[int]) -> tuple[list[str], list[Entry]]:
    """Entries for these rows as stored now, in id order (a missing row becomes a deletion entry)."""
    wanted = sorted(set(ids))
    columns = table_columns(conn, table)
    out: list[Entry] = []
    sha, prints = hashlib.sha256, dg.field_prints
    pos = 0
    for row in (dg.read_rows(conn, table, columns, wanted, raw=True) if columns else ()):
        rid = row[0]
        while wanted[pos] < rid:  # wanted but not found: deleted
            out.append((table, wanted[pos], dg.DELETED, "", None))
            pos += 1
        text = row[1]
        out.append((table, rid, sha(text.encode("utf-8")).hexdigest(), prints(row[2:]), text))
        pos += 1
    out.extend((table, rid, dg.DELETED, "", None) for rid in wanted[pos:])
    return columns, out


def _redacted(table: str, json_text: str) -> dict[str, Any]:
    values: dict[str, Any] = json.loads(json_text)
    for c in SECRET_COLUMNS.get(table, ()):
        if c in values:
            values[c] = "<redacted>"
    return values


def _write_cover(session: Session, actor: Actor, action: str, entries: list[Entry],
                 columns: dict[str, list[str]], *, reason: str | None, occurred_at: datetime | None,
                 with_values: bool) -> int:
    """One covering event (root over `entries`) and its `audit_row` entries; the event's id."""
    if len({e[0] for e in entries}) > 1:
        entries.sort(key=lambda e: (e[0], e[1]))  # one table's entries come in id order already
    leaf = dg.leaf_data
    root = dg.merkle_root([leaf(t, rid, d, p) for t, rid, d, p, _ in entries])
    by_table: dict[str, list[int]] = {}
    for e in entries:
        by_table.setdefault(e[0], []).append(e[1])
    after: dict[str, Any] = {
        "root": root, "leaves": len(entries),
        "tables": {t: {"columns": columns.get(t, []), "ids": dg.id_ranges(ids)} for t, ids in by_table.items()},
    }
    if with_values:
        after["rows"] = [{"table": t, "id": rid, "digest": d or None, "values": _redacted(t, text) if text else None}
                         for t, rid, d, _, text in entries]
    single = len(by_table) == 1
    entity_type = next(iter(by_table)) if single else "rows"
    entity_id = str(entries[0][1]) if len(entries) == 1 else f"{len(entries)} rows"
    ev_id = _append_core(session, actor, action, entity_type, entity_id, after_json=to_json(after), reason=reason,
                         occurred_at=occurred_at)
    rows = [(t, rid, ev_id, d, p) for t, rid, d, p, _ in entries]
    conn = session.connection()
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO audit_row (table_name, row_id, event_id, digest, fields) VALUES ({', '.join([mark] * 5)})"
    cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        for i in range(0, len(rows), 5000):
            # plain DB-API executemany: the ORM bulk path spent more time compiling than SQLite spent writing
            cur.executemany(sql, rows[i:i + 5000])
    finally:
        cur.close()
    return ev_id


def record_bulk(session: Session, actor: Actor, model: Any, rows: Iterable[Mapping[str, Any] | int] | None = None,
                *, where: Any = None, action: str = "rows.bulk", reason: str | None = None,
                occurred_at: datetime | None = None) -> list[int]:
    """Cover rows written (inserted, updated or deleted) by a bulk statement on a guarded table.

    Call it after the statement, in the same transaction: `rows` are the written rows (dicts
    with their ``id``) or their ids; or `where` selects them. One event per 200,000 rows.
    """
    table = model.__table__.name
    if table not in _GUARDED:
        return []
    if where is not None:
        ids = list(session.exec(select(model.id).where(where)).all())
    else:
        ids = [r if isinstance(r, int) else int(r["id"]) for r in (rows or ())]
    uncovered = session.info.get("audit_uncovered")
    if uncovered:
        uncovered.discard(table)
    session.flush()
    _drain(session)  # events recorded before this statement come before its cover
    ids = sorted(set(ids))
    events = []
    conn = session.connection()
    for i in range(0, len(ids), MAX_ROWS_PER_EVENT):
        columns, entries = _read_entries(conn, table, ids[i:i + MAX_ROWS_PER_EVENT])
        if entries:
            events.append(_write_cover(session, actor, action, entries, {table: columns}, reason=reason,
                                       occurred_at=occurred_at, with_values=False))
    return events


def _note_flush(session: OrmSession, _ctx: Any) -> None:
    pending: set[tuple[str, int]] | None = None
    for bucket, check in ((session.new, False), (session.dirty, True), (session.deleted, False)):
        for obj in bucket:
            table = getattr(type(obj), "__tablename__", None)
            if table not in _GUARDED:
                continue
            if check and not session.is_modified(obj, include_collections=False):
                continue
            rid = getattr(obj, "id", None)
            if rid is None:
                continue
            if pending is None:
                pending = session.info.setdefault("audit_pending", set())
            pending.add((table, int(rid)))


def _note_statement(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table in _GUARDED:
        state.session.info.setdefault("audit_uncovered", set()).add(table)


def _cover_at_commit(session: OrmSession) -> None:
    info = session.info
    if info.get("_audit_covering"):
        _drain(session)
        return
    if any(getattr(type(o), "__tablename__", None) in _GUARDED
           for bucket in (session.new, session.dirty, session.deleted) for o in bucket):
        session.flush()  # collect them (a flush of the head alone would only write it twice)
    uncovered = info.get("audit_uncovered")
    if uncovered:
        raise UncoveredWrite(
            f"bulk write to guarded table(s) {', '.join(sorted(uncovered))} is not covered by the audit log: "
            "call core.audit.record_bulk(session, actor, Model, rows) after the statement")
    pending: set[tuple[str, int]] | None = info.pop("audit_pending", None)
    entries: list[Entry] = []
    columns: dict[str, list[str]] = {}
    if pending:  # read what the rows hold now (this transaction's own rows: nobody else can change them)
        conn = session.connection()
        by_table: dict[str, list[int]] = {}
        for table, rid in pending:
            by_table.setdefault(table, []).append(rid)
        for table, ids in by_table.items():
            columns[table], found = _read_entries(conn, table, ids)
            entries.extend(found)
    # only now the head's lock: the events and the cover are inserted and the commit follows at once
    _drain(session)
    if not entries:
        return
    actor = info.get("audit_actor") or SYSTEM
    _write_cover(session, actor, "rows.write", entries, columns, reason=None,
                 occurred_at=info.get("audit_clock"), with_values=True)  # commit flushes the head after us


def _forget(session: OrmSession, *_: Any) -> None:
    for key in ("audit_pending", "audit_uncovered", "audit_actor", "audit_clock", "_audit_covering", "_audit_head",
                "audit_queue"):
        session.info.pop(key, None)


sa_event.listen(OrmSession, "after_flush", _note_flush)
sa_event.listen(OrmSession, "do_orm_execute", _note_statement)
sa_event.listen(OrmSession, "before_commit", _cover_at_commit)
sa_event.listen(OrmSession, "after_commit", _forget)
sa_event.listen(OrmSession, "after_rollback", _forget)


# --------------------------------------------------------------------------- the chain


@dataclass(frozen=True)
class Message:
    """A sentence of the verification kept as its key and typed parameters (templates in core/labels.py).

    Rendered in the reader's language at the last moment (`text(lang)`); a parameter may itself be
    a Message, or a tuple of them (joined with '; '). English (`text()`) is the stable text the
    `detail` / `problem` / `summary` fields have always carried.
    """

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        from core.i18n import render

        return render(self.key, {k: _param_text(v, lang) for k, v in self.params.items()}, lang)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """`{"message_key", "params", "text"}`: the key and parameters for machines, the text in `lang`."""
        return {"message_key": self.key, "params": {k: _param_json(v, lang) for k, v in self.params.items()},
                "text": self.text(lang)}


def message_from_dict(data: Mapping[str, Any]) -> Message:
    """The Message of `Message.to_dict()` (kept in stored evidence): nested messages come back as messages."""
    return Message(str(data["message_key"]), {k: _param_back(v) for k, v in (data.get("params") or {}).items()})


def render_message(data: Mapping[str, Any], lang: str = "en") -> str:
    """A stored `Message.to_dict()` as its sentence in `lang`."""
    return message_from_dict(data).text(lang)


def _param_back(value: Any) -> Any:
    if isinstance(value, Mapping) and "message_key" in value:
        return message_from_dict(value)
    if isinstance(value, list) and value and all(isinstance(v, Mapping) and "message_key" in v for v in value):
        return tuple(message_from_dict(v) for v in value)
    return value


def _param_text(value: Any, lang: str) -> Any:
    if isinstance(value, Message):
        return value.text(lang)
    if isinstance(value, tuple) and value and all(isinstance(v, Message) for v in value):
        return "; ".join(v.text(lang) for v in value)
    return value


def _param_json(value: Any, lang: str) -> Any:
    if isinstance(value, Message):
        return value.to_dict(lang)
    if isinstance(value, tuple | list):
        return [_param_json(v, lang) for v in value]
    return value


def kind_label(kind: str, lang: str = "en") -> str:
    """edited | deleted | inserted | store | chain | checkpoint, as the reader says it."""
    from core.i18n import code_label

    return code_label("audit.finding_kind", kind, lang)


@dataclass(frozen=True)
class ChainReport:
    checked: int
    ok: bool
    first_broken_id: int | None = None
    problem_message: Message | None = None
    last_hash: str = GENESIS_HASH
    broken_position: int | None = None  # 1-based position of the first event that fails (None: intact)

    @property
    def problem(self) -> str | None:
        """The problem in English (the stable text of the JSON's `problem`)."""
        return self.problem_message.text("en") if self.problem_message else None


@dataclass
class _ChainScan:
    report: ChainReport
    covers: dict[int, dict[str, Any]] = field(default_factory=dict)
    at_position: dict[int, tuple[int | None, str]] = field(default_factory=dict)  # position → (event id, hash)
    last_event_id: int | None = None


def _scan_chain(session: Session | Connection, *, positions: Iterable[int] = (), covers: bool = False,
                batch: int = 5000) -> _ChainScan:
    wanted = set(positions)
    scan = _ChainScan(ChainReport(0, True))
    if 0 in wanted:
        scan.at_position[0] = (None, GENESIS_HASH)
    prev = GENESIS_HASH
    checked = 0
    last_id = 0
    last_event_id: int | None = None
    cols = (AuditEvent.id, AuditEvent.prev_hash, AuditEvent.hash, AuditEvent.occurred_at, AuditEvent.actor,
            AuditEvent.action, AuditEvent.entity_type, AuditEvent.entity_id, AuditEvent.before_json,
            AuditEvent.after_json, AuditEvent.reason)
    execute = session.execute
    while True:
        # plain columns, not ORM objects: never a stale copy from the identity map, and faster
        rows = execute(
            select(*cols).where(col(AuditEvent.id) > last_id).order_by(col(AuditEvent.id)).limit(batch)
        ).all()
        if not rows:
            break
        for ev_id, prev_hash, stored_hash, occurred_at, actor, action, etype, eid, before, after, reason in rows:
            if prev_hash != prev:
                scan.report = ChainReport(checked, False, ev_id, Message("audit.chain.link_broken"), prev,
                                          checked + 1)
                return scan
            expected = event_hash(
                prev_hash=prev_hash, occurred_at=occurred_at, actor=actor, action=action, entity_type=etype,
                entity_id=eid, before_json=before, after_json=after, reason=reason,
            )
            if expected != stored_hash:
                scan.report = ChainReport(checked, False, ev_id, Message("audit.chain.hash_mismatch"), prev,
                                          checked + 1)
                return scan
            prev = stored_hash
            checked += 1
            last_id = ev_id
            last_event_id = ev_id
            if covers and action in COVER_ACTIONS:
                scan.covers[ev_id] = json.loads(after or "{}")
            if checked in wanted:
                scan.at_position[checked] = (ev_id, stored_hash)
    scan.last_event_id = last_event_id
    head = execute(select(AuditHead.last_hash, AuditHead.event_count, AuditHead.last_event_id)
                   .where(AuditHead.id == 1)).first()
    if head is None:
        if checked:
            scan.report = ChainReport(checked, False, None, Message("audit.chain.no_head"), prev, checked + 1)
        else:
            scan.report = ChainReport(0, True, last_hash=prev)
        return scan
    if head[0] != prev or head[1] != checked or head[2] != last_event_id:
        scan.report = ChainReport(
            checked, False, head[2],
            Message("audit.chain.head_mismatch", {"last_event": last_event_id, "checked": checked,
                                                  "head_event": head[2], "head_count": head[1]}),
            prev, checked + 1,
        )
        return scan
    scan.report = ChainReport(checked, True, last_hash=prev)
    return scan


def verify_chain(session: Session, *, batch: int = 5000) -> ChainReport:
    """Recompute every hash in order; report the first event that does not match."""
    return _scan_chain(session, batch=batch).report


def last_hash(session: Session) -> str:
    """Hash of the newest event (what a report reflects)."""
    head = session.get(AuditHead, 1)
    return head.last_hash if head else GENESIS_HASH


# --------------------------------------------------------------------------- verification of the rows


@dataclass(frozen=True)
class Finding:
    """One thing that does not match the log: what, where, and what the log recorded."""

    kind: str  # edited | deleted | inserted | store | chain | checkpoint
    table: str | None
    row_id: int | None
    message: Message
    fields: tuple[str, ...] = ()
    event_id: int | None = None

    @property
    def detail(self) -> str:
        """What is wrong, in English (the stable text of the JSON's `detail`)."""
        return self.message.text("en")

    def line(self, lang: str = "en") -> str:
        """One line of `audit verify`: kind, where (table and row id, or the log), what."""
        if self.table and self.row_id is not None:
            where = Message("audit.where.row", {"table": self.table, "row": self.row_id}).text(lang)
        else:
            where = self.table or Message("audit.where.log").text(lang)
        return f"{_padded(kind_label(self.kind, lang), 9)} {where}: {self.message.text(lang)}"


def _padded(label: str, width: int) -> str:
    """`label` padded to `width` terminal columns (a Hangul syllable takes two)."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in label)
    return label + " " * max(0, width - used)


@dataclass
class TableState:
    rows: int = 0
    entries: int = 0
    problems: int = 0


@dataclass
class HistoryReport:
    chain: ChainReport
    tables: dict[str, TableState]
    findings: list[Finding]
    problem_count: int
    seconds: float
    checkpoints: Any = None  # core.checkpoint.CheckpointReport when checkpoints were checked
    hint_messages: list[Message] = field(default_factory=list)

    @property
    def hints(self) -> list[str]:
        """The hints in English (the stable text of the JSON's `hints`)."""
        return [h.text("en") for h in self.hint_messages]

    @property
    def rows_ok(self) -> bool:
        return self.problem_count == 0

    @property
    def ok(self) -> bool:
        return self.chain.ok and self.rows_ok and (self.checkpoints is None or self.checkpoints.ok)

    def summary_message(self) -> Message:
        rows = sum(t.rows for t in self.tables.values())
        if self.ok:
            counts = {"events": self.chain.checked, "rows": rows, "tables": len(self.tables)}
            if self.checkpoints:
                return Message("audit.summary.intact_checkpoints",
                               {**counts, "checkpoints": self.checkpoints.summary_message()})
            return Message("audit.summary.intact", counts)
        parts = []
        if not self.chain.ok:
            parts.append(Message("audit.summary.chain", {"event": self.chain.first_broken_id,
                                                         "problem": self.chain.problem_message}))
        if self.problem_count:
            parts.append(Message("audit.summary.rows", {"count": self.problem_count}))
        if self.checkpoints is not None and not self.checkpoints.ok:
            parts.append(self.checkpoints.summary_message())
        return Message("audit.summary.broken", {"parts": tuple(parts)})

    def summary(self, lang: str = "en") -> str:
        """One line: intact, or what is broken; English unless `lang` says otherwise."""
        return self.summary_message().text(lang)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The report for machines. The English fields (`summary`, `problem`, `detail`, `hints`) stay as they
        were; each sentence also comes as `message_key` + `params` and as `text` in `lang` (named by `lang`)."""
        chain_message = self.chain.problem_message.to_dict(lang) if self.chain.problem_message else None
        return {
            "ok": self.ok, "lang": lang, "summary": self.summary(), "summary_text": self.summary(lang),
            "summary_message": self.summary_message().to_dict(lang),
            "chain": {"ok": self.chain.ok, "checked": self.chain.checked,
                      "first_broken_id": self.chain.first_broken_id, "problem": self.chain.problem,
                      "problem_message": chain_message, "last_hash": self.chain.last_hash},
            "tables": {t: {"rows": s.rows, "entries": s.entries, "problems": s.problems}
                       for t, s in self.tables.items()},
            "problem_count": self.problem_count,
            "findings": [{"kind": f.kind, "kind_text": kind_label(f.kind, lang), "table": f.table,
                          "row_id": f.row_id, "fields": list(f.fields), "event_id": f.event_id, "detail": f.detail,
                          **f.message.to_dict(lang)} for f in self.findings],
            "hints": self.hints,
            "hint_messages": [h.to_dict(lang) for h in self.hint_messages],
            "checkpoints": self.checkpoints.to_dict(lang) if self.checkpoints is not None else None,
            "seconds": round(self.seconds, 3),
        }


class _Cursor:
    """A server-side (PostgreSQL) or plain (SQLite) DB-API cursor that streams a query."""

    def __init__(self, conn: Connection, name: str) -> None:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        self.pg = conn.dialect.name == "postgresql"
        self.cur = raw.cursor(name=name) if self.pg else raw.cursor()
        if self.pg:
            self.cur.itersize = 10_000  # type: ignore[attr-defined]

    def stream(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
        if self.pg:
            sql = sql.replace("?", "%s")
        self.cur.execute(sql, params)
        while True:
            batch = self.cur.fetchmany(10_000)
            if not batch:
                break
            yield from batch

    def close(self) -> None:
        self.cur.close()


class _Verifier:
    def __init__(self, conn: Connection, covers: dict[int, dict[str, Any]], *, ignore: Mapping[str, Iterable[str]],
                 max_findings: int | None, collect_uncovered: bool) -> None:
        self.conn = conn
        self.covers = covers
        self.ignore = {t: set(c) for t, c in ignore.items()}
        self.max_findings = max_findings
        self.findings: list[Finding] = []
        self.count = 0
        self.trees: dict[int, dg.MerkleBuilder] = {}
        self.tables: dict[str, TableState] = {}
        self.uncovered: dict[str, list[int]] = {} if collect_uncovered else {}
        self.collect_uncovered = collect_uncovered
        self.added_columns: dict[str, set[str]] = {}

    def add(self, finding: Finding, table: str | None = None) -> None:
        self.count += 1
        if table is not None:
            self.tables[table].problems += 1
        if self.max_findings is None or len(self.findings) < self.max_findings:
            self.findings.append(finding)

    def _recorded(self, event_id: int, table: str) -> tuple[list[str], dict[int, Any]]:
        cover = self.covers.get(event_id, {})
        columns = cover.get("tables", {}).get(table, {}).get("columns", [])
        values = {r["id"]: r.get("values") for r in cover.get("rows", []) if r.get("table") == table}
        return columns, values

    def _edited(self, table: str, columns: list[str], row_id: int, event_id: int, prints: str) -> Finding:
        rec_columns, rec_values = self._recorded(event_id, table)
        rows = list(dg.read_rows(self.conn, table, columns, [row_id], raw=True))
        if not rows or not rec_columns:
            return Finding("edited", table, row_id, Message("audit.finding.edited_unread", {"event": event_id}),
                           event_id=event_id)
        now = json.loads(rows[0][1])
        diff = dg.differing_fields(prints, rec_columns, columns, tuple(rows[0][2:]))
        if diff["added"]:
            self.added_columns.setdefault(table, set()).update(diff["added"])
        names = diff["changed"] + diff["added"] + diff["removed"]
        recorded = rec_values.get(row_id)
        parts = []
        for c in diff["changed"]:
            shown = c not in SECRET_COLUMNS.get(table, ())
            if recorded is not None and shown:
                parts.append(Message("audit.change.value", {"column": c, "recorded": recorded.get(c),
                                                            "now": now.get(c)}))
            elif shown:
                parts.append(Message("audit.change.now", {"column": c, "now": now.get(c)}))
            else:
                parts.append(Message("audit.change.secret", {"column": c}))
        parts += [Message("audit.change.added", {"column": c}) for c in diff["added"]]
        parts += [Message("audit.change.removed", {"column": c}) for c in diff["removed"]]
        changes: Any = tuple(parts) or Message("audit.change.unknown")
        return Finding("edited", table, row_id, Message("audit.finding.edited", {"changes": changes,
                                                                                  "event": event_id}),
                       tuple(names), event_id)

    def table(self, table: str) -> None:
        state = self.tables[table] = TableState()
        all_columns = dg.table_columns(self.conn, table)
        columns = [c for c in all_columns if c not in self.ignore.get(table, ())]
        rows_cur = _Cursor(self.conn, f"rows_{table}")
        ent_cur = _Cursor(self.conn, f"entries_{table}")
        try:
            if columns:
                rows = rows_cur.stream(f"SELECT id, {dg.json_expression(self.conn.dialect.name, columns)} "
                                       f"FROM {dg.quote(table)} ORDER BY id")
            else:
                rows = iter(())
            entries = ent_cur.stream("SELECT row_id, event_id, digest, fields FROM audit_row WHERE table_name = ? "
                                     "ORDER BY row_id, event_id", (table,))
            self._merge(table, columns, rows, entries, state)
        finally:
            rows_cur.close()
            ent_cur.close()

    def _merge(self, table: str, columns: list[str], rows: Iterator[tuple[Any, ...]],
               entries: Iterator[tuple[Any, ...]], state: TableState) -> None:
        trees = self.trees
        sha = hashlib.sha256
        leaf = dg.leaf_data
        r = next(rows, None)
        e = next(entries, None)
        n_rows = n_entries = 0
        while r is not None or e is not None:
            if e is None or (r is not None and r[0] < e[0]):
                assert r is not None
                n_rows += 1
                self._inserted(table, r[0], None)
                r = next(rows, None)
                continue
            rid = e[0]
            latest = e
            while e is not None and e[0] == rid:
                tree = trees.get(e[1])
                if tree is None:
                    tree = trees[e[1]] = dg.MerkleBuilder()
                tree.add(leaf(table, rid, e[2], e[3]))
                latest = e
                n_entries += 1
                e = next(entries, None)
            if r is not None and r[0] == rid:
                n_rows += 1
                if latest[2] == dg.DELETED:
                    self._inserted(table, rid, latest[1])
                elif sha(r[1].encode("utf-8")).hexdigest() != latest[2]:
                    if self.max_findings is None or len(self.findings) < self.max_findings:
                        self.add(self._edited(table, columns, rid, latest[1], latest[3]), table)
                    else:
                        self.add(Finding("edited", table, rid, Message("audit.finding.differs", {"event": latest[1]}),
                                                 event_id=latest[1]), table)
                r = next(rows, None)
            elif latest[2] != dg.DELETED:
                self.add(Finding("deleted", table, rid, Message("audit.finding.deleted", {"event": latest[1]}),
                                 event_id=latest[1]), table)
        state.rows, state.entries = n_rows, n_entries

    def _inserted(self, table: str, rid: int, deleted_by: int | None) -> None:
        if self.collect_uncovered and deleted_by is None:
            self.uncovered.setdefault(table, []).append(rid)
            return
        why = (Message("audit.finding.reinserted", {"event": deleted_by})
               if deleted_by is not None else Message("audit.finding.inserted"))
        self.add(Finding("inserted", table, rid, why, event_id=deleted_by), table)

    def roots(self) -> None:
        for ev_id in sorted(set(self.covers) | set(self.trees)):
            cover = self.covers.get(ev_id)
            tree = self.trees.get(ev_id)
            if cover is None:
                self.add(Finding("store", None, None, Message("audit.finding.store_orphan",
                                                              {"count": tree.count if tree else 0, "event": ev_id}),
                                 event_id=ev_id))
                continue
            got_root = tree.root() if tree else dg.EMPTY_ROOT
            got = tree.count if tree else 0
            if got_root != cover.get("root") or got != cover.get("leaves"):
                self.add(Finding("store", None, None, Message("audit.finding.store_root",
                                                              {"event": ev_id, "entries": got,
                                                               "rows": cover.get("leaves")}), event_id=ev_id))


@contextmanager
def _snapshot(source: Session | Connection) -> Iterator[Connection]:
    """A connection of its own in one consistent snapshot (REPEATABLE READ on PostgreSQL).

    Given a Connection (tests: tampering and verifying inside one rolled-back transaction),
    that connection is used as it is.
    """
    if isinstance(source, Connection):
        yield source
        return
    with _open_snapshot(source) as conn, conn.begin():
        yield conn


def _open_snapshot(session: Session) -> Connection:
    bind = session.get_bind()
    engine: Engine = bind.engine if isinstance(bind, Connection) else bind
    if engine.dialect.name == "postgresql":
        return engine.connect().execution_options(isolation_level="REPEATABLE READ")
    return engine.connect()


def verify_history(session: Session | Connection, *, checkpoints: Any = None, public_key: Any = None,
                   ignore_columns: Mapping[str, Iterable[str]] | None = None, max_findings: int | None = 200,
                   tables: Iterable[str] | None = None, _collect_uncovered: bool = False) -> HistoryReport:
    """The chain, every guarded row against its newest covering event, and (optionally) checkpoints.

    `checkpoints` is a loaded checkpoint file (``core.checkpoint.load_file``) or its path,
    checked with `public_key` (default: the audit key of the settings). `tables` limits the
    row pass (the Merkle roots, which span tables, are then not checked).
    """
    from core import checkpoint as cp

    started = time.perf_counter()
    loaded = cp.load_file(checkpoints) if isinstance(checkpoints, str) else checkpoints
    positions = [c.events for c in loaded.checkpoints] if loaded is not None else []
    with _snapshot(session) as conn:
        scan = _scan_chain(conn, positions=positions, covers=True)
        verifier = _Verifier(conn, scan.covers, ignore=ignore_columns or {}, max_findings=max_findings,
                             collect_uncovered=_collect_uncovered)
        stored = {r[0] for r in conn.exec_driver_sql("SELECT DISTINCT table_name FROM audit_row").fetchall()}
        only = set(tables) if tables is not None else None
        for table in sorted(_GUARDED | stored):
            if only is None or table in only:
                verifier.table(table)
        if scan.report.ok and only is None:  # a root spans every table its event covers
            verifier.roots()
    hints = []
    for table, cols in sorted(verifier.added_columns.items()):
        added = " ".join(f"--added {table}.{c}" for c in sorted(cols))
        hints.append(Message("audit.hint.rebaseline", {"table": table, "columns": ", ".join(sorted(cols)),
                                                       "command": f"main.py audit rebaseline {added} --reason …"}))
    report = HistoryReport(scan.report, verifier.tables, verifier.findings, verifier.count,
                           time.perf_counter() - started, hint_messages=hints)
    report._uncovered = verifier.uncovered  # type: ignore[attr-defined]
    if loaded is not None:
        report.checkpoints = cp.check(loaded, scan, public_key=public_key)
    return report


# --------------------------------------------------------------------------- schema changes and adoption


class InvalidRebaseline(ValueError):
    """A rebaseline asked for wrongly; `str()` is English, `render(lang)` the operator's language."""

    def __init__(self, key: str, **params: Any) -> None:
        self.message = Message(key, params)
        super().__init__(self.message.text("en"))

    def render(self, lang: str = "en") -> str:
        return self.message.text(lang)


def _parse_added(added: Iterable[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for item in added:
        table, _, column = item.partition(".")
        if not column or table not in _GUARDED:
            raise InvalidRebaseline("audit.rebaseline.bad_column", item=item, tables=", ".join(GUARDED))
        out.setdefault(table, set()).add(column)
    return out


@dataclass
class RebaselineResult:
    events: list[int]
    rows: dict[str, int]
    refused: HistoryReport | None = None


def _all_ids(session: Session, table: str) -> list[int]:
    return [r[0] for r in session.connection().exec_driver_sql(f"SELECT id FROM {dg.quote(table)} ORDER BY id")]


def rebaseline(session: Session, actor: Actor, *, reason: str, added: Iterable[str] = (),
               adopt: bool = False) -> RebaselineResult:
    """Re-record the digests of tables whose columns changed (and, with `adopt`, cover uncovered rows).

    Refused (nothing written, `refused` set) unless everything else verifies with the added
    columns left out. The caller commits.
    """
    if not reason.strip():
        raise InvalidRebaseline("audit.rebaseline.no_reason")
    changed = _parse_added(added)
    report = verify_history(session, ignore_columns=changed, max_findings=200, _collect_uncovered=adopt)
    if not report.ok:
        return RebaselineResult([], {}, refused=report)
    events: list[int] = []
    counts: dict[str, int] = {}
    models = {t: _TableRef(t) for t in _GUARDED}
    for table in sorted(changed):
        ids = _all_ids(session, table)
        counts[table] = len(ids)
        events += record_bulk(session, actor, models[table], ids, action="rows.rebaseline",
                              reason=f"{reason} (columns added: {', '.join(sorted(changed[table]))})")
    for table, ids in sorted(report._uncovered.items()):  # type: ignore[attr-defined]
        counts[table] = counts.get(table, 0) + len(ids)
        events += record_bulk(session, actor, models[table], ids, action="rows.adopt",
                              reason=f"{reason} (rows without any covering event taken under the log; "
                                     "earlier edits of them cannot be told)")
    return RebaselineResult(events, counts)


class _TableRef:
    """Enough of a model for ``record_bulk`` when only the table name is known."""

    def __init__(self, name: str) -> None:
        self.__table__ = type("T", (), {"name": name})()


def iter_events(session: Session, chunk: int = 20_000) -> Iterator[list[tuple[Any, ...]]]:
    """The audit log in id order, `chunk` events at a time: (id, occurred_at, actor, action, entity type,
    entity id, reason, hash). Snapshots (before/after JSON) are left out: the export lists, `audit verify` proves."""
    last = 0
    while True:
        rows = session.exec(select(AuditEvent.id, AuditEvent.occurred_at, AuditEvent.actor, AuditEvent.action,
                                   AuditEvent.entity_type, AuditEvent.entity_id, AuditEvent.reason, AuditEvent.hash)
                            .where(col(AuditEvent.id) > last).order_by(col(AuditEvent.id)).limit(chunk)).all()
        if not rows:
            return
        yield [tuple(r) for r in rows]
        last = rows[-1][0]
