"""Small pieces several pages share: filter dropdowns and label maps."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from core.bounded import Id, check
from core.errors import RuleViolation
from dashboard import data
from dashboard.i18n import t


def parse_id(value: Any) -> int | None:
    """A row id from a URL, a store or a dropdown (all forgeable): a valid id, or None.

    A 25-digit number, a float, a boolean or text becomes None, so the callback shows its
    "not found" state instead of sending the database a value beyond its column.
    """
    if value is None or value == "" or isinstance(value, bool | float):
        return None
    try:
        return int(check(Id, value, field="id"))
    except RuleViolation:
        return None


def field_labels(lang: str | None) -> dict[str, str]:
    f = data.fields()
    return dict(zip(f["code"], f["name_en" if lang == "en" else "name_ko"], strict=True))


def field_options(lang: str | None) -> list[dict[str, str]]:
    return [{"label": t("filter.all", lang), "value": ""}] + [
        {"label": label, "value": code} for code, label in field_labels(lang).items()]


def dropdown(label: str, cid: str, options: list[dict[str, Any]], value: Any) -> html.Div:
    return html.Div([html.Label(label, htmlFor=cid),
                     dcc.Dropdown(id=cid, options=options, value=value, clearable=False)])


def graph(gid: str) -> html.Div:
    return html.Div(dcc.Loading(dcc.Graph(id=gid, config={"displayModeBar": False})), className="card")
