"""Validation of an export against the official schema of its standard, offline.

The package schemas refer to the item schemas by their published URL; a local `referencing`
registry holds every schema file of `opendata/schemas/<standard>/` under its own id, so
nothing is fetched. Formats (date-time, uri) are checked: 360Giving's dates are `oneOf`
a date-time or a plain date, which only a format-checking validator can tell apart.
Needs `jsonschema` and `referencing` (development requirements: tests and the benchmark).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMAS = Path(__file__).parent / "schemas"
PACKAGES = {
    "360giving": SCHEMAS / "360giving-1.4.3" / "360-giving-package-schema.json",
    "ocds": SCHEMAS / "ocds-1.1.5" / "release-package-schema.json",
}


@lru_cache
def validator(standard: str) -> Any:
    """A jsonschema validator of `standard`'s package schema ('360giving' or 'ocds')."""
    from jsonschema.validators import validator_for
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    package_path = PACKAGES[standard]
    resources = []
    for path in sorted(package_path.parent.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(contents, default_specification=DRAFT4)
        uri = contents.get("$id") or contents.get("id")
        resources.append((uri, resource))
    registry: Registry[Any] = Registry().with_resources(resources)
    schema = json.loads(package_path.read_text(encoding="utf-8"))
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)


def errors(standard: str, document: Any, *, limit: int = 20) -> list[str]:
    """The first `limit` schema violations of `document`, each as 'path: message' (empty when valid)."""
    out = []
    for error in validator(standard).iter_errors(document):
        path = "/".join(str(p) for p in error.absolute_path)
        out.append(f"{path or '(root)'}: {error.message[:300]}")
        if len(out) >= limit:
            break
    return out
