"""Pure figure builders: DataFrame (or plain values) in, plotly graph_objects Figure out.

Every builder returns a figure that says why it is empty when there is nothing to draw.
Money arrives as int won; axes show 억원 and the hover shows the full amount in won
(core.money.format_krw). graph_objects, not plotly express (5x faster here).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from core.money import format_krw, in_eok

FONT = "NanumGothic, 'Noto Sans KR', 'Malgun Gothic', sans-serif"
PALETTE = ["#2f6fb0", "#e07b39", "#3a9d5d", "#c0392b", "#8e6bbf", "#7f8c8d", "#d4a017", "#16a3b8"]
SEVERITY_COLORS = {"critical": "#8e1b1b", "high": "#c0392b", "medium": "#e07b39", "low": "#d4a017", "info": "#7f8c8d"}


def base_layout(fig: go.Figure, *, title: str | None = None, height: int = 360) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 15}} if title else None,
        font={"family": FONT, "size": 12},
        height=height,
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        paper_bgcolor="white",
        plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.15},
        hoverlabel={"font": {"family": FONT}},
    )
    fig.update_xaxes(automargin=True, gridcolor="#eee")
    fig.update_yaxes(automargin=True, gridcolor="#eee")
    _unit_above_axis(fig, bool(title))
    return fig


SHORT_AXIS_TITLE = 4  # a y-axis title this short (명, 억원, 인정) reads level above the axis, not turned on its side


def _unit_above_axis(fig: go.Figure, titled: bool) -> None:
    """Move a short y-axis title (a unit) above the axis, written level: Hangul turned 90° is hard to read."""
    unit = fig.layout.yaxis.title.text
    if not unit or len(unit) > SHORT_AXIS_TITLE or fig.layout.yaxis.overlaying:
        return
    fig.update_yaxes(title_text=None)
    fig.add_annotation(text=unit, x=0, y=1, xref="paper", yref="paper", xanchor="right", yanchor="bottom",
                       yshift=10, showarrow=False, font={"size": 12, "color": "#444"}, name="y-unit")
    fig.update_layout(margin={"t": 66 if titled else 34})  # room above the top tick label


def empty(reason: str, *, title: str | None = None, height: int = 360) -> go.Figure:
    """A blank figure whose only content is the reason it is blank."""
    fig = go.Figure()
    fig.add_annotation(text=reason, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font={"size": 14, "color": "#666"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return base_layout(fig, title=title, height=height)


def nice_step(top: float, ticks: int = 5) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` ticks up to `top`."""
    import math

    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * power:
            return float(m * power)
    return float(10 * power)


def integer_axis(top: float) -> dict[str, object]:
    """Axis settings for counts: whole-number ticks at a round step (no 0.2, 0.4 … on a count of postings)."""
    raw = nice_step(top)
    step = max(1, int(raw) if raw == int(raw) else int(raw * 2))  # 2.5 → 5: counts tick at whole numbers
    return {"tick0": 0, "dtick": step, "tickformat": ",d", "rangemode": "tozero"}


def round_axis(values: Sequence[float], ticks: int = 5) -> dict[str, object]:
    """Axis settings with ticks at round numbers from 0 (500, 1,000, 1,500 … not 413, 825, 1,238)."""
    top = max([float(v) for v in values if v == v] or [0.0])
    step = nice_step(top, ticks)
    return {"tick0": 0, "dtick": step, "range": [0, step * (int(top / step) + 1)], "tickformat": ",~r"}


def _unit(name: str, unit: str) -> str:
    """An axis title with its unit: '집행·계획 (억원)'; a unit already in brackets follows a comma."""
    return f"{name}, {unit}" if "(" in unit else f"{name} ({unit})"


def wrap_label(text: str, width: int = 14) -> str:
    """A long tile label over lines (plotly does not wrap text in a treemap tile)."""
    words, lines, line = text.split(" "), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)


def eok(won: int | float) -> float:
    return in_eok(won)


def won_labels(values: Sequence[int]) -> list[str]:
    return [format_krw(int(v), "won") for v in values]


def money_label(won: int) -> str:
    """억원 with one decimal from one 억 up (where the precision allows); below that, exact won (not '0.4억원')."""
    return format_krw(int(won), "eok" if abs(int(won)) >= 100_000_000 else "won")


def eok_labels(values: Sequence[int]) -> list[str]:
    return [money_label(int(v)) for v in values]


# --------------------------------------------------------------------------- overview


def ceilings_by_field(df: pd.DataFrame, *, title: str, empty_reason: str, axis_label: str) -> go.Figure:
    """Horizontal bars: sum of project ceilings per field (columns: label, ceiling_krw, projects)."""
    if df.empty or df["ceiling_krw"].sum() == 0:
        return empty(empty_reason, title=title)
    df = df.sort_values("ceiling_krw")
    fig = go.Figure(go.Bar(
        y=df["label"], x=[eok(v) for v in df["ceiling_krw"]], orientation="h", marker_color=PALETTE[0],
        customdata=list(zip(won_labels(df["ceiling_krw"]), df["projects"], strict=True)),
        text=eok_labels(df["ceiling_krw"]), textposition="auto",
        hovertemplate="%{y}<br>%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
    ))
    fig.update_xaxes(title_text=axis_label)
    return base_layout(fig, title=title, height=320)


def history_toward_goal(df: pd.DataFrame, goal: int, goal_year: int, *, title: str, empty_reason: str,
                        built_label: str, goal_label: str, cumulative_label: str = "누적",
                        y_label: str = "데이터 종", x_label: str = "연도") -> go.Figure:
    """Data types built per year (bars) and their running total (line) toward the goal (columns: year, types)."""
    if df.empty:
        return empty(empty_reason, title=title)
    df = df.sort_values("year")
    cumulative = df["types"].cumsum()
    fig = go.Figure()
    fig.add_trace(go.Bar(x=df["year"], y=df["types"], name=built_label, marker_color=PALETTE[0],
                         hovertemplate="%{x}: %{y:,}<extra>" + built_label + "</extra>"))
    fig.add_trace(go.Scatter(x=df["year"], y=cumulative, mode="lines+markers+text", name=cumulative_label,
                             text=[f"{v:,}" for v in cumulative], textposition="top left",
                             line={"color": PALETTE[1]}, hovertemplate="%{x}: %{y:,}<extra>" + cumulative_label
                             + "</extra>"))
    fig.add_trace(go.Scatter(x=[int(df["year"].min()), goal_year], y=[goal, goal], mode="lines",
                             name=goal_label, line={"dash": "dash", "color": PALETTE[3]},
                             hovertemplate=f"{goal_label}: {goal:,}<extra></extra>"))
    fig.update_xaxes(dtick=1, range=[int(df["year"].min()) - 0.5, goal_year + 0.5], title_text=x_label)
    fig.update_yaxes(title_text=y_label, **round_axis([*cumulative, goal]))
    return base_layout(fig, title=title, height=320)


# --------------------------------------------------------------------------- allocation


def allocation_treemap(df: pd.DataFrame, *, root_label: str, title: str, empty_reason: str,
                       spent_label: str = "집행", rate_label: str = "집행률 (%)") -> go.Figure:
    """Programme → call type → field → project, sized by the awarded grant.

    Columns: project_code, project_title, call_type_label, field_label, grant_krw, spent_krw.
    """
    if df.empty or df["grant_krw"].sum() == 0:
        return empty(empty_reason, title=title, height=460)
    if "budget_krw" not in df:
        df = df.assign(budget_krw=df["grant_krw"])
    ids: list[str] = ["root"]
    labels: list[str] = [root_label]
    parents: list[str] = [""]
    values: list[int] = [int(df["grant_krw"].sum())]
    spent: list[int] = [int(df["spent_krw"].sum())]
    budgets: list[int] = [int(df["budget_krw"].sum())]
    # call type → field → projects, each level in order of first appearance (pandas' groupby(sort=False),
    # rows without a label left out as groupby leaves them); plain lists, not a groupby and itertuples per
    # group (those cost ~100 ms at national scale, bench dashboard)
    tree: dict[str, dict[str, list[tuple[str, int, int, int]]]] = {}
    for ct, fl, code, grant, spent_krw, budget in zip(
            df["call_type_label"].tolist(), df["field_label"].tolist(), df["project_code"].tolist(),
            df["grant_krw"].tolist(), df["spent_krw"].tolist(), df["budget_krw"].tolist(), strict=True):
        if pd.isna(ct) or pd.isna(fl):
            continue
        tree.setdefault(ct, {}).setdefault(fl, []).append((str(code), int(grant), int(spent_krw), int(budget)))
    for ct, by_field in tree.items():
        ct_id = f"ct:{ct}"
        ct_rows = [r for rows in by_field.values() for r in rows]
        ids.append(ct_id), labels.append(wrap_label(str(ct))), parents.append("root")
        values.append(sum(r[1] for r in ct_rows)), spent.append(sum(r[2] for r in ct_rows))
        budgets.append(sum(r[3] for r in ct_rows))
        for fl, rows in by_field.items():
            f_id = f"{ct_id}/f:{fl}"
            ids.append(f_id), labels.append(wrap_label(str(fl))), parents.append(ct_id)
            values.append(sum(r[1] for r in rows)), spent.append(sum(r[2] for r in rows))
            budgets.append(sum(r[3] for r in rows))
            for code, grant, spent_krw, budget in rows:
                ids.append(f"{f_id}/p:{code}"), labels.append(code)
                parents.append(f_id), values.append(grant), spent.append(spent_krw)
                budgets.append(budget)
    rates = [round(s / b * 100, 1) if b else 0.0 for b, s in zip(budgets, spent, strict=True)]
    hover = [f"{money_label(v)}<br>{format_krw(v, 'won')}<br>{spent_label} {money_label(s)}"
             f" · {rate_label} {r:.1f}"
             for v, s, r in zip(values, spent, rates, strict=True)]
    titles = dict(zip(df["project_code"], df["project_title"], strict=True))
    extra = [titles.get(lbl, "") for lbl in labels]
    fig = go.Figure(go.Treemap(
        ids=ids, labels=labels, parents=parents, values=values, branchvalues="total",
        maxdepth=4 if len(df) <= 40 else 3,  # projects show once a filter leaves few enough to read
        customdata=list(zip(hover, extra, eok_labels(values), strict=True)),
        texttemplate="%{label}<br>%{customdata[2]}",  # 억원 inside the boxes, full won on hover
        hovertemplate="<b>%{label}</b> %{customdata[1]}<br>%{customdata[0]}<extra></extra>",
        marker={"colors": rates,
                "colorscale": [[0, "#e8a77c"], [0.5, "#f4ecd8"], [1, "#3f74ad"]], "cmin": 0, "cmax": 100,
                "showscale": True,
                "colorbar": {"title": {"text": rate_label, "side": "right"}, "ticksuffix": "%", "tick0": 0,
                             "dtick": 20, "thickness": 12, "len": 0.9}},
        root={"color": "#eef2f7"},
        textfont={"size": 13}, insidetextfont={"size": 13},
        tiling={"pad": 2},
    ))
    base_layout(fig, title=title, height=500)
    # Tiles too small for a readable label show none (their figures are in the hover and the table).
    fig.update_layout(margin={"l": 4, "r": 4, "t": 40, "b": 4}, uniformtext={"minsize": 11, "mode": "hide"})
    return fig


def execution_vs_plan(df: pd.DataFrame | None, *, title: str, empty_reason: str, spent_label: str,
                      plan_label: str, axis_label: str, cumulative_label: str = "누적",
                      lang: str | None = "ko") -> go.Figure:
    """Monthly spending and the plan, with cumulative lines (columns: month, spent_krw, planned_krw);
    months written 2021. 4. in Korean, 2021-04 in English."""
    if df is None or df.empty:
        return empty(empty_reason, title=title)
    month = "%Y-%m" if lang == "en" else "%Y. %-m."
    cum_hover = "%{x|" + month + "}<br>" + cumulative_label + " %{customdata}<extra></extra>"
    df = df.sort_values("month")
    cum_spent = df["spent_krw"].cumsum()
    cum_plan = df["planned_krw"].cumsum()
    fig = go.Figure()
    fig.add_trace(go.Bar(x=df["month"], y=[eok(v) for v in df["spent_krw"]], name=spent_label,
                         marker_color=PALETTE[0], customdata=won_labels(df["spent_krw"]),
                         hovertemplate="%{x|" + month + "}<br>%{customdata}<extra>" + spent_label + "</extra>"))
    fig.add_trace(go.Bar(x=df["month"], y=[eok(v) for v in df["planned_krw"]], name=plan_label,
                         marker_color="#b9c7d8", customdata=won_labels(df["planned_krw"]),
                         hovertemplate="%{x|" + month + "}<br>%{customdata}<extra>" + plan_label + "</extra>"))
    fig.add_trace(go.Scatter(x=df["month"], y=[eok(v) for v in cum_spent], yaxis="y2",
                             name=f"{cumulative_label} {spent_label}",
                             line={"color": PALETTE[1]}, customdata=won_labels(cum_spent),
                             hovertemplate=cum_hover))
    fig.add_trace(go.Scatter(x=df["month"], y=[eok(v) for v in cum_plan], yaxis="y2",
                             name=f"{cumulative_label} {plan_label}",
                             line={"color": PALETTE[5], "dash": "dash"}, customdata=won_labels(cum_plan),
                             hovertemplate=cum_hover))
    base_layout(fig, title=title, height=380)
    monthly_top = [eok(v) for v in [*df["spent_krw"], *df["planned_krw"]]]
    cumulative_top = [eok(v) for v in [*cum_spent, *cum_plan]]
    fig.update_layout(barmode="group", height=460,
                      yaxis={"title": _unit(f"{spent_label}·{plan_label}", axis_label), **round_axis(monthly_top)},
                      yaxis2={"overlaying": "y", "side": "right", "showgrid": False,
                              "title": _unit(cumulative_label, axis_label), **round_axis(cumulative_top)},
                      xaxis={"tickformat": month, "dtick": "M1"})
    return fig


def budget_lines(df: pd.DataFrame, *, title: str, empty_reason: str, budget_label: str, spent_label: str,
                 axis_label: str) -> go.Figure:
    """Budget and spent per cost category (columns: label, budget_krw, spent_krw)."""
    if df.empty:
        return empty(empty_reason, title=title, height=320)
    fig = go.Figure()
    for col, name, color in (("budget_krw", budget_label, "#b9c7d8"), ("spent_krw", spent_label, PALETTE[0])):
        fig.add_trace(go.Bar(y=df["label"], x=[eok(v) for v in df[col]], name=name, orientation="h",
                             marker_color=color, customdata=won_labels(df[col]),
                             hovertemplate="%{y}<br>%{customdata}<extra>" + name + "</extra>"))
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text=axis_label)
    fig.update_yaxes(autorange="reversed")
    return base_layout(fig, title=title, height=340)


# --------------------------------------------------------------------------- evaluation


def score_bands(df: pd.DataFrame | None, field_labels: dict[str, str], *, title: str, empty_reason: str,
                x_label: str, y_label: str) -> go.Figure:
    """Pre-binned score counts per field (columns field_code, bin_start, sheets), one line-bar per field."""
    if df is None or df.empty:
        return empty(empty_reason, title=title)
    fig = go.Figure()
    for i, (code, g) in enumerate(df.groupby("field_code", sort=False)):
        g = g.sort_values("bin_start")
        fig.add_trace(go.Bar(x=[f"{b}–{b + 5}" for b in g["bin_start"]], y=g["sheets"],
                             name=field_labels.get(str(code), str(code)), marker_color=PALETTE[i % len(PALETTE)],
                             hovertemplate="%{fullData.name}<br>%{x}: %{y:,}<extra></extra>"))
    order = [f"{b}–{b + 5}" for b in range(0, 100, 5) if b in set(df["bin_start"])]
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=x_label, categoryorder="array", categoryarray=order)
    fig.update_yaxes(title_text=y_label)
    return base_layout(fig, title=title, height=380)


def leniency(df: pd.DataFrame | None, *, title: str, empty_reason: str, x_label: str, n: int = 15) -> go.Figure:
    """The n most lenient and n strictest evaluators (columns evaluator_code, sheets, leniency)."""
    if df is None or df.empty:
        return empty(empty_reason, title=title)
    df = df.sort_values("leniency")
    if len(df) > 2 * n:
        df = pd.concat([df.head(n), df.tail(n)])
    colors = [PALETTE[3] if v < 0 else PALETTE[2] for v in df["leniency"]]
    fig = go.Figure(go.Bar(y=df["evaluator_code"], x=df["leniency"], orientation="h", marker_color=colors,
                           customdata=df["sheets"],
                           hovertemplate="%{y}: %{x:+.2f}<br>%{customdata} sheets<extra></extra>"))
    fig.update_xaxes(title_text=x_label, zeroline=True, zerolinecolor="#999")
    fig.update_yaxes(type="category", tickfont={"size": 10})
    return base_layout(fig, title=title, height=max(380, 14 * len(df) + 80))


# --------------------------------------------------------------------------- obligations


def required_vs_counted(df: pd.DataFrame, *, title: str, empty_reason: str, required_label: str,
                        counted_label: str, y_label: str) -> go.Figure:
    """Grouped bars per group (columns: label, required, counted); counted bars red where short."""
    if df.empty or df["required"].sum() == 0:
        return empty(empty_reason, title=title)
    colors = [PALETTE[3] if c < r else PALETTE[2] for r, c in zip(df["required"], df["counted"], strict=True)]
    fig = go.Figure([
        go.Bar(x=df["label"], y=df["required"], name=required_label, marker_color="#b9c7d8",
               hovertemplate="%{x}<br>" + required_label + " %{y:,}<extra></extra>"),
        go.Bar(x=df["label"], y=df["counted"], name=counted_label, marker_color=colors,
               hovertemplate="%{x}<br>" + counted_label + " %{y:,}<extra></extra>"),
    ])
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text=y_label)
    return base_layout(fig, title=title)


def award_hire_gaps(df: pd.DataFrame, *, title: str, empty_reason: str, x_label: str, y_label: str) -> go.Figure:
    """One dot per award: required (x) against counted (y), with the y = x line (columns: code, required, counted)."""
    if df.empty:
        return empty(empty_reason, title=title)
    short = df["counted"] < df["required"]
    top = int(max(df["required"].max(), df["counted"].max())) + 2
    fig = go.Figure([
        go.Scatter(x=[0, top], y=[0, top], mode="lines", line={"dash": "dot", "color": "#999"}, hoverinfo="skip",
                   showlegend=False),
        go.Scatter(x=df["required"], y=df["counted"], mode="markers", text=df["code"], showlegend=False,
                   marker={"color": [PALETTE[3] if s else PALETTE[2] for s in short], "size": 8, "opacity": 0.8},
                   hovertemplate="%{text}<br>" + x_label + " %{x}<br>" + y_label + " %{y}<extra></extra>"),
    ])
    fig.update_xaxes(title_text=x_label, rangemode="tozero")
    fig.update_yaxes(title_text=y_label, rangemode="tozero")
    return base_layout(fig, title=title)


def promised_vs_delivered(df: pd.DataFrame, *, title: str, empty_reason: str, promised_label: str,
                          delivered_label: str, y_label: str, money: bool = False) -> go.Figure:
    """Grouped bars per field (columns: label, promised, delivered); money values in won shown as 억원."""
    if df.empty or (df["promised"].sum() == 0 and df["delivered"].sum() == 0):
        return empty(empty_reason, title=title)
    traces = []
    for col, name, color in (("promised", promised_label, "#b9c7d8"), ("delivered", delivered_label, PALETTE[0])):
        y = [eok(v) for v in df[col]] if money else list(df[col])
        custom = won_labels(df[col]) if money else [f"{int(v):,}" for v in df[col]]
        traces.append(go.Bar(x=df["label"], y=y, name=name, marker_color=color, customdata=custom,
                             hovertemplate="%{x}<br>%{customdata}<extra>" + name + "</extra>"))
    fig = go.Figure(traces)
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text=y_label)
    return base_layout(fig, title=title)


# --------------------------------------------------------------------------- delivery


def delivery_funnel(df: pd.DataFrame, *, title: str, empty_reason: str) -> go.Figure:
    """Contracted → built → verified → opened (columns: label, data_types, items)."""
    if df.empty or df["data_types"].sum() == 0:
        return empty(empty_reason, title=title)
    fig = go.Figure(go.Funnel(y=df["label"], x=df["data_types"], textinfo="value+percent initial",
                              customdata=[f"{int(v):,}" for v in df["items"]],
                              marker={"color": ["#9db4cc", "#6f95bd", "#3f74ad", "#1f4f85"][: len(df)]},
                              hovertemplate="%{y}: %{x:,}<br>items %{customdata}<extra></extra>"))
    return base_layout(fig, title=title)


QUALITY_COLORS = {"pass": "#3a9d5d", "remedied_on_time": "#8cc084", "remedied_late": "#d4a017",
                  "remediation_open": "#e07b39", "remediation_overdue": "#c0392b", "not_verified": "#b0b7c0"}


def quality_by_field(df: pd.DataFrame, state_labels: dict[str, str], *, title: str, empty_reason: str,
                     y_label: str) -> go.Figure:
    """Stacked bars: data types per field by quality state (columns: label, quality_state, data_types)."""
    if df.empty:
        return empty(empty_reason, title=title)
    fig = go.Figure()
    for state in QUALITY_COLORS:
        g = df[df["quality_state"] == state]
        if g.empty:
            continue
        fig.add_trace(go.Bar(x=g["label"], y=g["data_types"], name=state_labels.get(state, state),
                             marker_color=QUALITY_COLORS[state],
                             hovertemplate="%{x}<br>%{fullData.name}: %{y}<extra></extra>"))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title_text=y_label)
    return base_layout(fig, title=title)


# --------------------------------------------------------------------------- compliance and jobs


def findings_by_check(df: pd.DataFrame, *, title: str, empty_reason: str, x_label: str,
                      severity_labels: dict[str, str] | None = None) -> go.Figure:
    """Horizontal bars: findings per check, coloured by severity (columns: check_id, label, severity, count)."""
    if df.empty:
        return empty(empty_reason, title=title)
    df = df.sort_values("count")
    fig = go.Figure()
    for sev, color in SEVERITY_COLORS.items():
        g = df[df["severity"] == sev]
        if g.empty:
            continue
        name = (severity_labels or {}).get(sev, sev)
        fig.add_trace(go.Bar(y=g["label"], x=g["count"], orientation="h", name=name, marker_color=color,
                             hovertemplate="%{y}: %{x}<extra>" + name + "</extra>"))
    fig.update_yaxes(categoryorder="array", categoryarray=list(df["label"]), automargin=True)
    fig.update_xaxes(title_text=x_label)
    lines = int(df["label"].str.count("<br>").max()) + 1  # labels wrapped over lines get the room they need
    return base_layout(fig, title=title, height=max(320, (12 + 14 * lines) * len(df) + 90))


def counts_bar(df: pd.DataFrame, *, title: str, empty_reason: str, y_label: str, color: str = PALETTE[0],
               height: int = 320) -> go.Figure:
    """Simple bars (columns: label, count), largest first."""
    if df.empty or df["count"].sum() == 0:
        return empty(empty_reason, title=title, height=height)
    df = df.sort_values("count", ascending=False)
    fig = go.Figure(go.Bar(x=df["label"], y=df["count"], marker_color=color, text=df["count"],
                           textposition="auto", hovertemplate="%{x}: %{y:,}<extra></extra>"))
    fig.update_yaxes(title_text=y_label, **integer_axis(float(df["count"].max())))
    return base_layout(fig, title=title, height=height)


def panel_bands(df: pd.DataFrame, *, title: str, empty_reason: str, x_label: str) -> go.Figure:
    """One panel's sheets counted per proposal and 5-point band (columns: proposal, bin_start, sheets)."""
    if df.empty:
        return empty(empty_reason, title=title, height=260)
    bins = list(range(int(df["bin_start"].min()), int(df["bin_start"].max()) + 5, 5))
    proposals = list(dict.fromkeys(df["proposal"]))
    counts = {(r.proposal, r.bin_start): r.sheets for r in df.itertuples(index=False)}
    z = [[counts.get((p, b), 0) for b in bins] for p in proposals]
    fig = go.Figure(go.Heatmap(z=z, x=[f"{b}–{b + 5}" for b in bins], y=proposals, colorscale="Blues",
                               showscale=False, text=[[str(v) if v else "" for v in row] for row in z],
                               texttemplate="%{text}", hovertemplate="%{y}<br>%{x}: %{z}<extra></extra>", xgap=2,
                               ygap=2))
    fig.update_xaxes(title_text=x_label, showgrid=False)
    fig.update_yaxes(showgrid=False, autorange="reversed")
    return base_layout(fig, title=title, height=max(200, 46 * len(proposals) + 110))
