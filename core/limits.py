"""Request-body limits, applied before any route parses a body (one ASGI middleware).

- JSON and other non-multipart bodies: at most `settings.max_body_bytes` (413 otherwise, from the
  Content-Length header when there is one, else while the body streams in); URL-encoded forms
  at most `MAX_FORM_BYTES`.
- Multipart bodies (uploads): only a Content-Length above `settings.max_upload_bytes` is refused
  here; the upload routes stream and cap the body themselves after checking the caller.
- JSON bodies: at most `MAX_JSON_DEPTH` levels of nesting (422). Python's parser otherwise
  recurses until a RecursionError on a body like `[[[[…]]]]`.
- A Dash callback (POST …/_dash-update-component) must be a JSON object naming a known output
  with lists of inputs (422 otherwise): Dash answers anything else with a 500.

All answers use the one error shape of core.http_errors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Container, Mapping

import numpy as np
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.http_errors import error_response, message

MAX_JSON_DEPTH = 64
# URL-encoded forms here are logins and small dashboard forms; decoding 1 MiB of percent-escaped
# Hangul took ~0.3 s (bench hardening), so forms get a tighter cap than JSON.
MAX_FORM_BYTES = 64 * 1024
# A JSON string (the unrolled form is linear and fast even on long runs of escapes).
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
# +1 for an opening bracket, -1 for a closing one, 0 for every other byte.
_STEP = np.zeros(256, dtype=np.int8)
_STEP[[ord("["), ord("{")]] = 1
_STEP[[ord("]"), ord("}")]] = -1


class _TooLarge(Exception):
    pass


def _max_depth(text: bytes) -> int:
    steps = _STEP[np.frombuffer(text, dtype=np.uint8)]
    return int(np.cumsum(steps, dtype=np.int32).max()) if len(steps) else 0


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when the JSON text `body` nests arrays/objects more than `limit` levels deep.

    Vectorised (a few ms per MB, no recursion): the bracket depth is first counted over the raw
    bytes, an upper bound; only when that bound exceeds `limit` are strings blanked and the
    depth counted again, exactly.
    """
    if body.count(b"[") + body.count(b"{") <= limit or _max_depth(body) <= limit:
        return False
    return _max_depth(_STRING.sub(b'""', body)) > limit


class BodyLimitMiddleware:
    """Caps request bodies and JSON nesting; see the module docstring."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int,
                 dash_prefix: str | None = None,
                 dash_outputs: Callable[[], Container[str]] | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes
        self.dash_callback_path = (dash_prefix.rstrip("/") + "/_dash-update-component") if dash_prefix else None
        self.dash_outputs = dash_outputs

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        content_type = headers.get("content-type", "").lower()
        length = _content_length(headers)
        if content_type.startswith("multipart/"):
            if length is not None and length > self.max_upload_bytes:
                await _too_large(self.max_upload_bytes)(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        cap = self.max_body_bytes
        if content_type.startswith("application/x-www-form-urlencoded"):
            cap = min(cap, MAX_FORM_BYTES)
        if length is not None and length > cap:
            await _too_large(cap)(scope, receive, send)
            return
        try:
            body, more = await _read_body(receive, cap)
        except _TooLarge:
            await _too_large(cap)(scope, receive, send)
            return
        is_json = content_type.startswith("application/json") or content_type.endswith("+json")
        if is_json and json_depth_exceeds(body):
            await error_response(422, "too_deep", message("too_deep", limit=MAX_JSON_DEPTH))(scope, receive, send)
            return
        if self.dash_callback_path and scope["path"] == self.dash_callback_path:
            problem = self._dash_problem(is_json, body)
            if problem:
                await error_response(422, "invalid_callback", problem)(scope, receive, send)
                return
        await self.app(scope, _replay(body, more, receive), send)

    def _dash_problem(self, is_json: bool, body: bytes) -> str | None:
        """Why this Dash callback request is not one Dash can dispatch, or None."""
        if not is_json:
            return "A dashboard callback must be sent as application/json."
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return "A dashboard callback body must be valid JSON."
        if not isinstance(data, dict) or not isinstance(data.get("output"), str):
            return "A dashboard callback must name its output."
        if not isinstance(data.get("inputs", []), list) or not isinstance(data.get("state", []), list):
            return "A dashboard callback must list its inputs and state."
        if "outputs" in data and not isinstance(data["outputs"], dict | list):
            return "A dashboard callback has malformed outputs."
        if self.dash_outputs is None:
            return None
        callbacks = self.dash_outputs()
        if data["output"] not in callbacks:
            return "This dashboard callback does not exist."
        declared = callbacks[data["output"]] if isinstance(callbacks, Mapping) else None
        if isinstance(declared, Mapping):
            # Dash indexes these lists by the declared positions: a shorter list or a wrong item is a 500 in Dash.
            for key in ("inputs", "state"):
                sent, wanted = data.get(key, []), declared.get(key, [])
                if len(sent) != len(wanted) or not all(isinstance(item, dict | list) for item in sent):
                    return f"A dashboard callback must send its {len(wanted)} {key} as declared."
            outputs, wanted_out = data.get("outputs"), declared.get("output")
            if isinstance(wanted_out, list):
                if not isinstance(outputs, list) or len(outputs) != len(wanted_out) \
                        or not all(isinstance(o, dict | list) for o in outputs):
                    return "A dashboard callback must send its outputs as declared."
            elif outputs is not None and not isinstance(outputs, dict | list):
                return "A dashboard callback has malformed outputs."
        return None


def _content_length(headers: Headers) -> int | None:
    raw = headers.get("content-length", "").strip()
    if not raw.isdigit():
        return None
    return int(raw) if len(raw) <= 18 else 2**62


async def _read_body(receive: Receive, cap: int) -> tuple[bytes, bool]:
    """The whole body (at most `cap` bytes); `more` is False when the stream ended normally."""
    chunks: list[bytes] = []
    size = 0
    while True:
        msg = await receive()
        if msg["type"] == "http.disconnect":
            return b"".join(chunks), True
        chunk = msg.get("body", b"")
        size += len(chunk)
        if size > cap:
            raise _TooLarge
        chunks.append(chunk)
        if not msg.get("more_body", False):
            return b"".join(chunks), False


def _replay(body: bytes, disconnected: bool, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if disconnected:
            return {"type": "http.disconnect"}
        return await receive()

    return replay


def _too_large(limit: int):
    return error_response(413, "payload_too_large", message("payload_too_large", limit=limit),
                          headers={"Connection": "close"})


def install(app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int, dash_prefix: str | None = None,
            dash_outputs: Callable[[], Container[str]] | None = None) -> None:
    """Add the middleware to a FastAPI/Starlette app (outermost of the ones added so far)."""
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=max_body_bytes,  # type: ignore[attr-defined]
                       max_upload_bytes=max_upload_bytes, dash_prefix=dash_prefix, dash_outputs=dash_outputs)
