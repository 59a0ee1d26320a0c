"""Accounts (admins): every account with its role, state and last login; create one, change a role,
deactivate or reactivate, reset a password, end an account's sessions.

Each change is a core.auth function (the one /api/v1/users/… calls), audited there; a role change, a
deactivation and a password reset end the account's sessions at once (core.auth revokes its tokens).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate
from pydantic import ValidationError

from core.bounded import Secret
from core.errors import DomainError, RuleViolation
from core.models import Role, User, UserCreate
from core.money import format_krw
from dashboard import access
from dashboard.data import accounts as data
from dashboard.data import programme_life as life
from dashboard.i18n import LABELS, t
from dashboard.pages.actions import confirm, done, fired, refusal_text, refused, when
from dashboard.pages.common import dropdown_labels, parse_id

PAGE = "accounts"

LABELS.update({
    "nav.accounts": ("계정 관리", "Accounts"),
    "ac.title": ("계정 관리", "Accounts"),
    "ac.list": ("계정 목록", "Accounts"),
    "ac.create": ("새 계정", "New account"),
    "ac.create_button": ("계정 만들기", "Create the account"),
    "ac.create_confirm": ("새 계정을 만듭니다. 계속할까요?", "Create this account?"),
    "ac.manage": ("선택한 계정", "Selected account"),
    "ac.pick": ("계정", "Account"),
    "ac.role_button": ("역할 변경", "Change the role"),
    "ac.role_confirm": ("이 계정의 역할을 바꿉니다. 계정의 모든 세션이 즉시 끝납니다. 계속할까요?",
                        "Change this account's role? All its sessions end at once."),
    "ac.deactivate": ("사용 중지", "Deactivate"),
    "ac.deactivate_confirm": ("이 계정을 사용 중지합니다. 로그인할 수 없게 되고 모든 세션이 즉시 끝납니다. 계속할까요?",
                              "Deactivate this account? It can no longer log in and all its sessions end at once."),
    "ac.reactivate": ("다시 사용", "Reactivate"),
    "ac.reactivate_confirm": ("이 계정을 다시 사용하게 합니다. 계속할까요?", "Reactivate this account?"),
    "ac.reset": ("비밀번호 재설정", "Reset the password"),
    "ac.reset_confirm": ("이 계정의 비밀번호를 바꿉니다. 계정의 모든 세션이 즉시 끝납니다. 계속할까요?",
                         "Set this password? All the account's sessions end at once."),
    "ac.revoke": ("세션 모두 종료", "End all sessions"),
    "ac.revoke_confirm": ("이 계정의 모든 세션을 지금 끝냅니다. 계속할까요?", "End every session of this account now?"),
    "ac.created": ("계정 '{u}'을(를) 만들었습니다 ({r})", "Created the account '{u}' ({r})"),
    "ac.role_changed": ("'{u}'의 역할을 {r}(으)로 바꾸고 세션을 모두 끝냈습니다",
                        "'{u}' is now {r}; its sessions have ended"),
    "ac.deactivated": ("'{u}'을(를) 사용 중지하고 세션을 모두 끝냈습니다",
                       "Deactivated '{u}'; its sessions have ended"),
    "ac.reactivated": ("'{u}'을(를) 다시 사용할 수 있습니다 (다시 로그인해야 합니다)",
                       "'{u}' is active again (it must log in again)"),
    "ac.reset_done": ("'{u}'의 비밀번호를 바꾸고 세션을 모두 끝냈습니다",
                      "Set a new password for '{u}'; its sessions have ended"),
    "ac.revoked": ("'{u}'의 세션을 모두 끝냈습니다", "Ended every session of '{u}'"),
    "ac.pick_first": ("먼저 계정을 고르세요", "Choose an account first"),
    "ac.self": ("자기 계정은 사용 중지하거나 역할을 바꿀 수 없습니다",
                "You cannot deactivate your own account or change your own role"),
    "ac.last_admin": ("마지막 관리자 계정은 사용 중지하거나 역할을 바꿀 수 없습니다",
                      "The last active admin cannot be deactivated or lose the role"),
    "ac.taken": ("이미 있는 아이디입니다", "This username is taken"),
    "ac.username_hint": ("영문·숫자·._- 3~64자", "3–64 letters, digits, . _ -"),
    "ac.password_hint": ("12자 이상", "at least 12 characters"),
    "col.username": ("아이디", "Username"),
    "col.full_name": ("이름", "Name"),
    "col.role": ("역할", "Role"),
    "col.state": ("상태", "State"),
    "col.created": ("만든 날", "Created"),
    "col.last_login": ("마지막 로그인", "Last login"),
    "col.approval_limit": ("승인 한도", "Approval limit"),
    "ac.no_limit": ("한도 없음", "no limit"),
    "ac.limit": ("승인 한도 (원)", "Approval limit (won)"),
    "ac.limit_hint": ("담당관만, 비우면 한도 없음", "officials only; empty: no limit"),
    "ac.limit_button": ("승인 한도 저장", "Set the approval limit"),
    "ac.limit_confirm": ("이 담당관의 승인 한도를 바꿉니다. 한도를 넘는 전용은 두 번째 담당관의 "
                         "승인이 필요합니다. 계속할까요?",
                         "Set this official's approval limit? Above it a second official must approve."),
    "ac.link": ("평가위원 프로필 연결", "Link to an evaluator profile"),
    "ac.no_link": ("연결하지 않음", "No link"),
    "ac.link_hint": ("평가위원 역할만 · 비우면 연결하지 않음 (평가위원회 배정은 따로)",
                     "evaluator role only · empty: no link (seating a panel is separate)"),
    "ac.created_linked": ("계정 '{u}'을(를) 만들고 평가위원 {c} · {n}에 연결했습니다 ({r})",
                          "Created the account '{u}' linked to evaluator {c} · {n} ({r})"),
    "ac.limit_set": ("'{u}'의 승인 한도를 {a}(으)로 정했습니다", "The approval limit of '{u}' is now {a}"),
})

ROLES = [Role.admin, Role.official, Role.evaluator, Role.auditor]


def _role_options(lang: str | None) -> list[dict[str, str]]:
    return [{"label": t(f"role.{r.value}", lang), "value": r.value} for r in ROLES]


def _account_options(rows: list[dict[str, Any]], lang: str | None) -> list[dict[str, Any]]:
    return [{"label": f"{r['username']} · {r['full_name'] or '–'} · {t('role.' + r['role'], lang)}"
                      + ("" if r["is_active"] else f" · {t('status.inactive', lang)}"), "value": r["id"]}
            for r in rows]


def _evaluator_options() -> list[dict[str, Any]]:
    """Evaluator profiles without a login yet: code · name (the value is the code)."""
    return [{"label": f"{e['code']} · {e['name']}", "value": e["code"]} for e in data.unlinked_evaluators()]


def table(rows: list[dict[str, Any]], lang: str | None) -> html.Table:
    head = html.Tr([html.Th(t(k, lang)) for k in ("col.username", "col.full_name", "col.role", "col.state",
                                                   "col.created", "col.last_login", "col.approval_limit")])
    body = [html.Tr([html.Td(r["username"]), html.Td(r["full_name"] or "–"), html.Td(t("role." + r["role"], lang)),
                     html.Td(t("status.active" if r["is_active"] else "status.inactive", lang),
                             className="ok" if r["is_active"] else "error"),
                     html.Td(when(r["created_at"], lang)), html.Td(when(r["last_login_at"], lang)),
                     html.Td(_limit(r, lang), className="num")],
                    id=f"accounts-row-{r['username']}")
            for r in rows]
    return html.Table([html.Thead(head), html.Tbody(body)], className="simple", id="accounts-table")


def _limit(row: dict[str, Any], lang: str | None) -> str:
    """An official's approval limit in won (the four-eyes rule's second approver above it); '–' for other roles."""
    if row["role"] not in (Role.official.value, Role.admin.value):
        return "–"
    limit = row.get("approval_limit_krw")
    return t("ac.no_limit", lang) if limit is None else format_krw(int(limit), "won")


def _field(label: str, control: Any, cid: str, hint: str | None = None) -> html.Div:
    return html.Div([html.Label(label, htmlFor=cid), control,
                     html.Span(hint, className="hint") if hint else None], className="form-field")


def layout(user: User | None, lang: str | None, query: dict[str, str]) -> Any:
    rows = data.list_users()
    return html.Div([
        html.H2(t("ac.title", lang)),
        dcc.Store(id="accounts-lang", data=lang),
        html.Div(id="accounts-message", role="status"),
        html.Div([html.H3(t("ac.list", lang)), html.Div(table(rows, lang), id="accounts-list")], className="card"),
        html.Div([
            html.Div([
                html.H3(t("ac.create", lang)),
                _field(t("col.username", lang), dcc.Input(id="accounts-new-username", type="text", maxLength=64),
                       "accounts-new-username", t("ac.username_hint", lang)),
                _field(t("col.full_name", lang), dcc.Input(id="accounts-new-name", type="text", maxLength=200),
                       "accounts-new-name"),
                _field(t("col.role", lang), dcc.Dropdown(id="accounts-new-role", options=_role_options(lang),
                                                         value=Role.official.value, clearable=False),
                       "accounts-new-role"),
                _field(t("field.password", lang), dcc.Input(id="accounts-new-password", type="password",
                                                            maxLength=256, autoComplete="new-password"),
                       "accounts-new-password", t("ac.password_hint", lang)),
                _field(t("ac.link", lang), dcc.Dropdown(id="accounts-new-evaluator", options=_evaluator_options(),
                                                        placeholder=t("ac.no_link", lang),
                                                        searchable=True, labels=dropdown_labels(lang)),
                       "accounts-new-evaluator", t("ac.link_hint", lang)),
                confirm("accounts-create", t("ac.create_button", lang), t("ac.create_confirm", lang)),
            ], className="card form"),
            html.Div([
                html.H3(t("ac.manage", lang)),
                _field(t("ac.pick", lang), dcc.Dropdown(id="accounts-target", options=_account_options(rows, lang),
                                                        clearable=False), "accounts-target"),
                html.Div([
                    _field(t("col.role", lang), dcc.Dropdown(id="accounts-target-role", options=_role_options(lang),
                                                             value=Role.official.value, clearable=False),
                           "accounts-target-role"),
                    confirm("accounts-role", t("ac.role_button", lang), t("ac.role_confirm", lang)),
                ], className="form-row"),
                html.Div([
                    confirm("accounts-deactivate", t("ac.deactivate", lang), t("ac.deactivate_confirm", lang),
                            cls="danger"),
                    confirm("accounts-reactivate", t("ac.reactivate", lang), t("ac.reactivate_confirm", lang)),
                    confirm("accounts-revoke", t("ac.revoke", lang), t("ac.revoke_confirm", lang)),
                ], className="form-row"),
                html.Div([
                    _field(t("field.new_password", lang), dcc.Input(id="accounts-reset-password", type="password",
                                                                    maxLength=256, autoComplete="new-password"),
                           "accounts-reset-password", t("ac.password_hint", lang)),
                    confirm("accounts-reset", t("ac.reset", lang), t("ac.reset_confirm", lang)),
                ], className="form-row"),
                html.Div([
                    _field(t("ac.limit", lang), dcc.Input(id="accounts-limit", type="number", min=0, max=10**15,
                                                          step=1), "accounts-limit", t("ac.limit_hint", lang)),
                    confirm("accounts-limit-set", t("ac.limit_button", lang), t("ac.limit_confirm", lang)),
                ], className="form-row"),
            ], className="card form"),
        ], className="grid2"),
    ], id="accounts-page")


def _hints(lang: str | None) -> dict[tuple[str, str | None], str]:
    return {("conflict", "username"): t("ac.taken", lang)}


def _conflict_hint(exc: DomainError, lang: str | None) -> str | None:
    if exc.code == "conflict" and exc.field in ("user_id", "role"):
        return t("ac.last_admin" if "last active admin" in str(exc) else "ac.self", lang)
    return None


def act(user: User | None, _create: Any, _role: Any, _deact: Any, _react: Any, _reset: Any, _revoke: Any,
        _limit: Any, username: Any, full_name: Any, new_role: Any, password: Any, target: Any, target_role: Any,
        new_password: Any, lang: str | None, limit: Any = None, link_code: Any = None
        ) -> tuple[Any, Any, Any, Any, Any, Any, Any]:
    """Carry out the confirmed action (the caller is an admin: access.register checked the cookie).

    Returns (message, account list, account options, new-password box, reset-password box, the unlinked
    evaluator profiles and the chosen one).
    """
    if user is None:
        raise PreventUpdate
    action = fired()
    if not action:
        raise PreventUpdate
    keep: Any = dash.no_update
    clear_new: Any
    try:
        if action == "accounts-create":
            created = data.create_user(user, UserCreate.model_validate({
                "username": username or "", "full_name": full_name or "", "role": new_role or "",
                "password": password or ""}), str(link_code) if link_code else None)
            role_name = t("role." + created["role"], lang)
            linked = created.get("evaluator")
            text = t("ac.created_linked", lang).format(u=created["username"], c=linked["code"], n=linked["name"],
                                                       r=role_name) if linked else \
                t("ac.created", lang).format(u=created["username"], r=role_name)
            message, clear_new = done(text, "accounts-done"), ""
        else:
            target_id = parse_id(target)
            if target_id is None:
                return refused(t("ac.pick_first", lang), "accounts-error"), keep, keep, keep, keep, keep, keep
            clear_new = keep
            if action == "accounts-role":
                changed = data.change_role(user, target_id, Role(str(target_role)))
                text = t("ac.role_changed", lang).format(u=changed["username"], r=t("role." + changed["role"], lang))
            elif action == "accounts-deactivate":
                changed = data.set_active(user, target_id, False)
                text = t("ac.deactivated", lang).format(u=changed["username"])
            elif action == "accounts-reactivate":
                changed = data.set_active(user, target_id, True)
                text = t("ac.reactivated", lang).format(u=changed["username"])
            elif action == "accounts-reset":
                from core.bounded import check

                secret = check(Secret, new_password or "", field="new_password")
                changed = data.reset_password(user, target_id, secret)
                text = t("ac.reset_done", lang).format(u=changed["username"])
            elif action == "accounts-revoke":
                changed = data.revoke_sessions(user, target_id)
                text = t("ac.revoked", lang).format(u=changed["username"])
            elif action == "accounts-limit-set":
                from core.bounded import Won, check

                amount = None if limit is None or limit == "" else check(Won, limit, field="approval_limit_krw")
                changed = life.set_approval_limit(user, target_id, amount)
                shown = t("ac.no_limit", lang) if amount is None else format_krw(int(amount), "won")
                text = t("ac.limit_set", lang).format(u=changed["username"], a=shown)
            else:
                raise PreventUpdate
            message = done(text, "accounts-done")
    except (DomainError, ValidationError, ValueError) as exc:
        if isinstance(exc, DomainError):
            why = _conflict_hint(exc, lang) or refusal_text(exc, lang, _hints(lang))
        elif isinstance(exc, ValidationError):
            why = refusal_text(exc, lang)
        else:  # Role("…") of a forged value
            why = refusal_text(RuleViolation("invalid role", field="role"), lang)
        return refused(f"{t('act.refused', lang)}: {why}", "accounts-error"), keep, keep, keep, "", keep, keep
    rows = data.list_users()
    cleared_link = None if action == "accounts-create" else keep
    return message, table(rows, lang), _account_options(rows, lang), clear_new, "", _evaluator_options(), cleared_link


def register(dash_app: Any) -> None:
    access.register(
        dash_app, act,
        Output("accounts-message", "children"), Output("accounts-list", "children"),
        Output("accounts-target", "options"), Output("accounts-new-password", "value"),
        Output("accounts-reset-password", "value"),
        Output("accounts-new-evaluator", "options"), Output("accounts-new-evaluator", "value"),
        Input("accounts-create", "submit_n_clicks"), Input("accounts-role", "submit_n_clicks"),
        Input("accounts-deactivate", "submit_n_clicks"), Input("accounts-reactivate", "submit_n_clicks"),
        Input("accounts-reset", "submit_n_clicks"), Input("accounts-revoke", "submit_n_clicks"),
        Input("accounts-limit-set", "submit_n_clicks"),
        State("accounts-new-username", "value"), State("accounts-new-name", "value"),
        State("accounts-new-role", "value"), State("accounts-new-password", "value"),
        State("accounts-target", "value"), State("accounts-target-role", "value"),
        State("accounts-reset-password", "value"), State("accounts-lang", "data"), State("accounts-limit", "value"),
        State("accounts-new-evaluator", "value"),
        page=PAGE, prevent_initial_call=True)
