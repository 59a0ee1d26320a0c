"""Evaluation (officials act, auditors read): score distributions, evaluator leniency, incomplete panels, and per
project the ranking and the call's workflow — screening (override with a reason), the panel (automatic, by
hand, swap a member), submission progress, reopening a sheet, confirming the selection and making the award.

Every action asks for confirmation, calls the scoring or budgeting service function the API calls (audited
there), and its callback re-checks on the server that the caller is an official: auditors see the same page
without any action control, and a forged action request from them changes nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import dash
import pandas as pd
from dash import ALL, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate
from pydantic import ValidationError

from core import auth
from core import i18n as core_i18n
from core.bounded import PositiveWon, Won
from core.errors import DomainError, RuleViolation
from core.models import Role, User
from core.money import format_krw
from dashboard import access, data, downloads, figures
from dashboard.data import evaluation as ev_data
from dashboard.data import workflow as wf_data
from dashboard.i18n import LABELS, category, t
from dashboard.pages.actions import bounded, confirm, done, fired, refusal_text, refused, required_text, when
from dashboard.pages.common import dropdown_labels, parse_id

PAGE = "evaluation"
MIN_LENIENCY_SHEETS = 5  # an evaluator with fewer counted sheets says little about leniency

LABELS.update({
    # its own key: the evaluators page (평가위원 관리) also registers an "ev.title" and would name this page
    "ev.heading": ("평가 결과", "Evaluation"),
    "ev.workflow": ("과제 진행 (적격성 검토 → 평가위원회 → 선정 확정 → 협약)",
                    "The call's workflow (screening → panel → selection → award)"),
    "ev.screening": ("적격성 검토", "Eligibility screening"),
    "ev.screen_run": ("적격성 검토 실행", "Run the screening"),
    "ev.screen_confirm": ("이 과제의 모든 제안서를 다시 검토합니다 (담당관의 판정 변경은 유지). 계속할까요?",
                          "Screen every proposal of this project again (overrides are kept)?"),
    "ev.screened": ("제안서 {n}건을 검토했습니다 (적격 {ok}건)", "Screened {n} proposal(s) ({ok} eligible)"),
    "ev.not_screened": ("아직 검토하지 않았습니다", "Not screened yet"),
    "ev.eligible": ("적격", "eligible"),
    "ev.ineligible": ("부적격", "ineligible"),
    "ev.override": ("판정 변경 (사유 필수)", "Override (reason required)"),
    "ev.override_button": ("판정 변경", "Override"),
    "ev.override_confirm": ("이 제안서의 적격성 판정을 바꿉니다. 사유는 감사 기록에 남습니다. 계속할까요?",
                            "Override this proposal's screening? The reason is kept in the audit log."),
    "ev.overridden": ("{c}의 판정을 '{e}'(으)로 바꿨습니다", "{c} is now '{e}'"),
    "ev.overridden_by": ("담당관 판정", "official's override"),
    "ev.panel_title": ("평가위원회", "Panel"),
    "ev.progress": ("제출된 평가표 {s} / {a} (작성 중 {d})", "Sheets submitted {s} / {a} ({d} in draft)"),
    "ev.no_panel": ("아직 평가위원회가 없습니다", "No panel yet"),
    "ev.auto": ("자동 구성", "Build automatically"),
    "ev.auto_size": ("위원 수", "Members"),
    "ev.auto_confirm": ("전문 분야와 업무량을 고려해 이해충돌이 없는 위원으로 패널을 채웁니다. 계속할까요?",
                        "Fill the panel with conflict-free evaluators by expertise and load?"),
    "ev.panel_set": ("평가위원회를 {n}명으로 구성했습니다", "The panel now has {n} members"),
    "ev.swap_out": ("뺄 위원", "Member to replace"),
    "ev.swap_in": ("넣을 위원", "Replacement"),
    "ev.swap": ("위원 교체", "Swap member"),
    "ev.swap_confirm": ("위원을 교체합니다. 빠지는 위원의 평가표는 지워집니다. 계속할까요?",
                        "Swap this member? The leaving member's unstarted sheets are removed."),
    "ev.swapped": ("{out}을(를) {inn}(으)로 교체했습니다 (평가위원회 {n}명)",
                   "Replaced {out} with {inn} (the panel has {n} members)"),
    "ev.manual": ("직접 구성 (위원 선택)", "By hand (choose members)"),
    "ev.manual_button": ("이 위원들로 구성", "Set this panel"),
    "ev.selected_n": ("{num_selected}명 선택", "{num_selected} selected"),
    "ev.manual_confirm": ("선택한 위원들로 평가위원회를 구성합니다. 계속할까요?", "Set the panel to these evaluators?"),
    "ev.no_registry": ("평가위원 명부가 아직 없어 직접 구성·교체는 쓸 수 없습니다 (자동 구성은 가능)",
                       "The evaluator registry is not available yet: building by hand needs it (automatic works)"),
    "ev.reopen": ("평가표 재개 (사유 필수)", "Reopen a sheet (reason required)"),
    "ev.reopen_button": ("재개", "Reopen"),
    "ev.reopen_confirm": ("제출된 평가표를 다시 열어 평가위원이 고칠 수 있게 합니다. 계속할까요?",
                          "Reopen this submitted sheet so its evaluator can change it?"),
    "ev.reopened": ("평가표를 다시 열었습니다 (재개 {n}회째)", "The sheet is open again (reopened {n} time(s))"),
    "ev.confirm_title": ("선정 확정", "Confirm the selection"),
    "ev.threshold": ("선정 기준 점수 {p}점 이상", "Pass threshold {p} points"),
    "ev.rank1": ("1순위: {c} ({s}점, 권고 지원액 {g})", "Rank 1: {c} ({s} points, recommended {g})"),
    "ev.choose": ("선정할 제안서", "Proposal to select"),
    "ev.against": ("순위와 다른 선정입니다. 사유가 필요하며 평가 보고서에 표시됩니다.",
                   "This departs from the ranking: a reason is required and it is flagged in the report."),
    "ev.confirm_button": ("선정 확정", "Confirm the selection"),
    "ev.confirm_confirm": ("선정을 확정하면 되돌릴 수 없습니다. 계속할까요?",
                           "A confirmed selection cannot be undone. Continue?"),
    "ev.confirmed": ("{c}의 선정을 확정했습니다 (최종 {s}점, 권고 지원액 {g})",
                     "Confirmed {c} (final {s} points, recommended {g})"),
    "ev.selected_by": ("확정: {c} · {who} · {at}", "Confirmed: {c} · {who} · {at}"),
    "ev.flag_against": ("순위와 다른 선정", "Departs from the ranking"),
    "ev.flag_reason": ("사유", "reason"),
    "ev.not_ready": ("모든 평가표가 제출되어야 확정할 수 있습니다", "Every sheet must be submitted before confirming"),
    "ev.award_title": ("협약 생성", "Make the award"),
    "ev.award_button": ("협약 생성", "Create the award"),
    "ev.award_confirm": ("이 내용으로 협약을 맺습니다. 되돌릴 수 없습니다. 계속할까요?",
                         "Sign the award with these figures? This cannot be undone."),
    "ev.awarded": ("협약을 만들었습니다: 정부출연금 {g}", "Award created: grant {g}"),
    "ev.award_link": ("협약 상세 보기", "Open the award"),
    "ev.lines_hint": ("비목별 예산은 사업 규칙의 통상 비율로 채웠습니다. "
                      "합계는 정부출연금+민간부담금, 간접비는 직접비의 {cap} 이하",
                      "Budget lines are prefilled by the programme's shares; they must add up to grant + matching, "
                      "indirect at most {cap} of direct costs"),
    "ev.no_selection": ("선정이 확정되면 협약을 만들 수 있습니다",
                        "An award can be made once the selection is confirmed"),
    "ev.sheets_col": ("제출 평가표 / 배정", "Sheets submitted / assigned"),
    "ev.lenient_n": ("{c} (평가표 {n})", "{c} ({n} sheets)"),
    "ev.lenient_min": ("평가표 {n}장 이상인 평가위원만 표시", "Only evaluators with at least {n} sheets"),
    "ev.officials_only": ("담당관만 처리할 수 있습니다", "Only officials can do this"),
    "col.member": ("평가위원", "Evaluator"),
    "col.panel_code": ("위원 번호", "Seat"),
    "col.sheets": ("평가표 제출/배정", "Sheets submitted/assigned"),
    "col.conflict": ("이해충돌", "Conflict"),
    "col.eligibility": ("적격성", "Eligibility"),
    "col.reasons": ("사유", "Reasons"),
    "col.status": ("상태", "Status"),
    "screen.too_few_members": ("참여기관 수 부족", "too few member organisations"),
    "screen.lead_too_many_fields": ("주관기관 지원 분야 초과", "lead applies in too many fields"),
    "screen.grant_above_ceiling": ("신청액이 과제 상한 초과", "requested grant above the ceiling"),
    "screen.too_few_hires": ("직접고용 계획 부족 (2.4명/1억원)", "too few planned direct hires (2.4 per 100M KRW)"),
    "screen.matching_too_low": ("민간부담금 비율 부족", "private matching too low"),
    "screen.member_restricted": ("참여 제한 기관 포함", "a member is under a participation restriction"),
    "screen.withdrawn": ("제안 철회", "withdrawn"),
    "screen.closed_round": ("이전 공고 차수", "earlier round of the call"),
    "yes": ("예", "yes"),
    "no": ("아니오", "no"),
})


def _dd(lang: str | None, **kw: Any) -> dcc.Dropdown:
    """A dropdown whose own words (search box, "no options", the count of chosen items) follow the page's language."""
    return dcc.Dropdown(**{"labels": dropdown_labels(lang), **kw})



def _is_official(user: User | None) -> bool:
    return user is not None and auth.allows(user.role, (Role.official,))


def layout(user: User | None, lang: str | None, query: dict[str, str]) -> Any:
    pid, _as_of = data.scope(query)
    overview = data.evaluation_overview(pid) if pid else None
    options = [] if overview is None else [
        {"label": f"{r.code} · {r.title_ko}", "value": int(r.project_id)} for r in overview.itertuples(index=False)]
    wanted = parse_id(query.get("project"))
    value = wanted if wanted in {o["value"] for o in options} else (options[0]["value"] if options else None)
    fields = data.fields()
    field_options = [{"label": t("filter.all", lang), "value": ""}] + [
        {"label": r["name_en"] if lang == "en" else r["name_ko"], "value": r["code"]} for _, r in fields.iterrows()]
    key = {"pid": pid, "lang": lang}
    return html.Div([
        html.H2(t("ev.heading", lang)),
        decision_links(pid, lang),
        dcc.Store(id="evaluation-lang", data=lang),
        dcc.Store(id="evaluation-key", data=key),
        dcc.Store(id="evaluation-version", data=0),
        html.Div([
            html.Div([html.Label(t("filter.field", lang), htmlFor="evaluation-field"),
                      _dd(lang, id="evaluation-field", options=field_options, value=query.get("field", ""),
                                   clearable=False)]),
        ], className="filters"),
        html.Div([
            html.Div(dcc.Loading(dcc.Graph(id="evaluation-hist", config={"displayModeBar": False})), className="card"),
            html.Div([dcc.Loading(dcc.Graph(id="evaluation-leniency", config={"displayModeBar": False})),
                      html.P(t("ev.lenient_min", lang).format(n=MIN_LENIENCY_SHEETS), className="hint")],
                     className="card"),
        ], className="grid2"),
        html.Div([html.H3(t("ev.incomplete", lang)), dcc.Loading(html.Div(id="evaluation-incomplete"))],
                 className="card"),
        html.Div([
            html.H3(t("ev.ranking", lang)),
            html.Div([html.Label(t("ev.project", lang), htmlFor="evaluation-project"),
                      _dd(lang, id="evaluation-project", options=options, value=value, clearable=False)],
                     style={"maxWidth": "720px", "marginBottom": "8px"}),
            dcc.Loading(html.Div(id="evaluation-ranking")),
        ], className="card"),
        html.Div([
            html.H3(t("ev.workflow", lang)),
            html.Div(id="evaluation-message", role="status"),
            dcc.Loading(html.Div(id="evaluation-workflow")),
        ], className="card", id="evaluation-workflow-card"),
    ], id="evaluation-page")


def decision_links(pid: int | None, lang: str | None) -> Any:
    """Downloads of the decision package per call type (reports/decision_api.py: officials and auditors)."""
    if pid is None:
        return None
    types = data.call_types()
    links: list[Any] = []
    for code, name in zip(types["code"], types["name_en" if lang == "en" else "name_ko"], strict=True):
        for fmt in ("pdf", "xlsx"):
            links += [downloads.button(f"evaluation-decision-{code}-{fmt}", "report.decision",
                                       {"call_type": code, "format": fmt, "program_id": int(pid)},
                                       f"{name} · {t('ev.decision_' + fmt, lang)}", lang)]
    return html.P(links, className="hint", id="evaluation-decision-links")


def _field_labels(lang: str | None) -> dict[str, str]:
    f = data.fields()
    return dict(zip(f["code"], f["name_en" if lang == "en" else "name_ko"], strict=True))


def _pid(key: dict[str, Any] | None) -> int | None:
    """The programme of the page (from its store: forgeable, so parsed and checked against the programmes)."""
    pid = parse_id((key or {}).get("pid"))
    known = {i for i, _, _ in data.programs()}
    return pid if pid in known else data.main_program_id()


def histogram(user: User | None, field: str | None, key: dict[str, Any] | None) -> Any:
    """Score bands per field, binned on the server."""
    lang = (key or {}).get("lang")
    pid = _pid(key)
    if pid is None:
        return figures.empty(t("empty.nodata", lang))
    hist = data.score_histogram(pid)
    if hist is not None and field:
        hist = hist[hist["field_code"] == field]
    return figures.score_bands(hist, _field_labels(lang), title=t("ev.hist", lang),
                               empty_reason=t("ev.no_scores" if hist is not None else "unavailable", lang),
                               x_label=t("ev.points", lang), y_label=t("ev.sheets", lang))


def leniency(user: User | None, key: dict[str, Any] | None) -> Any:
    """The most lenient and strictest evaluators with enough sheets to say so, each labelled with their count."""
    lang = (key or {}).get("lang")
    pid = _pid(key)
    len_df = data.evaluator_leniency(pid) if pid is not None else None
    if len_df is not None:
        len_df = len_df[len_df["sheets"] >= MIN_LENIENCY_SHEETS].copy()
        len_df["evaluator_code"] = [t("ev.lenient_n", lang).format(c=c, n=n)
                                    for c, n in zip(len_df["evaluator_code"], len_df["sheets"], strict=True)]
    return figures.leniency(len_df, title=t("ev.leniency", lang),
                            empty_reason=t("ev.no_leniency" if len_df is not None else "unavailable", lang),
                            x_label=t("ev.lenient", lang))


def incomplete(user: User | None, field: str | None, key: dict[str, Any] | None, _version: Any = None) -> Any:
    """The panels not done yet; drawn again after each action of the page (a panel built shows its members)."""
    pid = _pid(key)
    return incomplete_table(data.evaluation_overview(pid) if pid is not None else None, field, (key or {}).get("lang"),
                            pid)


def charts(user: User | None, field: str | None, lang: str | None) -> tuple[Any, Any, Any]:
    """Score bands (pre-binned), leniency and the incomplete panels of the main programme, for one field or all."""
    key = {"pid": None, "lang": lang}
    return histogram(user, field, key), leniency(user, key), incomplete(user, field, key)


def incomplete_table(overview: pd.DataFrame | None, field: str | None, lang: str | None,
                     pid: int | None = None) -> Any:
    if overview is None:
        return html.P(t("unavailable", lang), className="hint")
    df = overview[~overview["complete"].astype(bool)]
    if field:
        df = df[df["field_code"] == field]
    if df.empty:
        return html.P(t("ev.all_complete", lang), className="hint", id="evaluation-incomplete-table")
    progress = {}
    if pid is not None:
        every = ev_data.programme_progress(pid)  # one grouped query for the programme, not one per row
        for pid_row in df["project_id"]:
            row = every.get(int(pid_row))
            if row:
                progress[int(pid_row)] = row
    head = html.Tr([html.Th(t("col.code", lang)), html.Th(t("col.title", lang)), html.Th(t("col.field", lang)),
                    html.Th(t("col.proposals", lang), className="num"), html.Th(t("col.panel", lang), className="num"),
                    html.Th(t("ev.sheets_col", lang), className="num")])
    labels = _field_labels(lang)
    rows = []
    for r in df.head(30).itertuples(index=False):
        pr = progress.get(int(r.project_id))
        sheets = f"{pr['submitted']:,} / {pr['assigned']:,}" if pr else f"{int(r.sheets_submitted):,}"
        rows.append(html.Tr([html.Td(r.code), html.Td(r.title_ko), html.Td(labels.get(r.field_code, r.field_code)),
                             html.Td(r.n_proposals, className="num"), html.Td(r.panel_size, className="num"),
                             html.Td(sheets, className="num")]))
    more = html.P(f"+ {len(df) - 30}", className="hint") if len(df) > 30 else None
    return html.Div([html.Table([html.Thead(head), html.Tbody(rows)], className="simple",
                                id="evaluation-incomplete-table"), more])


def _points(v: Any) -> str:
    if v is None:
        return "–"
    return f"{Decimal(str(v)):.2f}"


def _outcome(code: Any, lang: str | None) -> str:
    label = core_i18n.code_label("outcome", code, lang or "ko")
    if label in (core_i18n.UNKNOWN[0], str(code)) and f"outcome.{code}" in LABELS:
        return t(f"outcome.{code}", lang)
    return label


def ranking(user: User | None, project_id: int | None, lang: str | None, _version: Any = None) -> Any:
    """The ranking of one project: final score, bonus, outcome (scoring.results.project_result)."""
    project_id = parse_id(project_id)
    if project_id is None:
        return html.P(t("ev.no_project", lang), className="hint")
    result = data.project_result(project_id)
    if result is None:
        return html.P(t("unavailable", lang), className="hint")
    head = html.Tr([html.Th(t("col.rank", lang)), html.Th(t("col.consortium", lang)),
                    html.Th(t("col.requested", lang), className="num"),
                    html.Th(t("col.panel_score", lang), className="num"),
                    html.Th(t("col.bonus", lang), className="num"),
                    html.Th(t("col.final", lang), className="num"), html.Th(t("col.outcome", lang)),
                    html.Th(t("col.recommended", lang), className="num")])
    rows = []
    for p in result["proposals"]:
        rows.append(html.Tr([
            html.Td(p["rank"] if p["rank"] is not None else "–"),
            html.Td(p["consortium_name"]),
            html.Td(format_krw(p["requested_grant_krw"], "eok"), className="num",
                    title=format_krw(p["requested_grant_krw"], "won")),
            html.Td(p["panel_score_display"] or "–", className="num"),
            html.Td(_points(p["bonus"]["total"]), className="num"),
            html.Td(html.B(p["final_score_display"] or "–"), className="num"),
            html.Td(_outcome(p["outcome"], lang)),
            html.Td(format_krw(p["recommended_grant_krw"], "eok") if p["recommended_grant_krw"] else "–",
                    className="num",
                    title=format_krw(p["recommended_grant_krw"], "won") if p["recommended_grant_krw"] else ""),
        ]))
    bands = figures.panel_bands(panel_frame(result), title=t("ev.panel", lang), empty_reason=t("ev.no_scores", lang),
                                x_label=t("ev.points", lang))
    return html.Div([
        html.P([f"{result['project_code']} · {result['title_ko']} — {_outcome(result['outcome'], lang)} · ",
                html.A(t("ev.report_pdf", lang), href=f"/api/v1/reports/evaluation/{int(project_id)}.pdf?sync=true",
                       id="evaluation-report-link", target="_blank")]),
        html.Table([html.Thead(head), html.Tbody(rows)], className="simple", id="evaluation-ranking-table"),
        dcc.Graph(id="evaluation-panel", figure=bands, config={"displayModeBar": False}),
    ])


def panel_frame(result: dict[str, Any]) -> pd.DataFrame:
    """The panel's counted sheet totals of one project, binned per proposal (no raw score leaves the server)."""
    rows = []
    for p in result["proposals"]:
        label = f"{p['rank'] or '–'}. {p['consortium_name']}"
        for s in p["sheets"]:
            if not s.get("excluded"):
                rows.append({"proposal": label, "bin_start": int(min(float(s["total"]), 99.999) // 5 * 5)})
    df = pd.DataFrame(rows, columns=["proposal", "bin_start"])
    return df.groupby(["proposal", "bin_start"], as_index=False, sort=False).size() \
        .rename(columns={"size": "sheets"})


# --------------------------------------------------------------------------- the workflow of one project


def _field(label: str, control: Any, cid: str) -> html.Div:
    return html.Div([html.Label(label, htmlFor=cid), control], className="form-field")


def _reason_box(cid: str, lang: str | None) -> html.Div:
    return _field(t("act.reason_hint", lang), dcc.Textarea(id=cid, maxLength=2000,
                                                           style={"width": "100%", "height": "46px"}), cid)


def _reasons_text(reasons: list[dict[str, Any]], lang: str | None) -> str:
    out = []
    for r in reasons:
        code = str(r.get("code", ""))
        label = core_i18n.code_label("screening_reason", code, lang or "ko")
        if label in (core_i18n.UNKNOWN[0], code):
            label = t(f"screen.{code}", lang) if f"screen.{code}" in LABELS else t("err.rule_violation", lang)
        out.append(label)
    return ", ".join(out)


def _screening_section(result: dict[str, Any], screening: list[dict[str, Any]], official: bool,
                       lang: str | None) -> html.Div:
    by_id = {s["proposal_id"]: s for s in screening}
    rows = []
    for p in result["proposals"]:
        s = by_id.get(p["proposal_id"])
        if s is None:
            state, why = t("ev.not_screened", lang), ""
        else:
            state = t("ev.eligible" if s["effective_eligible"] else "ev.ineligible", lang)
            why = _reasons_text(s["reasons"], lang)
            if s["override_eligible"] is not None:
                why = (why + " · " if why else "") + f"{t('ev.overridden_by', lang)}: {s['override_reason'] or ''}"
        rows.append(html.Tr([html.Td(p["consortium_name"]),
                             html.Td(state, className="ok" if s and s["effective_eligible"] else "error"),
                             html.Td(why or "–")], id=f"evaluation-screen-row-{p['proposal_id']}"))
    table = html.Table([html.Thead(html.Tr([html.Th(t("col.consortium", lang)), html.Th(t("col.eligibility", lang)),
                                            html.Th(t("col.reasons", lang))])), html.Tbody(rows)],
                       className="simple", id="evaluation-screening-table")
    controls: list[Any] = []
    if official:
        options = [{"label": p["consortium_name"], "value": p["proposal_id"]} for p in result["proposals"]]
        controls = [
            html.Div(confirm("evaluation-screen", t("ev.screen_run", lang), t("ev.screen_confirm", lang)),
                     className="form-row"),
            html.H4(t("ev.override", lang)),
            html.Div([
                _field(t("field.proposal_id", lang), _dd(lang, id="evaluation-ovr-proposal", options=options,
                                                                  clearable=False), "evaluation-ovr-proposal"),
                _field(t("col.eligibility", lang), dcc.RadioItems(id="evaluation-ovr-eligible", options=[
                    {"label": t("ev.eligible", lang), "value": "yes"},
                    {"label": t("ev.ineligible", lang), "value": "no"}], value="yes", inline=True),
                    "evaluation-ovr-eligible"),
            ], className="form-row"),
            _reason_box("evaluation-ovr-reason", lang),
            confirm("evaluation-ovr", t("ev.override_button", lang), t("ev.override_confirm", lang)),
        ]
    return html.Div([html.H4(t("ev.screening", lang)), table, *controls], className="form",
                    id="evaluation-screening")


def _panel_section(project_id: int, pid: int, panel: dict[str, Any], official: bool, lang: str | None) -> html.Div:
    progress = ev_data.project_progress(pid, project_id)
    members = panel["members"]
    line = (t("ev.progress", lang).format(s=f"{progress['submitted']:,}", a=f"{progress['assigned']:,}",
                                          d=f"{progress['drafted']:,}") if progress else t("ev.no_panel", lang))
    rows = [html.Tr([html.Td(m["panel_code"]), html.Td(f"{m['evaluator_code']} · {m['name']}"),
                     html.Td(f"{m['sheets_submitted']:,} / {m['sheets_assigned']:,}", className="num"),
                     html.Td(html.Span(t("yes", lang), className="flag") if m["conflicted"] else t("no", lang))])
            for m in members]
    table = html.Table([html.Thead(html.Tr([html.Th(t("col.panel_code", lang)), html.Th(t("col.member", lang)),
                                            html.Th(t("col.sheets", lang), className="num"),
                                            html.Th(t("col.conflict", lang))])), html.Tbody(rows)],
                       className="simple", id="evaluation-panel-table") if members else \
        html.P(t("ev.no_panel", lang), className="hint")
    controls: list[Any] = []
    if official:
        candidates = ev_data.candidate_evaluators(project_id)
        member_ids = {m["evaluator_id"] for m in members}
        out_options = [{"label": f"{m['evaluator_code']} · {m['name']}", "value": m["evaluator_id"]} for m in members]
        in_options = [] if candidates is None else [
            {"label": f"{c['code']} · {c['name']}", "value": c["id"]} for c in candidates if c["id"] not in member_ids]
        sheets = ev_data.submitted_sheets(project_id)
        sheet_options = [{"label": f"{s['evaluator_code']} · {s['consortium_name']} · {s['total']}",
                          "value": s["sheet_id"]} for s in sheets]
        controls = [
            html.Div([
                _field(t("ev.auto_size", lang), dcc.Input(id="evaluation-auto-size", type="number", min=1, max=99,
                                                          step=1, value=7), "evaluation-auto-size"),
                confirm("evaluation-auto", t("ev.auto", lang), t("ev.auto_confirm", lang)),
            ], className="form-row"),
            html.Div([
                _field(t("ev.swap_out", lang), _dd(lang, id="evaluation-swap-out", options=out_options),
                       "evaluation-swap-out"),
                _field(t("ev.swap_in", lang), _dd(lang, id="evaluation-swap-in", options=in_options,
                                                           disabled=candidates is None), "evaluation-swap-in"),
                confirm("evaluation-swap", t("ev.swap", lang), t("ev.swap_confirm", lang),
                        disabled=candidates is None),
            ], className="form-row"),
            html.Div([
                _field(t("ev.manual", lang), dcc.Dropdown(labels={**dropdown_labels(lang), "selected_count": t(
                    "ev.selected_n", lang)}, id="evaluation-manual", multi=True, options=[
                    {"label": f"{c['code']} · {c['name']}", "value": c["id"]} for c in (candidates or [])],
                    value=sorted(member_ids), disabled=candidates is None), "evaluation-manual"),
                confirm("evaluation-manual-set", t("ev.manual_button", lang), t("ev.manual_confirm", lang),
                        disabled=candidates is None),
            ], className="form-row"),
            html.P(t("ev.no_registry", lang), className="hint") if candidates is None else None,
            html.H4(t("ev.reopen", lang)),
            html.Div([_field(t("ev.sheets", lang), _dd(lang, id="evaluation-reopen-sheet", options=sheet_options),
                             "evaluation-reopen-sheet")], className="form-row"),
            _reason_box("evaluation-reopen-reason", lang),
            confirm("evaluation-reopen", t("ev.reopen_button", lang), t("ev.reopen_confirm", lang)),
        ]
    return html.Div([html.H4(t("ev.panel_title", lang)), html.P(line, id="evaluation-progress"), table, *controls],
                    className="form", id="evaluation-panel-section")


def _confirm_section(result: dict[str, Any], rules: dict[str, Any], official: bool, lang: str | None) -> html.Div:
    threshold = Decimal(str(rules.get("pass_threshold", "70")))
    body: list[Any] = [html.P(t("ev.threshold", lang).format(p=f"{threshold:g}"))]
    ranked = [p for p in result["proposals"] if p["rank"] is not None]
    top = min(ranked, key=lambda p: p["rank"]) if ranked else None
    if top is not None:
        body.append(html.P(t("ev.rank1", lang).format(
            c=top["consortium_name"], s=top["final_score_display"] or "–",
            g=format_krw(top["recommended_grant_krw"], "eok") if top["recommended_grant_krw"] else "–")))
    names = {p["proposal_id"]: p["consortium_name"] for p in result["proposals"]}
    if result["selection_id"] is not None:
        body.append(html.P(t("ev.selected_by", lang).format(
            c=names.get(result["selected_proposal_id"], "–"), who=result["confirmed_by"] or "–",
            at=when(result["confirmed_at"], lang)), className="ok", id="evaluation-selected"))
        if top is not None and result["selected_proposal_id"] != top["proposal_id"] or result["override_reason"]:
            body.append(html.P([html.Span(t("ev.flag_against", lang), className="flag"), " ",
                                f"{t('ev.flag_reason', lang)}: {result['override_reason'] or '–'}"],
                               id="evaluation-against-flag"))
    if official:  # the controls exist whenever the page is an official's (the action callback reads them)
        open_ = result["selection_id"] is None
        passing = [p for p in result["proposals"] if p["final_score"] is not None
                   and Decimal(str(p["final_score"])) >= threshold]
        options = [{"label": f"{p['rank']}. {p['consortium_name']} ({p['final_score_display']})",
                    "value": p["proposal_id"]} for p in sorted(passing, key=lambda p: p["rank"] or 999)]
        body.append(html.Div([
            html.P(t("ev.not_ready", lang), className="hint") if not result["complete"] else None,
            dcc.Store(id="evaluation-rank1", data=top["proposal_id"] if top else None),
            _field(t("ev.choose", lang), _dd(lang, id="evaluation-confirm-proposal", options=options,
                                                      value=top["proposal_id"] if top and passing else None,
                                                      clearable=False), "evaluation-confirm-proposal"),
            html.Div(id="evaluation-confirm-flag"),
            _reason_box("evaluation-confirm-reason", lang),
            confirm("evaluation-confirm", t("ev.confirm_button", lang), t("ev.confirm_confirm", lang),
                    disabled=not result["complete"] or not passing),
        ], hidden=not open_))
    return html.Div([html.H4(t("ev.confirm_title", lang)), *body], className="form", id="evaluation-confirm-section")


def _award_section(result: dict[str, Any], pid: int, official: bool, lang: str | None) -> html.Div:
    title = html.H4(t("ev.award_title", lang))
    award_id = wf_data.award_of_project(pid, result["project_id"]) if result["selection_id"] is not None else None
    plan = wf_data.award_plan(int(result["selection_id"])) \
        if result["selection_id"] is not None and award_id is None else None
    if award_id is not None:
        shown: Any = dcc.Link(t("ev.award_link", lang), href=f"/dashboard/award/{award_id}", id="evaluation-award-link")
    elif plan is None or not official:
        shown = html.P(t("ev.no_selection", lang), className="hint")
    else:
        shown = None
    if not official:
        return html.Div([title, shown], id="evaluation-award-section")
    form = _award_form(plan or {"grant_krw": None, "matching_krw": None, "lines": {}, "indirect_cost_cap": "0"},
                       lang)
    return html.Div([title, shown, html.Div(form, hidden=plan is None)], className="form",
                    id="evaluation-award-section")


def _award_form(plan: dict[str, Any], lang: str | None) -> list[Any]:
    today = data.today()
    start = date(today.year, today.month, today.day)
    end = date(start.year, 12, 31) if start.month < 12 else date(start.year + 1, 12, 31)
    cap = f"{Decimal(plan['indirect_cost_cap']) * 100:g}%"
    lines = [html.Div([html.Label(category(c, lang), htmlFor=f"evaluation-award-line-{c}"),
                       dcc.Input(id={"type": "evaluation-award-line", "cat": c}, type="number", min=0, step=1,
                                 value=v)], className="form-field")
             for c, v in plan["lines"].items()]
    return [
        html.Div([
            _field(t("field.grant_krw", lang), dcc.Input(id="evaluation-award-grant", type="number", min=1, step=1,
                                                         value=plan["grant_krw"]), "evaluation-award-grant"),
            _field(t("field.matching_krw", lang), dcc.Input(id="evaluation-award-matching", type="number", min=0,
                                                            step=1, value=plan["matching_krw"]),
                   "evaluation-award-matching"),
            _field(t("field.start_date", lang), dcc.Input(id="evaluation-award-start", type="date",
                                                          value=start.isoformat()), "evaluation-award-start"),
            _field(t("field.end_date", lang), dcc.Input(id="evaluation-award-end", type="date",
                                                        value=end.isoformat()), "evaluation-award-end"),
        ], className="form-row"),
        html.P(t("ev.lines_hint", lang).format(cap=cap), className="hint"),
        html.Div(lines, className="form-row", id="evaluation-award-lines"),
        confirm("evaluation-award", t("ev.award_button", lang), t("ev.award_confirm", lang)),
    ]


def workflow(user: User | None, project_id: Any, key: dict[str, Any] | None, _version: Any) -> Any:
    """The workflow of the chosen project; action controls only for officials (auditors read)."""
    lang = (key or {}).get("lang")
    pid = _pid(key)
    project_id = parse_id(project_id)
    if project_id is None or pid is None:
        return html.P(t("ev.no_project", lang), className="hint")
    result = ev_data.project_result(project_id)  # cached by data version: every action moves it
    if result is None:
        return html.P(t("unavailable", lang), className="hint")
    official = _is_official(user)
    rules = data.program_rules(pid)
    return html.Div([
        _screening_section(result, ev_data.screening(project_id), official, lang),
        _panel_section(project_id, pid, ev_data.panel(project_id), official, lang),
        _confirm_section(result, rules, official, lang),
        _award_section(result, pid, official, lang),
        None if official else html.P(t("act.readonly", lang), className="hint", id="evaluation-readonly"),
    ])


def against_flag(user: User | None, chosen: Any, rank1: Any, lang: str | None) -> Any:
    """The warning shown as soon as the official picks another proposal than rank 1."""
    if parse_id(chosen) is None or parse_id(chosen) == parse_id(rank1):
        return None
    return html.P([html.Span(t("ev.flag_against", lang), className="flag"), " ", t("ev.against", lang)],
                  id="evaluation-against-warning")


def _lines(values: list[Any], ids: list[Any]) -> dict[str, int]:
    from budgeting.models import CostCategory

    out: dict[str, int] = {}
    for cid, v in zip(ids, values, strict=False):
        cat = CostCategory(str(cid.get("cat") if isinstance(cid, dict) else ""))
        out[cat.value] = int(bounded(Won, v if v is not None else 0, f"lines.{cat.value}"))
    return out


def act(user: User | None, *args: Any) -> tuple[Any, Any]:
    """Carry out the confirmed action on the chosen project (officials only; re-checked here)."""
    (_screen, _ovr, _auto, _swap, _manual, _reopen, _confirm, _award,
     project_id, ovr_proposal, ovr_eligible, ovr_reason, auto_size, swap_out, swap_in, manual, reopen_sheet,
     reopen_reason, confirm_proposal, confirm_reason, grant, matching, start, end, line_values, line_ids,
     key, version) = args
    lang = (key or {}).get("lang")
    action = fired()
    if not action:
        raise PreventUpdate
    bump = int(version or 0) + 1 if isinstance(version, int) and not isinstance(version, bool) else 1
    if not _is_official(user):
        return refused(t("ev.officials_only", lang), "evaluation-error"), dash.no_update
    project = parse_id(project_id)
    if project is None:
        return refused(t("ev.no_project", lang), "evaluation-error"), dash.no_update
    try:
        if action == "evaluation-screen":
            rows = ev_data.run_screening(user, project)
            text = t("ev.screened", lang).format(n=len(rows), ok=sum(1 for r in rows if r["effective_eligible"]))
        elif action == "evaluation-ovr":
            proposal = parse_id(ovr_proposal)
            if proposal is None:
                raise RuleViolation("proposal_id is required", field="proposal_id", details={"rule": "required"})
            reason = required_text(_reason_kind(), ovr_reason, "reason")
            row = ev_data.override_screening(user, proposal, ovr_eligible == "yes", reason)
            name = _consortium(project, proposal)
            text = t("ev.overridden", lang).format(c=name, e=t("ev.eligible" if row["effective_eligible"]
                                                               else "ev.ineligible", lang))
        elif action == "evaluation-auto":
            from scoring.models import PanelAutoIn

            size = PanelAutoIn.model_validate({"size": auto_size}).size if auto_size not in (None, "") else None
            panel = ev_data.auto_panel(user, project, size)
            text = t("ev.panel_set", lang).format(n=len(panel["members"]))
        elif action in ("evaluation-swap", "evaluation-manual-set"):
            from scoring.models import PanelIn

            if action == "evaluation-swap":
                leave, join = parse_id(swap_out), parse_id(swap_in)
                if leave is None or join is None:
                    raise RuleViolation("choose both evaluators", field="evaluator_ids")
                seated = ev_data.panel(project)["members"]
                swap_names = {m["evaluator_id"]: f"{m['evaluator_code']} · {m['name']}" for m in seated}
                current = [m["evaluator_id"] for m in seated]
                if leave not in current or join in current:  # a stale or forged choice: nothing to swap
                    raise RuleViolation("choose a member and a newcomer", field="evaluator_ids")
                ids = [join if e == leave else e for e in current]
            else:
                ids = list(manual or [])[:100]
            panel = ev_data.set_panel(user, project, PanelIn.model_validate({"evaluator_ids": ids}).evaluator_ids)
            text = t("ev.panel_set", lang).format(n=len(panel["members"]))
            if action == "evaluation-swap":
                names = {m["evaluator_id"]: f"{m['evaluator_code']} · {m['name']}" for m in panel["members"]}
                text = t("ev.swapped", lang).format(out=swap_names.get(leave, "–"), inn=names.get(join, "–"),
                                                    n=len(panel["members"]))
        elif action == "evaluation-reopen":
            sheet = parse_id(reopen_sheet)
            if sheet is None:
                raise RuleViolation("sheet is required", field="sheet_id", details={"rule": "required"})
            reason = required_text(_reason_kind(), reopen_reason, "reason")
            out = ev_data.reopen_sheet(user, sheet, reason)
            text = t("ev.reopened", lang).format(n=out["reopen_count"])
        elif action == "evaluation-confirm":
            from scoring.models import ConfirmIn

            body = ConfirmIn.model_validate({"proposal_id": parse_id(confirm_proposal),
                                             "reason": (confirm_reason or None) and str(confirm_reason)[:5000]})
            sel = ev_data.confirm_selection(user, project, body.proposal_id, body.reason)
            text = t("ev.confirmed", lang).format(c=_consortium(project, sel["proposal_id"]),
                                                  s=f"{Decimal(str(sel['final_score'])):.2f}",
                                                  g=format_krw(sel["recommended_grant_krw"], "eok"))
        elif action == "evaluation-award":
            from budgeting.schemas import AwardCreate

            result = ev_data.project_result(project)
            if not result or result["selection_id"] is None:
                raise RuleViolation("no confirmed selection", field="selection_id")
            award_in = AwardCreate.model_validate({
                "selection_id": result["selection_id"], "grant_krw": bounded(PositiveWon, grant, "grant_krw"),
                "matching_krw": bounded(Won, matching if matching is not None else 0, "matching_krw"),
                "start_date": start, "end_date": end, "lines": _lines(line_values or [], line_ids or [])})
            award = wf_data.create_award(user, award_in)
            text = t("ev.awarded", lang).format(g=format_krw(award["grant_krw"], "won"))
            return html.Div([done(text, "evaluation-done"), dcc.Link(t("ev.award_link", lang),
                                                                      href=f"/dashboard/award/{award['id']}")]), bump
        else:
            raise PreventUpdate
    except (DomainError, ValidationError) as exc:
        # the domain names each conflicted evaluator with the kind of conflict in words (scoring.panels)
        return refused(f"{t('act.refused', lang)}: {refusal_text(exc, lang)}", "evaluation-error"), dash.no_update
    except ValueError:  # a forged category or value no schema accepts
        return refused(f"{t('act.refused', lang)}: {t('act.invalid', lang)}", "evaluation-error"), dash.no_update
    return done(text, "evaluation-done"), bump


def _reason_kind() -> Any:
    from core.bounded import Reason

    return Reason


def _consortium(project_id: int, proposal_id: int) -> str:
    result = ev_data.project_result(project_id)
    for p in (result or {}).get("proposals", []):
        if p["proposal_id"] == proposal_id:
            return str(p["consortium_name"])
    return "–"


def register(dash_app: Any) -> None:
    downloads.register(dash_app)
    # Three requests rather than one: each waits only for the scoring result it needs.
    access.register(dash_app, histogram, Output("evaluation-hist", "figure"),
                    Input("evaluation-field", "value"), Input("evaluation-key", "data"), page=PAGE)
    access.register(dash_app, leniency, Output("evaluation-leniency", "figure"), Input("evaluation-key", "data"),
                    page=PAGE)
    access.register(dash_app, incomplete, Output("evaluation-incomplete", "children"),
                    Input("evaluation-field", "value"), Input("evaluation-key", "data"),
                    Input("evaluation-version", "data"), page=PAGE)
    access.register(dash_app, ranking, Output("evaluation-ranking", "children"),
                    Input("evaluation-project", "value"), Input("evaluation-lang", "data"),
                    Input("evaluation-version", "data"), page=PAGE)
    access.register(dash_app, workflow, Output("evaluation-workflow", "children"),
                    Input("evaluation-project", "value"), Input("evaluation-key", "data"),
                    Input("evaluation-version", "data"), page=PAGE)
    access.register(dash_app, against_flag, Output("evaluation-confirm-flag", "children"),
                    Input("evaluation-confirm-proposal", "value"), State("evaluation-rank1", "data"),
                    State("evaluation-lang", "data"), page=PAGE, prevent_initial_call=True)
    access.register(
        dash_app, act, Output("evaluation-message", "children"), Output("evaluation-version", "data"),
        *[Input(cid, "submit_n_clicks") for cid in (
            "evaluation-screen", "evaluation-ovr", "evaluation-auto", "evaluation-swap", "evaluation-manual-set",
            "evaluation-reopen", "evaluation-confirm", "evaluation-award")],
        State("evaluation-project", "value"), State("evaluation-ovr-proposal", "value"),
        State("evaluation-ovr-eligible", "value"), State("evaluation-ovr-reason", "value"),
        State("evaluation-auto-size", "value"), State("evaluation-swap-out", "value"),
        State("evaluation-swap-in", "value"), State("evaluation-manual", "value"),
        State("evaluation-reopen-sheet", "value"), State("evaluation-reopen-reason", "value"),
        State("evaluation-confirm-proposal", "value"), State("evaluation-confirm-reason", "value"),
        State("evaluation-award-grant", "value"), State("evaluation-award-matching", "value"),
        State("evaluation-award-start", "value"), State("evaluation-award-end", "value"),
        State({"type": "evaluation-award-line", "cat": ALL}, "value"),
        State({"type": "evaluation-award-line", "cat": ALL}, "id"),
        State("evaluation-key", "data"), State("evaluation-version", "data"),
        page=PAGE, prevent_initial_call=True)
