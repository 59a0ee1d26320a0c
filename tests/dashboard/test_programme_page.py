"""Issue 12, the programme page's actions through the callback requests a browser sends: next year's programme
copied from the seeded one, a slot over the programme total refused in Korean, a slot added and published, the
call opened, proposals imported from the template (a bad file lists sheet/row/column/reason and writes nothing),
the call closed; an admin sets an official's approval limit; an official, an auditor or an evaluator posting
the same requests by hand changes nothing."""

from __future__ import annotations

import base64
import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from core.models import User
from program import intake
from program.models import Program, Project, Proposal
from tests.dashboard.conftest import user_named
from tests.dashboard.livedb import DEMO_ACCOUNTS
from tests.dashboard.test_forged import app_client, login  # noqa: F401  (fixture)
from tests.dashboard.test_forged_workflow import _events, post, said

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _seeded(engine: Engine) -> Program:
    with Session(engine) as s:
        return s.exec(select(Program).where(Program.copied_from_id.is_(None))  # type: ignore[union-attr]
                      .order_by(Program.year)).first()  # type: ignore[return-value]


def _program(engine: Engine, year: int) -> Program | None:
    with Session(engine) as s:
        return s.exec(select(Program).where(Program.year == year)).first()


def _key(pid: int) -> dict[str, Any]:
    return {"programme-key.data": {"pid": pid, "lang": "ko"}}


def _copy(c: TestClient, pid: int, year: int, **extra: Any) -> Any:
    return post(c, "programme-message.children", {
        "programme-copy.submit_n_clicks": 1, **_key(pid), "programme-copy-year.value": year,
        "programme-copy-name-ko.value": f"{year}년 인공지능 학습용 데이터 구축", "programme-copy-name-en.value": "",
        **extra})


def _add(c: TestClient, pid: int, code: str, ceiling: int) -> Any:
    return post(c, "programme-message.children", {
        "programme-add.submit_n_clicks": 1, **_key(pid), "programme-slot-code.value": code,
        "programme-slot-title.value": "의료 영상 데이터", "programme-slot-field.value": "HEALTH",
        "programme-slot-type.value": "designated", "programme-slot-ceiling.value": ceiling,
        "programme-slot-volume.value": 1000, "programme-slot-unit.value": "건"})


def _click(c: TestClient, pid: int, button: str, **values: Any) -> Any:
    return post(c, "programme-message.children", {f"{button}.submit_n_clicks": 1, **_key(pid), **values})


def _slot(engine: Engine, pid: int, code: str) -> Project | None:
    with Session(engine) as s:
        return s.exec(select(Project).where(Project.program_id == pid, Project.code == code)).first()


def _workbook(project_code: str, bad: bool = False) -> bytes:
    from tests.builders import make_business_number

    wb = load_workbook(io.BytesIO(intake.template_xlsx()))
    wb[intake.PROPOSAL_SHEET].append(["P1", project_code, "의료 영상 구축", "메디 컨소시엄",
                                      "많이" if bad else 1_900_000_000, 212_000_000, 50, 500_000_000, 200, 40,
                                      100_000, "예"])
    wb[intake.MEMBER_SHEET].append(["P1", "(주)메디데이터 페이지", make_business_number(), "중소기업", "서울",
                                    "주관기관", 100])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(c: TestClient, pid: int, name: str, content: bytes) -> Any:
    data = f"data:{XLSX};base64," + base64.b64encode(content).decode()
    return post(c, "programme-intake-result.children", {"programme-upload.contents": data,
                                                        "programme-upload.filename": name, **_key(pid)})


def _proposals(engine: Engine, project_id: int) -> int:
    with Session(engine) as s:
        return int(s.exec(select(func.count()).select_from(Proposal).where(Proposal.project_id == project_id)).one())


def test_an_official_runs_a_programme_from_copy_to_closed_call(app_client: TestClient,  # noqa: F811
                                                               on_unit_db: Engine) -> None:
    seeded = _seeded(on_unit_db)
    assert seeded.id is not None
    login(app_client, "official")
    r = _copy(app_client, seeded.id, 2041)
    assert r.status_code == 200 and "2041년 사업" in said(r) and "만들었습니다" in said(r), said(r)[:300]
    new = _program(on_unit_db, 2041)
    assert new is not None and new.id is not None and new.status == "draft" and new.copied_from_id == seeded.id
    assert new.total_budget_krw == seeded.total_budget_krw

    # the same year again: the domain's Korean refusal, no second programme
    r = _copy(app_client, seeded.id, 2041)
    assert "처리하지 않았습니다" in said(r) and "year" not in said(r)

    # a slot over the total: refused with the domain's Korean message, nothing added
    r = _add(app_client, new.id, "2041-X", new.total_budget_krw + 1)
    text = said(r)
    assert "처리하지 않았습니다" in text and "ceiling_krw" not in text and "room" not in text, text[:400]
    assert _slot(on_unit_db, new.id, "2041-X") is None

    r = _add(app_client, new.id, "2041-A", 1_900_000_000)
    assert "과제 2041-A을(를) 추가했습니다" in said(r), said(r)[:400]
    slot = _slot(on_unit_db, new.id, "2041-A")
    assert slot is not None and slot.published_at is None and slot.ceiling_krw == 1_900_000_000

    # opening before publishing is refused
    r = _click(app_client, new.id, "programme-open")
    assert "처리하지 않았습니다" in said(r)
    assert _program(on_unit_db, 2041).status == "draft"  # type: ignore[union-attr]

    r = _click(app_client, new.id, "programme-edit", **{"programme-edit-slot.value": slot.id,
                                                        "programme-edit-ceiling.value": 2_000_000_000})
    assert "수정했습니다" in said(r)
    r = _click(app_client, new.id, "programme-publish", **{"programme-edit-slot.value": slot.id})
    assert "공고했습니다" in said(r)
    slot = _slot(on_unit_db, new.id, "2041-A")
    assert slot is not None and slot.published_at is not None and slot.ceiling_krw == 2_000_000_000

    r = _click(app_client, new.id, "programme-open")
    assert "공모 접수를 시작했습니다 (과제 1개)" in said(r), said(r)[:300]
    assert _program(on_unit_db, 2041).status == "call_open"  # type: ignore[union-attr]

    # a bad file: every problem with sheet, row, column and a Korean reason; nothing imported
    before = _events(on_unit_db)
    r = _upload(app_client, new.id, "bad.xlsx", _workbook("2041-A", bad=True))
    text = said(r)
    assert "파일을 등록하지 않았습니다" in text and "programme-intake-problems" in text, text[:400]
    assert "제안서" in text and "정부출연금" in text
    assert _proposals(on_unit_db, slot.id) == 0  # type: ignore[arg-type]
    assert _actions_since(on_unit_db, before) == ["job.enqueue", "job.finish"]  # the import job's own record only

    good = _workbook("2041-A")
    r = _upload(app_client, new.id, "good.xlsx", good)
    assert "제안서 1건" in said(r), said(r)[:400]
    assert _proposals(on_unit_db, slot.id) == 1  # type: ignore[arg-type]
    r = _upload(app_client, new.id, "good.xlsx", good)  # the same file twice
    assert "처리하지 않았습니다" in said(r) and _proposals(on_unit_db, slot.id) == 1  # type: ignore[arg-type]

    r = _click(app_client, new.id, "programme-close")
    assert "접수를 마감했습니다: 평가로 넘어간 과제 1개" in said(r), said(r)[:300]
    assert _program(on_unit_db, 2041).status == "call_closed"  # type: ignore[union-attr]


def test_an_unclicked_confirmation_does_nothing(app_client: TestClient, on_unit_db: Engine) -> None:  # noqa: F811
    seeded = _seeded(on_unit_db)
    login(app_client, "official")
    r = post(app_client, "programme-message.children", {
        "programme-copy.submit_n_clicks": None, **_key(seeded.id or 0), "programme-copy-year.value": 2042,
        "programme-copy-name-ko.value": "x"})
    assert r.status_code == 204 and _program(on_unit_db, 2042) is None


def test_an_evaluator_auditor_or_anonymous_caller_cannot_copy_or_import(app_client: TestClient,  # noqa: F811
                                                                          on_unit_db: Engine) -> None:
    seeded = _seeded(on_unit_db)
    assert seeded.id is not None
    before = _events(on_unit_db)
    for role in ("evaluator", "auditor", None):
        login(app_client, role)
        assert _copy(app_client, seeded.id, 2043).status_code == 204, role
        assert _upload(app_client, seeded.id, "x.xlsx", _workbook("2021-01")).status_code == 204, role
    assert _program(on_unit_db, 2043) is None and _events(on_unit_db) == before


LIMIT = {"accounts-limit-set.submit_n_clicks": 1, "accounts-lang.data": "ko"}


def test_the_admin_sets_an_officials_approval_limit_and_an_official_cannot(app_client: TestClient,  # noqa: F811
                                                                             on_unit_db: Engine) -> None:
    official: User = user_named(on_unit_db, DEMO_ACCOUNTS["official"][0])
    login(app_client, "official")
    r = post(app_client, "accounts-message.children", {**LIMIT, "accounts-target.value": official.id,
                                                       "accounts-limit.value": 1})
    assert r.status_code == 204
    assert user_named(on_unit_db, official.username).approval_limit_krw == official.approval_limit_krw

    login(app_client, "admin")
    r = post(app_client, "accounts-message.children", {**LIMIT, "accounts-target.value": official.id,
                                                       "accounts-limit.value": 50_000_000})
    assert "승인 한도를 50,000,000원(으)로 정했습니다" in said(r), said(r)[:300]
    assert user_named(on_unit_db, official.username).approval_limit_krw == 50_000_000
    # a negative amount: refused, unchanged
    r = post(app_client, "accounts-message.children", {**LIMIT, "accounts-target.value": official.id,
                                                       "accounts-limit.value": -5})
    assert "처리하지 않았습니다" in said(r)
    assert user_named(on_unit_db, official.username).approval_limit_krw == 50_000_000
    # an evaluator has no approval limit: the domain's refusal
    evaluator: User = user_named(on_unit_db, DEMO_ACCOUNTS["evaluator"][0])
    r = post(app_client, "accounts-message.children", {**LIMIT, "accounts-target.value": evaluator.id,
                                                       "accounts-limit.value": 1000})
    assert "처리하지 않았습니다" in said(r)
    # cleared: no limit
    r = post(app_client, "accounts-message.children", {**LIMIT, "accounts-target.value": official.id,
                                                       "accounts-limit.value": None})
    assert "한도 없음" in said(r)
    assert user_named(on_unit_db, official.username).approval_limit_krw is None
    post(app_client, "accounts-message.children", {**LIMIT, "accounts-target.value": official.id,
                                                   "accounts-limit.value": official.approval_limit_krw})


def test_the_proposal_pdf_link_opens_with_the_login_cookie(app_client: TestClient,  # noqa: F811
                                                           on_unit_db: Engine) -> None:
    """The evaluator's '제안서 PDF 보기' points at the scoring API route, which reads the dashboard's login cookie
    (no bearer token): the PDF comes back inline; without the cookie, 401."""
    from core.audit import SYSTEM
    from core.uploads import Upload
    from dashboard.pages.assignments import _document_link
    from program import documents

    with Session(on_unit_db) as s:
        proposal = s.exec(select(Proposal).order_by(Proposal.id)).first()
        assert proposal is not None and proposal.id is not None
        pid = proposal.id
        documents.upload_document(s, SYSTEM, pid, Upload("계획서.pdf", b"%PDF-1.4\n% test\n%%EOF\n"))
    link = _document_link({"has_document": True, "proposal_id": pid}, "ko")
    url = f"/api/v1/scoring/proposals/{pid}/document"
    assert link.children.href == url and link.children.target == "_blank"
    assert link.children.children == "제안서 PDF 보기"
    assert _document_link({"has_document": False, "proposal_id": pid}, "ko").id == "assignments-no-pdf"
    login(app_client, "official")
    r = app_client.get(url)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("inline") and r.content.startswith(b"%PDF-")
    app_client.cookies.clear()
    assert app_client.get(url).status_code == 401


def _actions_since(engine: Engine, count: int) -> list[str]:
    """The actions of the change events after the first `count` (as `_events` counts them)."""
    from sqlmodel import Session, col, select

    from core.models import AuditEvent

    with Session(engine) as s:
        actions = s.exec(select(AuditEvent.action).where(AuditEvent.action != "rows.write")
                         .order_by(col(AuditEvent.id))).all()
    return list(actions[count:])
