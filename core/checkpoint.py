"""Signed checkpoints of the audit log, kept outside the database.

A checkpoint is one JSON line appended to ``settings.audit_checkpoint_file``::

    {"events": N, "last_event_id": id, "last_hash": "<hash of event N>", "time": "…Z",
     "note": "why it was written", "seq": k, "prev": "<SHA-256 of the previous line>",
     "key_id": "<first 16 hex of SHA-256 of the public key>", "v": 1, "sig": "<base64 Ed25519>"}

signed (Ed25519, over the canonical JSON of every field but ``sig``) with the key in
``settings.audit_key_file`` (PKCS#8 PEM). The key is created on first start in demo mode
(mode 0600); outside demo mode the application refuses to start without it, or with a key
file that others can read. Checkpoints are written when the app starts and then every
``checkpoint_interval_minutes`` by a background thread (started in the app's lifespan), at
every report rendered (and printed in its footer or summary sheet), and on
``main.py audit checkpoint``. Lines are appended under an exclusive ``flock`` so that
several workers keep one ordered file; ``prev`` links each line to the one before, so lines
removed from the middle of the file are noticed too.

Proving that the log extends a checkpoint
    The log is a hash chain, and verification recomputes every event's hash from its
    content anyway (``core.audit``), so the proof is direct: recompute the chain from
    genesis and compare the hash at position N with the one the checkpoint signed. A
    truncated tail or a wiped log has fewer than N events; history rewritten with
    recomputed hashes (an event edited, inserted or deleted before N) gives another hash
    at N; an edit without recomputing breaks the chain before N. We chose this over a
    Merkle tree of event hashes (RFC 6962 consistency proofs): such proofs pay off when a
    third party holding only tree heads must check consistency without the log, whereas
    an auditor here verifies the whole log, which costs the same linear pass either way.
    The chain keeps the existing event format and adds nothing to each write.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlmodel import Session, select

from core.models import AuditHead
from core.settings import Settings, get_settings
from core.timeutil import utcnow

log = logging.getLogger("grants.audit")
ZERO = "0" * 64
GENESIS = "0" * 64


class _Said:
    """An error that keeps its sentence as a message key (core/labels.py audit.key.*): `str()` is English,
    `render(lang)` is the operator's language."""

    key: str
    params: dict[str, Any]

    def _say(self, key: str, **params: Any) -> str:
        from core import labels  # noqa: F401  (registers the templates)
        from core.i18n import render

        self.key, self.params = key, params
        return render(key, params, "en")

    def render(self, lang: str = "en") -> str:
        from core.i18n import render

        return render(self.key, self.params, lang)


class KeyMissing(_Said, RuntimeError):
    """The audit signing key is missing (or unsafe) outside demo mode."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(self._say(key, **params))


class CheckpointFileMissing(_Said, FileNotFoundError):
    def __init__(self, path: Path) -> None:
        super().__init__(self._say("audit.key.no_checkpoint_file", path=str(path)))


class KeyExists(_Said, FileExistsError):
    def __init__(self, path: Path) -> None:
        super().__init__(self._say("audit.key.exists", path=str(path)))


class NotAKey(_Said, ValueError):
    def __init__(self, path: str | Path) -> None:
        super().__init__(self._say("audit.key.not_ed25519_public", path=str(path), algorithm="Ed25519"))


# --------------------------------------------------------------------------- keys


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _write_new_key(path: Path) -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    log.warning("audit signing key created at %s (demo mode); keep it outside the database host's backups", path)
    return key


def ensure_key(settings: Settings | None = None) -> Ed25519PrivateKey:
    """The signing key: created in demo mode when missing; required (and private) outside it."""
    settings = settings or get_settings()
    path = Path(settings.audit_key_file)
    if not path.exists():
        if not settings.demo_mode:
            raise KeyMissing("audit.key.missing", path=str(path), command="python main.py audit keygen",
                             setting="AUDIT_KEY_FILE")
        try:
            return _write_new_key(path)
        except FileExistsError:  # another worker created it a moment ago
            pass
    if not settings.demo_mode and path.stat().st_mode & 0o077:
        raise KeyMissing("audit.key.readable", path=str(path), mode=f"{path.stat().st_mode & 0o777:o}",
                         command="chmod 600")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyMissing("audit.key.not_ed25519", path=str(path), algorithm="Ed25519")
    return key


def keygen(path: str) -> Ed25519PrivateKey:
    """Create a new key file (refuses to overwrite one)."""
    p = Path(path)
    if p.exists():
        raise KeyExists(p)
    return _write_new_key(p)


def load_public_key(path: str | Path) -> Ed25519PublicKey:
    """A PEM file holding the public key, or the private key (its public half is used)."""
    data = Path(path).read_bytes()
    try:
        key: Any = serialization.load_pem_public_key(data)
    except ValueError:
        key = serialization.load_pem_private_key(data, password=None).public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise NotAKey(path)
    return key


def public_key_pem(private_key: Ed25519PrivateKey) -> str:
    return private_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo).decode()


# --------------------------------------------------------------------------- checkpoints


@dataclass(frozen=True)
class Checkpoint:
    events: int
    last_event_id: int | None
    last_hash: str
    time: str
    note: str
    seq: int
    prev: str
    key_id: str
    sig: str
    line: int = 0  # line number in the file (1-based) when read back

    def payload(self) -> dict[str, Any]:
        return {"v": 1, "events": self.events, "last_event_id": self.last_event_id, "last_hash": self.last_hash,
                "time": self.time, "note": self.note, "seq": self.seq, "prev": self.prev, "key_id": self.key_id}

    def text(self) -> str:
        return _canonical({**self.payload(), "sig": self.sig})

    def label(self, lang: str = "en") -> str:
        return self.label_message().text(lang)

    def label_message(self) -> Any:
        """`checkpoint #seq (line, events, time)` as a core.audit.Message."""
        from core.audit import Message

        return Message("audit.checkpoint.label", {"seq": self.seq, "line": self.line, "events": self.events,
                                                  "time": self.time})

    def footer(self, lang: str = "en") -> str:
        """One line for a report footer, a summary sheet or a page, in Korean or English, its time in KST."""
        from datetime import UTC, datetime

        from core.i18n import as_lang, format_date
        from core.timeutil import KST

        ko = as_lang(lang) == "ko"
        try:
            at = datetime.fromisoformat(self.time.replace("Z", "+00:00"))
            local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(KST)
            when = f"{format_date(local, 'ko' if ko else 'en')} {local:%H:%M} ({'한국시간' if ko else 'KST'})"
        except ValueError:
            when = self.time
        if not ko:
            return (f"audit checkpoint #{self.seq} · {self.events:,} events · {self.last_hash[:16]}… · {when} · "
                    f"Ed25519 key {self.key_id}")
        return (f"감사 체크포인트 #{self.seq} · 감사 이벤트 {self.events:,}건 · 해시 {self.last_hash[:16]}… · {when} · "
                f"Ed25519 서명 키 {self.key_id}")

    def to_dict(self) -> dict[str, Any]:
        return {**self.payload(), "sig": self.sig, "line": self.line}


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _signing_bytes(payload: dict[str, Any]) -> bytes:
    return _canonical(payload).encode("utf-8")


def _last_line(fh: Any) -> bytes | None:
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    block = 4096
    while True:
        start = max(0, size - block)
        fh.seek(start)
        data = fh.read(size - start)
        lines = [x for x in data.split(b"\n") if x.strip()]
        if len(lines) > 1 or start == 0:
            return lines[-1] if lines else None
        block *= 4


def write(session: Session, *, note: str, settings: Settings | None = None,
          key: Ed25519PrivateKey | None = None) -> Checkpoint:
    """Sign the log's head as the database holds it now and append it to the checkpoint file."""
    settings = settings or get_settings()
    key = key or ensure_key(settings)
    head = session.exec(select(AuditHead).where(AuditHead.id == 1).execution_options(populate_existing=True)).first()
    events, last_id, last = (head.event_count, head.last_event_id, head.last_hash) if head else (0, None, GENESIS)
    path = Path(settings.audit_checkpoint_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            prev_line = _last_line(fh)
            prev, seq = ZERO, 1
            if prev_line is not None:
                prev = hashlib.sha256(prev_line.strip()).hexdigest()
                try:
                    seq = int(json.loads(prev_line).get("seq", 0)) + 1
                except (ValueError, AttributeError):
                    seq = 1
            cp = Checkpoint(events=events, last_event_id=last_id, last_hash=last,
                            time=utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"), note=note[:200], seq=seq, prev=prev,
                            key_id=key_id(key.public_key()), sig="")
            sig = base64.b64encode(key.sign(_signing_bytes(cp.payload()))).decode()
            cp = replace(cp, sig=sig)
            fh.seek(0, os.SEEK_END)
            fh.write(cp.text().encode("utf-8") + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    return cp


@dataclass
class LoadedCheckpoints:
    path: str
    checkpoints: list[Checkpoint]
    raw_lines: list[tuple[int, bytes]]  # (line number, exact bytes) for the prev links
    unreadable: list[tuple[int, str]] = field(default_factory=list)  # (line number, the error's class name)


def load_file(path: str | Path) -> LoadedCheckpoints:
    """Every checkpoint of a file (unreadable lines are kept as findings, not skipped silently)."""
    p = Path(path)
    if not p.exists():
        raise CheckpointFileMissing(p)
    out = LoadedCheckpoints(str(p), [], [])
    for n, raw in enumerate(p.read_bytes().split(b"\n"), start=1):
        if not raw.strip():
            continue
        out.raw_lines.append((n, raw.strip()))
        try:
            d = json.loads(raw)
            out.checkpoints.append(Checkpoint(events=int(d["events"]), last_event_id=d.get("last_event_id"),
                                              last_hash=str(d["last_hash"]), time=str(d["time"]),
                                              note=str(d.get("note", "")), seq=int(d["seq"]), prev=str(d["prev"]),
                                              key_id=str(d["key_id"]), sig=str(d["sig"]), line=n))
        except (ValueError, KeyError, TypeError) as exc:
            out.unreadable.append((n, exc.__class__.__name__))
    return out


def latest(path: str | Path | None = None) -> Checkpoint | None:
    """The newest checkpoint of the file (None when there is none yet)."""
    p = Path(path or get_settings().audit_checkpoint_file)
    if not p.exists():
        return None
    with open(p, "rb") as fh:
        line = _last_line(fh)
    if line is None:
        return None
    try:
        d = json.loads(line)
        return Checkpoint(events=int(d["events"]), last_event_id=d.get("last_event_id"), last_hash=d["last_hash"],
                          time=d["time"], note=d.get("note", ""), seq=int(d["seq"]), prev=d["prev"],
                          key_id=d["key_id"], sig=d["sig"])
    except (ValueError, KeyError, TypeError):
        return None


def signature_ok(cp: Checkpoint, public_key: Ed25519PublicKey) -> bool:
    try:
        public_key.verify(base64.b64decode(cp.sig, validate=True), _signing_bytes(cp.payload()))
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class CheckpointProblem:
    line: int
    seq: int | None
    message: Any  # core.audit.Message (its templates: audit.checkpoint.* in core/labels.py)

    @property
    def detail(self) -> str:
        """What is wrong, in English (the stable text of the JSON's `detail`)."""
        return str(self.message.text("en"))

    def text(self, lang: str = "en") -> str:
        return str(self.message.text(lang))


@dataclass
class CheckpointReport:
    path: str
    checked: int
    problems: list[CheckpointProblem]
    newest: Checkpoint | None
    key_id: str

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_contradicted(self) -> CheckpointProblem | None:
        return self.problems[0] if self.problems else None

    def summary_message(self) -> Any:
        from core.audit import Message

        if self.ok:
            if self.newest:
                return Message("audit.checkpoint.all_extended_newest", {"checked": self.checked, "path": self.path,
                                                                        "newest": self.newest.label_message()})
            return Message("audit.checkpoint.all_extended", {"checked": self.checked, "path": self.path})
        first = self.problems[0]
        return Message("audit.checkpoint.first_contradicted", {"line": first.line, "detail": first.message})

    def summary(self, lang: str = "en") -> str:
        """One line: the log extends every checkpoint, or the first one contradicted; English by default."""
        return str(self.summary_message().text(lang))

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """English `summary` / `detail` as before, plus `message_key`, `params` and `text` in `lang`."""
        return {"ok": self.ok, "path": self.path, "checked": self.checked, "key_id": self.key_id,
                "summary": self.summary(), "summary_text": self.summary(lang),
                "problems": [{"line": p.line, "seq": p.seq, "detail": p.detail, **p.message.to_dict(lang)}
                             for p in self.problems],
                "newest": self.newest.to_dict() if self.newest else None}


def check(loaded: LoadedCheckpoints, scan: Any, *, public_key: Ed25519PublicKey | None = None) -> CheckpointReport:
    """Does the log (a ``core.audit`` chain scan with hashes at the checkpoints' positions) extend each?"""
    from core.audit import Message

    public_key = public_key or ensure_key().public_key()
    kid = key_id(public_key)
    problems = [CheckpointProblem(n, None, Message("audit.checkpoint.unreadable", {"error": why}))
                for n, why in loaded.unreadable]
    chain = scan.report
    prev_text = None
    prev_events = 0
    raw = dict(loaded.raw_lines)
    line_order = [n for n, _ in loaded.raw_lines]
    for cp in loaded.checkpoints:
        label = cp.label_message()
        idx = line_order.index(cp.line)
        expected_prev = ZERO if idx == 0 else hashlib.sha256(raw[line_order[idx - 1]]).hexdigest()
        if not signature_ok(cp, public_key):
            unsigned = (Message("audit.checkpoint.unsigned_other", {"label": label, "key": kid, "named": cp.key_id})
                        if cp.key_id != kid else Message("audit.checkpoint.unsigned", {"label": label, "key": kid}))
            problems.append(CheckpointProblem(cp.line, cp.seq, unsigned))
            continue
        if cp.prev != expected_prev:
            problems.append(CheckpointProblem(cp.line, cp.seq, Message("audit.checkpoint.not_following",
                                                                       {"label": label})))
        if cp.events < prev_events:
            problems.append(CheckpointProblem(cp.line, cp.seq, Message("audit.checkpoint.fewer", {"label": label})))
        prev_events = max(prev_events, cp.events)
        prev_text = cp
        broken_at = chain.broken_position
        if broken_at is not None and cp.events >= broken_at:
            problems.append(CheckpointProblem(
                cp.line, cp.seq, Message("audit.checkpoint.broken", {
                    "label": label, "event": chain.first_broken_id, "position": broken_at,
                    "problem": chain.problem_message})))
            continue
        have = scan.at_position.get(cp.events)
        if have is None:
            gone = "audit.checkpoint.wiped" if chain.checked == 0 else "audit.checkpoint.truncated"
            problems.append(CheckpointProblem(cp.line, cp.seq, Message(gone, {"label": label,
                                                                              "checked": chain.checked})))
            continue
        if have[1] != cp.last_hash:
            problems.append(CheckpointProblem(
                cp.line, cp.seq, Message("audit.checkpoint.rewritten", {
                    "label": label, "event": have[0], "position": cp.events, "have": have[1][:16],
                    "signed": cp.last_hash[:16]})))
    problems.sort(key=lambda p: p.line)
    return CheckpointReport(loaded.path, len(loaded.checkpoints), problems,
                            prev_text if prev_text else None, kid)


# --------------------------------------------------------------------------- the hourly writer


class CheckpointWriter:
    """A daemon thread writing a checkpoint every `interval_s` seconds until stopped."""

    def __init__(self, interval_s: float, write_one: Callable[[str], Any]) -> None:
        self.interval_s = interval_s
        self.write_one = write_one
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="audit-checkpoints", daemon=True)

    def start(self) -> CheckpointWriter:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.write_one("interval")
            except Exception:  # never let the writer die; the next interval tries again
                log.exception("audit checkpoint not written")

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)


def _write_with_own_session(note: str) -> Checkpoint:
    from core.db import session_scope

    with session_scope() as session:
        return write(session, note=note)


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """FastAPI lifespan: the checkpoint writer runs while the app does."""
    settings = get_settings()
    try:  # the start checkpoint is written before the first request is served
        _write_with_own_session("app start")
    except Exception:  # a database not migrated yet must not keep the app from starting; logged loudly
        log.exception("audit checkpoint not written at start")
    writer = None
    if settings.checkpoint_interval_minutes > 0:
        writer = CheckpointWriter(settings.checkpoint_interval_minutes * 60, _write_with_own_session).start()
    try:
        yield
    finally:
        if writer is not None:
            writer.stop()
