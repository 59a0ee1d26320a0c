"""The dashboard's scope: which programme (year) and as of which date every page shows.

Both live in the URL (`?program=ID&as_of=YYYY-MM-DD`), so they are carried in every link and
survive a reload; the bar under the navigation shows them on every page and changes them.
Missing values default to the main programme and its reporting date (dashboard.data.scope).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode

from dash import dcc, html

from core import glossary
from core.i18n import format_date
from dashboard import data
from dashboard.pages.common import dropdown_labels


def query_of(search: str | None) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs((search or "").lstrip("?")).items()}


def carry(search: str | None) -> str:
    """The scope part of a query string ('?program=1&as_of=2022-12-31' or ''), for the navigation's links."""
    q = query_of(search)
    kept = {k: q[k] for k in ("program", "as_of") if q.get(k)}
    return f"?{urlencode(kept)}" if kept else ""


def scope_bar(search: str | None, lang: str | None) -> html.Div:
    pid, as_of = data.scope(query_of(search))
    options = [{"label": str(year), "value": i} for i, year, _ in data.programs()]
    return html.Div([
        html.Label("Programme" if lang == "en" else "사업연도", htmlFor="scope-program"),
        dcc.Dropdown(id="scope-program", options=options, value=pid, clearable=False, className="scope-program",
                     labels=dropdown_labels(lang)),
        html.Label(glossary.label("as_of", lang), htmlFor="scope-as-of"),
        dcc.Input(id="scope-as-of", type="date", value=as_of.isoformat() if as_of else "", debounce=True),
        html.Span(f"{glossary.label('as_of', lang)} {format_date(as_of, lang or 'ko')}", id="scope-shown",
                  className="hint"),
        dcc.Link("Glossary" if lang == "en" else "용어 설명", href="/dashboard/glossary" + carry(search),
                 id="scope-glossary"),
    ], className="scope-bar", id="scope-bar")


def set_scope(program: Any, as_of: str | None, search: str | None) -> str:
    """The URL's query with the chosen programme and date (other parameters kept)."""
    q = query_of(search)
    if program:
        q["program"] = str(int(program))
    if as_of:
        q["as_of"] = str(as_of)[:10]
    else:
        q.pop("as_of", None)
    return f"?{urlencode(q)}" if q else ""
