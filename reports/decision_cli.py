"""`python main.py report decision --call-type {designated,regional,free} --format {pdf,xlsx} --out FILE
[--program-id ID] [--project CODE|ID]`; every other kind goes to reports.cli."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core import db
from core.errors import DomainError
from core.i18n import render
from core.labels import cli_lang
from reports import cli
from reports.decision_api import decision_file


def run_report(args: argparse.Namespace) -> int:
    """Write the decision package of a call type (or of one project) to a file."""
    if args.kind != "decision":
        return cli.run_report(args)
    if not args.call_type:
        print("error: report decision needs --call-type (designated, regional or free)", file=sys.stderr)
        return 2
    out = Path(args.out)
    if out.parent and not out.parent.exists():
        print(f"error: directory {out.parent} does not exist", file=sys.stderr)
        return 2
    try:
        with db.session_scope() as session:
            content, _, media = decision_file(session, "cli (system)", args.call_type, args.format,
                                              program_id=args.program_id,
                                              project_id=cli.resolve_project(session, args.project))
    except DomainError as exc:
        lang = cli_lang(getattr(args, "lang", None))
        print(render("cli.error", {"message": exc.render(lang)}, lang), file=sys.stderr)
        return 2
    out.write_bytes(content)
    print(f"wrote {out} ({len(content):,} bytes, {media})")
    return 0
