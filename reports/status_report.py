"""The programme status report (사업 현황 보고서): rows shaped from the budgeting, programme and delivery services.

Every figure comes from the domain function that owns it — `budgeting.analytics.headline_figures`
and `execution_rate`, `budgeting.queries.hires_table` / `crowd_table`, `program.delivery` —
and is only arranged here: grouped by field for a table, labelled in the reader's language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from core import glossary as g
from core.db import Session
from core.i18n import Lang
from core.money import format_krw, ratio
from program import delivery as delivery_service
from program import service as program_service
from program.models import Program
from reports.document import Chart, Column, Document, Section, Series, Table, Typed
from reports.labels import Words, label
from reports.metadata import report_metadata


def month_label(month: str) -> str:
    """'2021-03' → '2021. 3.' (how an official document writes a month)."""
    year, _, m = month.partition("-")
    return f"{year}. {int(m)}." if m.isdigit() else month


def _term(key: str, lang: Lang) -> str:
    return g.term(key).label(lang)


def status_overview_rows(fig: Any, lang: Lang = "ko") -> list[tuple[str, Typed, Typed | str]]:
    """The headline figures (budgeting.analytics.HeadlineFigures) as (label, value, against) rows, values typed."""

    def won(v: int) -> Typed:
        return Typed(v, "won")

    def n(v: int) -> Typed:
        return Typed(v, "int")

    def rate(v: Decimal | None) -> Typed:
        return Typed(v, "percent")

    return [
        (_term("as_of", lang), Typed(fig.as_of, "date"), ""),
        (_term("total_budget_krw", lang), won(fig.total_budget_krw), ""),
        (_term("awarded_grant_krw", lang), won(fig.awarded_grant_krw), ""),
        (_term("unawarded_krw", lang), won(fig.unawarded_krw), ""),
        (_term("matching_krw", lang), won(fig.matching_krw), ""),
        (_term("project_budget_krw", lang), won(fig.project_budget_krw), ""),
        (_term("executed_total_krw", lang), won(fig.executed_total_krw), ""),
        (_term("executed_grant_krw", lang), won(fig.executed_grant_krw), ""),
        (_term("execution_rate_total", lang), rate(fig.execution_rate_total), ""),
        (_term("execution_rate_grant", lang), rate(fig.execution_rate_grant), ""),
        (_term("projects", lang), n(fig.projects), ""),
        (_term("projects_awarded", lang), n(fig.projects_awarded), ""),
        (_term("hires_required_call", lang), n(fig.hires_required_call), ""),
        (_term("hires_required_awards", lang), n(fig.hires_required_awards), ""),
        (_term("hires_counted", lang), n(fig.hires_counted), ""),
        (_term("hires_shortfall", lang), n(fig.hires_shortfall), ""),
        (_term("crowd_paid_krw", lang), won(fig.crowd_paid_krw), won(fig.crowd_planned_krw)),
        (_term("crowd_workers", lang), n(fig.crowd_workers), n(fig.crowd_workers_planned)),
        (_term("training_hours", lang), n(fig.training_hours), n(fig.training_hours_planned)),
        (_term("likely_unspent_awards", lang), n(fig.likely_unspent_awards), ""),
        (_term("types_built", lang), n(fig.types_built), n(fig.types_contracted)),
        (_term("types_verified", lang), n(fig.types_verified), n(fig.types_contracted)),
        (_term("types_opened", lang), n(fig.types_opened), n(fig.types_contracted)),
    ]


def _program(session: Session, program_id: int | None) -> Program:
    return program_service.get_program(session, program_id) if program_id else program_service.current_program(session)


def _by_field_order(items: Iterable[tuple[str, Any]], order: list[str]) -> list[tuple[str, Any]]:
    return sorted(items, key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))


def status_document(
    session: Session,
    *,
    program_id: int | None,
    generated_by: str,
    today: date,
    now: datetime | None = None,
    lang: Lang = "ko",
) -> Document:
    """Programme status: overview, allocation, execution by month, hires, crowdsourcing, delivery."""
    from budgeting import analytics
    from budgeting import queries as bq

    w = Words(lang)
    program = _program(session, program_id)
    pid = program.id
    assert pid is not None
    summary = program_service.program_summary(session, pid)
    frames = analytics.load_frames(session, pid, today)
    fig = analytics.headline_figures(session, pid, frames=frames)
    fields = {f.code: f for f in program_service.list_fields(session)}
    field_order = list(fields)

    def field_name(code: str) -> str:
        f = fields.get(code)
        return (f.name_ko if lang == "ko" else f.name_en or f.name_ko) if f else label("field", code, lang)

    field_of_award: dict[int, str] = dict(
        zip(frames.awards["award_id"].tolist(), frames.awards["field_code"].tolist(), strict=True)
    )

    # --- allocation by call type and by field: budgeting.analytics.execution_rate over the one analytics load
    def grouped(by: str) -> dict[str, tuple[int, int, int, int]]:
        key = "field_code" if by == "field" else "call_type"
        ex = analytics.execution_rate(session, pid, by=by, frames=frames)
        if "grant_krw" in ex.columns:
            grants = dict(zip(ex[key], ex["grant_krw"], strict=True))
        else:  # until execution_by carries the grant: the awards frame's grant per group
            grants = frames.awards.groupby(key)["grant_krw"].sum().to_dict()
        return {
            str(r[key]): (int(r["awards"]), int(grants.get(r[key], 0)), int(r["budget_krw"]), int(r["spent_krw"]))
            for r in ex.to_dict(orient="records")
        }

    by_type, by_field = grouped("call_type"), grouped("field")
    zero = (0, 0, 0, 0)
    alloc_cols = [
        Column("name", w("구분", "Group"), "text", 2),
        Column("projects", w("과제 수(공고)", "Projects (call)"), "int"),
        Column("ceiling", w("과제 상한액 합계(원)", "Project ceilings (KRW)"), "won", 1.6),
        Column("awards", w("협약 수", "Awards"), "int"),
        Column("grant", f"{_term('awarded_grant_krw', lang)}{w('(원)', ' (KRW)')}", "won", 1.6),
        Column("budget", f"{_term('project_budget_krw', lang)}{w('(원)', ' (KRW)')}", "won", 1.6),
        Column("spent", f"{_term('executed_total_krw', lang)}{w('(원)', ' (KRW)')}", "won", 1.6),
        Column("rate", _term("execution_rate_total", lang), "percent", 0.8),
    ]
    type_rows = [
        (
            (c.name_ko if lang == "ko" else c.name_en) or label("call_type", c.code, lang),
            c.projects,
            c.ceiling_krw,
            *by_type.get(c.code, zero),
            ratio(by_type.get(c.code, zero)[3], by_type.get(c.code, zero)[2]),
        )
        for c in summary.projects_by_call_type
    ]
    field_rows = [
        (
            field_name(c.code),
            c.projects,
            c.ceiling_krw,
            *by_field.get(c.code, zero),
            ratio(by_field.get(c.code, zero)[3], by_field.get(c.code, zero)[2]),
        )
        for c in summary.projects_by_field
    ]
    overview_cols = [
        Column("item", w("항목", "Item"), "text", 2.5),
        Column("value", w("값", "Value"), "mixed", 1.6),
        Column("against", w("계획·목표", "Planned / target"), "mixed", 1.6),
    ]
    funnel = delivery_service.delivery_funnel(session, today=fig.as_of, program_id=pid)
    crowd = bq.crowd_table(session, program_id=pid)

    # --- execution by month (budgeting.analytics.execution_rate by month, against project budgets)
    month_rows: list[tuple[Any, ...]] = [
        (
            month_label(str(r["month"])),
            int(r["spent_krw"]),
            int(r["cumulative_krw"]),
            ratio(int(r["cumulative_krw"]), int(r["budget_krw"])),
        )
        for r in analytics.execution_rate(session, pid, by="month", frames=frames).to_dict(orient="records")
    ]
    month_cols = [
        Column("month", w("월", "Month"), "text"),
        Column("spent", w("월 집행액(원)", "Spent (KRW)"), "won", 1.5),
        Column("cumulative", w("누적 집행액(원)", "Cumulative (KRW)"), "won", 1.5),
        Column("rate", _term("execution_rate_total", lang), "percent"),
    ]

    # --- hires against the rule (budgeting.queries.hires_table per award), grouped by field
    hires_by_field: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for h in bq.hires_table(session, program_id=pid, as_of=fig.as_of):  # as the headline figures count them
        b = hires_by_field[field_of_award.get(h.award_id or 0, "")]
        b[0] += 1
        b[1] += h.grant_krw
        b[2] += h.required
        b[3] += h.counted
        b[4] += h.shortfall
        b[5] += 1 if h.shortfall else 0
    hire_cols = [
        Column("field", w("분야", "Field"), "text", 1.6),
        Column("awards", w("협약 수", "Awards"), "int"),
        Column("grant", w("정부출연금(원)", "Grant (KRW)"), "won", 1.6),
        Column("required", w("의무 고용(명)", "Required (persons)"), "int"),
        Column("counted", w("인정 고용(명)", "Counted (persons)"), "int"),
        Column("shortfall", w("부족(명)", "Shortfall (persons)"), "int"),
        Column("short_awards", w("미달 과제 수", "Awards short"), "int"),
        Column("rate", w("달성률", "Achieved"), "percent"),
    ]
    hire_rows = [
        (field_name(c), *v, ratio(v[3], v[2])) for c, v in _by_field_order(hires_by_field.items(), field_order)
    ]

    # --- crowdsourcing (budgeting.queries.crowd_table per award), grouped by field
    crowd_by_field: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for c in crowd:
        b = crowd_by_field[field_of_award.get(c.award_id, "")]
        b[0] += c.planned_crowd_payment_krw
        b[1] += c.crowd_paid_krw
        b[2] += c.workers_engaged
        b[3] += c.items_labelled
        b[4] += c.planned_training_hours
        b[5] += c.training_hours
    crowd_cols = [
        Column("field", w("분야", "Field"), "text", 1.6),
        Column("planned", w("계획 지급액(원)", "Planned payments (KRW)"), "won", 1.5),
        Column("paid", w("지급액(원)", "Paid (KRW)"), "won", 1.5),
        Column("rate", w("이행률", "Delivered"), "percent"),
        Column("workers", w("참여 작업자(명)", "Workers"), "int"),
        Column("items", w("가공 건수", "Items labelled"), "int", 1.2),
        Column("planned_hours", w("계획 교육시간", "Planned training hours"), "int"),
        Column("hours", w("교육시간", "Training hours"), "int"),
    ]
    crowd_rows = [
        (field_name(c), v[0], v[1], ratio(v[1], v[0]), v[2], v[3], v[4], v[5])
        for c, v in _by_field_order(crowd_by_field.items(), field_order)
    ]

    # --- delivery funnel (program.delivery), quality by field, history
    funnel_cols = [
        Column("label", w("단계", "Stage"), "text", 1.4),
        Column("types", w("데이터 종 수", "Data types"), "int"),
        Column("items", w("건수", "Items"), "int", 1.4),
    ]
    funnel_rows = [(label("delivery_stage", s.stage, lang), s.data_types, s.items) for s in funnel.stages]
    statuses = delivery_service.delivery_statuses(session, today=fig.as_of, program_id=pid)
    q_by_field: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    name_of_field = {f.name_ko: c for c, f in fields.items()}
    for s in statuses:
        b = q_by_field[name_of_field.get(s.field_name_ko, s.field_name_ko)]
        b[0] += 1
        b[1] += 1 if s.quality_result == "pass" else 0
        b[2] += 1 if s.quality_result in ("conditional", "fail") else 0
        b[3] += 1 if s.quality_state in ("remediation_overdue", "remedied_late") else 0
        b[4] += 1 if s.volume_short else 0
        b[5] += 1 if s.opening_state in ("opened_late", "not_opened_overdue") else 0
    quality_cols = [
        Column("field", w("분야", "Field"), "text", 1.6),
        Column("types", w("데이터 종", "Data types"), "int"),
        Column("pass", w("품질 적합", "Passed"), "int"),
        Column("missed", w("목표 미달", "Below target"), "int"),
        Column("not_remedied", w("기한 내 미보완", "Not remedied in time"), "int"),
        Column("short", w("물량 미달", "Volume short"), "int"),
        Column("late", w("개방 지연·미개방", "Opened late / not opened"), "int"),
    ]
    quality_rows = [
        (field_name(k) if k in fields else k, *v) for k, v in _by_field_order(q_by_field.items(), field_order)
    ]
    history = delivery_service.delivery_history(session)
    hist_cols = [
        Column("year", w("연도", "Year"), "text"),
        Column("types", w("구축 데이터 종", "Data types built"), "int"),
        Column("cumulative", w("누적", "Cumulative"), "int"),
        Column("source", w("출처", "Source"), "text", 1.4),
    ]
    hist_rows = [
        (
            w(f"{p.year}년", str(p.year)),
            p.data_types,
            p.cumulative,
            label("report.history_source", "database" if p.source == "database" else "reference", lang),
        )
        for p in history.points
    ]
    latest = hist_rows[-1][2] if hist_rows else 0
    goal_note = w(
        f"{history.goal_year}년 목표 {history.goal_data_types:,}종 · 현재 누적 {latest:,}종 "
        f"(목표 대비 {float(ratio(latest, history.goal_data_types) or 0):.1%})",
        f"Goal for {history.goal_year}: {history.goal_data_types:,} types · cumulative now {latest:,} "
        f"({float(ratio(latest, history.goal_data_types) or 0):.1%} of the goal)",
    )
    as_of = w.date(fig.as_of)
    money_axis = w("금액", "Amount")
    doc = Document(
        title=w("사업 현황 보고서", "Programme status report"),
        subtitle=f"{program.name_ko if lang == 'ko' else program.name_en or program.name_ko} · "
        f"{w('기준일', 'as of')} {as_of}",
        meta=report_metadata(session, generated_by, program, now, extra=((w("기준일", "As of"), as_of),), lang=lang),
        filename_stem=f"status-{program.year}",
        lang=lang,
    )
    doc.sections = [
        Section(
            w("1. 개요", "1. Overview"),
            tables=[
                Table(
                    "overview",
                    w("주요 지표", "Headline figures"),
                    overview_cols,
                    status_overview_rows(fig, lang),
                    sheet=w("개요", "Overview"),
                )
            ],
        ),
        Section(
            w("2. 배분", "2. Allocation"),
            paragraphs=[
                w(
                    f"공모 유형별·분야별 과제와 협약 정부출연금, 총 과제사업비(출연금+민간부담금), 집행액. "
                    f"협약 {fig.projects_awarded:,}건, 정부출연금 {format_krw(fig.awarded_grant_krw, 'won')}, "
                    f"미협약 잔액 {format_krw(fig.unawarded_krw, 'won')}.",
                    f"Projects, awarded grants, project budgets (grant + matching) and spending by call "
                    f"type and field. {fig.projects_awarded:,} awards, grants "
                    f"{fig.awarded_grant_krw:,} KRW, not awarded {fig.unawarded_krw:,} KRW.",
                )
            ],
            tables=[
                Table(
                    "alloc_call_type",
                    w("공모 유형별 배분", "Allocation by call type"),
                    alloc_cols,
                    type_rows,
                    total_label=w("합계", "Total"),
                    sheet=w("공모유형별 배분", "By call type"),
                ),
                Table(
                    "alloc_field",
                    w("분야별 배분", "Allocation by field"),
                    alloc_cols,
                    field_rows,
                    total_label=w("합계", "Total"),
                    sheet=w("분야별 배분", "By field"),
                ),
            ],
            charts=[
                Chart(
                    "bar",
                    w("분야별 총 과제사업비와 집행액", "Project budgets and spending by field"),
                    [r[0] for r in field_rows],
                    [
                        Series(w("총 과제사업비", "Project budget"), [r[5] for r in field_rows]),
                        Series(w("집행액", "Spent"), [r[6] for r in field_rows]),
                    ],
                    y_label=money_axis,
                    y_unit="won",
                    table_name="alloc_field",
                    value_keys=("budget", "spent"),
                    category_key="name",
                ),
                Chart(
                    "pie",
                    w("공모 유형별 정부출연금 비중", "Share of grants by call type"),
                    [r[0] for r in type_rows],
                    [Series(w("정부출연금", "Grant"), [r[4] for r in type_rows])],
                    y_unit="won",
                    table_name="alloc_call_type",
                    value_keys=("grant",),
                    category_key="name",
                ),
            ],
        ),
        Section(
            w("3. 월별 집행", "3. Execution by month"),
            tables=[
                Table(
                    "execution_month",
                    w("월별 집행액 (취소 전표 반영)", "Spending by month (net of reversals)"),
                    month_cols,
                    month_rows,
                    sheet=w("월별 집행", "By month"),
                )
            ],
            charts=[
                Chart(
                    "bar",
                    w("월별 집행액", "Spending by month"),
                    [r[0] for r in month_rows],
                    [Series(w("월 집행액", "Spent"), [r[1] for r in month_rows])],
                    y_label=money_axis,
                    y_unit="won",
                    table_name="execution_month",
                    value_keys=("spent",),
                    category_key="month",
                ),
                Chart(
                    "line",
                    w("누적 집행액", "Cumulative spending"),
                    [r[0] for r in month_rows],
                    [Series(w("누적 집행액", "Cumulative"), [r[2] for r in month_rows])],
                    y_label=money_axis,
                    y_unit="won",
                    table_name="execution_month",
                    value_keys=("cumulative",),
                    category_key="month",
                ),
            ],
        ),
        Section(
            w("4. 직접고용", "4. Direct hires against the rule"),
            paragraphs=[
                w(
                    f"정부출연금 1억원당 {program.rules.hires_per_100m_krw}명 (올림). 증빙(근로계약·4대보험·급여)이 "
                    f"있는 협약기간 내 직접고용만 인정. 의무 (협약 기준) {fig.hires_required_awards:,}명, "
                    f"의무 (공고 기준) {fig.hires_required_call:,}명, 인정 {fig.hires_counted:,}명, "
                    f"부족 {fig.hires_shortfall:,}명.",
                    f"{program.rules.hires_per_100m_krw} persons per 100 million KRW of grant (rounded "
                    f"up); only direct hires within the agreement with contract, insurance and payroll "
                    f"evidence count. Required (awards) {fig.hires_required_awards:,}, required (call) "
                    f"{fig.hires_required_call:,}, counted {fig.hires_counted:,}, short "
                    f"{fig.hires_shortfall:,}.",
                )
            ],
            tables=[
                Table(
                    "hires",
                    w("분야별 직접고용", "Direct hires by field"),
                    hire_cols,
                    hire_rows,
                    total_label=w("합계", "Total"),
                    sheet=w("직접고용", "Hires"),
                )
            ],
            charts=[
                Chart(
                    "bar",
                    w("분야별 의무 고용 대비 인정 고용", "Required and counted hires by field"),
                    [r[0] for r in hire_rows],
                    [
                        Series(w("의무", "Required"), [r[3] for r in hire_rows]),
                        Series(w("인정", "Counted"), [r[4] for r in hire_rows]),
                    ],
                    y_label=w("인원 (명)", "Persons"),
                    table_name="hires",
                    value_keys=("required", "counted"),
                    category_key="field",
                )
            ],
        ),
        Section(
            w("5. 크라우드소싱", "5. Crowdsourcing and training"),
            tables=[
                Table(
                    "crowd",
                    w("분야별 크라우드소싱 지급·교육", "Crowd payments and training by field"),
                    crowd_cols,
                    crowd_rows,
                    total_label=w("합계", "Total"),
                    sheet=w("크라우드소싱", "Crowdsourcing"),
                )
            ],
            charts=[
                Chart(
                    "bar",
                    w("분야별 계획 대비 크라우드소싱 지급액", "Planned and paid crowd payments by field"),
                    [r[0] for r in crowd_rows],
                    [
                        Series(w("계획", "Planned"), [r[1] for r in crowd_rows]),
                        Series(w("지급", "Paid"), [r[2] for r in crowd_rows]),
                    ],
                    y_label=money_axis,
                    y_unit="won",
                    table_name="crowd",
                    value_keys=("planned", "paid"),
                    category_key="field",
                )
            ],
        ),
        Section(
            w("6. 산출물", "6. Delivery: contracted → built → verified → opened"),
            paragraphs=[
                w(
                    f"품질검증(TTA) 결과와 AI Hub 개방 현황 (기준일 {as_of}) · {goal_note}",
                    f"Quality verification (TTA) and opening on AI Hub, as of {as_of} · {goal_note}.",
                )
            ],
            tables=[
                Table(
                    "funnel",
                    w("산출물 단계별 현황", "Delivery funnel"),
                    funnel_cols,
                    funnel_rows,
                    sheet=w("산출물 단계", "Delivery funnel"),
                ),
                Table(
                    "quality",
                    w("분야별 품질·개방", "Quality and opening by field"),
                    quality_cols,
                    quality_rows,
                    total_label=w("합계", "Total"),
                    sheet=w("품질·개방", "Quality"),
                ),
                Table(
                    "history",
                    w("연도별 누적 구축", "Cumulative data types by year"),
                    hist_cols,
                    hist_rows,
                    sheet=w("연도별 구축", "History"),
                ),
            ],
            charts=[
                Chart(
                    "bar",
                    w("산출물 단계별 데이터 종 수", "Data types by delivery stage"),
                    [r[0] for r in funnel_rows],
                    [Series(w("데이터 종", "Data types"), [r[1] for r in funnel_rows])],
                    y_label=w("데이터 (종)", "Data types"),
                    value_labels=True,
                    table_name="funnel",
                    value_keys=("types",),
                    category_key="label",
                ),
                Chart(
                    "line",
                    w("연도별 누적 구축 데이터 종", "Cumulative data types built"),
                    [r[0] for r in hist_rows],
                    [Series(w("누적", "Cumulative"), [r[2] for r in hist_rows])],
                    y_label=w("데이터 (종)", "Data types"),
                    value_labels=True,
                    note=goal_note,
                    table_name="history",
                    value_keys=("cumulative",),
                    category_key="year",
                ),
            ],
        ),
    ]
    return doc
