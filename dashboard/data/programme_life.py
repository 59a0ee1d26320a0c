"""The programme's life for the dashboard's programme page: the same program/budgeting service functions the
/api/v1/programs routes call (each audited in its own transaction). Not cached: an official must see the
programme as it is after each change.
"""

from __future__ import annotations

from typing import Any

from budgeting.schemas import EnvelopeTransferCreate
from core.audit import Actor
from core.db import session_scope
from core.models import User
from core.uploads import Upload
from program.models import ProgramCopyIn, ProgramRulesUpdate, SlotCreate, SlotUpdate
from scoring.models import RubricIn


def states() -> list[dict[str, Any]]:
    """Every programme with its call state and room, oldest first."""
    from program import service

    with session_scope() as session:
        return [s.model_dump(mode="json") for s in service.list_program_states(session)]


def state(program_id: int) -> dict[str, Any]:
    from program import service

    with session_scope() as session:
        return service.program_state(session, program_id).model_dump(mode="json")


def slots(program_id: int) -> list[dict[str, Any]]:
    from program import service

    with session_scope() as session:
        return [s.model_dump(mode="json") for s in service.list_slots(session, program_id)]


def choices() -> dict[str, list[tuple[str, str, str]]]:
    """(code, Korean name, English name) of the core fields and the call types (shared reference data)."""
    from program import service

    with session_scope() as session:
        return {"fields": [(f.code, f.name_ko, f.name_en) for f in service.list_fields(session)],
                "call_types": [(c.code, c.name_ko, c.name_en) for c in service.list_call_types(session)]}


def copy(user: User, previous_id: int, data: ProgramCopyIn) -> dict[str, Any]:
    """Next year's programme from `previous_id` (rules, rubrics, bonus items, envelopes; budgeting.programmes)."""
    from budgeting.programmes import create_programme_from

    with session_scope(write=True) as session:
        return create_programme_from(session, Actor.of(user), previous_id, data).model_dump(mode="json")


def add_slot(user: User, program_id: int, data: SlotCreate) -> dict[str, Any]:
    from program import service

    with session_scope(write=True) as session:
        project = service.add_slot(session, Actor.of(user), program_id, data)
        assert project.id is not None
        return service.slot_read(session, project.id).model_dump(mode="json")


def update_slot(user: User, project_id: int, data: SlotUpdate) -> dict[str, Any]:
    from program import service

    with session_scope(write=True) as session:
        project = service.update_slot(session, Actor.of(user), project_id, data)
        assert project.id is not None
        return service.slot_read(session, project.id).model_dump(mode="json")


def publish_slot(user: User, project_id: int) -> dict[str, Any]:
    from program import service

    with session_scope(write=True) as session:
        project = service.publish_slot(session, Actor.of(user), project_id)
        assert project.id is not None
        return service.slot_read(session, project.id).model_dump(mode="json")


def open_call(user: User, program_id: int) -> dict[str, Any]:
    from program import service

    with session_scope(write=True) as session:
        return service.open_call(session, Actor.of(user), program_id).model_dump(mode="json")


def close_call(user: User, program_id: int) -> dict[str, Any]:
    from program import service

    with session_scope(write=True) as session:
        return service.close_call(session, Actor.of(user), program_id).model_dump(mode="json")


def set_approval_limit(admin: User, user_id: int, limit_krw: int | None) -> dict[str, Any]:
    """An official's approval limit in won (None: no limit), core.approval_limits.set_approval_limit."""
    from core.approval_limits import set_approval_limit as set_limit
    from core.models import UserRead

    with session_scope(write=True) as session:
        user = set_limit(session, Actor.of(admin), user_id, limit_krw)
        return UserRead.model_validate(user, from_attributes=True).model_dump(mode="json")


def _draft_only(session: Any, program_id: int) -> None:
    """Refuse unless the programme is before its call (its rules and envelopes are fixed once it opens)."""
    from core.errors import Conflict, Term
    from program import service
    from program.models import ProgramStatus

    program = service.get_program(session, program_id)
    if ProgramStatus(program.status) != ProgramStatus.draft:
        raise Conflict("program.not_draft", field="status", status=Term("program_status", program.status))


def rules(program_id: int) -> dict[str, Any]:
    """The programme's rule values (ProgramRules) as JSON values."""
    from program import service

    with session_scope() as session:
        return service.get_program(session, program_id).rules.model_dump(mode="json")


def update_rules(user: User, program_id: int, data: ProgramRulesUpdate) -> dict[str, Any]:
    """Change a draft programme's rules (program.service.update_rules, as PATCH /programs/{id}/rules: merged set
    re-validated, audited); refused once the call is open."""
    from program import service

    with session_scope(write=True) as session:  # on SQLite the write lock is held from the first read
        _draft_only(session, program_id)
        return service.update_rules(session, Actor.of(user), program_id, data.changes()).rules.model_dump(mode="json")


def envelopes(program_id: int) -> list[dict[str, Any]]:
    """The programme's envelopes (budgeting.service.list_envelopes) with their names in Korean and English."""
    from budgeting import service as budgeting
    from program import service

    with session_scope() as session:
        types = {c.id: c for c in service.list_call_types(session)}
        fields = {f.id: f for f in service.list_fields(session)}
        out = []
        for e in budgeting.list_envelopes(session, program_id):
            ct, fl = types.get(e.call_type_id), fields.get(e.field_id) if e.field_id is not None else None
            name_en = " · ".join(x for x in ((ct.name_en if ct else ""), (fl.name_en if fl else "")) if x)
            out.append({**e.model_dump(mode="json"), "name_en": name_en or e.name_ko})
        return out


def transfer_envelope(user: User, program_id: int, data: EnvelopeTransferCreate) -> dict[str, Any]:
    """Move money between two envelopes of a draft programme (budgeting.service.transfer_between_envelopes, as
    POST /programs/{id}/envelope-transfers: the total stays the same; above the free share it waits for
    approval)."""
    from budgeting import service as budgeting

    with session_scope(write=True) as session:
        _draft_only(session, program_id)
        return budgeting.transfer_between_envelopes(session, Actor.of(user), program_id, data).model_dump(mode="json")


def delete_slot(user: User, project_id: int) -> None:
    """Remove an unpublished slot of a draft programme (program.service.delete_slot, as DELETE /slots/{id})."""
    from program import service

    with session_scope(write=True) as session:
        service.delete_slot(session, Actor.of(user), project_id)


def start_import(user: User, program_id: int, filename: str, content: bytes) -> int:
    """Store the intake file and queue its import as a job (program.jobs.enqueue_import); the job's id."""
    from program import jobs

    with session_scope(write=True) as session:
        job = jobs.enqueue_import(session, user, program_id, Upload(filename=filename[:255], content=content))
        assert job.id is not None
        return job.id


def import_outcome(user: User, job_id: int, lang: str | None) -> dict[str, Any]:
    """The intake job's progress, then its counts or its problems in `lang` (only for its requester)."""
    from program import jobs

    with session_scope() as session:
        return jobs.outcome(session, job_id, user, lang)


def rubrics(program_id: int) -> list[dict[str, Any]]:
    """The programme's rubrics, one per call type that has one (scoring.service.get_rubric)."""
    from core.errors import NotFound
    from program import service
    from scoring import service as scoring

    with session_scope() as session:
        out = []
        for ct in service.list_call_types(session):
            try:
                rubric = scoring.get_rubric(session, program_id, str(ct.code))
            except NotFound:
                continue
            out.append({**rubric.model_dump(mode="json"), "name_ko": ct.name_ko, "name_en": ct.name_en})
        return out


def put_rubric(user: User, program_id: int, call_type: str, data: RubricIn) -> dict[str, Any]:
    """Replace a draft programme's rubric of `call_type` (scoring.service.put_rubric, as PUT /scoring/rubrics/…:
    maxima summing to 100, audited; refused once scores exist)."""
    from scoring import service as scoring

    with session_scope(write=True) as session:
        _draft_only(session, program_id)
        return scoring.put_rubric(session, Actor.of(user), program_id, call_type, data).model_dump(mode="json")
