"""`python main.py check [--json] [--program-id N]`: run the checks and print the findings."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from compliance import service
from core import db
from core.errors import DomainError
from core.timeutil import today_kst


def run_check(args: argparse.Namespace) -> int:
    """Print counts by severity, each check's status, then the findings; exit 1 when there are findings."""
    as_of = date.fromisoformat(args.as_of) if getattr(args, "as_of", None) else today_kst()
    with db.session_scope() as session:
        try:
            report = service.run_checks(session, today=as_of, program_id=args.program_id)
        except DomainError as exc:
            print(f"error: {exc.message}", file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return 1 if report.total else 0
    print(f"compliance checks as of {report.as_of}"
          + (f" (programme {report.program_id})" if report.program_id else " (all programmes)"))
    print("findings by severity: " + ", ".join(f"{k} {v}" for k, v in report.counts.items())
          + f"; total {report.total}")
    titles = {c.id: c for c in service.list_checks()}
    for outcome in report.checks:
        c = titles[outcome.check_id]
        extra = f" — {outcome.detail}" if outcome.detail else ""
        print(f"  {c.id:<7} {outcome.status:<11} {outcome.findings:>5}  {c.title_ko} ({c.title_en}){extra}")
    print()
    for f in report.findings:
        print(f"[{f.severity.upper():<6}] {f.check_id} {f.subject}: {f.message}")
    return 1 if report.total else 0
