"""Ledger imports under hostile or careless files (finding 6 of issue 9): each refusal leaves the data as it was.

Run: .venv/bin/python -m pytest tests/budgeting/test_imports.py -q  (TEST_DB=postgres … for PostgreSQL)
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import zipfile
from datetime import date
from typing import Any

import pytest
from openpyxl import Workbook
from sqlmodel import func, select

from budgeting import imports
from budgeting.models import BudgetLine, Expenditure, LedgerImport
from core import uploads
from core.models import AuditEvent, Role
from core.settings import get_settings
from tests.budgeting.builders import make_award
from tests.builders import fresh, make_user, token_for

B = "/api/v1/budgeting"
HEADER = ["category", "date", "amount", "payee", "business_number", "description", "evidence"]
GOOD = [["equipment", "2021-06-01", "1,500,000", "(주)장비", "", "서버", "EV-A"],
        ["travel", "2021-07-15", "300000", "코레일", "", "출장", "EV-B"]]


def _csv(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows([header, *rows])
    return buf.getvalue().encode("utf-8")


def _xlsx(rows: list[list[Any]], header: list[Any] = HEADER, *, write_only: bool = False) -> bytes:
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet() if write_only else wb.active
    for r in [header, *rows]:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _replace_part(xlsx: bytes, part: str, text: bytes | str, *, add: dict[str, bytes] | None = None) -> bytes:
    """The workbook with one zip member replaced (a hand-made hostile sheet)."""
    data = text.encode() if isinstance(text, str) else text
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, data if info.filename == part else src.read(info.filename))
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def _sheet_xml(xlsx: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(xlsx)).read("xl/worksheets/sheet1.xml").decode()


class State:
    """What an import can change: ledger rows, line totals, imported-file digests, audit events."""

    def __init__(self, session: Any, award_id: int) -> None:
        fresh(session)
        self.values = (
            session.exec(select(func.count()).select_from(Expenditure)).one(),
            tuple(session.exec(select(BudgetLine.spent_krw).where(BudgetLine.award_id == award_id)
                               .order_by(BudgetLine.id)).all()),
            session.exec(select(func.count()).select_from(LedgerImport)).one(),
            session.exec(select(func.count()).select_from(AuditEvent)).one(),
        )
        session.commit()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, State) and self.values == other.values

    def __repr__(self) -> str:
        return f"State{self.values}"


def _setup(session: Any) -> tuple[dict[str, str], int]:
    # English details: these tests read the file checks' wording (Korean is the default, tests/core/test_errors_i18n.py)
    headers = {**token_for(make_user(session, Role.official)), "Accept-Language": "en"}
    award = make_award(session)
    assert award.id is not None
    return headers, award.id


def _post(client: Any, headers: dict[str, str], award_id: int, name: str, content: bytes) -> Any:
    return client.post(f"{B}/awards/{award_id}/ledger/import", headers=headers, files={"file": (name, content)})


def _errors(r: Any) -> list[dict[str, Any]]:
    return r.json().get("errors") or []


# --------------------------------------------------------------------------- the same file, the same rows


def test_the_same_file_twice_is_refused_with_409(client, session):
    """Finding 6: the same file imported twice booked the spending twice."""
    h, award_id = _setup(session)
    content = _csv(GOOD)
    r = _post(client, h, award_id, "spend.csv", content)
    assert r.status_code == 201, r.text
    after_first = State(session, award_id)
    r = _post(client, h, award_id, "renamed-copy.csv", content)
    assert r.status_code == 409, r.text
    assert "already imported" in r.json()["detail"] and "spend.csv" in r.json()["detail"]
    assert State(session, award_id) == after_first
    fresh(session)
    digest = session.exec(select(LedgerImport).where(LedgerImport.award_id == award_id)).one()
    assert digest.sha256 == uploads.Upload("x", content).sha256 and digest.rows == 2
    assert digest.total_krw == 1_800_000
    # the same bytes for another award are a different import
    other = make_award(session)
    assert _post(client, h, other.id, "spend.csv", content).status_code == 201


def test_identical_rows_inside_one_file_are_reported(client, session):
    """Finding 6: three identical rows in one file were all accepted."""
    h, award_id = _setup(session)
    before = State(session, award_id)
    row = ["equipment", "2021-06-01", "100000", "(주)장비", "", "서버", "EV-1"]
    r = _post(client, h, award_id, "dup.csv", _csv([row, GOOD[1], row, row]))
    assert r.status_code == 422, r.text
    dup = [(e["row"], e["reason"]) for e in _errors(r)]
    assert dup == [(4, "the same payment as row 2 (every column is equal)"),
                   (5, "the same payment as row 2 (every column is equal)")]
    assert State(session, award_id) == before


# --------------------------------------------------------------------------- cells through core.bounded


def test_a_boolean_cell_is_not_an_amount(client, session):
    """Finding 6: TRUE was accepted as 1 won."""
    h, award_id = _setup(session)
    before = State(session, award_id)
    content = _xlsx([["equipment", date(2021, 6, 1), True, "(주)장비", None, "", "E"]])
    r = _post(client, h, award_id, "bool.xlsx", content)
    assert r.status_code == 422, r.text
    assert [(e["row"], e["column"]) for e in _errors(r)] == [(2, "amount")]
    assert "TRUE/FALSE" in _errors(r)[0]["reason"]
    assert State(session, award_id) == before


@pytest.mark.parametrize("amount", ["1E400", "-5", "0", "1.5", "10000000000000000", "1" * 5000, "１２３"])
def test_amounts_that_are_not_whole_positive_won_are_refused(client, session, amount):
    """Finding 6 / 9: huge, negative, fractional or exotic amounts are 422 at that cell, never a 500."""
    h, award_id = _setup(session)
    before = State(session, award_id)
    r = _post(client, h, award_id, "a.csv", _csv([["equipment", "2021-06-01", amount, "p", "", "", "E"]]))
    assert r.status_code == 422, r.text
    assert {(e["row"], e["column"]) for e in _errors(r)} == {(2, "amount")}
    assert State(session, award_id) == before


def test_an_infinite_number_in_a_sheet_is_refused(client, session):
    """Finding 6: a numeric cell of 1E400 (infinity once read) is not an amount."""
    h, award_id = _setup(session)
    base = _xlsx([["equipment", date(2021, 6, 1), 777, "p", None, "", "E"]])
    xml = _sheet_xml(base).replace("<v>777</v>", "<v>1E400</v>")
    r = _post(client, h, award_id, "inf.xlsx", _replace_part(base, "xl/worksheets/sheet1.xml", xml))
    assert r.status_code == 422, r.text
    assert [(e["row"], e["column"]) for e in _errors(r)] == [(2, "amount")]


@pytest.mark.parametrize(("column", "value"), [("payee", "a\x01b"), ("evidence", "EV\x07"), ("payee", "a\x00b"),
                                               ("description", "x\x1by"), ("payee", "p\u202e\ud800")])
def test_control_characters_in_text_cells_are_refused(client, session, column, value):
    """Finding 4/6: a \\x01 cell was stored and broke every export from then on."""
    h, award_id = _setup(session)
    before = State(session, award_id)
    row = {"category": "equipment", "date": "2021-06-01", "amount": "1000", "payee": "p", "business_number": "",
           "description": "", "evidence": "E"}
    row[column] = value
    buf = io.StringIO()
    csv.writer(buf).writerows([HEADER, [row[h] for h in HEADER]])
    r = _post(client, h, award_id, "c.csv", buf.getvalue().encode("utf-8", "surrogatepass"))
    assert r.status_code == 422, r.text
    if "\ud800" in value:  # not even UTF-8: the file is refused as a whole
        assert "neither UTF-8 nor CP949" in r.json()["detail"]
    elif "\x00" in value:
        assert "binary content" in r.json()["detail"]
    else:
        assert {(e["row"], e["column"]) for e in _errors(r)} == {(2, column)}
        assert "control character" in _errors(r)[0]["reason"]
    assert State(session, award_id) == before


def test_text_is_stored_in_nfc(client, session):
    h, award_id = _setup(session)
    decomposed = "\u1100\u1161"  # 가 as two jamo
    r = _post(client, h, award_id, "nfc.csv", _csv([["equipment", "2021-06-01", "1000", decomposed, "", "", "E"]]))
    assert r.status_code == 201, r.text
    fresh(session)
    assert session.exec(select(Expenditure.payee_name).where(Expenditure.award_id == award_id)).one() == "가"


# --------------------------------------------------------------------------- hostile workbooks


def test_a_sheet_with_500_columns_is_refused_before_it_is_read(client, session):
    """Finding 6: a workbook of 2,000 rows × 500 cells froze every request for 43 s."""
    h, award_id = _setup(session)
    before = State(session, award_id)
    wide = HEADER + [f"x{i}" for i in range(493)]
    rows = [["travel", "2021-07-01", 1000, "p", None, "d", f"EV-{i}"] + [1] * 493 for i in range(2000)]
    declared = _xlsx(rows, wide)  # normal mode: <dimension ref="A1:SF2001"/>
    r = _post(client, h, award_id, "wide.xlsx", declared)
    assert r.status_code == 422 and "row 1 has values beyond column 64" in r.json()["detail"], r.text
    assert _errors(r) == [{"field": None, "row": 1, "column": None, "reason": "more than 64 columns"}]
    undeclared = _xlsx(rows[:50], wide, write_only=True)  # no <dimension>: refused at the first row
    r = _post(client, h, award_id, "wide2.xlsx", undeclared)
    assert r.status_code == 422 and "row 1 has values beyond column 64" in r.json()["detail"], r.text
    # a sheet that declares 7 columns but holds 500 is read as stored, not as declared
    lying = _replace_part(declared, "xl/worksheets/sheet1.xml",
                          re.sub(r'<dimension ref="[^"]+"', '<dimension ref="A1:G3"', _sheet_xml(declared)))
    r = _post(client, h, award_id, "wide3.xlsx", lying)
    assert r.status_code == 422 and "beyond column 64" in r.json()["detail"], r.text
    assert State(session, award_id) == before


def test_row_cap_comes_from_the_settings(client, session, monkeypatch):
    h, award_id = _setup(session)
    monkeypatch.setattr(get_settings(), "max_import_rows", 3)
    before = State(session, award_id)
    rows = [["travel", "2021-07-01", 1000 + i, "p", "", "", f"E{i}"] for i in range(4)]
    for name, content in (("r.csv", _csv(rows)), ("r.xlsx", _xlsx(rows)), ("r2.xlsx", _xlsx(rows, write_only=True))):
        r = _post(client, h, award_id, name, content)
        assert r.status_code == 422 and "more than 3 rows" in r.json()["detail"], (name, r.text)
    assert State(session, award_id) == before
    assert _post(client, h, award_id, "ok.csv", _csv(rows[:3])).status_code == 201


ENTITY_SHEET = """<?xml version="1.0"?>
<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>"""
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
          + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
          + ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
          '<si><t>&i;</t></si></sst>')


@pytest.mark.parametrize("kind", ["malformed", "external_entity", "billion_laughs", "not_a_zip", "no_sheet_xml"])
def test_hostile_workbooks_get_422_with_a_reason(client, session, kind):
    """Finding 6: malformed sheet XML, an external entity or a billion-laughs file gave 500."""
    h, award_id = _setup(session)
    before = State(session, award_id)
    base = _xlsx([["equipment", date(2021, 6, 1), 700000, "(주)장비", None, "모니터", "EV-D"]])
    if kind == "malformed":
        content = _replace_part(base, "xl/worksheets/sheet1.xml", _sheet_xml(base)[:-40])
        expected = "malformed"
    elif kind == "external_entity":
        content = _replace_part(base, "xl/worksheets/sheet1.xml", ENTITY_SHEET)
        expected = "entities"
    elif kind == "billion_laughs":
        rels = zipfile.ZipFile(io.BytesIO(base)).read("xl/_rels/workbook.xml.rels").decode().replace(
            "</Relationships>", '<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/'
                                '2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        types = zipfile.ZipFile(io.BytesIO(base)).read("[Content_Types].xml").decode().replace(
            "</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        content = _replace_part(_replace_part(base, "xl/_rels/workbook.xml.rels", rels), "[Content_Types].xml",
                                types, add={"xl/sharedStrings.xml": LAUGHS.encode()})
        expected = "entities"
    elif kind == "not_a_zip":
        content, expected = b"PK\x03\x04 this is not a workbook", "not a zip"
    else:
        content = _replace_part(base, "xl/worksheets/sheet1.xml", b"\x00\xff garbage")
        expected = "sheet1.xml is malformed XML"
    r = _post(client, h, award_id, f"{kind}.xlsx", content)
    assert r.status_code == 422, r.text
    assert expected in r.json()["detail"], r.text
    assert "root:" not in r.text
    assert State(session, award_id) == before


def test_sheets_that_would_make_openpyxl_allocate_without_bound_are_refused(client, session, monkeypatch):
    """Finding 6: a row numbered 1,000,000 (openpyxl fills the gap), or empty styled cells out at column XFD."""
    h, award_id = _setup(session)
    before = State(session, award_id)
    base = _xlsx(GOOD)
    xml = _sheet_xml(base)
    gap = xml.replace('<row r="3"', '<row r="1000000"').replace('r="A3"', 'r="A1000000"')
    r = _post(client, h, award_id, "gap.xlsx", _replace_part(base, "xl/worksheets/sheet1.xml", gap))
    assert r.status_code == 422 and "more than 200,000 rows" in r.json()["detail"], r.text
    styled = xml.replace("</row>", '<c r="XFD1" s="0"/></row>')  # no value, but 16,384 cells wide
    monkeypatch.setattr(uploads, "MAX_CELLS", 20_000)
    r = _post(client, h, award_id, "styled.xlsx", _replace_part(base, "xl/worksheets/sheet1.xml", styled))
    assert r.status_code == 422 and "more than 20,000 cells" in r.json()["detail"], r.text
    assert State(session, award_id) == before


def test_zip_bombs_are_refused_from_the_zip_directory(client, session, monkeypatch):
    """Finding 6: sizes in the zip directory are checked before anything is decompressed."""
    h, award_id = _setup(session)
    before = State(session, award_id)
    base = _xlsx(GOOD)
    bomb = _replace_part(base, "xl/worksheets/sheet1.xml", b" " * (8 * 2**20))  # 8 MiB of spaces: ~1000:1
    r = _post(client, h, award_id, "bomb.xlsx", bomb)
    assert r.status_code == 422 and "zip bomb" in r.json()["detail"], r.text
    monkeypatch.setattr(uploads, "MAX_UNCOMPRESSED_BYTES", 4096)
    r = _post(client, h, award_id, "big.xlsx", base)
    assert r.status_code == 422 and "unpacks to" in r.json()["detail"], r.text
    assert State(session, award_id) == before


def test_parsing_runs_in_a_worker_thread(client, session, monkeypatch):
    """Finding 6: the import parsed on the event loop, so every other request waited."""
    h, award_id = _setup(session)
    seen: list[bool] = []
    real = uploads.read_table

    def spy(*args: Any, **kwargs: Any) -> Any:
        try:
            asyncio.get_running_loop()
            seen.append(True)  # on the loop
        except RuntimeError:
            seen.append(False)
        return real(*args, **kwargs)

    monkeypatch.setattr(imports, "read_table", spy)
    assert _post(client, h, award_id, "t.csv", _csv(GOOD)).status_code == 201
    assert seen == [False]


# ------------------------------------------------------------------- the caller is checked before the body is read


def _asgi_upload(app: Any, headers: dict[str, str], *, chunks: int, declared: int | None = None,
                 chunk_size: int = 2**20) -> tuple[int, int]:
    """POST a multipart body of `chunks` chunks straight to the ASGI app: (status, chunks the app pulled)."""
    pulled = 0
    boundary = "BOUNDARY"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n").encode()

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled >= chunks:
            await asyncio.sleep(3600)  # the client would keep sending; the server must not wait for it
        pulled += 1
        body = head if pulled == 1 else b"x" * chunk_size
        return {"type": "http.request", "body": body, "more_body": pulled < chunks}

    status: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw.append((b"content-type", f"multipart/form-data; boundary={boundary}".encode()))
    if declared is not None:
        raw.append((b"content-length", str(declared).encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/api/v1/budgeting/awards/1/ledger/import", "raw_path": b"", "root_path": "",
             "query_string": b"", "headers": [(b"host", b"testserver"), *raw], "client": ("127.0.0.1", 5000),
             "server": ("testserver", 80), "state": {}}

    async def run() -> None:
        await asyncio.wait_for(app(scope, receive, send), timeout=60)

    asyncio.run(run())
    return status[0], pulled


def test_no_token_or_wrong_role_is_refused_before_the_body_is_read(client, session):
    """Finding 6: a 300 MiB upload without a token was read in full before the 401."""
    evaluator = token_for(make_user(session, Role.evaluator))
    h, award_id = _setup(session)
    before = State(session, award_id)
    status, pulled = _asgi_upload(client.app, {}, chunks=300)  # 300 MiB, no Content-Length
    assert (status, pulled) == (401, 0)
    status, pulled = _asgi_upload(client.app, evaluator, chunks=300)
    assert (status, pulled) == (403, 0)
    status, pulled = _asgi_upload(client.app, {}, chunks=300, declared=300 * 2**20)
    assert status in (401, 413) and pulled == 0
    assert State(session, award_id) == before


def test_an_oversized_upload_is_cut_off(client, session, monkeypatch):
    """Finding 6: a Content-Length over the cap is 413 before reading; without one, reading stops at the cap."""
    h, award_id = _setup(session)
    monkeypatch.setattr(get_settings(), "max_upload_bytes", 3 * 2**20)
    before = State(session, award_id)
    status, pulled = _asgi_upload(client.app, h, chunks=300, declared=300 * 2**20)
    assert (status, pulled) == (413, 0)
    status, pulled = _asgi_upload(client.app, h, chunks=300)
    assert status == 413 and pulled <= 5  # stopped after ~3 MiB, not 300
    assert State(session, award_id) == before


def test_the_upload_needs_a_multipart_file(client, session):
    h, award_id = _setup(session)
    r = client.post(f"{B}/awards/{award_id}/ledger/import", headers=h, content=b"category,date\n")
    assert r.status_code == 422 and "multipart/form-data" in r.json()["detail"]
    r = client.post(f"{B}/awards/{award_id}/ledger/import", headers=h, data={"other": "x"},
                    files={"not_file": ("a.csv", b"x")})
    assert r.status_code == 422 and "no file in the field 'file'" in r.json()["detail"]
    r = client.post(f"{B}/awards/{award_id}/ledger/import", headers=h,
                    files=[("file", ("a.csv", _csv(GOOD))), ("file", ("b.csv", _csv(GOOD)))])
    assert r.status_code == 422 and "multipart form could not be read" in r.json()["detail"]


def test_the_openapi_documents_the_multipart_body(client):
    op = client.get("/openapi.json").json()["paths"]["/api/v1/budgeting/awards/{award_id}/ledger/import"]["post"]
    assert "file" in op["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]
    assert {"401", "403", "413", "422"} <= set(op["responses"])


# --------------------------------------------------------------------------- reasons in the reader's language


def test_row_reasons_follow_the_request_language(client, session):
    """Issue 13: the row reasons were English for a Korean reader; Korean by default, English on request."""
    en, award_id = _setup(session)
    ko = {k: v for k, v in en.items() if k != "Accept-Language"}
    before = State(session, award_id)
    bad = _csv([["장비·SW", "어제", "많이", "", "", "", ""],
                ["여비·회의비", "2021-06-01", "1.5", "갑", "", "", "증-1"]])
    r = _post(client, ko, award_id, "집행.csv", bad)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "rule_violation" and r.json()["field"] == "file"
    assert "2개 행이 잘못되어" in r.json()["detail"]
    errors = _errors(r)
    assert [(e["row"], e["column"]) for e in errors] == [(2, "date"), (2, "amount"), (2, "payee"), (2, "evidence"),
                                                         (3, "amount")]
    for e in errors:
        assert re.search("[\uac00-\ud7a3]", e["reason"]) and not re.search("[A-Za-z]{2,}", e["reason"]), e
    assert errors[2]["reason"] == "지급처가 비어 있습니다"
    r = _post(client, en, award_id, "집행.csv", bad)
    assert r.status_code == 422 and "2 row(s) are wrong; nothing was imported" in r.json()["detail"], r.text
    assert [(e["column"], e["reason"]) for e in _errors(r)][2:4] == [("payee", "payee is missing"),
                                                                    ("evidence", "evidence reference is missing")]
    assert "'1.5' is not a whole positive number of won" in _errors(r)[4]["reason"]
    # a header without the required columns names them in the reader's language; the machine column stays
    r = _post(client, ko, award_id, "집행.csv", "비목,금액\n장비·SW,1000\n".encode())
    assert r.status_code == 422 and "일자, 지급처, 증빙" in r.json()["detail"], r.text
    assert [(e["column"], e["reason"]) for e in _errors(r)][0] == ("date", "'일자' 열이 없습니다")
    assert State(session, award_id) == before
