"""Compliance (auditors, officials): findings by severity and check, filterable, with evidence; report downloads."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import pandas as pd
from dash import Input, Output, State, dcc, html

from core.models import User
from core.money import format_krw
from dashboard import access, data, downloads, figures
from dashboard.data.compliance import history_state
from dashboard.i18n import t
from dashboard.pages.common import dropdown, graph

PAGE = "compliance"
SEVERITIES = ["high", "medium", "low"]
# The report downloads: jobs (reports/jobs.py) started and followed by dashboard/downloads.py.
REPORT_LINKS = [
    ("cp.pdf", "compliance", "pdf"), ("cp.xlsx", "compliance", "xlsx"),
    ("cp.status_pdf", "status", "pdf"), ("cp.status_xlsx", "status", "xlsx"),
]


def report_url(kind: str, fmt: str, program_id: int | None = None) -> str:
    return f"/api/v1/reports/{kind}.{fmt}" + (f"?program_id={program_id}" if program_id else "")


def layout(user: User | None, lang: str | None, query: dict[str, str]) -> Any:
    pid = data.main_program_id()
    df = data.findings_frame(pid) if pid is not None else None
    checks = [] if df is None or df.empty else sorted(set(df["check_id"]))
    titles = {} if df is None or df.empty else dict(zip(df["check_id"], df["title_en" if lang == "en" else "title_ko"],
                                                        strict=False))
    all_opt = [{"label": t("filter.all", lang), "value": ""}]
    sev_opts = all_opt + [{"label": t(f"sev.{s}", lang), "value": s} for s in SEVERITIES]
    check_opts = all_opt + [{"label": f"{c} · {titles.get(c, '')}", "value": c} for c in checks]
    return html.Div([
        html.H2(t("cp.title", lang)),
        dcc.Store(id="compliance-lang", data=lang),
        html.Div([
            dropdown(t("filter.severity", lang), "compliance-severity", sev_opts, query.get("severity", "")),
            html.Div(dropdown(t("filter.check", lang), "compliance-check", check_opts, query.get("check", "")),
                     style={"minWidth": "340px"}),
            html.Div([html.Label(t("cp.download", lang)), html.Div([
                downloads.button(f"compliance-download-{kind}-{fmt}", f"report.{kind}",
                                 {"format": fmt, "program_id": pid}, t(label, lang), lang)
                for label, kind, fmt in REPORT_LINKS])]),
        ], className="filters"),
        history_card(pid, lang),
        html.Div(id="compliance-counts", className="kpis"),
        html.Div([graph("compliance-by-check"), html.Div([
            html.H3(t("cp.evidence", lang)), dcc.Loading(html.Div(t("cp.pick", lang), id="compliance-evidence",
                                                                  className="hint"))], className="card")],
                 className="grid2"),
        html.Div([
            html.H3(t("cp.list", lang)),
            dag.AgGrid(id="compliance-grid", rowData=[], columnDefs=column_defs(lang), getRowId="params.data.idx",
                       defaultColDef={"sortable": True, "filter": True, "resizable": True},
                       dashGridOptions={"pagination": True, "paginationPageSize": 20, "rowSelection": "single",
                                        "tooltipShowDelay": 300},
                       className="ag-theme-alpine", style={"height": "520px"}),
        ], className="card"),
    ], id="compliance-page")


def history_card(program_id: int | None, lang: str | None) -> Any:
    """The audit chain's state (SYS-01: chain, guarded rows, checkpoints) and the newest signed checkpoint."""
    en = lang == "en"
    state = history_state(program_id) if program_id is not None else None
    if state is None:
        return html.Div(id="compliance-history")
    verdict = (("기록 무결성 확인됨", "History verifies") if state["ok"]
               else ("기록 검증 실패", "History does NOT verify"))[1 if en else 0]
    detail = (f"{state['events']:,} " + ("events" if en else "건의 감사 이벤트")
              + ("" if state["ok"] else f" · {state['problems']:,} " + ("problem(s): " if en else "건: ")
                 + str(state["first"])))
    cp = state["checkpoint"] or ("no signed checkpoint yet" if en else "서명된 체크포인트 없음")
    return html.Div([
        html.H3("Recorded history (audit chain)" if en else "감사 기록 (해시 체인)"),
        html.P([html.Span(verdict, className="sev sev-low" if state["ok"] else "sev sev-high",
                          id="compliance-history-verdict"), " ", detail]),
        html.P([html.B("Newest checkpoint: " if en else "최신 체크포인트: "),
                html.Code(cp, id="compliance-history-checkpoint")]),
    ], className="card", id="compliance-history")


def column_defs(lang: str | None) -> list[dict[str, Any]]:
    return [
        {"field": "severity", "headerName": t("col.severity", lang), "width": 100},
        {"field": "check_id", "headerName": t("col.check", lang), "width": 100},
        {"field": "title", "headerName": t("col.title", lang), "width": 220, "tooltipField": "title"},
        {"field": "link", "headerName": t("col.code", lang), "width": 170, "cellRenderer": "markdown"},
        {"field": "message", "headerName": t("col.message", lang), "flex": 1, "minWidth": 300,
         "tooltipField": "message"},
        {"field": "amount_eok", "headerName": t("col.amount_eok", lang), "width": 130, "type": "rightAligned",
         "tooltipField": "amount_won"},
    ]


def filtered(df: pd.DataFrame, severity: str | None, check_id: str | None) -> pd.DataFrame:
    if severity:
        df = df[df["severity"] == severity]
    if check_id:
        df = df[df["check_id"] == check_id]
    return df


def update(user: User | None, severity: str | None, check_id: str | None, lang: str | None) -> tuple[Any, Any, Any]:
    pid = data.main_program_id()
    df = data.findings_frame(pid) if pid is not None else None
    if df is None:
        return [html.P(t("unavailable", lang))], figures.empty(t("unavailable", lang)), []
    df = filtered(df, severity or None, check_id or None)
    counts = df["severity"].value_counts()
    tiles = [html.Div([html.Div(html.Span(t(f"sev.{s}", lang), className=f"sev sev-{s}"), className="kpi-label"),
                       html.Div(f"{int(counts.get(s, 0)):,}", className="kpi-value")], className="kpi",
                      id=f"compliance-count-{s}") for s in SEVERITIES]
    title_col = "title_en" if lang == "en" else "title_ko"
    by_check = df.groupby(["check_id", "severity", title_col], as_index=False).size() \
        .rename(columns={"size": "count"})
    by_check["label"] = by_check["check_id"] + " " + by_check[title_col].map(_short)
    fig = figures.findings_by_check(by_check, title=t("cp.by_check", lang), empty_reason=t("cp.none", lang),
                                    x_label=t("cp.count", lang),
                                    severity_labels={s: t(f"sev.{s}", lang) for s in SEVERITIES})
    rows = pd.DataFrame({
        "idx": df["idx"], "severity": [t(f"sev.{s}", lang) for s in df["severity"]], "check_id": df["check_id"],
        "title": df[title_col],
        "link": [f"[{c}](/dashboard/award/{int(a)})" if pd.notna(a) and c else (c or "")
                 for c, a in zip(df["project_code"], df["award_id"], strict=True)],
        "message": df["message"],
        "amount_eok": [round(int(v) / 1e8, 2) if pd.notna(v) else None for v in df["amount_krw"]],
        "amount_won": [format_krw(int(v), "won") if pd.notna(v) else "" for v in df["amount_krw"]],
    }).to_dict("records")
    return tiles, fig, rows


def evidence(user: User | None, selected: list[dict[str, Any]] | None, lang: str | None) -> Any:
    """The evidence rows of the selected finding, looked up on the server by its index (never taken from the client)."""
    if not selected:
        return html.P(t("cp.pick", lang), className="hint")
    pid = data.main_program_id()
    try:
        idx = int(selected[0].get("idx"))
    except (TypeError, ValueError, AttributeError):
        return html.P(t("cp.pick", lang), className="hint")
    finding = data.finding_evidence(pid, idx) if pid is not None else None
    if finding is None:
        return html.P(t("cp.pick", lang), className="hint")
    rows = finding["evidence"]
    cols = list(dict.fromkeys(k for r in rows for k in r))
    table = html.Table([
        html.Thead(html.Tr([html.Th(c) for c in cols])),
        html.Tbody([html.Tr([html.Td(_cell(r.get(c))) for c in cols]) for r in rows[:50]]),
    ], className="simple", id="compliance-evidence-table") if rows else html.P("–")
    return html.Div([html.P(html.B(f"{finding['check_id']} · {finding['message']}")),
                     html.Div(table, style={"overflowX": "auto", "maxHeight": "300px"})])


def _short(text: str, n: int = 20) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip(" (") + "…"


def _cell(v: Any) -> str:
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 1_000_000:
        return f"{v:,}"
    return "" if v is None else str(v)


def register(dash_app: Any) -> None:
    downloads.register(dash_app)
    access.register(dash_app, update, Output("compliance-counts", "children"), Output("compliance-by-check", "figure"),
                    Output("compliance-grid", "rowData"), Input("compliance-severity", "value"),
                    Input("compliance-check", "value"), Input("compliance-lang", "data"), page=PAGE)
    access.register(dash_app, evidence, Output("compliance-evidence", "children"),
                    Input("compliance-grid", "selectedRows"), State("compliance-lang", "data"), page=PAGE)
