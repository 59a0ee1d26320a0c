"""The decision package: its figures equal the evaluation page's; PDF and workbook read back; downloads and access."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session

from budgeting import service as budgeting_service
from budgeting.models import Award, BudgetLine
from budgeting.rules import required_direct_hires
from core import audit
from core.errors import NotFound, RuleViolation
from core.models import AuditEvent, Role
from decisions.package import decision_package
from reports.decision_pdf import render_decision_pdf
from reports.decision_xlsx import render_decision_xlsx
from reports.document import Metadata
from scoring import results
from scoring.models import Selection
from tests.builders import count, make_user, token_for
from tests.decisions.builders import programme
from tests.jobs.follow import fetch

NOW = datetime(2021, 6, 1, 9, 0, tzinfo=UTC)


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(data)).pages]


@pytest.fixture(scope="module")
def designated(seeded_engine):
    """The designated package of the seeded programme with its PDF and workbook (built once)."""
    with Session(seeded_engine) as session:
        pkg = decision_package(session, 1, "designated")
        meta = Metadata(NOW, "tester (official)", audit.last_hash(session), program="2021")
        overview = results.evaluation_overview(session, 1).set_index("project_id")
        page = {p.project_id: results.project_result(session, p.project_id) for p in pkg.projects}
        envelopes = budgeting_service.list_envelopes(session, 1)
    return {"pkg": pkg, "pdf": render_decision_pdf(pkg, meta), "xlsx": render_decision_xlsx(pkg, meta),
            "overview": overview, "page": page, "envelopes": envelopes}


def test_package_figures_equal_the_evaluation_page(designated):
    """Issue 15: the decision package's figures equal the evaluation page's (the functions its callbacks call:
    evaluation_overview for the project list, project_result for each ranking)."""
    pkg, overview, page = designated["pkg"], designated["overview"], designated["page"]
    assert len(pkg.projects) == 130 and all(p.project_code.startswith("2021-D-") for p in pkg.projects)
    for p in pkg.projects:
        row = overview.loc[p.project_id]
        assert p.outcome == row["outcome"] and p.confirmed == bool(row["confirmed"])
        expected = None if row["outcome"] != "selected" else int(row["recommended_grant_krw"])
        assert p.recommended_grant_krw == expected
        assert p.required_hires == (required_direct_hires(expected, Decimal("2.4")) if expected else 0)
        ranked = [(r.rank, r.proposal_id, r.final_score, r.bonus, r.outcome, r.recommended_grant_krw)
                  for r in pkg.ranking if r.project_code == p.project_code]
        assert ranked == [(x.rank, x.proposal_id, x.final_score, x.bonus.total, str(x.outcome),
                           x.recommended_grant_krw) for x in page[p.project_id].proposals]
    assert pkg.recommended_total_krw == sum(p.recommended_grant_krw or 0 for p in pkg.projects)
    recorded = {e.code: e for e in designated["envelopes"]}
    for e in pkg.envelopes:
        assert (e.amount_krw, e.awarded_krw) == (recorded[e.code].amount_krw, recorded[e.code].awarded_krw)
        assert e.after_krw == e.amount_krw - e.recommended_krw
    assert sum(e.recommended_krw for e in pkg.envelopes) == pkg.recommended_total_krw
    # the planted departure from the ranking has no reason and is flagged
    assert [(d.project_code, d.rank, d.has_reason) for d in pkg.departures] == [("2021-D-LANG-012", 2, False)]
    assert pkg.leniency and pkg.agreement and all(a.project_code.startswith("2021-D-") for a in pkg.agreement)


def test_package_pdf_reads_back_with_sign_off(designated):
    """Issue 15: the PDF carries the ranking, the flagged departure and the 담당/검토/승인 sign-off page."""
    pkg = designated["pkg"]
    pages = pdf_pages(designated["pdf"])
    text = "\n".join(pages)
    assert "선정 심의 자료" in pages[0] and "지정공모" in pages[0]
    assert f"{pkg.recommended_total_krw:,}" in text
    assert "2021-D-LANG-012" in text and "사유 없음" in text
    last = pages[-1]
    for word in ("결재", "담당", "검토", "승인", "성명", "일자", "서명", f"{pkg.required_hires_total:,}명"):
        assert word in last, word
    assert "Sign" not in text and "Ranking" not in text  # Korean page, Korean labels


def test_package_workbook_has_korean_sheets_and_numbers(designated):
    """Issue 15: the workbook's sheets are Korean and its money cells are numbers in won format."""
    pkg = designated["pkg"]
    wb = openpyxl.load_workbook(BytesIO(designated["xlsx"]))
    assert {"재원", "과제별 결과", "순위", "순위 이탈", "이해충돌", "평가위원 관대도", "결재"} <= set(wb.sheetnames)
    ws = wb["과제별 결과"]
    header = [c.value for c in ws[1]]
    col = header.index("권고 출연금(원)") + 1
    values = [ws.cell(row=r, column=col) for r in range(2, ws.max_row)]
    assert all(isinstance(c.value, int) and c.number_format == "#,##0" for c in values if c.value is not None)
    assert ws.cell(row=ws.max_row, column=col).value == pkg.recommended_total_krw  # the totals row
    assert [c.value for c in wb["결재"][1]] == ["구분", "담당", "검토", "승인"]


def test_one_project_package_and_bad_call_type(seeded_engine):
    """Issue 15: a package per project on request; an unknown call type or a project of another type is refused."""
    with Session(seeded_engine) as session:
        full = decision_package(session, 1, "regional")
        one = decision_package(session, 1, "regional", project_id=full.projects[0].project_id)
        assert [p.project_id for p in one.projects] == [full.projects[0].project_id]
        assert {r.project_code for r in one.ranking} == {full.projects[0].project_code}
        assert len(one.envelopes) == 1
        with pytest.raises(RuleViolation):
            decision_package(session, 1, "lottery")
        with pytest.raises(NotFound):
            decision_package(session, 1, "free", project_id=full.projects[0].project_id)


# --------------------------------------------------------------------------- API


def test_what_if_and_decision_downloads_and_access(client: TestClient, session: Session):
    """Issue 15: what-if for officials and admins (auditors and evaluators refused), the run audited and nothing
    else written; the decision package for officials and auditors as PDF and XLSX."""
    built = programme(session, [[[80, 82, 84, 86, 100], [70, 71, 72, 73, 60]], [[72] * 5]])
    pid = built["program"].id
    official = token_for(make_user(session, Role.official))
    admin = token_for(make_user(session, Role.admin))
    auditor = token_for(make_user(session, Role.auditor))
    evaluator = token_for(make_user(session, Role.evaluator))
    before = {m: count(session, m) for m in (Selection, Award, BudgetLine)}
    events = count(session, AuditEvent)
    body = {"rules": {"pass_threshold": "75"}}
    r = client.post(f"/api/v1/programs/{pid}/what-if", headers=official, json=body)
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["consortium_changes"] == 1 and data["audit_event_id"]
    assert client.post(f"/api/v1/programs/{pid}/what-if", headers=admin, json={}).json()["consortium_changes"] == 0
    for who in (auditor, evaluator):
        assert client.post(f"/api/v1/programs/{pid}/what-if", headers=who, json=body).status_code == 403
    assert client.post(f"/api/v1/programs/{pid}/what-if", json=body).status_code == 401
    for bad in ({"rules": {"pass_threshold": "1E-10000000"}}, {"rules": {"selected": 1}}, {"status": "x"},
                {"budgets": [{"target": "designated", "change_pct": "-101"}]}, {"lottery": {"seed": 2**40}},
                {"rules": {"pass_threshold": "60"}}, {"budgets": [{"target": "nowhere", "change_pct": "1"}]}):
        assert client.post(f"/api/v1/programs/{pid}/what-if", headers=official, json=bad).status_code == 422, bad
    assert client.post("/api/v1/programs/999999/what-if", headers=official, json={}).status_code == 404
    r = fetch(client, "POST", f"/api/v1/programs/{pid}/what-if/report.pdf", headers=official, json=body)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = "\n".join(pdf_pages(r.content))
    assert "가정 배분 비교" in text and "선정 기준(점)" in text and "재공고" in text
    assert {m: count(session, m) for m in before} == before
    assert count(session, AuditEvent) == events + 3 + 2  # three runs, one event each; the PDF's job: enqueue, finish
    for fmt in ("pdf", "xlsx"):
        for who in (official, auditor):
            r = fetch(client, "GET", f"/api/v1/reports/decision/designated.{fmt}", headers=who,
                      params={"program_id": pid})
            assert r.status_code == 200, r.text
            assert r.headers["content-disposition"].startswith(f'attachment; filename="decision-designated.{fmt}"')
        assert client.get(f"/api/v1/reports/decision/designated.{fmt}", headers=evaluator,
                          params={"program_id": pid}).status_code == 403
    r = fetch(client, "GET", "/api/v1/reports/decision/designated.pdf", headers=auditor,
              params={"program_id": pid, "project_id": built["projects"][1]["project"].id})
    assert r.status_code == 200 and "1,710,000,000" in "\n".join(pdf_pages(r.content))
    assert client.get("/api/v1/reports/decision/designated.docx", headers=auditor,
                      params={"program_id": pid}).status_code == 422
    assert client.get("/api/v1/reports/decision/other.pdf", headers=auditor,
                      params={"program_id": pid}).status_code == 422


def test_cli_writes_the_decision_package(session: Session, tmp_path, capsys):
    """Issue 15: `main.py report decision --call-type … --format xlsx --out FILE` writes the workbook."""
    import argparse

    from reports import decision_cli

    built = programme(session, [[[80] * 5]])
    out = tmp_path / "decision.xlsx"
    args = argparse.Namespace(kind="decision", call_type="designated", format="xlsx", out=str(out),
                              program_id=built["program"].id, project=None, as_of=None)
    assert decision_cli.run_report(args) == 0
    wb = openpyxl.load_workbook(out)
    assert wb["과제별 결과"].cell(row=2, column=wb["과제별 결과"].max_column).value == 44  # ⌈2.4 × 18.05⌉ hires
    args.call_type = None
    assert decision_cli.run_report(args) == 2 and "--call-type" in capsys.readouterr().err


def test_decision_package_and_what_if_pdf_carry_their_signed_checkpoint(client: TestClient, session: Session):
    """Issue 10: every report writes a checkpoint and prints it on every page — the decision package's sign-off
    page and the what-if PDF included (they were the two renderers that printed only the audit hash)."""
    import json
    from pathlib import Path

    from core.settings import get_settings

    def newest() -> dict:
        return json.loads(Path(get_settings().audit_checkpoint_file).read_text().splitlines()[-1])

    built = programme(session, [[[80, 82, 84, 86, 100], [70, 71, 72, 73, 60]], [[72] * 5]])
    pid = built["program"].id
    official = token_for(make_user(session, Role.official))
    r = fetch(client, "GET", "/api/v1/reports/decision/designated.pdf", headers=official, params={"program_id": pid})
    assert r.status_code == 200
    cp = newest()
    assert cp["note"] == "report decision-designated.pdf"
    pages = pdf_pages(r.content)
    assert len(pages) >= 2 and all(f"감사 체크포인트 #{cp['seq']}" in p for p in pages)
    r = fetch(client, "POST", f"/api/v1/programs/{pid}/what-if/report.pdf", headers=official, json={})
    assert r.status_code == 200
    cp = newest()
    assert cp["note"] == "report what-if.pdf"
    assert all(f"감사 체크포인트 #{cp['seq']}" in p for p in pdf_pages(r.content))
