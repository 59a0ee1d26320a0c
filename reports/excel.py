"""Render a `Document` as an .xlsx workbook (XlsxWriter, constant-memory mode); returns bytes.

- Streams: each row is written and flushed as it comes (generators welcome), so a
  million-row ledger stays in flat memory. XlsxWriter's constant-memory mode wrote the
  compliance workbook in about half of openpyxl write-only mode's time with less memory
  (bench/bench_reports.py measures both); openpyxl stays for reading imports.
- One sheet per table, named in Korean (`Table.sheet`): header on row 1 (frozen),
  autofilter over the data, widths from the header and the first rows.
- Numbers are numbers with number formats: won `#,##0` (the header says 원; a mixed
  column's cells say `#,##0"원"`), counts `#,##0`, rates `0.0%`, dates as dates
  (`yyyy. m. d.`), timestamps as datetimes. A totals row holds checked numbers: the
  sum of exactly the cells written above it (a number, not a formula, so every reader —
  openpyxl, pandas, a viewer without recalculation — sees the same figure).
- Text that starts with =, +, -, @ (or a tab / carriage return) is written as a string
  cell with a quote prefix, never as a formula (formula injection).
- Charts whose spec names a table become native Excel charts over that table's cells.
- No database access, no paths: the caller gets bytes.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from itertools import chain, islice
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from reports.document import (
    UNSHOWABLE,
    Chart,
    Column,
    Document,
    Table,
    Typed,
    needs_text_guard,
    sheet_name,
    visible_text,
)

NUMBER_FORMATS = {"won": "#,##0", "int": "#,##0", "percent": "0.0%", "decimal": "0.00", "date": "yyyy. m. d.",
                  "datetime": "yyyy. m. d. hh:mm:ss", "id": "0"}
TYPED_FORMATS = {**NUMBER_FORMATS, "won": '#,##0"원"'}  # a mixed column names the unit in the cell
HEADER_COLOR = "#DDE5F0"
SAMPLE_ROWS = 200
MAX_WIDTH = 60
CHART_TYPES = {"bar": "column", "line": "line", "pie": "pie"}


def display_width(text: str) -> int:
    """Characters as a spreadsheet shows them: Hangul and other wide characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


class _Formats:
    """The workbook's cell formats, made once (XlsxWriter shares each format object between cells)."""

    def __init__(self, wb: Workbook) -> None:
        self.number = {k: wb.add_format({"num_format": v}) for k, v in NUMBER_FORMATS.items()}
        self.typed = {k: wb.add_format({"num_format": v}) for k, v in TYPED_FORMATS.items()}
        self.header = wb.add_format({"bold": True, "bg_color": HEADER_COLOR, "valign": "vcenter", "text_wrap": True,
                                     "border": 1})
        self.total = wb.add_format({"bold": True, "num_format": "#,##0", "bg_color": "#F2F2F2", "top": 1})
        self.total_label = wb.add_format({"bold": True, "bg_color": "#F2F2F2", "top": 1})
        self.guarded = wb.add_format({"quote_prefix": True})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})


def _text(ws: Worksheet, fm: _Formats, r: int, c: int, value: str) -> None:
    if UNSHOWABLE.search(value):
        value = visible_text(value)  # XML cannot hold it: a visible escape, never a failed export
    if needs_text_guard(value):
        ws.write_string(r, c, value, fm.guarded)
    else:
        ws.write_string(r, c, value)


def _writer(ws: Worksheet, fm: _Formats, column: Column) -> Callable[[int, int, Any], None]:
    """The function that writes one value of this column (chosen once per column, not per cell)."""
    fmt = column.fmt
    if fmt in ("won", "int", "id"):
        style = fm.number[fmt]

        def number(r: int, c: int, v: Any) -> None:
            if isinstance(v, int | float | Decimal) and not isinstance(v, bool):
                ws.write_number(r, c, v, style)
            else:
                _text(ws, fm, r, c, str(v))

        return number
    if fmt in ("percent", "decimal"):
        style = fm.number[fmt]

        def fraction(r: int, c: int, v: Any) -> None:
            if isinstance(v, int | float | Decimal) and not isinstance(v, bool):
                ws.write_number(r, c, float(v), style)
            else:
                _text(ws, fm, r, c, str(v))

        return fraction
    if fmt in ("date", "datetime"):
        style = fm.number[fmt]

        def when(r: int, c: int, v: Any) -> None:
            if isinstance(v, date | datetime):
                ws.write_datetime(r, c, v, style)
            else:
                _text(ws, fm, r, c, str(v))

        return when
    if fmt == "mixed":
        return lambda r, c, v: _typed(ws, fm, r, c, v)

    def text(r: int, c: int, v: Any) -> None:
        if isinstance(v, str):
            _text(ws, fm, r, c, v)
        elif isinstance(v, bool):
            ws.write_string(r, c, str(v))
        elif isinstance(v, int | float | Decimal):
            ws.write_number(r, c, float(v) if isinstance(v, Decimal) else v)
        elif isinstance(v, date | datetime | time):
            ws.write_string(r, c, v.isoformat())
        else:
            _text(ws, fm, r, c, str(v))

    return text


def _typed(ws: Worksheet, fm: _Formats, r: int, c: int, v: Any) -> None:
    if not isinstance(v, Typed):
        if isinstance(v, str):
            if v:
                _text(ws, fm, r, c, v)
        elif v is not None:
            ws.write(r, c, v)
        return
    value, fmt = v.value, v.fmt
    if value is None:
        ws.write_string(r, c, "–")
    elif fmt in ("date", "datetime") and isinstance(value, date | datetime):
        ws.write_datetime(r, c, value, fm.typed[fmt])
    elif fmt in TYPED_FORMATS and isinstance(value, int | float | Decimal):
        ws.write_number(r, c, float(value) if isinstance(value, Decimal) else value, fm.typed[fmt])
    else:
        _text(ws, fm, r, c, str(value))


def _plain_width(v: Any) -> int:
    if isinstance(v, Typed):
        v = v.value
        if isinstance(v, int):
            return len(f"{v:,}") + 2
    if isinstance(v, int | float | Decimal):
        return len(f"{v:,}") if isinstance(v, int) else 10
    if isinstance(v, date | datetime):
        return 14
    return display_width(str(v))


def _widths(columns: Sequence[Column], sample: Sequence[Sequence[Any]]) -> list[float]:
    widths: list[float] = []
    for i, c in enumerate(columns):
        w = display_width(c.label) + 2
        if c.fmt == "id":
            w = max(w, 8)
        elif c.fmt in ("won", "int"):
            longest = max((len(f"{int(r[i]):,}") for r in sample if isinstance(r[i], int | float)), default=0)
            w = max(w, longest + 3, 10)
        elif c.fmt == "date":
            w = max(w, 13)
        elif c.fmt == "datetime":
            w = max(w, 20)
        elif c.fmt in ("percent", "decimal"):
            w = max(w, 9)
        else:
            longest = max((_plain_width(r[i]) for r in sample if r[i] is not None), default=0)
            w = max(w, longest + 2)
        widths.append(min(w, MAX_WIDTH))
    return widths


def _unique_title(name: str, used: set[str]) -> str:
    base = name or "sheet"
    title, n = base, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def _write_table(wb: Workbook, fm: _Formats, table: Table, used: set[str]) -> tuple[Worksheet, int]:
    """Write one table to its own sheet; returns the sheet and the number of data rows."""
    ws = wb.add_worksheet(_unique_title(sheet_name(table), used))
    columns = list(table.columns)
    rows_iter = iter(table.rows)
    sample = list(islice(rows_iter, SAMPLE_ROWS))
    for i, w in enumerate(_widths(columns, sample)):
        ws.set_column(i, i, w)
    ws.freeze_panes(1, 0)
    for c, col in enumerate(columns):
        ws.write_string(0, c, col.label, fm.header)
    writers = [_writer(ws, fm, c) for c in columns]
    sum_idx = [i for i, c in enumerate(columns) if c.fmt in ("won", "int")] if table.total_label else []
    sums = dict.fromkeys(sum_idx, 0)
    n = 0
    progress = table.progress
    for row in chain(sample, rows_iter):
        n += 1
        for c, v in enumerate(row):
            if v is not None:
                writers[c](n, c, v)
        for i in sum_idx:
            v = row[i]
            if isinstance(v, int | float):
                sums[i] += int(v)
        if progress is not None and n % 10_000 == 0:
            progress(n)
    if progress is not None:
        progress(n)
    ws.autofilter(0, 0, max(n, 1), len(columns) - 1)
    if table.total_label:
        t = n + 1
        ws.write_string(t, 0, table.total_label, fm.total_label)
        for i in range(1, len(columns)):
            if i in sums:  # the sum of exactly the cells written above (checked in tests against the domain)
                ws.write_number(t, i, sums[i], fm.total)
            else:
                ws.write_blank(t, i, None, fm.total_label)
    return ws, n


def _native_chart(wb: Workbook, spec: Chart, ws: Worksheet, table: Table, n_rows: int) -> None:
    if n_rows == 0 or not spec.value_keys:
        return
    cat_col = table.column_index(spec.category_key) if spec.category_key else 0
    chart = wb.add_chart({"type": CHART_TYPES[spec.kind]})
    if chart is None:  # pragma: no cover  (every kind above is known to XlsxWriter)
        return
    name = ws.get_name()
    for key in spec.value_keys:
        col = table.column_index(key)
        series: dict[str, Any] = {"name": [name, 0, col], "categories": [name, 1, cat_col, n_rows, cat_col],
                                  "values": [name, 1, col, n_rows, col]}
        if spec.value_labels:
            series["data_labels"] = {"value": True, "num_format": "#,##0"}
        chart.add_series(series)
    chart.set_title({"name": spec.title, "name_font": {"size": 11}})
    if spec.kind != "pie":
        unit = {"won": "원", "score": "점", "percent": "%"}.get(spec.y_unit, "")
        y_title = f"{spec.y_label} ({unit})" if spec.y_label and unit else spec.y_label
        y_axis: dict[str, Any] = {"num_format": "#,##0", "major_gridlines": {"visible": True}}
        if y_title:
            y_axis["name"] = y_title
        if spec.y_max is not None:
            y_axis.update({"min": 0, "max": spec.y_max})
        chart.set_y_axis(y_axis)
        chart.set_x_axis({"num_font": {"rotation": -45} if n_rows > 8 else {}})
        if len(spec.value_keys) == 1:
            chart.set_legend({"none": True})  # one series: the title says what it is
        else:
            chart.set_legend({"position": "bottom"})
    else:
        chart.set_legend({"position": "right"})
    chart.set_size({"width": 720, "height": 340})
    ws.insert_chart(1, len(table.columns) + 1, chart)


def render_workbook(doc: Document, *, summary_first: bool = True) -> bytes:
    """The document as an .xlsx file (bytes): a summary sheet (요약), then one sheet per table."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True, "remove_timezone": True, "strings_to_numbers": False,
                                   "strings_to_formulas": False, "strings_to_urls": False})
    fm = _Formats(wb)
    ko = doc.lang == "ko"
    used: set[str] = set()
    summary = wb.add_worksheet(_unique_title("요약" if ko else "Summary", used)) if summary_first else None
    row = _summary_head(summary, fm, doc) if summary is not None else 0
    contents: list[tuple[str, str, int]] = []
    tables: dict[str, tuple[Worksheet, Table, int]] = {}
    for section in doc.sections:
        for table in section.tables:
            ws, n = _write_table(wb, fm, table, used)
            tables[table.name] = (ws, table, n)
            contents.append((ws.get_name(), table.title, n))
        for spec in section.charts:
            if spec.table_name in tables:
                ws, table, n = tables[spec.table_name]
                _native_chart(wb, spec, ws, table, n)
    if summary is None:
        summary = wb.add_worksheet(_unique_title("요약" if ko else "Summary", used))
        row = _summary_head(summary, fm, doc)
    # constant-memory mode: each sheet's rows go in order; the contents come after the summary's head
    row += 1
    for c, text in enumerate(("시트", "내용", "행 수") if ko else ("Sheet", "Contents", "Rows")):
        summary.write_string(row, c, text, fm.header)
    for sheet, title, n in contents:
        row += 1
        summary.write_string(row, 0, visible_text(sheet))
        _text(summary, fm, row, 1, title)
        summary.write_number(row, 2, n, fm.number["int"])
    wb.close()
    return buf.getvalue()


def _summary_head(ws: Worksheet, fm: _Formats, doc: Document) -> int:
    """The title, metadata (the signed audit checkpoint last) and section texts; returns the last row written."""
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 90, fm.wrap)
    ws.set_column(2, 2, 10)
    ws.write_string(0, 0, visible_text(doc.title), fm.header)
    _text(ws, fm, 0, 1, doc.subtitle)
    row = 0
    for label, value in doc.meta.lines():
        row += 1
        ws.write_string(row, 0, label)
        _text(ws, fm, row, 1, value)
    row += 1
    for section in doc.sections:
        row += 1
        ws.write_string(row, 0, visible_text(section.title), fm.header)
        for p in section.paragraphs:
            row += 1
            _text(ws, fm, row, 1, p)
    return row


def plain_rows(rows: Iterable[Sequence[Any]]) -> Iterable[tuple[Any, ...]]:
    """Rows as tuples of cell values (for tests and the benchmark floor)."""
    for r in rows:
        yield tuple(v.isoformat() if isinstance(v, date | datetime) else v for v in r)
