"""dashboard.data._cache: a result being computed is computed once, however many requests ask for it."""

import threading

from dashboard.data import _cache


def test_a_second_request_waits_for_the_first_computation_instead_of_repeating_it(monkeypatch):
    monkeypatch.setattr(_cache, "data_version", lambda: ("test", 1))
    _cache.clear_caches()
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    @_cache.cached
    def frame(program_id: int) -> object:
        calls.append(program_id)
        started.set()
        release.wait(10)
        return object()

    results: list[object] = []
    first = threading.Thread(target=lambda: results.append(frame(7)))
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=lambda: results.append(frame(7)))
    second.start()
    second.join(0.3)
    assert second.is_alive()  # waiting for the first, not computing
    release.set()
    first.join(10)
    second.join(10)
    assert calls == [7] and len(results) == 2 and results[0] is results[1]
    assert frame(8) is not results[0] and calls == [7, 8]  # another key computes on its own
    assert not _cache._inflight


def test_when_the_first_computation_fails_the_waiting_request_computes_it_itself(monkeypatch):
    monkeypatch.setattr(_cache, "data_version", lambda: ("test", 2))
    _cache.clear_caches()
    started, release = threading.Event(), threading.Event()
    calls: list[str] = []

    @_cache.cached
    def flaky() -> str:
        calls.append("call")
        if len(calls) == 1:
            started.set()
            release.wait(10)
            raise RuntimeError("the database went away")
        return "ok"

    errors: list[Exception] = []
    results: list[str] = []

    def first_call() -> None:
        try:
            flaky()
        except RuntimeError as exc:
            errors.append(exc)

    first = threading.Thread(target=first_call)
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=lambda: results.append(flaky()))
    second.start()
    release.set()
    first.join(10)
    second.join(10)
    assert len(errors) == 1 and results == ["ok"] and calls == ["call", "call"]
    assert not _cache._inflight
