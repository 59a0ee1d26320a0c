"""Delivery (officials, auditors): the funnel contracted → built → verified → opened, and quality by field."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from dash import Input, Output, dcc, html

from core import glossary
from core.i18n import format_date
from core.models import User
from dashboard import access, data, figures
from dashboard.figures import QUALITY_COLORS
from dashboard.i18n import t
from dashboard.pages.common import dropdown, field_labels, field_options, figure_table, graph

PAGE = "delivery"


def layout(user: User | None, lang: str | None, query: dict[str, str]) -> Any:
    pid, as_of = data.scope(query)
    return html.Div([
        html.H2(t("dl.title", lang)),
        html.P(f"{glossary.label('as_of', lang)} {format_date(as_of, lang or 'ko')}", className="hint as-of",
               id="delivery-as-of"),
        dcc.Store(id="delivery-lang", data=lang),
        dcc.Store(id="delivery-scope", data={"program": pid, "as_of": as_of.isoformat() if as_of else None}),
        html.Div([dropdown(t("filter.field", lang), "delivery-field", field_options(lang), query.get("field", ""),
                           lang)],
                 className="filters"),
        html.Div([graph("delivery-funnel"), graph("delivery-quality")], className="grid2"),
        html.Div([html.H3(t("dl.late", lang)), dcc.Loading(html.Div(id="delivery-late"))], className="card"),
    ], id="delivery-page")


def funnel_frame(funnel: dict[str, Any], lang: str | None) -> pd.DataFrame:
    """The funnel's stages as computed by program.delivery.delivery_funnel (the API's and the report's)."""
    return pd.DataFrame([{"label": t(f"stage.{s['stage']}", lang), "data_types": s["data_types"], "items": s["items"]}
                         for s in funnel["stages"]], columns=["label", "data_types", "items"])


def _scope(scope: dict[str, Any] | None) -> tuple[int | None, date | None]:
    if not scope or scope.get("program") is None:
        return data.scope({})
    return int(scope["program"]), date.fromisoformat(scope["as_of"]) if scope.get("as_of") else None


def update(user: User | None, field: str | None, lang: str | None,
           scope: dict[str, Any] | None = None) -> tuple[Any, Any, Any]:
    pid, as_of = _scope(scope)
    df = data.delivery_frame(pid, as_of) if pid is not None else None
    if df is None or pid is None:
        e = figures.empty(t("unavailable", lang))
        return e, e, html.P(t("unavailable", lang))
    if field:
        df = df[df["field_code"] == field]
    reason = t("dl.no_types", lang)
    funnel = data.delivery_funnel(pid, as_of, field or None)
    fig_funnel = figures.delivery_funnel(funnel_frame(funnel, lang) if not df.empty else
                                         pd.DataFrame(columns=["label", "data_types", "items"]),
                                         title=t("dl.funnel", lang), empty_reason=reason)
    labels = field_labels(lang)
    order = {code: i for i, code in enumerate(labels)}
    q = df.sort_values("field_code", key=lambda s: s.map(order)) \
        .groupby(["field_code", "quality_state"], as_index=False, sort=False).size() \
        .rename(columns={"size": "data_types"})
    q["label"] = q["field_code"].map(labels)
    fig_quality = figures.quality_by_field(q, {s: t(f"q.{s}", lang) for s in QUALITY_COLORS},
                                           title=t("dl.quality", lang), empty_reason=reason,
                                           y_label=t("dl.types", lang))
    return fig_funnel, fig_quality, late_table(df, lang)


def late_table(df: pd.DataFrame, lang: str | None) -> Any:
    late = df[df["opening_state"].isin(["opened_late", "not_opened_overdue"])] \
        .sort_values("days_late", ascending=False)
    if late.empty:
        return html.P(t("dl.none_late", lang), className="hint", id="delivery-late-table")
    head = html.Tr([html.Th(t("col.code", lang)), html.Th(t("col.data_type", lang)),
                    html.Th(t("col.opening", lang)), html.Th(t("col.days_late", lang), className="num")])
    rows = [html.Tr([html.Td(r.project_code), html.Td(r.data_type_name), html.Td(t(f"open.{r.opening_state}", lang)),
                     html.Td("" if pd.isna(r.days_late) else int(r.days_late), className="num")])
            for r in late.head(20).itertuples(index=False)]
    return html.Table([html.Thead(head), html.Tbody(rows)], className="simple", id="delivery-late-table")


def update_page(user: User | None, field: str | None, lang: str | None,
                scope: dict[str, Any] | None = None) -> tuple[Any, ...]:
    """`update` and the tables behind its two charts (their text alternatives)."""
    funnel, quality, late = update(user, field, lang, scope)
    return funnel, quality, late, figure_table(funnel, lang), figure_table(quality, lang)


def register(dash_app: Any) -> None:
    access.register(dash_app, update_page, Output("delivery-funnel", "figure"), Output("delivery-quality", "figure"),
                    Output("delivery-late", "children"), Output("delivery-funnel-alt", "children"),
                    Output("delivery-quality-alt", "children"), Input("delivery-field", "value"),
                    Input("delivery-lang", "data"), Input("delivery-scope", "data"), page=PAGE)
