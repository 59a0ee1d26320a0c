"""Obligations (officials, auditors): hires required vs counted, crowdsourcing and training promised vs delivered."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from dash import Input, Output, dcc, html

from core import glossary
from core.i18n import format_date
from core.models import User
from dashboard import access, data, figures
from dashboard.i18n import t
from dashboard.pages.common import dropdown, field_labels, field_options, figure_table, graph

PAGE = "obligations"
MEASURES = {"payment": ("crowd_paid_krw", "planned_crowd_payment_krw"),
            "workers": ("workers_engaged", "planned_crowd_workers"),
            "training": ("training_hours", "planned_training_hours")}


def layout(user: User | None, lang: str | None, query: dict[str, str]) -> Any:
    measures = [{"label": t(f"ob.m.{m}", lang), "value": m} for m in MEASURES]
    pid, as_of = data.scope(query)
    return html.Div([
        html.H2(t("ob.title", lang)),
        html.P(f"{glossary.label('as_of', lang)} {format_date(as_of, lang or 'ko')}", className="hint as-of",
               id="obligations-as-of"),
        dcc.Store(id="obligations-lang", data=lang),
        dcc.Store(id="obligations-scope", data={"program": pid, "as_of": as_of.isoformat() if as_of else None}),
        html.Div([dropdown(t("filter.field", lang), "obligations-field", field_options(lang), query.get("field", ""),
                           lang),
                  html.Div([html.Label(t("ob.measure", lang), htmlFor="obligations-measure"),
                            dcc.RadioItems(id="obligations-measure", options=measures, value="payment", inline=True,
                                           className="radio-row")])],
                 className="filters"),
        html.Div([graph("obligations-hires-field"), graph("obligations-hires-award")], className="grid2"),
        html.Div([graph("obligations-crowd"),
                  html.Div([html.H3(t("ob.short_list2", lang)), dcc.Loading(html.Div(id="obligations-short"))],
                           className="card")], className="grid2"),
    ], id="obligations-page")


def _joined(program_id: int, as_of: date | None = None) -> pd.DataFrame:
    """Awards with their hires as of the page's day (a hire starting later is not yet counted) and crowd work."""
    awards = data.awards_frame(program_id)[["id", "project_code", "field_code"]].rename(columns={"id": "award_id"})
    return awards.merge(data.hires_frame(program_id, as_of), on="award_id", how="inner") \
        .merge(data.crowd_frame(program_id), on="award_id", how="left")


def _scope(scope: dict[str, Any] | None) -> tuple[int | None, date | None]:
    if not scope or scope.get("program") is None:
        return data.scope({})
    return int(scope["program"]), date.fromisoformat(scope["as_of"]) if scope.get("as_of") else None


def update(user: User | None, field: str | None, measure: str | None, lang: str | None,
           scope: dict[str, Any] | None = None) -> tuple[Any, ...]:
    pid, as_of = _scope(scope)
    carry = f"?program={pid}" + (f"&as_of={as_of.isoformat()}" if as_of else "")
    df = _joined(pid, as_of) if pid is not None else pd.DataFrame()
    labels = field_labels(lang)
    reason = t("ob.no_awards", lang)
    if not df.empty and field:
        df = df[df["field_code"] == field]
    if df.empty:
        e = figures.empty(reason)
        return e, e, e, html.P(reason, className="hint")
    order = {code: i for i, code in enumerate(labels)}
    df = df.sort_values("field_code", key=lambda s: s.map(order))
    by_field = df.groupby("field_code", as_index=False, sort=False)[["required", "counted"]].sum()
    by_field["label"] = by_field["field_code"].map(labels)
    fig_field = figures.required_vs_counted(by_field, title=t("ob.by_field", lang), empty_reason=reason,
                                            required_label=t("ob.required", lang), counted_label=t("ob.counted", lang),
                                            y_label=t("ob.persons", lang))
    fig_award = figures.award_hire_gaps(df.rename(columns={"project_code": "code"}), title=t("ob.by_award", lang),
                                        empty_reason=reason, x_label=t("ob.required", lang),
                                        y_label=t("ob.counted", lang))
    delivered_col, promised_col = MEASURES.get(measure or "payment", MEASURES["payment"])
    crowd = df.groupby("field_code", as_index=False, sort=False)[[delivered_col, promised_col]].sum() \
        .rename(columns={delivered_col: "delivered", promised_col: "promised"})
    crowd["label"] = crowd["field_code"].map(labels)
    money = measure in (None, "payment")
    fig_crowd = figures.promised_vs_delivered(
        crowd, title=f"{t('ob.crowd_title', lang)} — {t('ob.m.' + (measure or 'payment'), lang)}",
        empty_reason=reason, promised_label=t("ob.promised", lang), delivered_label=t("ob.delivered", lang),
        y_label=t("amount.eok", lang) if money else t("ob.hours" if measure == "training" else "ob.persons", lang),
        money=money)
    return fig_field, fig_award, fig_crowd, short_table(df, lang, carry)


def short_table(df: pd.DataFrame, lang: str | None, carry: str = "") -> Any:
    """Awards short of their required hires or with hires lacking evidence (budgeting.queries.hires_table: the
    same rule as the HIR-02 check), most short first; the total of hires lacking evidence above it."""
    short = df[(df["shortfall"] > 0) | (df["lacking_evidence"] > 0)] \
        .sort_values(["shortfall", "lacking_evidence"], ascending=False)
    if short.empty:
        return html.P(t("ov.none_behind", lang), className="hint", id="obligations-short-table")
    lacking = df[df["lacking_evidence"] > 0]
    summary = html.P(t("ob.lacking_total", lang).format(hires=f"{int(lacking['lacking_evidence'].sum()):,}",
                                                         awards=f"{len(lacking):,}"),
                     className="hint", id="obligations-lacking-total")
    head = html.Tr([html.Th(t("col.code", lang)), html.Th(t("ob.required", lang), className="num"),
                    html.Th(t("ob.counted", lang), className="num"), html.Th(t("ob.short", lang), className="num"),
                    html.Th(t("aw.lacking", lang), className="num")])
    rows = [html.Tr([html.Td(dcc.Link(r.project_code, href=f"/dashboard/award/{r.award_id}{carry}")),
                     html.Td(r.required, className="num"), html.Td(r.counted, className="num"),
                     html.Td(r.shortfall, className="num"), html.Td(r.lacking_evidence, className="num")])
            for r in short.head(30).itertuples(index=False)]
    return html.Div([summary, html.Table([html.Thead(head), html.Tbody(rows)], className="simple",
                                         id="obligations-short-table")])


def update_page(user: User | None, field: str | None, measure: str | None, lang: str | None,
                scope: dict[str, Any] | None = None) -> tuple[Any, ...]:
    """`update` and the tables behind its three charts (their text alternatives)."""
    out = update(user, field, measure, lang, scope)
    return (*out, *(figure_table(f, lang) for f in out[:3]))


def register(dash_app: Any) -> None:
    access.register(dash_app, update_page, Output("obligations-hires-field", "figure"),
                    Output("obligations-hires-award", "figure"), Output("obligations-crowd", "figure"),
                    Output("obligations-short", "children"), Output("obligations-hires-field-alt", "children"),
                    Output("obligations-hires-award-alt", "children"), Output("obligations-crowd-alt", "children"),
                    Input("obligations-field", "value"), Input("obligations-measure", "value"),
                    Input("obligations-lang", "data"), Input("obligations-scope", "data"), page=PAGE)
