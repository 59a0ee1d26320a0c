"""The evaluator registry for the officials' page: the same scoring.evaluators functions the
/api/v1/evaluators routes call (each audited in its own transaction).

Contact details follow the API's rule: only an official reads them (`with_contact`), never another role.
Not cached: an official must see a profile as it is after each change.
"""

from __future__ import annotations

from typing import Any

from core.audit import Actor
from core.db import session_scope
from core.models import Role, User
from core.uploads import Upload
from scoring.models import EvaluatorCreate, EvaluatorUpdate

#: The most profiles one search shows (the total is reported beside it).
PAGE_SIZE = 100


def with_contact(user: User | None) -> bool:
    """The reader may see e-mail and phone: officials only (as scoring.api decides)."""
    return user is not None and Role(user.role) == Role.official


def search(user: User | None, *, q: str | None = None, field_code: str | None = None,
           active: bool | None = None) -> tuple[list[dict[str, Any]], int]:
    """Profiles by name or code, expertise field and state: the first PAGE_SIZE and the total."""
    from scoring import service

    with session_scope() as session:
        rows, total = service.list_evaluators(session, q=q or None, field_code=field_code or None, active=active,
                                              limit=PAGE_SIZE, offset=0, with_contact=with_contact(user))
        return [r.model_dump(mode="json") for r in rows], total


def profile(user: User | None, evaluator_id: int) -> dict[str, Any]:
    from scoring import service

    with session_scope() as session:
        return service.evaluator_read(session, evaluator_id, with_contact=with_contact(user)).model_dump(mode="json")


def organizations() -> list[dict[str, Any]]:
    """Every organisation an affiliation may name (id, name, business number), by name."""
    from program import service

    with session_scope() as session:
        rows, _ = service.list_organizations(session, limit=100_000, offset=0)
        out = [{"id": o.id, "name": o.name, "business_number": o.business_number} for o in rows]
    return sorted(out, key=lambda o: (o["name"], o["business_number"] or ""))


def import_columns() -> list[str]:
    """The Korean headers the import file must have, in order."""
    from scoring.evaluators import EVALUATOR_COLUMNS

    return [label for _, label in EVALUATOR_COLUMNS]


def create(user: User, data: EvaluatorCreate) -> dict[str, Any]:
    from scoring import service

    with session_scope(write=True) as session:
        ev = service.create_evaluator(session, Actor.of(user), data)
        assert ev.id is not None
        return service.evaluator_read(session, ev.id, with_contact=with_contact(user)).model_dump(mode="json")


def update(user: User, evaluator_id: int, data: EvaluatorUpdate) -> dict[str, Any]:
    from scoring import service

    with session_scope(write=True) as session:
        service.update_evaluator(session, Actor.of(user), evaluator_id, data)
        return service.evaluator_read(session, evaluator_id, with_contact=with_contact(user)).model_dump(mode="json")


def set_active(user: User, evaluator_id: int, active: bool, reason: str | None = None) -> dict[str, Any]:
    from scoring import service

    with session_scope(write=True) as session:
        service.set_evaluator_active(session, Actor.of(user), evaluator_id, active, reason=reason)
        return service.evaluator_read(session, evaluator_id, with_contact=with_contact(user)).model_dump(mode="json")


def import_file(user: User, filename: str, content: bytes) -> dict[str, Any]:
    """Register the evaluators of a file (scoring.evaluators.import_evaluators: all rows or none)."""
    from scoring import service

    with session_scope(write=True) as session:
        return service.import_evaluators(session, Actor.of(user),
                                         Upload(filename=filename[:255], content=content)).model_dump(mode="json")
