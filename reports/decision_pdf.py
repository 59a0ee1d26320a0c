"""The decision package and the what-if comparison as documents, and as PDF with a sign-off page.

Rows come from decisions.package / decisions.service (the same functions as the evaluation
page); the body is rendered by the house renderer (reports.pdf.render_pdf: embedded Hangul
font, repeated headers, the house footer); the sign-off page (담당 · 검토 · 승인 with name, date
and signature boxes) is drawn here with the same embedded font and appended. No database, no
paths: the caller passes the metadata (audit hash, who, when) and gets bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from pypdf import PdfReader, PdfWriter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as RLTable

from core.money import format_krw
from decisions.models import WhatIfResult
from decisions.package import DecisionPackage
from reports.document import Column, Document, Metadata, Section, Table, visible_text
from reports.pdf import FONT, FONT_BOLD, register_fonts, render_pdf

OUTCOMES = {"selected": "선정", "reserve": "예비", "not_selected": "미선정", "ineligible": "부적격",
            "re-announce": "재공고", "pending": "평가 중"}
FUNDING = {"funded": "지원", "envelope_exhausted": "지원선 아래(재원 소진)", "none": "–"}
SOURCES = {"membership": "소속 기관 참여", "employment": "최근 3년 재직", "declared": "본인 신고",
           "cleared": "해소(승인)"}
SIGNERS = ("담당", "검토", "승인")


def _outcome(code: str | None) -> str:
    return OUTCOMES.get(code or "", code or "–")


def _yes(flag: bool) -> str:
    return "예" if flag else "아니오"


# --------------------------------------------------------------------------- the decision package


def package_document(pkg: DecisionPackage, meta: Metadata) -> Document:
    """The decision package as a Document (shared by the PDF and the workbook)."""
    env_names = {e.code: e.name_ko for e in pkg.envelopes}
    scope = f"{pkg.call_type_name}" + (f" · 과제 {pkg.projects[0].project_code}" if pkg.project_id and pkg.projects
                                       else "")
    unflagged = sum(1 for d in pkg.departures if not d.has_reason)
    summary = [
        f"선정 기준 {pkg.pass_threshold}점, 평가위원 {pkg.trim_from_sheets}명 이상이면 최고·최저 점수 제외 평균, "
        f"가점 상한 {pkg.bonus_cap}점, 의무 고용 출연금 1억원당 {pkg.hires_per_100m_krw}명.",
        f"선정 과제 {pkg.selected_projects:,}개, 권고 출연금 합계 {format_krw(pkg.recommended_total_krw, 'won')} "
        f"({format_krw(pkg.recommended_total_krw, 'eok')}), 의무 직접고용 {pkg.required_hires_total:,}명.",
        f"순위 이탈 {len(pkg.departures):,}건"
        + (f" — 이 중 사유 없는 이탈 {unflagged:,}건은 확정 전 사유가 필요합니다." if unflagged else "."),
    ]
    envelopes = Table("재원", "재원(봉투)별 배정액과 선정 후 잔액", [
        Column("name", "재원", "text", 2.6),
        Column("amount", "배정액(원)", "won", 1.4), Column("awarded", "기협약액(원)", "won", 1.4),
        Column("recommended", "권고 출연금 합계(원)", "won", 1.4), Column("after", "선정 후 잔액(원)", "won", 1.4)],
        [(e.name_ko, e.amount_krw, e.awarded_krw, e.recommended_krw, e.after_krw) for e in pkg.envelopes],
        total_label="합계")
    projects = Table("과제별 결과", "과제별 선정 결과와 권고 출연금", [
        Column("code", "과제 코드", "text", 1.45), Column("title", "과제명", "text", 2.4),
        Column("env", "재원", "text", 1.6), Column("outcome", "결과", "text", 0.7),
        Column("confirmed", "확정", "text", 0.6), Column("proposal", "선정 제안서", "id", 0.8),
        Column("consortium", "컨소시엄", "text", 2.2), Column("final", "최종점수", "decimal", 0.8),
        Column("grant", "권고 출연금(원)", "won", 1.3), Column("hires", "의무 고용(명)", "int", 0.8)],
        [(p.project_code, p.title_ko, env_names.get(p.envelope_code or "", "–"), _outcome(p.outcome), _yes(p.confirmed),
          p.selected_proposal_id, p.selected_consortium or "–", p.final_score, p.recommended_grant_krw,
          p.required_hires) for p in pkg.projects], total_label="합계")
    ranking = Table("순위", "제안서별 순위, 최종점수, 가점, 결과", [
        Column("code", "과제 코드", "text", 1.45), Column("rank", "순위", "id", 0.5),
        Column("proposal", "제안서", "id", 0.6),
        Column("consortium", "컨소시엄 (주관기관)", "text", 3), Column("requested", "신청 출연금(원)", "won", 1.3),
        Column("panel", "평가점수", "decimal", 0.8), Column("bonus", "가점", "decimal", 0.5),
        Column("final", "최종점수", "decimal", 0.8), Column("outcome", "결과", "text", 0.7),
        Column("grant", "권고 출연금(원)", "won", 1.3)],
        [(r.project_code, r.rank, r.proposal_id, f"{r.consortium} ({r.lead})", r.requested_grant_krw, r.panel_score,
          r.bonus, r.final_score, _outcome(r.outcome), r.recommended_grant_krw) for r in pkg.ranking])
    departures = Table("순위 이탈", "순위와 다른 선정 (사유 없는 이탈은 표시)", [
        Column("code", "과제 코드", "text", 1.45), Column("proposal", "제안서", "id", 0.7),
        Column("rank", "순위", "id", 0.5),
        Column("final", "최종점수", "decimal", 0.8), Column("below", "기준 미달", "text", 0.7),
        Column("reason", "사유", "text", 4)],
        [(d.project_code, d.proposal_id, d.rank, d.final_score, _yes(d.below_threshold),
          d.reason if d.has_reason else "⚠ 사유 없음 — 확정 전 사유 기재 필요") for d in pkg.departures],
        note=None if pkg.departures else "순위와 다른 선정이 없습니다.")
    conflicts = Table("이해충돌", "이해충돌 신고·탐지와 해소", [
        Column("code", "과제 코드", "text", 1.45), Column("evaluator", "평가위원", "text", 0.9),
        Column("source", "구분", "text", 1.2), Column("detail", "내용", "text", 1.6),
        Column("cleared", "해소", "text", 0.6), Column("reason", "사유", "text", 3)],
        [(c.project_code, c.evaluator_code, SOURCES.get(c.source, c.source), c.detail, _yes(c.cleared),
          c.reason or "–") for c in pkg.conflicts],
        note="패널 위원의 탐지된 이해충돌(해당 평가표는 집계에서 제외), 본인 신고와 해소 기록입니다."
        if pkg.conflicts else "신고·탐지된 이해충돌이 없습니다.")
    leniency = Table("평가위원 관대도", "평가위원별 관대도 (같은 제안서 평균 대비 점수 차)", [
        Column("evaluator", "평가위원", "text", 1), Column("sheets", "평가표(건)", "int", 0.8),
        Column("leniency", "관대도(점)", "decimal", 0.8)],
        [(x.evaluator_code, x.sheets, x.leniency) for x in pkg.leniency])
    agreement = Table("패널 일치도", "패널별 평가 일치도 (켄달 W)", [
        Column("code", "과제 코드", "text", 1.45), Column("raters", "평가위원(명)", "int", 0.8),
        Column("proposals", "제안서(건)", "int", 0.8), Column("w", "켄달 W", "decimal", 0.8)],
        [(a.project_code, a.raters, a.proposals, a.kendall_w) for a in pkg.agreement])
    outliers = Table("이상 점수", "이상 점수 (같은 제안서 다른 평가 중앙값과 15점 초과 차이)", [
        Column("code", "과제 코드", "text", 1.45), Column("proposal", "제안서", "id", 0.7),
        Column("evaluator", "평가위원", "text", 0.9), Column("total", "총점", "decimal", 0.8),
        Column("median", "다른 평가 중앙값", "decimal", 1), Column("distance", "차이", "decimal", 0.7)],
        [(o.project_code, o.proposal_id, o.evaluator_code, o.total, o.median_of_others, o.distance)
         for o in pkg.outliers], note=None if pkg.outliers else "이상 점수가 없습니다.")
    signoff = Table("결재", "결재 (담당 · 검토 · 승인)", [
        Column("item", "구분", "text", 1), *[Column(s, s, "text", 2) for s in SIGNERS]],
        [("성명", "", "", ""), ("일자", "", "", ""), ("서명", "", "", "")])
    stem = f"decision-{pkg.call_type}" + (f"-{pkg.projects[0].project_code}" if pkg.project_id and pkg.projects else "")
    return Document(
        title="선정 심의 자료", subtitle=f"{pkg.program_name} · {scope}", meta=meta, filename_stem=stem,
        sections=[Section("1. 요약", paragraphs=summary, tables=[envelopes]),
                  Section("2. 과제별 선정 결과", tables=[projects]),
                  Section("3. 제안서별 순위", tables=[ranking]),
                  Section("4. 순위 이탈과 사유", tables=[departures]),
                  Section("5. 이해충돌 신고와 해소", tables=[conflicts]),
                  Section("6. 평가위원 통계", tables=[leniency, agreement, outliers]),
                  Section("7. 결재", tables=[signoff])])


def render_decision_pdf(pkg: DecisionPackage, meta: Metadata) -> bytes:
    """The decision package as PDF: the house-rendered body, then the sign-off page."""
    doc = package_document(pkg, meta)
    doc.sections = doc.sections[:-1]  # the sign-off is its own page with real boxes
    facts = [("대상", doc.subtitle), ("선정 과제", f"{pkg.selected_projects:,}개"),
             ("권고 출연금 합계", format_krw(pkg.recommended_total_krw, "won")),
             ("의무 직접고용", f"{pkg.required_hires_total:,}명"),
             ("사유 없는 순위 이탈", f"{sum(1 for d in pkg.departures if not d.has_reason):,}건")]
    return with_signoff(render_pdf(doc), doc, facts)


# --------------------------------------------------------------------------- the what-if comparison


def whatif_document(result: WhatIfResult, meta: Metadata, *, program_name: str = "") -> Document:
    """A what-if run beside what was decided: inputs, totals, envelopes, the projects that change, draws."""
    req = result.request
    changes = req.rules.model_dump(mode="json", exclude_none=True)
    labels = {"pass_threshold": "선정 기준(점)", "trimming": "최고·최저 점수 제외",
              "trim_from_sheets": "제외 적용 평가위원 수",
              "adjustment_bands": "점수 구간별 지원율", "bonus_crowd_points": "크라우드소싱 가점",
              "bonus_vulnerable_points": "취약계층 고용 가점", "bonus_regional_lead_points": "지역 주관기관 가점",
              "bonus_cap": "가점 상한", "bonus_crowd_share_min": "크라우드소싱 가점 최소 비율",
              "hires_per_100m_krw": "1억원당 의무 고용(명)"}

    def show(key: str, value: Any) -> str:
        if key == "trimming":
            return "적용" if value else "미적용"
        if key == "adjustment_bands":
            return ", ".join(f"{b['min_score']}점 이상 {float(b['rate']) * 100:g}%" for b in value)
        return str(value)

    inputs = [(labels.get(k, k), show(k, v)) for k, v in changes.items()]
    env_names = {e.code: e.name_ko for e in result.envelopes}

    def target_name(code: str) -> str:
        if code in env_names:
            return env_names[code]
        kinds = [n.split(" · ")[0] for c, n in env_names.items() if c == code or c.startswith(code + "-")]
        return f"{kinds[0]} 전체" if kinds else code

    inputs += [(f"재원: {target_name(b.target)}", f"{b.change_pct:+}%" if b.change_pct is not None
                else format_krw(b.amount_krw, "won")) for b in req.budgets]
    inputs.append(("기록된 순위 이탈", "유지(선정 제안서가 기준을 넘는 동안)" if req.keep_departures else "순위대로"))
    if req.lottery:
        inputs.append(("추첨", f"시드 {req.lottery.seed}, 허용 차이 {req.lottery.tolerance}점"))
    if len(inputs) == 1 and not req.lottery:
        inputs.insert(0, ("규칙·재원", "변경 없음 (기록된 결정과 같아야 합니다)"))
    d, w = result.decided, result.whatif

    totals = [("지원 과제(개)", d.funded_projects, w.funded_projects),
              ("출연금 합계(원)", d.grants_krw, w.grants_krw),
              ("의무 직접고용(명)", d.required_hires, w.required_hires),
              ("크라우드소싱 계획 금액(원)", d.crowd_payment_krw, w.crowd_payment_krw),
              ("크라우드소싱 가점 과제(개)", d.crowd_bonus_projects, w.crowd_bonus_projects)]
    total_rows = [(label, a, b, b - a) for label, a, b in totals]
    share_rows = [("크라우드소싱 비율 (계획 금액 ÷ 출연금)", d.crowd_share, w.crowd_share)]
    changed = [p for p in result.projects if p.consortium_changed or p.grant_changed or p.drawn]
    project_rows = [(p.project_code, p.title_ko, p.decided_consortium or "–",
                     f"{p.decided_final_score:.2f}" if p.decided_final_score is not None else "–",
                     p.decided_grant_krw, p.whatif_consortium if p.whatif_grant_krw else "–",
                     f"{p.whatif_final_score:.2f}" if p.whatif_final_score is not None else "–",
                     p.whatif_grant_krw, p.grant_delta_krw, _whatif_note(p))
                    for p in changed]
    env_rows = [(e.name_ko, e.decided_amount_krw, e.decided_grants_krw, e.whatif_amount_krw, e.whatif_funded_krw,
                 e.whatif_remaining_krw, e.whatif_unfunded_projects) for e in result.envelopes]
    draw_rows = [("과제" if x.where == "project" else "재원", env_names.get(x.key, x.key),
                  ", ".join(map(str, x.candidates)), ", ".join(map(str, x.chosen)) or "–") for x in result.draws]
    sections = [
        Section("1. 가정", paragraphs=[f"결과 요약값(SHA-256) {result.digest[:32]}… — 같은 가정이면 같은 값입니다.",
                                      result.envelope_rule.split(" (")[0]],
                tables=[Table("가정", "바꾼 규칙과 재원", [Column("item", "항목", "text", 1.5),
                                                    Column("value", "값", "text", 4)], inputs)]),
        Section("2. 결정과 가정 비교", tables=[
            Table("합계 비교", "합계: 기록된 결정과 가정", [
                Column("item", "항목", "text", 2), Column("decided", "결정", "won", 1.2),
                Column("whatif", "가정", "won", 1.2), Column("delta", "차이", "won", 1.2)], total_rows),
            Table("크라우드 비율", "크라우드소싱 비율", [Column("item", "항목", "text", 2),
                                                Column("decided", "결정", "percent", 1.2),
                                                Column("whatif", "가정", "percent", 1.2)], share_rows),
            Table("재원 비교", "재원(봉투)별 비교", [
                Column("code", "재원", "text", 2), Column("amount", "배정액(원)", "won", 1.3),
                Column("decided", "결정 출연금(원)", "won", 1.3), Column("w_amount", "가정 배정액(원)", "won", 1.3),
                Column("w_funded", "가정 지원액(원)", "won", 1.3), Column("w_left", "가정 잔액(원)", "won", 1.3),
                Column("w_unfunded", "지원선 아래(개)", "int", 0.9)], env_rows, total_label="합계")]),
        Section("3. 달라지는 과제", paragraphs=[f"선정 컨소시엄이 바뀌는 과제 {result.consortium_changes:,}개, "
                                           f"출연금이 바뀌는 과제 {result.grant_changes:,}개."],
                tables=[Table("달라지는 과제", "선정 컨소시엄 또는 출연금이 달라지는 과제", [
                    Column("code", "과제 코드", "text", 1.45), Column("title", "과제명", "text", 1.9),
                    Column("d_cons", "결정 컨소시엄", "text", 1.7), Column("d_score", "결정점수", "text", 0.7),
                    Column("d_grant", "결정 출연금(원)", "won", 1.2), Column("w_cons", "가정 컨소시엄", "text", 1.7),
                    Column("w_score", "가정점수", "text", 0.7), Column("w_grant", "가정 출연금(원)", "won", 1.2),
                    Column("delta", "차이(원)", "won", 1.2), Column("note", "비고", "text", 1.4)], project_rows,
                    note=None if project_rows else "달라지는 과제가 없습니다.")]),
    ]
    if draw_rows:
        sections.append(Section("4. 추첨", tables=[Table("추첨", "추첨 (재원 단계의 후보는 뽑힌 순서)", [
            Column("where", "단계", "text", 0.6), Column("key", "과제·재원", "text", 1.2),
            Column("cands", "후보 제안서", "text", 2.5), Column("chosen", "선정·지원", "text", 2)], draw_rows)]))
    return Document(title="가정 배분 비교", subtitle=program_name or f"사업 {result.program_id}", meta=meta,
                    sections=sections, filename_stem=f"what-if-{result.program_id}")


def _whatif_note(p: Any) -> str:
    notes = []
    if p.whatif_outcome != "selected":
        notes.append(_outcome(p.whatif_outcome))
    elif p.funding == "envelope_exhausted":
        notes.append(FUNDING[p.funding])
    if p.departure == "kept":
        notes.append("순위 이탈 유지")
    elif p.departure == "dropped":
        notes.append("순위 이탈 해제")
    if p.drawn:
        notes.append("추첨 선정")
    return ", ".join(notes) or "–"


def render_whatif_pdf(result: WhatIfResult, meta: Metadata, *, program_name: str = "") -> bytes:
    """A what-if run as PDF (the house renderer)."""
    return render_pdf(whatif_document(result, meta, program_name=program_name))


# --------------------------------------------------------------------------- the sign-off page


def _signoff_page(doc: Document, facts: Sequence[tuple[str, str]], page_number: int) -> bytes:
    register_fonts()
    buf = io.BytesIO()
    size = landscape(A4)
    pdf = SimpleDocTemplate(buf, pagesize=size, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=14 * mm,
                            bottomMargin=16 * mm, title=doc.title)
    width = size[0] - pdf.leftMargin - pdf.rightMargin
    h1 = ParagraphStyle("h1", fontName=FONT_BOLD, fontSize=15, leading=20, textColor=colors.HexColor("#1f3864"))
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontName=FONT_BOLD, alignment=1)
    fact_rows = [[Paragraph(k, body), Paragraph(v, body)] for k, v in facts]
    ft = RLTable(fact_rows, colWidths=[55 * mm, width - 55 * mm])
    ft.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#9aa5b1")),
                            ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2"))]))
    box_w = (width - 30 * mm) / len(SIGNERS)
    grid = [[Paragraph("구분", head), *[Paragraph(s, head) for s in SIGNERS]],
            [Paragraph("성명", body), *[""] * len(SIGNERS)],
            [Paragraph("직위", body), *[""] * len(SIGNERS)],
            [Paragraph("일자", body), *["        년      월      일"] * len(SIGNERS)],
            [Paragraph("서명", body), *[""] * len(SIGNERS)]]
    st = RLTable(grid, colWidths=[30 * mm] + [box_w] * len(SIGNERS),
                 rowHeights=[9 * mm, 12 * mm, 12 * mm, 12 * mm, 32 * mm])
    st.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.6, colors.HexColor("#333333")),
                            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde5f0")),
                            ("BACKGROUND", (0, 1), (0, -1), colors.HexColor("#f2f2f2")),
                            ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 9),
                            ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))

    def footer(canvas: Any, _pdf: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(colors.HexColor("#666666"))
        canvas.drawString(pdf.leftMargin, 8 * mm, f"{doc.title} · {doc.meta.generated_at:%Y-%m-%d %H:%M} · "
                                                  f"{doc.meta.generated_by} · 감사 해시 {doc.meta.audit_hash[:16]}…")
        if doc.meta.checkpoint:  # the signed checkpoint of this report, as on the house pages
            canvas.drawString(pdf.leftMargin, 5 * mm, visible_text(doc.meta.checkpoint))
        canvas.drawRightString(size[0] - pdf.rightMargin, 8 * mm, str(page_number))
        canvas.restoreState()

    story = [Paragraph("결재", h1), Spacer(1, 4 * mm), ft, Spacer(1, 8 * mm),
             Paragraph("위 선정 심의 자료의 내용을 확인하였으며 선정을 승인합니다.", body), Spacer(1, 4 * mm), st]
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def with_signoff(body: bytes, doc: Document, facts: Sequence[tuple[str, str]]) -> bytes:
    """`body` with the sign-off page (담당 · 검토 · 승인: name, position, date, signature) appended."""
    writer = PdfWriter()
    reader = PdfReader(io.BytesIO(body))
    writer.append(reader)
    writer.append(PdfReader(io.BytesIO(_signoff_page(doc, facts, len(reader.pages) + 1))))
    writer.add_metadata({"/Title": doc.title, "/Subject": doc.subtitle})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
