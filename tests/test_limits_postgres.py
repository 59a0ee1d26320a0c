"""Every limit locks what it limits (finding 2), proven on PostgreSQL against two uvicorn workers.

For each limit, 30 requests are fired at once (a thread pool of 30 behind a barrier) at the app
served by two worker processes on the test database: those that fit succeed, the rest get 409,
the limit holds in the database and the audit chain verifies.

Runs with TEST_DB=postgres (make test-postgres); on SQLite it is skipped, because SQLite's
writers are serialised by BEGIN IMMEDIATE and there is no row lock to prove. Under CI the
PostgreSQL run is required: an unreachable database fails the `engine` fixture, it does not skip.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, func, select

from budgeting import ledger
from budgeting import service as budgeting_service
from budgeting.models import (
    Award,
    BudgetLine,
    CostCategory,
    Envelope,
    EnvelopeTransfer,
    Expenditure,
    LineTransfer,
    TransferStatus,
)
from budgeting.schemas import ExpenditureCreate, LineTransferCreate
from core.audit import verify_chain
from core.models import Role
from program.models import Program, Project
from tests.budgeting.builders import OFFICIAL, make_award, make_funded_program, make_selection
from tests.builders import fresh, make_program, make_project, make_proposal, make_user
from tests.conftest import BACKEND, PG_URL

pytestmark = pytest.mark.skipif(BACKEND != "postgres", reason="row locks are proven on PostgreSQL (TEST_DB=postgres)")

ROOT = Path(__file__).resolve().parent.parent
N = 30
PASSWORD = "correct-horse-battery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(engine) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app on the test database, two uvicorn worker processes; its base URL."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": PG_URL, "SECRET_KEY": secrets.token_urlsafe(48), "DEMO_MODE": "true"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "server:create_app", "--factory", "--workers", "2",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"uvicorn exited: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not answer /health within 90 s")
            time.sleep(0.3)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the process group this fixture started
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _login(base: str, session: Session) -> dict[str, str]:
    user = make_user(session, Role.official)
    r = httpx.post(f"{base}/api/v1/auth/token", data={"username": user.username, "password": PASSWORD}, timeout=30)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _fire(base: str, headers: dict[str, str], calls: list[tuple[str, str, dict]]) -> Counter[int]:  # type: ignore[type-arg]
    """Send the (method, path, json) calls all at once from 30 threads; the status codes counted."""
    barrier = threading.Barrier(len(calls), timeout=60)
    with httpx.Client(base_url=base, headers=headers, timeout=60,
                      limits=httpx.Limits(max_connections=len(calls))) as client:
        def one(call: tuple[str, str, dict]) -> int:  # type: ignore[type-arg]
            method, path, body = call
            barrier.wait()
            return client.request(method, path, json=body).status_code

        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            codes = list(pool.map(one, calls, timeout=180))
    return Counter(codes)


def _chain_ok(session: Session) -> None:
    fresh(session)
    report = verify_chain(session)
    fresh(session)
    assert report.ok, report


def _sum(session: Session, column, *where) -> int:  # type: ignore[no-untyped-def]
    fresh(session)
    n = session.exec(select(func.coalesce(func.sum(column), 0)).where(*where)).one()
    fresh(session)
    return int(n)


def _fresh_row(session: Session, model, row_id: int):  # type: ignore[no-untyped-def]
    fresh(session)
    row = session.exec(select(model).where(model.id == row_id).execution_options(populate_existing=True)).one()
    fresh(session)
    return row


FIGURES: dict[str, tuple[int, int]] = {}


def _expect(name: str, codes: Counter[int], ok_code: int, fit: int) -> None:
    FIGURES[name] = (codes[ok_code], codes[409])
    print(f"\n{name}: {codes[ok_code]} succeeded, {codes[409]} refused (409) of {N}")
    assert codes == Counter({ok_code: fit, 409: N - fit}), codes


# --------------------------------------------------------------------------- the limits


def test_programme_total_holds_against_concurrent_project_creation(server, session):
    """Finding 2: with 1,000,000,000 won of room, 30 concurrent projects of 100,000,000 all succeeded."""
    program = make_program(session, total_budget_krw=11_000_000_000)
    make_project(session, program, ceiling_krw=10_000_000_000)
    h = _login(server, session)
    calls = [("POST", "/api/v1/projects", {"program_id": program.id, "code": f"C-{i:02d}", "field_code": "HEALTH",
                                           "call_type": "designated", "title_ko": f"동시 과제 {i}",
                                           "ceiling_krw": 100_000_000}) for i in range(N)]
    _expect("programme total vs new ceilings", _fire(server, h, calls), 201, 10)
    assert _sum(session, Project.ceiling_krw, Project.program_id == program.id) == 11_000_000_000
    _chain_ok(session)


def test_programme_total_holds_against_concurrent_ceiling_raises(server, session):
    """Finding 2: raising ceilings (update) is checked against the programme total under its lock."""
    program = make_program(session, total_budget_krw=4_000_000_000)
    projects = [make_project(session, program, ceiling_krw=100_000_000) for _ in range(N)]
    h = _login(server, session)
    calls = [("POST", f"/api/v1/scoring/projects/{p.id}/ceiling", {"ceiling_krw": 200_000_000}) for p in projects]
    _expect("programme total vs raised ceilings", _fire(server, h, calls), 200, 10)
    assert _sum(session, Project.ceiling_krw, Project.program_id == program.id) == 4_000_000_000
    _chain_ok(session)


def test_envelope_holds_against_concurrent_awards(server, session):
    """Finding 2: awards drawing on one envelope never exceed it."""
    program, projects = make_funded_program(session, total=10_000_000_000,
                                            projects=[("HEALTH", 1_000_000_000)] * N)
    selections = [make_selection(session, project=p, proposal=make_proposal(
        session, project=p, requested_grant_krw=1_000_000_000, private_matching_krw=120_000_000))
        for p in projects]
    h = _login(server, session)
    calls = [("POST", "/api/v1/budgeting/awards", {"selection_id": s.id, "start_date": "2021-05-01",
                                                   "end_date": "2021-12-31"}) for s in selections]
    _expect("envelope vs awards", _fire(server, h, calls), 201, 10)
    env = session.exec(select(Envelope).where(Envelope.program_id == program.id)).one()
    awarded = _sum(session, Award.grant_krw, Award.envelope_id == env.id)
    assert awarded == _fresh_row(session, Envelope, env.id).amount_krw == 10_000_000_000
    _chain_ok(session)


def test_budget_line_holds_against_concurrent_payments(server, session):
    """Finding 2: payments booked on one budget line never exceed its budget."""
    award = make_award(session)
    line = session.exec(select(BudgetLine).where(BudgetLine.award_id == award.id,
                                                 BudgetLine.category == "equipment")).one()
    fresh(session)
    amount = line.budget_krw // 10
    h = _login(server, session)
    calls = [("POST", f"/api/v1/budgeting/awards/{award.id}/ledger",
              {"category": "equipment", "spent_date": "2021-07-01", "amount_krw": amount,
               "payee_name": f"(주)장비{i}", "evidence_ref": f"EV-{i:03d}"}) for i in range(N)]
    _expect("budget line vs payments", _fire(server, h, calls), 201, 10)
    row = _fresh_row(session, BudgetLine, line.id)
    assert row.spent_krw == 10 * amount <= row.budget_krw
    assert _sum(session, Expenditure.amount_krw, Expenditure.line_id == line.id) == row.spent_krw
    _chain_ok(session)


def test_budget_line_holds_against_concurrent_line_transfers(server, session):
    """Finding 2: transfers out of a line never take it below what is spent."""
    award = make_award(session)
    src = session.exec(select(BudgetLine).where(BudgetLine.award_id == award.id,
                                                BudgetLine.category == "equipment")).one()
    fresh(session)
    budget = src.budget_krw
    step = budget // 20  # 5% of the line: below the free ratio all along, applied at once
    ledger.record_expenditure(session, OFFICIAL, award.id, ExpenditureCreate(  # spend all but 10 steps
        category=CostCategory.equipment, spent_date=date(2021, 6, 1), amount_krw=budget - 10 * step,
        payee_name="(주)선지급", evidence_ref="EV-PRE"))
    fresh(session)
    h = _login(server, session)
    calls = [("POST", f"/api/v1/budgeting/awards/{award.id}/transfers",
              {"from_category": "equipment", "to_category": "quality", "amount_krw": step,
               "reason": f"비목 전용 {i}"}) for i in range(N)]
    _expect("budget line vs line transfers", _fire(server, h, calls), 201, 10)
    row = _fresh_row(session, BudgetLine, src.id)
    assert row.spent_krw == row.budget_krw == budget - 10 * step
    _chain_ok(session)


def test_envelopes_hold_against_concurrent_envelope_transfers(server, session):
    """Finding 2: moving money out of an envelope never takes it below what it has (or awards)."""
    program, (health_project, _) = make_funded_program(session)  # 10B: HEALTH 6B, LANG 4B
    award = make_award(session, health_project)  # HEALTH awards 1.9B of its 6B: 4.1B may move
    envs = {e.code: e for e in session.exec(select(Envelope).where(Envelope.program_id == program.id)).all()}
    fresh(session)
    health, lang = envs["designated-HEALTH"], envs["designated-LANG"]
    assert award.envelope_id == health.id
    start = health.amount_krw
    h = _login(server, session)
    # Ten steps empty what is not awarded; each stays within the free share of what the source then
    # holds (410M <= 0.5 x 2.31B at the last), so all apply at once and none waits in the queue.
    step = (start - award.grant_krw) // 10
    calls = [("POST", f"/api/v1/budgeting/programs/{program.id}/envelope-transfers",
              {"from_envelope_id": health.id, "to_envelope_id": lang.id, "amount_krw": step,
               "reason": f"재배분 {i}"}) for i in range(N)]
    _expect("envelope transfers", _fire(server, h, calls), 201, 10)
    assert _fresh_row(session, Envelope, health.id).amount_krw == start - 10 * step == award.grant_krw
    assert _sum(session, Envelope.amount_krw, Envelope.program_id == program.id) == _fresh_row(
        session, Program, program.id).total_budget_krw
    assert _sum(session, EnvelopeTransfer.amount_krw, EnvelopeTransfer.program_id == program.id) == 10 * step
    _chain_ok(session)


def test_budget_line_holds_against_concurrent_approvals(server, session):
    """Finding 2: approving pending transfers applies only those the source line still holds."""
    award = make_award(session)
    src = session.exec(select(BudgetLine).where(BudgetLine.award_id == award.id,
                                                BudgetLine.category == "labour")).one()
    fresh(session)
    budget = src.budget_krw
    step = budget // 4  # 25% of the line: above the free ratio, so each one waits for approval
    ids = []
    for i in range(N):
        t = budgeting_service.request_line_transfer(session, OFFICIAL, award.id, LineTransferCreate(
            from_category=CostCategory.labour, to_category=CostCategory.quality, amount_krw=step,
            reason=f"대규모 전용 {i}"))
        assert t.status == TransferStatus.pending
        ids.append(t.id)
    fresh(session)
    h = _login(server, session)  # another official than the requester
    calls = [("POST", f"/api/v1/budgeting/transfers/{tid}/decision", {"approve": True, "reason": "승인"})
             for tid in ids]
    _expect("budget line vs approvals", _fire(server, h, calls), 200, 4)
    row = _fresh_row(session, BudgetLine, src.id)
    assert row.budget_krw == budget - 4 * step and row.spent_krw <= row.budget_krw
    fresh(session)
    approved = session.exec(select(func.count()).select_from(LineTransfer).where(
        LineTransfer.award_id == award.id, LineTransfer.status == TransferStatus.approved)).one()
    assert approved == 4
    _chain_ok(session)

