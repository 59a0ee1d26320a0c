"""`python main.py audit {verify,checkpoint,rebaseline,keygen,public-key}`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

# The heavy modules are imported inside the commands: `main.py --help` stays fast.


def _say(args: argparse.Namespace | None, key: str, **params: Any) -> str:
    """A line of output in the operator's language (`--lang`, else the locale, else Korean)."""
    from core.i18n import render
    from core.labels import cli_lang

    return render(key, params, cli_lang(getattr(args, "lang", None)))


def _error(args: argparse.Namespace | None, exc: object) -> str:
    """`error: …` in the operator's language; an error that keeps a message key (core.checkpoint) is rendered."""
    from core.labels import cli_lang

    render = getattr(exc, "render", None)
    return _say(args, "cli.error", message=render(cli_lang(getattr(args, "lang", None))) if callable(render)
                else exc)


def _public_key(args: argparse.Namespace) -> Any:
    from core import checkpoint

    if getattr(args, "public_key", None):
        return checkpoint.load_public_key(args.public_key)
    return checkpoint.ensure_key().public_key()


def run_verify(args: argparse.Namespace) -> int:
    """Verify the chain, every guarded row, and (with --checkpoint) that the log extends each checkpoint."""
    from core import audit, checkpoint, db
    from core.labels import cli_lang

    lang = cli_lang(getattr(args, "lang", None))
    try:
        public_key = _public_key(args) if args.checkpoint else None
        loaded = checkpoint.load_file(args.checkpoint) if args.checkpoint else None
    except (OSError, ValueError, checkpoint.KeyMissing) as exc:
        print(_error(args, exc), file=sys.stderr)
        return 2
    with db.session_scope() as session:
        report = audit.verify_history(session, checkpoints=loaded, public_key=public_key,
                                      max_findings=args.limit)
    if args.json:
        print(json.dumps(report.to_dict(lang), ensure_ascii=False, indent=2))
        return 0 if report.ok else 1
    out = sys.stdout if report.ok else sys.stderr
    chain = report.chain
    if chain.ok:
        print(_say(args, "cli.chain_intact", checked=chain.checked, last_hash=chain.last_hash), file=out)
    else:
        problem = chain.problem_message.text(lang) if chain.problem_message else "–"
        print(_say(args, "cli.chain_broken", event=chain.first_broken_id, problem=problem,
                   checked=chain.checked), file=out)
    rows = sum(t.rows for t in report.tables.values())
    print(_say(args, "cli.guarded_rows", rows=f"{rows:,}", tables=len(report.tables),
               problems=report.problem_count), file=out)
    for f in report.findings:
        print(f"  {f.line(lang)}", file=out)
    if report.problem_count > len(report.findings):
        print(_say(args, "cli.more_findings", count=report.problem_count - len(report.findings)), file=out)
    for hint in report.hint_messages:
        print(_say(args, "cli.hint", hint=hint.text(lang)), file=out)
    if report.checkpoints is not None:
        cps = report.checkpoints
        print(cps.summary(lang), file=out)
        for p in cps.problems[1:]:
            print(_say(args, "cli.checkpoint_line", line=p.line, detail=p.text(lang)), file=out)
    print(_say(args, "cli.history_intact" if report.ok else "cli.history_broken", seconds=f"{report.seconds:.1f}"),
          file=out)
    return 0 if report.ok else 1


def run_checkpoint(args: argparse.Namespace) -> int:
    """Sign the log's head now and append it to the checkpoint file (`--job`: as an ``audit.checkpoint`` job
    a worker runs, followed with a progress bar)."""
    from core import checkpoint, db
    from core.labels import cli_lang
    from core.settings import get_settings

    if getattr(args, "job", False):
        return _checkpoint_job(args)
    try:
        with db.session_scope() as session:
            cp = checkpoint.write(session, note=args.note or "cli")
    except (OSError, checkpoint.KeyMissing) as exc:
        print(_error(args, exc), file=sys.stderr)
        return 2
    print(_say(args, "cli.checkpoint_appended", footer=cp.footer(cli_lang(getattr(args, "lang", None))),
               path=get_settings().audit_checkpoint_file))
    return 0


def _checkpoint_job(args: argparse.Namespace) -> int:
    import json

    from core import db, jobs
    from core.labels import cli_lang
    from core.settings import get_settings

    lang = cli_lang(getattr(args, "lang", None))
    db.configure(get_settings().database_url)
    job = jobs.submit("audit.checkpoint", {"note": args.note or "cli"},
                      reason=args.reason or "main.py audit checkpoint --job", on_worker=True, lang=lang)
    if job.status != jobs.JobStatus.done or not job.result_path:
        print(_say(args, "cli.job_ended", id=job.id, status=jobs.i18n.code_label("job_status", job.status, lang),
                   message=job.message(lang)), file=sys.stderr)
        return 1
    written = json.loads(jobs.result_file(job).read_text(encoding="utf-8"))
    print(_say(args, "cli.checkpoint_appended", footer=written["footer"][lang],
               path=get_settings().audit_checkpoint_file))
    print(_say(args, "cli.job_done", id=job.id))
    return 0


def run_rebaseline(args: argparse.Namespace) -> int:
    """Re-record digests after a migration that added columns (and adopt uncovered rows with --adopt)."""
    from core import audit, db
    from core.labels import cli_lang

    lang = cli_lang(getattr(args, "lang", None))
    if not args.added and not args.adopt:
        print(_error(args, _say(args, "cli.rebaseline_needs")), file=sys.stderr)
        return 2
    try:
        with db.session_scope(write=True) as session:
            result = audit.rebaseline(session, audit.SYSTEM, reason=args.reason, added=args.added or (),
                                      adopt=args.adopt)
            if result.refused is None:
                session.commit()
    except ValueError as exc:
        print(_error(args, exc), file=sys.stderr)
        return 2
    if result.refused is not None:
        print(_say(args, "cli.rebaseline_refused"), file=sys.stderr)
        print(result.refused.summary(lang), file=sys.stderr)
        for f in result.refused.findings:
            print(f"  {f.line(lang)}", file=sys.stderr)
        return 1
    for table, n in sorted(result.rows.items()):
        print(_say(args, "cli.rebaseline_rows", table=f"{table:<24}", rows=f"{n:>10,}"))
    print(_say(args, "cli.rebaseline_written", count=len(result.events), first=result.events[:1],
               last=result.events[-1:]))
    return 0


def run_keygen(args: argparse.Namespace) -> int:
    from core import checkpoint
    from core.settings import get_settings

    path = args.out or get_settings().audit_key_file
    try:
        key = checkpoint.keygen(path)
    except FileExistsError as exc:
        print(_error(args, exc), file=sys.stderr)
        return 2
    print(_say(args, "cli.keygen_wrote", path=path, key_id=checkpoint.key_id(key.public_key())))
    return 0


def run_public_key(args: argparse.Namespace) -> int:
    from core import checkpoint

    try:
        print(checkpoint.public_key_pem(checkpoint.ensure_key()), end="")
    except checkpoint.KeyMissing as exc:
        print(_error(args, exc), file=sys.stderr)
        return 2
    return 0


def add_commands(asub: argparse._SubParsersAction,
                 mk: Callable[[str, str], Callable[[argparse.Namespace], int]]) -> None:
    """Add the audit subcommands to `main.py audit` (`mk(module, func)` makes a lazy runner)."""
    v = asub.add_parser("verify", help="verify the chain and every guarded row; exit 1 when anything is off")
    v.add_argument("--checkpoint", metavar="FILE", help="also prove the log extends every checkpoint in FILE")
    v.add_argument("--public-key", metavar="PEM", help="check checkpoint signatures with this key "
                   "(default: the audit key of the settings)")
    v.add_argument("--json", action="store_true")
    v.add_argument("--limit", type=int, default=50, help="most findings to list (default 50)")
    v.set_defaults(func=mk("core.audit_cli", "run_verify"))
    c = asub.add_parser("checkpoint", help="sign the log's head now and append it to the checkpoint file")
    c.add_argument("--note", default="")
    c.add_argument("--job", action="store_true",
                   help="as an audit.checkpoint job on the queue (a worker runs it; progress shown, audited)")
    c.add_argument("--reason", default=None, help="why (kept in the audit log with the job)")
    c.set_defaults(func=mk("core.audit_cli", "run_checkpoint"))
    r = asub.add_parser("rebaseline", help="re-record digests after a migration that added columns")
    r.add_argument("--added", action="append", metavar="TABLE.COLUMN", help="a column the migration added")
    r.add_argument("--adopt", action="store_true",
                   help="also cover rows that no event covers (a database older than row coverage)")
    r.add_argument("--reason", required=True)
    r.set_defaults(func=mk("core.audit_cli", "run_rebaseline"))
    k = asub.add_parser("keygen", help="create the Ed25519 audit signing key (refuses to overwrite)")
    k.add_argument("--out", help="key file (default: AUDIT_KEY_FILE)")
    k.set_defaults(func=mk("core.audit_cli", "run_keygen"))
    pk = asub.add_parser("public-key", help="print the public key auditors verify checkpoints with")
    pk.set_defaults(func=mk("core.audit_cli", "run_public_key"))
