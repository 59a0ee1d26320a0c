"""`python main.py report {status,evaluation,compliance} --format {pdf,xlsx} --out PATH [--project CODE|ID]`."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from tqdm import tqdm

from core import db
from core.db import Session
from core.errors import DomainError, NotFound
from core.i18n import render
from core.labels import cli_lang
from core.timeutil import today_kst
from program import service as program_service
from reports import labels as _labels  # noqa: F401  (registers the report's messages)
from reports import service


def resolve_project(session: Session, ref: str | int | None) -> int | None:
    """A project given by its code (2021-D-LANG-001) or its id → its id; NotFound when neither matches."""
    if ref is None:
        return None
    text = str(ref).strip()
    by_code = getattr(program_service, "project_by_code", None)
    if by_code is not None and not text.isdigit():
        return int(by_code(session, text).id)
    if text.isdigit():
        return int(text)
    projects, _ = program_service.list_projects(session, limit=1_000_000)
    for p in projects:
        if p.code == text:
            return int(p.id)
    raise NotFound("report.project_not_found", field="project", code=text)


def run_report(args: argparse.Namespace) -> int:
    """Render a report to a file, with a progress bar for the ledger of the compliance workbook."""
    out = Path(args.out)
    if out.parent and not out.parent.exists():
        print(f"error: directory {out.parent} does not exist", file=sys.stderr)
        return 2
    as_of = date.fromisoformat(args.as_of) if getattr(args, "as_of", None) else today_kst()
    bars: dict[str, tqdm] = {}

    def progress(what: str, done: int, total: int | None) -> None:
        bar = bars.get(what)
        if bar is None:
            bar = bars[what] = tqdm(total=total, desc=what, unit="row", file=sys.stderr, leave=False)
        bar.update(done - bar.n)

    try:
        with db.session_scope() as session:
            report = service.render_report(session, args.kind, args.format, generated_by="cli (system)", today=as_of,
                                           program_id=args.program_id,
                                           project_id=resolve_project(session, args.project), progress=progress,
                                           lang="en" if getattr(args, "lang", None) == "en" else "ko")
    except DomainError as exc:
        lang = cli_lang(getattr(args, "lang", None))
        print(render("cli.error", {"message": exc.render(lang)}, lang), file=sys.stderr)
        return 2
    finally:
        for bar in bars.values():
            bar.close()
    out.write_bytes(report.content)
    print(f"wrote {out} ({len(report.content):,} bytes, {report.content_type})")
    return 0
