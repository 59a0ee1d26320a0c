"""Allocation (officials): where the money went, month by month, and the list of awards."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import pandas as pd
from dash import Input, Output, dcc, html

from core import glossary
from core.i18n import code_label, format_date
from core.models import User
from core.money import format_krw, in_eok
from dashboard import access, data, figures
from dashboard.i18n import t
from dashboard.pages.common import dropdown_labels, figure_table, grid_locale

PAGE = "allocation"


def _options(df: pd.DataFrame, lang: str | None) -> list[dict[str, str]]:
    col = "name_en" if lang == "en" else "name_ko"
    return [{"label": t("filter.all", lang), "value": ""}] + [
        {"label": str(r[col]), "value": str(r["code"])} for _, r in df.iterrows()]


def layout(user: User | None, lang: str | None, query: dict[str, str]) -> Any:
    pid, as_of = data.scope(query)
    return html.Div([
        html.H2(t("al.title", lang)),
        html.P(f"{glossary.label('as_of', lang)} {format_date(as_of, lang or 'ko')} · {t('al.as_of_note', lang)}",
               className="hint as-of", id="allocation-as-of"),
        dcc.Store(id="allocation-lang", data=lang),
        dcc.Store(id="allocation-scope", data={"program": pid, "as_of": as_of.isoformat() if as_of else None}),
        html.Div([
            html.Div([html.Label(t("filter.field", lang), htmlFor="allocation-field"),
                      dcc.Dropdown(id="allocation-field", options=_options(data.fields(), lang),
                                   value=query.get("field", ""), clearable=False,
                                   labels=dropdown_labels(lang))]),
            html.Div([html.Label(t("filter.call_type", lang), htmlFor="allocation-call-type"),
                      dcc.Dropdown(id="allocation-call-type", options=_options(data.call_types(), lang),
                                   value=query.get("call_type", ""), clearable=False,
                                   labels=dropdown_labels(lang))]),
        ], className="filters"),
        html.Div([
            html.Div([dcc.Loading(dcc.Graph(id="allocation-treemap", config={"displayModeBar": False})),
                      html.Div(id="allocation-treemap-alt", className="sr-only")], className="card"),
            html.Div([dcc.Loading(dcc.Graph(id="allocation-monthly", config={"displayModeBar": False})),
                      html.Div(id="allocation-monthly-alt", className="sr-only")], className="card"),
        ], className="grid2"),
        html.Div([
            html.H3(t("al.grid", lang)),
            dag.AgGrid(id="allocation-grid", rowData=[], columnDefs=column_defs(lang),
                       defaultColDef={"sortable": True, "filter": True, "resizable": True, "floatingFilter": True,
                                      "wrapHeaderText": True, "autoHeaderHeight": True},
                       columnSize="responsiveSizeToFit",
                       dashGridOptions={"pagination": True, "paginationPageSize": 20, "tooltipShowDelay": 300,
                                        "animateRows": False, "localeText": grid_locale(lang)},
                       className="ag-theme-alpine", style={"height": "560px"}),
        ], className="card"),
    ], id="allocation-page")


def column_defs(lang: str | None) -> list[dict[str, Any]]:
    num = {"type": "rightAligned", "filter": "agNumberColumnFilter",
           "valueFormatter": {"function": "d3.format(',.2f')(params.value)"}}
    pct = {**num, "valueFormatter": {"function": "d3.format(',.1f')(params.value)"}}
    return [
        {"field": "link", "headerName": t("col.code", lang), "cellRenderer": "markdown", "minWidth": 130,
         "filter": "agTextColumnFilter"},
        {"field": "project_title", "headerName": t("col.title", lang), "flex": 2, "minWidth": 200,
         "tooltipField": "project_title"},
        {"field": "field", "headerName": t("col.field", lang), "minWidth": 110},
        {"field": "call_type", "headerName": t("col.call_type", lang), "minWidth": 100},
        {"field": "consortium_name", "headerName": t("col.consortium", lang), "flex": 1, "minWidth": 140,
         "tooltipField": "consortium_name"},
        {"field": "grant_eok", "headerName": t("col.grant", lang), "minWidth": 110, "tooltipField": "grant_won",
         **num},
        {"field": "budget_eok", "headerName": t("al.col.budget_total", lang), "minWidth": 110,
         "tooltipField": "budget_won", **num},
        {"field": "spent_eok", "headerName": t("al.col.spent_total", lang), "minWidth": 110,
         "tooltipField": "spent_won", **num},
        {"field": "rate_pct", "headerName": t("al.col.rate_total", lang), "minWidth": 100, **pct},
        {"field": "current_end_date", "headerName": t("col.end", lang), "minWidth": 125, "cellDataType": "text",
         **({} if lang == "en" else {"valueFormatter": KO_DATE})},  # shown 2021. 12. 31., sorted by the ISO value
        {"field": "status", "headerName": t("col.status", lang), "minWidth": 80},
    ]


# AG Grid: an ISO date (YYYY-MM-DD) shown as Koreans write it (core.i18n.format_date: 2021. 12. 31.).
KO_DATE = {"function": "params.value ? params.value.split('-').map(Number).join('. ') + '.' : ''"}


def filtered_awards(program_id: int, field: str | None, call_type: str | None, as_of: Any = None) -> pd.DataFrame:
    """The programme's awards under the filters, spent and execution rate as of the page's date."""
    df = data.awards_frame(program_id)
    if not df.empty:
        executed = data.award_execution(program_id, as_of).rename(columns={"award_id": "id"})
        df = df.drop(columns=["spent_krw", "execution_rate"]).merge(executed, on="id", how="left")
        df["spent_krw"] = df["spent_krw"].fillna(0).astype("int64")
        df["execution_rate"] = df["execution_rate"].astype(float)
    if field:
        df = df[df["field_code"] == field]
    if call_type:
        df = df[df["call_type_code"] == call_type]
    return df


def _labels(lang: str | None) -> tuple[dict[str, str], dict[str, str]]:
    col = "name_en" if lang == "en" else "name_ko"
    f, c = data.fields(), data.call_types()
    return dict(zip(f["code"], f[col], strict=True)), dict(zip(c["code"], c[col], strict=True))


def grid_rows(df: pd.DataFrame, lang: str | None, carry: str = "") -> list[dict[str, Any]]:
    """Rows for the AG Grid: 억원 numbers to sort on, full won in the tooltips, a link to the award."""
    if df.empty:
        return []
    fields, types = _labels(lang)
    out = pd.DataFrame({
        "id": df["id"],
        "link": [f"[{c}](/dashboard/award/{i}{carry})" for c, i in zip(df["project_code"], df["id"], strict=True)],
        "project_title": df["project_title"],
        "field": df["field_code"].map(fields),
        "call_type": df["call_type_code"].map(types),
        "consortium_name": df["consortium_name"],
        "grant_eok": [in_eok(int(v), 2) for v in df["grant_krw"]],
        "grant_won": [format_krw(int(v), "won") for v in df["grant_krw"]],
        "budget_eok": [in_eok(int(v), 2) for v in df["budget_krw"]],
        "budget_won": [format_krw(int(v), "won") for v in df["budget_krw"]],
        "spent_eok": [in_eok(int(v), 2) for v in df["spent_krw"]],
        "spent_won": [format_krw(int(v), "won") for v in df["spent_krw"]],
        "rate_pct": (df["execution_rate"].fillna(0) * 100).round(1),
        "current_end_date": df["current_end_date"].astype(str),
        "status": [code_label("award_status", s, lang or "ko") for s in df["status"]],
    })
    return out.to_dict("records")


def _carry(pid: int, as_of: Any) -> str:
    return f"?program={pid}" + (f"&as_of={as_of.isoformat()}" if as_of else "")


def update(user: User | None, field: str | None, call_type: str | None, lang: str | None,
           scope: dict[str, Any] | None = None) -> tuple[Any, Any, Any]:
    """Treemap (spent as of the page's date), monthly execution and grid for the chosen field and call type."""
    pid, as_of = data.scope({"program": str((scope or {}).get("program") or ""),
                             "as_of": str((scope or {}).get("as_of") or "")})
    if pid is None:
        reason = t("empty.nodata", lang)
        return figures.empty(reason), figures.empty(reason), []
    all_awards = data.awards_frame(pid)
    df = filtered_awards(pid, field or None, call_type or None, as_of)
    reason = t("al.no_awards" if all_awards.empty else "al.no_awards_filter", lang)
    fields, types = _labels(lang)
    year = next((y for i, y, _ in data.programs() if i == pid), None)
    root = f"{year} {t('al.root_suffix', lang)}" if year else t("al.root", lang)
    tree_df = df.assign(field_label=df["field_code"].map(fields), call_type_label=df["call_type_code"].map(types))
    treemap = figures.allocation_treemap(tree_df, root_label=root, title=t("al.treemap", lang),
                                         empty_reason=reason, spent_label=t("al.spent", lang),
                                         rate_label=t("al.rate", lang))
    monthly = data.monthly_execution(pid, field or None, call_type or None, as_of)
    if monthly is None:
        m_reason = t("unavailable", lang)
    else:
        m_reason = reason if df.empty else t("al.no_ledger", lang)
    monthly_fig = figures.execution_vs_plan(monthly, title=t("al.monthly", lang), empty_reason=m_reason,
                                            spent_label=t("al.spent", lang), plan_label=t("al.plan", lang),
                                            axis_label=t("amount.eok", lang),
                                            cumulative_label=t("chart.cumulative", lang), lang=lang)
    return treemap, monthly_fig, grid_rows(df, lang, _carry(pid, as_of))


def update_page(user: User | None, field: str | None, call_type: str | None, lang: str | None,
                scope: dict[str, Any] | None = None) -> tuple[Any, ...]:
    """`update` and the tables behind its two charts (their text alternatives)."""
    treemap, monthly, rows = update(user, field, call_type, lang, scope)
    return treemap, monthly, rows, figure_table(treemap, lang), figure_table(monthly, lang)


def register(dash_app: Any) -> None:
    access.register(dash_app, update_page,
                    Output("allocation-treemap", "figure"), Output("allocation-monthly", "figure"),
                    Output("allocation-grid", "rowData"), Output("allocation-treemap-alt", "children"),
                    Output("allocation-monthly-alt", "children"),
                    Input("allocation-field", "value"), Input("allocation-call-type", "value"),
                    Input("allocation-lang", "data"), Input("allocation-scope", "data"), page=PAGE)
