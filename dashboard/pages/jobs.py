"""Job board (public, no login): open crowdsourcing jobs by field and region."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import Input, Output, dcc, html

from core.models import User
from core.money import format_krw
from dashboard import access, data, figures
from dashboard.i18n import t
from dashboard.pages.common import dropdown, field_labels, field_options, graph
from program.models import REGIONS

PAGE = "jobs"


def layout(user: User | None, lang: str | None, query: dict[str, str]) -> Any:
    jobs = data.public_jobs()
    present = set() if jobs is None else set(jobs["region"].dropna())
    ordered = [r for r in ("전국", *REGIONS) if r in present] + sorted(present - {"전국", *REGIONS})
    regions = [{"label": t("filter.all", lang), "value": ""}] + [{"label": r, "value": r} for r in ordered]
    return html.Div([
        html.H2(t("jobs.title", lang)),
        html.P(t("jobs.intro", lang)),
        dcc.Store(id="jobs-lang", data=lang),
        html.Div([dropdown(t("filter.field", lang), "jobs-field", field_options(lang), query.get("field", "")),
                  dropdown(t("filter.region", lang), "jobs-region", regions, query.get("region", ""))],
                 className="filters"),
        html.Div([graph("jobs-by-field"), graph("jobs-by-region")], className="grid2"),
        html.Div([html.H3(t("jobs.list", lang)), dcc.Loading(html.Div(id="jobs-list"))], className="card"),
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


def update(field: str | None, region: str | None, lang: str | None) -> tuple[Any, Any, Any]:
    """Public data only: the postings the public API shows (no people, no money beyond the pay rate)."""
    df = data.public_jobs()
    if df is None:
        e = figures.empty(t("unavailable", lang))
        return e, e, html.P(t("unavailable", lang))
    if field:
        df = df[df["field_code"] == field]
    if region:
        df = df[df["region"] == region]
    labels = field_labels(lang)
    reason = t("jobs.none", lang)
    by_field = df.groupby("field_code", as_index=False).size().rename(columns={"size": "count"})
    by_field["label"] = by_field["field_code"].map(labels)
    by_region = df.groupby("region", as_index=False).size().rename(columns={"size": "count", "region": "label"})
    return (figures.counts_bar(by_field, title=t("jobs.by_field", lang), empty_reason=reason,
                               y_label=t("jobs.openings", lang)),
            figures.counts_bar(by_region, title=t("jobs.by_region", lang), empty_reason=reason,
                               y_label=t("jobs.openings", lang), color=figures.PALETTE[2]),
            job_table(df, labels, lang))


def job_table(df: pd.DataFrame, labels: dict[str, str], lang: str | None) -> Any:
    if df.empty:
        return html.P(t("jobs.none", lang), className="hint", id="jobs-table")
    head = html.Tr([html.Th(t("col.title", lang)), html.Th(t("col.field", lang)), html.Th(t("filter.region", lang)),
                    html.Th(t("col.platform", lang)), html.Th(t("col.pay", lang), className="num"),
                    html.Th(t("col.close", lang))])
    rows = [html.Tr([html.Td(r.title), html.Td(labels.get(r.field_code, r.field_code)), html.Td(r.region),
                     html.Td(r.platform), html.Td(f"{format_krw(int(r.pay_krw), 'won')} / {r.pay_unit}",
                                                  className="num"), html.Td(str(r.close_date))])
            for r in df.head(50).itertuples(index=False)]
    return html.Table([html.Thead(head), html.Tbody(rows)], className="simple", id="jobs-table")


def register(dash_app: Any) -> None:
    access.register(dash_app, update, Output("jobs-by-field", "figure"), Output("jobs-by-region", "figure"),
                    Output("jobs-list", "children"), Input("jobs-field", "value"), Input("jobs-region", "value"),
                    Input("jobs-lang", "data"), page=PAGE, user_arg=False)
