"""HTTP routes of the compliance checks, for officials and auditors.

`GET /findings` reads the stored findings (kept current after every change; compliance/store.py)
and says how current they are; `POST /runs` recomputes every check for a programme and date.
Messages are rendered in the request's language (`Accept-Language`, Korean by default).
"""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, TypeAdapter
from sqlmodel import Session

from compliance import service
from compliance.labels import severity_label, status_label
from compliance.models import CheckInfo, CheckOutcome, Finding, FindingsReport, Freshness, Severity
from core.audit import Actor
from core.auth import ReaderUser
from core.bounded import Code, Day, Id, Offset, Reason, RequestModel
from core.db import get_session, get_write_session
from core.fastjson import model_response
from core.i18n import negotiate
from program.reporting import as_of_for

router = APIRouter(tags=["compliance"])


class CheckOutcomeRead(CheckOutcome):
    status_label: str = ""


class FindingRead(Finding):
    severity_label: str = ""


class FindingsPage(BaseModel):
    as_of: date
    counts: dict[str, int]
    checks: list[CheckOutcomeRead]
    items: list[FindingRead]
    total: int
    freshness: list[Freshness]  # one per programme read (its stored set)


class RunRequest(RequestModel):
    program_id: Id
    as_of: Day | None = None
    reason: Reason | None = None


class RunRead(BaseModel):
    run_id: int
    program_id: int
    as_of: date
    started_at: datetime
    finished_at: datetime
    data_event_id: int | None
    added: int
    removed: int


@router.get("/checks", response_model=list[CheckInfo])
def list_checks(request: Request, _: ReaderUser, session: Session = Depends(get_session),
                program_id: Id | None = None) -> list[CheckInfo]:
    from program import service as program_service

    rules = program_service.program_rules(session, program_id) if program_id is not None else None
    return service.list_checks(negotiate(request.headers.get("accept-language")), rules)


_PAGE: TypeAdapter[FindingsPage] = TypeAdapter(FindingsPage)


@router.get("/findings", response_model=FindingsPage)
def findings(
    request: Request, _: ReaderUser, session: Session = Depends(get_session),
    program_id: Id | None = None,
    severity: Severity | None = None,
    check_id: Code | None = Query(None, description="e.g. DLV-01"),
    award_id: Id | None = None,
    project_id: Id | None = None,
    as_of: Day | None = Query(None, description="judge deadlines as of this date (default: the reporting date)"),
    limit: int = Query(100, ge=1, le=1000), offset: Offset = 0,
) -> Response:
    lang = negotiate(request.headers.get("accept-language"))
    pids = [program_id] if program_id is not None else service.store.programme_ids(session)
    reports: list[FindingsReport] = []
    for i, pid in enumerate(pids):
        r = service.stored_findings(session, program_id=pid, as_of=as_of_for(session, pid, as_of),
                                    check_ids=[check_id] if check_id else None, lang=None)  # the page is rendered below
        if i > 0:  # the audit log's verification is one for the database, shown once
            r.findings = [f for f in r.findings if f.check_id != "SYS-01"]
        reports.append(r)
    everything = [f for r in reports for f in r.findings]
    merged = FindingsReport(as_of=reports[0].as_of if reports else as_of_for(session, None, as_of),
                            program_id=program_id, counts={}, checks=[], findings=everything, total=len(everything))
    items = service.filter_findings(merged, severity=severity, award_id=award_id, project_id=project_id)
    counts = {s.value: sum(1 for f in items if f.severity == s) for s in Severity}
    outcomes: dict[str, CheckOutcomeRead] = {}
    for r in reports:
        for o in r.checks:
            prev = outcomes.get(o.check_id)
            if prev is None:
                outcomes[o.check_id] = CheckOutcomeRead(**o.model_dump())
            else:
                prev.findings += o.findings if o.check_id != "SYS-01" else 0
                prev.status = "error" if "error" in (prev.status, o.status) else (
                    "findings" if prev.findings else "ok")
    for o in outcomes.values():
        o.status_label = status_label(o.status, lang)
    page = [FindingRead(**f.with_text(lang).model_dump(), severity_label=severity_label(f.severity, lang))
            for f in items[offset:offset + limit]]
    return model_response(_PAGE, FindingsPage(  # serialised once (the route's schema is still FindingsPage)
        as_of=merged.as_of, counts=counts, checks=list(outcomes.values()), items=page, total=len(items),
        freshness=[r.freshness for r in reports if r.freshness is not None]))


@router.post("/runs", response_model=RunRead, status_code=201)
def run_checks(body: RunRequest, user: ReaderUser, session: Session = Depends(get_write_session)) -> RunRead:
    """Recompute every check for a programme as of a date and store the findings (auditors, officials)."""
    day = as_of_for(session, body.program_id, body.as_of)
    run = service.run_full(session, Actor.of(user), program_id=body.program_id, as_of=day, reason=body.reason)
    assert run.id is not None
    return RunRead(run_id=run.id, program_id=body.program_id, as_of=day, started_at=run.started_at,
                   finished_at=run.finished_at, data_event_id=run.data_event_id, added=run.added,
                   removed=run.removed)
