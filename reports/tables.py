"""Report rows, built once from service results (the dashboard uses the same functions).

Each `*_document` function reads through the domain services and returns a
`reports.document.Document`; `reports/pdf.py` and `reports/excel.py` render it. The
functions here take the session; the renderers never do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from core import audit
from core import glossary as g
from core.money import format_krw, ratio
from core.timeutil import utcnow
from program import delivery as delivery_service
from program import service as program_service
from program.models import Program
from reports.document import Chart, Column, Document, Metadata, Section, Series, Table

QUALITY_LABELS = {"pass": "적합", "conditional": "조건부 적합", "fail": "부적합"}
SEVERITY_LABELS = {"high": "중대 (high)", "medium": "주의 (medium)", "low": "참고 (low)"}
Progress = Callable[[str, int, int | None], None]  # (what, rows so far, total or None)
# Ledger rows fetched per query when streaming the workbook: 50k rows of SQLAlchemy Rows cost ~75 MB
# of peak memory at national scale, 10k about a fifth of it, for no measurable loss of speed.
LEDGER_CHUNK = 10_000


def _meta(session: Session, generated_by: str, program: Program | None, now: datetime | None,
          extra: tuple[tuple[str, str], ...] = ()) -> Metadata:
    return Metadata(generated_at=now or utcnow(), generated_by=generated_by, audit_hash=audit.last_hash(session),
                    program=program.name_ko if program else "", extra=extra)


def _pct(num: int, den: int) -> Decimal | None:
    return ratio(num, den)


def _won(v: int) -> str:
    return f"{v:,}원 ({format_krw(v)})"


def status_overview_rows(fig: Any) -> list[tuple[str, str]]:
    """The headline figures (budgeting.analytics.HeadlineFigures) as (glossary label, value) rows."""
    def rate(v: Decimal | None) -> str:
        return "–" if v is None else f"{float(v):.1%}"

    def row(key: str, value: str) -> tuple[str, str]:
        return g.term(key).bilingual, value

    return [
        row("as_of", fig.as_of.isoformat()),
        row("total_budget_krw", _won(fig.total_budget_krw)),
        row("awarded_grant_krw", _won(fig.awarded_grant_krw)),
        row("unawarded_krw", _won(fig.unawarded_krw)),
        row("matching_krw", _won(fig.matching_krw)),
        row("project_budget_krw", _won(fig.project_budget_krw)),
        row("executed_total_krw", _won(fig.executed_total_krw)),
        row("executed_grant_krw", _won(fig.executed_grant_krw)),
        row("execution_rate_total", rate(fig.execution_rate_total)),
        row("execution_rate_grant", rate(fig.execution_rate_grant)),
        row("projects", f"{fig.projects:,}"),
        row("projects_awarded", f"{fig.projects_awarded:,}"),
        row("hires_required_call", f"{fig.hires_required_call:,}"),
        row("hires_required_awards", f"{fig.hires_required_awards:,}"),
        row("hires_counted", f"{fig.hires_counted:,}"),
        row("hires_shortfall", f"{fig.hires_shortfall:,}"),
        row("crowd_paid_krw", f"{_won(fig.crowd_paid_krw)} / {_won(fig.crowd_planned_krw)}"),
        row("crowd_workers", f"{fig.crowd_workers:,} / {fig.crowd_workers_planned:,}"),
        row("training_hours", f"{fig.training_hours:,} / {fig.training_hours_planned:,}"),
        row("likely_unspent_awards", f"{fig.likely_unspent_awards:,}"),
        row("types_built", f"{fig.types_built:,} / {fig.types_contracted:,}"),
        row("types_verified", f"{fig.types_verified:,} / {fig.types_contracted:,}"),
        row("types_opened", f"{fig.types_opened:,} / {fig.types_contracted:,}"),
    ]


def _program(session: Session, program_id: int | None) -> Program:
    return program_service.get_program(session, program_id) if program_id else program_service.current_program(session)


def _all_awards(session: Session, program_id: int) -> list[Any]:
    from budgeting import queries as bq

    awards, total = bq.list_awards(session, program_id=program_id, limit=1_000_000)
    return awards


# --------------------------------------------------------------------------- programme status


def status_document(session: Session, *, program_id: int | None, generated_by: str, today: date,
                    now: datetime | None = None) -> Document:
    """Programme status: allocation, execution by month, hires, crowdsourcing, delivery (aggregated)."""
    from budgeting import analytics
    from budgeting import queries as bq

    program = _program(session, program_id)
    pid = program.id
    assert pid is not None
    summary = program_service.program_summary(session, pid)
    frames = analytics.load_frames(session, pid, today)
    fig = analytics.headline_figures(session, pid, frames=frames)
    fields = {f.code: f for f in program_service.list_fields(session)}
    types = {str(t.code): t for t in program_service.list_call_types(session)}
    field_of_award: dict[int, str] = dict(zip(frames.awards["award_id"].tolist(),
                                              frames.awards["field_code"].tolist(), strict=True))

    # --- allocation by call type and by field: budgeting.analytics.execution_rate (one analytics load)
    def grouped(by: str) -> dict[str, tuple[int, int, int, int]]:
        awards = frames.awards
        key = "field_code" if by == "field" else "call_type"
        grants = awards.groupby(key)["grant_krw"].sum().to_dict()
        ex = analytics.execution_by(awards, frames.monthly, by)
        return {str(r[key]): (int(r["awards"]), int(grants.get(r[key], 0)), int(r["budget_krw"]), int(r["spent_krw"]))
                for r in ex.to_dict(orient="records")}

    by_type, by_field = grouped("call_type"), grouped("field")
    zero = (0, 0, 0, 0)
    alloc_cols = [Column("code", "구분 (code)", "text", 1.2), Column("name", "명칭", "text", 2),
                  Column("projects", "과제 수 (공고)", "int"), Column("ceiling", "과제 상한액 합계(원)", "won", 1.6),
                  Column("awards", "협약 수", "int"), Column("grant", f"{g.term('awarded_grant_krw').label_ko}(원)",
                                                            "won", 1.6),
                  Column("budget", f"{g.term('project_budget_krw').label_ko}(원)", "won", 1.6),
                  Column("spent", f"{g.term('executed_total_krw').label_ko}(원)", "won", 1.6),
                  Column("rate", g.term("execution_rate_total").label_ko, "percent", 0.8)]
    type_rows = [(c.code, types[c.code].name_ko if c.code in types else c.name_ko, c.projects, c.ceiling_krw,
                  *by_type.get(c.code, zero), _pct(by_type.get(c.code, zero)[3], by_type.get(c.code, zero)[2]))
                 for c in summary.projects_by_call_type]
    field_rows = [(c.code, c.name_ko, c.projects, c.ceiling_krw, *by_field.get(c.code, zero),
                   _pct(by_field.get(c.code, zero)[3], by_field.get(c.code, zero)[2]))
                  for c in summary.projects_by_field]
    overview_cols = [Column("item", "항목", "text", 2.5), Column("value", "값", "text", 2)]
    funnel = delivery_service.delivery_funnel(session, today=fig.as_of, program_id=pid)
    crowd = bq.crowd_table(session, program_id=pid)
    overview = status_overview_rows(fig)

    # --- execution by month (budgeting.analytics.execution_rate by month, against project budgets)
    month_rows: list[tuple[Any, ...]] = [
        (str(r["month"]), int(r["spent_krw"]), int(r["cumulative_krw"]),
         _pct(int(r["cumulative_krw"]), int(r["budget_krw"])))
        for r in analytics.execution_by(frames.awards, frames.monthly, "month").to_dict(orient="records")]
    month_cols = [Column("month", "월 (month)", "text"), Column("spent", "월 집행액(원)", "won", 1.5),
                  Column("cumulative", "누적 집행액(원)", "won", 1.5),
                  Column("rate", g.term("execution_rate_total").label_ko, "percent")]

    # --- hires against the rule, by field
    hires_by_field: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for h in bq.hires_table(session, program_id=pid):
        b = hires_by_field[field_of_award.get(h.award_id or 0, "?")]
        b[0] += 1
        b[1] += h.grant_krw
        b[2] += h.required
        b[3] += h.counted
        b[4] += h.shortfall
        b[5] += 1 if h.shortfall else 0
    hire_cols = [Column("field", "분야", "text", 1.6), Column("awards", "협약 수", "int"),
                 Column("grant", "정부출연금(원)", "won", 1.6), Column("required", "의무 고용(명)", "int"),
                 Column("counted", "인정 고용(명)", "int"), Column("shortfall", "부족(명)", "int"),
                 Column("short_awards", "미달 과제 수", "int"), Column("rate", "달성률", "percent")]
    hire_rows = [(fields[c].name_ko if c in fields else c, *v, _pct(v[3], v[2])) for c, v in
                 sorted(hires_by_field.items(), key=lambda kv: list(fields).index(kv[0]) if kv[0] in fields else 99)]

    # --- crowdsourcing, by field
    crowd_by_field: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for c in crowd:
        b = crowd_by_field[field_of_award.get(c.award_id, "?")]
        b[0] += c.planned_crowd_payment_krw
        b[1] += c.crowd_paid_krw
        b[2] += c.workers_engaged
        b[3] += c.items_labelled
        b[4] += c.planned_training_hours
        b[5] += c.training_hours
    crowd_cols = [Column("field", "분야", "text", 1.6), Column("planned", "계획 지급액(원)", "won", 1.5),
                  Column("paid", "지급액(원)", "won", 1.5), Column("rate", "이행률", "percent"),
                  Column("workers", "참여 작업자(명)", "int"), Column("items", "가공 건수", "int", 1.2),
                  Column("planned_hours", "계획 교육시간", "int"), Column("hours", "교육시간", "int")]
    crowd_rows = [(fields[c].name_ko if c in fields else c, v[0], v[1], _pct(v[1], v[0]), v[2], v[3], v[4], v[5])
                  for c, v in sorted(crowd_by_field.items(),
                                     key=lambda kv: list(fields).index(kv[0]) if kv[0] in fields else 99)]

    # --- delivery funnel, quality by field, history
    funnel_cols = [Column("stage", "단계", "text"), Column("label", "구분", "text", 1.4),
                   Column("types", "데이터 종 수", "int"), Column("items", "건수", "int", 1.4)]
    funnel_rows = [(s.stage, s.label_ko, s.data_types, s.items) for s in funnel.stages]
    statuses = delivery_service.delivery_statuses(session, today=fig.as_of, program_id=pid)
    q_by_field: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for s in statuses:
        b = q_by_field[s.field_name_ko]
        b[0] += 1
        b[1] += 1 if s.quality_result == "pass" else 0
        b[2] += 1 if s.quality_result in ("conditional", "fail") else 0
        b[3] += 1 if s.quality_state in ("remediation_overdue", "remedied_late") else 0
        b[4] += 1 if s.volume_short else 0
        b[5] += 1 if s.opening_state in ("opened_late", "not_opened_overdue") else 0
    quality_cols = [Column("field", "분야", "text", 1.6), Column("types", "데이터 종", "int"),
                    Column("pass", "품질 적합", "int"), Column("missed", "목표 미달", "int"),
                    Column("not_remedied", "기한 내 미보완", "int"), Column("short", "물량 미달", "int"),
                    Column("late", "개방 지연·미개방", "int")]
    quality_rows = [(k, *v) for k, v in q_by_field.items()]
    history = delivery_service.delivery_history(session)
    hist_cols = [Column("year", "연도", "text"), Column("types", "구축 데이터 종", "int"),
                 Column("cumulative", "누적", "int"), Column("source", "출처", "text")]
    hist_rows = [(str(p.year), p.data_types, p.cumulative, "DB" if p.source == "database" else "참고 (reference)")
                 for p in history.points]

    doc = Document(
        title="사업 현황 보고서 (Programme status)",
        subtitle=f"{program.name_ko} · 기준일 (as of) {fig.as_of.isoformat()}",
        meta=_meta(session, generated_by, program, now, extra=(("기준일 (as of)", fig.as_of.isoformat()),)),
        filename_stem=f"status-{program.year}")
    doc.sections = [
        Section("1. 개요 (Overview)", tables=[Table("overview", "주요 지표", overview_cols, overview)]),
        Section("2. 배분 (Allocation)",
                paragraphs=[f"공모 유형별·분야별 과제와 협약 정부출연금, 총 과제사업비(출연금+민간부담금), 집행액. "
                            f"협약 {fig.projects_awarded}건, 정부출연금 {format_krw(fig.awarded_grant_krw)}, "
                            f"미협약 잔액 {format_krw(fig.unawarded_krw)}."],
                tables=[Table("alloc_call_type", "공모 유형별 배분 (by call type)", alloc_cols, type_rows,
                              total_label="합계"),
                        Table("alloc_field", "분야별 배분 (by core field)", alloc_cols, field_rows,
                                                      total_label="합계")],
                charts=[Chart("bar", "분야별 총 과제사업비와 집행액 (project budgets and spending by field, 원)",
                              [r[1] for r in field_rows],
                              [Series("총 과제사업비", [r[6] for r in field_rows]),
                               Series("집행액", [r[7] for r in field_rows])],
                              table_name="alloc_field", value_keys=("budget", "spent"), category_key="name"),
                        Chart("pie", "공모 유형별 정부출연금 (by call type)", [r[1] for r in type_rows],
                              [Series("정부출연금", [r[5] for r in type_rows])],
                              table_name="alloc_call_type", value_keys=("grant",), category_key="name")]),
        Section("3. 월별 집행 (Execution by month)",
                tables=[Table("execution_month", "월별 집행액 (net of reversals)", month_cols, month_rows,
                              total_label=None)],
                charts=[Chart("bar", "월별 집행액 (원)", [r[0] for r in month_rows],
                              [Series("월 집행액", [r[1] for r in month_rows])],
                              table_name="execution_month", value_keys=("spent",), category_key="month"),
                        Chart("line", "누적 집행액 (원)", [r[0] for r in month_rows],
                              [Series("누적", [r[2] for r in month_rows])],
                              table_name="execution_month", value_keys=("cumulative",), category_key="month")]),
        Section("4. 직접고용 (Direct hires against the rule)",
                paragraphs=[f"정부출연금 1억원당 {program.rules.hires_per_100m_krw}명 (올림). "
                            f"증빙(근로계약·4대보험·급여)이 "
                            f"있는 협약기간 내 직접고용만 인정. 의무 (협약 기준) {fig.hires_required_awards:,}명, "
                            f"의무 (공고 기준) {fig.hires_required_call:,}명, 인정 "
                            f"{fig.hires_counted:,}명, 부족 {fig.hires_shortfall:,}명."],
                tables=[Table("hires", "분야별 직접고용 (by field)", hire_cols, hire_rows, total_label="합계")],
                charts=[Chart("bar", "분야별 의무 대비 인정 고용 (명)", [r[0] for r in hire_rows],
                              [Series("의무", [r[3] for r in hire_rows]), Series("인정", [r[4] for r in hire_rows])],
                              table_name="hires", value_keys=("required", "counted"), category_key="field")]),
        Section("5. 크라우드소싱 (Crowdsourcing and training)",
                tables=[Table("crowd", "분야별 크라우드소싱 지급·교육 (by field)", crowd_cols, crowd_rows,
                              total_label="합계")],
                charts=[Chart("bar", "분야별 계획 대비 크라우드소싱 지급액 (원)", [r[0] for r in crowd_rows],
                              [Series("계획", [r[1] for r in crowd_rows]), Series("지급", [r[2] for r in crowd_rows])],
                              table_name="crowd", value_keys=("planned", "paid"), category_key="field")]),
        Section("6. 산출물 (Delivery: contracted → built → verified → opened)",
                paragraphs=[f"품질검증(TTA) 결과와 AI Hub 개방 현황, 기준일 {fig.as_of.isoformat()}. 누적 목표: "
                            f"{history.goal_year}년까지 {history.goal_data_types:,}종."],
                tables=[Table("funnel", "산출물 단계별 현황 (delivery funnel)", funnel_cols, funnel_rows),
                        Table("quality", "분야별 품질·개방 (quality and opening by field)", quality_cols,
                              quality_rows, total_label="합계"),
                        Table("history", "연도별 누적 구축 (cumulative history)", hist_cols, hist_rows)],
                charts=[Chart("bar", "산출물 단계 (데이터 종)", [r[1] for r in funnel_rows],
                              [Series("데이터 종", [r[2] for r in funnel_rows])],
                              table_name="funnel", value_keys=("types",), category_key="label"),
                        Chart("line", f"누적 구축 데이터 종 (목표 {history.goal_data_types:,})",
                              [r[0] for r in hist_rows] + [f"{history.goal_year} 목표"],
                              [Series("누적", [r[2] for r in hist_rows] + [hist_rows[-1][2] if hist_rows else 0]),
                               Series("목표", [history.goal_data_types] * (len(hist_rows) + 1))],
                              table_name="history", value_keys=("cumulative",), category_key="year")]),
    ]
    return doc


# --------------------------------------------------------------------------- evaluation result


def evaluation_document(session: Session, *, project_id: int, generated_by: str,
                        now: datetime | None = None) -> Document:
    """Evaluation result of one project (from scoring.results.project_result), evaluators anonymised."""
    from scoring import results

    r = results.project_result(session, project_id)
    project = program_service.get_project(session, project_id)
    program = program_service.get_program(session, project.program_id)
    summary_cols = [Column("rank", "순위", "id", 0.5), Column("proposal", "제안서", "id", 0.6),
                    Column("consortium", "컨소시엄 (주관기관)", "text", 2.6),
                    Column("requested", "신청 출연금(원)", "won", 1.3),
                                                Column("panel", "평가점수 (절사평균)", "decimal", 1),
                    Column("bonus", "가점", "decimal", 0.6), Column("final", "최종점수", "decimal", 0.8),
                    Column("outcome", "결과", "text", 1), Column("recommended", "권고 출연금(원)", "won", 1.3)]
    summary_rows = [(p.rank, p.proposal_id, f"{p.consortium_name} ({p.lead_org_name})", p.requested_grant_krw,
                     p.panel_score, p.bonus.total, p.final_score, str(p.outcome), p.recommended_grant_krw)
                    for p in r.proposals]
    rubric = _rubric(session, project.program_id, project_id)
    names = {c.code: (c.name_ko, c.max_points) for c in rubric.criteria} if rubric else {}
    bonus_names = {b.code: b.name_ko for b in rubric.bonus_items} if rubric else {}
    criteria = [c for c in names if any(c in p.criterion_means for p in r.proposals)] + sorted(
        {k for p in r.proposals for k in p.criterion_means} - set(names))
    crit_cols = [Column("criterion", "평가항목", "text", 3), Column("max", "배점", "decimal", 0.6),
                 *[Column(f"p{p.proposal_id}", f"제안서 #{p.proposal_id}", "decimal", 1) for p in r.proposals]]
    crit_rows = [(names.get(c, (c, None))[0], names.get(c, (c, None))[1],
                  *[p.criterion_means.get(c) for p in r.proposals]) for c in criteria]
    codes = sorted({s.evaluator_code for p in r.proposals for s in p.sheets})
    sheet_cols = [Column("proposal", "제안서", "id", 0.6),
                  *[Column(c, f"{c}", "text", 0.8) for c in codes]]
    sheet_rows = []
    for p in r.proposals:
        by_code = {s.evaluator_code: s for s in p.sheets}
        sheet_rows.append((p.proposal_id, *[
            "" if c not in by_code else f"{by_code[c].total:.2f}" + (" (절사)" if by_code[c].trimmed else "")
            + (" (제외)" if by_code[c].excluded else "") for c in codes]))
    bonus_items = sorted({k for p in r.proposals for k in p.bonus.items})
    bonus_cols = [Column("proposal", "제안서", "id", 0.6),
                  *[Column(b, bonus_names.get(b, b), "decimal", 1.5) for b in bonus_items],
                  Column("total", "가점 합계 (상한 적용)", "decimal", 1)]
    bonus_rows = [(p.proposal_id, *[p.bonus.items.get(b) for b in bonus_items], p.bonus.total) for p in r.proposals]
    confirmation = [("결과 (outcome)", str(r.outcome)),
                    ("선정 제안서 (selected proposal)", str(r.selected_proposal_id or "–")),
                    ("확정자 (confirmed by)", r.confirmed_by or "–"),
                    ("확정 시각 (confirmed at, UTC)", r.confirmed_at.strftime("%Y-%m-%d %H:%M") if r.confirmed_at
                     else "–"),
                    ("순위 이탈 사유 (override reason)", r.override_reason or "–")]
    flagged = [(f.sheet_id, f.proposal_id, f.evaluator_code, f.reason) for f in r.flagged_sheets]
    doc = Document(
        title="평가 결과 보고서 (Evaluation result)",
        subtitle=f"{r.project_code} {r.title_ko}",
        meta=_meta(session, generated_by, program, now, extra=(("과제 (project)", f"{r.project_code} {r.title_ko}"),)),
        filename_stem=f"evaluation-{r.project_code}")
    rules = program.rules
    doc.sections = [
        Section("1. 종합 (Ranking and outcome)",
                paragraphs=[f"평가위원은 익명 코드(E01…)로 표시합니다. "
                            f"평가위원이 {rules.trim_from_sheets}명 이상이면 최고·최저 "
                            f"점수를 제외한 평균, 가점 상한 {rules.bonus_cap}점, 선정 기준 {rules.pass_threshold}점."],
                tables=[Table("ranking", "제안서별 점수와 순위", summary_cols, summary_rows),
                        Table("confirmation", "선정 확정 (confirmation)",
                              [Column("item", "항목", "text", 1.5), Column("value", "값", "text", 3)], confirmation)],
                charts=[Chart("bar", "제안서별 최종점수", [f"#{p.proposal_id}" for p in r.proposals],
                              [Series("최종점수", [float(p.final_score or 0) for p in r.proposals])])]),
        Section("2. 평가위원별 총점 (Sheet totals by evaluator)",
                tables=[Table("sheets", "평가위원별 총점 (절사: 최고·최저 제외)", sheet_cols, sheet_rows)]),
        Section("3. 평가항목별 평균 (Criterion means)",
                tables=[Table("criteria", "평가항목별 평균 점수", crit_cols, crit_rows)]),
        Section("4. 가점 (Bonus points)", tables=[Table("bonus", "가점 내역", bonus_cols, bonus_rows)]),
    ]
    if flagged:
        doc.sections.append(Section("5. 확인 필요 평가표 (Flagged sheets)", tables=[Table(
            "flagged", "이해충돌·이상치 등", [Column("sheet", "평가표", "id"), Column("proposal", "제안서", "id"),
                                        Column("code", "평가위원", "text"), Column("reason", "사유", "text", 4)],
            flagged)]))
    return doc


def _rubric(session: Session, program_id: int, project_id: int) -> Any:
    """The project's rubric (criterion and bonus names), or None when it has none."""
    from core.errors import NotFound
    from scoring import service as scoring_service

    code = program_service.project_read(session, project_id).call_type_code
    try:
        return scoring_service.get_rubric(session, program_id, code or "designated")
    except NotFound:
        return None


# --------------------------------------------------------------------------- compliance audit


def _evidence_text(e: dict[str, Any]) -> str:
    return "; ".join(f"{k}={v.isoformat() if isinstance(v, date) else v}" for k, v in e.items())


def compliance_document(session: Session, *, program_id: int | None, generated_by: str, today: date,
                        workbook: bool, now: datetime | None = None, progress: Progress | None = None,
                        evidence_per_finding: int = 20) -> Document:
    """Compliance audit: findings by severity with their evidence; the workbook adds the underlying data.

    `workbook=True` adds the sheets of awards, budget lines, the ledger (streamed in chunks),
    hires, crowdsourcing, deliveries and the audit log. `program_id=None`: every programme.
    """
    from compliance import service as compliance_service

    programs = ([program_service.get_program(session, program_id)] if program_id is not None
                else list(program_service.list_programs(session)))
    pids = [p.id for p in programs if p.id is not None]
    program = programs[0] if len(programs) == 1 else None
    scope = (program.name_ko if program else
             f"전체 사업 (all programmes {programs[0].year}–{programs[-1].year})" if programs else "")
    report = compliance_service.run_checks(session, today=today, program_id=program_id)
    checks = {c.id: c for c in compliance_service.list_checks()}
    status_cols = [Column("check", "점검 ID", "text", 0.7), Column("title", "점검 항목", "text", 3),
                   Column("severity", "심각도", "text", 1), Column("status", "상태", "text", 0.8),
                   Column("findings", "지적 건수", "int", 0.7), Column("rule", "기준 (rule)", "text", 4)]
    status_rows = [(o.check_id, f"{checks[o.check_id].title_ko} ({checks[o.check_id].title_en})",
                    SEVERITY_LABELS[str(checks[o.check_id].severity)], o.status, o.findings,
                    checks[o.check_id].rule + (f" [{o.detail}]" if o.detail else "")) for o in report.checks]
    finding_cols = [Column("severity", "심각도", "text", 0.9), Column("check", "점검 ID", "text", 0.7),
                    Column("title", "점검 항목", "text", 2), Column("subject", "대상", "text", 1.3),
                    Column("award", "협약", "id", 0.5), Column("project", "과제", "text", 1.7),
                    Column("amount", "금액(원)", "won", 1.1), Column("message", "내용", "text", 4)]
    finding_rows = [(SEVERITY_LABELS[str(f.severity)], f.check_id, f.title_ko, f.subject, f.award_id,
                     f.project_code or "", f.amount_krw, f.message) for f in report.findings]
    ev_cols = [Column("check", "점검 ID", "text", 0.7), Column("subject", "대상", "text", 1.4),
               Column("award", "협약", "id", 0.5), Column("evidence", "증거 (evidence)", "text", 7)]

    def evidence_rows(limit: int | None) -> list[tuple[Any, ...]]:
        rows = []
        for f in report.findings:
            for e in f.evidence[:limit]:
                rows.append((f.check_id, f.subject, f.award_id, _evidence_text(e)))
        return rows

    counts = report.counts
    doc = Document(
        title="감사 점검 보고서 (Compliance audit)",
        subtitle=f"{scope} · 기준일 {today.isoformat()}",
        meta=_meta(session, generated_by, program, now,
                   extra=(("범위 (scope)", scope),
                          ("지적 건수 (findings)", f"중대 {counts['high']} · 주의 {counts['medium']} · "
                                                 f"참고 {counts['low']} · 계 {report.total}"))),
        filename_stem=f"compliance-{program.year}" if program else "compliance-all")
    doc.sections = [
        Section("1. 요약 (Summary)",
                paragraphs=[f"점검 {len(report.checks)}개 항목, 지적 {report.total}건 (중대 {counts['high']}, "
                            f"주의 {counts['medium']}, 참고 {counts['low']}). 기준일 {today.isoformat()}."],
                tables=[Table("checks", "점검 항목별 결과 (checks)", status_cols, status_rows)],
                charts=[Chart("pie", "심각도별 지적 건수", [SEVERITY_LABELS[k] for k in counts],
                              [Series("건수", list(counts.values()))])]),
    ]
    if not workbook:
        for sev in ("high", "medium", "low"):
            rows = [r for r, f in zip(finding_rows, report.findings, strict=True) if f.severity == sev]
            if not rows:
                continue
            sev_findings = [f for f in report.findings if f.severity == sev]
            ev = [(f.check_id, f.subject, f.award_id, _evidence_text(e))
                  for f in sev_findings for e in f.evidence[:evidence_per_finding]]
            doc.sections.append(Section(
                f"지적 사항: {SEVERITY_LABELS[sev]}",
                tables=[Table(f"findings_{sev}", f"지적 사항 ({len(rows)}건)", finding_cols, rows),
                        Table(f"evidence_{sev}", f"증거 (finding당 최대 {evidence_per_finding}행)", ev_cols, ev)]))
        return doc

    doc.sections.append(Section("2. 지적 사항 (Findings)", tables=[
        Table("findings", "지적 사항 (findings)", finding_cols, finding_rows),
        Table("evidence", "증거 (evidence rows)", ev_cols, evidence_rows(None))]))
    doc.sections.append(Section("3. 근거 자료 (Data)", tables=_data_tables(session, pids, today, progress)))
    return doc


def _data_tables(session: Session, pids: list[int], today: date, progress: Progress | None) -> list[Table]:
    """The data behind the findings, programme after programme; the ledger and hires are streamed."""
    from budgeting import queries as bq
    from compliance import queries

    awards = [a for pid in pids for a in _all_awards(session, pid)]
    award_cols = [Column("id", "협약 ID", "id"), Column("project", "과제 코드", "text"),
                  Column("title", "과제명", "text", 2), Column("field", "분야", "text"),
                  Column("call_type", "공모 유형", "text"), Column("consortium", "컨소시엄", "text", 2),
                  Column("grant", "정부출연금(원)", "won"), Column("matching", "민간부담금(원)", "won"),
                  Column("budget", "예산(원)", "won"), Column("spent", "집행액(원)", "won"),
                  Column("remaining", "잔액(원)", "won"), Column("rate", "집행률", "percent"),
                  Column("start", "협약 시작", "date"), Column("end", "협약 종료(연장 포함)", "date"),
                  Column("status", "상태", "text")]
    award_rows = [(a.id, a.project_code, a.project_title, a.field_code, a.call_type_code, a.consortium_name,
                   a.grant_krw, a.matching_krw, a.budget_krw, a.spent_krw, a.remaining_krw, a.execution_rate,
                   a.start_date, a.current_end_date, str(a.status)) for a in awards]
    code_of = {a.id: a.project_code for a in awards}

    line_cols = [Column("line", "비목 ID", "id"), Column("award", "협약 ID", "id"),
                                                       Column("project", "과제 코드", "text"),
                 Column("category", "비목", "text"), Column("budget", "예산(원)", "won"),
                 Column("spent", "집행액(원)", "won"), Column("remaining", "잔액(원)", "won"),
                 Column("rate", "집행률", "percent")]
    line_rows = [(lid, aid, code_of.get(aid, ""), cat, b, s, b - s, _pct(s, b))
                 for pid in pids for aid, lines in sorted(queries.line_spend(session, pid).items())
                 for cat, (lid, b, s) in lines.items()]

    ledger_cols = [Column("id", "전표 ID", "id"), Column("award", "협약 ID", "id"),
                                                       Column("project", "과제 코드", "text"),
                   Column("category", "비목", "text"), Column("date", "집행일", "date"),
                   Column("amount", "금액(원)", "won"), Column("payee", "지급처", "text", 2),
                   Column("payee_bn", "사업자등록번호", "text"), Column("description", "적요", "text", 2),
                   Column("evidence", "증빙", "text"), Column("reverses", "취소 대상 전표", "id")]
    n_ledger = sum(queries.ledger_count(session, pid) for pid in pids)

    def ledger_rows() -> Iterator[tuple[Any, ...]]:
        for chunk in (c for pid in pids for c in bq.iter_ledger_chunks(session, pid, LEDGER_CHUNK)):
            for r in chunk:
                yield (r[0], r[1], r[2], str(r[3]), *r[4:])

    def report_ledger(n: int) -> None:
        if progress:
            progress("ledger", n, n_ledger)

    hire_cols = [Column("id", "고용 ID", "id"), Column("award", "협약 ID", "id"), Column("person", "인원 키", "text"),
                 Column("org", "소속기관 ID", "id"), Column("role", "직무", "text"),
                                                        Column("type", "고용 형태", "text"),
                 Column("start", "계약 시작", "date"), Column("end", "계약 종료", "date"),
                 Column("full_time", "전일제", "text"), Column("insurance", "4대보험", "text"),
                 Column("contract_ev", "근로계약 증빙", "text"), Column("insurance_ev", "보험 증빙", "text"),
                 Column("payroll_ev", "급여 증빙", "text"), Column("counts", "인정", "text"),
                 Column("lacks", "증빙 미비", "text")]

    def hire_rows() -> Iterator[tuple[Any, ...]]:
        for a in awards:
            for h in bq.list_hires(session, a.id):
                yield (h.id, h.award_id, h.person_key, h.org_id, h.job_role, str(h.employment_type),
                       h.contract_start, h.contract_end, "Y" if h.full_time else "N",
                       "Y" if h.social_insurance else "N", h.evidence_contract, h.evidence_insurance,
                       h.evidence_payroll, "Y" if h.counts else "N", "Y" if h.lacks_evidence else "N")

    hc = {h.award_id: h for pid in pids for h in bq.hires_table(session, program_id=pid)}
    crowd_cols = [Column("award", "협약 ID", "id"), Column("project", "과제 코드", "text"),
                  Column("planned_pay", "계획 크라우드 지급(원)", "won"), Column("paid", "지급액(원)", "won"),
                  Column("share", "출연금 대비", "percent"), Column("planned_workers", "계획 작업자", "int"),
                  Column("workers", "참여 작업자", "int"), Column("items", "가공 건수", "int"),
                  Column("planned_hours", "계획 교육시간", "int"), Column("hours", "교육시간", "int"),
                  Column("sessions", "교육 횟수", "int"), Column("required_hires", "의무 고용", "int"),
                  Column("counted_hires", "인정 고용", "int")]
    crowd_rows = [(c.award_id, code_of.get(c.award_id, ""), c.planned_crowd_payment_krw, c.crowd_paid_krw,
                   c.crowd_share_of_grant, c.planned_crowd_workers, c.workers_engaged, c.items_labelled,
                   c.planned_training_hours, c.training_hours, c.training_sessions,
                   hc[c.award_id].required if c.award_id in hc else None,
                   hc[c.award_id].counted if c.award_id in hc else None)
                  for pid in pids for c in bq.crowd_table(session, program_id=pid)]
    dl_cols = [Column("data_type", "데이터 ID", "id"), Column("name", "데이터명", "text", 2),
               Column("project", "과제 코드", "text"), Column("field", "분야", "text"),
               Column("contracted", "계약 물량", "int"), Column("built", "구축 물량", "int"),
               Column("ratio", "달성률", "percent"), Column("result", "품질검증 결과", "text"),
               Column("verified", "검증일", "date"), Column("semantic_target", "의미정확성 목표(%)", "decimal"),
               Column("semantic", "의미정확성(%)", "decimal"), Column("due", "보완 기한", "date"),
               Column("remedied", "보완일", "date"), Column("quality_state", "품질 상태", "text"),
               Column("open_due", "개방 기한", "date"), Column("opened", "개방일", "date"),
               Column("opening_state", "개방 상태", "text")]
    dl_rows = [(s.data_type_id, s.data_type_name, s.project_code, s.field_name_ko, s.contracted_volume,
                s.built_volume, s.delivered_ratio, QUALITY_LABELS.get(str(s.quality_result), "") if s.quality_result
                else "", s.verified_date, s.semantic_target_pct, s.semantic_measured_pct, s.remediation_due_date,
                s.remedied_date, s.quality_state, s.open_due_date, s.opened_date, s.opening_state)
               for pid in pids for s in delivery_service.delivery_statuses(session, today=today, program_id=pid)]
    audit_cols = [Column("id", "이벤트 ID", "id"), Column("at", "시각 (UTC)", "text"),
                                                                  Column("actor", "행위자", "text"),
                  Column("action", "행위", "text"), Column("entity", "대상", "text"),
                  Column("entity_id", "대상 ID", "text"), Column("reason", "사유", "text", 2),
                  Column("hash", "해시", "text", 3)]

    def audit_rows() -> Iterator[tuple[Any, ...]]:
        for chunk in queries.iter_audit_events(session):
            for ev_id, at, actor, action, etype, eid, reason, digest in chunk:
                yield (ev_id, at.strftime("%Y-%m-%d %H:%M:%S") if at else "", actor, action, etype, eid, reason,
                       digest)

    return [
        Table("awards", "협약 (awards)", award_cols, award_rows, total_label="합계"),
        Table("budget_lines", "비목별 예산·집행 (budget lines)", line_cols, line_rows, total_label="합계"),
        Table("ledger", "집행 원장 (ledger)", ledger_cols, ledger_rows(), total_label="합계", row_count=n_ledger,
              progress=report_ledger),
        Table("hires", "고용 (hires)", hire_cols, hire_rows()),
        Table("crowdsourcing", "크라우드소싱·교육 (crowdsourcing)", crowd_cols, crowd_rows, total_label="합계"),
        Table("deliveries", "산출물 (deliveries)", dl_cols, dl_rows, total_label="합계"),
        Table("audit_log", "감사 로그 (audit log)", audit_cols, audit_rows()),
    ]
