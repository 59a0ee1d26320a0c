"""The evaluation result report of one project (평가 결과 보고서), shaped from `scoring.results`.

Scores, ranks, outcomes and the departure of a selection from the ranking all come from the
scoring domain (`project_result`, `selections_departing_from_ranking`); the threshold and the
trimming rule are the programme's rules. Evaluators appear by their anonymous panel codes;
proposals by their consortium lead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.db import Session
from core.i18n import Lang
from program import service as program_service
from reports.document import Chart, Column, Document, Section, Series, Table, format_timestamp
from reports.labels import Words, label
from reports.metadata import report_metadata

OUTCOME_COLORS = {
    "selected": "#2f5597",
    "reserve": "#70ad47",
    "not_selected": "#a5a5a5",
    "ineligible": "#c00000",
    "re-announce": "#ffc000",
    "pending": "#d9d9d9",
}
FLAG_REASONS = {  # scoring's flag reasons → the report's words (until scoring renders them per language)
    "evaluator in conflict of interest: sheet excluded": (
        "이해충돌 평가위원: 평가표 제외",
        "evaluator in conflict of interest: sheet excluded",
    ),
}


def _rubric(session: Session, program_id: int, project_id: int) -> Any:
    """The project's rubric (criterion and bonus names), or None when it has none."""
    from core.errors import NotFound
    from scoring import service as scoring_service

    code = program_service.project_read(session, project_id).call_type_code
    try:
        return scoring_service.get_rubric(session, program_id, code or "designated")
    except NotFound:
        return None


def proposal_name(p: Any) -> str:
    """A proposal as people know it: its consortium lead (and the consortium when it differs)."""
    lead = p.lead_org_name or p.consortium_name
    return lead if not p.consortium_name or p.consortium_name == lead else f"{lead} ({p.consortium_name})"


def evaluation_document(
    session: Session, *, project_id: int, generated_by: str, now: datetime | None = None, lang: Lang = "ko"
) -> Document:
    """Evaluation result of one project (from scoring.results.project_result), evaluators anonymised."""
    from scoring import results

    w = Words(lang)
    r = results.project_result(session, project_id)
    project = program_service.get_project(session, project_id)
    program = program_service.get_program(session, project.program_id)
    rules = program.rules
    threshold = float(rules.pass_threshold)
    names = {p.proposal_id: proposal_name(p) for p in r.proposals}
    short = {p.proposal_id: p.lead_org_name or p.consortium_name for p in r.proposals}

    summary_cols = [
        Column("rank", w("순위", "Rank"), "id", 0.5),
        Column("proposal", w("제안서 (주관기관)", "Proposal (lead)"), "text", 2.8),
        Column("requested", w("신청 출연금(원)", "Requested grant (KRW)"), "won", 1.3),
        Column("panel", w("평가점수 (절사평균)", "Panel score (trimmed mean)"), "decimal", 1),
        Column("bonus", w("가점", "Bonus"), "decimal", 0.6),
        Column("final", w("최종점수", "Final score"), "decimal", 0.8),
        Column("outcome", w("결과", "Outcome"), "text", 1),
        Column("recommended", w("권고 출연금(원)", "Recommended grant (KRW)"), "won", 1.3),
    ]
    summary_rows = [
        (
            p.rank,
            names[p.proposal_id],
            p.requested_grant_krw,
            p.panel_score,
            p.bonus.total,
            p.final_score,
            label("outcome", p.outcome, lang),
            p.recommended_grant_krw,
        )
        for p in r.proposals
    ]
    rubric = _rubric(session, project.program_id, project_id)

    def name_of(item: Any) -> str:
        return item.name_ko if lang == "ko" else (item.name_en or item.name_ko)

    crit_names = {c.code: (name_of(c), c.max_points) for c in rubric.criteria} if rubric else {}
    bonus_names = {b.code: name_of(b) for b in rubric.bonus_items} if rubric else {}
    criteria = [c for c in crit_names if any(c in p.criterion_means for p in r.proposals)] + sorted(
        {k for p in r.proposals for k in p.criterion_means} - set(crit_names)
    )
    crit_cols = [
        Column("criterion", w("평가항목", "Criterion"), "text", 3),
        Column("max", w("배점", "Points"), "decimal", 0.6),
        *[Column(f"p{p.proposal_id}", short[p.proposal_id], "decimal", 1) for p in r.proposals],
    ]
    crit_rows = [
        (
            crit_names.get(c, (w("기타 항목", "other criterion"), None))[0],
            crit_names.get(c, ("", None))[1],
            *[p.criterion_means.get(c) for p in r.proposals],
        )
        for c in criteria
    ]
    codes = sorted({s.evaluator_code for p in r.proposals for s in p.sheets})
    sheet_cols = [Column("proposal", w("제안서", "Proposal"), "text", 2), *[Column(c, c, "text", 0.8) for c in codes]]
    sheet_rows = []
    for p in r.proposals:
        by_code = {s.evaluator_code: s for s in p.sheets}
        sheet_rows.append(
            (
                short[p.proposal_id],
                *[
                    ""
                    if c not in by_code
                    else f"{by_code[c].total:.2f}"
                    + (w(" (절사)", " (trimmed)") if by_code[c].trimmed else "")
                    + (w(" (제외)", " (excluded)") if by_code[c].excluded else "")
                    for c in codes
                ],
            )
        )
    bonus_items = sorted({k for p in r.proposals for k in p.bonus.items})
    bonus_cols = [
        Column("proposal", w("제안서", "Proposal"), "text", 2),
        *[Column(b, bonus_names.get(b, w("기타 가점", "other bonus")), "decimal", 1.5) for b in bonus_items],
        Column("total", w("가점 합계 (상한 적용)", "Bonus total (capped)"), "decimal", 1),
    ]
    bonus_rows = [
        (short[p.proposal_id], *[p.bonus.items.get(b) for b in bonus_items], p.bonus.total) for p in r.proposals
    ]

    # a selection that departs from the ranking (not rank 1, or below the threshold): scoring says which and why
    departure = next(
        (
            d
            for d in results.selections_departing_from_ranking(session, project.program_id)
            if d["project_id"] == project_id
        ),
        None,
    )
    warnings: list[str] = []
    if departure is not None:
        why = (
            w("순위 1위가 아닌 제안서 선정", "a proposal other than rank 1 selected")
            if departure["rank"] != 1
            else w("선정 기준 점수 미달", "below the pass threshold")
        )
        if departure["has_reason"]:
            warnings.append(
                w(
                    f"※ 순위와 다른 선정: {why} (순위 {departure['rank'] or '–'}). 사유: "
                    f"{departure['override_reason']}",
                    f"※ Selection departs from the ranking: {why} (rank {departure['rank'] or '–'}). "
                    f"Reason: {departure['override_reason']}",
                )
            )
        else:
            warnings.append(
                w(
                    f"※ 경고: 순위와 다른 선정({why}, 순위 {departure['rank'] or '–'})에 사유가 기록되지 않았습니다.",
                    f"※ Warning: the selection departs from the ranking ({why}, rank "
                    f"{departure['rank'] or '–'}) and no reason is recorded.",
                )
            )
    selected = names.get(r.selected_proposal_id or 0, "–")
    confirmation = [
        (w("결과", "Outcome"), label("outcome", r.outcome, lang)),
        (w("선정 제안서", "Selected proposal"), selected),
        (w("확정자", "Confirmed by"), r.confirmed_by or "–"),
        (w("확정 시각", "Confirmed at"), format_timestamp(r.confirmed_at, lang) if r.confirmed_at else "–"),
        (
            w("순위 이탈 여부", "Departs from the ranking"),
            (w("예", "yes") if departure else w("아니오", "no")) if r.selected_proposal_id else "–",
        ),
        (
            w("순위 이탈 사유", "Reason for departing"),
            r.override_reason or (w("※ 사유 미기재", "※ no reason recorded") if departure else "–"),
        ),
    ]
    flagged = [
        (
            short.get(f.proposal_id, "–"),
            f.evaluator_code,
            (FLAG_REASONS[f.reason][0 if lang == "ko" else 1] if f.reason in FLAG_REASONS else f.reason),
        )
        for f in r.flagged_sheets
    ]
    title = f"{r.project_code} {r.title_ko}"
    doc = Document(
        title=w("평가 결과 보고서", "Evaluation result report"),
        subtitle=title,
        meta=report_metadata(session, generated_by, program, now, extra=((w("과제", "Project"), title),), lang=lang),
        filename_stem=f"evaluation-{r.project_code}",
        lang=lang,
    )
    threshold_label = w(f"선정 기준 {threshold:g}점", f"pass threshold {threshold:g}")
    doc.sections = [
        Section(
            w("1. 종합", "1. Ranking and outcome"),
            paragraphs=[
                w(
                    f"평가위원은 익명 코드(E01…)로 표시합니다. "
                    f"평가위원이 {rules.trim_from_sheets}명 이상이면 최고·최저 점수를 제외한 평균, "
                    f"가점 상한 {rules.bonus_cap}점, 선정 기준 {threshold:g}점.",
                    f"Evaluators appear by anonymous codes (E01…). With {rules.trim_from_sheets} or more "
                    f"sheets the highest and lowest totals are dropped; bonus capped at {rules.bonus_cap}; "
                    f"pass threshold {threshold:g}.",
                ),
                *warnings,
            ],
            tables=[
                Table(
                    "ranking",
                    w("제안서별 점수와 순위", "Scores and ranking"),
                    summary_cols,
                    summary_rows,
                    sheet=w("순위", "Ranking"),
                ),
                Table(
                    "confirmation",
                    w("선정 확정", "Confirmation"),
                    [Column("item", w("항목", "Item"), "text", 1.5), Column("value", w("값", "Value"), "text", 3)],
                    confirmation,
                    sheet=w("선정 확정", "Confirmation"),
                ),
            ],
            charts=[
                Chart(
                    "bar",
                    w("제안서별 최종점수", "Final score by proposal"),
                    [short[p.proposal_id] for p in r.proposals],
                    [Series(w("최종점수", "Final score"), [float(p.final_score or 0) for p in r.proposals])],
                    y_label=w("점수", "Score"),
                    y_unit="score",
                    y_max=100,
                    reference_lines=((threshold, threshold_label),),
                    value_labels=True,
                    bar_colors=[OUTCOME_COLORS.get(str(p.outcome), "#a5a5a5") for p in r.proposals],
                    legend_items=[
                        (OUTCOME_COLORS.get(o, "#a5a5a5"), label("outcome", o, lang))
                        for o in dict.fromkeys(str(p.outcome) for p in r.proposals)
                    ],
                )
            ],
        ),
        Section(
            w("2. 평가위원별 총점", "2. Sheet totals by evaluator"),
            tables=[
                Table(
                    "sheets",
                    w("평가위원별 총점 (절사: 최고·최저 제외)", "Sheet totals (trimmed: highest and lowest)"),
                    sheet_cols,
                    sheet_rows,
                    sheet=w("평가위원별 총점", "Sheet totals"),
                )
            ],
        ),
        Section(
            w("3. 평가항목별 평균", "3. Criterion means"),
            tables=[
                Table(
                    "criteria",
                    w("평가항목별 평균 점수", "Mean score by criterion"),
                    crit_cols,
                    crit_rows,
                    sheet=w("평가항목별 평균", "Criterion means"),
                )
            ],
        ),
        Section(
            w("4. 가점", "4. Bonus points"),
            tables=[Table("bonus", w("가점 내역", "Bonus points"), bonus_cols, bonus_rows, sheet=w("가점", "Bonus"))],
        ),
    ]
    if flagged:
        doc.sections.append(
            Section(
                w("5. 확인 필요 평가표", "5. Flagged sheets"),
                tables=[
                    Table(
                        "flagged",
                        w("이해충돌·이상치 등", "Conflicts of interest and outliers"),
                        [
                            Column("proposal", w("제안서", "Proposal"), "text", 2),
                            Column("code", w("평가위원", "Evaluator"), "text"),
                            Column("reason", w("사유", "Reason"), "text", 4),
                        ],
                        flagged,
                        sheet=w("확인 필요", "Flagged"),
                    )
                ],
            )
        )
    return doc
