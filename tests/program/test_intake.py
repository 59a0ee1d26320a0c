"""Issue 12: proposal intake from the template — good file, bad file (sheet, row, column, Korean reason;
nothing written), the same file twice refused, progress reported, CSV variant (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlmodel import select

from core.audit import SYSTEM
from core.models import AuditEvent, Role
from core.uploads import Upload
from program import intake
from program.models import Consortium, ConsortiumMember, Organization, Proposal, ProposalImport
from tests.builders import (
    count,
    fresh,
    make_business_number,
    make_org,
    make_program,
    make_project,
    make_user,
    token_for,
)

API = "/api/v1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook(proposals: list[list[object]], members: list[list[object]]) -> bytes:
    """The downloaded template with its sample rows kept and `proposals` / `members` appended."""
    wb = load_workbook(io.BytesIO(intake.template_xlsx()))
    for row in proposals:
        wb[intake.PROPOSAL_SHEET].append(row)
    for row in members:
        wb[intake.MEMBER_SHEET].append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _setup(session):
    program = make_program(session)
    a = make_project(session, program, code="2022-A", field_code="HEALTH")
    b = make_project(session, program, code="2022-B", field_code="LANG")
    known = make_org(session, name="(주)기존데이터")
    return program, a, b, known


def _good_rows(known) -> tuple[list[list[object]], list[list[object]]]:
    bn1, bn2 = make_business_number(), make_business_number()
    proposals = [
        ["P1", "2022-A", "의료 영상 구축", "메디 컨소시엄", 1_900_000_000, 212_000_000, 50, 500_000_000, 200, 40,
         100_000, "예"],
        ["P2", "2022-B", "방언 음성 구축", "보이스 컨소시엄", 1_500_000_000, 170_000_000, 40, 0, 0, 0, 80_000,
         "아니오"],
    ]
    members = [
        ["P1", "(주)메디데이터", bn1, "중소기업", "서울", "주관기관", 60],
        ["P1", known.name, known.business_number, "중소기업", "서울", "참여기관", 40],
        ["P2", "보이스랩", bn2, "스타트업", "부산", "주관기관", 70],
        ["P2", known.name, known.business_number, "중소기업", "서울", "참여기관", 30],
    ]
    return proposals, members


def _post(client, program_id, h, name, content, media=XLSX):
    return client.post(f"{API}/programs/{program_id}/intake", headers=h, files={"file": (name, content, media)})


def test_template_has_korean_headers_one_sheet_per_kind_and_a_sample(client, session):
    program, *_ = _setup(session)
    h = token_for(make_user(session, Role.official))
    r = client.get(f"{API}/programs/{program.id}/intake/template", headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith(XLSX)
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["제안서", "컨소시엄 구성원", "작성 안내"]
    head = [c.value for c in wb["제안서"][1]]
    assert head[:3] == ["제안서번호", "과제코드", "제안서 제목"] and "정부출연금 신청액(원)" in head
    assert [c.value for c in wb["컨소시엄 구성원"][1]][:3] == ["제안서번호", "기관명", "사업자등록번호"]
    assert wb["제안서"]["A2"].value.startswith("예시") and wb["컨소시엄 구성원"].max_row == 3
    r = client.get(f"{API}/programs/{program.id}/intake/template", params={"format": "csv"}, headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][0] == "제안서번호" and rows[0][-1] == "참여 비율(%)" and rows[1][0].startswith("예시")


def test_good_file_imports_everything_once_and_the_same_file_is_refused(client, session):
    program, a, b, known = _setup(session)
    h = token_for(make_user(session, Role.official))
    content = _workbook(*_good_rows(known))
    r = _post(client, program.id, h, "접수.xlsx", content)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["proposals"] == 2 and body["organizations"] == 2 and body["consortia"] == 2  # the known org reused
    fresh(session)
    got = session.exec(select(Proposal).where(Proposal.id.in_(body["proposal_ids"])).order_by(Proposal.id)).all()
    assert [(p.project_id, p.requested_grant_krw, p.vulnerable_hiring_plan) for p in got] == [
        (a.id, 1_900_000_000, True), (b.id, 1_500_000_000, False)]
    members = session.exec(select(ConsortiumMember).where(ConsortiumMember.consortium_id == got[0].consortium_id)
                           .order_by(ConsortiumMember.id)).all()
    assert [(m.role, m.share_bp) for m in members] == [("lead", 6000), ("participant", 4000)]
    assert members[1].org_id == known.id
    # the same file twice: 409 and nothing more written
    before = (count(session, Proposal), count(session, Organization), count(session, AuditEvent))
    r = _post(client, program.id, h, "다시.xlsx", content)
    assert r.status_code == 409 and r.json()["code"] == "conflict" and "이미" in r.json()["detail"]
    assert (count(session, Proposal), count(session, Organization), count(session, AuditEvent)) == before
    assert count(session, ProposalImport) == 1


def test_bad_file_names_sheet_row_column_and_reason_in_korean_and_writes_nothing(client, session):
    program, a, b, known = _setup(session)
    h = token_for(make_user(session, Role.official))
    proposals, members = _good_rows(known)
    proposals[1][4] = "일억"  # 정부출연금 not a number (row 4 of 제안서: header, sample, P1, P2)
    proposals.append(["P3", "NO-SUCH", "없는 과제", "X", 1, 0, 0, 0, 0, 0, 0, "예"])  # row 5: unknown project
    members[2][3] = "외계기관"  # row 6 of 컨소시엄 구성원 (header, 2 samples, 3 members): unknown kind
    members.append(["P1", "또하나", "12-345", "중소기업", "서울", "참여기관", 0])  # row 8: bad business number
    before = (count(session, Proposal), count(session, Organization), count(session, Consortium),
              count(session, AuditEvent))
    r = _post(client, program.id, h, "잘못.xlsx", _workbook(proposals, members))
    assert r.status_code == 422
    errors = r.json()["errors"]
    where = {(e["row"], e["column"]) for e in errors}
    assert (4, "정부출연금 신청액(원)") in where and (5, "과제코드") in where
    assert (6, "기관 유형") in where and (8, "사업자등록번호") in where
    reasons = {(e["row"], e["column"]): e["reason"] for e in errors}
    assert "정수" in reasons[(4, "정부출연금 신청액(원)")]
    assert "NO-SUCH" in reasons[(5, "과제코드")] and "과제 코드" in reasons[(5, "과제코드")]
    assert "000-00-00000" in reasons[(8, "사업자등록번호")]
    assert "아무것도 가져오지 않았습니다" in r.json()["detail"]
    assert (count(session, Proposal), count(session, Organization), count(session, Consortium),
            count(session, AuditEvent)) == before
    assert count(session, ProposalImport) == 0
    # consortium rules across rows: two leads, shares not 100
    proposals, members = _good_rows(known)
    members[1][5] = "주관기관"
    members[3][6] = 10
    r = _post(client, program.id, h, "규칙.xlsx", _workbook(proposals, members))
    assert r.status_code == 422
    reasons = [e["reason"] for e in r.json()["errors"]]
    assert any("주관기관이 정확히 1개" in x for x in reasons) and any("100%" in x for x in reasons)
    assert count(session, Proposal) == before[0]
    # not a spreadsheet at all, and a header that is not the template's
    r = _post(client, program.id, h, "a.pdf", b"%PDF-1.4", "application/pdf")
    assert r.status_code == 422
    r = _post(client, program.id, h, "a.csv", "이름,과제\n1,2\n".encode(), "text/csv")
    assert r.status_code == 422 and "머리글" in r.json()["detail"]
    # an auditor may not import
    assert _post(client, program.id, token_for(make_user(session, Role.auditor)), "x.xlsx",
                 _workbook(*_good_rows(known))).status_code == 403


def test_csv_variant_and_progress(session):
    program, a, b, known = _setup(session)
    proposals, members = _good_rows(known)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([h for _, h, _ in intake.PROPOSAL_COLUMNS] + [h for k, h, _ in intake.MEMBER_COLUMNS if k != "key"])
    first_of = {}
    for m in members:
        prop = next(p for p in proposals if p[0] == m[0])
        row = prop if m[0] not in first_of else [m[0]] + [""] * (len(prop) - 1)
        first_of[m[0]] = True
        w.writerow(row + m[1:])
    seen: list[tuple[int, int]] = []
    result = intake.import_proposals(session, SYSTEM, program.id,
                                     Upload("접수.csv", buf.getvalue().encode("utf-8-sig")),
                                     progress=lambda done, total: seen.append((done, total)))
    assert result.proposals == 2 and seen == [(0, 2), (1, 2), (2, 2)]
    fresh(session)
    assert count(session, Proposal) == 2
