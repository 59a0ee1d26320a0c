"""Approvals (officials; auditors read): every pending line and envelope transfer of the programme, oldest first,
with what the reading official may do — the requester never decides their own (four eyes), and above an
official's approval limit the approval is a first one that a second official completes.

The queue is budgeting.approvals.approval_queue; a decision calls budgeting.service.decide_line_transfer or
budgeting.approvals.decide_envelope_transfer (the functions the API calls, audited there). Every decision asks
for confirmation and its callback re-checks on the server that the caller is an official.
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

PAGE = "approvals"

LABELS.update({
    "nav.approvals": ("승인 대기", "Approvals"),
    "ap.title": ("승인 대기 중인 전용", "Transfers waiting for approval"),
    "ap.none": ("승인을 기다리는 전용이 없습니다", "No transfer is waiting for approval"),
    "ap.unavailable": ("승인 대기열을 아직 쓸 수 없습니다", "The approval queue is not available yet"),
    "ap.rule": ("신청한 담당관은 결정할 수 없습니다. 승인 한도를 넘는 금액은 두 번째 담당관이 최종 승인합니다.",
                "The requester never decides; above an official's approval limit a second official approves."),
    "ap.kind.line": ("비목 간 전용", "line transfer"),
    "ap.kind.envelope": ("예산 봉투 간 이동", "envelope transfer"),
    "ap.pick": ("결정할 전용", "Transfer to decide"),
    "ap.approve": ("승인", "Approve"),
    "ap.reject": ("반려", "Reject"),
    "ap.approve_confirm": ("이 전용을 승인합니다. 최종 승인이면 예산이 바로 옮겨집니다. 계속할까요?",
                           "Approve this transfer? A final approval moves the money at once."),
    "ap.reject_confirm": ("이 전용을 반려합니다. 계속할까요?", "Reject this transfer?"),
    "ap.approved": ("최종 승인했습니다. 예산을 옮겼습니다 ({a})", "Approved: the money has moved ({a})"),
    "ap.first": ("1차 승인을 기록했습니다 ({a}). 승인 한도를 넘어 다른 담당관의 최종 승인이 필요합니다",
                 "First approval recorded ({a}); above your limit another official must approve"),
    "ap.rejected": ("반려했습니다 ({a})", "Rejected ({a})"),
    "ap.second": ("2차 승인 필요", "needs a second approval"),
    "ap.can": ("결정 가능", "you may decide"),
    "ap.own": ("본인 신청", "your own request"),
    "ap.same": ("1차 승인자", "you gave the first approval"),
    "col.kind": ("종류", "Kind"),
    "col.project": ("과제", "Project"),
    "col.first": ("1차 승인", "First approval"),
    "col.you": ("나의 권한", "You"),
})


def _dd(lang: str | None, **kw: Any) -> dcc.Dropdown:
    """A dropdown whose own words (search box, "no options", the count of chosen items) follow the page's language."""
    return dcc.Dropdown(**{"labels": dropdown_labels(lang), **kw})



def _official(user: User | None) -> bool:
    return user is not None and auth.allows(user.role, (Role.official,))


def _side(item: dict[str, Any], which: str, lang: str | None, envelopes: dict[str, str] | None = None) -> str:
    """A line's category in words; an envelope's name (the queue carries its code, never shown)."""
    code = item[which]
    if item["kind"] == "line":
        return category(code, lang)
    return (envelopes or {}).get(str(code)) or t("ap.kind.envelope", lang)


def _envelope_names(program_id: int | None) -> dict[str, str]:
    return {} if program_id is None else {str(e["code"]): str(e["name_ko"]) for e in wf_data.envelopes(program_id)}


def _why(item: dict[str, Any], lang: str | None) -> str:
    if item.get("can_decide"):
        return t("ap.can", lang)
    why = item.get("why_not")
    if isinstance(why, str) and core_i18n.has_message(why):
        return core_i18n.render(why, {}, lang or "ko")
    return t("ap.same" if why and "same" in why else "ap.own", lang) if why else "–"


def queue_table(items: list[dict[str, Any]], lang: str | None, envelopes: dict[str, str] | None = None) -> Any:
    if not items:
        return html.P(t("ap.none", lang), className="hint", id="approvals-empty")
    head = html.Tr([html.Th(t(k, lang)) for k in ("col.kind", "col.project", "col.from", "col.to", "col.amount",
                                                   "col.requested_by", "col.first", "act.reason", "col.you")])
    rows = [html.Tr([
        html.Td(t(f"ap.kind.{i['kind']}", lang)), html.Td(i.get("project_code") or "–"),
        html.Td(_side(i, "source", lang, envelopes)), html.Td(_side(i, "target", lang, envelopes)),
        html.Td(format_krw(i["amount_krw"], "won"), className="num"),
        html.Td(f"{i['requested_by']} · {when(i['requested_at'], lang)}"),
        html.Td(html.Span(f"{i['first_approved_by']} · {t('ap.second', lang)}", className="flag")
                if i.get("first_approved_by") else "–"),
        html.Td(i["reason"]), html.Td(_why(i, lang), className="ok" if i.get("can_decide") else "hint"),
    ], id=f"approvals-row-{i['kind']}-{i['id']}") for i in items]
    return html.Table([html.Thead(head), html.Tbody(rows)], className="simple", id="approvals-table")


def layout(user: User | None, lang: str | None, query: dict[str, str]) -> Any:
    pid, _ = data.scope(query)
    return html.Div([
        html.H2(t("ap.title", lang)),
        html.P(t("ap.rule", lang), className="hint"),
        dcc.Store(id="approvals-key", data={"pid": pid, "lang": lang}),
        dcc.Store(id="approvals-version", data=0),
        html.Div(id="approvals-message", role="status"),
        dcc.Loading(html.Div(id="approvals-body"), type="circle"),
    ], id="approvals-page")


def _pid(key: dict[str, Any] | None) -> int | None:
    pid = parse_id((key or {}).get("pid"))
    return pid if pid in {i for i, _, _ in data.programs()} else data.main_program_id()


def body(user: User | None, key: dict[str, Any] | None, _version: Any) -> Any:
    lang = (key or {}).get("lang")
    pid = _pid(key)
    items = wf_data.approval_queue(user, pid) if pid is not None and user is not None else None
    if items is None:
        return html.P(t("ap.unavailable", lang), className="hint")
    names = _envelope_names(pid) if any(i["kind"] == "envelope" for i in items) else {}
    parts: list[Any] = [html.Div(queue_table(items, lang, names), className="card")]
    if _official(user):
        options = [{"label": f"{t('ap.kind.' + i['kind'], lang)} · "
                             + (f"{i['project_code']} · " if i.get("project_code") else "")
                             + f"{_side(i, 'source', lang, names)} → {_side(i, 'target', lang, names)} · "
                             f"{format_krw(i['amount_krw'], 'won')}", "value": f"{i['kind']}:{i['id']}"}
                   for i in items if i.get("can_decide")]
        parts.append(html.Div([
            html.Div([html.Label(t("ap.pick", lang), htmlFor="approvals-pick"),
                      _dd(lang, id="approvals-pick", options=options,
                                   value=options[0]["value"] if options else None)], className="form-field"),
            html.Div([html.Label(t("act.reason", lang), htmlFor="approvals-reason"),
                      dcc.Textarea(id="approvals-reason", maxLength=500, style={"width": "100%", "height": "40px"})],
                     className="form-field"),
            html.Div([confirm("approvals-approve", t("ap.approve", lang), t("ap.approve_confirm", lang)),
                      confirm("approvals-reject", t("ap.reject", lang), t("ap.reject_confirm", lang), cls="danger")],
                     className="form-row"),
        ], className="card form"))
    else:
        parts.append(html.P(t("act.readonly", lang), className="hint", id="approvals-readonly"))
    return html.Div(parts)


def act(user: User | None, _approve: Any, _reject: Any, pick: Any, reason: Any, key: dict[str, Any] | None,
        version: Any) -> tuple[Any, Any]:
    lang = (key or {}).get("lang")
    action = fired()
    if not action:
        raise PreventUpdate
    if not _official(user):
        return refused(t("ev.officials_only", lang), "approvals-error"), dash.no_update
    bump = int(version) + 1 if isinstance(version, int) and not isinstance(version, bool) else 1
    try:
        from budgeting.schemas import TransferDecision

        kind, _, raw = str(pick or "")[:40].partition(":")
        transfer_id = parse_id(raw)
        if kind not in ("line", "envelope") or transfer_id is None:
            raise RuleViolation("choose a transfer", field="transfer_id", details={"rule": "required"})
        decision = TransferDecision.model_validate({"approve": action == "approvals-approve",
                                                    "reason": reason or ""})
        row = (wf_data.decide_line_transfer(user, transfer_id, decision) if kind == "line"
               else wf_data.decide_envelope_transfer(user, transfer_id, decision))
        amount = format_krw(row["amount_krw"], "won")
        status = str(row.get("status"))
        key_ = "ap.rejected" if status == "rejected" else "ap.approved" if status == "approved" else "ap.first"
        return done(t(key_, lang).format(a=amount), "approvals-done"), bump
    except (DomainError, ValidationError) as exc:
        hints: dict[tuple[str, str | None], str] = {("forbidden", None): t("aw.four_eyes", lang)}
        return refused(f"{t('act.refused', lang)}: {refusal_text(exc, lang, hints)}", "approvals-error"), bump


def register(dash_app: Any) -> None:
    access.register(dash_app, body, Output("approvals-body", "children"), Input("approvals-key", "data"),
                    Input("approvals-version", "data"), page=PAGE)
    access.register(dash_app, act, Output("approvals-message", "children"), Output("approvals-version", "data"),
                    Input("approvals-approve", "submit_n_clicks"), Input("approvals-reject", "submit_n_clicks"),
                    State("approvals-pick", "value"), State("approvals-reason", "value"),
                    State("approvals-key", "data"), State("approvals-version", "data"), page=PAGE,
                    prevent_initial_call=True)
