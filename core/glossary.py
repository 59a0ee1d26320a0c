"""The glossary: each headline figure's one name, one definition, one label and the one function computing it.

The dashboard (its glossary page and its tiles), the status report (PDF and workbook) and the
API documentation take their labels from here; `GLOSSARY.md`-style text is `as_markdown()`.
A newcomer looks up a figure here and finds where it is computed. `key` is the field of
`budgeting.analytics.HeadlineFigures` (and of `GET /programs/{id}/figures`) carrying the figure.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    key: str
    label_ko: str
    label_en: str
    definition: str  # English
    function: str
    definition_ko: str = ""

    def label(self, lang: str | None = None) -> str:
        """The Korean label, or the English one in sentence case (a tile's or a row's heading)."""
        if lang == "en":
            return self.label_en[:1].upper() + self.label_en[1:]
        return self.label_ko

    def describe(self, lang: str | None = None) -> str:
        """The definition in the reader's language (Korean by default)."""
        return self.definition if lang == "en" else self.definition_ko

    @property
    def bilingual(self) -> str:
        """'한국어 (English)', the label of report rows."""
        return f"{self.label_ko} ({self.label_en})"


_H = "budgeting.analytics.headline_figures"
_D = "program.delivery.delivery_funnel"

TERMS: tuple[Term, ...] = (
    Term("as_of", "기준일", "as of", "The date every figure is computed on: the caller's as-of date, else the "
         "programme's reporting date, else today in Korean time. Spending, deliveries, verifications and openings "
         "after it are not counted.", "program.reporting.as_of_for",
         definition_ko=("모든 수치를 계산하는 날짜입니다. 요청한 기준일, 없으면 사업의 보고"
                        " 기준일, 그것도 없으면 한국 시간 오늘입니다. 기준일 이후의 "
                        "집행·구축·검증·개방은 세지 않습니다.")),
    Term("total_budget_krw", "총 사업비", "total budget", "The programme's government budget for the call.", _H,
         definition_ko="공모 사업의 정부 예산 총액입니다."),
    Term("awarded_grant_krw", "협약 정부출연금", "awarded grants", "Sum of the government grants of the signed "
         "agreements (awards); excludes the consortia's private matching.", _H,
         definition_ko=("체결된 협약의 정부출연금 합계입니다. 컨소시엄의 민간부담금은 포함하지"
                        " 않습니다.")),
    Term("unawarded_krw", "미협약 잔액", "never awarded", "Total budget minus awarded grants: money of the call no "
         "agreement holds.", _H,
         definition_ko=("총 사업비에서 협약 정부출연금을 뺀 금액으로, 어느 협약에도 배정되지"
                        " 않은 공모 예산입니다.")),
    Term("matching_krw", "민간부담금", "private matching", "The consortia's own contribution agreed in the awards.",
         _H,
         definition_ko="협약에서 정한 컨소시엄의 자체 부담금입니다."),
    Term("project_budget_krw", "총 과제사업비", "project budgets", "Awarded grants plus private matching: the money "
         "the awards' budget lines hold.", _H,
         definition_ko=("협약 정부출연금과 민간부담금의 합으로, 협약 예산 비목에 편성된 "
                        "금액입니다.")),
    Term("executed_total_krw", "집행액 (총사업비)", "executed (total)", "Net spending recorded in the ledger "
         "(reversals included) on or before the as-of date, grant and matching together.", _H,
         definition_ko=("기준일까지 집행 원장에 기록된 순 집행액(정정·반환 포함)으로, "
                        "정부출연금과 민간부담금을 합한 금액입니다.")),
    Term("executed_grant_krw", "집행액 (정부출연금)", "executed (grant)", "The grant's share of spending: each "
         "award's spending × grant / (grant + matching), rounded down, summed.", _H,
         definition_ko=("집행액 중 정부출연금 몫입니다. 협약별 집행액 × 정부출연금 ÷ "
                        "(정부출연금 + 민간부담금)을 원 단위 내림하여 합산합니다.")),
    Term("execution_rate_total", "집행률 (총사업비)", "execution rate (total)",
         "Executed (total) / project budgets.", _H,
         definition_ko="집행액(총사업비) ÷ 총 과제사업비입니다."),
    Term("execution_rate_grant", "집행률 (정부출연금)", "execution rate (grant)",
         "Executed (grant) / awarded grants.", _H,
         definition_ko="집행액(정부출연금) ÷ 협약 정부출연금입니다."),
    Term("remaining_total_krw", "잔액 (총사업비)", "remaining (total)", "Project budgets minus executed (total).", _H,
         definition_ko="총 과제사업비에서 집행액(총사업비)을 뺀 금액입니다."),
    Term("projects", "공고 과제 수", "projects in the call", "Projects (data types called for) of the programme.",
         _H,
         definition_ko="사업에서 공고한 과제(구축할 데이터 종) 수입니다."),
    Term("projects_awarded", "협약 과제 수", "awarded projects", "Projects with a signed agreement.", _H,
         definition_ko="협약이 체결된 과제 수입니다."),
    Term("hires_required_call", "의무 고용 (공고 기준)", "hires required (call)", "The hire rule (hires_per_100m_krw "
         "per 100M won, rounded up) applied to the programme's total budget: what the call as a whole promises.", _H,
         definition_ko=("직접고용 기준(1억원당 인원, 2021년 2.4명, 올림)을 사업 총"
                        " 예산에 적용한 인원으로, 공고 전체가 약속한 고용입니다.")),
    Term("hires_required_awards", "의무 고용 (협약 기준)", "hires required (awards)", "The hire rule applied to each "
         "award's grant, rounded up per award, summed: what the agreements oblige.", _H,
         definition_ko=("직접고용 기준을 협약별 정부출연금에 적용해 협약마다 올림한 뒤 합산한"
                        " 인원으로, 협약이 의무로 정한 고용입니다.")),
    Term("hires_counted", "인정 고용", "hires counted", "Direct hires within the agreement period with contract, "
         "insurance and payroll evidence.", "budgeting.queries.hires_table",
         definition_ko=("협약 기간 안에 근로계약·4대보험·급여 증빙을 갖춘 직접고용 "
                        "인원입니다.")),
    Term("hires_shortfall", "고용 부족", "hire shortfall", "Sum over awards of max(0, required - counted).",
         "budgeting.queries.hires_table",
         definition_ko="협약별 (의무 인원 − 인정 인원) 중 양수만 합산한 인원입니다."),
    Term("crowd_planned_krw", "크라우드소싱 계획 지급액", "crowd pay promised", "Crowd payments the selected "
         "proposals promised.", _H,
         definition_ko="선정된 제안서가 약속한 크라우드 작업자 지급액입니다."),
    Term("crowd_paid_krw", "크라우드소싱 지급액", "crowd pay delivered", "Net spending on the crowdsourcing budget "
         "lines on or before the as-of date.", _H,
         definition_ko="기준일까지 크라우드소싱 예산 비목에서 집행된 순 금액입니다."),
    Term("crowd_workers", "참여 작업자", "crowd workers", "Crowd workers engaged in periods ending on or before "
         "the as-of date (promised: crowd_workers_planned).", _H,
         definition_ko="기준일까지 끝난 기간에 참여한 크라우드 작업자 수입니다(계획 인원과 나란히 표시)."),
    Term("training_hours", "교육시간", "training hours", "Hours of training sessions held on or before the as-of "
         "date (promised: training_hours_planned).", _H,
         definition_ko="기준일까지 실시한 크라우드 작업자 교육 시간입니다(계획 시간과 나란히 표시)."),
    Term("likely_unspent_awards", "미집행 우려 협약", "awards likely unspent", "Awards whose projected unspent "
         "money (budget - spent to date - mean of the last 3 months × months left) exceeds the programme's "
         "unspent_tolerance × budget.", "budgeting.analytics.likely_unspent",
         definition_ko=("예상 미집행액(예산 − 기준일까지 집행액 − 최근 3개월 평균 집행액"
                        " × 남은 개월 수)이 사업의 미집행 허용 비율 × 예산을 넘는 "
                        "협약입니다.")),
    Term("types_contracted", "협약 데이터 종", "data types contracted", "Data types of awarded projects: the one "
         "denominator of every delivery share.", _D,
         definition_ko="협약된 과제의 데이터 종으로, 모든 구축·개방 비율의 분모입니다."),
    Term("types_built", "구축 완료 데이터 종", "data types built", "Contracted types whose built volume reached "
         "the programme's delivery_min_ratio of the contract by the as-of date.", _D,
         definition_ko="기준일까지 구축 물량이 협약 물량의 최소 구축 비율(2021년 95%)에 도달한 데이터 종입니다."),
    Term("types_verified", "품질검증 통과 데이터 종", "data types verified", "Built types that passed quality "
         "verification (or were remedied) by the as-of date.", _D,
         definition_ko=("기준일까지 품질검증을 통과했거나 보완을 마친 구축 완료 데이터 "
                        "종입니다.")),
    Term("types_opened", "개방 데이터 종", "data types opened", "Verified types opened on the data hub on or "
         "before the as-of date; shown as a share of data types contracted.", _D,
         definition_ko=("기준일까지 데이터 허브에 개방된 품질검증 통과 데이터 종으로, 협약 "
                        "데이터 종 대비 비율로 표시합니다.")),
)

BY_KEY = {t.key: t for t in TERMS}


def term(key: str) -> Term:
    return BY_KEY[key]


def label(key: str, lang: str | None = None) -> str:
    return BY_KEY[key].label(lang)


def as_markdown() -> str:
    """The glossary as a Markdown table (figure, definition, function)."""
    lines = ["| 명칭 | 정의 | Figure | Definition | Function |", "|---|---|---|---|---|"]
    lines += [f"| {t.label_ko} | {t.definition_ko} | {t.label_en} (`{t.key}`) | {t.definition} | `{t.function}` |"
              for t in TERMS]
    return "\n".join(lines) + "\n"
