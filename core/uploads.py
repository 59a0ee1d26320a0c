"""Receiving and reading uploaded spreadsheets safely (the ledger import; the proposal intake can reuse it).

The order is what makes an upload safe:

1. The route takes the raw `Request` and no `File(...)` parameter, so FastAPI resolves the
   token and role dependencies *before* anything reads the body (with a `File` parameter it
   reads the whole multipart form first: a 300 MiB upload without a token was read in full
   before its 401).
2. :func:`receive_upload` then streams the body with a cap: a Content-Length above the limit
   is refused at once (413), and a body without one is cut off as soon as it passes the limit.
3. :func:`read_table` runs in a worker thread (the caller awaits `run_in_threadpool`), never on
   the event loop, and refuses what would make it slow or unsafe before doing the work:
   zip members whose uncompressed sizes (from the zip directory) are absurd; then one
   streaming expat pass over every XML part refuses DTDs and entities, malformed XML, and
   sheets beyond the row, column or cell caps, stopping at the first offending row; only then
   does openpyxl read the workbook (through `defusedxml` too, required here). All refusals are
   422 with a reason.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import time
import xml.parsers.expat
import zipfile
import zlib
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

import openpyxl
from fastapi import HTTPException, Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from core import labels as _labels  # noqa: F401 - the upload messages
from core.errors import InvalidValue, RuleViolation

if not openpyxl.DEFUSEDXML:  # pragma: no cover - a broken installation, refused loudly at start
    raise RuntimeError("defusedxml must be installed (requirements.txt) so that openpyxl refuses XML entities")

# Caps of one spreadsheet besides the row cap (settings.max_import_rows, passed in by the caller).
MAX_COLUMNS = 64  # a ledger has 7; a sheet declaring or holding more is refused before it is read
MAX_CELLS = 4_000_000  # cells parsed in total, empty ones included
MAX_SECONDS = 60.0  # a file that takes longer to read is refused (split it)
MAX_ZIP_MEMBERS = 500
MAX_UNCOMPRESSED_BYTES = 256 * 2**20  # the whole workbook once unzipped, from the zip directory
MAX_COMPRESSION_RATIO = 200  # of a member larger than 1 MiB; ordinary sheets compress 5-30×


@dataclass(frozen=True)
class Upload:
    """One received file: its name as sent and its bytes."""

    filename: str
    content: bytes

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the content (what "the same file" means for duplicate imports)."""
        return hashlib.sha256(self.content).hexdigest()


def _too_large(limit: int) -> HTTPException:
    return HTTPException(413, detail=f"The upload is larger than the limit of {limit:,} bytes.",
                         headers={"Connection": "close"})


async def receive_upload(request: Request, *, max_bytes: int, field: str = "file") -> Upload:
    """The one file sent as multipart field `field`, read with a cap of `max_bytes` (the whole body).

    Call it only after the caller was authenticated and authorised (see the module docstring).
    413 when the body is larger than `max_bytes`; 422 when it is not a multipart form with that file.
    """
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise RuleViolation("upload.not_multipart", field=field, name=field)
    declared = request.headers.get("content-length", "").strip()
    if declared.isdigit() and (len(declared) > 18 or int(declared) > max_bytes):
        raise _too_large(max_bytes)

    async def capped() -> AsyncGenerator[bytes, None]:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_bytes:
                raise _too_large(max_bytes)
            yield chunk

    try:
        form = await MultiPartParser(request.headers, capped(), max_files=1, max_fields=10,
                                     max_part_size=64 * 1024).parse()
    except MultiPartException as exc:
        raise RuleViolation("upload.bad_multipart", field=field, reason=exc.message) from None
    try:
        part = form.get(field)
        if not isinstance(part, UploadFile):
            raise RuleViolation("upload.no_file", field=field, name=field)
        return Upload(filename=part.filename or "", content=await part.read())
    finally:
        await form.close()


# --------------------------------------------------------------------------- reading (in a worker thread)


class _Deadline:
    def __init__(self, filename: str, seconds: float) -> None:
        self.filename, self.seconds = filename, seconds
        self.end = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise RuleViolation("upload.too_slow", field="file", filename=self.filename, seconds=round(self.seconds))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def read_table(upload: Upload, *, max_rows: int, max_columns: int | None = None, max_cells: int | None = None,
               max_seconds: float | None = None) -> list[list[Any]]:
    """The first sheet of a .xlsx, or a .csv, as rows of cell values (the header row included).

    Blocking and CPU-bound: run it in a worker thread. Refuses (RuleViolation → 422, naming the
    reason) a file of another type, an unreadable or hostile one, and one over the caps:
    more than `max_rows` data rows, a row with a value beyond column `max_columns`, more than
    `max_cells` cells or more than `max_seconds` of reading.
    """
    max_columns = MAX_COLUMNS if max_columns is None else max_columns
    max_cells = MAX_CELLS if max_cells is None else max_cells
    name = (upload.filename or "").lower()
    deadline = _Deadline(upload.filename, MAX_SECONDS if max_seconds is None else max_seconds)
    if name.endswith(".xlsx"):
        return _read_xlsx(upload, max_rows, max_columns, max_cells, deadline)
    if name.endswith(".csv"):
        return _read_csv(upload, max_rows, max_columns, deadline)
    raise RuleViolation("upload.not_spreadsheet", field="file", filename=upload.filename)


def _check_row(filename: str, number: int, values: list[Any] | tuple[Any, ...], max_columns: int) -> None:
    if len(values) > max_columns and not all(_blank(v) for v in values[max_columns:]):
        raise RuleViolation("upload.too_wide_row", field="file", filename=filename, row=number, columns=max_columns,
                            details=[{"row": number, "reason": InvalidValue("upload.too_many_columns",
                                                                            columns=max_columns)}])


def _too_many_rows(filename: str, max_rows: int) -> RuleViolation:
    return RuleViolation("upload.too_many_rows", field="file", filename=filename, rows=max_rows)


def _read_csv(upload: Upload, max_rows: int, max_columns: int, deadline: _Deadline) -> list[list[Any]]:
    content, filename = upload.content, upload.filename
    if b"\x00" in content[:4096]:
        raise RuleViolation("upload.binary_csv", field="file", filename=filename)
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RuleViolation("upload.encoding", field="file", filename=filename)
    table: list[list[Any]] = []
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            if number > max_rows + 1:
                raise _too_many_rows(filename, max_rows)
            _check_row(filename, number, row, max_columns)
            table.append(row[:max_columns])
            if number % 1000 == 0:
                deadline.check()
    except csv.Error as exc:
        raise RuleViolation("upload.bad_csv", field="file", filename=filename, reason=str(exc)) from None
    return table


def _check_zip(upload: Upload) -> None:
    """Refuse a zip bomb from its directory, before any member is decompressed.

    Python's zipfile stops a member at the size its directory entry declares, so the
    declared sizes bound what reading can produce.
    """
    filename = upload.filename
    try:
        with zipfile.ZipFile(io.BytesIO(upload.content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise RuleViolation("upload.not_zip", field="file", filename=filename) from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise RuleViolation("upload.too_many_parts", field="file", filename=filename, parts=len(members))
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise RuleViolation("upload.unpacks_too_large", field="file", filename=filename, total=total,
                            limit=MAX_UNCOMPRESSED_BYTES)
    for m in members:
        if m.file_size > 2**20 and m.file_size > MAX_COMPRESSION_RATIO * max(m.compress_size, 1):
            ratio = m.file_size // max(m.compress_size, 1)
            raise RuleViolation("upload.zip_bomb", field="file", filename=filename, part=m.filename[:100],
                                ratio=ratio, limit=MAX_COMPRESSION_RATIO)
        if m.flag_bits & 0x1:
            raise RuleViolation("upload.encrypted", field="file", filename=filename)


SPREADSHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW, _CELL = f"{SPREADSHEET_NS} row", f"{SPREADSHEET_NS} c"
_VALUES = {f"{SPREADSHEET_NS} v", f"{SPREADSHEET_NS} is", f"{SPREADSHEET_NS} f"}
_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d{1,7})$")


class _Refused(Exception):
    """Raised from inside the expat handlers; carries the RuleViolation."""

    def __init__(self, violation: RuleViolation) -> None:
        self.violation = violation


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


class _PartScanner:
    """The expat handlers of one XML part (see :func:`_scan_parts`)."""

    def __init__(self, filename: str, part: str, max_rows: int, max_columns: int, max_cells: int,
                 deadline: _Deadline) -> None:
        self.filename, self.part = filename, part
        self.max_rows, self.max_columns, self.max_cells, self.deadline = max_rows, max_columns, max_cells, deadline
        self.row = self.row_width = self.cells = self.col = self.events = 0
        self.parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
        self.parser.StartDoctypeDeclHandler = self.doctype
        self.parser.EntityDeclHandler = self.doctype
        self.parser.ExternalEntityRefHandler = self.external
        self.parser.StartElementHandler = self.start

    def refuse(self, message: str, **details: Any) -> None:
        raise _Refused(RuleViolation(f"{self.filename}: {message}", field="file",
                                     details=[details] if details else None))

    def doctype(self, *_: Any) -> None:
        self.refuse(f"part {self.part[:100]} declares a DTD or XML entities, which are refused")

    def external(self, *_: Any) -> int:
        self.doctype()
        return 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.events += 1
        if self.events % 20_000 == 0:
            try:
                self.deadline.check()
            except RuleViolation as exc:
                raise _Refused(exc) from None
        if name == _ROW:
            number = attrs.get("r", "")
            self.row = int(number) if number.isdigit() and len(number) < 9 else self.row + 1
            if self.row > self.max_rows + 1:
                raise _Refused(_too_many_rows(self.filename, self.max_rows))
            self.end_row()
            self.col = 0
        elif name == _CELL:
            ref = _CELL_REF.match(attrs.get("r", ""))
            self.col = _column_number(ref.group(1)) if ref else self.col + 1
            self.row_width = max(self.row_width, self.col)
            if self.col > 16384:
                self.refuse(f"a cell beyond the last Excel column (row {self.row})")
        elif name in _VALUES and self.col > self.max_columns:
            self.refuse(f"row {self.row} has values beyond column {self.max_columns}; at most {self.max_columns} "
                        "columns are read", row=self.row, reason=f"more than {self.max_columns} columns")

    def end_row(self) -> None:
        # openpyxl builds each row as wide as its last cell: that is what the cell cap counts
        self.cells += self.row_width
        self.row_width = 0
        if self.cells > self.max_cells:
            self.refuse(f"more than {self.max_cells:,} cells; at most {self.max_cells:,} are read")


def _scan_parts(upload: Upload, max_rows: int, max_columns: int, max_cells: int, deadline: _Deadline) -> None:
    """Stream every XML part of the workbook through expat before openpyxl sees it, refusing early.

    Refused: any DTD or entity declaration (no workbook needs one: XXE, billion laughs),
    malformed XML, a row numbered beyond the row cap (openpyxl would fill the gap with empty
    rows), a value beyond column `max_columns`, and more than `max_cells` cells counting each
    row to its last cell (what openpyxl allocates). openpyxl's own read is then bounded too: it
    parses a sheet without a <dimension> completely just to learn its size.
    """
    with zipfile.ZipFile(io.BytesIO(upload.content)) as archive:
        for member in archive.infolist():
            if member.is_dir() or not member.filename.lower().endswith((".xml", ".rels", ".vml")):
                continue
            scanner = _PartScanner(upload.filename, member.filename, max_rows, max_columns, max_cells, deadline)
            try:
                with archive.open(member) as stream:
                    while chunk := stream.read(256 * 1024):
                        scanner.parser.Parse(chunk, False)
                    scanner.parser.Parse(b"", True)
                scanner.end_row()
            except _Refused as refused:
                raise refused.violation from None
            except xml.parsers.expat.ExpatError as exc:
                raise RuleViolation("upload.bad_xml", field="file", filename=upload.filename,
                                    part=member.filename[:100], line=exc.lineno,
                                    reason=xml.parsers.expat.errors.messages.get(exc.code, "error")) from None
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
                raise RuleViolation("upload.cannot_unpack", field="file", filename=upload.filename,
                                    part=member.filename[:100], reason=type(exc).__name__) from None


def _xml_reason(exc: BaseException) -> str:
    """A person's reason for an XML failure inside a workbook (openpyxl wraps the parser's error)."""
    seen = 0
    while seen < 5 and (exc.__cause__ or exc.__context__) is not None and type(exc).__name__ == "ValueError" \
            and str(exc).startswith("Unable to read workbook"):
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
        seen += 1
    kind = type(exc).__name__
    if kind in ("EntitiesForbidden", "ExternalReferenceForbidden", "DTDForbidden", "NotSupportedError"):
        return "it declares XML entities or external references, which are refused"
    if kind == "ParseError":
        return f"its XML is malformed ({str(exc)[:120]})"
    return f"{kind}: {str(exc)[:120]}" if str(exc) else kind


def _read_xlsx(upload: Upload, max_rows: int, max_columns: int, max_cells: int,
               deadline: _Deadline) -> list[list[Any]]:
    from openpyxl import load_workbook

    filename = upload.filename
    _check_zip(upload)
    _scan_parts(upload, max_rows, max_columns, max_cells, deadline)
    try:
        wb = load_workbook(io.BytesIO(upload.content), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on junk; each is the file's fault
        raise RuleViolation(f"{filename} is not a readable Excel (.xlsx) workbook: {_xml_reason(exc)}",
                            field="file") from None
    try:
        if not wb.worksheets:
            raise RuleViolation("upload.no_sheet", field="file", filename=filename)
        ws = wb.worksheets[0]
        # The declared size (<dimension ref="A1:…">) lets an absurd sheet be refused before it is read.
        declared_cols, declared_rows = ws.max_column, ws.max_row
        if isinstance(declared_cols, int) and declared_cols > max_columns:
            raise RuleViolation("upload.declared_columns", field="file", filename=filename, declared=declared_cols,
                                columns=max_columns)
        if isinstance(declared_rows, int) and declared_rows > max_rows + 1:
            raise _too_many_rows(filename, max_rows)
        # Then read the rows as stored, not trimmed to the declared size: a sheet that declares 7 columns
        # but holds 500 must show them to the column check below.
        ws.reset_dimensions()
        table: list[list[Any]] = []
        cells = 0
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if number > max_rows + 1:
                raise _too_many_rows(filename, max_rows)
            _check_row(filename, number, values, max_columns)
            cells += len(values)
            if cells > max_cells:
                raise RuleViolation("upload.too_many_cells", field="file", filename=filename, cells=max_cells)
            table.append(list(values[:max_columns]))
            if number % 500 == 0:
                deadline.check()
        return table
    except RuleViolation:
        raise
    except Exception as exc:  # noqa: BLE001 - malformed sheet XML surfaces while iterating
        raise RuleViolation(f"{filename} is not a readable Excel (.xlsx) workbook: {_xml_reason(exc)}",
                            field="file") from None
    finally:
        wb.close()
