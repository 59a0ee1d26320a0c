"""Figure builders: pure DataFrame → figure functions, each with an explicit empty state."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard import figures


def annotation_texts(fig) -> list[str]:  # type: ignore[no-untyped-def]
    return [a.text for a in fig.layout.annotations]


@pytest.mark.parametrize("build", [
    lambda r: figures.ceilings_by_field(pd.DataFrame(columns=["label", "ceiling_krw", "projects"]), title="t",
                                        empty_reason=r, axis_label="억원"),
    lambda r: figures.history_toward_goal(pd.DataFrame(columns=["year", "types"]), 1300, 2025, title="t",
                                          empty_reason=r, built_label="b", goal_label="g"),
    lambda r: figures.allocation_treemap(pd.DataFrame(columns=["project_code", "project_title", "call_type_label",
                                                               "field_label", "grant_krw", "spent_krw"]),
                                         root_label="root", title="t", empty_reason=r),
    lambda r: figures.execution_vs_plan(None, title="t", empty_reason=r, spent_label="s", plan_label="p",
                                        axis_label="억원"),
    lambda r: figures.budget_lines(pd.DataFrame(columns=["label", "budget_krw", "spent_krw"]), title="t",
                                   empty_reason=r, budget_label="b", spent_label="s", axis_label="억원"),
    lambda r: figures.score_bands(pd.DataFrame(columns=["field_code", "bin_start", "sheets"]), {}, title="t",
                                  empty_reason=r, x_label="x", y_label="y"),
    lambda r: figures.leniency(None, title="t", empty_reason=r, x_label="x"),
    lambda r: figures.required_vs_counted(pd.DataFrame({"label": ["a"], "required": [0], "counted": [0]}),
                                          title="t", empty_reason=r, required_label="r", counted_label="c",
                                          y_label="y"),
    lambda r: figures.award_hire_gaps(pd.DataFrame(columns=["code", "required", "counted"]), title="t",
                                      empty_reason=r, x_label="x", y_label="y"),
    lambda r: figures.promised_vs_delivered(pd.DataFrame(columns=["label", "promised", "delivered"]), title="t",
                                            empty_reason=r, promised_label="p", delivered_label="d", y_label="y"),
    lambda r: figures.delivery_funnel(pd.DataFrame(columns=["label", "data_types", "items"]), title="t",
                                      empty_reason=r),
    lambda r: figures.quality_by_field(pd.DataFrame(columns=["label", "quality_state", "data_types"]), {},
                                       title="t", empty_reason=r, y_label="y"),
    lambda r: figures.findings_by_check(pd.DataFrame(columns=["check_id", "label", "severity", "count"]),
                                        title="t", empty_reason=r, x_label="x"),
    lambda r: figures.counts_bar(pd.DataFrame(columns=["label", "count"]), title="t", empty_reason=r, y_label="y"),
    lambda r: figures.panel_bands(pd.DataFrame(columns=["proposal", "bin_start", "sheets"]), title="t",
                                  empty_reason=r, x_label="x"),
])
def test_every_builder_says_why_it_is_empty(build) -> None:  # type: ignore[no-untyped-def]
    fig = build("아직 협약이 없습니다")
    assert len(fig.data) == 0
    assert annotation_texts(fig) == ["아직 협약이 없습니다"]


def test_ceilings_axis_in_eok_and_hover_in_full_won() -> None:
    df = pd.DataFrame({"label": ["헬스케어", "교통·물류"], "ceiling_krw": [48_690_000_000, 1_950_000_001],
                       "projects": [22, 1]})
    fig = figures.ceilings_by_field(df, title="t", empty_reason="-", axis_label="억원")
    bar = fig.data[0]
    assert list(bar.y) == ["교통·물류", "헬스케어"]  # sorted ascending, largest on top
    assert list(bar.x) == [19.50000001, 486.9]
    assert bar.customdata[0][0] == "1,950,000,001원"
    assert list(bar.text) == ["19.5억원", "486.9억원"]


def test_treemap_hierarchy_adds_up() -> None:
    df = pd.DataFrame({
        "project_code": ["P1", "P2", "P3"], "project_title": ["a", "b", "c"],
        "call_type_label": ["지정공모", "지정공모", "자유공모(지역)"], "field_label": ["헬스케어", "비전", "헬스케어"],
        "grant_krw": [3_000_000_000, 2_000_000_000, 1_000_000_000],
        "spent_krw": [1_500_000_000, 2_000_000_000, 0],
        "budget_krw": [3_300_000_000, 2_200_000_000, 1_100_000_000],
    })
    tm = figures.allocation_treemap(df, root_label="2021", title="t", empty_reason="-").data[0]
    values = dict(zip(tm.ids, tm.values, strict=True))
    parents = dict(zip(tm.ids, tm.parents, strict=True))
    assert values["root"] == 6_000_000_000
    for node, parent in parents.items():  # branchvalues='total': each parent is the sum of its children
        children = [values[c] for c, p in parents.items() if p == node]
        if children:
            assert sum(children) == values[node], node
        if parent:
            assert parent in values
    assert len([i for i in tm.ids if "/p:" in i]) == 3
    assert tm.customdata[0][2] == "60.0억원"  # 억원 inside the box
    assert "6,000,000,000원" in tm.customdata[0][0]  # full won on hover


def test_execution_vs_plan_cumulative_lines() -> None:
    df = pd.DataFrame({"month": pd.to_datetime(["2021-05-01", "2021-06-01", "2021-07-01"]),
                       "spent_krw": [100_000_000, 300_000_000, 0], "planned_krw": [200_000_000] * 3})
    fig = figures.execution_vs_plan(df, title="t", empty_reason="-", spent_label="집행", plan_label="계획",
                                    axis_label="억원")
    cum_spent, cum_plan = fig.data[2], fig.data[3]
    assert list(cum_spent.y) == [1.0, 4.0, 4.0]
    assert list(cum_plan.y) == [2.0, 4.0, 6.0]
    assert list(fig.data[0].customdata) == ["100,000,000원", "300,000,000원", "0원"]


def test_score_bands_plot_counts_not_raw_scores() -> None:
    df = pd.DataFrame({"field_code": ["LANG", "LANG", "HEALTH"], "bin_start": [70, 75, 70], "sheets": [12, 3, 5]})
    fig = figures.score_bands(df, {"LANG": "음성·자연어", "HEALTH": "헬스케어"}, title="t", empty_reason="-",
                              x_label="x", y_label="y")
    assert [tr.name for tr in fig.data] == ["음성·자연어", "헬스케어"]
    assert list(fig.data[0].x) == ["70–75", "75–80"] and list(fig.data[0].y) == [12, 3]
    assert sum(sum(tr.y) for tr in fig.data) == 20


def test_leniency_keeps_the_extremes() -> None:
    df = pd.DataFrame({"evaluator_code": [f"E{i:02d}" for i in range(40)], "sheets": [5] * 40,
                       "leniency": [i - 20.0 for i in range(40)]})
    bar = figures.leniency(df, title="t", empty_reason="-", x_label="x", n=3).data[0]
    assert list(bar.y) == ["E00", "E01", "E02", "E37", "E38", "E39"]
    assert list(bar.marker.color[:3]) == [figures.PALETTE[3]] * 3  # stricter than the panel: red


def test_required_vs_counted_marks_shortfalls_red() -> None:
    df = pd.DataFrame({"label": ["a", "b"], "required": [10, 5], "counted": [9, 5]})
    fig = figures.required_vs_counted(df, title="t", empty_reason="-", required_label="r", counted_label="c",
                                      y_label="y")
    assert list(fig.data[1].marker.color) == [figures.PALETTE[3], figures.PALETTE[2]]


def test_promised_vs_delivered_money_in_eok() -> None:
    df = pd.DataFrame({"label": ["a"], "promised": [250_000_000], "delivered": [125_000_000]})
    fig = figures.promised_vs_delivered(df, title="t", empty_reason="-", promised_label="p", delivered_label="d",
                                        y_label="억원", money=True)
    assert list(fig.data[0].y) == [2.5] and list(fig.data[1].y) == [1.25]
    assert list(fig.data[1].customdata) == ["125,000,000원"]


def test_funnel_and_quality_figures() -> None:
    funnel = figures.delivery_funnel(pd.DataFrame({"label": ["계약", "개방"], "data_types": [140, 100],
                                                   "items": [10, 7]}), title="t", empty_reason="-")
    assert list(funnel.data[0].x) == [140, 100]
    q = pd.DataFrame({"label": ["A", "A", "B"], "quality_state": ["pass", "remediation_overdue", "pass"],
                      "data_types": [3, 1, 2]})
    fig = figures.quality_by_field(q, {"pass": "통과"}, title="t", empty_reason="-", y_label="y")
    assert [tr.name for tr in fig.data] == ["통과", "remediation_overdue"]
    assert fig.layout.barmode == "stack"


def test_findings_by_check_orders_by_count() -> None:
    df = pd.DataFrame({"check_id": ["A", "B"], "label": ["A x", "B y"], "severity": ["high", "medium"],
                       "count": [2, 7]})
    fig = figures.findings_by_check(df, title="t", empty_reason="-", x_label="x", severity_labels={"high": "중대"})
    assert [tr.name for tr in fig.data] == ["중대", "medium"]
    assert list(fig.layout.yaxis.categoryarray) == ["A x", "B y"]


def test_counts_bar_sorted_descending() -> None:
    fig = figures.counts_bar(pd.DataFrame({"label": ["서울", "부산"], "count": [1, 4]}), title="t",
                             empty_reason="-", y_label="y")
    assert list(fig.data[0].x) == ["부산", "서울"]


def test_history_toward_goal() -> None:
    df = pd.DataFrame({"year": [2017, 2018, 2021], "types": [4, 7, 190]})
    fig = figures.history_toward_goal(df, 1300, 2025, title="t", empty_reason="-", built_label="b", goal_label="g")
    assert list(fig.data[1].y) == [4, 11, 201]
    assert list(fig.data[2].x) == [2017, 2025] and list(fig.data[2].y) == [1300, 1300]
    assert date(2025, 1, 1).year == fig.layout.xaxis.range[1] - 0.5


def test_panel_bands_counts_per_proposal() -> None:
    df = pd.DataFrame({"proposal": ["1. A", "1. A", "2. B"], "bin_start": [80, 90, 70], "sheets": [3, 2, 5]})
    hm = figures.panel_bands(df, title="t", empty_reason="-", x_label="x").data[0]
    assert list(hm.x) == ["70–75", "75–80", "80–85", "85–90", "90–95"]
    assert [list(r) for r in hm.z] == [[0, 0, 3, 0, 2], [5, 0, 0, 0, 0]]
