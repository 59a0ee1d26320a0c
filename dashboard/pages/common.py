"""Small pieces several pages share: filter dropdowns and label maps."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from core.bounded import Id, check
from core.errors import RuleViolation
from core.money import format_krw
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


def dropdown_labels(lang: str | None) -> Any:
    """The words dcc.Dropdown itself shows (its search box, "no options"), Korean by default."""
    if lang == "en":
        return {"search": "Search", "no_options_found": "No options found", "clear_search": "Clear search",
                "clear_selection": "Clear selection", "select_all": "Select all", "deselect_all": "Deselect all"}
    return {"search": "검색", "no_options_found": "맞는 항목이 없습니다", "clear_search": "검색어 지우기",
            "clear_selection": "선택 지우기", "select_all": "모두 선택", "deselect_all": "모두 해제"}


def dropdown(label: str, cid: str, options: list[dict[str, Any]], value: Any, lang: str | None = None) -> html.Div:
    return html.Div([html.Label(label, htmlFor=cid),
                     dcc.Dropdown(id=cid, options=options, value=value, clearable=False,
                                  labels=dropdown_labels(lang))])




def graph(gid: str) -> html.Div:
    """A chart in a card, with the table behind it for screen readers (filled by the page's callback as `{gid}-alt`)."""
    return html.Div([dcc.Loading(dcc.Graph(id=gid, config={"displayModeBar": False})),
                     html.Div(id=f"{gid}-alt", className="sr-only")], className="card")


def _cell(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value == value else ""
    if hasattr(value, "strftime"):
        return str(value.strftime("%Y-%m"))
    return str(value)


def _title(obj: Any) -> str:
    text = getattr(getattr(obj, "title", None), "text", None)
    return str(text) if text else ""


def figure_table(fig: Any, lang: str | None) -> html.Table | None:
    """The numbers behind a chart as a table (its text alternative): one row a point of each series.

    Bars, lines and funnels give (series, category, value); a treemap gives (level above, box, value);
    the chart's title is the caption and its axis titles head the columns.
    """
    traces = list(getattr(fig, "data", None) or [])
    if not traces:
        return None
    layout = fig.layout
    rows: list[html.Tr] = []
    x_title = _title(layout.xaxis)
    y_title = _title(layout.yaxis) or next((str(a.text) for a in layout.annotations or [] if a.name == "y-unit"), "")
    horizontal = False
    for tr in traces:
        name = str(getattr(tr, "name", None) or "")
        kind = tr.type
        if kind == "treemap":
            ids = list(tr.ids or [])
            plain = [str(x).replace("<br>", " ") for x in (tr.labels or [])]
            labels = dict(zip(ids, plain, strict=False))
            for i, label, parent, value in zip(ids, plain, tr.parents or [], tr.values or [], strict=False):
                if i == "root":
                    continue
                rows.append(html.Tr([html.Td(labels.get(parent, "")), html.Td(label),
                                     html.Td(format_krw(int(value), "won"), className="num")]))
            continue
        if kind == "heatmap":
            for ylab, zrow in zip(tr.y or [], tr.z or [], strict=False):
                for xlab, z in zip(tr.x or [], zrow, strict=False):
                    rows.append(html.Tr([html.Td(str(ylab)), html.Td(str(xlab)), html.Td(_cell(z), className="num")]))
            continue
        xs, ys = list(tr.x if tr.x is not None else []), list(tr.y if tr.y is not None else [])
        if kind == "funnel" or getattr(tr, "orientation", None) == "h":
            horizontal = True
            xs, ys = ys, xs
        for x, y in zip(xs, ys, strict=False):
            rows.append(html.Tr([html.Td(name), html.Td(_cell(x)), html.Td(_cell(y), className="num")]))
    if not rows:
        return None
    if horizontal:
        x_title, y_title = y_title, x_title
    en = lang == "en"
    head = html.Tr([html.Th("Series" if en else "구분", scope="col"),
                    html.Th(x_title or ("Item" if en else "항목"), scope="col"),
                    html.Th(y_title or ("Value" if en else "값"), scope="col")])
    return html.Table([html.Caption(_title(layout) or ("Chart data" if en else "차트 자료")), html.Thead(head),
                       html.Tbody(rows[:500])], className="chart-table")


# AG Grid's own words (pager, filters, empty state) in Korean: dash-ag-grid's `localeText` grid option.
GRID_LOCALE_KO: dict[str, str] = {
    "page": "쪽", "more": "이상", "to": "–", "of": "/", "next": "다음", "last": "마지막", "first": "처음",
    "previous": "이전", "firstPage": "첫 쪽", "previousPage": "이전 쪽", "nextPage": "다음 쪽", "lastPage": "마지막 쪽",
    "pageLastRowUnknown": "?", "pageSizeSelectorLabel": "쪽당 행 수:", "ariaPageSizeSelectorLabel": "쪽당 행 수",
    "loadingOoo": "불러오는 중…", "loadingError": "오류", "noRowsToShow": "표시할 행이 없습니다",
    "noMatchingRows": "조건에 맞는 행이 없습니다", "blanks": "(빈 값)",
    "filterOoo": "필터…", "applyFilter": "적용", "resetFilter": "초기화", "clearFilter": "지우기",
    "cancelFilter": "취소", "equals": "같음", "notEqual": "같지 않음", "lessThan": "미만", "greaterThan": "초과",
    "lessThanOrEqual": "이하", "greaterThanOrEqual": "이상", "inRange": "범위", "inRangeStart": "부터",
    "inRangeEnd": "까지", "contains": "포함", "notContains": "포함하지 않음", "startsWith": "시작 문자",
    "endsWith": "끝 문자", "blank": "비어 있음", "notBlank": "비어 있지 않음", "before": "이전", "after": "이후",
    "andCondition": "그리고", "orCondition": "또는", "dateFormatOoo": "yyyy-mm-dd",
    "ariaFilterInput": "필터 입력", "ariaFilterValue": "필터 값", "ariaFilterFromValue": "시작 값",
    "ariaFilterToValue": "끝 값", "ariaFilteringOperator": "필터 조건", "ariaDateFilterInput": "날짜 필터 입력",
    "ariaColumnFiltered": "필터 적용됨", "ariaFilterMenuOpen": "필터 메뉴 열기", "ariaLabelColumnFilter": "열 필터",
    "ariaLabelColumnMenu": "열 메뉴", "ariaFilterColumn": "Ctrl+Enter: 필터 열기",
    "ariaMenuColumn": "Alt+↓: 열 메뉴", "ariaSortableColumn": "Enter: 정렬", "ariaInputEditor": "입력",
    "ariaSkeletonCellLoading": "행을 불러오는 중", "ariaRowSelectAll": "Space: 모든 행 선택",
    "thousandSeparator": ",", "decimalSeparator": ".",
}


def grid_locale(lang: str | None) -> dict[str, str]:
    """`localeText` for an AG Grid: Korean by default, AG Grid's own English on request."""
    return {} if lang == "en" else dict(GRID_LOCALE_KO)
