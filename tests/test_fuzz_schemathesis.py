"""Schema-driven fuzzing of every API operation as anonymous, official, evaluator and auditor (issue 9).

Schemathesis generates valid and invalid requests from the app's own OpenAPI and checks each
answer: no server error, the body matches the documented schema, the status code is documented.
It runs on the database the `engine` fixture picks (TEST_DB=sqlite|postgres), against a small
programme seeded with the builders, with a bounded number of examples per operation and no
shrinking (every failing operation/check is recorded once, then the run goes on, so one run
reports all that is wrong).

Guards finding 9 (inputs that returned 500, 14 schema violations and 208 undocumented status
codes in the fuzzing run). `run_fuzz` is also used by `python -m bench hardening` for totals.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core import http_errors
from core.models import Role, User
from tests.builders import make_consortium, make_org, make_proposal, make_user, token_for

ROLES = ["anonymous", "official", "evaluator", "auditor"]
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "10"))


@dataclass
class Problem:
    role: str
    operation: str
    check: str
    status: int | None
    message: str
    request: str


@dataclass
class FuzzReport:
    role: str
    operations: int = 0
    requests: int = 0
    server_errors: int = 0
    seconds: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"{self.role}: {self.operations} operations, {self.requests} requests, "
                 f"{self.server_errors} server errors, {len(self.problems)} problems, {self.seconds:.1f} s; "
                 f"statuses {dict(sorted(self.statuses.items()))}"]
        for p in self.problems:
            lines.append(f"  [{p.check}] {p.operation} → {p.status}: {p.message[:300]}\n      {p.request[:400]}")
        return "\n".join(lines)


Headers = Callable[[], dict[str, str]]


def seed_world(session: Session) -> tuple[dict[str, Headers], dict[str, int]]:
    """A small programme (projects, envelopes, an award with delivery, a rubric, proposals) and a user per role.

    Returns, per role, a function giving fresh Authorization headers (a generated logout or
    session revocation must not turn the rest of the run into 401s), and ids by path-parameter
    name, so that generated paths reach existing rows as well as missing ones.
    """
    from tests.budgeting.builders import make_funded_program
    from tests.compliance.builders import make_award_with_delivery
    from tests.scoring.builders import make_evaluator, make_rubric

    users = {role: make_user(session, Role(role)) for role in ROLES if role != "anonymous"}
    engine = session.get_bind()

    def fresh_token(user_id: int) -> Headers:
        def headers() -> dict[str, str]:
            with Session(engine) as s:
                return token_for(s.get(User, user_id))  # type: ignore[arg-type]
        return headers

    headers: dict[str, Headers] = {role: fresh_token(int(u.id)) for role, u in users.items()}  # type: ignore[arg-type]
    headers["anonymous"] = dict
    program, (open_project, _) = make_funded_program(session, total=20_000_000_000)
    make_rubric(session, program)
    evaluator = make_evaluator(session, user=users["evaluator"])
    award, delivery = make_award_with_delivery(session, program)
    lead = make_org(session)
    consortium = make_consortium(session, lead, others=[make_org(session)])
    proposal = make_proposal(session, project=open_project, consortium=consortium)
    ids = {"program_id": program.id, "project_id": open_project.id, "award_id": award.id,
           "proposal_id": proposal.id, "consortium_id": consortium.id, "org_id": lead.id,
           "user_id": make_user(session, Role.auditor).id,  # a spare account: never one the run signs in with
           "evaluator_id": evaluator.id,
           "data_type_id": getattr(delivery, "id", 1) or 1}
    return headers, {k: int(v) for k, v in ids.items() if v is not None}


def _strategy(operation: Any, ids: dict[str, int]) -> st.SearchStrategy[Any]:
    positive = operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE)
    negative = operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE)
    options = [positive, negative]
    names = [p.name for p in operation.path_parameters] if hasattr(operation, "path_parameters") else []
    known = {n: ids.get(n, 1) for n in names if n.endswith("_id")}
    if known:  # the same operation on rows that exist
        options.append(operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE,
                                             path_parameters=known))
    return st.one_of(options)


def _request_text(case: Any) -> str:
    try:
        return case.as_curl_command()
    except Exception:  # pragma: no cover - representation only
        return f"{case.method} {case.formatted_path} query={case.query!r} body={case.body!r}"[:600]


def _exercise(operation: Any, role: str, headers: Headers, ids: dict[str, int], report: FuzzReport,
              max_examples: int) -> Any:
    """The Hypothesis test of one operation; failures are recorded in `report`, never raised."""
    label = f"{operation.method.upper()} {operation.path}"
    seen: set[str] = set()

    def record(check: str, status: int | None, msg: str, case: Any) -> None:
        if check not in seen:
            seen.add(check)
            report.problems.append(Problem(role, label, check, status, msg, _request_text(case)))

    @settings(max_examples=max_examples, phases=[Phase.explicit, Phase.generate], deadline=None,
              database=None, derandomize=True, suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
    @given(case=_strategy(operation, ids))
    def exercise(case: Any) -> None:
        report.requests += 1
        sent = headers()
        try:
            response = case.call(headers=sent)
        except Exception as exc:  # the app raised through the transport: a server error
            report.server_errors += 1
            record("not_a_server_error", 500, f"{type(exc).__name__}: {exc}", case)
            return
        report.statuses[response.status_code] = report.statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            report.server_errors += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=sent)
        except FailureGroup as group:
            for failure in group.exceptions:
                record(_check_name(failure), response.status_code, _failure_text(failure), case)
        except Failure as failure:
            record(_check_name(failure), response.status_code, _failure_text(failure), case)

    return exercise


def run_fuzz(app: Any, role: str, headers: Headers, ids: dict[str, int], *,
             max_examples: int = MAX_EXAMPLES) -> FuzzReport:
    """Fuzz every operation of `app` as `role`; record each failing (operation, check) once."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    report = FuzzReport(role)
    started = time.perf_counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        report.operations += 1
        _exercise(operation, role, headers, ids, report, max_examples)()
    report.seconds = time.perf_counter() - started
    return report


def _check_name(failure: Failure) -> str:
    return getattr(failure, "check_name", None) or type(failure).__name__


def _failure_text(failure: Failure) -> str:
    title = getattr(failure, "title", "") or ""
    text = getattr(failure, "message", "") or str(failure)
    return f"{title}: {text}".replace("\n", " ")


@pytest.fixture
def world(session: Session, clean_engine: Engine) -> Iterator[tuple[Any, dict[str, Headers], dict[str, int]]]:
    from server import create_app

    headers, ids = seed_world(session)
    yield create_app(with_dashboard=False), headers, ids


@pytest.mark.parametrize("role", ROLES)
def test_fuzz_every_operation(role: str, world: tuple[Any, dict[str, Headers], dict[str, int]]):
    """Finding 9: as each role, no generated request gets a 500, an undocumented status or an off-schema body."""
    app, headers, ids = world
    report = run_fuzz(app, role, headers[role], ids)
    print("\n" + report.summary())
    assert report.operations > 40 and report.requests >= report.operations
    assert report.problems == [], report.summary()


class Item(BaseModel):
    name: str


def test_the_harness_reports_each_kind_of_failure():
    """The fuzzing harness itself: a 500, an undocumented status and an off-schema body are each reported."""
    app = FastAPI()
    http_errors.install(app)

    @app.get("/boom/{n}")
    def boom(n: int) -> Item:
        if n % 2 == 0:
            raise RuntimeError("unexpected")
        return Item(name="ok")

    @app.get("/teapot")
    def teapot() -> JSONResponse:
        return JSONResponse({"x": 1}, status_code=418)

    @app.get("/wrong", response_model=Item)
    def wrong() -> JSONResponse:
        return JSONResponse({"name": 5})

    report = run_fuzz(app, "anonymous", dict, {}, max_examples=20)
    found = {(p.operation, p.check) for p in report.problems}
    assert ("GET /boom/{n}", "ServerError") in found or ("GET /boom/{n}", "not_a_server_error") in found, found
    assert report.server_errors >= 1
    assert any(op == "GET /teapot" and "Status" in check for op, check in found), found
    assert any(op == "GET /wrong" and "Schema" in check for op, check in found), found
