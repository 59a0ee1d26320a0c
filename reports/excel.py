"""Render a `Document` as an .xlsx workbook (openpyxl write-only mode); returns bytes.

- Streams: rows are written as they come (generators welcome), so a million-row ledger
  stays in bounded memory.
- One sheet per table: header on row 1 (frozen), autofilter over the data, widths from
  the header and the first rows, won as ``#,##0``, percent as ``0.0%``, dates as dates,
  a totals row when the table asks for one.
- Text that starts with =, +, -, @ (or a tab / carriage return) is written as a string
  cell, never as a formula (formula injection).
- Charts whose spec names a table become native Excel charts over that table's cells.
- No database access, no paths: the caller gets bytes.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable, Sequence
from copy import copy
from datetime import date, datetime, time
from decimal import Decimal
from itertools import chain, islice
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from reports.document import UNSHOWABLE, Chart, Column, Document, Table, needs_text_guard, visible_text

NUMBER_FORMATS = {"won": "#,##0", "int": "#,##0", "percent": "0.0%", "decimal": "0.00", "date": "yyyy-mm-dd"}
HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
SAMPLE_ROWS = 200
MAX_WIDTH = 60
INVALID_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


def display_width(text: str) -> int:
    """Characters as a spreadsheet shows them: Hangul and other wide characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


class _CellFactory:
    """Makes write-only cells fast: one styled template per format, its style array copied per cell."""

    def __init__(self, ws: WriteOnlyWorksheet) -> None:
        self.ws = ws
        self._styles: dict[str, Any] = {}
        for fmt, number_format in NUMBER_FORMATS.items():
            c = WriteOnlyCell(ws, value=0)
            c.number_format = number_format
            self._styles[fmt] = c._style
        t = WriteOnlyCell(ws, value="")
        t.font = Font(bold=True)
        t.fill = HEADER_FILL
        t.alignment = Alignment(vertical="center", wrap_text=True)
        self._styles["header"] = t._style
        b = WriteOnlyCell(ws, value=0)
        b.font = Font(bold=True)
        b.number_format = "#,##0"
        self._styles["total"] = b._style
        q = WriteOnlyCell(ws, value="")
        q.quotePrefix = True  # Excel keeps it as text even when the user edits the cell
        self._styles["guarded"] = q._style

    def style(self, name: str) -> Any:
        """The shared style array of a format (the writer only reads it)."""
        return self._styles[name]

    def styled(self, value: Any, style: str) -> WriteOnlyCell:
        c = WriteOnlyCell(self.ws, value=value)
        c._style = copy(self._styles[style])
        return c

    def text(self, value: str) -> Any:
        value = visible_text(value)
        if needs_text_guard(value):
            c = WriteOnlyCell(self.ws, value=None)
            c._value = value
            c.data_type = "s"
            c._style = copy(self._styles["guarded"])
            return c
        return value


def _install_fast_rows(ws: WriteOnlyWorksheet, styles: list[Any], guarded: Any) -> None:
    """Replace the sheet's value-to-cell step with one that knows each column's style.

    openpyxl's write-only `append` turns each value into a cell, reusing one cell object for
    unstyled values; a styled value must be passed as its own `WriteOnlyCell`, which costs a
    new object, a style copy and a caught ValueError per cell (a third of the time of a
    million-row ledger). The writer consumes each yielded cell before the next is made
    (openpyxl 3.1.5, pinned), so one cell can be reused with the column's shared style.
    Cells passed explicitly (header, totals) are yielded as they are.
    """
    from openpyxl.cell.cell import Cell
    from openpyxl.styles.cell_style import StyleArray

    plain = StyleArray()

    def values_to_row(values: Sequence[Any], row_idx: int) -> Any:
        cell = WriteOnlyCell(ws)
        for col_idx, value in enumerate(values, 1):
            if value is None:
                continue
            if isinstance(value, Cell):
                value.column, value.row = col_idx, row_idx
                yield value
                continue
            style = styles[col_idx - 1]
            cell._style = style if style is not None else plain
            if isinstance(value, str) and UNSHOWABLE.search(value):
                value = visible_text(value)  # XML cannot hold it: a visible escape, never a failed export
            if isinstance(value, str) and needs_text_guard(value):
                cell._value, cell.data_type, cell._style = value, "s", guarded
            else:
                if style is None and isinstance(value, date | datetime | time):
                    value = value.isoformat()  # openpyxl would set a date format *in* the shared style array
                cell.value = value
            cell.column, cell.row = col_idx, row_idx
            yield cell

    ws._values_to_row = values_to_row


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _sheet_title(name: str, used: set[str]) -> str:
    base = name.translate(INVALID_SHEET_CHARS)[:31] or "sheet"
    title, n = base, 2
    while title.lower() in used:
        suffix = f"_{n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def _widths(columns: Sequence[Column], sample: Sequence[Sequence[Any]]) -> list[float]:
    widths: list[float] = []
    for i, c in enumerate(columns):
        w = display_width(c.label) + 2
        if c.fmt == "id":
            w = max(w, 8)
        elif c.fmt in ("won", "int"):
            longest = max((len(f"{int(r[i]):,}") for r in sample if r[i] is not None), default=0)
            w = max(w, longest + 3, 10)
        elif c.fmt == "date":
            w = max(w, 12)
        elif c.fmt in ("percent", "decimal"):
            w = max(w, 9)
        else:
            longest = max((display_width(str(r[i])) for r in sample if r[i] is not None), default=0)
            w = max(w, longest + 2)
        widths.append(min(w, MAX_WIDTH))
    return widths


def _write_table(wb: Workbook, table: Table, used: set[str]) -> tuple[WriteOnlyWorksheet, int]:
    """Write one table to its own sheet; returns the sheet and the number of data rows."""
    ws = wb.create_sheet(_sheet_title(table.name, used))
    cells = _CellFactory(ws)
    columns = list(table.columns)
    rows_iter = iter(table.rows)
    sample = list(islice(rows_iter, SAMPLE_ROWS))
    for i, w in enumerate(_widths(columns, sample), start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    ws.append([cells.styled(c.label, "header") for c in columns])

    _install_fast_rows(ws, [cells.style(c.fmt) if c.fmt in NUMBER_FORMATS else None for c in columns],
                       cells.style("guarded"))
    decimals = [i for i, c in enumerate(columns) if c.fmt in ("percent", "decimal")]
    sums = [0 if c.fmt in ("won", "int") else None for c in columns]
    sum_idx = [i for i, s in enumerate(sums) if s is not None] if table.total_label else []
    n = 0
    progress = table.progress
    for row in chain(sample, rows_iter):
        if decimals:
            row = list(row)
            for i in decimals:
                if isinstance(row[i], Decimal):
                    row[i] = float(row[i])
        for i in sum_idx:
            sums[i] += int(row[i] or 0)  # type: ignore[operator]
        ws.append(row if isinstance(row, list | tuple) else tuple(row))
        n += 1
        if progress is not None and n % 10_000 == 0:
            progress(n)
    if progress is not None:
        progress(n)
    last_col = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last_col}{n + 1}"
    if table.total_label:
        total_row: list[Any] = [cells.styled(table.total_label, "header")]
        for i in range(1, len(columns)):
            total_row.append(cells.styled(sums[i], "total") if sums[i] is not None else None)
        ws.append(total_row)
    return ws, n


def _native_chart(spec: Chart, ws: WriteOnlyWorksheet, table: Table, n_rows: int) -> None:
    if n_rows == 0 or not spec.value_keys:
        return
    cat_col = table.column_index(spec.category_key) + 1 if spec.category_key else 1
    chart: BarChart | LineChart | PieChart
    chart = {"bar": BarChart, "line": LineChart, "pie": PieChart}[spec.kind]()
    chart.title = spec.title
    for key in spec.value_keys:
        col = table.column_index(key) + 1
        data = Reference(ws, min_col=col, min_row=1, max_row=n_rows + 1)
        chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=cat_col, min_row=2, max_row=n_rows + 1))
    if spec.kind != "pie":
        chart.y_axis.title = spec.y_label
        chart.y_axis.numFmt = "#,##0"
        chart.y_axis.delete = False
        chart.x_axis.delete = False
    chart.width, chart.height = 18, 9
    ws.add_chart(chart, f"{get_column_letter(len(table.columns) + 2)}2")


def _summary_sheet(wb: Workbook, doc: Document, contents: list[tuple[str, str, int]], used: set[str]) -> None:
    ws = wb.create_sheet(_sheet_title("summary", used))
    cells = _CellFactory(ws)
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 80
    ws.append([cells.styled(visible_text(doc.title), "header"), cells.text(doc.subtitle)])
    for label, value in doc.meta.lines():
        ws.append([label, cells.text(value)])  # the signed audit checkpoint is the last of these
    ws.append([])
    for section in doc.sections:
        ws.append([cells.styled(visible_text(section.title), "header")])
        for p in section.paragraphs:
            ws.append(["", cells.text(p)])
    ws.append([])
    ws.append([cells.styled("시트 (sheet)", "header"), cells.styled("내용 (contents)", "header"),
               cells.styled("행 수 (rows)", "header")])
    for sheet, title, n in contents:
        ws.append([visible_text(sheet), cells.text(title), cells.styled(n, "int")])


def render_workbook(doc: Document, *, summary_first: bool = True) -> bytes:
    """The document as an .xlsx file (bytes): a summary sheet, then one sheet per table."""
    wb = Workbook(write_only=True)
    used: set[str] = set()
    # The summary lists every sheet with its row count, so it is written last and moved first.
    used.add("summary")
    contents: list[tuple[str, str, int]] = []
    tables: dict[str, tuple[WriteOnlyWorksheet, Table, int]] = {}
    for section in doc.sections:
        for table in section.tables:
            ws, n = _write_table(wb, table, used)
            tables[table.name] = (ws, table, n)
            contents.append((ws.title, table.title, n))
        for spec in section.charts:
            if spec.table_name in tables:
                ws, table, n = tables[spec.table_name]
                _native_chart(spec, ws, table, n)
    used.discard("summary")
    _summary_sheet(wb, doc, contents, used)
    if summary_first:
        wb._sheets.insert(0, wb._sheets.pop())
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def plain_rows(rows: Iterable[Sequence[Any]]) -> Iterable[tuple[Any, ...]]:
    """Rows as tuples of cell values (for tests and the benchmark floor)."""
    for r in rows:
        yield tuple(v.isoformat() if isinstance(v, date | datetime) else v for v in r)
