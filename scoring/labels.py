"""Korean and English for the evaluation domain's stored codes and error messages (core.i18n).

Imported by scoring.models. Code groups: score-sheet statuses, conflict-of-interest records,
selection outcomes, bonus items and evaluator states. Message keys start with `scoring.err.`.
"""

from __future__ import annotations

from core.i18n import register_codes, register_messages

register_codes("sheet_status", {
    "assigned": ("배정됨", "Assigned"),
    "draft": ("작성 중", "Draft"),
    "submitted": ("제출 완료", "Submitted"),
})
register_codes("conflict_kind", {
    "declared": ("이해충돌 신고", "Conflict declared"),
    "membership": ("참여기관 소속", "Works at a bidding organisation"),
    "employment": ("참여기관 근무 이력", "Worked at a bidding organisation"),
    "cleared": ("이해충돌 해소", "Conflict cleared"),
})
register_codes("outcome", {
    "selected": ("선정", "Selected"),
    "reserve": ("예비", "Reserve"),
    "not_selected": ("미선정", "Not selected"),
    "rejected": ("탈락", "Rejected"),
    "ineligible": ("부적격", "Ineligible"),
    "re-announce": ("재공고", "Re-announce"),
    "pending": ("평가 중", "Pending"),
})
register_codes("bonus_code", {
    "CROWD_SHARE": ("크라우드소싱 비율 가점", "Crowdsourcing share bonus"),
    "VULNERABLE": ("취약계층 고용 가점", "Vulnerable groups bonus"),
    "REGIONAL_LEAD": ("지역 주관기관 가점", "Regional lead bonus"),
})
register_codes("evaluator_state", {
    "active": ("활동 중", "Active"),
    "inactive": ("비활성", "Inactive"),
    "conflicted": ("이해충돌", "Conflict of interest"),
    "clear": ("이해충돌 없음", "No conflict"),
})

register_messages({
    "scoring.err.no_evaluator_profile": ("이 계정에는 활동 중인 평가위원 정보가 없습니다.",
                                         "this account has no active evaluator profile"),
    "scoring.err.assignment_not_found": ("해당 평가 배정이 없습니다.", "assignment {sheet_id} does not exist"),
    "scoring.err.conflicted": ("이 과제와 이해충돌이 있어 평가할 수 없습니다.",
                               "you have a conflict of interest with this project"),
    "scoring.err.unknown_criterion": ("알 수 없는 평가 항목 '{code}'입니다. 가능한 항목: {codes}",
                                      "unknown criterion '{code}'; one of {codes}"),
    "scoring.err.criterion_twice": ("평가 항목 {code}이(가) 두 번 들어 있습니다.", "criterion {code} appears twice"),
    "scoring.err.score_range": ("평가 항목 {code}({name}): {points}점은 0점에서 {max}점 사이여야 합니다.",
                                "criterion {code} ({name}): {points} must be between 0 and {max}"),
    "scoring.err.score_step": ("평가 항목 {code}({name}): {points}점은 {step}점 단위여야 합니다.",
                               "criterion {code} ({name}): {points} must be a multiple of {step}"),
    "scoring.err.score_invalid": ("평가 항목 {code}({name}): {points}점은 줄 수 없는 점수입니다.",
                                  "criterion {code} ({name}): {points} {error}"),
    "scoring.err.sheet_locked": ("제출하여 잠긴 평가표입니다. 담당 공무원에게 다시 열어 달라고 요청하세요.",
                                 "this sheet is submitted and locked; ask an official to reopen it"),
    "scoring.err.sheet_submitted": ("이미 제출한 평가표입니다.", "this sheet is already submitted"),
    "scoring.err.no_score": ("평가 항목 {code}({name})에 점수가 없습니다.", "criterion {code} ({name}) has no score"),
    "scoring.err.comment_required": ("평가 항목 {code}({name}): 배점의 {pct}% 미만이면 의견을 적어야 합니다.",
                                     "criterion {code} ({name}): a comment is required below {pct}% of the maximum"),
    "scoring.err.evaluator_account_not_found": ("해당 평가위원 계정이 없습니다.",
                                                "evaluator account {user_id} does not exist"),
    "scoring.err.evaluator_not_found": ("해당 평가위원이 없습니다.", "evaluator {evaluator_id} does not exist"),
    "scoring.err.project_not_found": ("해당 과제가 없습니다.", "project {project_id} does not exist"),
    "scoring.err.selection_not_found": ("해당 선정 기록이 없습니다.", "selection {selection_id} does not exist"),
    "scoring.err.programme_not_found": ("해당 사업이 없습니다.", "programme {program_id} does not exist"),
    "scoring.err.call_type_not_found": ("공모 유형 '{code}'이(가) 없습니다.", "call type '{code}' does not exist"),
    "scoring.err.no_rubric": ("이 사업의 해당 공모 유형에 평가표 양식이 없습니다.",
                              "no rubric for call type {call_type_id} in programme {program_id}"),
    "scoring.err.criterion_codes_unique": ("평가 항목 코드가 겹칩니다.", "criterion codes must be unique"),
    "scoring.err.maxima_sum": ("평가 항목 배점의 합은 100점이어야 합니다(현재 {total}점).",
                               "criterion maxima must sum to 100 points, not {total}"),
    "scoring.err.maximum_step": ("{code}의 배점은 {step}점 단위여야 합니다.",
                                 "maximum of {code} must be a multiple of the step {step}"),
    "scoring.err.bonus_codes_unique": ("가점 항목 코드가 겹칩니다.", "bonus item codes must be unique"),
    "scoring.err.rubric_in_use": ("이 양식으로 평가가 시작되어 더 이상 바꿀 수 없습니다.",
                                  "scoring has started with this rubric; it can no longer be changed"),
    "scoring.err.panel_size": ("평가위원회는 {low}명에서 {high}명이어야 합니다(현재 {n}명).",
                               "a panel has {low} to {high} evaluators, not {n}"),
    "scoring.err.selection_confirmed_panel": ("이 과제의 선정이 확정되어 평가위원회를 바꿀 수 없습니다.",
                                              "the selection of this project is confirmed; the panel is closed"),
    "scoring.err.unknown_evaluators": ("없거나 비활성인 평가위원이 {n:n}명 있습니다.",
                                       "unknown or inactive evaluator(s): {ids}"),
    "scoring.err.panel_conflicts": ("이해충돌이 있는 평가위원이 있습니다: {named_ko}",
                                    "conflict of interest: {named_en}"),
    "scoring.err.already_scored": ("평가위원 {code}은(는) 이미 점수를 매겼습니다. 빼지 말고 이해충돌을 신고하세요.",
                                   "evaluator {code} has already scored; declare a conflict instead of removing them"),
    "scoring.err.too_few_free": ("이해충돌이 없는 평가위원이 {n}명뿐입니다. 평가위원회에는 {low}명이 필요합니다.",
                                 "only {n} conflict-free evaluators are available; a panel needs {low}"),
    "scoring.err.already_confirmed": ("과제 {code}의 선정은 이미 확정되었습니다.",
                                      "the selection of project {code} is already confirmed"),
    "scoring.err.panel_incomplete": ("평가위원회가 완전하지 않습니다. 제출되지 않은 평가표가 있습니다.",
                                     "the panel is not complete: some sheets are not submitted"),
    "scoring.err.reannounce": ("선정할 수 있는 제안서가 없습니다(기준 점수 미달이거나 평가위원회 미완료). "
                               "재공고해야 합니다.",
                               "no proposal can be selected (none reaches the threshold or the panel is incomplete); "
                               "the project must be re-announced"),
    "scoring.err.not_this_project": ("이 과제의 제안서가 아닙니다.",
                                     "proposal {proposal_id} is not a proposal of this project"),
    "scoring.err.below_threshold": ("기준 점수 {threshold}점에 못 미치거나 적격이 아닌 제안서는 선정할 수 없습니다.",
                                    "proposal {proposal_id} is below the threshold of {threshold} "
                                    "or not eligible and cannot be selected"),
    "scoring.err.reason_required": ("1순위가 아닌 제안서를 선정하려면 사유를 적어야 합니다.",
                                    "selecting a proposal other than rank 1 requires a written reason"),
    "scoring.err.sheet_not_found": ("해당 평가표가 없습니다.", "sheet {sheet_id} does not exist"),
    "scoring.err.sheet_not_submitted": ("제출되지 않은 평가표라 다시 열 것이 없습니다.",
                                        "sheet {sheet_id} is not submitted; there is nothing to reopen"),
    "scoring.err.selection_confirmed_sheets": ("이 과제의 선정이 확정되어 평가표를 다시 열 수 없습니다.",
                                               "the selection of this project is confirmed; "
                                               "its sheets can no longer be reopened"),
    "scoring.err.screening_closed": ("이 과제의 선정이 확정되어 적격 심사가 마감되었습니다.",
                                     "the selection of this project is confirmed; screening is closed"),
    "scoring.err.proposal_not_found": ("해당 제안서가 없습니다.", "proposal {proposal_id} does not exist"),
    "scoring.err.not_screened": ("아직 적격 심사를 하지 않은 제안서입니다. 과제의 적격 심사를 먼저 하세요.",
                                 "proposal {proposal_id} has not been screened yet; screen its project first"),
    "scoring.err.override_status": ("제안서가 {status} 상태라 적격 심사 결과를 바꿀 수 없습니다. "
                                    "접수, 적격, 부적격 상태에서만 바꿀 수 있습니다.",
                                    "proposal {proposal_id} is {status}; only a submitted, eligible or ineligible "
                                    "proposal can have its screening overridden"),
    "scoring.err.ceiling_frozen": ("과제 {code}은(는) {status} 상태라 상한액을 더 바꿀 수 없습니다.",
                                   "project {code} is {status}; its ceiling no longer changes"),
})
