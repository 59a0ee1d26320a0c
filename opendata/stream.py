"""Writing a JSON package as text chunks: the array first, item by item, then the package fields.

JSON objects are unordered, so a package's metadata that depends on its items (the latest
modification, the publication date) can follow the array: the items stream out as they are
built and nothing but a running maximum is kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

CHUNK_CHARS = 64 * 1024  # text gathered before a chunk is handed on (fewer, larger network writes)


def dumps(value: Any) -> str:
    """Compact JSON with Korean kept as UTF-8 text."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def package(array_key: str, items: Iterable[dict[str, Any]], fields: Callable[[], dict[str, Any]]) -> Iterator[str]:
    """`{"<array_key>":[item,…],<fields()>}` as chunks of about CHUNK_CHARS characters.

    `fields` is called once the items are exhausted (it may read what building them recorded).
    """
    parts: list[str] = [f"{{{dumps(array_key)}:["]
    size = len(parts[0])
    first = True
    for item in items:
        text = dumps(item) if first else "," + dumps(item)
        first = False
        parts.append(text)
        size += len(text)
        if size >= CHUNK_CHARS:
            yield "".join(parts)
            parts, size = [], 0
    tail = dumps(fields())
    parts.append("]" + ("," + tail[1:] if tail != "{}" else "}"))
    yield "".join(parts)


def collect(chunks: Iterable[str]) -> dict[str, Any]:
    """The whole package as a dict (for small uses and tests)."""
    result: dict[str, Any] = json.loads("".join(chunks))
    return result
