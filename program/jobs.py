"""Job kinds of the programme domain (loaded by workers through JOB_MODULES): the proposal intake import.

``intake.import``: the uploaded bytes are stored first under the job storage folder as an input file named by a
random token (``inputs/intake-<token>.in``); the job's parameters are that token (32 hex digits), the
programme and the file's name as sent (its extension says .xlsx or .csv; it never becomes a path). The
handler checks the whole file in a read session (progress per row checked), then imports it in one write
transaction (program.intake.import_proposals: all or nothing, the same file twice refused). A refusal keeps
its problems (sheet, row, column, reason in Korean and English) beside the input (``…problems.json``), read
back by `outcome`; the input itself is deleted when the job ends.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session

from core import db, jobs
from core.bounded import Id, RequestModel, bounded_text
from core.errors import DomainError, InvalidValue, NotFound, RuleViolation
from core.jobs import Context, Job, JobRead, JobStatus, Output, register
from core.models import Role, User
from core.settings import get_settings
from core.uploads import Upload
from program import intake
from program.models import IntakeResult

KIND = "intake.import"
TOKEN_PATTERN = r"^[0-9a-f]{32}$"
_TOKEN = re.compile(TOKEN_PATTERN)
RESULT_NAME = "intake-result.json"


class IntakeParams(RequestModel):
    """The bounded parameters of an intake job: which programme, which stored input, the file's name as sent."""

    program_id: Id
    token: Annotated[str, Field(pattern=TOKEN_PATTERN, min_length=32, max_length=32)]
    filename: bounded_text(255, min_length=1)  # type: ignore[valid-type]

    @field_validator("filename")
    @classmethod
    def _xlsx_or_csv(cls, value: str) -> str:
        if not value.lower().endswith((".xlsx", ".csv")):
            raise InvalidValue("intake.type", name=value[:100])
        return value


def inputs_dir() -> Path:
    path = jobs.storage_dir() / "inputs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _input_path(token: str) -> Path:
    if not _TOKEN.match(token):  # never a path from outside: the token is checked again where it is used
        raise RuleViolation("intake.job.input_gone", field="token")
    return inputs_dir() / f"intake-{token}.in"


def _problems_path(token: str) -> Path:
    return _input_path(token).with_suffix(".problems.json")


def _sweep() -> None:
    """Delete inputs and refusals older than the job retention (a job that never ran leaves its input)."""
    cutoff = time.time() - get_settings().job_retention_days * 86400
    for path in inputs_dir().glob("intake-*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            continue


def enqueue_import(session: Session, user: User, program_id: int, upload: Upload, *,
                   reason: str | None = None) -> Job:
    """Store the uploaded file under a random token and queue its import for `user` (an official)."""
    from program import service

    if not upload.content:
        raise RuleViolation("intake.job.empty", field="file")
    name = (upload.filename or "").strip()
    if not name.lower().endswith((".xlsx", ".csv")) or len(name) > 255:
        raise RuleViolation("intake.type", field="file", name=name[:100])
    service.get_program(session, program_id)  # 404 now rather than a failed job
    token = secrets.token_hex(16)
    path = _input_path(token)
    part = path.with_name(path.name + ".part")
    part.write_bytes(upload.content)
    os.replace(part, path)
    try:
        return jobs.enqueue(session, user, KIND, {"program_id": program_id, "token": token,
                                                  "filename": name}, reason=reason)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _refusal(exc: DomainError) -> dict[str, Any]:
    ko, en = intake.problem_rows(exc.details, "ko"), intake.problem_rows(exc.details, "en")
    rows = [{"sheet": k.get("sheet"), "row": k.get("row"), "column": k.get("column"),
             "reason": {"ko": k.get("reason", ""), "en": e.get("reason", "")}} for k, e in zip(ko, en, strict=True)]
    return {"detail": {"ko": exc.render("ko"), "en": exc.render("en")}, "problems": rows}


@register(KIND, ("제안서 일괄 접수", "Proposal intake import"), (Role.official,), IntakeParams)
def import_intake(ctx: Context) -> Output:
    """Check the stored file (progress per row), then import it in one transaction (progress per proposal)."""
    token, program_id = ctx.params["token"], int(ctx.params["program_id"])
    path = _input_path(token)
    max_rows = min(get_settings().max_import_rows, 20_000)
    _sweep()
    try:
        if not path.is_file():
            raise RuleViolation("intake.job.input_gone", field="file")
        upload = Upload(filename=ctx.params["filename"], content=path.read_bytes())
        ctx.progress(2, "intake.job.reading")

        def checked(done: int, total: int) -> None:
            ctx.progress(5 + 55 * done // max(total, 1), "intake.job.checking", done=done, total=total)

        with db.session_scope() as session:
            n = intake.check_proposals(session, program_id, upload, max_rows=max_rows, progress=checked)
        ctx.progress(60, "intake.job.writing", done=0, total=n)
        # On SQLite the import's write transaction holds the database lock: a progress row written meanwhile
        # would wait for it (and time out), so only other databases report each proposal written.
        live = db.get_engine().dialect.name != "sqlite"

        def wrote(done: int, total: int) -> None:
            if live:
                ctx.progress(60 + 35 * done // max(total, 1), "intake.job.writing", done=done, total=total)

        with db.session_scope(write=True) as session:
            result = intake.import_proposals(session, ctx.actor, program_id, upload, max_rows=max_rows,
                                             progress=wrote)
            members = _members(session, result.proposal_ids)
    except DomainError as exc:
        problems = _problems_path(token)
        problems.write_text(json.dumps(_refusal(exc), ensure_ascii=False), encoding="utf-8")
        raise
    finally:
        path.unlink(missing_ok=True)
    body = {**result.model_dump(mode="json"), "members": members}
    return Output(RESULT_NAME, "application/json", json.dumps(body, ensure_ascii=False).encode("utf-8"))


def _members(session: Session, proposal_ids: list[int]) -> int:
    """How many consortium members the imported proposals brought (one row an organisation in a consortium)."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from program.models import ConsortiumMember, Proposal

    consortia = select(Proposal.consortium_id).where(col(Proposal.id).in_(proposal_ids))
    return int(session.exec(select(func.count()).select_from(ConsortiumMember)
                            .where(col(ConsortiumMember.consortium_id).in_(consortia))).one())


class IntakeProblem(BaseModel):
    sheet: str | None
    row: int | None
    column: str | None
    reason: str


class IntakeJobOutcome(BaseModel):
    """An intake job: the job (status, progress), then what was imported or why nothing was."""

    job: JobRead
    result: IntakeResult | None = None
    members: int | None = None  # consortium members imported (organisations in the new consortia)
    detail: str | None = None
    problems: list[IntakeProblem] = []


def outcome(session: Session, job_id: int, user: User, lang: str | None, *,
            program_id: int | None = None) -> dict[str, Any]:
    """An intake job as the page and the API show it: its status and progress, then the counts imported or the
    problems (sheet, row, column, reason in `lang`). Only its requester (or an admin) sees it."""
    job = jobs.get_job(session, job_id, user)
    if job.kind != KIND or (program_id is not None and job.params.get("program_id") != program_id):
        raise NotFound(f"job {job_id} not found")
    view = jobs.read(job, lang or "ko")
    out: dict[str, Any] = {"job": view.model_dump(mode="json"), "result": None, "members": None, "problems": [],
                           "detail": None}
    if job.status == JobStatus.done:
        saved = json.loads(jobs.result_file(job).read_text(encoding="utf-8"))
        out["members"] = saved.pop("members", None)
        out["result"] = saved
    elif job.status == JobStatus.failed:
        token = str(job.params.get("token", ""))
        refusal = _problems_path(token) if _TOKEN.match(token) else None
        if refusal is not None and refusal.is_file():
            saved = json.loads(refusal.read_text(encoding="utf-8"))
            key = "en" if lang == "en" else "ko"
            out["detail"] = saved["detail"][key]
            out["problems"] = [{**p, "reason": p["reason"][key]} for p in saved["problems"]]
        else:
            out["detail"] = view.message
    return out
