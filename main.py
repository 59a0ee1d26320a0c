"""Command line of the grant programme system. `python main.py --help` lists the commands."""

from __future__ import annotations

import argparse
import getpass
import importlib
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

INT32_MAX = 2**31 - 1  # ids and counts fit an INTEGER column on PostgreSQL


def _int_in(low: int, high: int, what: str) -> Callable[[str], int]:
    """An argparse type: a decimal integer within [low, high], else a clear message (exit 2)."""

    def parse(text: str) -> int:
        raw = text.strip()
        if not raw.lstrip("-").isdigit():
            raise argparse.ArgumentTypeError(f"{what} must be a whole number, not {text[:40]!r}")
        if len(raw) > 12 or not low <= int(raw) <= high:
            raise argparse.ArgumentTypeError(f"{what} must be between {low} and {high}, not {raw[:40]}")
        value = int(raw)
        return value

    parse.__name__ = what  # argparse names the type in its messages
    return parse


def _iso_date(text: str) -> str:
    """An argparse type: a calendar date YYYY-MM-DD (returned as that text)."""
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a date; write YYYY-MM-DD, "
                                         "e.g. 2022-12-31") from None
    if not 1900 <= value.year <= 2200:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is outside the years 1900–2200")
    return value.isoformat()


_ID = _int_in(1, INT32_MAX, "id")


def _project_ref(text: str) -> str:
    """An argparse type: a project code (2021-D-LANG-001) or id (letters, digits and hyphens, at most 40)."""
    value = text.strip()
    if value.lstrip("-").isdigit():  # a number is an id: within the id range (not -1, not 0)
        return str(_ID(value))
    if not 0 < len(value) <= 40 or not value[0].isalnum() \
            or not all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in value):
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a project code or id; write e.g. 2021-D-LANG-001")
    return value


def _cli_error(args: argparse.Namespace, exc: Any) -> str:
    """A domain error as one line in the operator's language (`--lang`, else the locale, else Korean)."""
    from core.i18n import render
    from core.labels import cli_lang

    lang = cli_lang(getattr(args, "lang", None))
    return render("cli.error", {"message": exc.render(lang)}, lang)


def _invalid_input(args: argparse.Namespace, exc: Any) -> str:
    """A pydantic ValidationError as one line in the operator's language: each field and its reason, rendered by
    core.http_errors.validation_errors (the API's 422 renderer), never pydantic's English text and its URL."""
    from core.http_errors import validation_errors
    from core.i18n import has_message, render
    from core.labels import cli_lang

    lang = cli_lang(getattr(args, "lang", None))
    problems = []
    for item in validation_errors(exc.errors(), lang):
        field = item["field"] or ""
        label = render(f"cli.field.{field}", {}, lang) if has_message(f"cli.field.{field}") else field
        problems.append(render("cli.invalid_field", {"field": label, "reason": item["reason"]}, lang)
                        if label else str(item["reason"]))
    return render("cli.error", {"message": render("cli.invalid_input", {"problems": "; ".join(problems)}, lang)},
                  lang)


def _say(args: argparse.Namespace | None, key: str, **params: Any) -> str:
    """A line of command output in the operator's language (`--lang`, else the locale, else Korean)."""
    from core.i18n import render
    from core.labels import cli_lang

    return render(key, params, cli_lang(getattr(args, "lang", None)))


def _settings() -> Any:
    from core.settings import get_settings

    return get_settings()


def cmd_migrate(args: argparse.Namespace) -> int:
    from core import migrate

    url = _settings().database_url
    migrate.upgrade(url)
    print(_say(args, "cli.migrated", url=_redact(url)))
    return 0


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def cmd_seed(args: argparse.Namespace) -> int:
    """Seed as a ``seed.scale`` job: after the reset and the migration (a reset wipes the job table too), the
    job row is made and run here — or by a worker with ``--job`` — with a progress bar fed by the job."""
    import json

    from core import db, jobs, migrate
    from core.labels import cli_lang
    from seed_data.run import is_empty

    url = _settings().database_url
    if args.reset:
        _reset(url, args)
    migrate.upgrade(url)
    engine = db.configure(url)
    if not is_empty(engine):
        print(_say(args, "cli.already_seeded"))
        return 0
    lang = cli_lang(getattr(args, "lang", None))
    reason = f"main.py seed --scale {args.scale} --seed {args.seed}" + (" --reset" if args.reset else "")
    job = jobs.submit("seed.scale", {"scale": args.scale, "seed": args.seed}, reason=reason,
                      on_worker=bool(getattr(args, "job", False)), lang=lang, show=not args.quiet)
    if job.status != jobs.JobStatus.done or not job.result_path:
        print(_say(args, "cli.job_ended", id=job.id, status=jobs.i18n.code_label("job_status", job.status, lang),
                   message=job.message(lang)), file=sys.stderr)
        if not is_empty(engine):
            print(_say(args, "cli.seed_partial", command="main.py seed --reset"), file=sys.stderr)
        return 1
    report = json.loads(jobs.result_file(job).read_text(encoding="utf-8"))
    print(_say(args, "cli.seeded", scale=report["scale"], seed=report["seed"]))
    for table, n in sorted(report["counts"].items()):
        print(f"  {table:<24} {n:>10,}")
    for step, secs in report["seconds"].items():
        print(f"  {step:<24} {secs:>9.1f}s")
    return _store_findings(args)


def _store_findings(args: argparse.Namespace) -> int:
    """After a seed: one full compliance run per programme, stored, so no first reader pays for computing it."""
    from compliance.cli import run_check

    return run_check(argparse.Namespace(store=True, program_id=None, as_of=None, json=False,
                                        lang=getattr(args, "lang", None)))


def _reset(url: str, args: argparse.Namespace | None = None) -> None:
    from sqlalchemy import MetaData

    from core import db

    engine = db.make_engine(url)
    meta = MetaData()
    meta.reflect(bind=engine)
    with engine.begin() as conn:
        meta.drop_all(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    engine.dispose()
    print(_say(args, "cli.reset"))
    # The log was wiped on purpose: its old checkpoints would (rightly) contradict the new one.
    from core.settings import default_checkpoint_file, get_settings

    settings = get_settings()
    checkpoints = Path(settings.audit_checkpoint_file if url == settings.database_url
                       else default_checkpoint_file(url))
    if checkpoints.exists():
        aside = checkpoints.with_name(f"{checkpoints.name}.before-reset-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
        checkpoints.rename(aside)
        print(_say(args, "cli.checkpoints_aside", path=aside))


def _link_evaluator(session: Any, user_id: int | None, code: str | None) -> str:
    """Link an evaluator account to its profile (by code, or a new one); it seats no panel by itself."""
    from core.audit import SYSTEM
    from scoring.evaluators import link_evaluator_account

    assert user_id is not None
    return link_evaluator_account(session, SYSTEM, user_id, code).code


def cmd_serve(args: argparse.Namespace) -> int:
    from core import db, migrate, serving
    from seed_data.run import is_empty, run_seed

    settings = _settings()
    try:
        settings.check_secure()
    except RuntimeError as exc:
        print(_say(args, "cli.refusing", reason=exc), file=sys.stderr)
        return 2
    migrate.upgrade(settings.database_url)
    engine = db.configure(settings.database_url)
    if is_empty(engine) and not args.no_seed:
        print(_say(args, "cli.seeding_empty", scale=settings.seed_scale, seed=settings.seed_number), flush=True)
        run_seed(engine, scale=settings.seed_scale, seed=settings.seed_number, progress=True)
        _store_findings(args)
    if not settings.demo_mode:
        from core.auth import refuse_known_passwords
        from core.demo import demo_credentials

        try:
            refuse_known_passwords(engine, demo_credentials())
        except RuntimeError as exc:
            print(_say(args, "cli.refusing", reason=exc), file=sys.stderr)
            return 2
    host, port = args.host or settings.host, args.port or settings.port
    base = f"http://{host}:{port}"
    print(_say(args, "cli.starting"))
    print(_say(args, "cli.serve_dashboard", url=f"{base}/dashboard/"))
    print(_say(args, "cli.serve_jobs", url=f"{base}/dashboard/jobs", api=f"{base}/api/v1/public/jobs"))
    print(_say(args, "cli.serve_docs", url=f"{base}/docs"))
    print(_say(args, "cli.serve_health", url=f"{base}/health"))
    if settings.demo_mode:
        from seed_data.demo import DEMO_ACCOUNTS, ensure_demo_accounts

        created = ensure_demo_accounts(engine)
        print(_say(args, "cli.demo_mode"))
        for username, role, password in DEMO_ACCOUNTS:
            print(f"    {role.value:<10} username={username:<10} password={password}")
        if created:
            print(_say(args, "cli.demo_created", count=len(created)))
    worker = None if args.no_worker else _start_embedded_worker(args)
    print(flush=True)
    try:
        serving.serve("server:create_app", host=host, port=port, workers=args.workers)  # core/serving.py
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
    return 0


def _start_embedded_worker(args: argparse.Namespace | None = None) -> Any:
    """`serve` starts one job worker beside the web server (its own process: a long export never holds the
    web server's interpreter); `--no-worker` when workers run elsewhere (`main.py worker`)."""
    import subprocess

    from core import jobs

    if _settings().job_queue_url.startswith("memory://"):
        return None  # jobs run inline; nothing to consume
    print(_say(args, "cli.worker_embedded", path=jobs.storage_dir()) if jobs.embedded()
          else _say(args, "cli.worker_distributed"))
    return subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "worker"])


def cmd_worker(args: argparse.Namespace) -> int:
    """Consume the job queue until stopped (Ctrl-C or SIGTERM finishes the running jobs first)."""
    import logging

    from core import db, jobs

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    db.configure(_settings().database_url)
    try:
        jobs.run_worker(workers=args.threads)
    except RuntimeError as exc:
        print(_say(args, "cli.error", message=exc), file=sys.stderr)
        return 2
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from core import auth, db
    from core.audit import SYSTEM
    from core.errors import DomainError
    from core.models import Role, UserCreate

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(_say(args, "cli.prompt_password"))
    try:
        data = UserCreate(username=args.username, role=Role(args.role), password=password, full_name=args.full_name)
    except ValidationError as exc:
        print(_invalid_input(args, exc), file=sys.stderr)
        return 2
    if args.link_evaluator is not None and data.role != Role.evaluator:
        print(_say(args, "cli.error", message=_say(args, "cli.link_needs_evaluator")), file=sys.stderr)
        return 2
    with db.session_scope(write=True) as session:
        try:
            user = auth.create_user(session, SYSTEM, data)
        except DomainError as exc:
            print(_cli_error(args, exc), file=sys.stderr)
            return 2
        linked = None
        if args.link_evaluator is not None:
            try:
                linked = _link_evaluator(session, user.id, args.link_evaluator or None)
            except DomainError as exc:
                print(_cli_error(args, exc), file=sys.stderr)
                return 2
    print(_say(args, "cli.user_created", username=user.username, role=user.role.value)
          + (_say(args, "cli.user_linked", code=linked) if linked else ""))
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass(_say(args, "cli.prompt_new_password"))


def cmd_set_password(args: argparse.Namespace) -> int:
    """Set an account's password (policy-checked, audited); every session of the account ends."""
    from core import auth, db
    from core.audit import SYSTEM
    from core.errors import DomainError

    password = _read_password(args)
    with db.session_scope(write=True) as session:
        try:
            user = auth.find_user(session, args.username)
            assert user.id is not None
            auth.set_password(session, SYSTEM, user.id, password)
        except DomainError as exc:
            print(_cli_error(args, exc), file=sys.stderr)
            return 2
    print(_say(args, "cli.password_set", username=args.username))
    return 0


def cmd_set_active(args: argparse.Namespace) -> int:
    """Deactivate or reactivate an account (audited); deactivation ends its sessions."""
    from core import auth, db
    from core.audit import SYSTEM
    from core.errors import DomainError

    active = args.command == "reactivate-user"
    with db.session_scope(write=True) as session:
        try:
            user = auth.find_user(session, args.username)
            assert user.id is not None
            auth.set_active(session, SYSTEM, user.id, active)
        except DomainError as exc:
            print(_cli_error(args, exc), file=sys.stderr)
            return 2
    print(_say(args, "cli.activated" if active else "cli.deactivated", username=args.username))
    return 0


def cmd_export_open_data(args: argparse.Namespace) -> int:
    """Write the awards in a published standard (public data only); the file appears only when complete
    (`--job`: an opendata.export job on a worker, followed with a progress bar)."""
    import os

    if getattr(args, "job", False):
        return _job_to_file(args, "opendata.export", {"standard": args.standard, "program_id": args.program_id,
                                                      "as_of": args.as_of}, "main.py export open-data --job")

    from core import db
    from opendata import giving360, ocds

    package = giving360.package if args.standard == "360giving" else ocds.package
    as_of = date.fromisoformat(args.as_of) if args.as_of else None
    partial = f"{args.out}.part"
    written = 0
    try:
        with db.session_scope() as session, open(partial, "w", encoding="utf-8") as out:
            for chunk in package(session, args.program_id, as_of):
                out.write(chunk)
                written += len(chunk)
        os.replace(partial, args.out)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    print(_say(args, "cli.exported", standard=args.standard, chars=f"{written:,}", path=args.out))
    return 0


def _follow_job(args: argparse.Namespace, kind: str, params: dict[str, Any], reason: str) -> Any:
    """Put a job on the queue for a worker (`--job`) in the system's name and follow it with a progress bar;
    the finished row, or None after printing why it did not finish."""
    from core import db, jobs
    from core.labels import cli_lang

    lang = cli_lang(getattr(args, "lang", None))
    db.configure(_settings().database_url)
    job = jobs.submit(kind, params, reason=reason, on_worker=True, lang=lang)
    if job.status != jobs.JobStatus.done:
        print(_say(args, "cli.job_ended", id=job.id, status=jobs.i18n.code_label("job_status", job.status, lang),
                   message=job.message(lang)), file=sys.stderr)
        return None
    return job


def _job_to_file(args: argparse.Namespace, kind: str, params: dict[str, Any], reason: str) -> int:
    """`--job` of a command that writes a file: the job's file, copied to `--out` (complete or not at all)."""
    import os
    import shutil

    from core import jobs

    out = Path(args.out)
    if not out.resolve().parent.is_dir():
        print(_say(args, "cli.error", message=_say(args, "cli.no_directory", path=out.parent)), file=sys.stderr)
        return 2
    job = _follow_job(args, kind, params, reason)
    if job is None:
        return 1
    partial = out.with_name(out.name + ".part")
    shutil.copyfile(jobs.result_file(job), partial)
    os.replace(partial, out)
    print(_say(args, "cli.job_wrote", id=job.id, path=out, size=f"{out.stat().st_size:,}"))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """`report`: rendered here (reports/cli.py, reports/decision_cli.py), or with `--job` by a worker."""
    if not getattr(args, "job", False):
        return _command("reports.decision_cli", "run_report")(args)
    from core import db
    from reports.cli import resolve_project

    if args.kind == "decision" and not args.call_type:
        print(_say(args, "cli.error", message=_say(args, "cli.decision_needs_call_type",
                                                         choices="designated, regional, free")), file=sys.stderr)
        return 2
    db.configure(_settings().database_url)
    with db.session_scope() as session:
        project_id = resolve_project(session, args.project)
    params: dict[str, Any] = {"format": args.format, "program_id": args.program_id, "project_id": project_id}
    if args.kind == "decision":
        params["call_type"] = args.call_type
    else:
        params["as_of"] = args.as_of
    return _job_to_file(args, f"report.{args.kind}", params, f"main.py report {args.kind} --job")


def cmd_check(args: argparse.Namespace) -> int:
    """`check`: computed here (compliance/cli.py), or with `--store --job` as a full-run job on a worker."""
    if not getattr(args, "job", False):
        return _command("compliance.cli", "run_check")(args)
    import json

    from core import jobs

    if not args.store:
        print(_say(args, "cli.error", message=_say(args, "cli.job_needs_store")), file=sys.stderr)
        return 2
    job = _follow_job(args, "compliance.run", {"program_id": args.program_id, "as_of": args.as_of},
                      "main.py check --store --job")
    if job is None:
        return 1
    stored = json.loads(jobs.result_file(job).read_text(encoding="utf-8"))
    for report in stored if isinstance(stored, list) else [stored]:
        print(_say(args, "cli.check_stored", pid=report["program_id"], as_of=report["as_of"], total=report["total"]))
    print(_say(args, "cli.job_done", id=job.id))
    return 0


def _command(module: str, func: str) -> Callable[[argparse.Namespace], int]:
    """A command implemented in a package's cli module (imported only when it runs)."""

    def run(args: argparse.Namespace) -> int:
        result: int = getattr(importlib.import_module(module), func)(args)
        return result

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="main.py", description="AI training-data grant programme system")
    parser.add_argument("--traceback", action="store_true", help="on an unexpected error, print the traceback")
    parser.add_argument("--lang", choices=["ko", "en"], default=None,
                        help="language of messages: ko (default) or en (also LANG=en_US.UTF-8)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="migrate, seed an empty database, and serve API + dashboard")
    p.add_argument("--host")
    p.add_argument("--port", type=_int_in(1, 65535, "port"))
    p.add_argument("--workers", type=_int_in(1, 64, "workers"), default=1)
    p.add_argument("--no-seed", action="store_true", help="do not seed an empty database")
    p.add_argument("--no-worker", action="store_true", help="do not start a job worker (they run elsewhere)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="consume the job queue (reports, exports, checks): the distributed mode")
    p.add_argument("--threads", type=_int_in(1, 32, "threads"), default=2, help="jobs run at once (default 2)")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("migrate", help="apply database migrations")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("seed", help="fill the database with the 2021 programme (deterministic)")
    p.add_argument("--scale", choices=["program", "national"], default="program")
    p.add_argument("--seed", type=_int_in(0, INT32_MAX, "seed"), default=2021)
    p.add_argument("--reset", action="store_true", help="drop all tables first")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--job", action="store_true",
                   help="put the seed job on the queue for a worker (default: run the job in this process)")
    p.set_defaults(func=cmd_seed)

    p = sub.add_parser("create-user", help="create an account")
    p.add_argument("--username", required=True)
    p.add_argument("--role", required=True, choices=["admin", "official", "evaluator", "auditor"])
    p.add_argument("--full-name", default="")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--link-evaluator", nargs="?", const="", default=None, metavar="CODE",
                   help="link the evaluator account to the profile CODE (e.g. EV0012), or to a new profile "
                        "when no code is given; it is seated on no panel (officials set panels)")
    p.set_defaults(func=cmd_create_user)

    p = sub.add_parser("set-password", help="set a new password for an account (ends its sessions)")
    p.add_argument("--username", required=True)
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(func=cmd_set_password)

    for name, text in (("deactivate-user", "deactivate an account (ends its sessions)"),
                       ("reactivate-user", "reactivate a deactivated account")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--username", required=True)
        p.set_defaults(func=cmd_set_active)

    p = sub.add_parser("audit", help="audit log tools")
    asub = p.add_subparsers(dest="audit_command", required=True)
    from core.audit_cli import add_commands

    add_commands(asub, _command)  # verify [--checkpoint FILE], checkpoint, rebaseline, keygen, public-key

    p = sub.add_parser("check", help="run the compliance checks and print the findings")
    p.add_argument("--json", action="store_true")
    p.add_argument("--program-id", type=_ID)
    p.add_argument("--as-of", type=_iso_date, help="judge deadlines as of this date (YYYY-MM-DD; default today)")
    p.add_argument("--store", action="store_true",
                   help="a full run: recompute and store the findings the API and dashboard read")
    p.add_argument("--lang", choices=["ko", "en"], default=argparse.SUPPRESS)  # the global --lang, also here
    p.add_argument("--job", action="store_true",
                   help="with --store: a compliance.run job on the queue (a worker runs it; progress shown)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("report", help="render a report to a file")
    p.add_argument("kind", choices=["status", "evaluation", "compliance", "decision"])
    p.add_argument("--format", choices=["pdf", "xlsx"], default="pdf")
    p.add_argument("--out", required=True)
    p.add_argument("--project", type=_project_ref, help="the project: its code (2021-D-LANG-001) or id")
    p.add_argument("--program-id", type=_ID)
    p.add_argument("--as-of", type=_iso_date, help="judge deadlines as of this date (YYYY-MM-DD; default today)")
    p.add_argument("--call-type", choices=["designated", "regional", "free"], help="decision: the call type")
    p.add_argument("--job", action="store_true",
                   help="as a report job on the queue (a worker renders it; progress shown)")
    p.set_defaults(func=cmd_report)  # reports/decision_cli.py: decision, else reports/cli.py

    p = sub.add_parser("export", help="export data in a published standard")
    esub = p.add_subparsers(dest="export_command", required=True)
    p = esub.add_parser("open-data", help="the awards as a 360Giving 1.4.3 or OCDS 1.1.5 JSON package (public data)")
    p.add_argument("--standard", required=True, choices=["360giving", "ocds"])
    p.add_argument("--out", required=True, help="the JSON file to write")
    p.add_argument("--program-id", type=_ID, help="one programme (default: every programme)")
    p.add_argument("--as-of", type=_iso_date, help="what was decided and spent by then (YYYY-MM-DD; default today)")
    p.add_argument("--job", action="store_true",
                   help="as an opendata.export job on the queue (a worker writes it; progress shown)")
    p.set_defaults(func=cmd_export_open_data)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command. Bad arguments exit 2 with argparse's message; errors print one line, no traceback."""
    args = build_parser().parse_args(argv)
    from core.errors import DomainError
    from core.i18n import render
    from core.labels import cli_lang

    lang = cli_lang(getattr(args, "lang", None))  # Korean unless --lang en or an English locale
    try:
        result: int = args.func(args)
    except DomainError as exc:
        print(render("cli.error", {"message": exc.render(lang)}, lang), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(render("cli.interrupted", {}, lang), file=sys.stderr)
        return 130
    except Exception as exc:  # the last line of defence: one line for the operator
        if args.traceback:
            raise
        from sqlalchemy.exc import OperationalError

        if isinstance(exc, OperationalError):
            print(render("cli.database", {"reason": str(exc.orig)[:300]}, lang), file=sys.stderr)
        else:
            print(render("cli.unexpected", {"kind": type(exc).__name__, "reason": str(exc)[:300]}, lang),
                  file=sys.stderr)
        return 1
    return result


if __name__ == "__main__":
    sys.exit(main())
