"""Delivery (officials, auditors): the funnel contracted → built → verified → opened, and quality by field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd
from dash import Input, Output, dcc, html

from core.models import User
from dashboard import access, data, figures
from dashboard.figures import QUALITY_COLORS
from dashboard.i18n import t
from dashboard.pages.common import dropdown, field_labels, field_options, graph

PAGE = "delivery"


def layout(user: User | None, lang: str | None, query: dict[str, str]) -> Any:
    return html.Div([
        html.H2(t("dl.title", lang)),
        dcc.Store(id="delivery-lang", data=lang),
        html.Div([dropdown(t("filter.field", lang), "delivery-field", field_options(lang), query.get("field", ""))],
                 className="filters"),
        html.Div([graph("delivery-funnel"), graph("delivery-quality")], className="grid2"),
        html.Div([html.H3(t("dl.late", lang)), dcc.Loading(html.Div(id="delivery-late"))], className="card"),
    ], id="delivery-page")


def funnel_frame(df: pd.DataFrame, min_ratio: float, lang: str | None) -> pd.DataFrame:
    """The funnel of a (filtered) set of data types, from the same states the delivery service computed."""
    from program import delivery_rules

    inputs = [delivery_rules.FunnelInput(int(r.contracted_volume), int(r.built_volume), r.quality_state,
                                         r.opened_date is not None and not pd.isna(r.opened_date))
              for r in df.itertuples(index=False)]
    stages = delivery_rules.funnel(inputs, Decimal(str(min_ratio)))
    return pd.DataFrame([{"label": t(f"stage.{s}", lang), "data_types": n, "items": items} for s, n, items in stages],
                        columns=["label", "data_types", "items"])


def update(user: User | None, field: str | None, lang: str | None) -> tuple[Any, Any, Any]:
    pid = data.main_program_id()
    df = data.delivery_frame(pid) if pid is not None else None
    if df is None:
        e = figures.empty(t("unavailable", lang))
        return e, e, html.P(t("unavailable", lang))
    if field:
        df = df[df["field_code"] == field]
    reason = t("dl.no_types", lang)
    min_ratio = float(data.program_rules(pid)["delivery_min_ratio"]) if pid else 0.95
    fig_funnel = figures.delivery_funnel(funnel_frame(df, min_ratio, lang) if not df.empty else
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


def register(dash_app: Any) -> None:
    access.register(dash_app, update, Output("delivery-funnel", "figure"), Output("delivery-quality", "figure"),
                    Output("delivery-late", "children"), Input("delivery-field", "value"),
                    Input("delivery-lang", "data"), page=PAGE)
