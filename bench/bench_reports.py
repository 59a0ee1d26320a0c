"""Report benchmarks, each a ratio against a floor measured in the same run.

1. The library comparison (issue 14, "Exports stream"): the compliance workbook's data sheets
   (ledger, hires, awards, budget lines, audit log), fetched with plain sqlite3 and written as
   plain rows by XlsxWriter's constant-memory mode and by openpyxl's write-only mode, at
   programme scale (one programme, ~60k ledger rows) and national scale (2017–2025, ~1M rows):
   wall time and peak memory (max RSS of a fresh process, and its growth over the process's
   baseline). The faster library writes our workbooks (reports/excel.py: XlsxWriter).
2. Our compliance workbook (`reports.service.render_report(..., "compliance", "xlsx")`: the
   checks, Korean labels, typed cells, totals, charts) at both scales against the floor of the
   library it uses (XlsxWriter constant-memory on the same rows). Goal: memory within 1.5× of
   the floor's growth (flat as rows grow: national growth ≈ programme growth), time reported.
3. The status PDF of the national database's current programme against a bare reportlab
   document of the same tables (plain Table, no charts, no Paragraph wrapping). Goal: within 1.5×.

The databases: $NATIONAL_DB (a SQLite path) or var/national.db, seeded when missing with
`schema.create_all` + `seed_data.run.run_seed(scale="national")`; $PROGRAMME_DB or
var/programme.db, seeded the same way at scale="program".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from bench.common import save

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 9, 30)


def database(scale: str = "national") -> Path:
    if scale == "national":
        path = Path(os.environ.get("NATIONAL_DB", ROOT / "var" / "national.db"))
    else:
        path = Path(os.environ.get("PROGRAMME_DB", ROOT / "var" / "programme.db"))
    if not path.exists():
        import schema
        from core import db
        from seed_data.run import run_seed

        path.parent.mkdir(parents=True, exist_ok=True)
        eng = db.make_engine(f"sqlite:///{path}")
        schema.create_all(eng)
        run_seed(eng, scale=scale, seed=2021, progress=True)
        eng.dispose()
    return path


# Each measurement runs in its own process so that max RSS is that job's peak alone.
CHILD = r'''
import json, resource, sys, time
sys.path.insert(0, {root!r})
from bench.bench_reports import {func}
started = time.perf_counter()
info = {func}({path!r})
seconds = time.perf_counter() - started
seconds = info.pop("seconds", seconds)  # a function that prepares first times its own export
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent (a bench that just seeded the database)
hwm = next(int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmHWM:")) / 1024
peak = info.pop("peak_rss_mb", hwm)
baseline = info.pop("baseline_rss_mb")
print(json.dumps({{"seconds": seconds, "peak_rss_mb": peak, "growth_mb": peak - baseline, **info}}))
'''


def _run(func: str, path: Path) -> dict[str, Any]:
    code = CHILD.format(root=str(ROOT), func=func, path=str(path))
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"{func} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _rss_now() -> float:
    return _status_mb("VmHWM")  # the process's own peak so far (ru_maxrss would include the parent's)


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def _reset_peak() -> float:
    """Reset the process's peak RSS (Linux: clear_refs 5) and return its current RSS, the export's baseline."""
    import gc

    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")
    return _status_mb("VmRSS")


# --------------------------------------------------------------------------- compliance workbook


def ours_compliance_xlsx(path: str) -> dict[str, Any]:
    from sqlmodel import Session

    import schema
    from core import db
    from reports import service

    schema.load_models()
    eng = db.make_engine(f"sqlite:///{path}")
    import reports.excel  # noqa: F401  (imports done before the baseline)
    base = _rss_now()
    with Session(eng) as s:
        report = service.render_report(s, "compliance", "xlsx", generated_by="bench", today=AS_OF)
    return {"bytes": len(report.content), "baseline_rss_mb": base}


def ours_compliance_export(path: str) -> dict[str, Any]:
    """The export alone: the document (the checks run, the findings held) is built first, then the peak RSS is
    reset and the workbook written (ledger, hires, audit log streamed from the database): its time and growth."""
    import time

    from sqlmodel import Session

    import schema
    from core import db
    from reports import excel
    from reports.compliance_report import compliance_document

    schema.load_models()
    eng = db.make_engine(f"sqlite:///{path}")
    with Session(eng) as s:
        doc = compliance_document(s, program_id=None, generated_by="bench", today=AS_OF, workbook=True)
        base = _reset_peak()
        started = time.perf_counter()
        content = excel.render_workbook(doc)
        seconds = time.perf_counter() - started
    return {"bytes": len(content), "baseline_rss_mb": base, "peak_rss_mb": _status_mb("VmHWM"), "seconds": seconds}


FLOOR_SHEETS = {
    "ledger": "SELECT e.id, e.award_id, p.code, b.category, e.spent_date, e.amount_krw, e.payee_name, "
              "e.payee_business_number, e.description, e.evidence_ref, e.reverses_id FROM expenditure e "
              "JOIN budget_line b ON b.id = e.line_id JOIN award a ON a.id = e.award_id "
              "JOIN project p ON p.id = a.project_id ORDER BY e.program_id, e.id",
    "hires": "SELECT id, award_id, person_key, org_id, job_role, employment_type, contract_start, contract_end, "
             "full_time, social_insurance, evidence_contract, evidence_insurance, evidence_payroll FROM hire "
             "ORDER BY award_id, id",
    "awards": "SELECT a.id, p.code, p.title_ko, a.grant_krw, a.matching_krw, a.start_date, a.current_end_date "
              "FROM award a JOIN project p ON p.id = a.project_id ORDER BY a.id",
    "budget_lines": "SELECT id, award_id, category, budget_krw, spent_krw FROM budget_line ORDER BY award_id, id",
    "audit_log": "SELECT id, occurred_at, actor, action, entity_type, entity_id, reason, hash FROM audit_event",
}


def floor_compliance_xlsx(path: str) -> dict[str, Any]:
    """openpyxl write-only mode: the data sheets' rows appended as plain tuples."""
    import io
    import sqlite3

    from openpyxl import Workbook

    base = _reset_peak()
    con = sqlite3.connect(path)
    wb = Workbook(write_only=True)
    rows = 0
    for name, sql in FLOOR_SHEETS.items():
        ws = wb.create_sheet(name)
        cur = con.execute(sql)
        ws.append([d[0] for d in cur.description])
        while True:
            batch = cur.fetchmany(10_000)
            if not batch:
                break
            for r in batch:
                ws.append(r)
            rows += len(batch)
    buf = io.BytesIO()
    wb.save(buf)
    return {"bytes": len(buf.getvalue()), "rows": rows, "baseline_rss_mb": base, "peak_rss_mb": _status_mb("VmHWM")}


def floor_compliance_xlsxwriter(path: str) -> dict[str, Any]:
    """XlsxWriter constant-memory mode: the same rows, written row by row (each row flushed as the next begins)."""
    import io
    import sqlite3

    import xlsxwriter

    base = _reset_peak()
    con = sqlite3.connect(path)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True, "strings_to_numbers": False,
                                   "strings_to_formulas": False, "strings_to_urls": False})
    rows = 0
    for name, sql in FLOOR_SHEETS.items():
        ws = wb.add_worksheet(name)
        cur = con.execute(sql)
        ws.write_row(0, 0, [d[0] for d in cur.description])
        n = 0
        while True:
            batch = cur.fetchmany(10_000)
            if not batch:
                break
            for r in batch:
                n += 1
                ws.write_row(n, 0, r)
            rows += len(batch)
    wb.close()
    return {"bytes": len(buf.getvalue()), "rows": rows, "baseline_rss_mb": base, "peak_rss_mb": _status_mb("VmHWM")}


# --------------------------------------------------------------------------- status PDF


def ours_status_pdf(path: str) -> dict[str, Any]:
    from sqlmodel import Session

    import schema
    from core import db
    from reports import service

    schema.load_models()
    eng = db.make_engine(f"sqlite:///{path}")
    base = _rss_now()
    with Session(eng) as s:
        report = service.render_report(s, "status", "pdf", generated_by="bench", today=AS_OF)
    return {"bytes": len(report.content), "baseline_rss_mb": base}


def floor_status_pdf(path: str) -> dict[str, Any]:
    """The same tables, built by the same service calls, in a bare reportlab document (no charts, no styling)."""
    import io

    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import SimpleDocTemplate, Table
    from sqlmodel import Session

    import schema
    from core import db
    from reports import pdf as our_pdf
    from reports.status_report import status_document

    schema.load_models()
    eng = db.make_engine(f"sqlite:///{path}")
    base = _rss_now()
    with Session(eng) as s:
        doc = status_document(s, program_id=None, generated_by="bench", today=AS_OF)
    our_pdf.register_fonts()
    story = []
    for section in doc.sections:
        for t in section.tables:
            data = [[c.label for c in t.columns], *[[str(v) for v in r] for r in t.rows]]
            table = Table(data)
            table.setStyle([("FONTNAME", (0, 0), (-1, -1), our_pdf.FONT)])
            story.append(table)
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=landscape(A4)).build(story)
    return {"bytes": len(buf.getvalue()), "baseline_rss_mb": base}


def _pair(result: dict[str, Any], name: str, ours: dict[str, Any], floor: dict[str, Any]) -> None:
    result[f"{name}.floor_seconds"] = round(floor["seconds"], 2)
    result[f"{name}.ours_seconds"] = round(ours["seconds"], 2)
    result[f"{name}.time_ratio"] = round(ours["seconds"] / floor["seconds"], 2)
    result[f"{name}.floor_peak_rss_mb"] = round(floor["peak_rss_mb"], 1)
    result[f"{name}.ours_peak_rss_mb"] = round(ours["peak_rss_mb"], 1)
    result[f"{name}.floor_growth_mb"] = round(floor["growth_mb"], 1)
    result[f"{name}.ours_growth_mb"] = round(ours["growth_mb"], 1)
    result[f"{name}.memory_ratio"] = round(ours["peak_rss_mb"] / floor["peak_rss_mb"], 2)
    result[f"{name}.growth_ratio"] = round(ours["growth_mb"] / max(floor["growth_mb"], 1.0), 2)
    result[f"{name}.ours_bytes"] = ours["bytes"]
    result[f"{name}.floor_bytes"] = floor["bytes"]
    if "rows" in floor:
        result[f"{name}.rows"] = floor["rows"]
    print(f"  {name}: ours {ours['seconds']:.1f}s {ours['peak_rss_mb']:.0f} MB (growth {ours['growth_mb']:.0f}) / "
          f"floor {floor['seconds']:.1f}s {floor['peak_rss_mb']:.0f} MB (growth {floor['growth_mb']:.0f})", flush=True)


def main(scales: tuple[str, ...] = ("program", "national")) -> None:
    result: dict[str, Any] = {}
    for scale in scales:
        path = database(scale)
        print(f"  {scale} database {path}", flush=True)
        openpyxl_floor = _run("floor_compliance_xlsx", path)
        xlsxwriter_floor = _run("floor_compliance_xlsxwriter", path)
        # the library comparison: XlsxWriter (ours) against openpyxl write-only, on the same rows
        _pair(result, f"{scale}.xlsxwriter_vs_openpyxl", xlsxwriter_floor, openpyxl_floor)
        # our export (typed cells, Korean labels, totals, charts) against the floor of the library it uses
        _pair(result, f"{scale}.compliance_export", _run("ours_compliance_export", path), xlsxwriter_floor)
        # the whole report (the checks included), for the record
        ours = _run("ours_compliance_xlsx", path)
        result[f"{scale}.compliance_report.seconds"] = round(ours["seconds"], 2)
        result[f"{scale}.compliance_report.peak_rss_mb"] = round(ours["peak_rss_mb"], 1)
        if scale == "national":
            _pair(result, "national.status_pdf", _run("ours_status_pdf", path), _run("floor_status_pdf", path))
    save("reports", result)


if __name__ == "__main__":
    main(tuple(sys.argv[1:]) or ("program", "national"))
