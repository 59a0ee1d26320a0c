"""JSON answers of the hot list endpoints, serialised once by pydantic-core (Rust) from plain rows.

A route keeps its `response_model=` (the OpenAPI schema and the schemathesis checks read it) and
returns `json_response(...)` built from dicts whose keys and value types are the model's: ints,
strings, `date`/`datetime` (ISO 8601), `Decimal` (a string, as pydantic writes it), str enums (their
value) and None. No model object is built per row; measured in bench/bench_api.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import Response
from pydantic import TypeAdapter
from pydantic_core import to_json


def json_response(content: Any, status_code: int = 200) -> Response:
    """`content` (dicts, lists, scalars) as an application/json response."""
    return Response(to_json(content), status_code=status_code, media_type="application/json")


def page_response(items: Sequence[Mapping[str, Any]], total: int, **extra: Any) -> Response:
    """The list envelope of core/pagination.Page, `{"items": [...], "total": N}`, plus any extra keys."""
    return json_response({"items": items, "total": total, **extra})


def as_dicts(keys: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Rows (tuples in the order of `keys`) as dicts."""
    return [dict(zip(keys, row, strict=True)) for row in rows]


def model_response(adapter: TypeAdapter[Any], value: Any, status_code: int = 200) -> Response:
    """`value` serialised once by its pydantic TypeAdapter (`dump_json`, no re-validation) as a response."""
    return Response(adapter.dump_json(value), status_code=status_code, media_type="application/json")
