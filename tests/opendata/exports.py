"""Helpers of the open-data tests: build both exports from an engine, walk their JSON."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from opendata import giving360, ocds
from program.models import Program


def program_id(engine: Engine, year: int) -> int:
    with Session(engine) as s:
        program = s.exec(select(Program).where(Program.year == year)).one()
        assert program.id is not None
        return program.id


def both(engine: Engine, program: int | None = None,
         as_of: date | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The 360Giving and the OCDS package, each collected whole."""
    with Session(engine) as s:
        return giving360.collect(s, program, as_of), ocds.collect(s, program, as_of)


def leaves(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """Every (key, scalar) of a JSON document; list items carry their list's key."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from leaves(v, key)
    else:
        yield key, value


def keys(value: Any) -> set[str]:
    out: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            out.add(k)
            out |= keys(v)
    elif isinstance(value, list):
        for v in value:
            out |= keys(v)
    return out
