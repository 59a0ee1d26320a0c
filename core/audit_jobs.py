"""Job kinds of the audit log (loaded by workers through JOB_MODULES): writing a checkpoint.

``audit.checkpoint`` signs the log's head now and appends it to the checkpoint file (core/checkpoint.py),
as ``main.py audit checkpoint`` does, but as a job: auditors and admins ask for it (API, ``--job``), its
progress is shown, and who asked and why are in the audit log (``job.enqueue``, and ``audit.checkpoint``
naming the checkpoint written). Workers also ask for one a day (core/jobs.py, ``daily_checkpoint``).
"""

from __future__ import annotations

import json

from core import audit, checkpoint, db, i18n
from core.bounded import RequestModel, ShortText
from core.errors import RuleViolation
from core.jobs import Context, Output, register
from core.models import Role
from core.settings import get_settings

i18n.register_messages({
    "job.checkpoint_reading": ("감사 기록의 마지막 해시를 읽는 중입니다", "Reading the head of the audit log"),
    "job.checkpoint_signing": ("체크포인트에 서명하는 중입니다", "Signing the checkpoint"),
    # the Korean sentences leave out the English detail of the key or the file (it is in the English one)
    "job.checkpoint_key": ("감사 서명 키가 없거나 다른 사람이 읽을 수 있어 체크포인트를 쓰지 못했습니다. "
                           "관리자가 main.py audit keygen으로 키를 만들고 권한을 600으로 두어야 합니다",
                           "the audit signing key cannot be used; no checkpoint written: {reason}"),
    "job.checkpoint_file": ("체크포인트 파일 {path}에 쓰지 못했습니다",
                            "the checkpoint file {path} could not be written: {reason}"),
})


class CheckpointParams(RequestModel):
    note: ShortText | None = None


@register("audit.checkpoint", ("감사 체크포인트 서명", "Audit checkpoint"), (Role.auditor, Role.admin),
          CheckpointParams)
def write_checkpoint(ctx: Context) -> Output:
    """Sign the log's head and append it to the checkpoint file; the checkpoint line is the job's file."""
    ctx.progress(10, "job.checkpoint_reading")
    note = (ctx.params.get("note") or "job")[:120] + f" (job {ctx.job_id}, {ctx.requested_by})"
    try:
        with db.session_scope() as session:
            ctx.progress(40, "job.checkpoint_signing")
            cp = checkpoint.write(session, note=note)
    except checkpoint.KeyMissing as exc:
        raise RuleViolation("job.checkpoint_key", reason=str(exc)[:300]) from None
    except OSError as exc:
        raise RuleViolation("job.checkpoint_file", path=get_settings().audit_checkpoint_file,
                            reason=str(exc)[:300]) from None
    ctx.progress(80, "job.writing")
    with db.session_scope(write=True) as session:  # who asked and why, beside the checkpoint it made
        audit.record(session, ctx.actor, "audit.checkpoint", "audit_checkpoint", cp.seq,
                     after={"seq": cp.seq, "events": cp.events, "last_hash": cp.last_hash, "key_id": cp.key_id,
                            "file": get_settings().audit_checkpoint_file, "job": ctx.job_id},
                     reason=ctx.reason)
        session.commit()
    body = json.dumps({**cp.to_dict(), "footer": {"ko": cp.footer("ko"), "en": cp.footer("en")}},
                      ensure_ascii=False, indent=1).encode("utf-8")
    return Output(f"checkpoint-{cp.seq}.json", "application/json", body)
