"""Job board (public, no login): crowdsourcing jobs open on the programme's reference date, with a link to apply.

"Open" is judged on the page's as-of date (default: the programme's reporting date), never on the
machine's clock, by the same function as the public API (budgeting.queries.list_public_jobs); the
database sorts and pages the list. Under 600 px wide the list becomes one card a posting (style.css).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
from dash import Input, Output, State, ctx, dcc, html

from core import glossary
from core.i18n import code_label, format_date
from core.models import User
from core.money import format_krw
from dashboard import access, data, figures
from dashboard.i18n import t
from dashboard.pages.common import dropdown, field_labels, field_options, figure_table, graph
from program.models import REGIONS

PAGE = "jobs"
PAGE_SIZE = 10
SORTS = ("close_date", "-close_date", "-open_date", "-pay_krw", "pay_krw", "title")
STATUS_CLASS = {"open": "ok", "upcoming": "hint", "closed": "hint"}


def layout(user: User | None, lang: str | None, query: dict[str, str]) -> Any:
    pid, as_of = data.scope(query)
    present = set(data.public_job_regions(pid))
    ordered = [r for r in ("전국", *REGIONS) if r in present] + sorted(present - {"전국", *REGIONS})
    regions = [{"label": t("filter.all", lang), "value": ""}] + [{"label": r, "value": r} for r in ordered]
    statuses = [{"label": t("jobs.status.open_only", lang), "value": "open"},
                {"label": t("jobs.status.all", lang), "value": "all"}]
    sorts = [{"label": t(f"jobs.sort.{s}", lang), "value": s} for s in SORTS]
    sort = query.get("sort", "close_date")
    return html.Div([
        html.H2(t("jobs.title", lang)),
        html.P(t("jobs.intro", lang)),
        html.P(f"{glossary.label('as_of', lang)} {format_date(as_of, lang or 'ko')} · {t('jobs.as_of_note', lang)}",
               className="hint as-of", id="jobs-as-of"),
        dcc.Store(id="jobs-lang", data=lang),
        dcc.Store(id="jobs-scope", data={"program": pid, "as_of": as_of.isoformat() if as_of else None}),
        dcc.Store(id="jobs-page-no", data=0),
        dcc.Store(id="jobs-total", data=0),
        html.Div([dropdown(t("filter.field", lang), "jobs-field", field_options(lang), query.get("field", ""), lang),
                  dropdown(t("filter.region", lang), "jobs-region", regions, query.get("region", ""), lang),
                  html.Div([html.Label(t("jobs.status", lang), htmlFor="jobs-status"),
                            dcc.RadioItems(id="jobs-status", options=statuses,
                                           value="all" if query.get("status") == "all" else "open", inline=True,
                                           className="radio-row")]),
                  dropdown(t("jobs.sort", lang), "jobs-sort", sorts, sort if sort in SORTS else "close_date", lang)],
                 className="filters"),
        html.Div([html.H3(t("jobs.list", lang), id="jobs-list-title"),
                  dcc.Loading(html.Div(id="jobs-list")),
                  html.Div([html.Button(t("jobs.prev", lang), id="jobs-prev", n_clicks=0, className="pager-button"),
                            html.Span(id="jobs-pager-info", className="hint", **_attrs({"aria-live": "polite"})),
                            html.Button(t("jobs.next", lang), id="jobs-next", n_clicks=0, className="pager-button")],
                           className="pager", id="jobs-pager")], className="card"),
        html.Div([graph("jobs-by-field"), graph("jobs-by-region")], className="grid2"),
        open_data_links(lang),
    ], id="jobs-page")


# The programme's awards as open data (opendata.api); labels here until they join dashboard.i18n.
_OPEN_DATA_LABELS = {
    "title": ("지원 내역 공개 데이터", "Open data on the awards"),
    "intro": ("과제별 지원 결정, 협약, 집행 내역을 국제 표준 형식으로 내려받을 수 있습니다.",
              "Download every award, agreement and disbursement in the published international standards."),
    "360giving": ("360Giving 1.4.3 (JSON)", "360Giving 1.4.3 (JSON)"),
    "ocds": ("OCDS 1.1.5 (JSON)", "OCDS 1.1.5 (JSON)"),
}


def open_data_links(lang: str | None) -> Any:
    """Links to both public downloads (no login; every programme as of today)."""
    def label(key: str) -> str:
        ko, en = _OPEN_DATA_LABELS[key]
        return en if lang == "en" else ko

    return html.Div([
        html.H3(label("title")), html.P(label("intro")),
        html.Ul([html.Li(html.A(label("360giving"), href="/api/v1/public/open-data/360giving.json",
                                id="jobs-open-data-360giving")),
                 html.Li(html.A(label("ocds"), href="/api/v1/public/open-data/ocds.json", id="jobs-open-data-ocds"))]),
    ], className="card", id="jobs-open-data")


def _attrs(extra: dict[str, str]) -> dict[str, Any]:
    """aria-* and data-* attributes for a Dash html component (they are not in its typed signature)."""
    return extra


def _scope(scope_data: dict[str, Any] | None) -> tuple[int | None, date]:
    scope_data = scope_data or {}
    pid, as_of = data.scope({"program": str(scope_data.get("program") or ""),
                             "as_of": str(scope_data.get("as_of") or "")})
    return pid, as_of or data.today()


def _sort(value: str | None) -> str:
    return value if value in SORTS else "close_date"


def turn_page(prev: int | None, nxt: int | None, field: str | None, region: str | None, status: str | None,
              sort: str | None, page: int | None, total: int | None) -> int:
    """The page number after a click on 이전/다음; any change of filter or order goes back to the first page."""
    page = max(0, int(page or 0)) if isinstance(page, int) else 0
    last = max(0, (max(0, int(total or 0)) - 1) // PAGE_SIZE) if isinstance(total, int) else 0
    trigger = ctx.triggered_id if ctx.triggered else None
    if trigger == "jobs-next":
        return min(page + 1, last)
    if trigger == "jobs-prev":
        return max(page - 1, 0)
    return 0


def update(field: str | None, region: str | None, lang: str | None, status: str | None = "open",
           sort: str | None = "close_date", page: int | None = 0,
           scope_data: dict[str, Any] | None = None) -> tuple[Any, ...]:
    """Public data only: the postings the public API shows on the page's date (no people, no money beyond the pay)."""
    pid, on = _scope(scope_data)
    include_closed = status == "all"
    field, region = (field or None), (region or None)
    counts = data.public_job_counts(pid, on, field, region, include_closed)
    total = int(counts["count"].sum()) if not counts.empty else 0
    last = max(0, (total - 1) // PAGE_SIZE)
    page = min(max(0, page if isinstance(page, int) else 0), last)
    rows, total = data.public_jobs(pid, on, field, region, include_closed, _sort(sort), PAGE_SIZE, page * PAGE_SIZE)
    labels = field_labels(lang)
    day = format_date(on, lang or "ko")
    reason = t("jobs.none", lang).format(day=day)
    by_field = counts.groupby("field_code", as_index=False)["count"].sum()
    by_field["label"] = by_field["field_code"].map(labels)
    by_region = counts.groupby("region", as_index=False)["count"].sum().rename(columns={"region": "label"})
    fig_field = figures.counts_bar(by_field, title=t("jobs.by_field", lang), empty_reason=reason,
                                   y_label=t("jobs.openings", lang))
    fig_region = figures.counts_bar(by_region, title=t("jobs.by_region", lang), empty_reason=reason,
                                    y_label=t("jobs.openings", lang), color=figures.PALETTE[2])
    first = page * PAGE_SIZE + 1 if total else 0
    info = t("jobs.pager", lang).format(first=first, last=min(total, (page + 1) * PAGE_SIZE), total=f"{total:,}") \
        if total else ""
    title = t("jobs.list_all" if include_closed else "jobs.list", lang)
    return (fig_field, fig_region, job_table(rows, labels, lang, reason), info, page == 0, page >= last, total,
            figure_table(fig_field, lang), figure_table(fig_region, lang), title)


def _https(url: Any) -> str | None:
    """The apply link when it is an https address (the column is validated on entry; checked again here)."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url)
    return url if parts.scheme == "https" and parts.hostname else None


def job_table(df: pd.DataFrame, labels: dict[str, str], lang: str | None, reason: str) -> Any:
    """One row a posting; each cell carries its column's name for the card layout of narrow screens."""
    if df.empty:
        return html.P(reason, className="hint", id="jobs-table")
    cols = [("status", t("jobs.col.status", lang)), ("title", t("jobs.col.title", lang)),
            ("field", t("col.field", lang)), ("region", t("filter.region", lang)),
            ("platform", t("col.platform", lang)), ("pay", t("col.pay", lang)),
            ("period", t("jobs.col.period", lang)), ("apply", t("jobs.col.apply", lang))]
    head = html.Tr([html.Th(label, scope="col", className="num" if key == "pay" else None) for key, label in cols])
    rows = []
    for r in df.itertuples(index=False):
        url = _https(r.apply_url)
        status = str(r.status)
        apply: Any = html.A(t("jobs.apply", lang), href=url, target="_blank", rel="noopener noreferrer",
                            className="button apply-link",
                            **_attrs({"aria-label": f"{r.title} — {t('jobs.apply_aria', lang)}"})) \
            if url and status == "open" else html.Span("–", className="hint")
        period = f"{format_date(r.open_date, lang or 'ko')} ~ {format_date(r.close_date, lang or 'ko')}"
        cells = [html.Span(code_label("job_posting_status", status, lang or "ko"),
                           className=f"job-status {STATUS_CLASS.get(status, '')}"),
                 r.title, labels.get(r.field_code, r.field_code), r.region, r.platform,
                 f"{format_krw(int(r.pay_krw), 'won')} / {r.pay_unit}", period, apply]
        rows.append(html.Tr([html.Td(c, className="num" if key == "pay" else None, **_attrs({"data-label": label}))
                             for (key, label), c in zip(cols, cells, strict=True)]))
    return html.Table([html.Caption(t("jobs.list", lang), className="sr-only"), html.Thead(head), html.Tbody(rows)],
                      className="simple jobs-table", id="jobs-table")


def register(dash_app: Any) -> None:
    access.register(dash_app, turn_page, Output("jobs-page-no", "data"),
                    Input("jobs-prev", "n_clicks"), Input("jobs-next", "n_clicks"), Input("jobs-field", "value"),
                    Input("jobs-region", "value"), Input("jobs-status", "value"), Input("jobs-sort", "value"),
                    State("jobs-page-no", "data"), State("jobs-total", "data"), page=PAGE, user_arg=False,
                    prevent_initial_call=True)
    access.register(dash_app, update, Output("jobs-by-field", "figure"), Output("jobs-by-region", "figure"),
                    Output("jobs-list", "children"), Output("jobs-pager-info", "children"),
                    Output("jobs-prev", "disabled"), Output("jobs-next", "disabled"), Output("jobs-total", "data"),
                    Output("jobs-by-field-alt", "children"), Output("jobs-by-region-alt", "children"),
                    Output("jobs-list-title", "children"),
                    Input("jobs-field", "value"), Input("jobs-region", "value"), Input("jobs-lang", "data"),
                    Input("jobs-status", "value"), Input("jobs-sort", "value"), Input("jobs-page-no", "data"),
                    Input("jobs-scope", "data"), page=PAGE, user_arg=False)

