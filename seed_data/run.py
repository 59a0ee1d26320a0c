"""Run the seed steps in order, in one transaction per step."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from program.models import Program
from seed_data.common import SeedContext

# (module, function): each step builds on the ones before it.
STEPS: list[tuple[str, str]] = [
    ("seed_data.programme", "seed_programme"),
    ("seed_data.evaluation", "seed_evaluation"),
    ("seed_data.money", "seed_money"),
    ("seed_data.delivery", "seed_delivery"),
]


@dataclass
class SeedReport:
    scale: str
    seed: int
    counts: dict[str, int]
    planted: dict[str, list[Any]]
    main_program_id: int | None
    seconds: dict[str, float] = field(default_factory=dict)


def _advance_sequences(engine: Engine) -> None:
    """Seeds insert explicit ids; move PostgreSQL's sequences past them so later inserts do not collide."""
    import schema

    with engine.begin() as conn:
        for t in schema.load_models().sorted_tables:
            if "id" in t.c and t.c.id.primary_key and t.c.id.autoincrement:
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('\"{t.name}\"', 'id'), "
                    f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM \"{t.name}\""))


def is_empty(engine: Engine) -> bool:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Program)).one() == 0


def run_seed(engine: Engine, *, scale: str = "program", seed: int = 2021, progress: bool = False,
             context: SeedContext | None = None,
             on_step: Callable[[int, int, str], None] | None = None) -> SeedReport:
    """Fill an empty database with the programme at `scale` ('program' or 'national').

    `context` replaces the default SeedContext (the seed job's reports its progress); `on_step(i, n, name)`
    is called before each step, outside its transaction (the job writes its progress and may stop there)."""
    if scale not in ("program", "national"):
        raise ValueError("scale must be 'program' or 'national'")
    if not is_empty(engine):
        raise RuntimeError("the database already holds a programme; use --reset to start over")
    ctx = context if context is not None else SeedContext(scale=scale, seed=seed, progress=progress)
    seconds: dict[str, float] = {}
    for index, (module_name, func_name) in enumerate(STEPS):
        if on_step is not None:
            on_step(index, len(STEPS), func_name)
        step = getattr(importlib.import_module(module_name), func_name)
        started = time.perf_counter()
        with Session(engine.execution_options(sqlite_immediate=True)) as session:
            step(session, ctx)
            session.commit()
        seconds[func_name] = time.perf_counter() - started
    if engine.dialect.name == "postgresql":
        _advance_sequences(engine)
    return SeedReport(scale=scale, seed=seed, counts=ctx.counts, planted=ctx.planted,
                      main_program_id=ctx.main_program_id, seconds=seconds)
