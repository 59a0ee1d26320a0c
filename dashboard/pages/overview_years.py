"""The overview's "연도별 추이" (trend by year): budget, awarded, executed, data types built and opened,
direct hires and findings for every programme year (2017–2025 at national scale).

A section of the overview page (dashboard/pages/overview.py includes `section` and `register`);
the figures are `budgeting.years.figures_by_year`, shaped here only.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from dash import Input, Output, dcc, html

from core.models import User
from core.money import format_krw
from dashboard import access, figures
from dashboard.data.money import figures_by_year
from dashboard.i18n import t

PAGE = "overview"


def section(lang: str | None) -> html.Div:
    return html.Div([
        html.H3(t("ovy.title", lang)),
        dcc.Loading(html.Div([  # chart above the table: eight columns need the page's full width
            html.Div(dcc.Graph(id="overview-years-chart", config={"displayModeBar": False}), className="card"),
            html.Div(id="overview-years-table", className="card"),
        ]), type="dot"),
    ], id="overview-years")


def _money(v: int) -> str:
    return format_krw(v, "eok", decimals=0)


def chart(rows: list[Any], lang: str | None) -> go.Figure:
    if not rows:
        return figures.empty(t("ovy.empty", lang), title=t("ovy.chart", lang))
    years = [str(r.year) for r in rows]
    fig = go.Figure()
    tops: list[float] = []
    for (key, attr), colour in zip((("ovy.budget", "total_budget_krw"), ("ovy.awarded", "awarded_grant_krw"),
                                    ("ovy.executed", "executed_total_krw")),
                                   ("#b9c7d8", figures.PALETTE[0], figures.PALETTE[1]), strict=True):
        values = [getattr(r, attr) for r in rows]
        tops += [figures.eok(v) for v in values]
        fig.add_bar(name=t(key, lang), x=years, y=[figures.eok(v) for v in values], marker_color=colour,
                    hovertext=[_money(v) for v in values], hoverinfo="text+name")
    fig.update_layout(barmode="group", yaxis={"title": t("ovy.axis", lang), **figures.round_axis(tops)},
                      xaxis={"type": "category"})
    return figures.base_layout(fig, title=t("ovy.chart", lang))


def table(rows: list[Any], lang: str | None) -> html.Table:
    heads = ["ovy.year", "ovy.budget", "ovy.awarded", "ovy.executed", "ovy.built", "ovy.opened", "ovy.hires",
             "ovy.findings"]
    body = [html.Tr([html.Td(str(r.year))] + [html.Td(v, className="num") for v in (
                _money(r.total_budget_krw), _money(r.awarded_grant_krw), _money(r.executed_total_krw),
                f"{r.types_built:,}", f"{r.types_opened:,}", f"{r.direct_hires:,}",
                t("ovy.na", lang) if r.findings is None else f"{r.findings:,}")]) for r in rows]
    head = html.Tr([html.Th(t(h, lang), className=None if h == "ovy.year" else "num") for h in heads])
    return html.Table([html.Caption(t("ovy.table", lang)), html.Thead(head), html.Tbody(body)],
                      className="simple", id="overview-years-grid")


def update(user: User | None, lang: str | None) -> tuple[Any, Any]:
    rows = figures_by_year()
    return chart(rows, lang), table(rows, lang)


def register(dash_app: Any) -> None:
    access.register(dash_app, update, Output("overview-years-chart", "figure"),
                    Output("overview-years-table", "children"), Input("overview-lang", "data"), page=PAGE)


__all__ = ["register", "section"]
