"""`python main.py check [--json] [--program-id N] [--as-of D] [--store] [--lang ko|en]`.

Without `--store`: compute the checks now and print the findings. With `--store`: a full run
per programme whose findings are stored for the API and the dashboard (compliance/store.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from compliance import service
from compliance.labels import finding_message, finding_subject, severity_label, status_label
from core import db
from core.audit import Actor
from core.errors import DomainError
from core.i18n import render
from core.labels import cli_lang
from program.reporting import as_of_for


def _day(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def run_check(args: argparse.Namespace) -> int:
    """Print counts by severity, each check's status, then the findings; exit 1 when there are findings."""
    lang = cli_lang(getattr(args, "lang", None))  # --lang, else the locale (LANG=en…), else Korean
    args.as_of = _day(getattr(args, "as_of", None))
    with db.session_scope(write=bool(getattr(args, "store", False))) as session:
        try:
            as_of = as_of_for(session, args.program_id, getattr(args, "as_of", None))
            if getattr(args, "store", False):
                pids = [args.program_id] if args.program_id else service.store.programme_ids(session)
                actor = Actor("cli", "system")
                for pid in pids:
                    run = service.run_full(session, actor, program_id=pid,
                                           as_of=as_of_for(session, pid, getattr(args, "as_of", None)))
                    print(("stored findings: programme {pid}, +{a} −{r}" if lang == "en" else
                           "점검 결과 저장: 사업 {pid}, 추가 {a}건 · 삭제 {r}건").format(pid=pid, a=run.added,
                                                                                 r=run.removed))
                return 0
            report = service.run_checks(session, today=as_of, program_id=args.program_id)
        except DomainError as exc:
            print(render("cli.error", {"message": exc.render(lang)}, lang), file=sys.stderr)
            return 2
    if args.json:
        out = report.model_dump(mode="json")
        out["findings"] = [f.with_text(lang).model_dump(mode="json") for f in report.findings]
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 1 if report.total else 0
    en = lang == "en"
    print(f"compliance checks as of {report.as_of}" if en else f"감사 점검 (기준일 {report.as_of})")
    print(", ".join(f"{severity_label(k, lang)} {v}" for k, v in report.counts.items())
          + (f"; total {report.total}" if en else f" · 계 {report.total}건"))
    titles = {c.id: c for c in service.list_checks(lang)}
    for outcome in report.checks:
        c = titles[outcome.check_id]
        extra = f" — {outcome.detail}" if outcome.detail else ""
        print(f"  {c.id:<7} {status_label(outcome.status, lang):<8} {outcome.findings:>5}  {c.title}{extra}")
    print()
    for f in report.findings:
        print(f"[{severity_label(f.severity, lang)}] {f.check_id} {finding_subject(f, lang)}: "
              f"{finding_message(f, lang)}")
    return 1 if report.total else 0
