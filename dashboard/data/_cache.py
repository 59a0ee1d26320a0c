"""The per-request and versioned caches, of dashboard.data."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from core.db import session_scope

F = TypeVar("F", bound=Callable[..., Any])


_cache: ContextVar[dict[Any, Any] | None] = ContextVar("dashboard_request_cache", default=None)


_shared: OrderedDict[Any, Any] = OrderedDict()


_shared_lock = threading.Lock()


SHARED_ENTRIES = 256


@contextmanager
def request_cache() -> Iterator[None]:
    """Cache data calls made inside this block (one callback request)."""
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)


def data_version() -> tuple[Any, ...]:
    """What the data looks like now: the database, the audit chain's head and today's date.

    Every change in this system writes an audit event in the same transaction, so the head
    of the audit chain moves with every write; 'today' matters to deadline-based results.
    """
    store = _cache.get()
    if store is not None and "__version__" in store:
        return store["__version__"]
    from core.db import get_engine
    from core.models import AuditHead

    with session_scope() as session:
        head = session.get(AuditHead, 1)
    version = (str(get_engine().url), head.last_event_id if head else None, head.event_count if head else 0, today())
    if store is not None:
        store["__version__"] = version
    return version


def cached(fn: F) -> F:
    """Memoise `fn` for one request, and across requests for as long as the data version holds.

    Results are shared between requests: callers never modify a returned frame in place.
    """
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = (fn.__module__, fn.__qualname__, args, tuple(sorted(kwargs.items())))
        store = _cache.get()
        if store is not None and key in store:
            return store[key]
        shared_key = (key, data_version())
        hit, running, mine = _lookup(shared_key)
        if hit is _MISSING and not mine:  # another request is computing it: wait for its result
            running.wait(INFLIGHT_WAIT_S)
            hit, running, mine = _lookup(shared_key)
        if hit is _MISSING:
            try:
                hit = fn(*args, **kwargs)
                with _shared_lock:
                    _shared[shared_key] = hit
                    while len(_shared) > SHARED_ENTRIES:
                        _shared.popitem(last=False)
            finally:
                if mine:
                    with _shared_lock:
                        _inflight.pop(shared_key, None)
                    running.set()
        if store is not None:
            store[key] = hit
        return hit

    return wrapper  # type: ignore[return-value]


_MISSING = object()

# Computations under way, by shared key: a second request for the same result (the overview's callbacks
# fire together and several need the same frames; many officials open the same page) waits for the
# first instead of computing it again on the same two cores.
_inflight: dict[Any, threading.Event] = {}
INFLIGHT_WAIT_S = 60.0  # then it computes on its own (the first may have failed or be stuck)


def _lookup(shared_key: Any) -> tuple[Any, threading.Event, bool]:
    """(the kept result or _MISSING, the event of the computation under way, whether this caller owns it)."""
    with _shared_lock:
        hit = _shared.get(shared_key, _MISSING)
        if hit is not _MISSING:
            _shared.move_to_end(shared_key)
            return hit, _DONE, False
        running = _inflight.get(shared_key)
        if running is None:
            running = _inflight[shared_key] = threading.Event()
            return _MISSING, running, True
        return _MISSING, running, False


_DONE = threading.Event()
_DONE.set()


def today() -> Any:
    """The dashboard's 'today': Korean time, like the API and the reports (core.timeutil.today_kst)."""
    from core.timeutil import today_kst

    return today_kst()


def clear_caches() -> None:
    """Forget every result kept across requests."""
    with _shared_lock:
        _shared.clear()
