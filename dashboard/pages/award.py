"""An award's page (officials, auditors): its budget lines, ledger, hires, crowdsourcing and findings."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash_ag_grid as dag
import pandas as pd
from dash import Input, Output, dcc, html

from core.i18n import format_date
from core.models import User
from core.money import format_krw
from dashboard import access, data, figures
from dashboard.i18n import category, t
from dashboard.pages import award_actions
from dashboard.pages.award_actions import code_text
from dashboard.pages.common import grid_locale, parse_id
from dashboard.pages.overview import kpi

PAGE = "award"


def layout(user: User | None, lang: str | None, query: dict[str, str], award_id: str = "") -> Any:
    # The way back is a page this role may open (auditors do not open the allocation page).
    back = ("allocation", "aw.back") if access.may_open(user, "allocation") else ("overview", "aw.back_overview")
    return html.Div([
        dcc.Link(t(back[1], lang), href=f"/dashboard/{back[0]}", id="award-back"),
        dcc.Store(id="award-key", data={"award_id": award_id, "lang": lang}),
        dcc.Store(id="award-version", data=0),
        dcc.Loading(html.Div(id="award-body"), type="circle"),
        html.Div([html.H3(t("aw.actions", lang)),
                  html.Div(id="award-message", role="status"),
                  dcc.Loading(html.Div(id="award-actions"))], className="card", id="award-actions-card"),
    ], id="award-page")


def _period_tile(a: dict[str, Any], lang: str | None) -> html.Div:
    """The agreement period: both dates in full, wrapping in a narrow tile instead of being cut off."""
    start, end = date.fromisoformat(a["start_date"]), date.fromisoformat(a["current_end_date"])
    return html.Div([html.Div(t("aw.period", lang), className="kpi-label"),
                     html.Div(f"{format_date(start, lang or 'ko')} ~ {format_date(end, lang or 'ko')}",
                              className="kpi-value wrap", id="award-period"),
                     html.Div(code_text("award_status", a["status"], lang), className="kpi-sub")], className="kpi")


def body(user: User | None, key: dict[str, Any] | None, _version: Any = None) -> Any:
    """The whole award view, built from budgeting.queries.award_detail (and the findings when available)."""
    key = key or {}
    lang = key.get("lang")
    award_id = parse_id(key.get("award_id"))
    detail = data.award_detail(award_id) if award_id is not None else None
    if detail is None:
        return html.Div(html.H2(t("aw.notfound", lang)), id="award-notfound")
    a, hc, crowd = detail["award"], detail["hire_compliance"], detail["crowd"]
    lines = pd.DataFrame([{"label": category(r["category"], lang), "budget_krw": r["budget_krw"],
                           "spent_krw": r["spent_krw"]} for r in detail["lines"]],
                         columns=["label", "budget_krw", "spent_krw"])
    fig = figures.budget_lines(lines, title=t("aw.lines", lang), empty_reason=t("aw.no_lines", lang),
                               budget_label=t("aw.budget", lang), spent_label=t("al.spent", lang),
                               axis_label=t("amount.eok", lang))
    rate = a["execution_rate"]
    tiles = [
        kpi(t("col.grant", lang).split("(")[0], format_krw(a["grant_krw"], "eok"), format_krw(a["grant_krw"], "won")),
        kpi(t("ov.executed", lang), format_krw(a["spent_krw"], "eok"),
            f"{float(rate) * 100:.1f}% · {t('aw.budget', lang)} {format_krw(a['budget_krw'], 'eok')}"
            if rate is not None else "", float(rate) if rate is not None else None),
        _period_tile(a, lang),
        kpi(t("aw.required", lang), f"{hc['counted']:,} / {hc['required']:,}",
            f"{t('aw.lacking', lang)} {hc['lacking_evidence']:,}", hc["counted"] / hc["required"]
            if hc["required"] else None, kid="award-hires"),
        kpi(t("aw.workers", lang), f"{crowd['workers_engaged']:,}", f"({crowd['planned_crowd_workers']:,})"),
        kpi(t("aw.crowd_paid", lang), format_krw(crowd["crowd_paid_krw"], "eok"),
            f"({format_krw(crowd['planned_crowd_payment_krw'], 'eok')})"),
        kpi(t("aw.training", lang), f"{crowd['training_hours']:,}", f"({crowd['planned_training_hours']:,})"),
    ]
    ledger = [{"spent_date": _iso(r["spent_date"]), "spent_date_text": _day(r["spent_date"], lang),
               "category": category(r["category"], lang),
               "amount_krw": r["amount_krw"], "payee_name": r["payee_name"], "description": r["description"],
               "evidence_ref": r["evidence_ref"]} for r in detail["ledger"]]
    return html.Div([
        html.H2(f"{a['project_code']} · {a['project_title']}", id="award-title"),
        html.P(a["consortium_name"], className="hint"),
        html.Div(tiles, className="kpis"),
        html.Div([
            html.Div(dcc.Graph(id="award-lines", figure=fig, config={"displayModeBar": False}), className="card"),
            html.Div([html.H3(t("aw.findings", lang)), dcc.Loading(html.Div(id="award-findings"))],
                     className="card"),
        ], className="grid2"),
        html.Div([
            html.H3(t("aw.ledger", lang)),
            dag.AgGrid(id="award-ledger", rowData=ledger, columnDefs=[
                # sorted and filtered by the ISO date, shown as core.i18n.format_date writes it (2021. 12. 30.)
                {"field": "spent_date", "headerName": t("col.date", lang), "width": 130, "cellDataType": "text",
                 "valueFormatter": {"function": "params.data ? params.data.spent_date_text : ''"}},
                {"field": "category", "headerName": t("col.category", lang), "width": 150},
                # numbers right-aligned, the head left-aligned with its filter icon on its right like every other
                # head (a right-aligned head puts the icon on its left, where it read as a column without a name)
                {"field": "amount_krw", "headerName": t("col.amount", lang), "width": 150,
                 "cellClass": "ag-right-aligned-cell", "cellDataType": "number", "filter": "agNumberColumnFilter",
                 "valueFormatter": {"function": "d3.format(',')(params.value)"}},
                {"field": "payee_name", "headerName": t("col.payee", lang), "flex": 1},
                {"field": "description", "headerName": t("col.description", lang), "flex": 1},
                {"field": "evidence_ref", "headerName": t("col.evidence", lang), "width": 150},
            ], defaultColDef={"sortable": True, "filter": True, "resizable": True},
                dashGridOptions={"pagination": True, "paginationPageSize": 20, "localeText": grid_locale(lang)},
                className="ag-theme-alpine", style={"height": "520px"}),
        ], className="card"),
    ])


def _iso(day: Any) -> str:
    return day.isoformat() if isinstance(day, date) else str(day or "")


def _day(day: Any, lang: str | None) -> str:
    """A ledger date as the page's language writes it (core.i18n.format_date: 2021. 12. 30. / 2021-12-30)."""
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day[:10])
        except ValueError:
            return day
    return format_date(day, lang or "ko") if isinstance(day, date) else "–"


def findings(user: User | None, key: dict[str, Any] | None) -> Any:
    """The award's findings: its own request, since the compliance checks are slow on a cold cache."""
    key = key or {}
    award_id = parse_id(key.get("award_id"))
    return _findings(data.findings_for_award(award_id) if award_id is not None else None, key.get("lang"))


def _findings(rows: pd.DataFrame | None, lang: str | None) -> Any:
    if rows is None:
        return html.P(t("unavailable", lang), className="hint")
    if rows.empty:
        return html.P(t("ov.no_findings", lang), className="hint")
    return html.Table([html.Tbody([
        html.Tr([html.Td(html.Span(t(f"sev.{r.severity}", lang), className=f"sev sev-{r.severity}")),
                 html.Td(r.check_id), html.Td(r.title_en if lang == "en" else r.title)])
        for r in rows.itertuples(index=False)])], className="simple")


def register(dash_app: Any) -> None:
    access.register(dash_app, body, Output("award-body", "children"), Input("award-key", "data"),
                    Input("award-version", "data"), page=PAGE)
    award_actions.register(dash_app)
    access.register(dash_app, findings, Output("award-findings", "children"), Input("award-key", "data"),
                    page=PAGE)
