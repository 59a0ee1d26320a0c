"""The overview's trend by year: Korean by default, English on request, money in 억 원, findings
shown as not yet available when compliance has not given them."""

from datetime import date
from decimal import Decimal

from budgeting.years import YearFigures
from dashboard.pages import overview_years


def _row(year, findings=None):
    return YearFigures(program_id=year - 2016, year=year, as_of=date(year, 12, 31), total_budget_krw=29_250_000_000_0,
                       awarded_grant_krw=24_280_000_000_0, project_budget_krw=26_000_000_000_0,
                       executed_total_krw=26_140_000_000_0, execution_rate_total=Decimal("0.9"), awards=141,
                       types_contracted=141, types_built=138, types_opened=74, direct_hires=6163, findings=findings)


def _texts(node):
    out = []
    children = getattr(node, "children", None)
    if isinstance(children, str):
        out.append(children)
    elif isinstance(children, list):
        for c in children:
            out.extend(_texts(c) if not isinstance(c, str) else [c])
    elif children is not None:
        out.extend(_texts(children))
    return out


def test_table_in_korean_and_english():
    rows = [_row(2020), _row(2021, findings=3)]
    ko = " ".join(_texts(overview_years.table(rows, "ko")))
    assert "사업연도" in ko and "집행액" in ko and "2,925억원" in ko and "6,163" in ko
    assert "집계 전" in ko and "Findings" not in ko
    en = " ".join(_texts(overview_years.table(rows, "en")))
    assert "Year" in en and "Executed" in en and "not yet available" in en and "3" in en


def test_chart_has_three_series_per_year_and_an_empty_state():
    fig = overview_years.chart([_row(2020), _row(2021)], "ko")
    assert [tr.name for tr in fig.data] == ["사업 예산", "협약 정부지원금", "집행액"]
    assert list(fig.data[0].x) == ["2020", "2021"] and fig.data[0].y[0] == 2925
    empty = overview_years.chart([], "en")
    assert not empty.data
