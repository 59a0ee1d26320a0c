"""Reports carry the signed audit checkpoint (issue 10) and never fail on stored data (issue 9)."""

from __future__ import annotations

import json
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import openpyxl
from pypdf import PdfReader
from sqlalchemy import text
from sqlmodel import Session

from core.settings import get_settings
from reports import service
from reports.document import format_timestamp
from tests.builders import make_program
from tests.compliance.builders import add_entry, make_award_with_delivery


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(data)).pages]


def _checkpoints() -> list[dict]:
    path = Path(get_settings().audit_checkpoint_file)
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def _render(session: Session, kind: str, fmt: str, program_id: int) -> bytes:
    return service.render_report(
        session, kind, fmt, generated_by="auditor", today=date(2024, 12, 31), program_id=program_id
    ).content


def test_a_control_character_stored_in_the_ledger_never_breaks_the_exports(session: Session) -> None:
    """Finding 9.4: a payee "a\\x01b" stored made compliance.xlsx answer 500 for everyone, for good.
    Stored behind the boundary's back (the API refuses it), it is exported as a visible escape."""
    program = make_program(session)
    award, _ = make_award_with_delivery(session, program)
    entry = add_entry(session, award, "labour", date(2021, 6, 1), 1_000)
    session.exec(
        text("UPDATE expenditure SET payee_name = :p WHERE id = :i").bindparams(p="a\x01b\x1fc", i=entry.id)  # type: ignore[call-overload]
    )
    session.commit()
    wb = openpyxl.load_workbook(BytesIO(_render(session, "compliance", "xlsx", program.id)), read_only=True)
    values = {c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)}
    assert "a\\x01b\\x1fc" in values
    for kind, fmt in (("compliance", "pdf"), ("status", "pdf"), ("status", "xlsx")):
        assert _render(session, kind, fmt, program.id)[:4] in (b"%PDF", b"PK\x03\x04"), (kind, fmt)


def test_every_report_writes_a_checkpoint_and_prints_it(session: Session) -> None:
    """A checkpoint is written at every report rendered, printed on every PDF page and on the summary sheet,
    in the report's words (Korean by default)."""
    program = make_program(session)
    make_award_with_delivery(session, program)
    before = len(_checkpoints())
    content = _render(session, "compliance", "pdf", program.id)
    cps = _checkpoints()
    assert len(cps) == before + 1 and cps[-1]["note"] == "report compliance.pdf"
    pages = _pages(content)
    assert len(pages) >= 2
    assert all(f"감사 체크포인트 #{cps[-1]['seq']}" in p and cps[-1]["key_id"] in p for p in pages)
    cp_time = datetime.fromisoformat(cps[-1]["time"].replace("Z", "+00:00"))
    assert format_timestamp(cp_time) in pages[0]  # 2026. 12. 1. 22:04 (한국시간)
    content = _render(session, "status", "xlsx", program.id)
    cp = _checkpoints()[-1]
    assert cp["note"] == "report status.xlsx"
    summary = openpyxl.load_workbook(BytesIO(content))["요약"]
    found = {row[0].value: row[1].value for row in summary.iter_rows(min_row=2, max_row=12) if row[0].value}
    line = found["서명된 감사 체크포인트"]
    assert line.startswith(
        f"감사 체크포인트 #{cp['seq']} · 감사 이벤트 {cp['events']:,}건 · 해시 {cp['last_hash'][:16]}"
    )
    english = service.render_report(
        session, "status", "pdf", generated_by="auditor", today=date(2024, 12, 31), program_id=program.id, lang="en"
    ).content
    assert f"audit checkpoint #{_checkpoints()[-1]['seq']}" in _pages(english)[0]
