"""My assignments (evaluators): my proposals, the score sheet with the rubric, validation as I type, save, submit.

Every read and write goes through scoring.service with the caller resolved from the cookie,
so a forged sheet id reaches only the caller's own sheets (the service answers 'not found'
for anyone else's and for a project the caller is in conflict with).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import dash
from dash import ALL, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate
from pydantic import ValidationError

from core import bounded
from core import i18n as core_i18n
from core.bounded import Points, Ratio, Reason
from core.errors import DomainError, RuleViolation
from core.models import User
from core.money import format_krw
from dashboard import access, data
from dashboard.data import evaluation as ev_data
from dashboard.i18n import LABELS, t
from dashboard.pages.actions import confirm, fired, refusal_text, required_text
from dashboard.pages.common import parse_id
from scoring.models import CriterionCode, MaxPoints, Step

PAGE = "assignments"

LABELS.update({
    "sheet.assigned": ("평가 전", "not started"),
    "sheet.draft": ("작성 중", "draft"),
    "sheet.submitted": ("제출 완료", "submitted"),
    "as.submit_confirm": ("제출하면 평가표가 잠기고 담당관이 다시 열기 전에는 고칠 수 없습니다. 제출할까요?",
                          "Once submitted the sheet is locked until an official reopens it. Submit?"),
    "as.range": ("0점에서 {max}점 사이여야 합니다", "must be between 0 and {max}"),
    "as.step": ("{step}점 단위로 입력하세요", "must be a multiple of {step}"),
    "as.not_number": ("숫자를 입력하세요", "enter a number"),
    "as.matching": ("민간부담금", "Private matching"),
    "as.hires": ("직접고용 계획 (1억원당 {rate}명 기준)", "Planned direct hires ({rate} per 100M KRW)"),
    "as.hires_value": ("{p}명 계획 / 의무 {r}명", "{p} planned / {r} required"),
    "as.crowd": ("크라우드소싱 지급 계획", "Planned crowdsourcing payments"),
    "as.vulnerable": ("취약계층 고용 계획", "Hiring plan for vulnerable groups"),
    "as.crowd_workers": ("크라우드 작업자 참여 계획", "Planned crowd workers"),
    "as.training": ("작업자 교육 계획 (성장 지원)", "Planned training of crowd workers (growth support)"),
    "as.volume": ("구축 계획 물량", "Planned volume"),
    "as.persons": ("{n}명", "{n} persons"),
    "as.hours": ("{n}시간", "{n} hours"),
    "as.lead": ("주관기관", "Lead organisation"),
    "yes": ("예", "yes"),
    "no": ("아니오", "no"),
    "as.coi": ("이해충돌 확인", "Conflict of interest"),
    "as.pdf": ("제안서 PDF 보기", "Open the proposal (PDF)"),
    "as.no_pdf": ("첨부된 제안서 문서가 없습니다", "No proposal document is attached"),
    "as.coi_read": ("평가 전에 확인하세요: {c}의 주관·참여기관", "Before scoring, check the lead and members of {c}"),
    "as.coi_read_all": ("평가 전에 확인하세요: 이 과제에서 평가할 컨소시엄 {n}곳의 주관·참여기관 "
                        "(확인하면 이 과제의 평가표 {s}건이 모두 열립니다)",
                        "Before scoring, check the lead and members of the {n} consortia you score on this project "
                        "(confirming opens all {s} of its sheets)"),
    "as.certify": ("이해충돌 없음 확인", "I have no conflict of interest"),
    "as.certify_confirm": ("위 컨소시엄의 어느 기관과도 이해관계가 없음을 확인합니다. "
                           "이 과제의 평가표가 모두 열리고 확인 기록이 남습니다. 계속할까요?",
                           "Confirm that you have no tie with any organisation of the consortia above? All sheets "
                           "of this project open; it is recorded."),
    "as.certified": ("이해충돌 없음을 확인했습니다. 평가표가 열렸습니다.",
                     "Confirmed: no conflict. The sheet is open."),
    "as.coi_hint": ("위 컨소시엄의 주관·참여기관과 최근 3년 안에 소속·자문·공동연구 등 이해관계가 있으면 "
                    "평가하지 말고 신고하세요. "
                    "신고하면 이 과제의 평가위원회에서 빠지고 담당관에게 알려집니다.",
                    "If you have a tie with the lead or a member of a consortium above (employment, advice, joint work "
                    "in the last three years), do not score: declare it. You then leave this project's panel and "
                    "the official is told."),
    "as.coi_button": ("이해충돌 신고", "Declare a conflict"),
    "as.coi_confirm": ("이해충돌을 신고하면 이 과제의 평가에서 빠지며 되돌릴 수 없습니다. 계속할까요?",
                       "Declaring a conflict removes you from this project's evaluation; it cannot be undone. "
                       "Continue?"),
    "as.coi_done": ("이해충돌을 신고했습니다. 이 과제의 평가에서 빠졌고 담당관에게 알려집니다.",
                    "Conflict declared: you have left this project's evaluation and the official is told."),
    "as.coi_left": ("이 평가표는 더 이상 배정되어 있지 않습니다", "This sheet is no longer assigned to you"),
})


def layout(user: User | None, lang: str | None, query: dict[str, str]) -> Any:
    assignments = data.my_assignments(user) if user is not None else []
    if assignments is None:
        return html.Div([html.H2(t("as.title", lang)), html.P(t("unavailable", lang))], id="assignments-page")
    options = [{"label": f"{a['project_code']} · {a['consortium_name']} · {a['proposal_title'] or ''} "
                         f"· {_status(a['status'], lang)}", "value": a["id"]} for a in assignments]
    chosen = parse_id(query.get("sheet"))
    value = chosen if chosen is not None else (options[0]["value"] if options else None)
    return html.Div([
        html.H2(t("as.title", lang)),
        dcc.Store(id="assignments-lang", data=lang),
        dcc.Store(id="assignments-rubric"),
        html.P(t("as.none", lang), className="empty-state") if not options else None,
        html.Div([html.Label(t("as.pick", lang), htmlFor="assignments-sheet"),
                  dcc.Dropdown(id="assignments-sheet", options=options, value=value, clearable=False)],
                 style={"maxWidth": "820px", "marginBottom": "10px"}),
        # the spinner only while the sheet itself is drawn: the live check of each typed score (feedback, total,
        # buttons inside the form) must not hide the form under the evaluator's cursor
        dcc.Loading(html.Div(id="assignments-form"), type="circle", target_components={"assignments-form": "children"}),  # type: ignore[arg-type]
        html.Div([
            html.Span(id="assignments-total", className="kpi-value", style={"marginRight": "16px"}),
            html.Button(t("as.save", lang), id="assignments-save", n_clicks=0, className="primary"),
            dcc.ConfirmDialogProvider(
                html.Button(t("as.submit", lang), id="assignments-submit", n_clicks=0, className="primary",
                            disabled=True), id="assignments-submit-confirm", message=t("as.submit_confirm", lang)),
            html.Span(id="assignments-check", className="hint", style={"marginLeft": "12px"}),
            html.Div(id="assignments-message", role="status", style={"marginLeft": "12px"}),
        ], className="card actions"),
    ], id="assignments-page")


def form(user: User | None, sheet_id: int | None, lang: str | None) -> tuple[Any, Any]:
    """The score sheet of one of the caller's assignments, with its rubric (and the rules to check it)."""
    sheet_id = parse_id(sheet_id)
    if user is None or sheet_id is None:
        return html.P(t("as.none", lang), className="hint"), None
    detail = data.assignment_detail(user, sheet_id)
    if detail is None:
        return html.P(t("as.none", lang), className="hint", id="assignments-missing"), None
    if detail.get("needs_confirmation"):
        return _certify_panel(detail["check"], lang), None
    rubric, sheet, proposal = detail["rubric"], detail["sheet"], detail["proposal"]
    existing = {s["criterion_code"]: s for s in sheet["scores"]}
    locked = sheet["status"] == "submitted"
    rows = []
    for n, c in enumerate(rubric["criteria"], start=1):
        s = existing.get(c["code"], {})
        label = c["name_en"] if lang == "en" else c["name_ko"]
        rows.append(html.Div([
            html.Div([html.B(f"{n}. "), label,  # a number, not the criterion's code (PLAN…): no code on the page
                      html.Span(f" (0–{_num(c['max_points'])})", className="hint score-max"),
                      dcc.Textarea(id={"type": "assignments-comment", "code": c["code"]}, value=s.get("comment") or "",
                                   placeholder=t("as.comment", lang), disabled=locked,
                                   style={"width": "100%", "height": "34px", "marginTop": "4px"})]),
            # step="any" and no min/max: the browser would silently drop an invalid number (value None);
            # the rubric's own rules judge it below, with a message saying why.
            html.Label([  # the input's accessible name (axe: every form field has a label)
                html.Span(f"{n}. {label} ({'points' if lang == 'en' else '점수'})", className="sr-only"),
                dcc.Input(id={"type": "assignments-points", "code": c["code"]}, type="number", step="any",
                          disabled=locked, debounce=False, className="score-input",
                          value=float(s["points"]) if s.get("points") is not None else None)]),
            html.Span(id={"type": "assignments-feedback", "code": c["code"]}, className="hint score-feedback"),
        ], className="score-row"))
    below = detail["comment_required_below"]  # the sheet's own programme's rule (dashboard.data.assignment_detail)
    store = {"sheet_id": sheet["id"], "step": str(rubric["step"]), "below": str(below), "locked": locked,
             "criteria": [{"code": c["code"], "max": str(c["max_points"])} for c in rubric["criteria"]]}
    a = detail["assignment"]
    header = html.Div([
        html.H3(f"{a['project_code']} · {proposal['title'] or a['project_title']}"),
        html.P([f"{proposal['consortium_name']} — {t('as.members', lang)}: {', '.join(proposal['members'])}"]),
        _facts(detail, lang),
        _document_link(a, lang),
        html.P(t("as.locked", lang), className="ok", id="assignments-locked") if locked else None,
    ])
    conflict = html.Details([html.Summary(t("as.coi", lang)), _conflict_controls(lang, locked)],
                            className="form", id="assignments-coi-section")
    return html.Div([header, conflict, html.Div(rows, id="assignments-rows")], className="card"), store


def _document_link(assignment: dict[str, Any], lang: str | None) -> Any:
    """"제안서 PDF 보기" in a new tab when the proposal has a document (the scoring API route reads the login cookie
    and lets an evaluator read only the proposals of their own confirmed sheets)."""
    if not assignment.get("has_document"):
        return html.P(t("as.no_pdf", lang), className="hint", id="assignments-no-pdf")
    pid = parse_id(assignment.get("proposal_id"))
    if pid is None:
        return None
    return html.P(html.A(t("as.pdf", lang), href=f"/api/v1/scoring/proposals/{pid}/document", target="_blank",
                         rel="noopener", id="assignments-pdf", className="button"))


def _conflict_controls(lang: str | None, locked: bool = False) -> html.Div:
    return html.Div([
        html.P(t("as.coi_hint", lang), className="hint"),
        html.Div([html.Label(t("act.reason_hint", lang), htmlFor="assignments-coi-reason"),
                  dcc.Textarea(id="assignments-coi-reason", maxLength=2000, disabled=locked,
                               style={"width": "100%", "height": "40px"})], className="form-field"),
        confirm("assignments-coi", t("as.coi_button", lang), t("as.coi_confirm", lang), disabled=locked,
                cls="danger"),
    ])


def _certify_panel(check: dict[str, Any], lang: str | None) -> html.Div:
    """Before the sheet opens: the consortium and its members, then 'no conflict' or a declaration."""
    consortia = check.get("consortia") or [{"name": check["consortium_name"], "members": check.get("members", [])}]
    members = [html.Li([html.B(c["name"]), html.Ul([html.Li(m["name"]) for m in c["members"]])]) for c in consortia]
    read = t("as.coi_read", lang).format(c=check["consortium_name"]) if len(consortia) == 1 else \
        t("as.coi_read_all", lang).format(n=len(consortia), s=check.get("sheets", len(consortia)))
    return html.Div([
        html.H3(f"{check['project_code']} · {check['project_title']}"),
        html.H4(t("as.coi", lang)),
        html.P(read),
        html.Ul(members, id="assignments-coi-members"),
        confirm("assignments-certify", t("as.certify", lang), t("as.certify_confirm", lang)),
        html.Hr(),
        _conflict_controls(lang),
    ], className="card form", id="assignments-certify-panel")


def _status(code: Any, lang: str | None) -> str:
    label = core_i18n.code_label("sheet_status", code, lang or "ko")
    if label not in (core_i18n.UNKNOWN[0], str(code)):
        return label
    return t(f"sheet.{code}", lang) if f"sheet.{code}" in LABELS else label


def _unit(unit: str, lang: str | None) -> str:
    """The project's unit of volume as typed by officials; the default 건 reads "items" in English."""
    return "items" if unit == "건" and (lang or "ko") == "en" else unit


def _facts(detail: dict[str, Any], lang: str | None) -> html.Dl:
    """What the evaluator must know of the proposal: money, planned hires against the rule, crowdsourcing."""
    p = detail["proposal"]
    required = int(detail.get("required_direct_hires") or 0)
    hires_ok = p["planned_direct_hires"] >= required
    items = [
        (t("as.requested", lang), f"{format_krw(p['requested_grant_krw'], 'eok')} "
                                  f"({format_krw(p['requested_grant_krw'], 'won')})"),
        (t("as.matching", lang), f"{format_krw(p['private_matching_krw'], 'eok')} "
                                 f"({format_krw(p['private_matching_krw'], 'won')})"),
        (t("as.hires", lang).format(rate=detail.get("hires_per_100m_krw", "2.4")),
         html.Span(t("as.hires_value", lang).format(p=f"{p['planned_direct_hires']:,}", r=f"{required:,}"),
                   className="ok" if hires_ok else "error", id="assignments-hires")),
        (t("as.crowd", lang), format_krw(p["planned_crowd_payment_krw"], "won")),
        (t("as.crowd_workers", lang), t("as.persons", lang).format(n=f"{p['planned_crowd_workers']:,}")),
        (t("as.training", lang), t("as.hours", lang).format(n=f"{p['planned_training_hours']:,}")),
        (t("as.volume", lang), f"{p['planned_volume']:,} {_unit(p['volume_unit'], lang)}"),
        (t("as.vulnerable", lang), t("yes" if p["vulnerable_hiring_plan"] else "no", lang)),
        (t("as.lead", lang), p["lead_org_name"]),
    ]
    children: list[Any] = []
    for k, v in items:
        children += [html.Dt(k), html.Dd(v)]
    return html.Dl(children, className="facts", id="assignments-facts")


def _num(v: Any) -> str:
    d = Decimal(str(v))
    return f"{d.normalize():f}"


def _points(v: Any) -> tuple[Decimal | None, str | None]:
    """Points typed (or forged) into a score box: (value, None), (None, why not), or (None, None) when empty.

    Parsed through the same bounded type as the API (core.bounded.Points), so "1E-10000000",
    NaN or a 400-digit number is a message, never arithmetic on it.
    """
    if v is None or v == "":
        return None, None
    if isinstance(v, float):
        v = repr(v)  # 7.5 → "7.5"; 1e-300 → "1e-300", refused on its exponent
    try:
        return bounded.check(Points, v, field="points"), None
    except RuleViolation as exc:
        return None, exc.message.removeprefix("points: ")


def _rubric(store: dict[str, Any]) -> tuple[Decimal, Decimal, list[tuple[str, Decimal]]]:
    """The rubric store (client-side, so forgeable) parsed through bounded types; RuleViolation if forged."""
    try:
        step = bounded.check(Step, store["step"], field="step")
        below = bounded.check(Ratio, store["below"], field="below")
        criteria = [(bounded.check(CriterionCode, c["code"], field="code"),
                     bounded.check(MaxPoints, c["max"], field="max")) for c in store["criteria"]]
    except (KeyError, TypeError) as exc:
        raise RuleViolation("the score sheet form is damaged; reload the page") from exc
    return step, below, criteria


def check(points: list[Any], comments: list[Any], rubric: dict[str, Any] | None,
          lang: str | None) -> tuple[list[str], str, bool, bool, str]:
    """Validate as the evaluator types, with the same rules the service applies on submit.

    Returns (feedback per criterion, total, submit disabled, save disabled, overall message).
    """
    from scoring import rules as scoring_rules

    if not rubric:
        raise PreventUpdate
    try:
        step, below, criteria = _rubric(rubric)
    except RuleViolation as exc:
        return [f"✗ {exc.message}"] * len(points), "", True, True, f"✗ {exc.message}"
    feedback, total, ok = [], Decimal(0), True
    for (_, mx), value, comment in zip(criteria, points, comments, strict=False):
        p, why = _points(value)
        if why is not None:
            feedback.append(f"✗ {t('as.not_number', lang)}")
            ok = False
            continue
        if p is None:
            feedback.append(t("as.missing", lang))
            ok = False
            continue
        error = scoring_rules.score_error(p, mx, step)  # the service's rule decides; the words are the reader's
        if error:
            key = "as.range" if p < 0 or p > mx else "as.step"
            feedback.append(f"✗ {t(key, lang).format(max=_num(mx), step=_num(step))}")
            ok = False
            continue
        total += p
        if scoring_rules.comment_required(p, mx, below) and not (comment or "").strip():
            feedback.append(f"✗ {t('as.comment_needed', lang)}")
            ok = False
        else:
            feedback.append("✓")
    locked = bool(rubric.get("locked"))
    message = t("as.locked", lang) if locked else t("as.ready", lang) if ok else t("as.incomplete", lang)
    return feedback, f"{t('as.total', lang)} {_num(total)}", (not ok) or locked, locked, message


def save(user: User | None, save_clicks: int, submit_clicks: int, points: list[Any], comments: list[Any],
         ids: list[dict[str, str]], rubric: dict[str, Any] | None, lang: str | None) -> tuple[Any, Any, Any]:
    """Save a draft or submit: scoring.service checks ownership, rubric and completeness again.

    Returns (message, form, rubric store); after a submission the form comes back locked.
    """
    import dash

    if not rubric or user is None:
        raise PreventUpdate
    triggered = dash.callback_context.triggered_id
    submit = triggered == "assignments-submit-confirm"
    sheet_id = parse_id(rubric.get("sheet_id"))
    if sheet_id is None:
        return (html.P(f"✗ {t('as.none', lang)}", className="error", id="assignments-error"),
                dash.no_update, dash.no_update)
    scores = []
    for cid, value, comment in zip(ids, points, comments, strict=False):
        p, why = _points(value)
        code = cid.get("code") if isinstance(cid, dict) else None
        if why is not None:
            return (html.P(f"✗ {code}: {t('as.not_number', lang)}", className="error", id="assignments-error"),
                    dash.no_update, dash.no_update)
        if p is not None:
            scores.append({"criterion_code": code, "points": str(p), "comment": comment or None})
    try:
        result = data.write_sheet(user, sheet_id, scores, submit=submit)
    except (DomainError, ValidationError) as exc:
        return (html.P(f"✗ {refusal_text(exc, lang)}", className="error", id="assignments-error"), dash.no_update,
                dash.no_update)
    except ValueError:  # a value the request schema refuses
        return (html.P(f"✗ {t('act.invalid', lang)}", className="error", id="assignments-error"), dash.no_update,
                dash.no_update)
    if submit:
        locked_form, store = form(user, sheet_id, lang)
        return (html.P(f"✓ {t('as.submitted', lang)} ({t('as.total', lang)} {_num(result['total'])})", className="ok",
                       id="assignments-done"), locked_form, store)
    return html.P(f"✓ {t('as.saved', lang)}", className="ok", id="assignments-saved"), dash.no_update, dash.no_update


def certify(user: User | None, clicks: Any, sheet: Any, lang: str | None) -> tuple[Any, Any, Any]:
    """The evaluator confirms having no conflict with the project: the sheet opens."""
    sheet_id = parse_id(sheet)
    if user is None or not fired() or sheet_id is None:
        raise PreventUpdate
    try:
        ev_data.certify_no_conflict(user, sheet_id)
    except (DomainError, ValidationError) as exc:
        return (html.P(f"✗ {refusal_text(exc, lang)}", className="error", id="assignments-error"), dash.no_update,
                dash.no_update)
    body, store = form(user, sheet_id, lang)
    return html.P(f"✓ {t('as.certified', lang)}", className="ok", id="assignments-certified"), body, store


def declare(user: User | None, clicks: Any, reason: Any, sheet: Any,
            lang: str | None) -> tuple[Any, Any]:
    """The evaluator declares a conflict with the consortium: they leave the panel of that project and the
    official sees the declaration (scoring.service.declare_own_conflict, as POST /assignments/{id}/conflict)."""
    if user is None or not fired():
        raise PreventUpdate
    sheet_id = parse_id(sheet)
    try:
        if sheet_id is None:
            raise RuleViolation("sheet is required", field="sheet_id", details={"rule": "required"})
        text = required_text(Reason, reason, "reason")
        ev_data.declare_conflict(user, sheet_id, text)
    except (DomainError, ValidationError) as exc:
        return html.P(f"✗ {refusal_text(exc, lang)}", className="error", id="assignments-error"), dash.no_update
    return (html.P(f"✓ {t('as.coi_done', lang)}", className="ok", id="assignments-coi-done"),
            html.P(t("as.coi_left", lang), className="hint", id="assignments-missing"))


def register(dash_app: Any) -> None:
    access.register(dash_app, form, Output("assignments-form", "children"), Output("assignments-rubric", "data"),
                    Input("assignments-sheet", "value"), Input("assignments-lang", "data"), page=PAGE)
    access.register(dash_app, check,
                    Output({"type": "assignments-feedback", "code": ALL}, "children"),
                    Output("assignments-total", "children"), Output("assignments-submit", "disabled"),
                    Output("assignments-save", "disabled"), Output("assignments-check", "children"),
                    Input({"type": "assignments-points", "code": ALL}, "value"),
                    Input({"type": "assignments-comment", "code": ALL}, "value"),
                    Input("assignments-rubric", "data"), State("assignments-lang", "data"), page=PAGE,
                    user_arg=False)
    access.register(dash_app, save,
                    Output("assignments-message", "children"),
                    Output("assignments-form", "children", allow_duplicate=True),
                    Output("assignments-rubric", "data", allow_duplicate=True),
                    Input("assignments-save", "n_clicks"), Input("assignments-submit-confirm", "submit_n_clicks"),
                    State({"type": "assignments-points", "code": ALL}, "value"),
                    State({"type": "assignments-comment", "code": ALL}, "value"),
                    State({"type": "assignments-points", "code": ALL}, "id"),
                    State("assignments-rubric", "data"), State("assignments-lang", "data"), page=PAGE,
                    prevent_initial_call=True)
    # after the form callback: a forged-request client addressing "assignments-form.children" meets the form first
    access.register(dash_app, declare, Output("assignments-message", "children", allow_duplicate=True),
                    Output("assignments-form", "children", allow_duplicate=True),
                    Input("assignments-coi", "submit_n_clicks"), State("assignments-coi-reason", "value"),
                    State("assignments-sheet", "value"), State("assignments-lang", "data"), page=PAGE,
                    prevent_initial_call=True)
    access.register(dash_app, certify, Output("assignments-message", "children", allow_duplicate=True),
                    Output("assignments-form", "children", allow_duplicate=True),
                    Output("assignments-rubric", "data", allow_duplicate=True),
                    Input("assignments-certify", "submit_n_clicks"), State("assignments-sheet", "value"),
                    State("assignments-lang", "data"), page=PAGE, prevent_initial_call=True)
