"""Korean and English for the programme's life (copy, slots, call) and the proposal intake.

Imported by program.models (so the words are registered wherever the domain is); keys start with
`program.` and `intake.`.
"""

from __future__ import annotations

from core.i18n import register_codes, register_messages

register_codes("program_status", {
    "draft": ("공고 전", "Before the call"),
    "call_open": ("접수 중", "Call open"),
    "call_closed": ("접수 마감", "Call closed"),
})

# the organisation kinds and consortium roles the intake file names (H4's program/labels.py may register
# the same groups with the same words; the later registration simply wins)
register_codes("org_kind", {
    "large": ("대기업", "Large company"), "sme": ("중소기업", "SME"), "startup": ("스타트업", "Start-up"),
    "university": ("대학", "University"), "hospital": ("병원", "Hospital"), "public": ("공공기관", "Public body"),
    "crowd_platform": ("크라우드소싱 플랫폼", "Crowdsourcing platform"),
})
register_codes("member_role", {
    "lead": ("주관기관", "Lead"), "participant": ("참여기관", "Participant"),
    "crowd_platform": ("크라우드소싱 플랫폼", "Crowdsourcing platform"), "quality": ("품질관리", "Quality management"),
})

register_messages({
    "program.not_found": ("사업 {program_id}이(가) 없습니다.", "programme {program_id} does not exist"),
    "program.year_taken": ("{year}년 사업이 이미 있습니다.", "a programme for {year} already exists"),
    "program.not_draft": ("사업이 '{status}' 상태라 이 작업은 공고 전에만 할 수 있습니다.",
                          "the programme is '{status}': this can be done only before the call opens"),
    "program.not_open": ("사업의 접수가 열려 있지 않습니다(상태: {status}).",
                         "the programme's call is not open (status: {status})"),
    "program.call_closed": ("사업의 접수가 마감되어 과제를 추가할 수 없습니다.",
                            "the programme's call is closed: no slot can be added"),
    "program.no_slots": ("과제가 하나도 없어 공고할 수 없습니다.", "the programme has no project slot to announce"),
    "program.unpublished_slots": ("게시하지 않은 과제가 {n:n}개 있습니다: {codes}. 게시하거나 삭제한 뒤 접수를 여세요.",
                                  "{n} slot(s) are not published: {codes}; publish or delete them first"),
    "program.proposals_closed": ("과제 {code}의 사업 접수가 열려 있지 않아 제안서를 받을 수 없습니다.",
                                 "the call of project {code}'s programme is not open: no proposal is accepted"),
    "program.slot_published": ("과제 {code}은(는) 이미 게시되어 여기서 수정할 수 없습니다(상한액은 상한액 변경으로).",
                               "slot {code} is published: it is no longer edited here (the ceiling: change ceiling)"),
    "program.slot_code_taken": ("과제 코드 '{code}'가 이 사업에 이미 있습니다.",
                                "project code '{code}' already exists in this programme"),
    "program.slot_region": ("지역 과제에는 지역이 필요합니다.", "a regional project needs a region"),
    "program.room": ("상한액 {ceiling:won}이(가) 사업의 미배정 예산 {room:won}을(를) {over:won} 초과합니다.",
                     "ceiling {ceiling:won} exceeds the programme's unallocated budget of {room:won} by {over:won}"),
    "program.project_not_found": ("과제 {project_id}이(가) 없습니다.", "project {project_id} does not exist"),
    "program.proposal_not_found": ("제안서 {proposal_id}이(가) 없습니다.", "proposal {proposal_id} does not exist"),
    # proposal documents
    "document.not_pdf": ("PDF 파일이 아닙니다(파일 내용이 %PDF-로 시작하지 않음).",
                         "the file is not a PDF (its content does not start with %PDF-)"),
    "document.empty": ("빈 파일입니다.", "the file is empty"),
    "document.too_large": ("파일이 {limit:n}바이트 한도보다 큽니다.",
                           "the file is larger than the limit of {limit} bytes"),
    "document.none": ("이 제안서에 첨부된 문서가 없습니다.", "this proposal has no document"),
    # intake
    "intake.duplicate": ("같은 파일이 이미 {day:date}에 가져와졌습니다(가져오기 {import_id}).",
                         "the same file was already imported on {day:date} (import {import_id})"),
    "intake.invalid": ("파일에 문제가 {n:n}건 있어 아무것도 가져오지 않았습니다. 첫 문제: {first}",
                       "the file has {n} problem(s); nothing was imported. First: {first}"),
    "intake.cell": ("'{sheet}' {row:n}행 '{column}': {reason}", "'{sheet}' row {row} '{column}': {reason}"),
    "intake.type": ("'{name}'은(는) .xlsx 또는 .csv 파일이 아닙니다.", "'{name}' is neither an .xlsx nor a .csv file"),
    "intake.no_sheet": ("'{sheet}' 시트가 없습니다.", "the sheet '{sheet}' is missing"),
    "intake.header": ("머리글이 서식과 다릅니다. 필요한 열: {columns}",
                      "the header differs from the template; needed: {columns}"),
    "intake.no_rows": ("가져올 제안서 행이 없습니다.", "there is no proposal row to import"),
    "intake.unreadable": ("파일을 읽을 수 없습니다: {reason}", "the file cannot be read: {reason}"),
    "intake.required": ("값이 필요합니다", "a value is required"),
    "intake.integer": ("0 이상의 정수(원)여야 합니다", "must be a whole number of won, 0 or more"),
    "intake.positive": ("0보다 큰 정수여야 합니다", "must be a whole number above 0"),
    "intake.too_long": ("{limit:n}자 이하여야 합니다", "at most {limit} characters"),
    "intake.bool": ("'예' 또는 '아니오'여야 합니다", "must be '예' (yes) or '아니오' (no)"),
    "intake.unknown_project": ("이 사업에 과제 코드 '{value}'가 없습니다",
                               "no project code '{value}' in this programme"),
    "intake.project_closed": ("과제 '{value}'는 접수 중이 아닙니다", "project '{value}' is not open for proposals"),
    "intake.business_number": ("사업자등록번호는 000-00-00000 형식이어야 합니다", "a business number is 000-00-00000"),
    "intake.kind": ("기관 유형이 올바르지 않습니다(가능: {allowed})", "unknown organisation kind (one of {allowed})"),
    "intake.role": ("역할이 올바르지 않습니다(가능: {allowed})", "unknown role (one of {allowed})"),
    "intake.region": ("지역이 올바르지 않습니다(가능: {allowed})", "unknown region (one of {allowed})"),
    "intake.duplicate_key": ("제안서 번호 '{value}'가 파일에 두 번 있습니다", "proposal key '{value}' appears twice"),
    "intake.unknown_key": ("제안서 시트에 번호 '{value}'가 없습니다", "no proposal '{value}' in the proposal sheet"),
    "intake.no_members": ("컨소시엄 구성원이 없습니다", "the consortium has no member"),
    "intake.lead_count": ("주관기관이 정확히 1개여야 합니다(현재 {n:n}개)", "exactly one lead is needed (found {n})"),
    "intake.member_twice": ("같은 기관이 컨소시엄에 두 번 있습니다", "an organisation appears twice in the consortium"),
    "intake.shares": ("참여 비율 합계가 100%가 아닙니다({total}%)", "the shares add up to {total}%, not 100%"),
    "intake.org_mismatch": ("등록된 기관 '{existing}'과(와) 사업자등록번호가 같지만 이름이 다릅니다",
                            "the business number belongs to the registered '{existing}' under another name"),
    "intake.share": ("0에서 100 사이의 비율(%)이어야 합니다", "a share between 0 and 100 (%)"),
    # the intake as a job (program/jobs.py)
    "intake.job.reading": ("파일을 읽는 중입니다", "Reading the file"),
    "intake.job.checking": ("파일을 검사하는 중입니다({done:n}/{total:n}행)",
                            "Checking the file ({done:n}/{total:n} rows)"),
    "intake.job.writing": ("제안서를 등록하는 중입니다({done:n}/{total:n}건)",
                           "Importing the proposals ({done:n}/{total:n})"),
    "intake.job.input_gone": ("올린 파일을 찾을 수 없습니다(이미 처리했거나 보관 기간이 지났습니다). 다시 올리세요.",
                              "the uploaded file is gone (already processed or past its retention); upload it again"),
    "intake.job.empty": ("빈 파일입니다.", "the file is empty"),
})
