"""Overview (officials, auditors): headline numbers and what needs attention now."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import Input, Output, dcc, html

from core.models import User
from core.money import format_krw
from dashboard import access, data, figures
from dashboard.i18n import name, t

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
    return html.Div([
        html.H2(t("ov.title", lang)),
        dcc.Store(id="overview-lang", data=lang),
        dcc.Loading(html.Div(id="overview-kpis", className="kpis"), type="dot"),
        html.Div([
            html.Div(dcc.Graph(id="overview-history", config={"displayModeBar": False}), className="card"),
            html.Div(dcc.Graph(id="overview-fields", config={"displayModeBar": False}), className="card"),
        ], className="grid2"),
        html.H3(t("ov.attention", lang)),
        dcc.Loading(html.Div(id="overview-attention", className="grid2"), type="dot"),
    ], id="overview-page")


def headline(user: User | None, lang: str | None) -> list[Any]:
    """The KPI tiles."""
    pid = data.main_program_id()
    if pid is None:
        return [html.Div(t("empty.nodata", lang), className="empty-state")]
    h = data.headline(pid)
    total = h["total_budget_krw"]
    def money(v: int | None) -> str:
        return format_krw(v, "eok", decimals=1) if v is not None else "–"
    def pct(v: int | None, of: int) -> float | None:
        return (v / of) if (v is not None and of) else None
    of = t("ov.of", lang)
    tiles = [
        kpi(t("ov.budget", lang), money(total), format_krw(total, "won"), kid="overview-kpi-budget"),
        kpi(t("ov.awarded", lang), money(h["awarded_krw"]), f"{of} {money(total)}",
            pct(h["awarded_krw"], total), kid="overview-kpi-awarded"),
        kpi(t("ov.executed", lang), money(h["executed_krw"]),
            (f"of {money(h.get('project_budget_krw'))} project budgets" if lang == "en"
             else f"총사업비 {money(h.get('project_budget_krw'))} 중") if h.get("project_budget_krw") else "",
            pct(h["executed_krw"], h.get("project_budget_krw") or 0), kid="overview-kpi-executed"),
        kpi(t("ov.remaining", lang), money(h["remaining_krw"]), t("ov.remaining_note", lang),
            kid="overview-kpi-remaining"),
        kpi(t("ov.projects", lang), _count(h["projects_awarded"]), f"{of} {h['projects']:,}",
            pct(h["projects_awarded"], h["projects"]), kid="overview-kpi-projects"),
        kpi(t("ov.hires", lang), _count(h["hires_counted"]),
            f"{t('ov.required', lang)} {h['hires_required']:,}", pct(h["hires_counted"], h["hires_required"]),
            kid="overview-kpi-hires"),
        kpi(t("ov.crowd", lang), _count(h["crowd_workers"]), "", kid="overview-kpi-crowd"),
        kpi(t("ov.opened", lang), _count(h["types_opened"]), f"{of} {h['projects']:,}",
            pct(h["types_opened"], h["projects"]), kid="overview-kpi-opened"),
    ]
    return tiles


def _count(v: int | None) -> str:
    return f"{v:,}" if v is not None else "–"


def charts(user: User | None, lang: str | None) -> tuple[Any, Any]:
    pid = data.main_program_id()
    hist = data.history()
    fig_hist = figures.history_toward_goal(
        pd.DataFrame(hist["rows"], columns=["year", "types"]), hist["goal"], hist["goal_year"],
        title=t("ov.history", lang), empty_reason=t("empty.nodata", lang),
        built_label="built" if lang == "en" else "구축", goal_label="goal" if lang == "en" else "목표")
    rows = [] if pid is None else data.program_summary(pid)["projects_by_field"]
    df = pd.DataFrame([{"label": name(r, lang), "ceiling_krw": r["ceiling_krw"], "projects": r["projects"]}
                       for r in rows], columns=["label", "ceiling_krw", "projects"])
    fig_fields = figures.ceilings_by_field(df, title=t("ov.by_field", lang), empty_reason=t("empty.nodata", lang),
                                           axis_label=t("amount.eok", lang))
    return fig_hist, fig_fields


def attention(user: User | None, lang: str | None) -> list[Any]:
    pid = data.main_program_id()
    findings = data.top_findings(pid, limit=8) if pid else None
    behind = data.awards_behind(pid) if pid else None
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


def update(user: User | None, lang: str | None) -> tuple[Any, Any, Any]:
    """The headline numbers and the two charts, in one request (one cached summary for the page)."""
    fig_hist, fig_fields = charts(user, lang)
    return headline(user, lang), fig_hist, fig_fields


def register(dash_app: Any) -> None:
    access.register(dash_app, update,
                    Output("overview-kpis", "children"), Output("overview-history", "figure"),
                    Output("overview-fields", "figure"), Input("overview-lang", "data"), page=PAGE)
    # The findings come from the compliance checks (slow on a cold cache): their own request.
    access.register(dash_app, attention, Output("overview-attention", "children"), Input("overview-lang", "data"),
                    page=PAGE)
