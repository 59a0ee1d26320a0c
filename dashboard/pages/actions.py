"""What every action of the dashboard's workflow pages shares: the confirmation step, the message saying what
happened, and refusals a person can read in Korean (or English).

An action is a button wrapped in `dcc.ConfirmDialogProvider` when it cannot be undone (the browser asks
"계속할까요?" before the callback fires); its callback is registered through `dashboard.access.register`, so
the caller's role is checked again on the server, every value it receives is parsed through the same request
schema or `core.bounded` type as the API, and the work is done by the same service function the API calls
(which writes the audit event in its transaction). Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from dash import dcc, html
from pydantic import ValidationError

from core import i18n as core_i18n
from core.bounded import check
from core.errors import DomainError, RuleViolation
from dashboard.i18n import LABELS, t

# The labels of the workflow pages (accounts, evaluation actions, award actions, assignments), kept with the
# pages that use them; added to the dashboard's one catalogue at import.
WORKFLOW_LABELS: dict[str, tuple[str, str]] = {
    # common
    "act.confirm": ("계속할까요?", "Continue?"),
    "act.done": ("처리했습니다", "Done"),
    "act.refused": ("처리하지 않았습니다", "Not done"),
    "act.invalid": ("입력값이 올바르지 않습니다", "The input is invalid"),
    "act.required": ("필수 입력입니다", "required"),
    "act.needs": ("{f} 입력이 필요합니다", "the {f} is required"),
    "act.reason": ("사유", "Reason"),
    "act.reason_hint": ("사유 (감사 기록에 남습니다)", "Reason (kept in the audit log)"),
    "act.readonly": ("감사관은 읽기만 할 수 있습니다", "Auditors can read but not change anything"),
    "err.not_found": ("대상을 찾을 수 없습니다", "Nothing was found"),
    "err.forbidden": ("이 작업을 할 권한이 없습니다", "You may not do this"),
    "err.conflict": ("현재 상태에서는 할 수 없습니다", "Not possible in the current state"),
    "err.limit_exceeded": ("한도를 넘습니다", "A limit would be exceeded"),
    "err.rule_violation": ("사업 규칙에 맞지 않습니다", "This breaks a programme rule"),
    "err.domain_error": ("요청을 처리할 수 없습니다", "The request cannot be carried out"),
    "field.username": ("아이디", "username"),
    "field.full_name": ("이름", "full name"),
    "field.password": ("비밀번호", "password"),
    "field.new_password": ("새 비밀번호", "new password"),
    "field.role": ("역할", "role"),
    "field.user_id": ("계정", "account"),
    "field.reason": ("사유", "reason"),
    "field.evaluator_ids": ("평가위원", "evaluators"),
    "field.proposal_id": ("제안서", "proposal"),
    "field.size": ("패널 인원", "panel size"),
    "field.status": ("진행 상태", "status"),
    "field.grant_krw": ("정부출연금", "grant"),
    "field.matching_krw": ("민간부담금", "matching"),
    "field.start_date": ("협약 시작일", "start date"),
    "field.end_date": ("협약 종료일", "end date"),
    "field.lines": ("비목별 예산", "budget lines"),
    "field.selection_id": ("선정 결과", "selection"),
    "field.envelope_id": ("예산 봉투", "envelope"),
    "field.amount_krw": ("금액", "amount"),
    "field.from_category": ("보내는 비목", "from line"),
    "field.to_category": ("받는 비목", "to line"),
    "field.from_envelope_id": ("보내는 봉투", "from envelope"),
    "field.to_envelope_id": ("받는 봉투", "to envelope"),
    "field.title": ("제목", "title"),
    "field.platform": ("플랫폼", "platform"),
    "field.pay_krw": ("단가", "pay"),
    "field.open_date": ("모집 시작일", "opening date"),
    "field.close_date": ("마감일", "closing date"),
    "field.points": ("점수", "points"),
    "field.sheet_id": ("평가표", "sheet"),
    "field.transfer_id": ("전용 신청", "transfer"),
    "field.posting_id": ("공고", "posting"),
    "field.award_id": ("협약", "award"),
    "pw.too_short": ("비밀번호는 12자 이상이어야 합니다", "the password must have at least 12 characters"),
    "pw.too_long": ("비밀번호가 너무 깁니다", "the password is too long"),
    "pw.contains_username": ("비밀번호에 아이디를 넣을 수 없습니다", "the password must not contain the username"),
    "pw.too_few_characters": ("비밀번호에 서로 다른 문자를 더 많이 쓰세요",
                              "the password must use more different characters"),
    "pw.sequence": ("키보드·알파벳·숫자를 차례로 누른 비밀번호는 쓸 수 없습니다",
                    "the password must not be a run of keys"),
    "pw.repeated": ("같은 조각을 되풀이한 비밀번호는 쓸 수 없습니다", "the password must not repeat one piece"),
    "pw.common": ("흔히 쓰이는 비밀번호는 쓸 수 없습니다", "the password is a common one"),
    "pw.system_words": ("이 시스템의 단어로 만든 비밀번호는 쓸 수 없습니다",
                        "the password must not be made of this system's words"),
    "status.active": ("사용 중", "active"),
    "status.inactive": ("사용 중지", "deactivated"),
}
LABELS.update(WORKFLOW_LABELS)


def label(key: str, lang: str | None) -> str:
    return t(key, lang)


def confirm(cid: str, text: str, message: str, *, disabled: bool = False, cls: str = "primary") -> Any:
    """A button that asks the browser's confirmation first; its callback reads `submit_n_clicks` of `cid`."""
    return dcc.ConfirmDialogProvider(
        html.Button(text, id=f"{cid}-button", className=cls, disabled=disabled, type="button"),
        id=cid, message=message)


def done(text: str, cid: str) -> html.P:
    return html.P(f"✓ {text}", className="ok", id=cid, role="status")


def refused(text: str, cid: str) -> html.P:
    return html.P(f"✗ {text}", className="error", id=cid, role="alert")


def field_label(field: str | None, lang: str | None) -> str:
    if not field:
        return ""
    base = str(field).split(".")[0]
    key = f"field.{base}"
    return t(key, lang) if key in LABELS else ("" if lang != "en" else base)


def refusal_text(exc: Exception, lang: str | None, hints: Mapping[tuple[str, str | None], str] | None = None) -> str:
    """A refused action in the reader's language: the domain's own rendered message when it has one
    (`exc.key`/`exc.params` registered in core.i18n), else the kind of refusal and the field it concerns.

    `hints` maps (error code, field) to a more precise sentence the page knows (already translated).
    """
    if isinstance(exc, ValidationError):
        errors = exc.errors()
        field = ".".join(str(p) for p in errors[0].get("loc", ())) if errors else ""
        where = field_label(field, lang)
        return f"{t('act.invalid', lang)}" + (f" ({where})" if where else "")
    if isinstance(exc, DomainError):
        key = getattr(exc, "key", None)
        if isinstance(key, str) and core_i18n.has_message(key):  # the domain's own sentence, in this language
            render = getattr(exc, "render", None)
            if callable(render):
                return str(render(lang or "ko")).rstrip(".")
            return core_i18n.render(key, getattr(exc, "params", None) or {}, lang or "ko").rstrip(".")
        if hints and (exc.code, exc.field) in hints:
            return hints[(exc.code, exc.field)]
        if hints and (exc.code, None) in hints:
            return hints[(exc.code, None)]
        details = exc.details if isinstance(exc.details, dict) else {}
        rule = details.get("rule")
        if rule == "required":
            return t("act.needs", lang).format(f=field_label(exc.field, lang) or exc.field or "")
        if isinstance(rule, str) and f"pw.{rule}" in LABELS:
            return t(f"pw.{rule}", lang)
        if lang == "en":
            return str(exc)
        kind = f"err.{exc.code}" if f"err.{exc.code}" in LABELS else "err.domain_error"
        where = field_label(exc.field, lang)
        return t(kind, lang) + (f" ({where})" if where else "")
    return t("err.domain_error", lang)


def bounded(kind: Any, value: Any, field: str) -> Any:
    """`value` parsed through a core.bounded type (RuleViolation naming `field` when it does not fit)."""
    return check(kind, value, field=field)


def required_text(kind: Any, value: Any, field: str) -> str:
    """A text that must be given (a reason): bounded, and not empty."""
    text = "" if value is None else str(value)[:20_000]
    if not text.strip():
        raise RuleViolation(f"{field} is required", field=field, details={"rule": "required"})
    return str(check(kind, text, field=field))


def when(value: datetime | date | str | None, lang: str | None) -> str:
    """A date (and time for a timestamp, KST) as an official writes it."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
        except ValueError:
            return "–"
    if isinstance(value, datetime):
        from datetime import timedelta, timezone

        kst = timezone(timedelta(hours=9))
        local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(kst)
        return f"{core_i18n.format_date(local.date(), lang or 'ko')} {local:%H:%M}"
    return core_i18n.format_date(value, lang or "ko")


def fired() -> str:
    """The id of the confirmed action button that fired this callback ('' when none was clicked).

    A confirmation provider rendered by another callback reports its (unclicked) state when it mounts; only a
    positive `submit_n_clicks` is a person's confirmed click.
    """
    import dash

    ctx = dash.callback_context
    for item in ctx.triggered or []:
        value = item.get("value")
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return str(ctx.triggered_id or "")
    return ""
