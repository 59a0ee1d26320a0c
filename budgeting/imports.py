"""Reading spending files (CSV or XLSX) into checked rows; no database here.

Columns (English or Korean headers): category (비목), date (일자), amount (금액), payee (지급처),
business_number (사업자등록번호, optional), description (적요, optional), evidence (증빙).
Row numbers are those a person sees in the file (the header is row 1).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from budgeting.models import CostCategory
from core.errors import RuleViolation
from program.rules import business_number_valid

MAX_ROWS = 100_000
HEADER_ALIASES = {
    "category": "category", "비목": "category",
    "date": "date", "spent_date": "date", "일자": "date", "집행일": "date",
    "amount": "amount", "amount_krw": "amount", "금액": "amount",
    "payee": "payee", "payee_name": "payee", "지급처": "payee",
    "business_number": "business_number", "payee_business_number": "business_number",
    "사업자등록번호": "business_number",
    "description": "description", "적요": "description",
    "evidence": "evidence", "evidence_ref": "evidence", "증빙": "evidence",
}
REQUIRED = ("category", "date", "amount", "payee", "evidence")
_CATEGORY_KO = {"인건비": "labour", "크라우드소싱 비용": "crowdsourcing", "외주용역비": "outsourcing",
                "수집비": "collection", "장비·SW": "equipment", "품질검증·자문": "quality",
                "여비·회의비": "travel", "간접비": "indirect"}


@dataclass
class ParsedRow:
    number: int
    category: str | None = None
    spent_date: date | None = None
    amount_krw: int | None = None
    payee_name: str = ""
    business_number: str | None = None
    description: str = ""
    evidence_ref: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _parse_row(number: int, raw: dict[str, Any]) -> ParsedRow:
    row = ParsedRow(number=number)
    cat = _text(raw.get("category"))
    cat = _CATEGORY_KO.get(cat, cat).lower()
    if cat not in CostCategory.__members__:
        row.errors.append(("category", f"unknown cost category '{cat}'; one of {', '.join(CostCategory)}"))
    else:
        row.category = cat
    d = raw.get("date")
    if isinstance(d, datetime):
        row.spent_date = d.date()
    elif isinstance(d, date):
        row.spent_date = d
    else:
        try:
            row.spent_date = date.fromisoformat(_text(d).replace(".", "-").replace("/", "-"))
        except ValueError:
            row.errors.append(("date", f"'{_text(d)}' is not a date (YYYY-MM-DD)"))
    a = raw.get("amount")
    try:
        if isinstance(a, float):
            if not a.is_integer():
                raise ValueError
            amount = int(a)
        elif isinstance(a, int):
            amount = a
        else:
            amount = int(_text(a).replace(",", ""))
        if amount <= 0:
            row.errors.append(("amount", f"amount must be a positive number of won, got {amount:,}"))
        else:
            row.amount_krw = amount
    except ValueError:
        row.errors.append(("amount", f"'{_text(a)}' is not a whole number of won"))
    row.payee_name = _text(raw.get("payee"))
    if not row.payee_name:
        row.errors.append(("payee", "payee is missing"))
    elif len(row.payee_name) > 200:
        row.errors.append(("payee", "payee is longer than 200 characters"))
    bn = _text(raw.get("business_number"))
    if bn:
        if not business_number_valid(bn):
            row.errors.append(("business_number", f"'{bn}' is not a valid business number (000-00-00000)"))
        else:
            row.business_number = bn
    row.description = _text(raw.get("description"))[:500]
    row.evidence_ref = _text(raw.get("evidence"))
    if not row.evidence_ref:
        row.errors.append(("evidence", "evidence reference is missing"))
    elif len(row.evidence_ref) > 120:
        row.errors.append(("evidence", "evidence reference is longer than 120 characters"))
    return row


def _rows_from_table(filename: str, table: list[list[Any]]) -> list[ParsedRow]:
    if not table:
        raise RuleViolation(f"{filename} is empty", field="file")
    header = [HEADER_ALIASES.get(_text(h).lower(), HEADER_ALIASES.get(_text(h), "")) for h in table[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RuleViolation(f"{filename}: missing column(s) {', '.join(missing)} in the header row", field="file",
                            details=[{"row": 1, "column": c, "reason": "column missing"} for c in missing])
    body = table[1:]
    if len(body) > MAX_ROWS:
        raise RuleViolation(f"{filename} has {len(body):,} rows; at most {MAX_ROWS:,} per file", field="file")
    rows = []
    for i, values in enumerate(body, start=2):
        if all(_text(v) == "" for v in values):
            continue  # blank lines are not rows
        raw = {h: v for h, v in zip(header, values, strict=False) if h}
        rows.append(_parse_row(i, raw))
    if not rows:
        raise RuleViolation(f"{filename} has a header but no rows", field="file")
    return rows


def parse_spreadsheet(filename: str, content: bytes) -> list[ParsedRow]:
    """Rows of a .csv or .xlsx file; a file that is not one of them is refused (RuleViolation → 422)."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        return _rows_from_table(filename, _read_xlsx(filename, content))
    if name.endswith(".csv"):
        return _rows_from_table(filename, _read_csv(filename, content))
    raise RuleViolation(f"'{filename}' is neither a .csv nor an .xlsx file", field="file")


def _read_csv(filename: str, content: bytes) -> list[list[Any]]:
    if b"\x00" in content[:4096]:
        raise RuleViolation(f"{filename} is not a text CSV file (binary content)", field="file")
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RuleViolation(f"{filename} is neither UTF-8 nor CP949 text", field="file")
    try:
        return [r for r in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise RuleViolation(f"{filename} is not a readable CSV file: {exc}", field="file") from exc


def _read_xlsx(filename: str, content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise RuleViolation(f"{filename} is not a readable Excel (.xlsx) workbook", field="file") from exc
    except Exception as exc:  # openpyxl raises its own InvalidFileException and others on junk
        raise RuleViolation(f"{filename} is not a readable Excel (.xlsx) workbook: {type(exc).__name__}",
                            field="file") from exc
    try:
        ws = wb.worksheets[0]
        table = []
        for values in ws.iter_rows(values_only=True):
            table.append(list(values))
            if len(table) > MAX_ROWS + 1:
                break
        return table
    finally:
        wb.close()
