"""Korean and English for the programme domain's stored codes and error messages (core.i18n).

Imported by program.models, so the words are registered wherever the domain is. Code groups:
call types, project and proposal statuses, organisation kinds, consortium roles, project
actions, quality results, remediation states and the delivery stages of the funnel. Message
keys start with `program.err.` (raised by program.service and program.delivery).
"""

from __future__ import annotations

from core.i18n import register_codes, register_messages

register_codes("call_type", {
    "designated": ("지정공모", "Designated contest"),
    "regional": ("자유공모(지역)", "Free contest (regional)"),
    "free": ("자유공모(자유)", "Free contest (free)"),
})
register_codes("project_status", {
    "open": ("공모 중", "Call open"),
    "under_evaluation": ("평가 중", "Under evaluation"),
    "awarded": ("협약 체결", "Awarded"),
    "building": ("구축 중", "Building"),
    "quality_verification": ("품질검증 중", "Quality verification"),
    "opened": ("개방 완료", "Opened"),
    "reannounced": ("재공고", "Re-announced"),
    "cancelled": ("취소", "Cancelled"),
})
register_codes("proposal_status", {
    "submitted": ("접수", "Submitted"),
    "eligible": ("적격", "Eligible"),
    "ineligible": ("부적격", "Ineligible"),
    "under_review": ("평가 중", "Under review"),
    "selected": ("선정", "Selected"),
    "reserve": ("예비", "Reserve"),
    "not_selected": ("미선정", "Not selected"),
    "withdrawn": ("철회", "Withdrawn"),
})
register_codes("org_kind", {
    "large": ("대기업", "Large company"), "sme": ("중소기업", "SME"), "startup": ("스타트업", "Start-up"),
    "university": ("대학", "University"), "hospital": ("병원", "Hospital"), "public": ("공공기관", "Public body"),
    "crowd_platform": ("크라우드소싱 플랫폼", "Crowdsourcing platform"),
})
register_codes("member_role", {
    "lead": ("주관기관", "Lead"), "participant": ("참여기관", "Participant"),
    "crowd_platform": ("크라우드소싱 플랫폼", "Crowdsourcing platform"), "quality": ("품질관리", "Quality management"),
})
register_codes("project_action", {
    "close-call": ("접수 마감", "Close the call"),
    "reannounce": ("재공고", "Re-announce"),
    "cancel": ("취소", "Cancel"),
    "start-quality-verification": ("품질검증 착수", "Start quality verification"),
    "mark-opened": ("개방 완료 처리", "Mark as opened"),
    "panel": ("평가위원회 구성", "Set the panel"),
    "confirm-selection": ("선정 확정", "Confirm the selection"),
    "sign-agreement": ("협약 체결", "Sign the agreement"),
})
register_codes("quality_result", {
    "pass": ("적합", "Pass"),
    "conditional": ("조건부 적합", "Conditional pass"),
    "fail": ("부적합", "Fail"),
})
register_codes("remediation_status", {
    "not_required": ("보완 불필요", "Not required"),
    "open": ("보완 중", "Remediation open"),
    "remedied": ("보완 완료", "Remedied"),
})
register_codes("delivery_stage", {
    "contracted": ("계약", "Contracted"),
    "built": ("구축", "Built"),
    "verified": ("품질검증 통과", "Verified"),
    "opened": ("개방", "Opened"),
})

register_messages({
    "program.err.no_programme": ("사업이 아직 없습니다. 먼저 초기 자료를 넣으세요.",
                                 "no programme yet: run `python main.py seed`"),
    "program.err.invalid_rules": ("사업 규칙이 올바르지 않습니다: {reason}", "invalid rules: {reason}"),
    "program.err.unknown_field": ("알 수 없는 분야 코드 '{code}'입니다.", "unknown field code '{code}'"),
    "program.err.unknown_call_type": ("알 수 없는 공모 유형 '{code}'입니다.", "unknown call type '{code}'"),
    "program.err.ceiling_over_room": ("상한액 {ceiling:won}이(가) 사업의 미배정 예산 {room:won}을(를) "
                                      "{over:won} 초과합니다.",
                                      "ceiling {ceiling:n} KRW exceeds the programme's unallocated budget of "
                                      "{room:n} KRW by {over:n} KRW"),
    "program.err.not_edited": ("이 항목은 수정으로 바꿀 수 없습니다. 해당 절차({how})를 이용하세요.",
                               "'{key}' is not changed by an edit; use {how}"),
    "program.err.ceiling_positive": ("상한액은 0보다 큰 원 단위 금액이어야 합니다.",
                                     "a ceiling is a positive number of won"),
    "program.err.not_official_action": ("담당 공무원이 하는 처리가 아닙니다. 가능한 처리: {actions}",
                                        "'{action}' is not an action an official takes; one of {actions}"),
    "program.err.org_not_found": ("해당 기관이 없습니다.", "organisation {org_id} does not exist"),
    "program.err.business_number_taken": ("사업자등록번호 {business_number}은(는) 이미 등록되어 있습니다.",
                                          "business number {business_number} is already registered"),
    "program.err.consortium_not_found": ("해당 컨소시엄이 없습니다.", "consortium {consortium_id} does not exist"),
    "program.err.lead_count": ("컨소시엄에는 주관기관이 정확히 하나 있어야 합니다(현재 {n:n}개).",
                               "a consortium needs exactly one lead, got {n}"),
    "program.err.member_twice": ("한 기관이 컨소시엄에 두 번 들어 있습니다.",
                                 "an organisation appears twice in the consortium"),
    "program.err.shares": ("계획 지분의 합이 {total}%로 100%가 아닙니다.",
                           "planned shares add up to {total}%, not 100%"),
    "program.err.not_open_for_proposals": ("과제 {code}은(는) 현재 {status} 상태라 제안서를 받지 않습니다. "
                                           "제안서는 공모 중에만 접수합니다.",
                                           "project {code} is not open for proposals (status {status}); "
                                           "proposals are accepted only while its call is open"),
    "program.err.proposal_status_edit": ("제안서의 상태는 수정으로 바꿀 수 없습니다. "
                                         "적격 심사, 선정, 철회 절차를 따릅니다.",
                                         "a proposal's status is not changed by an edit; it follows screening, "
                                         "selection and POST /api/v1/proposals/{{id}}/actions/withdraw"),
    "program.err.proposal_frozen": ("제안서가 접수되어 일부 항목({n:n}개)은 더 이상 바꿀 수 없습니다.",
                                    "proposal {proposal_id} is submitted: {fields} can no longer change"),
    "program.err.data_type_not_found": ("해당 데이터 유형이 없습니다.", "data type {data_type_id} does not exist"),
    "program.err.remediation_deadline": ("조건부 적합이나 부적합 판정에는 보완 기한이 필요합니다.",
                                         "a conditional or failed verification needs a remediation deadline"),
    "program.err.remediation_before": ("보완 기한이 검증일보다 앞섭니다.",
                                       "the remediation deadline is before the verification date"),
    "program.err.verification_not_found": ("해당 품질검증 기록이 없습니다.",
                                           "verification {verification_id} does not exist"),
    "program.err.no_open_remediation": ("이 품질검증에는 진행 중인 보완이 없습니다(상태: {status}).",
                                        "verification {verification_id} has no open remediation (status {status})"),
    "program.err.remedied_before": ("보완일이 검증일보다 앞섭니다.", "remedied before the verification"),
    "program.err.opening_due": ("첫 개방 기록에는 개방 기한이 필요합니다.",
                                "the first opening record needs a due date"),
})
