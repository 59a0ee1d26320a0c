"""Evaluators (officials): the evaluator registry (평가위원 인력풀). Search profiles, register one, edit its
expertise, affiliations with dates (the conflict rules read them) and contact, deactivate or reactivate it,
import a file of profiles (all rows or none).

Each change is a scoring.evaluators function (the one /api/v1/evaluators calls), audited there without the
contact values. Contact (e-mail, phone) is shown to officials only, as the API decides.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import dash
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate
from pydantic import ValidationError

from core.bounded import ShortText, check
from core.errors import DomainError, InvalidValue, RuleViolation
from core.models import User
from dashboard import access
from dashboard.data import evaluators as data
from dashboard.i18n import LABELS, t
from dashboard.pages.actions import confirm, done, fired, refusal_text, refused, when
from dashboard.pages.common import dropdown_labels, field_labels, parse_id
from scoring.models import AffiliationIn, EvaluatorCreate, EvaluatorUpdate

PAGE = "evaluators"
MAX_UPLOAD_BYTES = 5 * 2**20  # 5,000 rows of eight short columns fit many times over

LABELS.update({
    "nav.evaluators": ("평가위원 관리", "Evaluators"),
    "ev.title": ("평가위원 관리", "Evaluators"),
    "ev.search": ("평가위원 찾기", "Find evaluators"),
    "ev.q": ("이름 또는 평가위원 번호", "Name or evaluator number"),
    "ev.field": ("전문분야", "Expertise"),
    "ev.state": ("상태", "State"),
    "ev.search_button": ("찾기", "Search"),
    "ev.count": ("{n:,}명", "{n:,} evaluators"),
    "ev.count_more": ("{n:,}명 중 {k:,}명을 보여 줍니다. 검색어나 분야로 좁히세요.",
                      "Showing {k:,} of {n:,}; narrow the search by name or field."),
    "ev.none": ("맞는 평가위원이 없습니다", "No evaluator matches"),
    "ev.col.code": ("평가위원 번호", "Number"),
    "ev.col.name": ("이름", "Name"),
    "ev.col.position": ("직위", "Position"),
    "ev.col.field": ("전문분야", "Expertise"),
    "ev.col.org": ("소속기관", "Organisation"),
    "ev.col.history": ("소속 이력 (기간)", "Affiliation history (dates)"),
    "ev.col.contact": ("연락처", "Contact"),
    "ev.col.panels": ("패널", "Panels"),
    "ev.col.state": ("상태", "State"),
    "ev.no_field": ("지정 안 함", "not set"),
    "ev.no_org": ("없음", "none"),
    "ev.now": ("현재", "now"),
    "ev.panels_n": ("{n:,}건", "{n:,}"),
    "ev.create": ("새 평가위원", "New evaluator"),
    "ev.create_button": ("평가위원 등록", "Register the evaluator"),
    "ev.create_confirm": ("이 평가위원을 인력풀에 등록합니다. 패널에는 배정되지 않습니다. 계속할까요?",
                          "Register this evaluator? It is seated on no panel."),
    "ev.manage": ("선택한 평가위원", "Selected evaluator"),
    "ev.pick": ("평가위원", "Evaluator"),
    "ev.pick_hint": ("위에서 찾은 평가위원 중에서 고릅니다", "one of the evaluators found above"),
    "ev.name": ("이름", "Name"),
    "ev.position": ("직위", "Position"),
    "ev.org": ("현재 소속기관", "Current organisation"),
    "ev.email": ("이메일", "E-mail"),
    "ev.phone": ("전화번호", "Phone"),
    "ev.contact_hint": ("담당관에게만 보이며 감사 기록에는 남지 않습니다",
                        "shown to officials only; never kept in the audit log"),
    "ev.history": ("소속 이력", "Affiliation history"),
    "ev.history_hint": ("체크를 풀면 저장할 때 지워집니다. 이해충돌 검토가 이 기간을 봅니다.",
                        "untick to remove on saving; the conflict checks read these dates"),
    "ev.history_none": ("등록된 소속 이력이 없습니다", "No affiliation is recorded"),
    "ev.add_org": ("소속 이력 추가: 기관", "Add to the affiliation history: organisation"),
    "ev.first_org": ("소속 이력: 기관", "Affiliation history: organisation"),
    "ev.start": ("시작일", "From"),
    "ev.end": ("종료일 (비우면 현재)", "Until (empty: now)"),
    "ev.start_field": ("소속 시작일", "affiliation start date"),
    "ev.end_field": ("소속 종료일", "affiliation end date"),
    "ev.save_button": ("변경 저장", "Save the changes"),
    "ev.save_confirm": ("이 평가위원의 정보를 바꿉니다. 소속 이력은 이해충돌 검토에 쓰입니다. 계속할까요?",
                        "Save these changes? The affiliations are used by the conflict checks."),
    "ev.activity": ("사용 중지 · 다시 사용", "Deactivate or reactivate"),
    "ev.reason": ("사유 (감사 기록에 남습니다)", "Reason (kept in the audit log)"),
    "ev.deactivate": ("사용 중지", "Deactivate"),
    "ev.deactivate_confirm": ("이 평가위원을 사용 중지합니다. 새 패널에 배정할 수 없게 됩니다 (지금 앉은 패널 자리는 "
                              "담당관이 바꿀 때까지 남습니다). 계속할까요?",
                              "Deactivate this evaluator? They can no longer be seated on a panel (current seats "
                              "stay until an official swaps them)."),
    "ev.reactivate": ("다시 사용", "Reactivate"),
    "ev.reactivate_confirm": ("이 평가위원을 다시 패널에 배정할 수 있게 합니다. 계속할까요?",
                              "Make this evaluator available for panels again?"),
    "ev.created": ("평가위원 '{n}'({c})을(를) 등록했습니다", "Registered the evaluator '{n}' ({c})"),
    "ev.saved": ("평가위원 '{n}'({c})의 정보를 저장했습니다", "Saved the profile of '{n}' ({c})"),
    "ev.deactivated": ("평가위원 '{n}'({c})을(를) 사용 중지했습니다", "Deactivated the evaluator '{n}' ({c})"),
    "ev.reactivated": ("평가위원 '{n}'({c})을(를) 다시 사용할 수 있습니다",
                       "The evaluator '{n}' ({c}) is active again"),
    "ev.pick_first": ("먼저 평가위원을 고르세요", "Choose an evaluator first"),
    "ev.state_line": ("{s} · 패널 {p:,}건 · {a}", "{s} · {p:,} panels · {a}"),
    "ev.account_yes": ("로그인 계정 연결됨", "login account linked"),
    "ev.account_no": ("로그인 계정 없음", "no login account"),
    "ev.import": ("파일로 가져오기", "Import from a file"),
    "ev.import_hint": ("첫 행에 아래 머리글을 이 순서대로 둔 .xlsx 또는 .csv 파일을 올립니다. 파일 전체를 먼저 "
                       "검사하고, 문제가 하나라도 있으면 아무것도 등록하지 않습니다.",
                       "Upload a .xlsx or .csv file whose first row holds these headers in this order. The whole "
                       "file is checked first; with any problem nothing is registered."),
    "ev.import_columns": ("머리글", "Headers"),
    "ev.import_fields": ("'전문분야' 열에는 분야 이름을 씁니다", "The '전문분야' column takes a field's name"),
    "ev.import_dates": ("사업자등록번호는 000-00-00000, 날짜는 2021-03-31 형식입니다",
                        "business numbers as 000-00-00000, dates as 2021-03-31"),
    "ev.upload": ("파일을 끌어다 놓거나 눌러서 고르세요 (.xlsx, .csv)",
                  "Drop a file here or click to choose (.xlsx, .csv)"),
    "ev.imported": ("'{f}'에서 평가위원 {n:,}명을 등록했습니다", "Registered {n:,} evaluators from '{f}'"),
    "ev.import_refused": ("파일에 문제가 {n:,}건 있어 아무것도 등록하지 않았습니다",
                          "The file has {n:,} problems: nothing was registered"),
    "ev.too_large": ("파일이 너무 큽니다 (5MB까지)", "The file is too large (up to 5 MB)"),
    "ev.bad_upload": ("파일을 읽을 수 없습니다", "The file cannot be read"),
    "ev.col.row": ("행", "Row"),
    "ev.col.column": ("열", "Column"),
    "ev.col.reason": ("사유", "Reason"),
})

# Fields of the profile forms, for refusals of values that do not fit (pydantic's location → label key).
_FORM_FIELDS = {"name": "ev.name", "title": "ev.position", "expertise_field_code": "ev.field",
                "affiliation_org_id": "ev.org", "email": "ev.email", "phone": "ev.phone",
                "affiliations": "ev.history", "start_date": "ev.start_field", "end_date": "ev.end_field",
                "org_id": "ev.history", "reason": "act.reason"}
STATES = ("", "active", "inactive")


# --------------------------------------------------------------------------- pieces


def _field(label: str, control: Any, cid: str, hint: str | None = None) -> html.Div:
    return html.Div([html.Label(label, htmlFor=cid), control,
                     html.Span(hint, className="hint") if hint else None], className="form-field")


def _aria(label: str) -> dict[str, Any]:
    """An aria-label (not in the typed signature of Dash's html components)."""
    return {"aria-label": label}


def _field_options(lang: str | None, all_label: str) -> list[dict[str, str]]:
    return [{"label": all_label, "value": ""}] + [{"label": name, "value": code}
                                                  for code, name in field_labels(lang).items()]


def _org_options(lang: str | None) -> list[dict[str, Any]]:
    return [{"label": f"{o['name']} ({o['business_number']})", "value": o["id"]} for o in data.organizations()]


def _state_options(lang: str | None) -> list[dict[str, str]]:
    names = {"": t("filter.all", lang), "active": t("status.active", lang), "inactive": t("status.inactive", lang)}
    return [{"label": names[s], "value": s} for s in STATES]


def _period(start: str | None, end: str | None, lang: str | None) -> str:
    return f"{when(start, lang) if start else '…'} ~ {when(end, lang) if end else t('ev.now', lang)}"


def _affiliation(a: dict[str, Any], lang: str | None) -> str:
    return f"{a['org_name']} ({_period(a.get('start_date'), a.get('end_date'), lang)})"


def table(rows: list[dict[str, Any]], total: int, lang: str | None, contact: bool) -> html.Div:
    fields = field_labels(lang)
    keys = ["ev.col.code", "ev.col.name", "ev.col.position", "ev.col.field", "ev.col.org", "ev.col.history"]
    keys += ["ev.col.contact"] if contact else []
    keys += ["ev.col.panels", "ev.col.state"]
    sticky = {"position": "sticky", "top": 0, "background": "#fff", "zIndex": 1}  # the header stays as the box scrolls
    head = html.Tr([html.Th(t(k, lang), className="num" if k == "ev.col.panels" else None, style=sticky)
                    for k in keys])
    body = []
    for r in rows:
        cells = [html.Td(r["code"]), html.Td(r["name"]), html.Td(r["title"] or "–"),
                 html.Td(fields.get(r["expertise_field_code"] or "", t("ev.no_field", lang))),
                 html.Td(r["affiliation_org_name"] or "–"),
                 html.Td([html.Div(_affiliation(a, lang)) for a in r["affiliations"]] or "–")]
        if contact:
            cells.append(html.Td([html.Div(v) for v in (r.get("email"), r.get("phone")) if v] or "–"))
        cells += [html.Td(t("ev.panels_n", lang).format(n=r["panels"]), className="num"),
                  html.Td(t("status.active" if r["active"] else "status.inactive", lang),
                          className="ok" if r["active"] else "error")]
        body.append(html.Tr(cells, id=f"evaluators-row-{r['code']}"))
    if not rows:
        note = t("ev.none", lang)
    elif total > len(rows):
        note = t("ev.count_more", lang).format(n=total, k=len(rows))
    else:
        note = t("ev.count", lang).format(n=total)
    listing = html.Div(html.Table([html.Thead(head), html.Tbody(body)], className="simple", id="evaluators-table"),
                       tabIndex="0", role="region", **_aria(t("ev.search", lang)),
                       style={"maxHeight": "460px", "overflowY": "auto"}) if rows else None
    return html.Div([html.P(note, className="hint", id="evaluators-count"), listing])


def _pick_options(rows: list[dict[str, Any]], lang: str | None) -> list[dict[str, Any]]:
    fields = field_labels(lang)
    return [{"label": f"{r['code']} · {r['name']}"
                      + (f" · {fields[r['expertise_field_code']]}" if r["expertise_field_code"] in fields else "")
                      + ("" if r["active"] else f" · {t('status.inactive', lang)}"), "value": r["id"]}
            for r in rows]


def _profile_form(prefix: str, lang: str | None, orgs: list[dict[str, Any]], contact: bool) -> list[Any]:
    """Name, position, expertise, current organisation and (for officials) contact: the create and edit forms."""
    parts: list[Any] = [
        _field(t("ev.name", lang), dcc.Input(id=f"{prefix}-name", type="text", maxLength=200), f"{prefix}-name"),
        _field(t("ev.position", lang), dcc.Input(id=f"{prefix}-title", type="text", maxLength=200),
               f"{prefix}-title"),
        _field(t("ev.field", lang), dcc.Dropdown(id=f"{prefix}-field", options=_field_options(lang, t("ev.no_field",
                                                                                                      lang)),
                                                 value="", clearable=False, labels=dropdown_labels(lang)),
               f"{prefix}-field"),
        _field(t("ev.org", lang), dcc.Dropdown(id=f"{prefix}-org", options=orgs, value=None,
                                               placeholder=t("ev.no_org", lang), labels=dropdown_labels(lang)),
               f"{prefix}-org"),
    ]
    if contact:
        parts.append(html.Div([
            _field(t("ev.email", lang), dcc.Input(id=f"{prefix}-email", type="email", maxLength=254),
                   f"{prefix}-email"),
            _field(t("ev.phone", lang), dcc.Input(id=f"{prefix}-phone", type="tel", maxLength=32),
                   f"{prefix}-phone"),
        ], className="form-row"))
        parts.append(html.P(t("ev.contact_hint", lang), className="hint"))
    else:  # the callbacks read these States; an admin (no contact) leaves them untouched
        parts += [dcc.Input(id=f"{prefix}-email", type="hidden"), dcc.Input(id=f"{prefix}-phone", type="hidden")]
    return parts


def _new_affiliation(prefix: str, label_key: str, lang: str | None, orgs: list[dict[str, Any]]) -> html.Div:
    return html.Div([
        _field(t(label_key, lang), dcc.Dropdown(id=f"{prefix}-aff-org", options=orgs, value=None,
                                                placeholder=t("ev.no_org", lang), labels=dropdown_labels(lang)),
               f"{prefix}-aff-org"),
        html.Div([
            _field(t("ev.start", lang), dcc.Input(id=f"{prefix}-aff-start", type="date"),  # type: ignore[arg-type]
                   f"{prefix}-aff-start"),
            _field(t("ev.end", lang), dcc.Input(id=f"{prefix}-aff-end", type="date"),  # type: ignore[arg-type]
                   f"{prefix}-aff-end"),
        ], className="form-row"),
    ])


def _import_card(lang: str | None) -> html.Div:
    fields = field_labels(lang)
    return html.Div([
        html.H3(t("ev.import", lang)),
        html.P(t("ev.import_hint", lang), className="hint"),
        html.P([html.Strong(t("ev.import_columns", lang) + ": "), ", ".join(data.import_columns())],
               id="evaluators-import-columns"),
        html.P(t("ev.import_fields", lang) + ": " + ", ".join(fields.values()),  # names; codes are accepted too
               className="hint"),
        html.P(t("ev.import_dates", lang), className="hint"),
        dcc.Upload(html.Div(t("ev.upload", lang)), id="evaluators-upload", accept=".xlsx,.csv",
                   max_size=MAX_UPLOAD_BYTES, multiple=False, className="upload",
                   style={"border": "2px dashed #8a99ad", "borderRadius": "6px", "padding": "18px",
                          "textAlign": "center", "cursor": "pointer", "marginTop": "8px"}),
        dcc.Loading(html.Div(id="evaluators-import-result", role="status"), type="circle"),
    ], className="card", id="evaluators-import")


def layout(user: User | None, lang: str | None, query: dict[str, str]) -> Any:
    contact = data.with_contact(user)
    rows, total = data.search(user)
    orgs = _org_options(lang)
    return html.Div([
        html.H2(t("ev.title", lang)),
        dcc.Store(id="evaluators-lang", data=lang),
        dcc.Store(id="evaluators-version", data=0),
        html.Div(id="evaluators-message", role="status"),
        html.Div([
            html.H3(t("ev.search", lang)),
            html.Div([
                _field(t("ev.q", lang), dcc.Input(id="evaluators-q", type="search", maxLength=100, debounce=True),
                       "evaluators-q"),
                _field(t("ev.field", lang), dcc.Dropdown(id="evaluators-filter-field",
                                                         options=_field_options(lang, t("filter.all", lang)),
                                                         value="", clearable=False, labels=dropdown_labels(lang)),
                       "evaluators-filter-field"),
                _field(t("ev.state", lang), dcc.Dropdown(id="evaluators-filter-state", options=_state_options(lang),
                                                         value="", clearable=False, labels=dropdown_labels(lang)),
                       "evaluators-filter-state"),
                html.Button(t("ev.search_button", lang), id="evaluators-search", className="primary", type="button"),
            ], className="form-row"),
            html.Div(table(rows, total, lang, contact), id="evaluators-list"),
        ], className="card"),
        html.Div([
            html.Div([
                html.H3(t("ev.create", lang)),
                *_profile_form("evaluators-new", lang, orgs, contact),
                _new_affiliation("evaluators-new", "ev.first_org", lang, orgs),
                confirm("evaluators-create", t("ev.create_button", lang), t("ev.create_confirm", lang)),
            ], className="card form"),
            html.Div([
                html.H3(t("ev.manage", lang)),
                _field(t("ev.pick", lang), dcc.Dropdown(id="evaluators-target", options=_pick_options(rows, lang),
                                                        clearable=False, labels=dropdown_labels(lang)),
                       "evaluators-target", t("ev.pick_hint", lang)),
                html.P(id="evaluators-state", className="hint"),
                *_profile_form("evaluators-edit", lang, orgs, contact),
                html.Div([html.Label(t("ev.history", lang), htmlFor="evaluators-edit-history"),
                          dcc.Checklist(id="evaluators-edit-history", options=[], value=[],
                                        labelStyle={"display": "block"}),
                          html.Span(t("ev.history_hint", lang), className="hint")], className="form-field"),
                _new_affiliation("evaluators-edit", "ev.add_org", lang, orgs),
                confirm("evaluators-save", t("ev.save_button", lang), t("ev.save_confirm", lang)),
                html.H4(t("ev.activity", lang), style={"marginTop": "18px"}),
                _field(t("ev.reason", lang), dcc.Input(id="evaluators-reason", type="text", maxLength=200),
                       "evaluators-reason"),
                html.Div([
                    confirm("evaluators-deactivate", t("ev.deactivate", lang), t("ev.deactivate_confirm", lang),
                            cls="danger"),
                    confirm("evaluators-reactivate", t("ev.reactivate", lang), t("ev.reactivate_confirm", lang)),
                ], className="form-row"),
            ], className="card form"),
        ], className="grid2"),
        _import_card(lang),
    ], id="evaluators-page")


# --------------------------------------------------------------------------- callbacks


def _why(exc: Exception, lang: str | None) -> str:
    """A refusal in the reader's language; a value that does not fit names the form's own field."""
    if isinstance(exc, ValidationError):
        errors = exc.errors()
        loc = [str(p) for p in errors[0].get("loc", ())] if errors else []
        key = _FORM_FIELDS.get(loc[0]) if loc else None
        if key:
            return f"{t('act.invalid', lang)} ({t(key, lang)})"
    if isinstance(exc, DomainError) and isinstance(exc.details, dict) and exc.details.get("rule") == "required":
        key = _FORM_FIELDS.get(str(exc.field))
        if key:
            return t("act.needs", lang).format(f=t(key, lang))
    return refusal_text(exc, lang)


def _text(value: Any) -> str:
    return "" if value is None else str(value)[:2000].strip()


def _affiliation_in(org: Any, start: Any, end: Any) -> list[AffiliationIn]:
    """The affiliation typed into a form (none when no organisation is chosen), parsed as the API parses it."""
    org_id = parse_id(org)
    if org_id is None:
        if org not in (None, ""):
            raise RuleViolation("unknown organisation", field="affiliations")
        return []
    return [AffiliationIn.model_validate({"org_id": org_id, "start_date": _text(start) or None,
                                          "end_date": _text(end) or None})]


def _profile_values(name: Any, title: Any, field: Any, org: Any, email: Any, phone: Any,
                    contact: bool) -> dict[str, Any]:
    if not _text(name):
        raise RuleViolation("name is required", field="name", details={"rule": "required"})
    org_id = parse_id(org)
    if org_id is None and org not in (None, ""):
        raise RuleViolation("unknown organisation", field="affiliation_org_id")
    values: dict[str, Any] = {"name": _text(name), "title": _text(title), "expertise_field_code": _text(field) or None,
                              "affiliation_org_id": org_id}
    if contact:  # only a reader who sees the contact may set it (an admin's empty box must not erase it)
        values |= {"email": _text(email) or None, "phone": _text(phone) or None}
    return values


def _search_args(q: Any, field: Any, state: Any) -> dict[str, Any]:
    active = {"active": True, "inactive": False}.get(str(state or ""))
    return {"q": str(check(ShortText, _text(q)[:100], field="q")) or None, "field_code": _text(field)[:20] or None,
            "active": active}


def _decode(contents: str) -> bytes | None:
    try:
        return base64.b64decode(contents.split(",", 1)[1] if "," in contents else contents, validate=True)
    except (binascii.Error, ValueError):
        return None


def _reason(reason: Any, lang: str | None) -> str:
    """A row's reason in the page's language (the service keeps its message key)."""
    return reason.render(lang or "ko") if isinstance(reason, InvalidValue) else str(reason or "")


def problems_table(items: list[dict[str, Any]], lang: str | None) -> html.Table:
    head = html.Tr([html.Th(t(k, lang), className="num" if k == "ev.col.row" else None)
                    for k in ("ev.col.row", "ev.col.column", "ev.col.reason")])
    body = [html.Tr([html.Td(str(i.get("row", "")), className="num"), html.Td(str(i.get("column", ""))),
                     html.Td(_reason(i.get("reason"), lang))]) for i in items[:500]]
    return html.Table([html.Thead(head), html.Tbody(body)], className="simple", id="evaluators-import-problems")


def _import(user: User, contents: str, filename: Any, lang: str | None) -> tuple[Any, bool]:
    """The import's message (and the problem table), and whether anything was registered."""
    if len(contents) > MAX_UPLOAD_BYTES * 4 // 3 + 1000:
        return refused(t("ev.too_large", lang), "evaluators-import-error"), False
    raw = _decode(contents)
    if raw is None:
        return refused(t("ev.bad_upload", lang), "evaluators-import-error"), False
    name = str(filename or "")[:255]
    try:
        result = data.import_file(user, name, raw)
    except DomainError as exc:
        items = exc.details if isinstance(exc.details, list) else []
        if not items:
            return refused(f"{t('act.refused', lang)}: {_why(exc, lang)}", "evaluators-import-error"), False
        return html.Div([refused(t("ev.import_refused", lang).format(n=len(items)), "evaluators-import-error"),
                         problems_table(items, lang)]), False
    return done(t("ev.imported", lang).format(f=name, n=result["created"]), "evaluators-import-done"), True


def _answer(message: Any, imported: Any = dash.no_update, listing: Any = dash.no_update,
            options: Any = dash.no_update, chosen: Any = dash.no_update, version: Any = dash.no_update, *,
            clear_new: bool = False, query: Any = dash.no_update, uploaded: bool = False) -> tuple[Any, ...]:
    """The outputs of `act` in order; the new-profile form is emptied after a registration, the upload after
    an import (so that the same file, corrected, can be dropped again)."""
    keep = dash.no_update
    form = ("", "", "", None, "", "", None, "", "") if clear_new else (keep,) * 9
    return (message, imported, listing, options, chosen, version, *form, query, None if uploaded else keep)


CONFIRMED = ("evaluators-create", "evaluators-save", "evaluators-deactivate", "evaluators-reactivate")
SEARCHES = ("evaluators-search", "evaluators-q", "evaluators-filter-field", "evaluators-filter-state")


def act(user: User | None, _search: Any, _submit: Any, _field_filter: Any, _state_filter: Any, _create: Any,
        _save: Any, _deact: Any, _react: Any, contents: Any, filename: Any, q: Any, field_filter: Any,
        state_filter: Any, new_name: Any, new_title: Any, new_field: Any, new_org: Any, new_email: Any,
        new_phone: Any, new_aff_org: Any, new_aff_start: Any, new_aff_end: Any, target: Any, edit_name: Any,
        edit_title: Any, edit_field: Any, edit_org: Any, edit_email: Any, edit_phone: Any, keep_history: Any,
        add_org: Any, add_start: Any, add_end: Any, reason: Any, version: Any, lang: str | None) -> tuple[Any, ...]:
    """Search, or carry out the confirmed action (the caller may open the page: access.register checked the
    cookie). Returns (message, import result, list, evaluator options, chosen evaluator, version, then the
    new-profile form: name, position, field, organisation, e-mail, phone, earlier organisation, from, until;
    then the search text: a registration lists the new profile by its number; last the upload's contents)."""
    if user is None:
        raise PreventUpdate
    trigger = str(dash.callback_context.triggered_id or "")
    if trigger in CONFIRMED:
        if fired() != trigger:
            raise PreventUpdate  # a confirmation that was never clicked
    elif trigger == "evaluators-upload":
        if not isinstance(contents, str) or not contents:
            raise PreventUpdate
    elif trigger not in SEARCHES:
        raise PreventUpdate
    keep: Any = dash.no_update
    message: Any = keep
    imported: Any = keep
    chosen: Any = keep
    query: Any = keep
    changed = False
    contact = data.with_contact(user)
    try:
        filters = _search_args(q, field_filter, state_filter)
    except RuleViolation:
        filters = {}
    try:
        if trigger == "evaluators-upload":
            imported, changed = _import(user, str(contents), filename, lang)
        elif trigger == "evaluators-create":
            values = _profile_values(new_name, new_title, new_field, new_org, new_email, new_phone, contact)
            values["affiliations"] = _affiliation_in(new_aff_org, new_aff_start, new_aff_end)
            made = data.create(user, EvaluatorCreate.model_validate(values))
            message = done(t("ev.created", lang).format(n=made["name"], c=made["code"]), "evaluators-done")
            chosen, changed = made["id"], True
            filters, query = {"q": made["code"]}, made["code"]  # the list shows the profile just registered
        elif trigger in CONFIRMED:
            target_id = parse_id(target)
            if target_id is None:
                return _answer(refused(t("ev.pick_first", lang), "evaluators-error"))
            if trigger == "evaluators-save":
                current = data.profile(user, target_id)
                kept = {str(k) for k in (keep_history or []) if isinstance(k, str | int)}
                history = [AffiliationIn.model_validate({"org_id": a["org_id"], "start_date": a["start_date"],
                                                         "end_date": a["end_date"]})
                           for i, a in enumerate(current["affiliations"]) if str(i) in kept]
                values = _profile_values(edit_name, edit_title, edit_field, edit_org, edit_email, edit_phone,
                                         contact)
                values["affiliations"] = history + _affiliation_in(add_org, add_start, add_end)
                saved = data.update(user, target_id, EvaluatorUpdate.model_validate(values))
                text = t("ev.saved", lang).format(n=saved["name"], c=saved["code"])
            else:
                why = _text(reason)
                why = str(check(ShortText, why[:200], field="reason")) if why else ""
                saved = data.set_active(user, target_id, trigger == "evaluators-reactivate", why or None)
                text = t("ev.reactivated" if saved["active"] else "ev.deactivated", lang).format(
                    n=saved["name"], c=saved["code"])
            message, changed = done(text, "evaluators-done"), True
    except (DomainError, ValidationError) as exc:
        return _answer(refused(f"{t('act.refused', lang)}: {_why(exc, lang)}", "evaluators-error"),
                       uploaded=trigger == "evaluators-upload")
    try:
        rows, total = data.search(user, **filters)
    except DomainError:  # a forged field code: the whole registry
        rows, total = data.search(user)
    options = _pick_options(rows, lang)
    chosen_id = parse_id(chosen if chosen is not keep else target)
    if chosen_id is not None and chosen_id not in {r["id"] for r in rows}:
        try:  # the chosen profile stays in the choices even when the search does not find it
            options = _pick_options([data.profile(user, chosen_id)], lang) + options
        except DomainError:
            pass
    new_version = (version if isinstance(version, int) and not isinstance(version, bool) else 0) + 1
    cleared = trigger == "evaluators-create"  # the new profile is registered: the form is empty for the next one
    return _answer(message, imported, table(rows, total, lang, contact), options, chosen,
                   new_version if changed else keep, clear_new=cleared, query=query,
                   uploaded=trigger == "evaluators-upload")


def load(user: User | None, target: Any, _version: Any, lang: str | None) -> tuple[Any, ...]:
    """Fill the edit form with the chosen profile as stored now (after each change too)."""
    if user is None:
        raise PreventUpdate
    target_id = parse_id(target)
    if target_id is None:
        raise PreventUpdate
    try:
        p = data.profile(user, target_id)
    except DomainError:
        raise PreventUpdate from None
    fields = field_labels(lang)
    history = [{"label": " " + _affiliation(a, lang), "value": str(i)} for i, a in enumerate(p["affiliations"])]
    account = t("ev.account_yes" if p["has_account"] else "ev.account_no", lang)
    state = t("ev.state_line", lang).format(s=t("status.active" if p["active"] else "status.inactive", lang),
                                            p=p["panels"], a=account)
    contact = data.with_contact(user)
    return (p["name"], p["title"], p["expertise_field_code"] if p["expertise_field_code"] in fields else "",
            p["affiliation_org_id"], (p.get("email") or "") if contact else dash.no_update,
            (p.get("phone") or "") if contact else dash.no_update,
            history or [{"label": " " + t("ev.history_none", lang), "value": "-", "disabled": True}],
            [h["value"] for h in history], None, "", "", state)


def register(dash_app: Any) -> None:
    access.register(
        dash_app, act,
        Output("evaluators-message", "children"), Output("evaluators-import-result", "children"),
        Output("evaluators-list", "children"), Output("evaluators-target", "options"),
        Output("evaluators-target", "value"), Output("evaluators-version", "data"),
        Output("evaluators-new-name", "value"), Output("evaluators-new-title", "value"),
        Output("evaluators-new-field", "value"), Output("evaluators-new-org", "value"),
        Output("evaluators-new-email", "value"), Output("evaluators-new-phone", "value"),
        Output("evaluators-new-aff-org", "value"), Output("evaluators-new-aff-start", "value"),
        Output("evaluators-new-aff-end", "value"), Output("evaluators-q", "value"),
        Output("evaluators-upload", "contents"),
        Input("evaluators-search", "n_clicks"), Input("evaluators-q", "n_submit"),
        Input("evaluators-filter-field", "value"), Input("evaluators-filter-state", "value"),
        Input("evaluators-create", "submit_n_clicks"), Input("evaluators-save", "submit_n_clicks"),
        Input("evaluators-deactivate", "submit_n_clicks"), Input("evaluators-reactivate", "submit_n_clicks"),
        Input("evaluators-upload", "contents"), State("evaluators-upload", "filename"),
        State("evaluators-q", "value"), State("evaluators-filter-field", "value"),
        State("evaluators-filter-state", "value"),
        State("evaluators-new-name", "value"), State("evaluators-new-title", "value"),
        State("evaluators-new-field", "value"), State("evaluators-new-org", "value"),
        State("evaluators-new-email", "value"), State("evaluators-new-phone", "value"),
        State("evaluators-new-aff-org", "value"), State("evaluators-new-aff-start", "value"),
        State("evaluators-new-aff-end", "value"),
        State("evaluators-target", "value"), State("evaluators-edit-name", "value"),
        State("evaluators-edit-title", "value"), State("evaluators-edit-field", "value"),
        State("evaluators-edit-org", "value"), State("evaluators-edit-email", "value"),
        State("evaluators-edit-phone", "value"), State("evaluators-edit-history", "value"),
        State("evaluators-edit-aff-org", "value"), State("evaluators-edit-aff-start", "value"),
        State("evaluators-edit-aff-end", "value"), State("evaluators-reason", "value"),
        State("evaluators-version", "data"), State("evaluators-lang", "data"),
        page=PAGE, prevent_initial_call=True)
    access.register(
        dash_app, load,
        Output("evaluators-edit-name", "value"), Output("evaluators-edit-title", "value"),
        Output("evaluators-edit-field", "value"), Output("evaluators-edit-org", "value"),
        Output("evaluators-edit-email", "value"), Output("evaluators-edit-phone", "value"),
        Output("evaluators-edit-history", "options"), Output("evaluators-edit-history", "value"),
        Output("evaluators-edit-aff-org", "value"), Output("evaluators-edit-aff-start", "value"),
        Output("evaluators-edit-aff-end", "value"), Output("evaluators-state", "children"),
        Input("evaluators-target", "value"), Input("evaluators-version", "data"), State("evaluators-lang", "data"),
        page=PAGE, prevent_initial_call=True)
