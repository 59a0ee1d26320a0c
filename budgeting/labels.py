"""Korean and English for the money domain's stored codes (core.i18n), imported by budgeting.models.

Shared: other parts add their groups here with small edits.
"""

from __future__ import annotations

from core.i18n import register_codes, register_messages

register_codes("award_status", {
    "active": ("수행 중", "Active"),
    "completed": ("완료", "Completed"),
    "terminated": ("협약 해지", "Terminated"),
})

# A job posting on the public board's reference date (budgeting.queries.job_status).
register_codes("job_posting_status", {
    "open": ("모집 중", "Open"),
    "upcoming": ("모집 예정", "Upcoming"),
    "closed": ("마감", "Closed"),
})

# --- H4 (korean-core): cost categories, transfers, employment, and the money domain's error messages
register_codes("cost_category", {
    "labour": ("인건비", "Labour"),
    "crowdsourcing": ("크라우드소싱 비용", "Crowdsourcing payments"),
    "outsourcing": ("외주용역비", "Outsourcing"),
    "collection": ("수집비", "Data collection"),
    "equipment": ("장비·SW", "Equipment and software"),
    "quality": ("품질검증·자문", "Quality verification and advice"),
    "travel": ("여비·회의비", "Travel and meetings"),
    "indirect": ("간접비", "Indirect costs"),
})
register_codes("transfer_status", {
    "recorded": ("처리 완료", "Recorded"),
    "pending": ("승인 대기", "Pending approval"),
    "approved": ("승인", "Approved"),
    "rejected": ("반려", "Rejected"),
})
register_codes("transfer_kind", {
    "line": ("비목 간 전용", "Between budget lines"),
    "envelope": ("재원 간 전용", "Between envelopes"),
})
register_codes("decision_outcome", {
    "approved": ("승인", "Approved"),
    "first_approval": ("1차 승인", "First approval"),
    "rejected": ("반려", "Rejected"),
})
register_codes("employment_type", {
    "direct": ("직접 고용", "Direct hire"),
    "crowd": ("크라우드 작업자", "Crowd worker"),
})

register_messages({
    "budget.err.programme_not_found": ("해당 사업이 없습니다.", "programme {program_id} does not exist"),
    "budget.err.envelopes_exist": ("이 사업에는 이미 재원이 있습니다. 금액은 재원 간 전용으로 옮기세요.",
                                   "programme {program_id} already has envelopes; move money with a transfer"),
    "budget.err.no_projects": ("이 사업에는 재원을 만들 과제가 없습니다.",
                               "programme {program_id} has no projects to build envelopes for"),
    "budget.err.award_not_found": ("해당 협약이 없습니다.", "award {award_id} does not exist"),
    "budget.err.no_envelope": ("과제 {code}에 해당하는 재원이 없습니다. 사업의 재원을 먼저 만드세요.",
                               "no envelope covers project {code}; create the programme's envelopes first"),
    "budget.err.over_recommended": ("지원금 {grant:won}이(가) 선정 시 권고 지원금 {recommended:won}을(를) "
                                    "{over:won} 초과합니다.",
                                    "grant {grant:n} KRW exceeds the selection's recommended grant of "
                                    "{recommended:n} KRW by {over:n} KRW"),
    "budget.err.envelope_not_found": ("이 사업에 해당 재원이 없습니다.",
                                      "envelope {envelope_id} does not exist in this programme"),
    "budget.err.award_exists": ("과제 {code}에는 이미 협약이 있습니다.", "project {code} already has an award"),
    "budget.err.over_ceiling": ("지원금 {grant:won}이(가) 과제 상한액 {ceiling:won}을(를) {over:won} 초과합니다.",
                                "grant {grant:n} KRW exceeds the project ceiling of {ceiling:n} KRW by {over:n} KRW"),
    "budget.err.over_envelope": ("재원 '{name_ko}'의 남은 금액은 {left:won}입니다. 지원금 {grant:won}은(는) "
                                 "{over:won} 초과합니다.",
                                 "envelope '{name_en}' has {left:n} KRW left; a grant of {grant:n} KRW "
                                 "would exceed it by {over:n} KRW"),
    "budget.err.end_date": ("새 종료일 {new_end:date}은(는) 현재 종료일 {current_end:date}보다 뒤여야 합니다.",
                            "new end date {new_end} must be after the current end {current_end}"),
    "budget.err.line_below_spent": ("비목 '{category}'의 미집행액은 {unspent:won}입니다. {amount:won}을(를) 옮기면 "
                                    "이미 집행한 금액보다 {over:won} 적어집니다.",
                                    "line '{category}' has {unspent:n} KRW unspent; moving {amount:n} KRW would "
                                    "take it below what is already spent by {over:n} KRW"),
    "budget.err.indirect_cap": ("이 전용 후 간접비가 직접비의 {cap}% 한도를 {excess:won} 초과합니다.",
                                "after this transfer indirect costs would exceed the cap of {cap}% of direct "
                                "costs by {excess:n} KRW"),
    "budget.err.same_line": ("보내는 비목과 받는 비목이 같습니다.", "source and target line are the same"),
    "budget.err.no_line": ("협약에 그런 비목이 없습니다.", "the award has no such budget line"),
    "budget.err.transfer_not_found": ("해당 전용 기록이 없습니다.", "transfer {transfer_id} does not exist"),
    "budget.err.entry_not_found": ("해당 집행 기록이 없습니다.", "ledger entry {expenditure_id} does not exist"),
    "budget.err.outside_period": ("집행일 {spent:date}은(는) 협약 기간({start:date}~{end:date}) 밖입니다.",
                                  "payment outside the agreement period: {why}"),
    "budget.err.line_overrun": ("{amount:won}을(를) 집행하면 비목 '{category}'의 예산 {budget:won}을(를) "
                                "{over:won} 초과합니다.",
                                "payment of {amount:n} KRW would take line '{category}' past its budget of "
                                "{budget:n} KRW by {over:n} KRW"),
    "budget.err.no_category_line": ("협약에 비목 '{category}'이(가) 없습니다.",
                                    "award {award_id} has no '{category}' budget line"),
    "budget.err.check_digit": ("사업자등록번호 {number}의 검증 숫자가 맞지 않습니다.",
                               "business number {number} has a wrong check digit"),
    "budget.err.reversal_of_reversal": ("이 집행 기록은 그 자체가 취소 기록입니다. "
                                        "취소를 취소하지 말고 새 집행을 기록하세요.",
                                        "entry {expenditure_id} is itself a reversal (of entry {reverses_id}); "
                                        "record a new payment instead of reversing a reversal"),
    "budget.err.already_reversed": ("이 집행 기록은 이미 취소되었습니다.",
                                    "entry {expenditure_id} was already reversed by entry {already}"),
    "budget.err.resident_number": ("개인 식별 키가 주민등록번호처럼 보입니다. 가명 키를 쓰세요.",
                                   "person_key looks like a resident registration number; use a pseudonymous key"),
    "budget.err.not_member": ("이 기관은 협약 컨소시엄의 구성원이 아닙니다.",
                              "organisation {org_id} is not a member of this award's consortium"),
    "budget.err.person_recorded": ("이 사람은 이미 이 협약에 기록되어 있습니다.",
                                   "person '{person_key}' is already recorded on award {award_id}"),
    "budget.err.period_order": ("기간 종료일이 시작일보다 앞설 수 없습니다.",
                                "period_end must not be before period_start"),
    "budget.err.close_before_open": ("마감일이 게시일보다 앞설 수 없습니다.",
                                     "close_date must not be before open_date"),
    "budget.err.unknown_region": ("알 수 없는 지역 '{region}'입니다.", "unknown region '{region}'"),
    "budget.err.posting_not_found": ("해당 일자리 공고가 없습니다.", "job posting {posting_id} does not exist"),
    "budget.err.posting_closed": ("이미 마감된 일자리 공고입니다.", "job posting {posting_id} is already closed"),
})

# --- H10: the ledger import's file and row reasons (budgeting.imports), rendered in the request's language
register_codes("import_column", {
    "category": ("비목", "category"),
    "date": ("일자", "date"),
    "amount": ("금액", "amount"),
    "payee": ("지급처", "payee"),
    "business_number": ("사업자등록번호", "business_number"),
    "description": ("적요", "description"),
    "evidence": ("증빙", "evidence"),
})
register_messages({
    "budget.import.cell": ("{reason}", "{reason}"),
    "budget.import.bool_amount": ("참/거짓이 아니라 원 단위 금액을 숫자로 입력해야 합니다",
                                  "a number of won is required, not TRUE/FALSE"),
    "budget.import.fraction_amount": ("'{value}'은(는) 원 단위의 정수가 아닙니다",
                                      "'{value}' is not a whole number of won"),
    "budget.import.not_whole_won": ("'{value}'은(는) 0보다 큰 원 단위의 정수가 아닙니다",
                                    "'{value}' is not a whole positive number of won"),
    "budget.import.not_date": ("'{value}'은(는) 날짜가 아닙니다(연-월-일, 예: 2021-06-01)",
                               "'{value}' is not a date (YYYY-MM-DD)"),
    "budget.import.unknown_category": ("알 수 없는 비목 '{value}'입니다. 다음 중 하나를 쓰세요: {choices}",
                                       "unknown cost category '{value}'; one of {choices}"),
    "budget.import.no_payee": ("지급처가 비어 있습니다", "payee is missing"),
    "budget.import.bad_business_number": ("'{value}'은(는) 올바른 사업자등록번호(000-00-00000)가 아닙니다",
                                          "'{value}' is not a valid business number (000-00-00000)"),
    "budget.import.no_evidence": ("증빙이 비어 있습니다", "evidence reference is missing"),
    "budget.import.duplicate": ("{earlier}행과 같은 집행입니다(모든 열의 값이 같음)",
                                "the same payment as row {earlier} (every column is equal)"),
    "budget.import.no_line": ("협약에 비목 '{category}'이(가) 없습니다", "the award has no '{category}' budget line"),
    "budget.import.outside_period": ("집행일 {spent:date}은(는) 협약 기간({start:date}~{end:date}) 밖입니다",
                                     "outside the agreement period: {why}"),
    "budget.import.line_overrun": ("비목 '{category}'의 예산 {budget:won}을(를) {over:won} 초과합니다",
                                   "would take line '{category}' past its budget of {budget:n} KRW by {over:n} KRW"),
    "budget.import.empty": ("{filename} 파일이 비어 있습니다.", "{filename} is empty"),
    "budget.import.missing_columns": ("{filename}: 머리글 행에 필수 열이 없습니다: {columns}",
                                      "{filename}: missing column(s) {columns} in the header row"),
    "budget.import.column_missing": ("'{column}' 열이 없습니다", "column missing"),
    "budget.import.no_rows": ("{filename}에 머리글만 있고 집행 행이 없습니다.", "{filename} has a header but no rows"),
    "budget.import.rows_wrong": ("{filename}: {rows:n}개 행이 잘못되어 아무것도 가져오지 않았습니다.",
                                 "{filename}: {rows} row(s) are wrong; nothing was imported"),
})
