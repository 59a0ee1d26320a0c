"""Compliance (auditors, officials): stored findings by severity and check, filterable, with evidence; downloads.

The page shows the programme and as-of date of the dashboard's scope (dashboard/scope.py), the
findings as the store holds them (compliance.store: kept current after every change) and how
current they are. Every word comes from compliance.labels: messages rendered from their keys,
projects by code and title, evidence as label and value, money exact in won.
"""

from __future__ import annotations

import textwrap
from datetime import date, datetime
from typing import Any

import dash_ag_grid as dag
import pandas as pd
from dash import Input, Output, State, dcc, html

from compliance import labels
from core.i18n import format_date
from core.models import User
from core.timeutil import KST
from dashboard import access, data, downloads, figures
from dashboard.data.compliance import freshness, history_state
from dashboard.i18n import t
from dashboard.pages.common import dropdown, graph, grid_locale

PAGE = "compliance"
SEVERITIES = ["high", "medium", "low"]
# The report downloads: jobs (reports/jobs.py) started and followed by dashboard/downloads.py.
REPORT_LINKS = [
    ("cp.pdf", "compliance", "pdf"), ("cp.xlsx", "compliance", "xlsx"),
    ("cp.status_pdf", "status", "pdf"), ("cp.status_xlsx", "status", "xlsx"),
]
# AG Grid: exact won with thousands separators; sorting stays numeric.
WON = {"function": "params.value == null ? '' : params.value.toLocaleString('ko-KR') + '원'"}


def report_url(kind: str, fmt: str, program_id: int | None = None, as_of: date | None = None) -> str:
    q = [f"program_id={program_id}"] if program_id else []
    if as_of:
        q.append(f"as_of={as_of.isoformat()}")
    return f"/api/v1/reports/{kind}.{fmt}" + (f"?{'&'.join(q)}" if q else "")


def _scope(scope: dict[str, Any] | None) -> tuple[int | None, date | None]:
    scope = scope or {}
    if scope.get("program") is None:
        return data.scope({})
    return int(scope["program"]), date.fromisoformat(scope["as_of"]) if scope.get("as_of") else None


def layout(user: User | None, lang: str | None, query: dict[str, str]) -> Any:
    pid, as_of = data.scope(query)
    df = data.findings_frame(pid, as_of) if pid is not None else None
    checks = [] if df is None or df.empty else sorted(set(df["check_id"]))
    all_opt = [{"label": t("filter.all", lang), "value": ""}]
    sev_opts = all_opt + [{"label": labels.severity_label(s, lang or "ko"), "value": s} for s in SEVERITIES]
    check_opts = all_opt + [{"label": f"{c} · {labels.check_title(c, lang or 'ko')}", "value": c} for c in checks]
    year = next((y for i, y, _ in data.programs() if i == pid), None)
    return html.Div([
        html.H2(t("cp.title", lang)),
        html.P(t("cp.scope", lang).format(year=year or "–", day=format_date(as_of, lang or "ko")),
               className="hint as-of", id="compliance-scope-line"),
        dcc.Store(id="compliance-lang", data=lang),
        dcc.Store(id="compliance-scope", data={"program": pid, "as_of": as_of.isoformat() if as_of else None}),
        freshness_line(pid, as_of, lang),
        html.Div([
            dropdown(t("filter.severity", lang), "compliance-severity", sev_opts, query.get("severity", ""), lang),
            html.Div(dropdown(t("filter.check", lang), "compliance-check", check_opts, query.get("check", ""), lang),
                     style={"minWidth": "340px"}),
            html.Div([html.Label(t("cp.download", lang)), html.Div([
                downloads.button(f"compliance-download-{kind}-{fmt}", f"report.{kind}",
                                 {"format": fmt, "program_id": pid, "as_of": as_of.isoformat() if as_of else None},
                                 t(label, lang), lang)
                for label, kind, fmt in REPORT_LINKS])]),
        ], className="filters"),
        history_card(pid, as_of, lang),
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
                                        "tooltipShowDelay": 300, "localeText": grid_locale(lang)},
                       className="ag-theme-alpine", style={"height": "520px"}),
        ], className="card"),
    ], id="compliance-page")


def _when(at: datetime | None, lang: str | None) -> str:
    if at is None:
        return "–"
    local = at.astimezone(KST) if at.tzinfo else at
    return f"{format_date(local, lang or 'ko')} {local:%H:%M}"


def freshness_line(program_id: int | None, as_of: date | None, lang: str | None) -> html.P:
    """'점검 결과 계산 2026. 12. 1. 13:20 (감사 기록 1,234번까지 반영) · 이후 변경 없음 · 마지막 전체 점검 …'."""
    f = freshness(program_id, as_of) if program_id is not None else None
    if not f or not f.get("stored"):
        return html.P(t("cp.fresh.none", lang), className="hint", id="compliance-freshness")
    parts = [t("cp.fresh", lang).format(at=_when(f["computed_at"], lang),
                                        event=f"{f['data_event_id']:,}" if f["data_event_id"] else "–"),
             t("cp.fresh.current", lang) if f["current"] else t("cp.fresh.stale", lang).format(
                 n=f"{f['changes_since']:,}"),
             t("cp.fresh.full", lang).format(at=_when(f["full_run_at"], lang))]
    return html.P(" · ".join(parts), className="hint" if f["current"] else "hint warn", id="compliance-freshness")


def history_card(program_id: int | None, as_of: date | None, lang: str | None) -> Any:
    """The audit chain's state (SYS-01: chain, guarded rows, checkpoints) and the newest signed checkpoint."""
    en = lang == "en"
    state = history_state(program_id, as_of) if program_id is not None else None
    if state is None:
        return html.Div(id="compliance-history")
    verdict = (("기록 무결성 확인됨", "History verifies") if state["ok"]
               else ("기록 검증 실패", "History does NOT verify"))[1 if en else 0]
    detail = (f"{state['events']:,} " + ("events" if en else "건의 감사 이벤트")
              + ("" if state["ok"] else f" · {state['problems']:,} " + ("problem(s): " if en else "건: ")
                 + str(state["first_en" if en else "first"])))
    cp = (state["checkpoint_en" if en else "checkpoint"]
          or ("no signed checkpoint yet" if en else "서명된 체크포인트 없음"))
    return html.Div([
        html.H3("Recorded history (audit chain)" if en else "감사 기록 (해시 체인)"),
        html.P([html.Span(verdict, className="sev sev-low" if state["ok"] else "sev sev-high",
                          id="compliance-history-verdict"), " ", detail]),
        html.P([html.B("Newest checkpoint: " if en else "최신 체크포인트: "),
                html.Span(cp, id="compliance-history-checkpoint")]),  # the page's font: Hangul, not a code font
    ], className="card", id="compliance-history")


def column_defs(lang: str | None) -> list[dict[str, Any]]:
    return [
        {"field": "severity", "headerName": t("col.severity", lang), "width": 90},
        {"field": "check_id", "headerName": t("col.check", lang), "width": 90},
        {"field": "title", "headerName": t("cp.col.check_title", lang), "width": 200, "tooltipField": "title"},
        {"field": "link", "headerName": t("cp.col.project", lang), "width": 280, "cellRenderer": "markdown",
         "tooltipField": "project"},
        {"field": "message", "headerName": t("col.message", lang), "flex": 1, "minWidth": 320,
         "tooltipField": "message"},
        {"field": "amount_krw", "headerName": t("cp.col.amount", lang), "width": 160,
         "cellClass": "ag-right-aligned-cell",  # the head left-aligned: its filter icon stays on its right
         "valueFormatter": WON, "filter": "agNumberColumnFilter"},
    ]


def filtered(df: pd.DataFrame, severity: str | None, check_id: str | None) -> pd.DataFrame:
    if severity:
        df = df[df["severity"] == severity]
    if check_id:
        df = df[df["check_id"] == check_id]
    return df


def _project_cell(code: Any, title: Any, award: Any, subject: str) -> tuple[str, str]:
    """(markdown link, plain text) of the finding's project: code and title; the subject when there is none."""
    if not isinstance(code, str) or not code:
        return subject, subject
    text = f"{code} {title or ''}".strip()
    if pd.notna(award):
        return f"[{text}](/dashboard/award/{int(award)})", text
    return text, text


def update(user: User | None, severity: str | None, check_id: str | None, lang: str | None,
           scope: dict[str, Any] | None = None) -> tuple[Any, Any, Any]:
    tiles, fig, rows, _ = update_with_alt(user, severity, check_id, lang, scope)
    return tiles, fig, rows


def update_with_alt(user: User | None, severity: str | None, check_id: str | None, lang: str | None,
                    scope: dict[str, Any] | None = None) -> tuple[Any, Any, Any, Any]:
    pid, as_of = _scope(scope)
    df = data.findings_frame(pid, as_of) if pid is not None else None
    if df is None:
        return [html.P(t("unavailable", lang))], figures.empty(t("unavailable", lang)), [], ""
    en = lang == "en"
    lg = "en" if en else "ko"
    df = filtered(df, severity or None, check_id or None)
    counts = df["severity"].value_counts()
    tiles = [html.Div([html.Div(html.Span(labels.severity_label(s, lg), className=f"sev sev-{s}"),
                                className="kpi-label"),
                       html.Div(f"{int(counts.get(s, 0)):,}", className="kpi-value")], className="kpi",
                      id=f"compliance-count-{s}") for s in SEVERITIES]
    title_col = "title_en" if en else "title_ko"
    by_check = df.groupby(["check_id", "severity", title_col], as_index=False).size() \
        .rename(columns={"size": "count"})
    by_check["label"] = by_check["check_id"] + " " + by_check[title_col].map(_wrapped)
    fig = figures.findings_by_check(by_check, title=t("cp.by_check", lang), empty_reason=t("cp.none", lang),
                                    x_label=t("cp.count", lang),
                                    severity_labels={s: labels.severity_label(s, lg) for s in SEVERITIES})
    cells = [_project_cell(c, ti, a, s) for c, ti, a, s in
             zip(df["project_code"], df["project_title"], df["award_id"], df["subject_en" if en else "subject_ko"],
                 strict=True)]
    rows = pd.DataFrame({
        "idx": df["idx"], "severity": [labels.severity_label(s, lg) for s in df["severity"]],
        "check_id": df["check_id"], "title": df[title_col],
        "link": [c[0] for c in cells], "project": [c[1] for c in cells],
        "message": df["message_en" if en else "message_ko"],
        "amount_krw": [int(v) if pd.notna(v) else None for v in df["amount_krw"]],
    }).to_dict("records")
    alt = html.Table([html.Thead(html.Tr([html.Th(t("col.check", lang)), html.Th(t("cp.count", lang))])),
                      html.Tbody([html.Tr([html.Td(r["label"].replace("<br>", " ")), html.Td(f"{int(r['count']):,}")])
                                  for r in by_check.to_dict("records")])])
    return tiles, fig, rows, alt


def evidence(user: User | None, selected: list[dict[str, Any]] | None, lang: str | None,
             scope: dict[str, Any] | None = None) -> Any:
    """The selected finding's message and evidence, looked up on the server by its index (never from the client)."""
    if not selected:
        return html.P(t("cp.pick", lang), className="hint")
    pid, as_of = _scope(scope)
    try:
        idx = int(selected[0].get("idx"))
    except (TypeError, ValueError, AttributeError):
        return html.P(t("cp.pick", lang), className="hint")
    finding = data.finding_evidence(pid, idx, as_of, lang) if pid is not None else None
    if finding is None:
        return html.P(t("cp.pick", lang), className="hint")
    heads, rows = finding["evidence_labels"], finding["evidence"]
    if finding["pairs"]:  # one evidence row: a label/value list reads better than a one-row table
        table: Any = html.Table(html.Tbody([html.Tr([html.Th(k, scope="row"), html.Td(v)])
                                            for k, v in finding["pairs"]]),
                                className="simple", id="compliance-evidence-table")
    elif rows:
        table = html.Table([html.Thead(html.Tr([html.Th(h) for h in heads])),
                            html.Tbody([html.Tr([html.Td(v) for v in r]) for r in rows])],
                           className="simple", id="compliance-evidence-table")
    else:
        table = html.P("–")
    project = f"{finding['project_code']} {finding['project_title'] or ''}".strip() if finding["project_code"] \
        else finding["subject"]
    more = finding["evidence_total"] - len(rows)
    return html.Div([
        html.P([html.Span(finding["severity_label"], className=f"sev sev-{finding['severity']}"), " ",
                html.B(f"{finding['check_id']} · {finding['title']}")]),
        html.P(project, className="hint"),
        html.P(finding["message"]),
        html.Div(table, style={"overflowX": "auto", "maxHeight": "300px"}),
        html.P((f"… {more:,} more rows in the workbook" if lang == "en"
                else f"… 나머지 {more:,}행은 점검 보고서 Excel에")
               if more > 0 else "", className="hint"),
    ])


def _wrapped(text: str, width: int = 16) -> str:
    """A check's whole title for a chart label, broken into lines of about `width` characters (never cut off)."""
    return "<br>".join(textwrap.wrap(text, width=width, break_long_words=False)) or text


def register(dash_app: Any) -> None:
    downloads.register(dash_app)
    access.register(dash_app, update_with_alt, Output("compliance-counts", "children"),
                    Output("compliance-by-check", "figure"), Output("compliance-grid", "rowData"),
                    Output("compliance-by-check-alt", "children"), Input("compliance-severity", "value"),
                    Input("compliance-check", "value"), Input("compliance-lang", "data"),
                    Input("compliance-scope", "data"), page=PAGE)
    access.register(dash_app, evidence, Output("compliance-evidence", "children"),
                    Input("compliance-grid", "selectedRows"), State("compliance-lang", "data"),
                    State("compliance-scope", "data"), page=PAGE)
