"""Evaluation (officials): per project ranking, score distributions, evaluator leniency, incomplete panels."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import Input, Output, dcc, html

from core.models import User
from core.money import format_krw
from dashboard import access, data, figures
from dashboard.i18n import t
from dashboard.pages.common import parse_id

PAGE = "evaluation"


def layout(user: User | None, lang: str | None, query: dict[str, str]) -> Any:
    pid = data.main_program_id()
    overview = data.evaluation_overview(pid) if pid else None
    options = [] if overview is None else [
        {"label": f"{r.code} · {r.title_ko}", "value": int(r.project_id)} for r in overview.itertuples(index=False)]
    fields = data.fields()
    field_options = [{"label": t("filter.all", lang), "value": ""}] + [
        {"label": r["name_en"] if lang == "en" else r["name_ko"], "value": r["code"]} for _, r in fields.iterrows()]
    return html.Div([
        html.H2(t("ev.title", lang)),
        decision_links(pid, lang),
        dcc.Store(id="evaluation-lang", data=lang),
        html.Div([
            html.Div([html.Label(t("filter.field", lang), htmlFor="evaluation-field"),
                      dcc.Dropdown(id="evaluation-field", options=field_options, value=query.get("field", ""),
                                   clearable=False)]),
        ], className="filters"),
        html.Div([
            html.Div(dcc.Loading(dcc.Graph(id="evaluation-hist", config={"displayModeBar": False})), className="card"),
            html.Div(dcc.Loading(dcc.Graph(id="evaluation-leniency", config={"displayModeBar": False})),
                     className="card"),
        ], className="grid2"),
        html.Div([html.H3(t("ev.incomplete", lang)), dcc.Loading(html.Div(id="evaluation-incomplete"))],
                 className="card"),
        html.Div([
            html.H3(t("ev.ranking", lang)),
            html.Div(dcc.Dropdown(id="evaluation-project", options=options,
                                  value=options[0]["value"] if options else None, clearable=False),
                     style={"maxWidth": "720px", "marginBottom": "8px"}),
            dcc.Loading(html.Div(id="evaluation-ranking")),
        ], className="card"),
    ], id="evaluation-page")


def decision_links(pid: int | None, lang: str | None) -> Any:
    """Downloads of the decision package per call type (reports/decision_api.py: officials and auditors)."""
    if pid is None:
        return None
    types = data.call_types()
    links: list[Any] = []
    for code, name in zip(types["code"], types["name_en" if lang == "en" else "name_ko"], strict=True):
        for fmt in ("pdf", "xlsx"):
            links += [html.A(f"{name} · {t('ev.decision_' + fmt, lang)}", id=f"evaluation-decision-{code}-{fmt}",
                             href=f"/api/v1/reports/decision/{code}.{fmt}?program_id={int(pid)}", target="_blank"),
                      " "]
    return html.P(links, className="hint", id="evaluation-decision-links")


def _field_labels(lang: str | None) -> dict[str, str]:
    f = data.fields()
    return dict(zip(f["code"], f["name_en" if lang == "en" else "name_ko"], strict=True))


def histogram(user: User | None, field: str | None, lang: str | None) -> Any:
    """Score bands per field, binned on the server."""
    pid = data.main_program_id()
    if pid is None:
        return figures.empty(t("empty.nodata", lang))
    hist = data.score_histogram(pid)
    if hist is not None and field:
        hist = hist[hist["field_code"] == field]
    return figures.score_bands(hist, _field_labels(lang), title=t("ev.hist", lang),
                               empty_reason=t("ev.no_scores" if hist is not None else "unavailable", lang),
                               x_label=t("ev.points", lang), y_label=t("ev.sheets", lang))


def leniency(user: User | None, lang: str | None) -> Any:
    """The most lenient and strictest evaluators (scoring.results.evaluator_stats)."""
    pid = data.main_program_id()
    len_df = data.evaluator_leniency(pid) if pid is not None else None
    return figures.leniency(len_df, title=t("ev.leniency", lang),
                            empty_reason=t("ev.no_leniency" if len_df is not None else "unavailable", lang),
                            x_label=t("ev.lenient", lang))


def incomplete(user: User | None, field: str | None, lang: str | None) -> Any:
    pid = data.main_program_id()
    return incomplete_table(data.evaluation_overview(pid) if pid is not None else None, field, lang)


def charts(user: User | None, field: str | None, lang: str | None) -> tuple[Any, Any, Any]:
    """Score bands (pre-binned), leniency and the incomplete panels, for one field or all."""
    return histogram(user, field, lang), leniency(user, lang), incomplete(user, field, lang)


def incomplete_table(overview: pd.DataFrame | None, field: str | None, lang: str | None) -> Any:
    if overview is None:
        return html.P(t("unavailable", lang), className="hint")
    df = overview[~overview["complete"].astype(bool)]
    if field:
        df = df[df["field_code"] == field]
    if df.empty:
        return html.P(t("ev.all_complete", lang), className="hint", id="evaluation-incomplete-table")
    head = html.Tr([html.Th(t("col.code", lang)), html.Th(t("col.title", lang)), html.Th(t("col.field", lang)),
                    html.Th(t("col.proposals", lang), className="num"), html.Th(t("col.panel", lang), className="num"),
                    html.Th(t("col.submitted", lang), className="num")])
    labels = _field_labels(lang)
    rows = [html.Tr([html.Td(r.code), html.Td(r.title_ko), html.Td(labels.get(r.field_code, r.field_code)),
                     html.Td(r.n_proposals, className="num"), html.Td(r.panel_size, className="num"),
                     html.Td(r.sheets_submitted, className="num")]) for r in df.head(30).itertuples(index=False)]
    more = html.P(f"+ {len(df) - 30}", className="hint") if len(df) > 30 else None
    return html.Div([html.Table([html.Thead(head), html.Tbody(rows)], className="simple",
                                id="evaluation-incomplete-table"), more])


def ranking(user: User | None, project_id: int | None, lang: str | None) -> Any:
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
            html.Td(p["bonus"]["total"], className="num"),
            html.Td(html.B(p["final_score_display"] or "–"), className="num"),
            html.Td(t(f"outcome.{p['outcome']}", lang)),
            html.Td(format_krw(p["recommended_grant_krw"], "eok") if p["recommended_grant_krw"] else "–",
                    className="num",
                    title=format_krw(p["recommended_grant_krw"], "won") if p["recommended_grant_krw"] else ""),
        ]))
    bands = figures.panel_bands(panel_frame(result), title=t("ev.panel", lang), empty_reason=t("ev.no_scores", lang),
                                x_label=t("ev.points", lang))
    return html.Div([
        html.P([f"{result['project_code']} · {result['title_ko']} — {t('outcome.' + result['outcome'], lang)} · ",
                html.A(t("ev.report_pdf", lang), href=f"/api/v1/reports/evaluation/{int(project_id)}.pdf",
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


def register(dash_app: Any) -> None:
    # Three requests rather than one: each waits only for the scoring result it needs.
    access.register(dash_app, histogram, Output("evaluation-hist", "figure"),
                    Input("evaluation-field", "value"), Input("evaluation-lang", "data"), page=PAGE)
    access.register(dash_app, leniency, Output("evaluation-leniency", "figure"), Input("evaluation-lang", "data"),
                    page=PAGE)
    access.register(dash_app, incomplete, Output("evaluation-incomplete", "children"),
                    Input("evaluation-field", "value"), Input("evaluation-lang", "data"), page=PAGE)
    access.register(dash_app, ranking, Output("evaluation-ranking", "children"),
                    Input("evaluation-project", "value"), Input("evaluation-lang", "data"), page=PAGE)
