"""A national export streams: memory stays flat in the number of awards (tracemalloc peaks for N and 4N)."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from sqlmodel import Session

from opendata import giving360, ocds, stream
from tests.opendata.builders import make_open_award, make_open_program, spend

N = 6
AS_OF = date(2021, 12, 31)
BATCH = 3  # awards (or projects) a query: N and 4N both take several batches


def awarded_programme(session: Session, year: int, count: int) -> None:
    """A programme of `count` projects, each awarded, with four months of spending (one bid each)."""
    _, projects = make_open_program(session, year, total=200_000_000_000, projects=[{"field_code": "HEALTH"}] * count)
    for project in projects:
        made = make_open_award(session, project, year=year)
        for month in (5, 6, 7, 8):
            spend(session, made, date(year, month, 10), 10_000_000 + month)


def peak_and_size(package: Callable[..., Iterator[str]], session: Session) -> tuple[int, int]:
    """Peak bytes allocated while the export is consumed chunk by chunk (nothing kept), and its length."""
    "".join(package(session, None, AS_OF, batch=BATCH))  # warm caches (compiled statements) before measuring
    gc.collect()
    tracemalloc.start()
    try:
        size = 0
        for chunk in package(session, None, AS_OF, batch=BATCH):
            size += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, size


def peak_of_collecting(package: Callable[..., Iterator[str]], session: Session) -> int:
    tracemalloc.start()
    try:
        stream.collect(package(session, None, AS_OF, batch=BATCH))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


@pytest.mark.parametrize("package", [giving360.package, ocds.package], ids=["360giving", "ocds"])
def test_memory_is_flat_in_the_number_of_awards(session: Session, monkeypatch: pytest.MonkeyPatch,
                                                package: Callable[..., Iterator[str]]) -> None:
    """4× the awards: 4× the output, about the same peak (within 25%), well under what holding it all takes."""
    monkeypatch.setattr(stream, "CHUNK_CHARS", 2048)  # chunks small next to the output, as at national scale
    awarded_programme(session, 2021, N)
    peak_n, size_n = peak_and_size(package, session)
    awarded_programme(session, 2020, 3 * N)
    peak_4n, size_4n = peak_and_size(package, session)
    assert size_4n > 3.5 * size_n  # the output really grew
    assert peak_4n < 1.25 * peak_n, f"peak grew from {peak_n:,} to {peak_4n:,} bytes for 4x the awards"
    assert peak_of_collecting(package, session) > 2 * peak_4n  # holding it all is what streaming avoids


def test_chunks_are_bounded(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each chunk is about CHUNK_CHARS (plus one item), and the chunks join into one JSON document."""
    monkeypatch.setattr(stream, "CHUNK_CHARS", 2048)
    awarded_programme(session, 2021, N)
    chunks = list(giving360.package(session, None, AS_OF, batch=BATCH))
    assert len(chunks) > 3
    longest_item = max(len(stream.dumps(g)) for g in stream.collect(chunks)["grants"])
    assert all(len(c) < 2048 + longest_item + 2 for c in chunks)
