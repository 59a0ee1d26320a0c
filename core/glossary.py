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
    definition: str
    function: str

    def label(self, lang: str | None = None) -> str:
        """The Korean label, or the English one in sentence case (a tile's or a row's heading)."""
        if lang == "en":
            return self.label_en[:1].upper() + self.label_en[1:]
        return self.label_ko

    @property
    def bilingual(self) -> str:
        """'한국어 (English)', the label of report rows."""
        return f"{self.label_ko} ({self.label_en})"


_H = "budgeting.analytics.headline_figures"
_D = "program.delivery.delivery_funnel"

TERMS: tuple[Term, ...] = (
    Term("as_of", "기준일", "as of", "The date every figure is computed on: the caller's as-of date, else the "
         "programme's reporting date, else today in Korean time. Spending, deliveries, verifications and openings "
         "after it are not counted.", "program.reporting.as_of_for"),
    Term("total_budget_krw", "총 사업비", "total budget", "The programme's government budget for the call.", _H),
    Term("awarded_grant_krw", "협약 정부출연금", "awarded grants", "Sum of the government grants of the signed "
         "agreements (awards); excludes the consortia's private matching.", _H),
    Term("unawarded_krw", "미협약 잔액", "never awarded", "Total budget minus awarded grants: money of the call no "
         "agreement holds.", _H),
    Term("matching_krw", "민간부담금", "private matching", "The consortia's own contribution agreed in the awards.",
         _H),
    Term("project_budget_krw", "총 과제사업비", "project budgets", "Awarded grants plus private matching: the money "
         "the awards' budget lines hold.", _H),
    Term("executed_total_krw", "집행액 (총사업비)", "executed (total)", "Net spending recorded in the ledger "
         "(reversals included) on or before the as-of date, grant and matching together.", _H),
    Term("executed_grant_krw", "집행액 (정부출연금)", "executed (grant)", "The grant's share of spending: each "
         "award's spending × grant / (grant + matching), rounded down, summed.", _H),
    Term("execution_rate_total", "집행률 (총사업비)", "execution rate (total)",
         "Executed (total) / project budgets.", _H),
    Term("execution_rate_grant", "집행률 (정부출연금)", "execution rate (grant)",
         "Executed (grant) / awarded grants.", _H),
    Term("remaining_total_krw", "잔액 (총사업비)", "remaining (total)", "Project budgets minus executed (total).", _H),
    Term("projects", "공고 과제 수", "projects in the call", "Projects (data types called for) of the programme.",
         _H),
    Term("projects_awarded", "협약 과제 수", "awarded projects", "Projects with a signed agreement.", _H),
    Term("hires_required_call", "의무 고용 (공고 기준)", "hires required (call)", "The hire rule (hires_per_100m_krw "
         "per 100M won, rounded up) applied to the programme's total budget: what the call as a whole promises.", _H),
    Term("hires_required_awards", "의무 고용 (협약 기준)", "hires required (awards)", "The hire rule applied to each "
         "award's grant, rounded up per award, summed: what the agreements oblige.", _H),
    Term("hires_counted", "인정 고용", "hires counted", "Direct hires within the agreement period with contract, "
         "insurance and payroll evidence.", "budgeting.queries.hires_table"),
    Term("hires_shortfall", "고용 부족", "hire shortfall", "Sum over awards of max(0, required - counted).",
         "budgeting.queries.hires_table"),
    Term("crowd_planned_krw", "크라우드소싱 계획 지급액", "crowd pay promised", "Crowd payments the selected "
         "proposals promised.", _H),
    Term("crowd_paid_krw", "크라우드소싱 지급액", "crowd pay delivered", "Net spending on the crowdsourcing budget "
         "lines on or before the as-of date.", _H),
    Term("crowd_workers", "참여 작업자", "crowd workers", "Crowd workers engaged in periods ending on or before "
         "the as-of date (promised: crowd_workers_planned).", _H),
    Term("training_hours", "교육시간", "training hours", "Hours of training sessions held on or before the as-of "
         "date (promised: training_hours_planned).", _H),
    Term("likely_unspent_awards", "미집행 우려 협약", "awards likely unspent", "Awards whose projected unspent "
         "money (budget - spent to date - mean of the last 3 months × months left) exceeds the programme's "
         "unspent_tolerance × budget.", "budgeting.analytics.likely_unspent"),
    Term("types_contracted", "협약 데이터 종", "data types contracted", "Data types of awarded projects: the one "
         "denominator of every delivery share.", _D),
    Term("types_built", "구축 완료 데이터 종", "data types built", "Contracted types whose built volume reached "
         "the programme's delivery_min_ratio of the contract by the as-of date.", _D),
    Term("types_verified", "품질검증 통과 데이터 종", "data types verified", "Built types that passed quality "
         "verification (or were remedied) by the as-of date.", _D),
    Term("types_opened", "개방 데이터 종", "data types opened", "Verified types opened on the data hub on or "
         "before the as-of date; shown as a share of data types contracted.", _D),
)

BY_KEY = {t.key: t for t in TERMS}


def term(key: str) -> Term:
    return BY_KEY[key]


def label(key: str, lang: str | None = None) -> str:
    return BY_KEY[key].label(lang)


def as_markdown() -> str:
    """The glossary as a Markdown table (figure, definition, function)."""
    lines = ["| Figure | 명칭 | Definition | Function |", "|---|---|---|---|"]
    lines += [f"| {t.label_en} (`{t.key}`) | {t.label_ko} | {t.definition} | `{t.function}` |" for t in TERMS]
    return "\n".join(lines) + "\n"
