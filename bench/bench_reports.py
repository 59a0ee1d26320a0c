"""Report benchmarks at national scale, each a ratio against a floor measured in the same run.

1. The compliance workbook of every programme (~1M ledger rows): wall time and peak memory
   (max RSS of a fresh process) of `reports.service.render_report(..., "compliance", "xlsx")`
   against the floor: openpyxl write-only mode writing the same sheets' rows, fetched with plain
   sqlite3 and appended as plain tuples (no styles, no checks, no logic). Goal: within 1.5×.
2. The status PDF of the national database's current programme against a bare reportlab
   document of the same tables (plain Table, no charts, no Paragraph wrapping). Goal: within 1.5×.

The database: $NATIONAL_DB (a SQLite path) or var/national.db, seeded when missing with
`schema.create_all` + `seed_data.run.run_seed(scale="national")`.
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


def database() -> Path:
    path = Path(os.environ.get("NATIONAL_DB", ROOT / "var" / "national.db"))
    if not path.exists():
        import schema
        from core import db
        from seed_data.run import run_seed

        path.parent.mkdir(parents=True, exist_ok=True)
        eng = db.make_engine(f"sqlite:///{path}")
        schema.create_all(eng)
        run_seed(eng, scale="national", seed=2021, progress=True)
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
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
baseline = info.pop("baseline_rss_mb")
print(json.dumps({{"seconds": seconds, "peak_rss_mb": peak, "growth_mb": peak - baseline, **info}}))
'''


def _run(func: str, path: Path) -> dict[str, Any]:
    code = CHILD.format(root=str(ROOT), func=func, path=str(path))
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _rss_now() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
    import io
    import sqlite3

    from openpyxl import Workbook

    base = _rss_now()
    con = sqlite3.connect(path)
    wb = Workbook(write_only=True)
    rows = 0
    for name, sql in FLOOR_SHEETS.items():
        ws = wb.create_sheet(name)
        cur = con.execute(sql)
        ws.append([d[0] for d in cur.description])
        while True:
            batch = cur.fetchmany(50_000)
            if not batch:
                break
            for r in batch:
                ws.append(r)
            rows += len(batch)
    buf = io.BytesIO()
    wb.save(buf)
    return {"bytes": len(buf.getvalue()), "rows": rows, "baseline_rss_mb": base}


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


def main() -> None:
    path = database()
    print(f"  database {path}", flush=True)
    result: dict[str, Any] = {}
    for name, ours, floor in (("compliance_xlsx", "ours_compliance_xlsx", "floor_compliance_xlsx"),
                              ("status_pdf", "ours_status_pdf", "floor_status_pdf")):
        f = _run(floor, path)
        o = _run(ours, path)
        result[f"{name}.floor_seconds"] = round(f["seconds"], 2)
        result[f"{name}.ours_seconds"] = round(o["seconds"], 2)
        result[f"{name}.time_ratio"] = round(o["seconds"] / f["seconds"], 2)
        result[f"{name}.floor_peak_rss_mb"] = round(f["peak_rss_mb"], 1)
        result[f"{name}.ours_peak_rss_mb"] = round(o["peak_rss_mb"], 1)
        result[f"{name}.floor_growth_mb"] = round(f["growth_mb"], 1)
        result[f"{name}.ours_growth_mb"] = round(o["growth_mb"], 1)
        result[f"{name}.memory_ratio"] = round(o["peak_rss_mb"] / f["peak_rss_mb"], 2)
        result[f"{name}.ours_bytes"] = o["bytes"]
        result[f"{name}.floor_bytes"] = f["bytes"]
        if "rows" in f:
            result[f"{name}.rows"] = f["rows"]
        print(f"  {name}: ours {o['seconds']:.1f}s / floor {f['seconds']:.1f}s", flush=True)
    save("reports", result)
