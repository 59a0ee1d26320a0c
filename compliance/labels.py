"""The words of the compliance domain, in Korean (default) and English, through `core.i18n`.

A finding is stored as structured data: a message key and its parameters, a subject key and
its parameters, evidence rows of field keys and typed values. This module registers the
templates and field labels and renders them for a person (`finding_message`, `finding_subject`,
`evidence_rows`, `evidence_table`), so no id, field name or code reaches a page or a report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from core import i18n
from core.i18n import Lang, as_lang, code_label, format_date, format_pct, render
from core.money import format_krw

# --- codes ------------------------------------------------------------------------------------------

SEVERITY = "compliance.severity"
STATUS = "compliance.status"
i18n.register_codes(SEVERITY, {"high": ("중대", "High"), "medium": ("주의", "Medium"), "low": ("참고", "Low")})
i18n.register_codes(STATUS, {"ok": ("이상 없음", "No findings"), "findings": ("지적 있음", "Findings"),
                             "error": ("점검 오류", "Check failed")})
i18n.register_codes("compliance.cost_category", {
    "labour": ("인건비", "Labour"), "crowdsourcing": ("크라우드소싱 비용", "Crowdsourcing"),
    "outsourcing": ("외주용역비", "Outsourcing"), "collection": ("수집비", "Collection"),
    "equipment": ("장비·소프트웨어", "Equipment and software"), "quality": ("품질검증·자문", "Quality and advice"),
    "travel": ("여비·회의비", "Travel and meetings"), "indirect": ("간접비", "Indirect costs")})
i18n.register_codes("compliance.member_role", {
    "lead": ("주관기관", "Lead"), "participant": ("참여기관", "Participant"),
    "crowd_platform": ("크라우드소싱 플랫폼", "Crowdsourcing platform"), "quality": ("품질관리기관", "Quality")})
i18n.register_codes("compliance.quality_result", {
    "pass": ("적합", "Pass"), "conditional": ("조건부 적합", "Conditional"), "fail": ("부적합", "Fail")})
i18n.register_codes("compliance.quality_state", {
    "pass": ("적합", "Passed"), "remedied_on_time": ("기한 내 보완", "Remedied on time"),
    "remedied_late": ("기한 후 보완", "Remedied late"), "remediation_open": ("보완 중", "Remediation open"),
    "remediation_overdue": ("보완 기한 경과", "Remediation overdue"), "not_verified": ("검증 전", "Not verified")})
i18n.register_codes("compliance.evidence_doc", {
    "contract": ("근로계약서", "Labour contract"), "social_insurance": ("4대보험 가입", "Social insurance"),
    "payroll": ("급여 지급", "Payroll")})
i18n.register_codes("compliance.measure", {
    "crowd_payment_krw": ("크라우드소싱 지급액", "Crowd payments"),
    "training_hours": ("교육 시간", "Training hours")})
i18n.register_codes("compliance.row_problem", {
    "edited": ("수정됨", "edited"), "inserted": ("기록 없이 추가됨", "inserted outside the application"),
    "deleted": ("기록 없이 삭제됨", "deleted outside the application"),
    "root": ("머클 루트 불일치", "Merkle root mismatch"),
    "store": ("행 기록 저장소 불일치", "record store mismatch"),
    "entry": ("기록 항목 불일치", "entry mismatch")})
i18n.register_codes("compliance.table", {
    "app_user": ("사용자", "users"), "award": ("협약", "awards"), "award_extension": ("협약 연장", "award extensions"),
    "bonus_item": ("가점 항목", "bonus items"), "budget_line": ("비목 예산", "budget lines"),
    "conflict_record": ("이해충돌 신고", "conflict records"), "criterion_score": ("평가 항목 점수", "criterion scores"),
    "crowd_activity": ("크라우드소싱 실적", "crowd activity"), "data_opening": ("데이터 개방", "data openings"),
    "delivery_progress": ("구축 실적", "delivery progress"), "envelope": ("예산 봉투", "envelopes"),
    "envelope_transfer": ("봉투 간 이체", "envelope transfers"), "expenditure": ("집행 원장", "ledger"),
    "hire": ("고용", "hires"), "line_transfer": ("비목 간 전용", "line transfers"), "program": ("사업", "programmes"),
    "quality_verification": ("품질검증", "quality verifications"), "rubric": ("평가표", "rubrics"),
    "rubric_criterion": ("평가 항목", "rubric criteria"), "score_sheet": ("평가표 제출", "score sheets"),
    "screening": ("적격 심사", "screenings"), "selection": ("선정", "selections"),
    "training_session": ("교육 실적", "training sessions")})

# --- fields: one label and one kind for every message parameter and evidence key ----------------------
# kinds: won (원, exact), n (count), date, pct (a ratio shown as %), pctv (a value already in %), dec
# (a decimal figure), score (points), ref (a number people quote: no separators), text, code:<group>,
# codes:<group> (a list of codes), flag (yes/no)

FIELDS: dict[str, tuple[str, str, str]] = {
    "data_type": ("데이터 유형", "Data type", "text"),
    "field": ("분야", "Field", "text"),
    "project": ("과제", "Project", "text"),
    "contracted": ("계약 물량", "Contracted volume", "n"),
    "built": ("구축 물량", "Built volume", "n"),
    "ratio": ("달성률", "Share delivered", "pct"),
    "min_ratio": ("기준 달성률", "Minimum share", "pct"),
    "last_progress": ("최근 실적 월", "Last progress month", "date"),
    "result": ("품질검증 결과", "Verification result", "code:compliance.quality_result"),
    "verified": ("품질검증일", "Verified on", "date"),
    "syntactic_pct": ("구문 정확도(측정)", "Syntactic accuracy (measured)", "pctv"),
    "semantic_target_pct": ("의미 정확도(목표)", "Semantic accuracy (target)", "pctv"),
    "semantic_pct": ("의미 정확도(측정)", "Semantic accuracy (measured)", "pctv"),
    "due": ("기한", "Due date", "date"),
    "remedied": ("보완일", "Remedied on", "date"),
    "days": ("경과 일수", "Days late", "n"),
    "opened": ("개방일", "Opened on", "date"),
    "quality_state": ("품질 상태", "Quality state", "code:compliance.quality_state"),
    "evaluator": ("평가위원", "Evaluator", "text"),
    "panel": ("평가 분과", "Panel", "text"),
    "total": ("총점", "Total score", "score"),
    "score": ("최종 점수", "Final score", "score"),
    "threshold": ("기준점", "Pass threshold", "score"),
    "rank": ("순위", "Rank", "n"),
    "proposal": ("제안(주관기관)", "Proposal (lead)", "text"),
    "confirmed": ("선정 확정일", "Selection confirmed", "date"),
    "reason": ("선정 사유", "Reason recorded", "text"),
    "entry": ("전표 번호", "Ledger entry no.", "ref"),
    "spent_date": ("집행일", "Spent on", "date"),
    "amount": ("금액", "Amount", "won"),
    "payee": ("지급처", "Payee", "text"),
    "bn": ("사업자등록번호", "Business number", "text"),
    "category": ("비목", "Cost category", "code:compliance.cost_category"),
    "categories": ("비목", "Cost categories", "codes:compliance.cost_category"),
    "start": ("협약 시작일", "Agreement start", "date"),
    "end": ("협약 종료일(연장 포함)", "Agreement end (with extensions)", "date"),
    "count": ("건수", "Count", "n"),
    "member": ("참여기관", "Consortium member", "text"),
    "member_role": ("참여 역할", "Member role", "code:compliance.member_role"),
    "budget": ("예산", "Budget", "won"),
    "spent": ("집행액", "Spent", "won"),
    "excess": ("초과액", "Excess", "won"),
    "indirect": ("간접비 집행액", "Indirect costs spent", "won"),
    "direct": ("직접비 집행액", "Direct costs spent", "won"),
    "cap": ("간접비 한도율", "Indirect cost cap", "pct"),
    "cap_krw": ("간접비 한도액", "Indirect cost cap", "won"),
    "labour": ("인건비 집행액", "Labour spent", "won"),
    "per_item": ("건당 인건비", "Labour per item built", "won"),
    "price": ("협약 건당 단가", "Contract price per item", "won"),
    "index": ("인건비 지수", "Labour-cost index", "dec"),
    "q1": ("사업 1사분위", "Programme Q1", "dec"),
    "median": ("사업 중앙값", "Programme median", "dec"),
    "q3": ("사업 3사분위", "Programme Q3", "dec"),
    "fence": ("이상치 기준", "Outlier fence", "dec"),
    "compared": ("비교 협약 수", "Awards compared", "n"),
    "measure": ("항목", "Measure", "code:compliance.measure"),
    "promised": ("제안 약속", "Promised", "n"),
    "delivered": ("실적", "Delivered", "n"),
    "crowd_paid": ("크라우드소싱 지급액", "Crowd payments", "won"),
    "crowd_promised": ("약속한 크라우드소싱 지급액", "Crowd payments promised", "won"),
    "training": ("교육 시간", "Training hours", "n"),
    "training_promised": ("약속한 교육 시간", "Training hours promised", "n"),
    "grant": ("정부출연금", "Grant", "won"),
    "rate": ("고용 기준(1억원당)", "Hires per 100M KRW", "dec"),
    "required": ("의무 고용", "Required hires", "n"),
    "counted": ("인정 고용", "Hires counted", "n"),
    "shortfall": ("부족 인원", "Shortfall", "n"),
    "lacking": ("증빙 미비 인원", "Hires lacking evidence", "n"),
    "person": ("인원 키", "Person key", "text"),
    "org": ("소속기관", "Employer", "text"),
    "job_role": ("직무", "Job role", "text"),
    "contract_start": ("계약 시작일", "Contract start", "date"),
    "contract_end": ("계약 종료일", "Contract end", "date"),
    "missing": ("없는 증빙", "Missing evidence", "codes:compliance.evidence_doc"),
    "project_a": ("과제 1", "Project 1", "text"),
    "project_b": ("과제 2", "Project 2", "text"),
    "problem": ("문제", "Problem", "msg"),
    "event": ("감사 이벤트 번호", "Audit event no.", "ref"),
    "verified_events": ("검증된 이벤트 수", "Events verified before", "n"),
    "table": ("대상 자료", "Records", "code:compliance.table"),
    "row": ("행 번호", "Row no.", "ref"),
    "kind": ("문제 유형", "Kind of problem", "code:compliance.row_problem"),
    "columns": ("변경된 항목", "Changed columns", "text"),
    "detail": ("내용", "Detail", "msg"),
    "line": ("줄", "Line", "ref"),
    "seq": ("체크포인트 순번", "Checkpoint no.", "ref"),
    "file": ("파일", "File", "text"),
}

# --- messages ---------------------------------------------------------------------------------------

MESSAGES: dict[str, tuple[str, str]] = {
    "compliance.dlv01": ("{data_type}: 계약 물량 {contracted:n}건 중 {built:n}건 구축 ({ratio}, 기준 {min_ratio} 이상)",
                         "{data_type}: {built:n} of {contracted:n} contracted items built ({ratio}; minimum "
                         "{min_ratio})"),
    "compliance.dlv02.late": ("{data_type}: 품질검증({verified}) 결과 {result}, 보완 기한 {due}보다 {days:n}일 "
                              "늦게 보완",
                              "{data_type}: verification result {result} on {verified}, remedied {days:n} days "
                              "after the deadline {due}"),
    "compliance.dlv02.overdue": ("{data_type}: 품질검증({verified}) 결과 {result}, 보완 기한 {due}에서 {days:n}일이 "
                                 "지났으나 보완되지 않음",
                                 "{data_type}: verification result {result} on {verified}, still not remedied "
                                 "{days:n} days after the deadline {due}"),
    "compliance.dlv03": ("{data_type}: 개방 기한 {due}보다 {days:n}일 늦게 {opened}에 개방",
                         "{data_type}: opened on {opened}, {days:n} days after the due date {due}"),
    "compliance.dlv04": ("{data_type}: 개방 기한 {due}에서 {days:n}일이 지났으나 개방되지 않음",
                         "{data_type}: not opened, {days:n} days past the due date {due}"),
    "compliance.eva01": ("이해충돌을 신고한 평가위원 {evaluator}의 평가표(총점 {total}점)가 확정된 선정 결과에 "
                         "반영됨 (제안: {proposal})",
                         "The sheet of evaluator {evaluator}, who declared a conflict of interest (total {total}), "
                         "was counted in a confirmed selection (proposal: {proposal})"),
    "compliance.eva02.threshold": ("{proposal} 제안이 기준점 {threshold}점에 못 미치는데({score}점) 선정 사유 기록 "
                                   "없이 선정됨",
                                   "The proposal of {proposal} was selected below the pass threshold of "
                                   "{threshold} ({score}) without a recorded reason"),
    "compliance.eva02.rank": ("{rank:n}위인 {proposal} 제안이 선정 사유 기록 없이 선정됨 (최종 점수 {score}점)",
                              "The proposal of {proposal}, ranked {rank:n}, was selected without a recorded reason "
                              "(final score {score})"),
    "compliance.mon01": ("협약기간({start} ~ {end}) 밖의 집행 {count:n}건, 합계 {amount}",
                         "{count:n} payment(s) totalling {amount} outside the agreement period {start} – {end}"),
    "compliance.mon02": ("비목 예산 초과 집행: {categories}, 초과액 {amount}",
                         "Budget line(s) overspent: {categories}, by {amount}"),
    "compliance.mon03": ("간접비 집행 {indirect}이 직접비 집행 {direct}의 {cap} 한도({cap_krw})를 {amount} 초과",
                         "Indirect costs of {indirect} exceed the {cap} cap on direct costs of {direct} "
                         "({cap_krw}) by {amount}"),
    "compliance.mon04": ("자기 컨소시엄 참여기관 {payee}(사업자등록번호 {bn})에 {count:n}건, 합계 {amount} 지급",
                         "{count:n} payment(s) totalling {amount} to {payee} (business number {bn}), a member of "
                         "the award's own consortium"),
    "compliance.lab01": ("구축 건당 인건비 {per_item}, 협약 건당 단가 {price} (인건비 지수 {index}, 사업 중앙값 "
                         "{median}, 이상치 기준 {fence})",
                         "Labour of {per_item} per item built against a contract price of {price} per item "
                         "(labour-cost index {index}; programme median {median}, fence {fence})"),
    "compliance.crd01.crowd": ("크라우드소싱 지급 {crowd_paid} (제안 약속 {crowd_promised})",
                               "Crowd payments of {crowd_paid} against {crowd_promised} promised"),
    "compliance.crd01.training": ("교육 {training:n}시간 (제안 약속 {training_promised:n}시간)",
                                  "{training:n} training hours against {training_promised:n} promised"),
    "compliance.crd01.both": ("크라우드소싱 지급 {crowd_paid} (제안 약속 {crowd_promised}), 교육 {training:n}시간 "
                              "(제안 약속 {training_promised:n}시간)",
                              "Crowd payments of {crowd_paid} against {crowd_promised} promised; {training:n} "
                              "training hours against {training_promised:n} promised"),
    "compliance.hir01": ("직접고용 인정 {counted:n}명, 의무 {required:n}명 ({shortfall:n}명 부족)",
                         "{counted:n} direct hires counted, {required:n} required (short by {shortfall:n})"),
    "compliance.hir02": ("근로계약·4대보험·급여 증빙이 갖춰지지 않은 직접고용 {count:n}명 (첫 건: {missing} 없음)",
                         "{count:n} direct hire(s) without complete evidence (first: {missing} missing)"),
    "compliance.hir03": ("같은 사람({person})이 {days:n}일 동안 두 과제에 전일제로 고용됨: {project_a}, {project_b}",
                         "The same person ({person}) is full-time on two projects for {days:n} overlapping days: "
                         "{project_a}, {project_b}"),
    "compliance.sys01.nokey": ("서명 확인 키가 없어 체크포인트 서명을 확인하지 못함",
                               "Checkpoint signatures cannot be checked: no verification key"),
    "compliance.sys01.chain": ("감사 기록의 해시 체인이 {event}번 이벤트에서 끊어짐",
                               "The audit hash chain breaks at event {event}"),
    "compliance.sys01.row": ("보호 자료 변경 탐지: {table} {row}번 행 ({kind})",
                             "Guarded record changed: {table}, row {row} ({kind})"),
    "compliance.sys01.event": ("감사 이벤트 {event}번의 기록 항목이 맞지 않음 ({kind})",
                               "Audit event {event} does not match its entries ({kind})"),
    "compliance.sys01.more": ("그 밖의 행 문제 {count:n}건 (전체 목록은 감사 기록 검증 명령으로 확인)",
                              "{count:n} more row problem(s) (the audit verification command lists them all)"),
    "compliance.sys01.checkpoint": ("체크포인트 파일 {line}번째 줄이 감사 기록과 맞지 않음",
                                    "Checkpoint file line {line} does not match the audit log"),
    # subjects
    "compliance.subject.project": ("{code} {title}", "{code} {title}"),
    "compliance.subject.payee": ("{code} {title} · 지급처 {payee}", "{code} {title} · payee {payee}"),
    "compliance.subject.person": ("인원 {person}", "Person {person}"),
    "compliance.subject.history": ("감사 기록", "Audit log"),
    "compliance.subject.none": ("–", "–"),
}
i18n.register_messages(MESSAGES)

# --- check titles and rules (with the rule values of the programme) ------------------------------------

RULES: dict[str, tuple[str, str]] = {
    "DLV-01": ("구축이 끝난 과제는 계약 물량의 {delivery_min_ratio} 이상을 구축해야 함",
               "Once the build is over, at least {delivery_min_ratio} of the contracted volume is built"),
    "DLV-02": ("품질검증(TTA)에서 조건부 적합 또는 부적합이면 보완 기한까지 보완해야 함",
               "A conditional or failed verification is remedied by its remediation deadline"),
    "DLV-03": ("데이터는 개방 기한까지 AI 허브에 개방해야 함",
               "A data type opens on the data hub (AI Hub) by its opening due date"),
    "DLV-04": ("개방 기한이 지난 데이터는 AI 허브에 개방되어 있어야 함",
               "A data type whose opening due date has passed is open on the data hub"),
    "EVA-01": ("이해충돌을 신고한 평가위원의 평가표는 확정된 선정 결과에 반영하지 않음",
               "A sheet by an evaluator with a declared conflict of interest is never counted in a confirmed "
               "result"),
    "EVA-02": ("1순위가 아니거나 기준점({pass_threshold}점) 미만인 제안을 선정하면 사유를 기록해야 함",
               "Selecting a proposal not ranked first or below the pass threshold ({pass_threshold}) records a "
               "reason"),
    "MON-01": ("모든 집행은 협약기간(연장 포함) 안의 날짜여야 함",
               "Every payment is dated within the agreement period (extensions included)"),
    "MON-02": ("비목별 집행액은 그 비목 예산(승인된 전용 반영)을 넘을 수 없음",
               "Spending on a budget line stays within its budget (after approved transfers)"),
    "MON-03": ("간접비 집행액은 직접비 집행액의 {indirect_cost_cap} 이하여야 함",
               "Indirect costs spent stay within {indirect_cost_cap} of direct costs spent"),
    "MON-04": ("협약 과제의 지급처가 자기 컨소시엄 참여기관이면 안 됨 (참여 크라우드소싱 플랫폼에 대한 크라우드소싱 "
               "비용은 예외)",
               "No payee of an award is a member of its own consortium (except crowd work paid to a member "
               "crowdsourcing platform)"),
    "LAB-01": ("인건비 지수(구축 건당 인건비 ÷ 협약 건당 단가)가 사업 내 협약들의 3사분위수 + "
               "{labour_outlier_iqr_factor}"
               " × 사분위범위를 넘지 않아야 함",
               "The labour-cost index (labour per item built ÷ contract price per item) stays at or below Q3 + "
               "{labour_outlier_iqr_factor} × IQR of the programme's awards"),
    "CRD-01": ("협약 종료 후 크라우드소싱 지급액과 교육 시간이 제안서 약속의 {promise_min_ratio} 이상이어야 함",
               "After the award ends, crowd payments and training hours reach at least {promise_min_ratio} of the "
               "proposal's promise"),
    "HIR-01": ("협약기간이 끝난 과제는 정부출연금 1억원당 {hires_per_100m_krw}명(올림) 이상을 직접고용해야 함",
               "Once the award period has ended, direct hires reach {hires_per_100m_krw} per 100M KRW of grant "
               "(rounded up)"),
    "HIR-02": ("협약기간 중 직접고용 인원은 근로계약서, 4대보험 가입, 급여 지급 증빙을 갖춰야 함",
               "A direct hire in the award period has a labour contract, social-insurance enrolment and payroll on "
               "file"),
    "HIR-03": ("한 사람은 같은 기간에 한 협약에서만 전일제로 고용될 수 있음",
               "One person is employed full-time by at most one award at any time"),
    "SYS-01": ("감사 기록의 해시 체인이 다시 계산되고, 모든 보호 자료가 최신 기록과 일치하며, 서명된 체크포인트를 "
               "모두 이어야 함",
               "The audit hash chain recomputes, every guarded record matches its newest entry, and the log "
               "extends every signed checkpoint"),
}
_RULE_VALUES = {"delivery_min_ratio": "pct", "indirect_cost_cap": "pct", "promise_min_ratio": "pct",
                "pass_threshold": "score", "labour_outlier_iqr_factor": "dec", "hires_per_100m_krw": "dec"}


class _RulesLike(Protocol):
    def __getattr__(self, name: str) -> Any: ...


def check_title(check_id: str, lang: str = "ko") -> str:
    """The check's title in the language (the registry holds both)."""
    from compliance.registry import load_checks

    c = load_checks().get(check_id)
    if c is None:
        return check_id
    return c.title_ko if as_lang(lang) == "ko" else c.title_en


def check_rule_text(check_id: str, lang: str = "ko", rules: Any = None) -> str:
    """The rule a check enforces, in words, with the programme's rule values (default: the 2021 values)."""
    if rules is None:
        from program.models import ProgramRules

        rules = ProgramRules()
    pair = RULES.get(check_id)
    if pair is None:
        return "–"
    values = {k: format_value(kind, getattr(rules, k, None), lang) for k, kind in _RULE_VALUES.items()}
    return pair[0 if as_lang(lang) == "ko" else 1].format(**values)


def severity_label(severity: object, lang: str = "ko") -> str:
    return code_label(SEVERITY, severity, lang)


def status_label(status: object, lang: str = "ko") -> str:
    """'findings' / 'ok' / 'error' of a check's outcome → 지적 있음 / 이상 없음 / 점검 오류."""
    return code_label(STATUS, status, lang)


# --- values -----------------------------------------------------------------------------------------

def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value if not isinstance(value, datetime) else value.date()
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def format_value(kind: str, value: Any, lang: str = "ko") -> str:
    """One typed value as a person reads it (money exact in won, dates 2022. 11. 14., codes by label)."""
    lang = as_lang(lang)
    if value is None or value == "":
        return "–"
    if kind == "won":
        d = _decimal(value)
        return format_krw(int(d.to_integral_value()), "won") if d is not None else str(value)
    if kind == "n":
        d = _decimal(value)
        return f"{int(d):,}" if d is not None and d == d.to_integral_value() else (f"{d:,}" if d is not None else "–")
    if kind == "date":
        return format_date(_day(value), lang)
    if kind == "pct":
        d = _decimal(value)
        return format_pct(d) if d is not None else "–"
    if kind == "pctv":
        d = _decimal(value)
        return f"{d:.1f}%" if d is not None else "–"
    if kind in ("dec", "score"):
        d = _decimal(value)
        if d is None:
            return "–"
        text = f"{d:.3f}".rstrip("0").rstrip(".") if kind == "dec" else f"{d:.2f}"
        return text
    if kind == "ref":
        return str(value)
    if kind == "msg":  # a sentence of core.audit's verification, kept as key and parameters
        if isinstance(value, Mapping) and "message_key" in value:
            from core.audit import render_message

            return render_message(value, lang)
        return str(value)
    if kind == "flag":
        return ("예" if value else "아니오") if lang == "ko" else ("yes" if value else "no")
    if kind.startswith("code:"):
        return code_label(kind[5:], value, lang)
    if kind.startswith("codes:"):
        items = value if isinstance(value, list | tuple) else [value]
        return ", ".join(code_label(kind[6:], v, lang) for v in items)
    return str(value)


def field_label(key: str, lang: str = "ko") -> str:
    spec = FIELDS.get(key)
    if spec is None:
        return "(미분류)" if as_lang(lang) == "ko" else key
    return spec[0] if as_lang(lang) == "ko" else spec[1]


def field_value(key: str, value: Any, lang: str = "ko") -> str:
    spec = FIELDS.get(key)
    return format_value(spec[2] if spec else "text", value, lang)


def _rendered_params(params: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Parameters with every typed value already formatted (counts keep their :n spec as numbers)."""
    out: dict[str, Any] = {}
    for k, v in params.items():
        spec = FIELDS.get(k)
        kind = spec[2] if spec else "text"
        out[k] = (int(_decimal(v) or 0) if v is not None else None) if kind == "n" else format_value(kind, v, lang)
    return out


# --- findings ---------------------------------------------------------------------------------------

class _FindingLike(Protocol):
    message_key: str
    params: dict[str, Any]
    subject_key: str
    subject_params: dict[str, Any]
    evidence: list[dict[str, Any]]


def finding_message(f: Any, lang: str = "ko") -> str:
    """The finding's sentence in the language, from its message key and parameters."""
    return render(f.message_key, _rendered_params(f.params, lang), lang)


def finding_subject(f: Any, lang: str = "ko") -> str:
    """What the finding is about: a project by its code and title, a payee by name, a person by key."""
    params = dict(f.subject_params)
    return render(f.subject_key, {k: ("" if v is None else v) for k, v in params.items()}, lang).strip() or "–"


def evidence_columns(f: Any) -> list[str]:
    """The evidence field keys of a finding, in first-seen order."""
    return list(dict.fromkeys(k for row in f.evidence for k in row))


def evidence_table(f: Any, lang: str = "ko", limit: int | None = None) -> tuple[list[str], list[list[str]]]:
    """(column labels, rows of formatted values) of a finding's evidence."""
    keys = evidence_columns(f)
    rows = f.evidence if limit is None else f.evidence[:limit]
    return ([field_label(k, lang) for k in keys],
            [[field_value(k, row.get(k), lang) for k in keys] for row in rows])


def evidence_rows(f: Any, lang: str = "ko", limit: int | None = None) -> list[tuple[str, str]]:
    """Every evidence value of a finding as (label, formatted value), row after row."""
    rows = f.evidence if limit is None else f.evidence[:limit]
    return [(field_label(k, lang), field_value(k, v, lang)) for row in rows for k, v in row.items()]


def evidence_text(row: Mapping[str, Any], lang: str = "ko") -> str:
    """One evidence row as one line: '금액 3,742,886원 · 집행일 2022. 3. 1.'."""
    return " · ".join(f"{field_label(k, lang)} {field_value(k, v, lang)}" for k, v in row.items())


def lang_of(value: object) -> Lang:
    return as_lang(value)


def unknown_fields(keys: Iterable[str]) -> list[str]:
    return sorted(set(keys) - set(FIELDS))
