"""Reports read back: sheets, headers, totals against the services; PDF text; injection; access."""

from datetime import UTC, date, datetime
from io import BytesIO

import openpyxl
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session

from core import audit
from core.models import Role
from reports import excel, pdf, service
from reports.document import Column, Document, Metadata, Section, Table
from tests.builders import make_program, make_user, token_for
from tests.compliance.builders import make_delivery

AS_OF = date(2026, 9, 30)
NOW = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def _doc(rows, columns=None) -> Document:
    cols = columns or [Column("name", "이름", "text"), Column("amount", "금액(원)", "won")]
    return Document("시험 보고서", "부제", Metadata(NOW, "tester", "f" * 64),
                    [Section("표", tables=[Table("t", "표 제목", cols, rows, total_label="합계")])])


# --------------------------------------------------------------------------- renderers


def test_formula_injection_is_written_as_text():
    rows = [("=HYPERLINK(\"http://evil\",\"x\")", 1), ("+1+2", 2), ("-3", 3), ("@SUM(A1)", 4), ("정상", 5)]
    wb = openpyxl.load_workbook(BytesIO(excel.render_workbook(_doc(rows))))
    ws = wb["t"]
    cells = [ws.cell(row=i, column=1) for i in range(2, 7)]
    assert [c.value for c in cells] == [r[0] for r in rows]
    assert all(c.data_type == "s" for c in cells)  # strings, never formulas ("f")
    assert all(c.quotePrefix for c in cells[:4]) and not cells[4].quotePrefix  # Excel keeps them text on edit
    assert ws.cell(row=7, column=1).value == "합계" and ws.cell(row=7, column=2).value == 15


def test_workbook_formats_freeze_filter_widths():
    cols = [Column("name", "데이터명", "text"), Column("amount", "정부출연금(원)", "won"),
            Column("rate", "집행률", "percent"), Column("day", "날짜", "date")]
    rows = ((f"항목 {i}", 1_000_000 * i, 0.5, date(2021, 5, 1)) for i in range(1, 301))  # a generator
    wb = openpyxl.load_workbook(BytesIO(excel.render_workbook(_doc(rows, cols))))
    assert wb.sheetnames == ["summary", "t"]
    ws = wb["t"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:D301"
    assert [c.value for c in ws[1]] == ["데이터명", "정부출연금(원)", "집행률", "날짜"]
    assert ws["B2"].number_format == "#,##0" and ws["C2"].number_format == "0.0%"
    assert ws["D2"].number_format == "yyyy-mm-dd"
    assert ws["B302"].value == sum(1_000_000 * i for i in range(1, 301))
    assert 10 <= ws.column_dimensions["A"].width <= 60 and ws.column_dimensions["B"].width >= 14
    summary = wb["summary"]
    assert summary["B4"].value == "f" * 64  # the audit hash is in the metadata


def test_shared_styles_stay_intact():
    cols = [Column("note", "비고", "text"), Column("amount", "금액(원)", "won")]
    rows = [(date(2021, 5, 1), 1), ("=1+1", 2), ("보통", 3)]
    ws = openpyxl.load_workbook(BytesIO(excel.render_workbook(_doc(rows, cols))))["t"]
    assert ws["A2"].value == "2021-05-01" and ws["A4"].number_format == "General" and not ws["A4"].quotePrefix
    assert [ws[f"B{i}"].number_format for i in (2, 3, 4)] == ["#,##0"] * 3


def test_pdf_embeds_hangul_font_and_limits_rows():
    rows = [(f"헬스케어 {i}", i) for i in range(2500)]
    data = pdf.render_pdf(_doc(rows))
    text = pdf_text(data)
    assert "헬스케어 0" in text and "시험 보고서" in text and "f" * 64 in text
    assert "외 500행 생략" in text  # a PDF lists at most MAX_PDF_ROWS rows
    fonts = set()
    for page in PdfReader(BytesIO(data)).pages[:1]:
        for f in page["/Resources"]["/Font"].values():
            fonts.add(str(f.get_object()["/BaseFont"]))
    assert any("NanumGothic" in f for f in fonts)


# --------------------------------------------------------------------------- seeded reports


@pytest.fixture(scope="module")
def seeded_session(seeded):
    with Session(seeded.engine) as s:
        yield s


def test_status_reports_match_the_services(seeded, seeded_session):
    from budgeting import queries as bq

    pid = seeded.report.main_program_id
    totals = bq.program_totals(seeded_session, pid)
    x = service.render_report(seeded_session, "status", "xlsx", generated_by="auditor", today=AS_OF,
                              program_id=pid, now=NOW)
    assert x.filename == "status-2021.xlsx"
    wb = openpyxl.load_workbook(BytesIO(x.content))
    assert {"summary", "alloc_call_type", "alloc_field", "execution_month", "hires", "crowd", "funnel"} <= \
        set(wb.sheetnames)
    ws = wb["alloc_field"]
    headers = [c.value for c in ws[1]]
    grant_col = headers.index("협약 정부출연금(원)") + 1  # the glossary label (core.glossary)
    last = ws.max_row
    assert ws.cell(last, 1).value == "합계" and ws.cell(last, grant_col).value == totals.awarded_krw
    assert "헬스케어" in [ws.cell(r, 2).value for r in range(2, last)]
    months = wb["execution_month"]
    assert months.cell(months.max_row, 3).value == totals.executed_krw  # cumulative = executed
    import zipfile
    names = zipfile.ZipFile(BytesIO(x.content)).namelist()
    assert sum(n.startswith("xl/charts/chart") for n in names) >= 6  # native Excel charts
    summary = wb["summary"]
    assert summary["B4"].value == audit.last_hash(seeded_session)

    p = service.render_report(seeded_session, "status", "pdf", generated_by="auditor", today=AS_OF, program_id=pid,
                              now=NOW)
    text = pdf_text(p.content)
    for word in ("헬스케어", "음성·자연어", "직접고용", "크라우드소싱", f"{totals.awarded_krw:,}",
                 audit.last_hash(seeded_session), "2026-10-01 09:00:00"):
        assert word in text, word


def test_compliance_workbook_and_pdf(seeded, seeded_session):
    from budgeting import queries as bq

    pid = seeded.report.main_program_id
    x = service.render_report(seeded_session, "compliance", "xlsx", generated_by="auditor", today=AS_OF,
                              program_id=pid, now=NOW)
    wb = openpyxl.load_workbook(BytesIO(x.content), read_only=True)
    assert wb.sheetnames == ["summary", "checks", "findings", "evidence", "awards", "budget_lines", "ledger", "hires",
                             "crowdsourcing", "deliveries", "audit_log"]
    ledger = list(wb["ledger"].iter_rows(values_only=True))
    assert ledger[0][5] == "금액(원)" and ledger[-1][0] == "합계"
    totals = bq.program_totals(seeded_session, pid)
    assert ledger[-1][5] == totals.executed_krw
    assert len(ledger) - 2 == sum(len(c) for c in bq.iter_ledger_chunks(seeded_session, pid))
    awards = list(wb["awards"].iter_rows(values_only=True))
    assert awards[-1][6] == totals.awarded_krw
    findings = list(wb["findings"].iter_rows(values_only=True))
    assert {r[1] for r in findings[1:]} >= {"DLV-01", "MON-04", "HIR-03", "EVA-02"}
    evidence = [r[3] for r in wb["evidence"].iter_rows(values_only=True)]
    planted_entry = seeded.report.planted["round_trip_payee"][0]
    assert any(f"expenditure_id={planted_entry};" in (e or "") for e in evidence)
    audit_rows = list(wb["audit_log"].iter_rows(values_only=True))
    assert audit_rows[-1][7] == audit.last_hash(seeded_session)

    p = service.render_report(seeded_session, "compliance", "pdf", generated_by="auditor", today=AS_OF,
                              program_id=pid, now=NOW)
    text = pdf_text(p.content)
    for word in ("계약 물량 미달", "데이터 미개방", "중대 (high)", "DLV-01", "MON-04", "헬스케어"):
        assert word in text, word


def test_evaluation_pdf(seeded, seeded_session):
    from scoring import results

    sel = results.list_selections(seeded_session, seeded.report.main_program_id)[0]
    r = results.project_result(seeded_session, sel.project_id)
    p = service.render_report(seeded_session, "evaluation", "pdf", generated_by="auditor", today=AS_OF,
                              project_id=sel.project_id, now=NOW)
    text = pdf_text(p.content)
    assert r.project_code in text and "E01" in text and "(절사)" in text and (r.confirmed_by or "") in text
    winner = next(x for x in r.proposals if x.proposal_id == sel.proposal_id)
    assert f"{winner.final_score:.2f}" in text


# --------------------------------------------------------------------------- API


def test_downloads_and_access(client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch):
    from core import jobs
    from core.settings import get_settings
    from tests.jobs.follow import fetch

    monkeypatch.setattr(get_settings(), "job_queue_url", "memory://")  # each job runs inline when enqueued
    jobs.configure()
    program = make_program(session)
    make_delivery(session, program=program, opened=None)
    auditor = token_for(make_user(session, Role.auditor))
    evaluator = token_for(make_user(session, Role.evaluator))
    params = {"program_id": program.id, "as_of": "2024-12-31"}
    r = client.get("/api/v1/reports/compliance.pdf", headers=auditor, params=params)
    assert r.status_code == 202 and r.headers["location"].startswith("/api/v1/jobs/"), r.text
    r = fetch(client, "GET", "/api/v1/reports/compliance.pdf", headers=auditor, params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith(f'attachment; filename="compliance-{program.year}.pdf"')
    assert "데이터 미개방" in pdf_text(r.content)
    r = fetch(client, "GET", "/api/v1/reports/compliance.xlsx", headers=auditor, params=params)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "deliveries" in openpyxl.load_workbook(BytesIO(r.content), read_only=True).sheetnames
    for url in ("/api/v1/reports/status.pdf", "/api/v1/reports/status.xlsx", "/api/v1/reports/compliance.pdf",
                "/api/v1/reports/compliance.xlsx", "/api/v1/reports/evaluation/1.pdf"):
        assert client.get(url, headers=evaluator, params=params).status_code == 403, url
        assert client.get(url, params=params).status_code == 401, url
    assert client.get("/api/v1/reports/status.docx", headers=auditor, params=params).status_code == 422
    assert client.get("/api/v1/reports/evaluation/999999.pdf", headers=auditor).status_code == 404
    # the synchronous path of the small exports answers with the file itself
    r = client.get("/api/v1/reports/status.pdf", headers=auditor, params={**params, "sync": "true"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert client.get("/api/v1/reports/compliance.pdf", headers=auditor,
                      params={**params, "sync": "true"}).status_code == 202  # the long one is always a job
    jobs.configure("memory://")


def test_cli_writes_the_file(session: Session, tmp_path, capsys):
    import argparse

    from reports import cli

    program = make_program(session)
    make_delivery(session, program=program)
    out = tmp_path / "c.xlsx"
    args = argparse.Namespace(kind="compliance", format="xlsx", out=str(out), project=None, program_id=program.id,
                              as_of="2024-12-31")
    assert cli.run_report(args) == 0 and out.stat().st_size > 0
    assert "wrote" in capsys.readouterr().out
    args = argparse.Namespace(kind="evaluation", format="xlsx", out=str(out), project=1, program_id=None,
                              as_of=None)
    assert cli.run_report(args) == 2
