"""Reports carry the signed audit checkpoint (issue 10) and never fail on stored data (issue 9)."""

from __future__ import annotations

import json
from datetime import date
from io import BytesIO
from pathlib import Path

import openpyxl
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import text
from sqlmodel import Session

from core.models import Role
from core.settings import get_settings
from tests.builders import make_program, make_user, token_for
from tests.compliance.builders import add_entry, make_award_with_delivery


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(data)).pages]


def _checkpoints() -> list[dict]:
    return [json.loads(x) for x in Path(get_settings().audit_checkpoint_file).read_text().splitlines()]


def test_a_control_character_stored_in_the_ledger_never_breaks_the_exports(client: TestClient,
                                                                           session: Session) -> None:
    """Finding 9.4: a payee "a\\x01b" stored made compliance.xlsx answer 500 for everyone, for good.
    Stored behind the boundary's back (the API refuses it), it is exported as a visible escape."""
    program = make_program(session)
    award, _ = make_award_with_delivery(session, program)
    entry = add_entry(session, award, "labour", date(2021, 6, 1), 1_000)
    session.exec(text("UPDATE expenditure SET payee_name = :p WHERE id = :i")  # type: ignore[call-overload]
                 .bindparams(p="a\x01b\x1fc", i=entry.id))
    session.commit()
    auditor = token_for(make_user(session, Role.auditor))
    params = {"program_id": program.id, "as_of": "2024-12-31"}
    r = client.get("/api/v1/reports/compliance.xlsx", headers=auditor, params=params)
    assert r.status_code == 200, r.text
    wb = openpyxl.load_workbook(BytesIO(r.content), read_only=True)
    values = {c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)}
    assert "a\\x01b\\x1fc" in values
    for url in ("/api/v1/reports/compliance.pdf", "/api/v1/reports/status.pdf", "/api/v1/reports/status.xlsx"):
        assert client.get(url, headers=auditor, params=params).status_code == 200, url


def test_every_report_writes_a_checkpoint_and_prints_it(client: TestClient, session: Session) -> None:
    """A checkpoint is written at every report rendered, printed on every PDF page and on the summary sheet."""
    program = make_program(session)
    make_award_with_delivery(session, program)
    auditor = token_for(make_user(session, Role.auditor))
    params = {"program_id": program.id, "as_of": "2024-12-31"}
    before = len(_checkpoints())
    r = client.get("/api/v1/reports/compliance.pdf", headers=auditor, params=params)
    assert r.status_code == 200
    cps = _checkpoints()
    assert len(cps) == before + 1 and cps[-1]["note"] == "report compliance.pdf"
    pages = _pages(r.content)
    assert len(pages) >= 2
    assert all(f"audit checkpoint #{cps[-1]['seq']}" in p and cps[-1]["key_id"] in p for p in pages)
    r = client.get("/api/v1/reports/status.xlsx", headers=auditor, params=params)
    cp = _checkpoints()[-1]
    assert cp["note"] == "report status.xlsx"
    summary = openpyxl.load_workbook(BytesIO(r.content))["summary"]
    found = {row[0].value: row[1].value for row in summary.iter_rows(min_row=2, max_row=12) if row[0].value}
    line = found["서명된 감사 체크포인트 (signed audit checkpoint)"]
    assert line.startswith(f"audit checkpoint #{cp['seq']} · {cp['events']:,} events · {cp['last_hash'][:16]}")
