"""Glossary (everyone): each headline figure's one name, definition and the function computing it (core.glossary)."""

from __future__ import annotations

from typing import Any

from dash import html

from core import glossary
from core.i18n import format_date
from core.models import User
from dashboard import data

PAGE = "glossary"


def layout(user: User | None, lang: str | None, query: dict[str, str]) -> Any:
    head = html.Tr([html.Th("Figure" if lang == "en" else "지표"), html.Th("Key" if lang == "en" else "필드명"),
                    html.Th("Definition" if lang == "en" else "정의"),
                    html.Th("Function" if lang == "en" else "계산 함수")])
    rows = [html.Tr([html.Td(term.label(lang)),  # Korean page: the Korean name only (English on the English page)
                     html.Td(html.Code(term.key)), html.Td(term.describe(lang)), html.Td(html.Code(term.function))],
                    id=f"glossary-{term.key}")
            for term in glossary.TERMS]
    _, as_of = data.scope(query)
    return html.Div([
        html.H2("Glossary of figures" if lang == "en" else "지표 용어 설명"),
        html.P(f"{glossary.label('as_of', lang)} {format_date(as_of, lang or 'ko')}", className="hint as-of",
               id="glossary-as-of"),
        html.P("The same names and definitions are used on the dashboard, in the API (GET /programs/{id}/figures) "
               "and in the status report (PDF, XLSX)." if lang == "en" else
               "대시보드, API (GET /programs/{id}/figures), 현황 보고서(PDF·XLSX)가 같은 명칭과 정의를 씁니다.",
               className="hint"),
        html.Table([html.Thead(head), html.Tbody(rows)], className="simple glossary-table", id="glossary-table"),
    ], id="glossary-page")
