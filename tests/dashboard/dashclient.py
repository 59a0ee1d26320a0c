"""Post Dash callback requests the way the browser does (used by tests and the benchmark)."""

from __future__ import annotations

from typing import Any

from dash import Dash


def _ids(spec: str) -> list[tuple[str, str]]:
    """'..a.children...b.figure..' or 'a.children' → [('a', 'children'), ('b', 'figure')]."""
    spec = spec.strip(".")
    parts = spec.split("...") if "..." in spec else [spec]
    return [tuple(p.rsplit(".", 1)) for p in parts]  # type: ignore[misc]


def find_callback(dash_app: Dash, output_contains: str) -> tuple[str, dict[str, Any]]:
    for key, cb in dash_app.callback_map.items():
        if output_contains in key:
            return key, cb
    raise KeyError(output_contains)


def body(dash_app: Dash, output_contains: str, values: dict[str, Any],
         changed: list[str] | None = None) -> dict[str, Any]:
    """A callback request body for the callback whose output key contains `output_contains`.

    `values` maps 'component-id.property' of the inputs and states to their values.
    """
    key, cb = find_callback(dash_app, output_contains)
    outputs = [{"id": i, "property": p} for i, p in _ids(key)]
    inputs = [{"id": d["id"], "property": d["property"], "value": values.get(f"{d['id']}.{d['property']}")}
              for d in cb["inputs"]]
    state = [{"id": d["id"], "property": d["property"], "value": values.get(f"{d['id']}.{d['property']}")}
             for d in cb.get("state", [])]
    return {"output": key, "outputs": outputs if len(outputs) > 1 else outputs[0], "inputs": inputs,
            "state": state, "changedPropIds": changed or []}
