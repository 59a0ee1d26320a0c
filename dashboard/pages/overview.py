"""Overview (officials, auditors): headline numbers and what needs attention now."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from dash import Input, Output, dcc, html

from core import glossary
from core.i18n import format_date
from core.models import User
from core.money import format_krw
from dashboard import access, data, figures
from dashboard.i18n import name, t
from dashboard.pages import overview_years
from dashboard.pages.common import figure_table

PAGE = "overview"


def kpi(label: str, value: str, sub: str = "", share: float | None = None, kid: str = "") -> html.Div:
    children: list[Any] = [html.Div(label, className="kpi-label"), html.Div(value, className="kpi-value")]
    if sub:
        children.append(html.Div(sub, className="kpi-sub"))
    if share is not None:
        children.append(html.Div(html.Div(style={"width": f"{max(0.0, min(share, 1.0)) * 100:.1f}%"}),
                                 className="bar"))
    return html.Div(children, className="kpi", id=kid) if kid else html.Div(children, className="kpi")


def layout(user: User | None, lang: str | None, query: dict[str, str]) -> Any:
    pid, as_of = data.scope(query)
    return html.Div([
        html.H2(t("ov.title", lang)),
        as_of_line(pid, as_of, lang),
        dcc.Store(id="overview-lang", data=lang),
        dcc.Store(id="overview-scope", data={"program": pid, "as_of": as_of.isoformat() if as_of else None}),
        dcc.Loading(html.Div(id="overview-kpis", className="kpis"), type="dot"),
        html.Div([
            html.Div([dcc.Graph(id="overview-history", config={"displayModeBar": False}),
                      html.Div(id="overview-history-alt", className="sr-only")], className="card"),
            html.Div([dcc.Graph(id="overview-fields", config={"displayModeBar": False}),
                      html.Div(id="overview-fields-alt", className="sr-only")], className="card"),
        ], className="grid2"),
        html.H3(t("ov.attention", lang)),
        dcc.Loading(html.Div(id="overview-attention", className="grid2"), type="dot"),
        overview_years.section(lang),
    ], id="overview-page")


def as_of_line(pid: int | None, as_of: date | None, lang: str | None) -> html.P:
    """'기준일 2022-12-31 · 용어 설명' under the title (the figures' date and where they are defined)."""
    year = next((y for i, y, _ in data.programs() if i == pid), None)
    text = f"{glossary.label('as_of', lang)} {format_date(as_of, lang or 'ko')}" + (f" · {year}" if year else "")
    carry = f"?program={pid}" + (f"&as_of={as_of.isoformat()}" if as_of else "") if pid else ""
    link = dcc.Link("Glossary" if lang == "en" else "용어 설명", href=f"/dashboard/glossary{carry}")
    return html.P([text, " · ", link], className="hint as-of", id="overview-as-of")


def _scope(scope: dict[str, Any] | None) -> tuple[int | None, date | None]:
    scope = scope or {}
    if scope.get("program") is None:
        return data.scope({})
    return int(scope["program"]), date.fromisoformat(scope["as_of"]) if scope.get("as_of") else None


def headline(user: User | None, lang: str | None, scope: dict[str, Any] | None = None) -> list[Any]:
    """The KPI tiles: budgeting.analytics.headline_figures, each under its glossary label."""
    pid, as_of = _scope(scope)
    if pid is None:
        return [html.Div(t("empty.nodata", lang), className="empty-state")]
    h = data.headline(pid, as_of)

    def money(v: int | None) -> str:
        return figures.money_label(v) if v is not None else "–"

    def pct(v: int | None, of: int | None) -> float | None:
        return (v / of) if (v is not None and of) else None

    def lab(key: str) -> str:
        return glossary.label(key, lang)

    of = t("ov.of", lang)
    total = h["total_budget_krw"]
    return [
        kpi(lab("total_budget_krw"), money(total), format_krw(total, "won"), kid="overview-kpi-budget"),
        kpi(lab("awarded_grant_krw"), money(h["awarded_grant_krw"]),
            f"{lab('unawarded_krw')} {money(h['unawarded_krw'])}", pct(h["awarded_grant_krw"], total),
            kid="overview-kpi-awarded"),
        kpi(lab("executed_total_krw"), money(h["executed_total_krw"]),
            f"{of} {lab('project_budget_krw')} {money(h['project_budget_krw'])}",
            pct(h["executed_total_krw"], h["project_budget_krw"]), kid="overview-kpi-executed"),
        kpi(lab("executed_grant_krw"), money(h["executed_grant_krw"]),
            f"{of} {lab('awarded_grant_krw')} {money(h['awarded_grant_krw'])}",
            pct(h["executed_grant_krw"], h["awarded_grant_krw"]), kid="overview-kpi-executed-grant"),
        kpi(lab("remaining_total_krw"), money(h["remaining_total_krw"]), t("ov.remaining_note", lang),
            kid="overview-kpi-remaining"),
        kpi(lab("projects_awarded"), _count(h["projects_awarded"]), f"{of} {lab('projects')} {h['projects']:,}",
            pct(h["projects_awarded"], h["projects"]), kid="overview-kpi-projects"),
        kpi(lab("hires_counted"), _count(h["hires_counted"]),
            f"{lab('hires_required_awards')} {h['hires_required_awards']:,} · "
            f"{lab('hires_required_call')} {h['hires_required_call']:,}",
            pct(h["hires_counted"], h["hires_required_awards"]), kid="overview-kpi-hires"),
        kpi(lab("crowd_workers"), _count(h["crowd_workers"]), f"{of} {h['crowd_workers_planned']:,}",
            pct(h["crowd_workers"], h["crowd_workers_planned"]), kid="overview-kpi-crowd"),
        kpi(lab("types_opened"), _count(h["types_opened"]), f"{of} {lab('types_contracted')} "
            f"{h['types_contracted']:,}", pct(h["types_opened"], h["types_contracted"]), kid="overview-kpi-opened"),
        kpi(lab("likely_unspent_awards"), _count(h["likely_unspent_awards"]),
            f"{float(h['unspent_tolerance']):.0%}", kid="overview-kpi-unspent"),
    ]


def _count(v: int | None) -> str:
    return f"{v:,}" if v is not None else "–"


def charts(user: User | None, lang: str | None, scope: dict[str, Any] | None = None) -> tuple[Any, Any]:
    pid, _ = _scope(scope)
    hist = data.history()
    fig_hist = figures.history_toward_goal(
        pd.DataFrame(hist["rows"], columns=["year", "types"]), hist["goal"], hist["goal_year"],
        title=t("ov.history", lang), empty_reason=t("empty.nodata", lang),
        built_label="built in the year" if lang == "en" else "해당 연도 구축",
        goal_label="goal" if lang == "en" else "목표", cumulative_label=t("chart.cumulative", lang),
        y_label=t("chart.types", lang), x_label=t("chart.year", lang))
    rows = [] if pid is None else data.program_summary(pid)["projects_by_field"]
    df = pd.DataFrame([{"label": name(r, lang), "ceiling_krw": r["ceiling_krw"], "projects": r["projects"]}
                       for r in rows], columns=["label", "ceiling_krw", "projects"])
    fig_fields = figures.ceilings_by_field(df, title=t("ov.by_field", lang), empty_reason=t("empty.nodata", lang),
                                           axis_label=t("amount.eok", lang))
    return fig_hist, fig_fields


def attention(user: User | None, lang: str | None, scope: dict[str, Any] | None = None) -> list[Any]:
    pid, as_of = _scope(scope)
    findings = data.top_findings(pid, limit=8) if pid else None
    behind = data.awards_behind(pid, as_of) if pid else None
    return [
        html.Div([html.H3(t("ov.findings", lang)), findings_table(findings, lang)], className="card"),
        html.Div([html.H3(t("ov.behind", lang)), behind_table(behind, lang)], className="card"),
    ]


def findings_table(df: pd.DataFrame | None, lang: str | None) -> Any:
    if df is None:
        return html.P(t("unavailable", lang), className="hint", id="overview-findings")
    if df.empty:
        return html.P(t("ov.no_findings", lang), className="hint", id="overview-findings")
    rows = [html.Tr([html.Td(html.Span(t(f"sev.{r.severity}", lang), className=f"sev sev-{r.severity}")),
                     html.Td(r.check_id),
                     html.Td(r.title_en if lang == "en" else r.title), html.Td(r.count, className="num")])
            for r in df.head(8).itertuples(index=False)]
    head = html.Tr([html.Th(t("filter.severity", lang)), html.Th(t("filter.check", lang)),
                    html.Th(t("ov.finding", lang)), html.Th(t("ov.count", lang), className="num")])
    return html.Table([html.Thead(head), html.Tbody(rows)], className="simple", id="overview-findings")


def behind_table(df: pd.DataFrame | None, lang: str | None) -> Any:
    if df is None:
        return html.P(t("unavailable", lang), className="hint", id="overview-behind")
    if df.empty:
        return html.P(t("ov.none_behind", lang), className="hint", id="overview-behind")
    rows = []
    for r in df.head(8).itertuples(index=False):
        unspent = "" if pd.isna(r.projected_unspent_rate) else f"{r.projected_unspent_rate * 100:.0f}%"
        hires = f"{int(r.shortfall):,} / {int(r.required):,}" if r.shortfall else ""
        rows.append(html.Tr([html.Td(dcc.Link(r.project_code, href=f"/dashboard/award/{r.award_id}")),
                             html.Td(unspent, className="num"), html.Td(hires, className="num")]))
    head = html.Tr([html.Th(t("col.code", lang)), html.Th(t("ov.unspent", lang), className="num"),
                    html.Th(t("ov.shortfall", lang), className="num")])
    return html.Table([html.Thead(head), html.Tbody(rows)], className="simple", id="overview-behind")


def update(user: User | None, lang: str | None, scope: dict[str, Any] | None = None) -> tuple[Any, Any, Any]:
    """The headline numbers and the two charts, in one request (one cached summary for the page)."""
    fig_hist, fig_fields = charts(user, lang, scope)
    return headline(user, lang, scope), fig_hist, fig_fields


def update_page(user: User | None, lang: str | None, scope: dict[str, Any] | None = None) -> tuple[Any, ...]:
    """`update` and the tables behind its two charts (their text alternatives)."""
    tiles, fig_hist, fig_fields = update(user, lang, scope)
    return tiles, fig_hist, fig_fields, figure_table(fig_hist, lang), figure_table(fig_fields, lang)


def register(dash_app: Any) -> None:
    access.register(dash_app, update_page,
                    Output("overview-kpis", "children"), Output("overview-history", "figure"),
                    Output("overview-fields", "figure"), Output("overview-history-alt", "children"),
                    Output("overview-fields-alt", "children"), Input("overview-lang", "data"),
                    Input("overview-scope", "data"), page=PAGE)
    # The findings come from the compliance checks (slow on a cold cache): their own request.
    access.register(dash_app, attention, Output("overview-attention", "children"), Input("overview-lang", "data"),
                    Input("overview-scope", "data"), page=PAGE)
    overview_years.register(dash_app)  # "연도별 추이": dashboard/pages/overview_years.py
