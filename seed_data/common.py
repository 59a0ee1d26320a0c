"""Shared pieces of the seed steps: the 2021 data file, the context, bulk inserts, progress."""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import insert
from sqlmodel import Session, SQLModel
from tqdm import tqdm

from core import audit

DATA_DIR = Path(__file__).resolve().parent
T = TypeVar("T")

# Seeded history happens at fixed moments so that the same seed gives the same rows.
SEED_CLOCK = datetime(2021, 3, 12, 0, 0, 0, tzinfo=UTC)


@lru_cache
def call_2021() -> dict[str, Any]:
    """The 2021 call as written in `program_2021.json` (fields, call types, rules, rubric…)."""
    with open(DATA_DIR / "program_2021.json", encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@dataclass
class SeedContext:
    """What every step gets: scale, seed, one random stream per step, progress and a report."""

    scale: str
    seed: int
    progress: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    planted: dict[str, list[Any]] = field(default_factory=dict)
    program_ids: list[int] = field(default_factory=list)
    main_program_id: int | None = None

    def rng(self, step: str) -> random.Random:
        return random.Random(f"{self.seed}:{step}")

    def bar(self, items: Sequence[T] | Iterable[T], desc: str, total: int | None = None) -> Iterator[T]:
        """Iterate with a progress bar on stderr when asked for (long runs)."""
        if not self.progress:
            yield from items
            return
        yield from tqdm(items, desc=desc, total=total, file=sys.stderr, leave=False, unit="row")

    def plant(self, pattern: str, *ids: Any) -> None:
        self.planted.setdefault(pattern, []).extend(ids)

    def count(self, table: str, n: int) -> None:
        self.counts[table] = self.counts.get(table, 0) + n


def bulk_insert(session: Session, model: type[SQLModel], rows: list[dict[str, Any]], chunk: int = 5000) -> None:
    """Insert plain dict rows in chunks with executemany (much faster than ORM objects).

    Rows of a guarded table are covered by the audit log at once: one ``rows.bulk`` event
    with the Merkle root of the rows written (the seed gives every row its id).
    """
    table = model.__table__  # type: ignore[attr-defined]
    for i in range(0, len(rows), chunk):
        session.execute(insert(table), rows[i : i + chunk])
    audit.record_bulk(session, audit.SYSTEM, model, rows, occurred_at=SEED_CLOCK)


def largest_remainder_counts(total: int, weights: Sequence[int | float]) -> list[int]:
    """Split an integer count in proportion to weights (parts add up to `total`)."""
    from decimal import Decimal

    from core.money import split_largest_remainder

    return split_largest_remainder(total, [Decimal(str(w)) for w in weights])
