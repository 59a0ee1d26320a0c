"""Labels in Korean (default) and English. `t(key, lang)` returns the label; unknown keys show as-is."""

from __future__ import annotations

LANGS = ("ko", "en")

LABELS: dict[str, tuple[str, str]] = {
    # shell
    "app.title": ("인공지능 학습용 데이터 구축 사업", "AI training-data programme"),
    "nav.overview": ("개요", "Overview"),
    "nav.allocation": ("예산 배분", "Allocation"),
    "nav.award": ("협약 상세", "Award"),
    "nav.evaluation": ("평가", "Evaluation"),
    "nav.whatif": ("가정 배분", "What-if"),
    "nav.assignments": ("나의 평가", "My assignments"),
    "nav.obligations": ("고용·크라우드 의무", "Obligations"),
    "nav.delivery": ("데이터 구축·개방", "Delivery"),
    "nav.compliance": ("점검·감사", "Compliance"),
    "nav.jobs": ("크라우드 일자리", "Job board"),
    "nav.login": ("로그인", "Log in"),
    "nav.logout": ("로그아웃", "Log out"),
    "lang.toggle": ("English", "한국어"),
    "role.admin": ("관리자", "admin"),
    "role.official": ("사업 담당관", "official"),
    "role.evaluator": ("평가위원", "evaluator"),
    "role.auditor": ("감사관", "auditor"),
    # login
    "login.title": ("로그인", "Log in"),
    "login.username": ("아이디", "Username"),
    "login.password": ("비밀번호", "Password"),
    "login.submit": ("로그인", "Log in"),
    "login.failed": ("아이디 또는 비밀번호가 올바르지 않습니다.", "Incorrect username or password."),
    "login.public": ("로그인 없이 크라우드 일자리 게시판을 볼 수 있습니다.",
                     "The crowd job board is open without logging in."),
    "denied.title": ("이 페이지를 볼 권한이 없습니다", "You may not open this page"),
    "denied.login": ("로그인이 필요합니다.", "Please log in."),
    "denied.role": ("현재 역할로는 이 페이지를 열 수 없습니다.", "Your role cannot open this page."),
    "notfound": ("페이지를 찾을 수 없습니다", "Page not found"),
    "unavailable": ("선택한 항목의 자료를 찾을 수 없습니다.", "No record exists for this selection."),
    # common
    "empty.nodata": ("표시할 데이터가 없습니다", "No data to show"),
    "amount.eok": ("억원", "100M KRW (억원)"),
    "filter.field": ("분야", "Field"),
    "filter.call_type": ("공모 유형", "Call type"),
    "filter.region": ("지역", "Region"),
    "filter.all": ("전체", "All"),
    "filter.severity": ("심각도", "Severity"),
    "filter.check": ("점검 항목", "Check"),
    # overview
    "ov.title": ("사업 개요", "Programme overview"),
    "ov.budget": ("총 예산", "Total budget"),
    "ov.awarded": ("협약 금액", "Awarded"),
    "ov.executed": ("집행액", "Executed"),
    "ov.remaining": ("잔액", "Remaining"),
    "ov.projects": ("협약 과제", "Projects awarded"),
    "ov.hires": ("직접고용 인정 인원", "Direct hires counted"),
    "ov.crowd": ("크라우드 참여자", "Crowd workers engaged"),
    "ov.opened": ("개방 데이터", "Data types opened"),
    "ov.of": ("중", "of"),
    "ov.project_budget": ("총사업비", "project budgets"),
    "ov.remaining_note": ("총사업비 − 집행액", "project budgets − executed"),
    "ob.short": ("부족", "short"),
    "sev.high": ("중대", "high"),
    "sev.medium": ("주의", "medium"),
    "sev.low": ("참고", "low"),
    "open.opened_on_time": ("기한 내 개방", "opened on time"),
    "open.opened_late": ("지연 개방", "opened late"),
    "open.not_opened_overdue": ("기한 경과 미개방", "overdue, not opened"),
    "open.pending": ("개방 예정", "pending"),
    "open.no_due_date": ("기한 없음", "no due date"),
    "ov.required": ("의무", "required"),
    "ov.history": ("데이터 구축 누적 추이 (2025년 1,300종 목표)", "Data types built, toward 1,300 by 2025"),
    "ov.attention": ("지금 살펴볼 것", "Needs attention now"),
    "ov.findings": ("주요 점검 결과", "Top findings"),
    "ov.behind": ("집행·고용 지연 과제", "Awards behind on spending or hires"),
    "ov.by_field": ("분야별 과제 상한액", "Project ceilings by field"),
    # jobs
    "jobs.title": ("크라우드소싱 일자리", "Open crowdsourcing jobs"),
    "jobs.intro": ("누구나 참여할 수 있는 데이터 수집·라벨링 작업입니다.",
                   "Data collection and labelling tasks anyone can join."),
    "jobs.by_field": ("분야별 모집 공고", "Open postings by field"),
    "jobs.by_region": ("지역별 모집 공고", "Open postings by region"),
    "jobs.list": ("모집 중인 작업", "Open jobs"),
}


def t(key: str, lang: str | None = "ko") -> str:
    """The label for `key` in `lang` ('ko' or 'en')."""
    pair = LABELS.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]


def name(row: dict, lang: str | None, base: str = "name") -> str:
    """Pick `<base>_en` in English when present, else `<base>_ko`."""
    if lang == "en" and row.get(f"{base}_en"):
        return str(row[f"{base}_en"])
    return str(row.get(f"{base}_ko") or row.get(f"{base}_en") or "")

LABELS.update({
    # allocation
    "al.title": ("예산 배분", "Allocation"),
    "al.treemap": ("사업 → 공모 유형 → 분야 → 과제 (협약 정부출연금, 색: 집행률)",
                   "Programme → call type → field → project (grant awarded; colour: execution rate)"),
    "al.root": ("2021 사업", "2021 programme"),
    "al.monthly": ("월별 집행 실적과 계획", "Execution by month against plan"),
    "al.spent": ("집행", "spent"),
    "al.plan": ("계획", "plan"),
    "al.no_awards": ("아직 협약된 과제가 없습니다 (선정 후 협약이 체결되면 표시됩니다)",
                     "No awards yet (they appear once selected proposals are contracted)"),
    "al.no_awards_filter": ("선택한 조건에 맞는 협약 과제가 없습니다", "No award matches the selected filters"),
    "al.no_ledger": ("선택한 과제들의 집행 내역이 아직 없습니다", "No spending recorded for these awards yet"),
    "al.grid": ("협약 과제 목록", "Awards"),
    "col.code": ("과제번호", "Code"),
    "col.title": ("과제명", "Title"),
    "col.field": ("분야", "Field"),
    "col.call_type": ("공모 유형", "Call type"),
    "col.consortium": ("컨소시엄", "Consortium"),
    "col.grant": ("정부출연금(억원)", "Grant (억원)"),
    "col.budget": ("총사업비(억원)", "Budget (억원)"),
    "col.spent": ("집행액(억원)", "Spent (억원)"),
    "col.rate": ("집행률(%)", "Executed (%)"),
    "col.status": ("상태", "Status"),
    "col.end": ("종료일", "Ends"),
    # award
    "aw.title": ("협약 과제", "Award"),
    "aw.notfound": ("해당 협약이 없습니다", "No such award"),
    "aw.lines": ("비목별 예산과 집행", "Budget lines"),
    "aw.ledger": ("집행 원장 (최근 200건)", "Ledger (latest 200 entries)"),
    "aw.hires": ("직접고용", "Direct hires"),
    "aw.crowd": ("크라우드소싱·교육", "Crowdsourcing and training"),
    "aw.findings": ("점검 결과", "Findings"),
    "aw.back": ("← 예산 배분으로", "← back to allocation"),
})

LABELS.update({
    "ov.no_findings": ("점검 결과가 없습니다 (점검을 아직 실행하지 않았거나 모두 통과)",
                       "No findings (checks not run yet, or all passed)"),
    "ov.finding": ("내용", "Finding"),
    "ov.count": ("건수", "Count"),
    "ov.none_behind": ("집행·고용이 뒤처진 과제가 없습니다", "No award is behind on spending or hires"),
    "ov.unspent": ("예상 미집행률", "Projected unspent"),
    "ov.shortfall": ("고용 부족 / 의무", "Hires short / required"),
})

CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    "labour": ("인건비", "Labour"), "crowdsourcing": ("크라우드소싱 비용", "Crowdsourcing"),
    "outsourcing": ("외주용역비", "Outsourcing"), "collection": ("수집비", "Data collection"),
    "equipment": ("장비·SW", "Equipment & SW"), "quality": ("품질검증·자문", "Quality & advice"),
    "travel": ("여비·회의비", "Travel & meetings"), "indirect": ("간접비", "Indirect"),
}


def category(code: str, lang: str | None) -> str:
    pair = CATEGORY_LABELS.get(code)
    return code if pair is None else pair[1] if lang == "en" else pair[0]


LABELS.update({
    "aw.budget": ("예산", "budget"),
    "aw.period": ("협약 기간", "Agreement period"),
    "aw.required": ("직접고용 인정 / 의무", "Hires counted / required"),
    "aw.counted": ("인정 인원", "Counted"),
    "aw.lacking": ("증빙 부족", "Lacking evidence"),
    "aw.workers": ("참여 작업자 (계획)", "Crowd workers (planned)"),
    "aw.crowd_paid": ("크라우드 지급액 (계획)", "Crowd payments (planned)"),
    "aw.training": ("교육 시간 (계획)", "Training hours (planned)"),
    "aw.no_lines": ("이 협약에는 아직 비목별 예산이 없습니다", "This award has no budget lines yet"),
    "col.date": ("집행일", "Date"),
    "col.category": ("비목", "Category"),
    "col.amount": ("금액(원)", "Amount (KRW)"),
    "col.payee": ("지급처", "Payee"),
    "col.description": ("내용", "Description"),
    "col.evidence": ("증빙", "Evidence"),
})

LABELS.update({
    # evaluation
    "ev.title": ("평가 결과", "Evaluation"),
    "ev.project": ("과제", "Project"),
    "ev.panel": ("이 과제 패널의 평가 점수 분포 (제안서별, 5점 구간)",
                 "This panel's score distribution (per proposal, 5-point bands)"),
    "ev.ranking": ("순위와 최종 점수", "Ranking and final scores"),
    "ev.report_pdf": ("평가 결과 보고서 (PDF)", "Evaluation report (PDF)"),
    "ev.decision_pdf": ("선정 심의 자료 (PDF)", "Decision package (PDF)"),
    "ev.decision_xlsx": ("선정 심의 자료 (Excel)", "Decision package (Excel)"),
    "ev.hist": ("분야별 평가 점수 분포 (5점 구간, 반영된 평가표)",
                "Score distribution by field (5-point bands, counted sheets)"),
    "ev.leniency": ("평가위원 관대도 (패널 평균 대비, 상·하위 15명)",
                    "Evaluator leniency (vs. panel mean; 15 most lenient and 15 strictest)"),
    "ev.incomplete": ("평가가 끝나지 않은 패널", "Panels still incomplete"),
    "ev.no_scores": ("아직 제출된 평가표가 없습니다", "No score sheets submitted yet"),
    "ev.no_leniency": ("관대도를 계산할 평가표가 없습니다", "No sheets to compute leniency from"),
    "ev.all_complete": ("모든 패널이 평가를 마쳤습니다", "Every panel has finished"),
    "ev.no_project": ("과제를 선택하세요", "Choose a project"),
    "ev.sheets": ("평가표", "sheets"),
    "ev.points": ("점수 구간", "score band"),
    "ev.lenient": ("점수 차이 (점)", "points above/below panel mean"),
    "col.rank": ("순위", "Rank"),
    "col.panel_score": ("패널 점수", "Panel score"),
    "col.bonus": ("가점", "Bonus"),
    "col.final": ("최종 점수", "Final score"),
    "col.outcome": ("결과", "Outcome"),
    "col.requested": ("신청액", "Requested"),
    "col.recommended": ("권고 지원액", "Recommended grant"),
    "col.panel": ("패널 인원", "Panel"),
    "col.submitted": ("제출", "Submitted"),
    "col.proposals": ("제안서", "Proposals"),
    "outcome.selected": ("선정", "selected"),
    "outcome.reserve": ("예비", "reserve"),
    "outcome.not_selected": ("미선정", "not selected"),
    "outcome.ineligible": ("부적격", "ineligible"),
    "outcome.re-announce": ("재공고", "re-announce"),
    "outcome.pending": ("평가 중", "pending"),
    # assignments
    "as.title": ("나의 평가 과제", "My assignments"),
    "as.pick": ("평가할 제안서", "Proposal to score"),
    "as.none": ("배정된 제안서가 없습니다", "No proposal is assigned to you"),
    "as.no_profile": ("이 계정에는 평가위원 정보가 없습니다", "This account has no evaluator profile"),
    "as.total": ("합계", "Total"),
    "as.save": ("임시 저장", "Save draft"),
    "as.submit": ("제출", "Submit"),
    "as.saved": ("저장했습니다", "Saved"),
    "as.submitted": ("제출했습니다. 평가표가 잠겼습니다.", "Submitted; the sheet is now locked."),
    "as.locked": ("제출된 평가표입니다 (수정하려면 담당관에게 재개를 요청하세요)",
                  "This sheet is submitted (ask an official to reopen it to change it)"),
    "as.comment": ("의견", "Comment"),
    "as.comment_needed": ("최고점의 40% 미만이면 의견이 필요합니다", "A comment is required below 40% of the maximum"),
    "as.missing": ("점수를 입력하세요", "Enter a score"),
    "as.ready": ("모든 항목이 유효합니다. 제출할 수 있습니다.", "All criteria are valid; you can submit."),
    "as.incomplete": ("입력이 끝나지 않았거나 올바르지 않은 항목이 있습니다", "Some criteria are missing or invalid"),
    "as.requested": ("신청 정부출연금", "Requested grant"),
    "as.members": ("참여기관", "Members"),
})

LABELS.update({
    # obligations
    "ob.title": ("고용·크라우드소싱 의무", "Obligations"),
    "ob.by_field": ("분야별 직접고용: 의무 대비 인정 인원", "Direct hires by field: required vs counted"),
    "ob.by_award": ("과제별 직접고용 (점선 아래 = 미달)", "Direct hires per award (below the dotted line = short)"),
    "ob.required": ("의무", "required"),
    "ob.counted": ("인정", "counted"),
    "ob.persons": ("명", "persons"),
    "ob.no_awards": ("아직 협약된 과제가 없어 고용 의무가 없습니다", "No awards yet, so no hiring obligation"),
    "ob.measure": ("약속 대비 실적", "Promised vs delivered"),
    "ob.m.payment": ("크라우드 지급액", "Crowd payments"),
    "ob.m.workers": ("크라우드 작업자", "Crowd workers"),
    "ob.m.training": ("교육 시간", "Training hours"),
    "ob.promised": ("약속(제안서)", "promised (proposal)"),
    "ob.delivered": ("실적", "delivered"),
    "ob.crowd_title": ("분야별 크라우드소싱·교육: 약속 대비 실적",
                       "Crowdsourcing and training by field: promised vs delivered"),
    "ob.short_list": ("고용 부족 과제", "Awards short of required hires"),
    "ob.hours": ("시간", "hours"),
    # delivery
    "dl.title": ("데이터 구축·검증·개방", "Delivery"),
    "dl.funnel": ("계약 → 구축 → 품질검증 → 개방 (데이터 종류 수)",
                  "Contracted → built → verified → opened (data types)"),
    "dl.quality": ("분야별 품질검증 결과", "Quality results by field"),
    "dl.types": ("데이터 종류", "data types"),
    "dl.no_types": ("아직 구축 중인 데이터가 없습니다", "No data types under construction yet"),
    "dl.late": ("개방 지연·미개방 데이터", "Data opened late or not opened"),
    "dl.none_late": ("지연된 데이터가 없습니다", "Nothing is late"),
    "stage.contracted": ("계약", "contracted"),
    "stage.built": ("구축 완료", "built"),
    "stage.verified": ("품질검증 통과", "verified"),
    "stage.opened": ("개방", "opened"),
    "q.pass": ("통과", "passed"),
    "q.remedied_on_time": ("기한 내 보완", "remedied on time"),
    "q.remedied_late": ("기한 후 보완", "remedied late"),
    "q.remediation_open": ("보완 중", "remediation open"),
    "q.remediation_overdue": ("보완 기한 경과", "remediation overdue"),
    "q.not_verified": ("미검증", "not verified"),
    "col.days_late": ("지연일", "Days late"),
    "col.opening": ("개방 상태", "Opening"),
    "col.data_type": ("데이터", "Data type"),
    # compliance
    "cp.title": ("점검 결과", "Compliance findings"),
    "cp.by_check": ("점검 항목별 발견 건수", "Findings per check"),
    "cp.none": ("선택한 조건에 맞는 점검 결과가 없습니다", "No finding matches the filters"),
    "cp.list": ("발견 사항 (행을 선택하면 증빙을 표시합니다)", "Findings (select a row to see its evidence)"),
    "cp.evidence": ("증빙 자료", "Evidence"),
    "cp.pick": ("위 목록에서 발견 사항을 선택하세요", "Select a finding above"),
    "cp.download": ("보고서 내려받기", "Download reports"),
    "cp.pdf": ("점검 보고서 PDF", "Compliance report (PDF)"),
    "cp.xlsx": ("점검 보고서 Excel", "Compliance report (Excel)"),
    "cp.status_pdf": ("사업 현황 PDF", "Status report (PDF)"),
    "cp.status_xlsx": ("사업 현황 Excel", "Status report (Excel)"),
    "cp.count": ("건수", "findings"),
    "col.severity": ("심각도", "Severity"),
    "col.check": ("점검", "Check"),
    "col.message": ("내용", "Message"),
    "col.subject": ("대상", "Subject"),
    "col.amount_eok": ("관련 금액(억원)", "Amount (억원)"),
    # jobs
    "jobs.none": ("현재 모집 중인 작업이 없습니다", "No job is open right now"),
    "jobs.openings": ("공고 수", "postings"),
    "col.platform": ("플랫폼", "Platform"),
    "col.pay": ("단가", "Pay"),
    "col.close": ("마감일", "Closes"),
})
