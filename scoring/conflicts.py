"""Conflicts of interest: detected (membership, past employment), declared, and cleared by officials."""

from __future__ import annotations

from sqlmodel import Session, select

from core import audit
from core.audit import Actor
from core.errors import NotFound
from program import service as program_service
from program.models import (
    Project,
)
from program.service import get_program as _program
from program.service import get_project as _project
from scoring import rules
from scoring.evaluation_frame import bidding_orgs, conflict_ref_date, evaluator_histories, latest_records
from scoring.models import (
    ConflictIn,
    ConflictKind,
    ConflictRead,
    ConflictRecord,
    Evaluator,
    EvaluatorEmployment,
)

# --------------------------------------------------------------------------- conflicts


def conflicts_for_project(session: Session, project: Project, evaluator_ids: list[int] | None = None
                          ) -> dict[int, list[tuple[str, str]]]:
    """Evaluator id → [(source, detail)] of current conflicts with a project (detected + declared − cleared)."""
    program = _program(session, project.program_id)
    assert program.id is not None and project.id is not None
    bids = bidding_orgs(session, program.id, [project.id]).get(project.id, set())
    records = latest_records(session, program.id, [project.id])
    if evaluator_ids is None:  # only evaluators linked to a bidding organisation can be detected
        ids = set(session.exec(select(Evaluator.id).where(Evaluator.affiliation_org_id.in_(bids))).all())  # type: ignore[union-attr]
        ids |= set(session.exec(select(EvaluatorEmployment.evaluator_id)
                                .where(EvaluatorEmployment.org_id.in_(bids))).all())  # type: ignore[attr-defined]
        ids |= {ev for ev, _ in records}
        evaluator_ids = sorted(i for i in ids if i is not None)
    aff, jobs = evaluator_histories(session, evaluator_ids)
    out: dict[int, list[tuple[str, str]]] = {}
    ref = conflict_ref_date(program)
    for ev in evaluator_ids:
        rec = records.get((ev, project.id))
        if rec is not None:
            if rec.kind == ConflictKind.declared:
                out[ev] = [("declared", rec.reason)]
            continue
        found = rules.detect_conflicts(aff.get(ev), jobs.get(ev, []), bids, ref, program.rules.conflict_lookback_years)
        if found:
            out[ev] = [(src, f"organisation {org}") for src, org in found]
    return out


def is_conflicted(session: Session, evaluator_id: int, project_id: int) -> bool:
    project = _project(session, project_id)
    return evaluator_id in conflicts_for_project(session, project, [evaluator_id])


def list_conflicts(session: Session, project_id: int) -> list[ConflictRead]:
    """Detected and declared conflicts of a project, and officials' clearances."""
    project = _project(session, project_id)
    current = conflicts_for_project(session, project)
    codes = dict(session.execute(select(Evaluator.id, Evaluator.code)).all()) if current else {}
    out = [ConflictRead(evaluator_id=ev, evaluator_code=codes.get(ev, ""), project_id=project_id, source=src,
                        detail=detail, cleared=False) for ev, items in sorted(current.items()) for src, detail in items]
    for (ev, _), rec in sorted(latest_records(session, project.program_id, [project_id]).items()):
        if rec.kind == ConflictKind.cleared:
            ev_row = session.get(Evaluator, ev)
            out.append(ConflictRead(evaluator_id=ev, evaluator_code=ev_row.code if ev_row else "",
                                    project_id=project_id, source="cleared", detail="conflict overridden",
                                    cleared=True, reason=rec.reason))
    return out


def record_conflict(session: Session, actor: Actor, data: ConflictIn) -> ConflictRead:
    """Declare a conflict (or, with clear=True, override a detected one); audited with the reason.

    A conflict that appears after assignment excludes the evaluator's sheets from aggregation."""
    project = program_service.locked_project(session, data.project_id)
    ev = session.get(Evaluator, data.evaluator_id)
    if ev is None:
        raise NotFound("scoring.err.evaluator_not_found", evaluator_id=data.evaluator_id)
    kind = ConflictKind.cleared if data.clear else ConflictKind.declared
    rec = ConflictRecord(evaluator_id=ev.id, project_id=project.id, kind=kind, reason=data.reason,  # type: ignore[arg-type]
                         recorded_by=actor.username)
    session.add(rec)
    session.flush()
    audit.record(session, actor, f"conflict.{kind.value}", "conflict_record", rec.id,
                 after={"evaluator_id": ev.id, "project_id": project.id, "kind": kind}, reason=data.reason)
    session.commit()
    return ConflictRead(evaluator_id=ev.id, evaluator_code=ev.code, project_id=project.id,  # type: ignore[arg-type]
                        source="cleared" if data.clear else "declared", detail=data.reason, cleared=data.clear,
                        reason=data.reason)


