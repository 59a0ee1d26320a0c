"""No `async def` route does blocking work on the event loop (finding 6 of issue 9).

An `async def` endpoint runs on the event loop that serves every request of the worker: one
that queries the database, reads a file or parses a spreadsheet there freezes every other
request meanwhile (the ledger import parsed a 124 KB workbook on the loop: 43 s without an
answer to anyone). Sync `def` endpoints are safe: FastAPI runs them in its thread pool.

The rule, checked on the source of every async endpoint of the app, every async dependency
it uses, every async exception handler and every Dash callback:

- a call made on the loop (not inside a nested function) must be awaited, or resolve to a
  function outside this project that does no I/O (response classes, pydantic, Dash's index
  rendering), or be one of ALLOWED_ON_LOOP (pure or cached helpers of the project);
- any other function of this project (services, queries, parsers, sessions: everything that
  may touch the database or the disk), and sessions, connections, `open` and `time.sleep`, may
  only run inside a nested function handed to `run_in_threadpool` / `asyncio.to_thread`; a
  nested function called directly is blocking too;
- no exception for database reads: `core.auth.require_roles_on_loop` used to resolve the caller
  on the loop, and the load test (bench/bench_load.py) showed a busy pool then stalls the whole
  worker; it now reads the user in the thread pool. ALLOWED_IN lists only string helpers.

Run: .venv/bin/python -m pytest tests/test_no_blocking_async.py -q
"""

from __future__ import annotations

import ast
import asyncio
import builtins
import inspect
import textwrap
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from budgeting import imports, queries
from core.uploads import Upload

PROJECT = ("core", "program", "scoring", "budgeting", "compliance", "reports", "dashboard", "server")
# Names of receivers whose methods are database work when called on the loop.
DB_RECEIVERS = {"session", "s", "db", "conn", "connection", "engine", "reader", "writer"}
DB_METHODS = {"exec", "execute", "commit", "flush", "get", "add", "add_all", "refresh", "scalar", "scalars",
              "query", "delete", "merge", "begin", "connect", "rollback"}


def _allowed_on_loop() -> set[Any]:
    from core import auth, settings
    from core.audit import Actor
    from core.http_errors import clean, error_response, message, validation_errors

    return {Actor.of, settings.get_settings, auth._check, auth.allows, error_response, message, clean,
            validation_errors}


def _allowed_in() -> dict[str, set[Any]]:
    from dashboard import app as dash_app

    # function qualname → project functions it may call on the loop (see the module docstring);
    # parse_path and login_url only split and join strings.
    return {"add_routes.<locals>.page": {dash_app.parse_path, getattr(dash_app, "login_url", dash_app.parse_path)}}


BLOCKING_BUILTINS = {builtins.open, time.sleep, builtins.input}
# Project modules that only format values (no session, file or network): their functions may run on the loop.
PURE_MODULES = {"core.http_errors", "core.errors", "core.bounded", "core.i18n", "core.labels", "core.money"}


def _is_project(obj: Any) -> bool:
    module = getattr(obj, "__module__", None) or ""
    return module.split(".")[0] in PROJECT


def _resolve(node: ast.expr, env: dict[str, Any]) -> tuple[bool, Any]:
    """(resolved, object) for a Name or an attribute chain on a name of the function's environment."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in env:
        return False, None
    obj = env[node.id]
    for attr in reversed(parts):
        try:
            obj = inspect.getattr_static(obj, attr)
        except AttributeError:
            return False, None
        if isinstance(obj, staticmethod | classmethod):
            obj = obj.__func__
    return True, obj


class _LoopCalls(ast.NodeVisitor):
    """Calls made on the loop by one function body: nested functions and lambdas are not entered."""

    def __init__(self) -> None:
        self.calls: list[tuple[ast.Call, bool]] = []  # (call, awaited)
        self.nested: set[str] = set()
        self._awaited: set[int] = set()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.nested.add(node.name)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self.nested.add(node.name)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        return

    def visit_Await(self, node: ast.Await) -> None:
        if isinstance(node.value, ast.Call):
            self._awaited.add(id(node.value))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        self.calls.append((node, id(node) in self._awaited))
        self.generic_visit(node)


def blocking_calls(fn: Callable[..., Any]) -> list[str]:
    """The calls `fn` (an async function) makes on the event loop that may block, as 'line: reason'."""
    fn = inspect.unwrap(fn)
    source = textwrap.dedent(inspect.getsource(fn))
    tree = ast.parse(source)
    func = tree.body[0]
    assert isinstance(func, ast.AsyncFunctionDef), f"{fn.__qualname__} is not an async def"
    visitor = _LoopCalls()
    for statement in func.body:
        visitor.visit(statement)
    closure = inspect.getclosurevars(fn)
    env = {**vars(builtins), **fn.__globals__, **closure.nonlocals}
    qualname = fn.__code__.co_qualname  # as defined (dashboard.access renames its runners)
    allowed = {getattr(a, "__func__", a) for a in _allowed_on_loop() | _allowed_in().get(qualname, set())}
    problems = []
    first_line = fn.__code__.co_firstlineno
    for call, awaited in visitor.calls:
        where = f"{fn.__module__}.{qualname} line {first_line + call.lineno - 1}"
        text = ast.unparse(call.func)
        if awaited:
            continue
        if isinstance(call.func, ast.Name) and call.func.id in visitor.nested:
            problems.append(f"{where}: calls its nested function {text}() on the loop; hand it to run_in_threadpool")
            continue
        if isinstance(call.func, ast.Attribute) and call.func.attr in DB_METHODS:
            receiver = call.func.value
            if isinstance(receiver, ast.Name) and receiver.id in DB_RECEIVERS:
                problems.append(f"{where}: database call {text}() on the loop")
                continue
        resolved, obj = _resolve(call.func, env)
        if not resolved:
            continue  # a method of a local value (request.headers.get, …): not project code
        if inspect.iscoroutinefunction(obj) or obj in allowed:
            continue
        if any(obj is b for b in BLOCKING_BUILTINS):
            problems.append(f"{where}: {text}() blocks")
            continue
        name = getattr(obj, "__name__", "")
        if inspect.isclass(obj) and name == "Session":
            problems.append(f"{where}: opens a database session on the loop")
            continue
        if callable(obj) and _is_project(obj) and not inspect.isclass(obj) and obj.__module__ not in PURE_MODULES:
            problems.append(f"{where}: calls {obj.__module__}.{getattr(obj, '__qualname__', name)}() on the loop "
                            "(may touch the database or the disk); run it in a worker thread")
    return problems


def _async_dependencies(dependant: Any) -> Iterator[Callable[..., Any]]:
    for dep in dependant.dependencies:
        if dep.call is not None and inspect.iscoroutinefunction(dep.call):
            yield dep.call
        yield from _async_dependencies(dep)


def _all_routes(routes: list[Any]) -> Iterator[Any]:
    """Routes, including those of included routers (FastAPI ≥ 0.16x keeps them behind _IncludedRouter)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _all_routes(inner.routes)
        else:
            yield route


def async_project_callables(app: Any) -> Iterator[tuple[str, Callable[..., Any]]]:
    """Every async endpoint, async dependency, async exception handler and Dash callback of the project."""
    seen: set[int] = set()

    def fresh(fn: Any) -> bool:
        if id(fn) in seen or not _is_project(fn):
            return False
        seen.add(id(fn))
        return True

    for route in _all_routes(app.routes):
        endpoint = getattr(route, "endpoint", None)
        if endpoint is not None and inspect.iscoroutinefunction(endpoint) and fresh(endpoint):
            yield f"route {getattr(route, 'path', '?')}", endpoint
        if isinstance(route, APIRoute):
            for dep in _async_dependencies(route.dependant):
                if fresh(dep):
                    yield f"dependency of {route.path}", dep
    for handler in app.exception_handlers.values():
        if inspect.iscoroutinefunction(handler) and fresh(handler):
            yield f"exception handler {handler.__name__}", handler
    dash_app = getattr(app.state, "dash_app", None)
    if dash_app is not None:
        from dashboard import access

        runners = [cb.get("callback") for cb in dash_app.callback_map.values()]
        # Dash wraps each registered function; all of ours are access.register's runner.
        fns = {inspect.unwrap(r) for r in runners if r is not None}
        runner_code = {f.__code__ for f in fns if getattr(f, "__code__", None) is not None}
        assert runner_code, "no Dash callbacks found"
        register_runner = next(c for c in access.register.__code__.co_consts if inspect.iscode(c) and
                               c.co_name == "runner")
        assert runner_code == {register_runner}, "a Dash callback is not registered through dashboard.access"
        yield "Dash callbacks (dashboard.access.register's runner)", next(iter(fns))


@pytest.fixture(scope="module")
def app(engine: Any) -> Any:
    from server import create_app

    return create_app()


def test_every_async_route_runs_its_blocking_work_in_a_thread(app):
    """Finding 6: the ledger import was `async def` and parsed the workbook on the event loop."""
    checked = dict(async_project_callables(app))
    names = {f"{fn.__module__}.{fn.__code__.co_qualname}" for fn in checked.values()}
    # the checker sees the endpoints it must see (it cannot pass by finding nothing)
    assert {"budgeting.api.import_expenditures", "budgeting.api.list_awards",
            "core.auth.require_roles_on_loop.<locals>.dependency", "dashboard.access.register.<locals>.runner",
            "dashboard.app.add_routes.<locals>.page"} <= names, names
    problems = [p for fn in checked.values() for p in blocking_calls(fn)]
    assert problems == []


# --------------------------------------------------------------------------- the checker itself


async def _old_import(award_id: int, session: Any, content: bytes) -> Any:
    """The shape of the import before the fix: the service called straight from the async endpoint."""
    return imports.import_ledger_file(session, None, award_id, Upload("x.csv", content))  # type: ignore[arg-type]


async def _queries_on_loop(session: Any) -> Any:
    return session.exec("SELECT 1")


async def _nested_called_directly() -> Any:
    def work() -> int:
        return 1

    return work()


async def _reads_a_file() -> bytes:
    with open(__file__, "rb") as fh:
        return fh.read()


async def _sleeps() -> None:
    time.sleep(0.01)


async def _in_a_thread(session: Any) -> Any:
    def work() -> Any:
        return queries.program_totals(session, 1)

    first = await run_in_threadpool(work)
    second = await asyncio.to_thread(lambda: queries.program_totals(session, 1))
    return first, second


def test_the_checker_finds_blocking_calls() -> None:
    assert blocking_calls(_queries_on_loop) and "database call session.exec()" in blocking_calls(_queries_on_loop)[0]
    assert "nested function work()" in blocking_calls(_nested_called_directly)[0]
    assert "open() blocks" in blocking_calls(_reads_a_file)[0]
    assert "time.sleep() blocks" in blocking_calls(_sleeps)[0]
    assert blocking_calls(_in_a_thread) == []


def test_the_checker_flags_the_old_import_shape() -> None:
    found = blocking_calls(_old_import)
    assert len(found) == 1 and "budgeting.imports.import_ledger_file() on the loop" in found[0]
