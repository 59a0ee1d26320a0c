"""Programme, fields, call types and rules (program.service)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from core.db import session_scope
from dashboard.data._cache import cached
from program import delivery


@cached
def current_program_id() -> int | None:
    from core.errors import NotFound
    from program import service as program_service

    with session_scope() as session:
        try:
            return program_service.current_program(session).id
        except NotFound:
            return None


@cached
def main_program_id() -> int | None:
    """The programme shown when the URL names none (program.reporting.featured_program_id)."""
    from program.reporting import featured_program_id

    with session_scope() as session:
        return featured_program_id(session)


@cached
def program_summary(program_id: int) -> dict[str, Any]:
    from program import service as program_service

    with session_scope() as session:
        return program_service.program_summary(session, program_id).model_dump(mode="json")


@cached
def history() -> dict[str, Any]:
    """Data types built per year toward the goal (program.delivery.delivery_history)."""
    with session_scope() as session:
        h = delivery.delivery_history(session)
    return {"rows": [(p.year, p.data_types) for p in h.points], "goal": h.goal_data_types, "goal_year": h.goal_year}


@cached
def fields() -> pd.DataFrame:
    """The core fields (code, name_ko, name_en) in display order."""
    from program import service as program_service

    with session_scope() as session:
        rows = program_service.list_fields(session)
    return pd.DataFrame([{"code": f.code, "name_ko": f.name_ko, "name_en": f.name_en} for f in rows],
                        columns=["code", "name_ko", "name_en"])


@cached
def call_types() -> pd.DataFrame:
    from program import service as program_service

    with session_scope() as session:
        rows = program_service.list_call_types(session)
    return pd.DataFrame([{"code": str(c.code), "name_ko": c.name_ko, "name_en": c.name_en} for c in rows],
                        columns=["code", "name_ko", "name_en"])


@cached
def program_rules(program_id: int) -> dict[str, Any]:
    from program import service as program_service

    with session_scope() as session:
        return program_service.program_rules(session, program_id).model_dump(mode="json")


@cached
def project_fields(program_id: int) -> pd.DataFrame:
    """project_id → field_code for the programme's projects (program.service.list_projects)."""
    from program import service as program_service

    with session_scope() as session:
        rows, _ = program_service.list_projects(session, program_id=program_id, limit=1_000_000)
    return pd.DataFrame([{"project_id": p.id, "field_code": p.field_code} for p in rows],
                        columns=["project_id", "field_code"])


@cached
def programs() -> list[tuple[int, int, str | None]]:
    """(id, year, reporting date ISO or None) of every programme, by year: the dashboard's programme selector."""
    from program.reporting import program_choices

    with session_scope() as session:
        rows = program_choices(session)
    return [(i, y, d.isoformat() if d else None) for i, y, d in rows]


def scope(query: dict[str, str] | None) -> tuple[int | None, date | None]:
    """The programme and as-of date a page shows, from its URL (?program=ID&as_of=YYYY-MM-DD).

    Unknown or missing: the main programme; its reporting date (program.reporting.as_of_for), else today (KST).
    """
    from program.reporting import as_of_for

    query = query or {}
    known = {i: d for i, _, d in programs()}
    raw = str(query.get("program") or "")
    pid = int(raw) if raw.isdigit() and int(raw) in known else main_program_id()
    try:
        as_of = date.fromisoformat(str(query.get("as_of") or ""))
    except ValueError:
        as_of = None
    if as_of is None:
        if pid is not None and known.get(pid):
            as_of = date.fromisoformat(known[pid])  # type: ignore[arg-type]
        else:
            with session_scope() as session:
                as_of = as_of_for(session, pid, None)
    return pid, as_of
