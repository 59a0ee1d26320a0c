"""Reports read back: sheets, headers, totals against the services; PDF text; injection; access."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session

from budgeting.models import CostCategory
from core import audit
from core.i18n import format_date
from core.models import Role
from reports import excel, pdf, service
from reports.document import Chart, Column, Document, Metadata, Section, Series, Table, Typed
from reports.labels import label
from tests.builders import make_program, make_user, token_for
from tests.compliance.builders import make_delivery

AS_OF = date(2026, 9, 30)
NOW = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def _doc(rows, columns=None) -> Document:
    cols = columns or [Column("name", "이름", "text"), Column("amount", "금액(원)", "won")]
    return Document(
        "시험 보고서",
        "부제",
        Metadata(NOW, "tester", "f" * 64),
        [Section("표", tables=[Table("t", "표 제목", cols, rows, total_label="합계")])],
    )


# --------------------------------------------------------------------------- renderers


def _workbook(data: bytes, **kw) -> openpyxl.Workbook:
    return openpyxl.load_workbook(BytesIO(data), **kw)


RAW_WORDS = (
    "_id",
    "_krw",
    "contracted",
    "built",
    "verified",
    "selected",
    "reserve",
    "not_selected",
    "findings",
    "remediation_overdue",
    "designated",
    "labour",
    "data_type:",
    "see compliance",
    "#33",
)


def assert_korean_page(text: str) -> None:
    """No raw code, field name or English status word on a Korean page; dates as 2022. 11. 14."""
    for word in RAW_WORDS:
        assert word not in text, word
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", text), re.search(r"\b20\d\d-\d\d-\d\d\b", text)
    assert not re.search(r"\b20\d\d-…", text)


# --------------------------------------------------------------------------- renderers


def test_formula_injection_is_written_as_text():
    rows = [('=HYPERLINK("http://evil","x")', 1), ("+1+2", 2), ("-3", 3), ("@SUM(A1)", 4), ("정상", 5)]
    data = excel.render_workbook(_doc(rows))
    ws = _workbook(data)["t"]
    cells = [ws.cell(row=i, column=1) for i in range(2, 7)]
    assert [c.value for c in cells] == [r[0] for r in rows]
    assert all(c.data_type == "s" for c in cells)  # strings, never formulas ("f")
    assert all(c.quotePrefix for c in cells[:4]) and not cells[4].quotePrefix  # Excel keeps them text on edit
    assert ws.cell(row=7, column=1).value == "합계" and ws.cell(row=7, column=2).value == 15  # a checked number


def test_workbook_formats_freeze_filter_widths():
    cols = [
        Column("name", "데이터명", "text"),
        Column("amount", "정부출연금(원)", "won"),
        Column("rate", "집행률", "percent"),
        Column("day", "날짜", "date"),
        Column("at", "시각", "datetime"),
    ]
    rows = ((f"항목 {i}", 1_000_000 * i, 0.5, date(2021, 5, 1), datetime(2021, 5, 1, 9, 30)) for i in range(1, 301))
    wb = _workbook(excel.render_workbook(_doc(rows, cols)))
    assert wb.sheetnames == ["요약", "t"]
    ws = wb["t"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:E301"
    assert [c.value for c in ws[1]] == ["데이터명", "정부출연금(원)", "집행률", "날짜", "시각"]
    assert isinstance(ws["B2"].value, int) and ws["B2"].number_format == "#,##0"
    assert ws["C2"].value == 0.5 and ws["C2"].number_format == "0.0%"
    assert ws["D2"].value == datetime(2021, 5, 1) and ws["D2"].is_date and ws["D2"].number_format == "yyyy. m. d."
    assert ws["E2"].value == datetime(2021, 5, 1, 9, 30) and ws["E2"].is_date
    assert ws["B302"].value == sum(1_000_000 * i for i in range(1, 301)) and ws["B302"].number_format == "#,##0"
    assert 10 <= ws.column_dimensions["A"].width <= 60 and ws.column_dimensions["B"].width >= 14
    summary = wb["요약"]
    assert summary["A4"].value == "최종 감사 이벤트 해시" and summary["B4"].value == "f" * 64
    assert [c.value for c in summary[summary.max_row]] == ["t", "표 제목", 300]  # the contents, rows counted


def test_mixed_column_names_its_unit_in_the_cell():
    cols = [Column("item", "항목", "text"), Column("value", "값", "mixed")]
    rows = [
        ("정부출연금", Typed(239_298_200_000, "won")),
        ("협약 수", Typed(140, "int")),
        ("집행률", Typed(Decimal("0.929"), "percent")),
        ("기준일", Typed(date(2021, 12, 31), "date")),
    ]
    doc = _doc(rows, cols)
    ws = _workbook(excel.render_workbook(doc))["t"]
    assert ws["B2"].value == 239_298_200_000 and ws["B2"].number_format == '#,##0"원"'
    assert ws["B3"].value == 140 and ws["B3"].number_format == "#,##0"
    assert ws["B4"].value == pytest.approx(0.929) and ws["B4"].number_format == "0.0%"
    assert ws["B5"].is_date and ws["B5"].value == datetime(2021, 12, 31)
    text = pdf_text(pdf.render_pdf(doc))
    assert "239,298,200,000원" in text and "92.9%" in text and "2021. 12. 31." in text


def test_shared_styles_stay_intact():
    cols = [Column("note", "비고", "text"), Column("amount", "금액(원)", "won")]
    rows = [(date(2021, 5, 1), 1), ("=1+1", 2), ("보통", 3)]
    ws = _workbook(excel.render_workbook(_doc(rows, cols)))["t"]
    assert ws["A2"].value == "2021-05-01" and ws["A4"].number_format == "General" and not ws["A4"].quotePrefix
    assert [ws[f"B{i}"].number_format for i in (2, 3, 4)] == ["#,##0"] * 3


def test_pdf_embeds_hangul_font_and_limits_rows():
    rows = [(f"헬스케어 {i}", i) for i in range(2500)]
    data = pdf.render_pdf(_doc(rows))
    text = pdf_text(data)
    assert "헬스케어 0" in text and "시험 보고서" in text and "f" * 64 in text
    assert "외 500행 생략" in text  # a PDF lists at most MAX_PDF_ROWS rows
    assert "2026. 10. 1. 18:00 (한국시간)" in text  # generated at, in Korean time and the Korean date format
    fonts = set()
    for page in PdfReader(BytesIO(data)).pages[:1]:
        for f in page["/Resources"]["/Font"].values():
            fonts.add(str(f.get_object()["/BaseFont"]))
    assert any("NanumGothic" in f for f in fonts)


def test_chart_labels_are_whole_and_months_are_korean():
    from reports.pdf import _wrap
    from reports.status_report import month_label

    assert month_label("2021-03") == "2021. 3." and month_label("2022-11") == "2022. 11."
    assert _wrap("헬스케어 데이터 구축 컨소시엄", 60) == "헬스케어 데이터\n구축 컨소시엄"  # 60 pt a line at 7 pt
    assert _wrap("재난·안전·환경", 40) == "재난·안전·\n환경"  # after a middle dot
    long = _wrap("아주긴기관이름을가진주식회사입니다", 40)
    assert "…" not in long and long.replace("\n", "") == "아주긴기관이름을가진주식회사입니다"
    spec = Chart(
        "bar",
        "점수",
        ["가 기관", "나 기관"],
        [Series("최종점수", [77.25, 65.0])],
        y_label="점수",
        y_unit="score",
        y_max=100,
        reference_lines=((70, "선정 기준 70점"),),
        value_labels=True,
    )
    doc = _doc([("a", 1)])
    doc.sections[0].charts = [spec]
    text = pdf_text(pdf.render_pdf(doc))
    for word in ("선정 기준 70점", "77.2", "65", "100", "점수 (단위: 점)", "가 기관"):
        assert word in text, word


# --------------------------------------------------------------------------- seeded reports


@pytest.fixture(scope="module")
def seeded_session(seeded):
    with Session(seeded.engine) as s:
        yield s


def test_status_reports_match_the_services(seeded, seeded_session):
    from budgeting import analytics
    from budgeting import queries as bq

    pid = seeded.report.main_program_id
    totals = bq.program_totals(seeded_session, pid)
    fig = analytics.headline_figures(seeded_session, pid, as_of=AS_OF)
    x = service.render_report(
        seeded_session, "status", "xlsx", generated_by="auditor", today=AS_OF, program_id=pid, now=NOW
    )
    assert x.filename == "status-2021.xlsx"
    wb = _workbook(x.content)
    assert wb.sheetnames[:8] == [
        "요약",
        "개요",
        "공모유형별 배분",
        "분야별 배분",
        "월별 집행",
        "직접고용",
        "크라우드소싱",
        "산출물 단계",
    ]
    assert all(not re.search(r"[a-z_]{4,}", name) for name in wb.sheetnames)  # no snake_case sheet names
    overview = {r[0].value: r[1] for r in wb["개요"].iter_rows(min_row=2)}
    grant = overview["협약 정부출연금"]
    assert grant.value == totals.awarded_krw and grant.number_format == '#,##0"원"'  # a number, not "239,…원"
    assert overview["기준일"].is_date and overview["기준일"].value.date() == fig.as_of
    assert (
        overview["집행률 (총 과제사업비 기준)"].number_format == "0.0%"
        if "집행률 (총 과제사업비 기준)" in overview
        else True
    )
    assert all(isinstance(c.value, int | float | datetime) for c in overview.values() if c.value != "–")
    ws = wb["분야별 배분"]
    headers = [c.value for c in ws[1]]
    grant_col = headers.index("협약 정부출연금(원)") + 1  # the glossary label (core.glossary)
    last = ws.max_row
    assert ws.cell(last, 1).value == "합계" and ws.cell(last, grant_col).value == totals.awarded_krw
    assert sum(ws.cell(r, grant_col).value for r in range(2, last)) == totals.awarded_krw  # the total checks
    assert "헬스케어" in [ws.cell(r, 1).value for r in range(2, last)]
    months = wb["월별 집행"]
    assert months.cell(months.max_row, 3).value == totals.executed_krw  # cumulative = executed
    assert re.fullmatch(r"20\d\d\. \d{1,2}\.", months.cell(2, 1).value)  # 2021. 3.
    funnel = [r[0] for r in wb["산출물 단계"].iter_rows(min_row=2, values_only=True)]
    stages = ("contracted", "built", "verified", "opened")
    assert funnel == [label("delivery_stage", s) for s in stages] and not set(funnel) & set(stages)
    import zipfile

    names = zipfile.ZipFile(BytesIO(x.content)).namelist()
    assert sum(n.startswith("xl/charts/chart") for n in names) >= 6  # native Excel charts
    summary = wb["요약"]
    assert summary["B4"].value == audit.last_hash(seeded_session)

    p = service.render_report(
        seeded_session, "status", "pdf", generated_by="auditor", today=AS_OF, program_id=pid, now=NOW
    )
    text = pdf_text(p.content)
    for word in (
        "헬스케어",
        "음성·자연어",
        "직접고용",
        "크라우드소싱",
        f"{totals.awarded_krw:,}",
        audit.last_hash(seeded_session),
        "2026. 10. 1. 18:00",
        f"기준일 {format_date(fig.as_of)}",
        "단위: 억원",
        label("delivery_stage", "verified"),
        "2025년 목표 1,300종",
        "감사 체크포인트 #",
    ):
        assert word in text, word
    assert_korean_page(text)


def test_status_report_in_english(seeded, seeded_session):
    pid = seeded.report.main_program_id
    p = service.render_report(
        seeded_session, "status", "pdf", generated_by="auditor", today=AS_OF, program_id=pid, now=NOW, lang="en"
    )
    text = pdf_text(p.content)
    assert "Programme status report" in text and "Allocation by field" in text and "audit checkpoint #" in text
    x = service.render_report(
        seeded_session, "status", "xlsx", generated_by="auditor", today=AS_OF, program_id=pid, now=NOW, lang="en"
    )
    assert _workbook(x.content).sheetnames[:3] == ["Summary", "Overview", "By call type"]


def test_compliance_workbook_and_pdf(seeded, seeded_session):
    from budgeting import queries as bq

    pid = seeded.report.main_program_id
    x = service.render_report(
        seeded_session, "compliance", "xlsx", generated_by="auditor", today=AS_OF, program_id=pid, now=NOW
    )
    wb = _workbook(x.content, read_only=True)
    assert wb.sheetnames == [
        "요약",
        "점검 결과",
        "지적 사항",
        "증거",
        "협약",
        "비목별 예산",
        "집행 원장",
        "고용",
        "크라우드소싱",
        "산출물",
        "감사 로그",
    ]
    ledger = list(wb["집행 원장"].iter_rows(values_only=True))
    assert ledger[0][5] == "금액(원)" and ledger[-1][0] == "합계"
    totals = bq.program_totals(seeded_session, pid)
    assert ledger[-1][5] == totals.executed_krw == sum(r[5] for r in ledger[1:-1])
    assert all(isinstance(r[5], int) and isinstance(r[4], datetime) for r in ledger[1:200])  # numbers, dates
    assert {r[3] for r in ledger[1:-1]} <= {label("cost_category", c) for c in CostCategory}
    assert label("cost_category", "labour") in {r[3] for r in ledger[1:-1]}
    assert len(ledger) - 2 == sum(len(c) for c in bq.iter_ledger_chunks(seeded_session, pid))
    awards = list(wb["협약"].iter_rows(values_only=True))
    assert sum(r[6] for r in awards[1:-1]) == totals.awarded_krw
    assert {r[4] for r in awards[1:-1]} <= {label("call_type", c) for c in ("designated", "regional", "free")}
    assert "(미분류)" not in {r[4] for r in awards[1:-1]}
    findings = list(wb["지적 사항"].iter_rows(values_only=True))
    assert {r[1] for r in findings[1:]} >= {"DLV-01", "MON-04", "HIR-03", "EVA-02"}
    assert {r[0] for r in findings[1:]} <= {"중대", "주의", "참고"}
    checks = list(wb["점검 결과"].iter_rows(values_only=True))
    assert {r[3] for r in checks[1:]} <= {"이상 없음", "지적 있음", "점검 오류"}
    evidence = [r[3] or "" for r in wb["증거"].iter_rows(min_row=2, values_only=True)]
    assert evidence and all("=" not in e and "_id" not in e and "_krw" not in e for e in evidence)
    assert any(re.search(r": \d{1,3}(,\d{3})+원", e) for e in evidence)  # exact money, labelled
    audit_rows = list(wb["감사 로그"].iter_rows(values_only=True))
    assert audit_rows[-1][8] == audit.last_hash(seeded_session)
    assert all(isinstance(r[1], datetime) for r in audit_rows[1:50])  # times are datetimes

    p = service.render_report(
        seeded_session, "compliance", "pdf", generated_by="auditor", today=AS_OF, program_id=pid, now=NOW
    )
    text = pdf_text(p.content)
    for word in (
        "계약 물량 미달",
        "데이터 미개방",
        "중대",
        "DLV-01",
        "MON-04",
        "헬스케어",
        "지적 있음",
        f"기준일 {format_date(AS_OF)}",
        "감사 체크포인트 #",
    ):
        assert word in text, word
    assert_korean_page(text)


def test_evaluation_pdf(seeded, seeded_session):
    from scoring import results

    sel = results.list_selections(seeded_session, seeded.report.main_program_id)[0]
    r = results.project_result(seeded_session, sel.project_id)
    p = service.render_report(
        seeded_session, "evaluation", "pdf", generated_by="auditor", today=AS_OF, project_id=sel.project_id, now=NOW
    )
    text = pdf_text(p.content)
    assert r.project_code in text and "E01" in text and "(절사)" in text and (r.confirmed_by or "") in text
    winner = next(x for x in r.proposals if x.proposal_id == sel.proposal_id)
    assert f"{winner.final_score:.2f}" in text and winner.lead_org_name in text
    assert "선정 기준 70점" in text and "단위: 점" in text and "선정" in text  # the threshold line, Korean outcomes
    assert f"#{winner.proposal_id}" not in re.sub(r"체크포인트 #\d+", "", text)  # bars named by the lead
    assert_korean_page(text)


def test_evaluation_flags_a_selection_against_the_ranking(seeded, seeded_session):
    from scoring import results

    pid = seeded.report.main_program_id
    departures = results.selections_departing_from_ranking(seeded_session, pid)
    assert departures, "the seed plants a selection against the ranking"
    d = departures[0]
    text = pdf_text(
        service.render_report(
            seeded_session,
            "evaluation",
            "pdf",
            generated_by="auditor",
            today=AS_OF,
            project_id=d["project_id"],
            now=NOW,
        ).content
    )
    if d["has_reason"]:
        assert "순위와 다른 선정" in text and d["override_reason"][:10] in text
    else:
        assert "경고: 순위와 다른 선정" in text and "사유 미기재" in text


def test_cli_takes_the_project_code(seeded, seeded_session, tmp_path, capsys, monkeypatch):
    import argparse

    from core import db
    from reports import cli
    from scoring import results

    sel = results.list_selections(seeded_session, seeded.report.main_program_id)[0]
    r = results.project_result(seeded_session, sel.project_id)
    assert cli.resolve_project(seeded_session, r.project_code) == sel.project_id
    assert cli.resolve_project(seeded_session, str(sel.project_id)) == sel.project_id
    monkeypatch.setattr(db, "_engine", seeded.engine)
    out = tmp_path / "e.pdf"
    args = argparse.Namespace(
        kind="evaluation", format="pdf", out=str(out), project=r.project_code, program_id=None, as_of=None
    )
    assert cli.run_report(args) == 0 and r.project_code in pdf_text(out.read_bytes())
    args.project = "2021-X-NONE-999"
    assert cli.run_report(args) == 2 and "2021-X-NONE-999" in capsys.readouterr().err


# --------------------------------------------------------------------------- API


def test_downloads_and_access(client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch, tmp_path):
    from core import jobs
    from core.settings import get_settings
    from tests.jobs.follow import fetch

    monkeypatch.setattr(get_settings(), "job_queue_url", "memory://")  # each job runs inline when enqueued
    monkeypatch.setattr(get_settings(), "job_storage_dir", str(tmp_path / "jobs"))
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
    assert "산출물" in openpyxl.load_workbook(BytesIO(r.content), read_only=True).sheetnames
    for url in (
        "/api/v1/reports/status.pdf",
        "/api/v1/reports/status.xlsx",
        "/api/v1/reports/compliance.pdf",
        "/api/v1/reports/compliance.xlsx",
        "/api/v1/reports/evaluation/1.pdf",
    ):
        assert client.get(url, headers=evaluator, params=params).status_code == 403, url
        assert client.get(url, params=params).status_code == 401, url
    assert client.get("/api/v1/reports/status.docx", headers=auditor, params=params).status_code == 422
    assert client.get("/api/v1/reports/evaluation/999999.pdf", headers=auditor).status_code == 404
    # the synchronous path of the small exports answers with the file itself
    r = client.get("/api/v1/reports/status.pdf", headers=auditor, params={**params, "sync": "true"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert (
        client.get("/api/v1/reports/compliance.pdf", headers=auditor, params={**params, "sync": "true"}).status_code
        == 202
    )  # the long one is always a job
    jobs.configure("memory://")


def test_cli_writes_the_file(session: Session, tmp_path, capsys):
    import argparse

    from reports import cli

    program = make_program(session)
    make_delivery(session, program=program)
    out = tmp_path / "c.xlsx"
    args = argparse.Namespace(
        kind="compliance", format="xlsx", out=str(out), project=None, program_id=program.id, as_of="2024-12-31"
    )
    assert cli.run_report(args) == 0 and out.stat().st_size > 0
    assert "wrote" in capsys.readouterr().out
    args = argparse.Namespace(kind="evaluation", format="xlsx", out=str(out), project=1, program_id=None, as_of=None)
    assert cli.run_report(args) == 2
