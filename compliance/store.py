"""Stored findings, kept current: full runs, incremental re-checks after a change, and reads.

A *set* (`FindingSet`) holds the findings of one programme judged as of one date. A full run
computes every check for it; after a commit that wrote an award, its ledger, budget lines,
hires, crowd or training records, deliveries, scores or the programme's rules, the checks
that depend on those tables are re-run (`recheck`, subscribed to `core.events`) for the
changed projects only — or over the programme for the checks that compare projects with
each other (`scope="programme"`). Findings are replaced by fingerprint: a finding that comes
out the same keeps its row and its `computed_at`, so the findings of other awards are left
alone. A read (`stored_findings`) never runs a check once its set exists; it says when the
set was computed, from which audit event, and how many changes to the checks' tables the log
holds since (a bulk write, which names no rows, is re-checked by the next full run).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, func, select, update

from compliance.models import (
    CheckOutcome,
    Finding,
    FindingCheck,
    FindingRun,
    FindingSet,
    FindingsReport,
    Freshness,
    Severity,
    StoredFinding,
)
from compliance.registry import Check, CheckContext, load_checks
from core import events
from core.timeutil import utcnow

log = logging.getLogger("grants.compliance")

MONEY = ("MON-01", "MON-02", "MON-03", "MON-04", "LAB-01", "CRD-01")
HIRES = ("HIR-01", "HIR-02", "HIR-03")
DELIVERY = ("DLV-01", "DLV-02", "DLV-03", "DLV-04", "LAB-01")
EVALUATION = ("EVA-01", "EVA-02")
EVERY = ("*",)
# The tables each check reads: a commit writing one of them re-runs these checks.
DEPENDS: dict[str, tuple[str, ...]] = {
    "expenditure": MONEY, "budget_line": ("MON-02", "MON-03", "LAB-01"),
    "line_transfer": ("MON-02", "MON-03", "LAB-01"),
    "award": MONEY + HIRES + ("DLV-01",), "award_extension": MONEY + HIRES + ("DLV-01",),
    "hire": HIRES, "crowd_activity": ("CRD-01",), "training_session": ("CRD-01",),
    "delivery_progress": DELIVERY, "quality_verification": DELIVERY, "data_opening": DELIVERY,
    "score_sheet": EVALUATION, "criterion_score": EVALUATION, "conflict_record": EVALUATION,
    "selection": EVALUATION, "screening": EVALUATION, "proposal": EVALUATION + ("CRD-01",),
    "program": EVERY, "project": EVERY, "data_type": DELIVERY,
    "consortium_member": ("MON-04",) + EVALUATION, "organization": ("MON-04", "HIR-02") + EVALUATION,
}
KEEP_DATES = 3  # stored sets per programme besides the one of its reporting date (the newest are kept)


def data_event_id(session: Session) -> int | None:
    """The audit event the data have reached (the head of the chain)."""
    return events.data_state(session)


def _fingerprint(f: Finding) -> str:
    keyed = {k: getattr(f, k) for k in ("check_id", "award_id", "other_award_id", "project_id", "project_code",
                                         "project_title", "message_key", "params", "subject_key", "subject_params",
                                         "amount_krw", "evidence", "refs")}
    return hashlib.sha256(json.dumps(keyed, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _stored(f: Finding, set_id: int, run_id: int, now: datetime) -> StoredFinding:
    return StoredFinding(set_id=set_id, run_id=run_id, check_id=f.check_id, severity=str(f.severity),
                         award_id=f.award_id, other_award_id=f.other_award_id, project_id=f.project_id,
                         project_code=f.project_code, project_title=f.project_title, message_key=f.message_key,
                         params=f.params, subject_key=f.subject_key, subject_params=f.subject_params,
                         amount_krw=f.amount_krw, evidence=f.evidence, refs=f.refs, fingerprint=_fingerprint(f),
                         computed_at=now)


def _finding(row: StoredFinding, program_id: int, checks: dict[str, Check]) -> Finding:
    c = checks.get(row.check_id)
    return Finding(check_id=row.check_id, severity=Severity(row.severity), title_ko=c.title_ko if c else row.check_id,
                   title_en=c.title_en if c else row.check_id, message_key=row.message_key, params=row.params,
                   subject_key=row.subject_key, subject_params=row.subject_params, program_id=program_id,
                   award_id=row.award_id, other_award_id=row.other_award_id, project_id=row.project_id,
                   project_code=row.project_code, project_title=row.project_title, amount_krw=row.amount_krw,
                   evidence=row.evidence, refs=row.refs or {}, computed_at=row.computed_at)


def _sort_key(f: Finding) -> tuple[Any, ...]:
    return (Severity(f.severity).rank, f.check_id, f.program_id or 0, f.award_id or 0, f.project_id or 0,
            f.project_code or "", json.dumps(f.params, sort_keys=True, default=str))


# --------------------------------------------------------------------------- computing


@dataclass
class Computed:
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


# (db, check, audit event) → (monotonic time, findings): a database-wide check's answer, reused by the
# other programmes' runs for REUSE_SECONDS only, so a later run verifies the history again.
# The key holds the chain head's hash too: event ids restart after a database is wiped and seeded again (and in
# tests), so an id alone could hand a verdict to another history.
_DATABASE_WIDE: dict[tuple[str, str, int | None, str | None], tuple[float, list[Finding]]] = {}
REUSE_SECONDS = 300.0


def compute(session: Session, *, today: date, program_id: int | None, checks: Iterable[Check],
            project_ids: Iterable[int] | None = None, version: int | None = None) -> Computed:
    """Run the checks (project-scope checks for `project_ids` only, when given); no writes.

    A database-wide check (the audit log's verification) gives the same answer for every
    programme: with the data state `version` known, it runs once per state and is reused.
    """
    full = CheckContext(session=session, today=today, program_id=program_id)
    scoped = None if project_ids is None else CheckContext(session=session, today=today, program_id=program_id,
                                                           project_ids=frozenset(project_ids), cache=full.cache)
    out = Computed()
    for c in checks:
        ctx = full if scoped is None or c.scope != "project" else scoped
        head = _head_hash(session) if c.scope == "database" else None
        key = (str(session.get_bind().engine.url), c.id, version, head)
        hit = _DATABASE_WIDE.get(key) if c.scope == "database" and version is not None else None
        if hit is not None and time.monotonic() - hit[0] < REUSE_SECONDS:
            out.findings[c.id] = [f.model_copy() for f in hit[1]]
            continue
        try:
            out.findings[c.id] = c.run(ctx)
            if c.scope == "database" and version is not None:
                if len(_DATABASE_WIDE) > 8:
                    _DATABASE_WIDE.clear()
                _DATABASE_WIDE[key] = (time.monotonic(), out.findings[c.id])
        except Exception as exc:  # one broken check must not hide the others' findings
            session.rollback()
            detail = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:500]
            log.warning("check %s failed: %s", c.id, detail)
            out.errors[c.id] = detail
    return out


def _head_hash(session: Session) -> str | None:
    from core import audit as core_audit

    return core_audit.last_hash(session)


def _compute_apart(session: Session, **kw: Any) -> tuple[int | None, Computed]:
    """Compute in a read session of its own: the writer's lock is not held while checks run, and the
    audit log's verification (its own snapshot connection) does not wait for it."""
    bind = session.get_bind()
    if isinstance(bind, Connection):
        version = data_event_id(session)
        return version, compute(session, version=version, **kw)
    with Session(bind.execution_options(sqlite_immediate=False), expire_on_commit=False) as reader:
        version = data_event_id(reader)
        return version, compute(reader, version=version, **kw)


def _lock_set(session: Session, fs: FindingSet, now: datetime) -> None:
    """Hold the set's write lock until the refresh commits: two refreshes of one set (two workers'
    re-checks, two first reads) write one after the other, the second on what the first stored.

    The UPDATE is the transaction's first statement: a row lock on PostgreSQL, the database's write
    lock on SQLite (taken before anything is read, so the snapshot is the newest).
    """
    session.commit()  # end the read transaction the computation may have left open
    session.exec(update(FindingSet).where(col(FindingSet.id) == fs.id).values(updated_at=now))
    session.refresh(fs)


def refresh(session: Session, fs: FindingSet, *, check_ids: Iterable[str] | None = None,
            project_ids: Iterable[int] | None = None, kind: str = "incremental",
            requested_by: str = "system") -> FindingRun:
    """Re-run checks for a stored set and replace what changed (by fingerprint); commits."""
    registry = load_checks()
    wanted = [registry[c] for c in (check_ids if check_ids is not None else registry) if c in registry]
    if kind == "incremental":
        wanted = [c for c in wanted if c.incremental]
    scope = None if project_ids is None else sorted(set(project_ids))
    started = utcnow()
    version, computed = _compute_apart(session, today=fs.as_of_date, program_id=fs.program_id, checks=wanted,
                                       project_ids=scope)
    now = utcnow()
    assert fs.id is not None
    _lock_set(session, fs, now)
    run = FindingRun(set_id=fs.id, kind=kind, checks=[c.id for c in wanted], project_ids=scope,
                     requested_by=requested_by[:64], started_at=started, finished_at=now, data_event_id=version)
    session.add(run)
    session.flush()
    assert run.id is not None
    states = {s.check_id: s for s in session.exec(select(FindingCheck).where(FindingCheck.set_id == fs.id)).all()}
    for c in wanted:
        state = states.get(c.id) or FindingCheck(set_id=fs.id, check_id=c.id, status="ok", computed_at=now)
        state.computed_at = now
        if c.id in computed.errors:
            state.status, state.detail = "error", computed.errors[c.id]
            session.add(state)
            continue
        q = select(StoredFinding.id, StoredFinding.fingerprint).where(StoredFinding.set_id == fs.id,
                                                                      StoredFinding.check_id == c.id)
        if scope is not None and c.scope == "project":
            q = q.where(col(StoredFinding.project_id).in_(scope))
        old: dict[str, list[int]] = {}
        for rid, fp in session.exec(q).all():
            if rid is not None:
                old.setdefault(fp, []).append(rid)
        new = [(f, _fingerprint(f)) for f in computed.findings.get(c.id, [])]
        remove: list[int] = []
        add: list[Finding] = []
        pool = {fp: list(ids) for fp, ids in old.items()}
        for f, fp in new:
            if pool.get(fp):
                pool[fp].pop()
            else:
                add.append(f)
        remove = [rid for ids in pool.values() for rid in ids]
        if remove:
            session.exec(delete(StoredFinding).where(col(StoredFinding.id).in_(remove)))
        for f in add:
            session.add(_stored(f, fs.id, run.id, now))
        run.added += len(add)
        run.removed += len(remove)
        session.flush()
        state.findings = int(session.exec(select(func.count()).select_from(StoredFinding).where(
            StoredFinding.set_id == fs.id, StoredFinding.check_id == c.id)).one())
        state.status, state.detail = ("findings" if state.findings else "ok"), None
        session.add(state)
    fs.updated_at = now
    if kind == "full" and check_ids is None:
        fs.full_run_at = now
    if version is not None and (fs.data_event_id is None or version > fs.data_event_id):
        fs.data_event_id = version
    session.add(fs)
    session.add(run)
    session.commit()
    return run


def _get_set(session: Session, program_id: int, as_of: date) -> FindingSet | None:
    return session.exec(select(FindingSet).where(FindingSet.program_id == program_id,
                                                 FindingSet.as_of_date == as_of)).first()


def full_run(session: Session, *, program_id: int, as_of: date, requested_by: str = "system") -> FindingRun:
    """Compute every check of a programme as of a date and store the result (creating its set)."""
    from program import service as program_service

    program = program_service.get_program(session, program_id)  # NotFound for an unknown programme
    fs = _get_set(session, program_id, as_of)
    if fs is None:
        now = utcnow()
        fs = FindingSet(program_id=program_id, as_of_date=as_of, created_at=now, updated_at=now)
        session.commit()  # the INSERT starts its own transaction (SQLite: no read lock to upgrade, so it waits)
        try:
            session.add(fs)
            session.flush()
            _prune(session, program_id, keep=(as_of, program.reporting_date))
            session.commit()
        except IntegrityError:  # a concurrent first read created it: run on that one
            session.rollback()
            fs = _get_set(session, program_id, as_of)
            if fs is None:
                raise
    session.commit()  # the set exists before its run; no writer's lock is held while the checks run
    return refresh(session, fs, kind="full", requested_by=requested_by)


def _prune(session: Session, program_id: int, keep: tuple[date | None, ...]) -> None:
    """Drop the oldest stored sets of a programme beyond KEEP_DATES (the reporting date's set stays)."""
    sets = session.exec(select(FindingSet).where(FindingSet.program_id == program_id)
                        .order_by(col(FindingSet.created_at).desc(), col(FindingSet.id).desc())).all()
    extra = [s for s in sets if s.as_of_date not in keep][KEEP_DATES:]
    for s in extra:
        for model in (StoredFinding, FindingRun, FindingCheck):
            session.exec(delete(model).where(col(model.set_id) == s.id))
        session.delete(s)
    session.flush()


# --------------------------------------------------------------------------- reading


def set_stamp(session: Session, program_id: int, as_of: date) -> tuple[int, datetime] | None:
    """(set id, updated at) of the stored set, or None: what a reader's cache keys on."""
    row = session.exec(select(FindingSet.id, FindingSet.updated_at).where(
        FindingSet.program_id == program_id, FindingSet.as_of_date == as_of)).first()
    return (int(row[0]), row[1]) if row and row[0] is not None else None


def changes_since(session: Session, event_id: int | None) -> int:
    """Covering audit events on the checks' tables after `event_id` (0: nothing changed since)."""
    return events.changes_since(session, event_id, DEPENDS)


_CONTENTS: OrderedDict[tuple[Any, ...], tuple[list[Finding], list[CheckOutcome]]] = OrderedDict()
_CONTENTS_LOCK = threading.Lock()
_CONTENTS_KEPT = 16


def _set_contents(session: Session, fs: FindingSet, program_id: int, checks: dict[str, Check],
                  check_ids: list[str] | None) -> tuple[list[Finding], list[CheckOutcome]]:
    """A stored set's findings (in their one order) and check outcomes, built once per state of the set.

    Every refresh moves the set's `updated_at` (under its write lock), so (set, updated at) names one
    content: many readers of an unchanged set (auditors at a deadline) share one build instead of each
    turning every stored row into a finding again. Callers copy before changing (`with_text` does).
    """
    key = (str(session.get_bind().engine.url), fs.id, fs.updated_at, tuple(check_ids) if check_ids else None)
    with _CONTENTS_LOCK:
        hit = _CONTENTS.get(key)
        if hit is not None:
            _CONTENTS.move_to_end(key)
            return list(hit[0]), list(hit[1])
    q = select(StoredFinding).where(StoredFinding.set_id == fs.id)
    if check_ids:
        q = q.where(col(StoredFinding.check_id).in_(check_ids))
    findings = sorted((_finding(r, program_id, checks) for r in session.exec(q).all()), key=_sort_key)
    states = {s.check_id: s for s in session.exec(select(FindingCheck).where(FindingCheck.set_id == fs.id)).all()}
    outcomes = [CheckOutcome(check_id=c, status=s.status, findings=s.findings, detail=s.detail,
                             computed_at=s.computed_at)
                for c in checks if (s := states.get(c)) is not None and (not check_ids or c in check_ids)]
    with _CONTENTS_LOCK:
        _CONTENTS[key] = (findings, outcomes)
        while len(_CONTENTS) > _CONTENTS_KEPT:
            _CONTENTS.popitem(last=False)
    return list(findings), list(outcomes)


def stored_findings(session: Session, *, program_id: int, as_of: date, check_ids: list[str] | None = None,
                    compute_missing: bool = True) -> FindingsReport:
    """The stored findings of a programme as of a date, with how current they are.

    The first read of a programme and date with no stored set computes it once (a full run)
    and stores it; `compute_missing=False` answers empty instead. No other read runs a check.
    """
    fs = _get_set(session, program_id, as_of)
    if fs is None and compute_missing:
        full_run(session, program_id=program_id, as_of=as_of, requested_by="system (first read)")
        fs = _get_set(session, program_id, as_of)
    checks = load_checks()
    if fs is None:
        from program import service as program_service

        program_service.get_program(session, program_id)
        return FindingsReport(as_of=as_of, program_id=program_id, counts={s.value: 0 for s in Severity}, checks=[],
                              findings=[], total=0,
                              freshness=Freshness(computed_at=None, full_run_at=None, data_event_id=None,
                                                  changes_since=changes_since(session, None), current=False,
                                                  stored=False))
    findings, outcomes = _set_contents(session, fs, program_id, checks, check_ids)
    counts = Counter(str(f.severity) for f in findings)
    pending = changes_since(session, fs.data_event_id)
    return FindingsReport(as_of=as_of, program_id=program_id,
                          counts={s.value: counts.get(s.value, 0) for s in Severity},
                          checks=outcomes, findings=findings, total=len(findings),
                          freshness=Freshness(computed_at=fs.updated_at, full_run_at=fs.full_run_at,
                                              data_event_id=fs.data_event_id, changes_since=pending,
                                              current=pending == 0, stored=True))


# --------------------------------------------------------------------------- after a commit


def scopes_of(session: Session, changes: list[events.Change]) -> dict[int | None, dict[str, set[int] | None]]:
    """Programme (None: every programme) → check id → the changed projects (None: the whole programme)."""
    from budgeting.queries import award_refs_for_checks
    from program.names import programs_of_projects_for_checks, projects_of_data_types_for_checks

    relevant = [c for c in changes if c.table in DEPENDS]
    awards = {c.row_id if c.table == "award" else c.key("award_id") for c in relevant} - {None}
    data_types = {c.row_id if c.table == "data_type" else c.key("data_type_id") for c in relevant} - {None}
    projects = {c.row_id if c.table == "project" else c.key("project_id") for c in relevant} - {None}
    award_refs = award_refs_for_checks(session, {a for a in awards if a is not None})
    dt_refs = projects_of_data_types_for_checks(session, {d for d in data_types if d is not None})
    prj_refs = programs_of_projects_for_checks(session, {p for p in projects if p is not None})
    out: dict[int | None, dict[str, set[int] | None]] = {}

    def add(program: int | None, check_ids: tuple[str, ...], project: int | None) -> None:
        ids = tuple(load_checks()) if check_ids == EVERY else check_ids
        per = out.setdefault(program, {})
        for cid in ids:
            if project is None:
                per[cid] = None
            elif cid not in per:
                per[cid] = {project}
            elif per[cid] is not None:
                per[cid].add(project)  # type: ignore[union-attr]

    for c in relevant:
        deps = DEPENDS[c.table]
        award = c.row_id if c.table == "award" else c.key("award_id")
        data_type = c.row_id if c.table == "data_type" else c.key("data_type_id")
        project = c.row_id if c.table == "project" else c.key("project_id")
        if c.row_id is None:
            continue  # a bulk statement: no rows named; the changes count shows it until a full run
        if c.table == "program":
            add(c.row_id, deps, None)
        elif award is not None and award in award_refs:
            add(award_refs[award].program_id, deps, award_refs[award].project_id)
        elif data_type is not None and data_type in dt_refs:
            add(dt_refs[data_type][0], deps, dt_refs[data_type][1])
        elif project is not None and project in prj_refs:
            add(prj_refs[project], deps, project)
        elif c.key("program_id") is not None:
            add(c.key("program_id"), deps, None)
        else:
            add(None, deps, None)
    return out


def recheck(session: Session, changes: list[events.Change]) -> list[FindingRun]:
    """Re-run, in every stored set they touch, the checks that depend on the changed rows."""
    scopes = scopes_of(session, changes)
    runs: list[FindingRun] = []
    for program, per_check in scopes.items():
        q = select(FindingSet)
        if program is not None:
            q = q.where(FindingSet.program_id == program)
        sets = list(session.exec(q.order_by(col(FindingSet.id))).all())
        session.commit()  # end the read: a writer's lock must not be held while the checks run
        for fs in sets:
            whole = sorted(c for c, p in per_check.items() if p is None)
            scoped: dict[frozenset[int], list[str]] = {}
            for c, p in per_check.items():
                if p is not None:
                    scoped.setdefault(frozenset(p), []).append(c)
            if whole:
                runs.append(refresh(session, fs, check_ids=whole))
            for projects, cids in scoped.items():
                runs.append(refresh(session, fs, check_ids=sorted(cids), project_ids=projects))
    return runs


def _on_commit(changes: list[events.Change], engine: Engine) -> None:
    """After a commit that touched what a check reads: queue the re-check of the projects it touched.

    The request that made the change does not wait for it: the re-check is a background task on the
    job queue (core.jobs; a worker runs it, or it runs at once with the inline `memory://` queue).
    """
    relevant = [c for c in changes if c.table in DEPENDS]
    if not relevant:
        return
    from core import jobs

    if jobs.queue().immediate:  # the inline queue (tests, `memory://`): re-check now, on the committing database
        from core.db import writer

        _recheck_on(writer(engine), relevant)
        return
    payload = {"changes": [[c.table, c.row_id, [list(k) for k in c.keys]] for c in relevant]}
    try:
        jobs.submit_background("compliance.recheck", payload)
    except Exception:  # the queue is down: the change stands, the findings show it as not yet re-checked
        log.exception("could not queue the findings re-check")


def recheck_task(payload: dict[str, Any]) -> None:
    """The background task: re-run the dependent checks for the changed rows (nothing stored yet: nothing)."""
    from core.db import get_write_engine

    changes = [events.Change(table, row_id, tuple((str(k), int(v)) for k, v in keys))
               for table, row_id, keys in payload.get("changes", [])]
    _recheck_on(get_write_engine(), changes)


def _recheck_on(engine: Engine, changes: list[events.Change]) -> None:
    with Session(engine, expire_on_commit=False) as probe:
        if probe.exec(select(func.count()).select_from(FindingSet)).one() == 0:
            return  # nothing stored yet: the first read computes it
    with Session(engine, expire_on_commit=False) as session:
        recheck(session, changes)


def subscribe() -> None:
    """Keep stored findings current after every commit (called when compliance is imported)."""
    from core import jobs

    jobs.background("compliance.recheck")(recheck_task)
    events.on_commit(_on_commit)


subscribe()


def programme_ids(session: Session) -> list[int]:
    """Every programme's id, by year."""
    from program import service as program_service

    return [p.id for p in program_service.list_programs(session) if p.id is not None]
