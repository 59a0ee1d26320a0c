"""The officials' actions on an award's page: line transfers (the pending approvals queue, four-eyes), envelope
transfers, and the award's crowd job postings (publish, close). Auditors see the lists without any control.

Each action asks for confirmation, parses its input through the API's request schema, and calls the budgeting
service function the API route calls (which locks the limit, audits and commits); the callback re-checks that
the caller is an official. The service refuses a requester deciding their own transfer; the page says so.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate
from pydantic import ValidationError

from core import auth
from core import i18n as core_i18n
from core.errors import DomainError, RuleViolation
from core.models import Role, User
from core.money import format_krw
from dashboard import access, data
from dashboard.data import workflow as wf_data
from dashboard.i18n import LABELS, category, t
from dashboard.pages.actions import confirm, done, fired, refusal_text, refused, when
from dashboard.pages.common import dropdown_labels, parse_id

PAGE = "award"

LABELS.update({
    "aw.back_overview": ("← 개요로", "← back to the overview"),
    "aw.actions": ("변경·승인", "Changes and approvals"),
    "aw.transfers": ("비목 간 전용", "Budget line transfers"),
    "aw.pending": ("승인 대기 {n}건", "{n} waiting for approval"),
    "aw.no_pending": ("승인 대기 중인 전용이 없습니다", "No transfer is waiting for approval"),
    "aw.no_transfers": ("아직 전용이 없습니다", "No transfer yet"),
    "aw.request": ("전용 신청", "Request a transfer"),
    "aw.request_button": ("전용 신청", "Request"),
    "aw.request_confirm": ("이 금액을 비목 간에 옮깁니다. "
                           "기준 비율을 넘으면 다른 담당관의 승인을 기다립니다. 계속할까요?",
                           "Move this amount between lines? Above the free ratio it waits for another official."),
    "aw.requested_now": ("전용을 기록했습니다 ({a})", "Transfer recorded ({a})"),
    "aw.requested_pending": ("전용을 신청했습니다 ({a}). 다른 담당관의 승인을 기다립니다",
                             "Transfer requested ({a}); it waits for another official's approval"),
    "aw.decide": ("승인·반려 (신청한 담당관은 결정할 수 없습니다)", "Approve or reject (not by the requester)"),
    "aw.approve": ("승인", "Approve"),
    "aw.reject": ("반려", "Reject"),
    "aw.approve_confirm": ("이 전용을 승인하면 예산이 바로 옮겨집니다. 계속할까요?",
                           "Approving moves the money at once. Continue?"),
    "aw.reject_confirm": ("이 전용을 반려합니다. 계속할까요?", "Reject this transfer?"),
    "aw.approved": ("전용을 승인했습니다 ({a})", "Transfer approved ({a})"),
    "aw.rejected": ("전용을 반려했습니다 ({a})", "Transfer rejected ({a})"),
    "aw.four_eyes": ("신청한 담당관은 자기 전용을 승인하거나 반려할 수 없습니다 (다른 담당관이 결정)",
                     "The official who requested a transfer cannot decide it (another official must)"),
    "aw.envelopes": ("예산 봉투 간 이동", "Envelope transfers"),
    "aw.envelope_button": ("봉투 간 이동", "Move between envelopes"),
    "aw.envelope_confirm": ("예산 봉투 사이에 금액을 옮깁니다. 되돌리려면 반대로 다시 옮겨야 합니다. 계속할까요?",
                            "Move money between envelopes? Undoing it takes a transfer back."),
    "aw.envelope_done": ("{f}에서 {to}(으)로 {a}을(를) 옮겼습니다", "Moved {a} from {f} to {to}"),
    "aw.envelope_pending": ("{f}에서 {to}(으)로 {a} 이동을 신청했습니다. 승인 대기 중입니다",
                            "Requested moving {a} from {f} to {to}; it waits for approval"),
    "aw.env_col": ("예산 봉투", "Envelope"),
    "aw.env_amount": ("봉투 예산", "Envelope budget"),
    "aw.env_awarded": ("협약 금액", "Awarded"),
    "aw.env_available": ("남은 금액", "Available"),
    "aw.env_recent": ("최근 봉투 간 이동", "Recent envelope transfers"),
    "aw.env_none": ("아직 봉투 간 이동이 없습니다", "No envelope transfer yet"),
    "aw.postings": ("크라우드 작업 공고", "Crowd job postings"),
    "aw.no_postings": ("이 협약의 공고가 없습니다", "This award has no posting"),
    "aw.post": ("공고 게시", "Publish a posting"),
    "aw.post_confirm": ("이 공고를 시민용 일자리 게시판에 올립니다. 계속할까요?",
                        "Publish this posting on the public job board?"),
    "aw.posted": ("공고 '{t}'을(를) 게시했습니다", "Published '{t}'"),
    "aw.close_post": ("공고 마감", "Close the posting"),
    "aw.close_confirm": ("이 공고를 게시판에서 내립니다. 다시 열 수 없습니다. 계속할까요?",
                         "Take this posting off the board? It cannot be reopened."),
    "aw.closed": ("공고 '{t}'을(를) 마감했습니다", "Closed '{t}'"),
    "aw.pick": ("먼저 항목을 고르세요", "Choose an item first"),
    "col.from": ("보내는 곳", "From"),
    "col.to": ("받는 곳", "To"),
    "col.requested_by": ("신청", "Requested by"),
    "col.decided_by": ("결정", "Decided by"),
    "col.open": ("모집 상태", "State"),
    "col.posting": ("공고 제목", "Title"),
    "col.dates": ("모집 기간", "Dates"),
    "tr.recorded": ("즉시 반영", "recorded"),
    "tr.pending": ("승인 대기", "pending"),
    "tr.approved": ("승인", "approved"),
    "tr.rejected": ("반려", "rejected"),
    "awst.active": ("협약 진행 중", "active"),
    "awst.completed": ("협약 종료", "completed"),
    "awst.terminated": ("협약 해지", "terminated"),
    "post.open": ("모집 중", "open"),
    "post.closed": ("마감", "closed"),
    "post.upcoming": ("모집 예정", "upcoming"),
})

_FALLBACK = {"award_status": "awst", "transfer_status": "tr"}


def _dd(lang: str | None, **kw: Any) -> dcc.Dropdown:
    """A dropdown whose own words (search box, "no options", the count of chosen items) follow the page's language."""
    return dcc.Dropdown(**{"labels": dropdown_labels(lang), **kw})



def code_text(group: str, code: Any, lang: str | None) -> str:
    """A stored code's label: the domain's registered one, else this page's own (never the raw code)."""
    label = core_i18n.code_label(group, code, lang or "ko")
    if label not in (core_i18n.UNKNOWN[0], str(code)):
        return label
    key = f"{_FALLBACK.get(group, group)}.{code}"
    return t(key, lang) if key in LABELS else label


def _official(user: User | None) -> bool:
    return user is not None and auth.allows(user.role, (Role.official,))


def _field(label: str, control: Any, cid: str) -> html.Div:
    return html.Div([html.Label(label, htmlFor=cid), control], className="form-field")


def _transfer_table(rows: list[dict[str, Any]], lines: dict[int, str], lang: str | None) -> Any:
    if not rows:
        return html.P(t("aw.no_transfers", lang), className="hint")
    ordered = sorted(rows, key=lambda r: (r["status"] != "pending", -r["id"]))
    body = [html.Tr([html.Td(category(lines.get(r["from_line_id"], ""), lang)),
                     html.Td(category(lines.get(r["to_line_id"], ""), lang)),
                     html.Td(format_krw(r["amount_krw"], "won"), className="num"),
                     html.Td(html.Span(code_text("transfer_status", r["status"], lang),
                                       className="flag" if r["status"] == "pending" else "")),
                     html.Td(f"{r['requested_by']} · {when(r['requested_at'], lang)}"),
                     html.Td(f"{r['decided_by']} · {when(r['decided_at'], lang)}" if r["decided_by"] else "–"),
                     html.Td(r["reason"])], id=f"award-transfer-{r['id']}") for r in ordered]
    head = html.Tr([html.Th(t(k, lang)) for k in ("col.from", "col.to", "col.amount", "col.status",
                                                   "col.requested_by", "col.decided_by", "act.reason")])
    return html.Table([html.Thead(head), html.Tbody(body)], className="simple", id="award-transfers-table")


def _envelope_table(envs: list[dict[str, Any]], lang: str | None) -> Any:
    head = html.Tr([html.Th(t("aw.env_col", lang))] + [html.Th(t(k, lang), className="num") for k in (
        "aw.env_amount", "aw.env_awarded", "aw.env_available")])
    body = [html.Tr([html.Td(e["name_ko"]), html.Td(format_krw(e["amount_krw"], "won"), className="num"),
                     html.Td(format_krw(e["awarded_krw"], "won"), className="num"),
                     html.Td(format_krw(e["available_krw"], "won"), className="num")], id=f"award-envelope-{e['id']}")
            for e in envs]
    return html.Table([html.Thead(head), html.Tbody(body)], className="simple", id="award-envelopes-table")


def _envelope_transfer_table(rows: list[dict[str, Any]], names: dict[int, str], lang: str | None) -> Any:
    """The latest envelope transfers (pending first): what the form just did, and what waits for approval."""
    if not rows:
        return html.P(t("aw.env_none", lang), className="hint", id="award-envtransfers-none")
    ordered = sorted(rows, key=lambda r: (r["status"] != "pending", -r["id"]))[:10]
    body = [html.Tr([html.Td(names.get(r["from_envelope_id"], "–")), html.Td(names.get(r["to_envelope_id"], "–")),
                     html.Td(format_krw(r["amount_krw"], "won"), className="num"),
                     html.Td(html.Span(code_text("transfer_status", r["status"], lang),
                                       className="flag" if r["status"] == "pending" else "")),
                     html.Td(f"{r['created_by']} · {when(r['created_at'], lang)}"),
                     html.Td(f"{r['decided_by']} · {when(r['decided_at'], lang)}" if r["decided_by"] else "–"),
                     html.Td(r["reason"])], id=f"award-envtransfer-{r['id']}") for r in ordered]
    head = html.Tr([html.Th(t(k, lang)) for k in ("col.from", "col.to", "col.amount", "col.status",
                                                   "col.requested_by", "col.decided_by", "act.reason")])
    return html.Table([html.Thead(head), html.Tbody(body)], className="simple", id="award-envtransfers-table")


def _postings_table(rows: list[dict[str, Any]], lang: str | None) -> Any:
    if not rows:
        return html.P(t("aw.no_postings", lang), className="hint")
    body = [html.Tr([html.Td(r["title"]), html.Td(r["platform"]),
                     html.Td(f"{format_krw(r['pay_krw'], 'won')} / {r.get('pay_unit') or '건'}", className="num"),
                     html.Td(f"{when(r['open_date'], lang)} ~ {when(r['close_date'], lang)}"),
                     html.Td(t(f"post.{r['state']}", lang), className="ok" if r["state"] == "open" else "")],
                    id=f"award-posting-{r['id']}")
            for r in rows]
    head = html.Tr([html.Th(t(k, lang)) for k in ("col.posting", "col.platform", "col.pay", "col.dates", "col.open")])
    return html.Table([html.Thead(head), html.Tbody(body)], className="simple", id="award-postings-table")


def actions(user: User | None, key: dict[str, Any] | None, _version: Any) -> Any:
    """Transfers (pending first), envelopes and postings of the award; the forms for officials only."""
    key = key or {}
    lang = key.get("lang")
    award_id = parse_id(key.get("award_id"))
    detail = data.award_detail(award_id) if award_id is not None else None
    if detail is None:
        return None
    official = _official(user)
    lines = {int(r["id"]): str(r["category"]) for r in detail["lines"]}
    transfers = wf_data.transfers(award_id)  # type: ignore[arg-type]
    pending = [r for r in transfers if r["status"] == "pending"]
    postings = wf_data.postings(award_id, data.today())  # type: ignore[arg-type]
    cats = [{"label": category(c, lang), "value": c} for c in lines.values()]
    queue = html.P(t("aw.pending", lang).format(n=len(pending)) if pending else t("aw.no_pending", lang),
                   className="flag" if pending else "hint", id="award-pending-count")
    transfer_part: list[Any] = [html.H4(t("aw.transfers", lang)), queue, _transfer_table(transfers, lines, lang)]
    posting_part: list[Any] = [html.H4(t("aw.postings", lang)), _postings_table(postings, lang)]
    envelope_part: list[Any] = []
    if official:
        today = data.today()
        pending_options = [{"label": f"{category(lines.get(r['from_line_id'], ''), lang)} → "
                                     f"{category(lines.get(r['to_line_id'], ''), lang)} · "
                                     f"{format_krw(r['amount_krw'], 'won')} · {r['requested_by']}",
                            "value": r["id"]} for r in pending]
        transfer_part += [
            html.Div([
                _field(t("field.from_category", lang), _dd(lang, id="award-tr-from", options=cats), "award-tr-from"),
                _field(t("field.to_category", lang), _dd(lang, id="award-tr-to", options=cats), "award-tr-to"),
                _field(t("field.amount_krw", lang), dcc.Input(id="award-tr-amount", type="number", min=1, step=1),
                       "award-tr-amount"),
            ], className="form-row"),
            _field(t("act.reason_hint", lang), dcc.Textarea(id="award-tr-reason", maxLength=500,
                                                            style={"width": "100%", "height": "40px"}),
                   "award-tr-reason"),
            confirm("award-transfer", t("aw.request_button", lang), t("aw.request_confirm", lang)),
            html.H4(t("aw.decide", lang)),
            html.Div([_field(t("tr.pending", lang), _dd(lang, id="award-decide-transfer", options=pending_options,
                                                                 value=pending_options[0]["value"]
                                                                 if pending_options else None),
                             "award-decide-transfer")], className="form-row"),
            _field(t("act.reason", lang), dcc.Textarea(id="award-decide-reason", maxLength=500,
                                                       style={"width": "100%", "height": "40px"}),
                   "award-decide-reason"),
            html.Div([confirm("award-approve", t("aw.approve", lang), t("aw.approve_confirm", lang)),
                      confirm("award-reject", t("aw.reject", lang), t("aw.reject_confirm", lang), cls="danger")],
                     className="form-row"),
        ]
        envs = wf_data.envelopes(int(detail["award"]["program_id"]))
        env_options = [{"label": f"{e['name_ko']} · {format_krw(e['available_krw'], 'eok')}", "value": e["id"]}
                       for e in envs]
        names = {int(e["id"]): str(e["name_ko"]) for e in envs}
        envelope_part = [
            html.H4(t("aw.envelopes", lang)),
            _envelope_table(envs, lang),
            html.H5(t("aw.env_recent", lang)),
            _envelope_transfer_table(wf_data.envelope_transfers(int(detail["award"]["program_id"])), names, lang),
            html.Div([
                _field(t("field.from_envelope_id", lang), _dd(lang, id="award-env-from", options=env_options),
                       "award-env-from"),
                _field(t("field.to_envelope_id", lang), _dd(lang, id="award-env-to", options=env_options),
                       "award-env-to"),
                _field(t("field.amount_krw", lang), dcc.Input(id="award-env-amount", type="number", min=1, step=1),
                       "award-env-amount"),
            ], className="form-row"),
            _field(t("act.reason_hint", lang), dcc.Textarea(id="award-env-reason", maxLength=500,
                                                            style={"width": "100%", "height": "40px"}),
                   "award-env-reason"),
            confirm("award-envelope", t("aw.envelope_button", lang), t("aw.envelope_confirm", lang)),
        ]
        open_options = [{"label": r["title"], "value": r["id"]} for r in postings if r["is_open"]]
        posting_part += [
            html.Div([
                _field(t("field.title", lang), dcc.Input(id="award-post-title", type="text", maxLength=200),
                       "award-post-title"),
                _field(t("field.platform", lang), dcc.Input(id="award-post-platform", type="text", maxLength=120),
                       "award-post-platform"),
                _field(t("field.pay_krw", lang), dcc.Input(id="award-post-pay", type="number", min=1, step=1),
                       "award-post-pay"),
                _field(t("field.open_date", lang), dcc.Input(id="award-post-open", type="date",  # type: ignore[arg-type]
                                                             value=today.isoformat()), "award-post-open"),
                _field(t("field.close_date", lang), dcc.Input(id="award-post-close", type="date"),  # type: ignore[arg-type]
                       "award-post-close"),
            ], className="form-row"),
            confirm("award-post", t("aw.post", lang), t("aw.post_confirm", lang)),
            html.Div([_field(t("aw.close_post", lang), _dd(lang, id="award-close-posting", options=open_options),
                             "award-close-posting"),
                      confirm("award-close", t("aw.close_post", lang), t("aw.close_confirm", lang), cls="danger")],
                     className="form-row"),
        ]
    else:
        posting_part.append(html.P(t("act.readonly", lang), className="hint", id="award-readonly"))
    return html.Div([html.Div(transfer_part, className="form"), html.Div(envelope_part, className="form"),
                     html.Div(posting_part, className="form")])


def act(user: User | None, *args: Any) -> tuple[Any, Any]:
    (_tr, _approve, _reject, _env, _post, _close, tr_from, tr_to, tr_amount, tr_reason, decide_id, decide_reason,
     env_from, env_to, env_amount, env_reason, title, platform, pay, open_date, close_date, close_id, key,
     version) = args
    key = key or {}
    lang = key.get("lang")
    action = fired()
    if not action:
        raise PreventUpdate
    if not _official(user):
        return refused(t("ev.officials_only", lang), "award-error"), dash.no_update
    award_id = parse_id(key.get("award_id"))
    if award_id is None:
        return refused(t("aw.notfound", lang), "award-error"), dash.no_update
    bump = int(version) + 1 if isinstance(version, int) and not isinstance(version, bool) else 1
    hints: dict[tuple[str, str | None], str] = {("forbidden", None): t("aw.four_eyes", lang)}
    try:
        if action == "award-transfer":
            from budgeting.schemas import LineTransferCreate

            body = LineTransferCreate.model_validate({"from_category": tr_from, "to_category": tr_to,
                                                      "amount_krw": tr_amount, "reason": tr_reason or ""})
            row = wf_data.request_line_transfer(user, award_id, body)
            amount = format_krw(row["amount_krw"], "won")
            text = t("aw.requested_pending" if str(row["status"]) == "pending" else "aw.requested_now",
                     lang).format(a=amount)
        elif action in ("award-approve", "award-reject"):
            from budgeting.schemas import TransferDecision

            transfer_id = parse_id(decide_id)
            if transfer_id is None:
                raise RuleViolation("choose a transfer", field="transfer_id")
            if transfer_id not in {r["id"] for r in wf_data.transfers(award_id)}:
                raise RuleViolation("not a transfer of this award", field="transfer_id")
            decision = TransferDecision.model_validate({"approve": action == "award-approve",
                                                        "reason": decide_reason or ""})
            row = wf_data.decide_line_transfer(user, transfer_id, decision)
            status = str(row.get("status"))  # still pending after an approval: a first one, above the limit
            key_ = "aw.rejected" if status == "rejected" else "aw.approved" if status == "approved" else "ap.first"
            text = t(key_, lang).format(a=format_krw(row["amount_krw"], "won"))
        elif action == "award-envelope":
            from budgeting.schemas import EnvelopeTransferCreate

            detail = data.award_detail(award_id)
            if detail is None:
                raise RuleViolation("no such award", field="award_id")
            program_id = int(detail["award"]["program_id"])
            body_env = EnvelopeTransferCreate.model_validate({
                "from_envelope_id": parse_id(env_from), "to_envelope_id": parse_id(env_to),
                "amount_krw": env_amount, "reason": env_reason or ""})
            moved = wf_data.envelope_transfer(user, program_id, body_env)  # short: the domain names it
            names = {e["id"]: e["name_ko"] for e in wf_data.envelopes(program_id)}
            text = t("aw.envelope_done" if str(moved.get("status", "recorded")) != "pending"
                     else "aw.envelope_pending", lang).format(f=names.get(body_env.from_envelope_id, "–"),
                                                      to=names.get(body_env.to_envelope_id, "–"),
                                                      a=format_krw(body_env.amount_krw, "won"))
        elif action == "award-post":
            from budgeting.schemas import JobPostingCreate

            posting = JobPostingCreate.model_validate({"title": title or "", "platform": platform or "",
                                                       "pay_krw": pay, "open_date": open_date,
                                                       "close_date": close_date})
            made = wf_data.publish_posting(user, award_id, posting, data.today())
            text = t("aw.posted", lang).format(t=made["title"])
        elif action == "award-close":
            posting_id = parse_id(close_id)
            if posting_id is None or posting_id not in {p["id"] for p in wf_data.postings(award_id, data.today())}:
                raise RuleViolation("choose a posting", field="posting_id")
            closed = wf_data.close_posting(user, posting_id)
            text = t("aw.closed", lang).format(t=closed["title"])
        else:
            raise PreventUpdate
    except (DomainError, ValidationError) as exc:
        return refused(f"{t('act.refused', lang)}: {refusal_text(exc, lang, hints)}", "award-error"), dash.no_update
    except ValueError:
        return refused(f"{t('act.refused', lang)}: {t('act.invalid', lang)}", "award-error"), dash.no_update
    return done(text, "award-done"), bump


def register(dash_app: Any) -> None:
    access.register(dash_app, actions, Output("award-actions", "children"), Input("award-key", "data"),
                    Input("award-version", "data"), page=PAGE)
    access.register(
        dash_app, act, Output("award-message", "children"), Output("award-version", "data"),
        *[Input(cid, "submit_n_clicks") for cid in ("award-transfer", "award-approve", "award-reject",
                                                   "award-envelope", "award-post", "award-close")],
        State("award-tr-from", "value"), State("award-tr-to", "value"), State("award-tr-amount", "value"),
        State("award-tr-reason", "value"), State("award-decide-transfer", "value"),
        State("award-decide-reason", "value"), State("award-env-from", "value"), State("award-env-to", "value"),
        State("award-env-amount", "value"), State("award-env-reason", "value"), State("award-post-title", "value"),
        State("award-post-platform", "value"), State("award-post-pay", "value"), State("award-post-open", "value"),
        State("award-post-close", "value"), State("award-close-posting", "value"), State("award-key", "data"),
        State("award-version", "data"), page=PAGE, prevent_initial_call=True)
