"""Words of the reports: the report-specific code labels, and the domain labels a report needs.

A domain registers its own codes in its `labels.py` (core.i18n); `label(group, code, lang)`
reads those first. Until a domain has registered a group, the report falls back to the
Korean/English pair kept here, so that no raw code ever reaches a printed page. Groups
that only reports use (a check's status on the report, the source of a history point,
yes/no cells, audit-log actions) are registered here under the `report.` prefix.
"""

from __future__ import annotations

from core import i18n
from core.i18n import Lang

Pair = tuple[str, str]

# Report-only groups (registered in the catalogue; reports own these words).
REPORT_CODES: dict[str, dict[str, Pair]] = {
    "report.check_status": {
        "ok": ("이상 없음", "no findings"),
        "findings": ("지적 있음", "findings"),
        "error": ("점검 오류", "check failed"),
    },
    "report.history_source": {
        "database": ("사업 DB", "programme database"),
        "reference": ("공개 통계 (참고)", "published figures (reference)"),
    },
    "report.yes_no": {"Y": ("예", "yes"), "N": ("아니오", "no")},
    "report.audit_entity": {
        "award": ("협약", "award"),
        "consortium": ("컨소시엄", "consortium"),
        "delivery": ("산출물", "delivery"),
        "envelope": ("예산 봉투", "envelope"),
        "evaluator": ("평가위원", "evaluator"),
        "expenditure": ("집행", "expenditure"),
        "hire": ("고용", "hire"),
        "organization": ("기관", "organisation"),
        "panel": ("평가위원회", "panel"),
        "project": ("과제", "project"),
        "proposal": ("제안서", "proposal"),
        "rows": ("행 일괄", "rows"),
        "rubric": ("평가표 양식", "rubric"),
        "screening": ("적격성 검토", "screening"),
        "selection": ("선정", "selection"),
        "sheet": ("평가표", "score sheet"),
        "training": ("교육", "training"),
        "user": ("사용자", "user"),
        "whatif": ("가정 분석", "what-if"),
        "program": ("사업", "programme"),
        "job": ("작업", "job"),
        "finding": ("지적 사항", "finding"),
        "checkpoint": ("체크포인트", "checkpoint"),
    },
    "report.audit_verb": {
        "create": ("등록", "created"),
        "extend": ("연장", "extended"),
        "opening": ("개방 기록", "opening recorded"),
        "progress": ("진척 기록", "progress recorded"),
        "remediation": ("보완 기록", "remediation recorded"),
        "verification": ("품질검증 기록", "verification recorded"),
        "transfer": ("전용", "transfer"),
        "import": ("일괄 등록", "imported"),
        "reverse": ("취소 전표", "reversed"),
        "restriction": ("참여 제한", "restriction"),
        "add_demo_evaluator": ("시연 평가위원 추가", "demo evaluator added"),
        "set": ("구성", "set"),
        "ceiling": ("상한액 변경", "ceiling changed"),
        "update": ("수정", "updated"),
        "withdraw": ("철회", "withdrawn"),
        "adopt": ("채택", "adopted"),
        "bulk": ("일괄 기록", "bulk write"),
        "rebaseline": ("기준 재설정", "rebaselined"),
        "write": ("기록", "written"),
        "put": ("저장", "saved"),
        "override": ("직권 변경", "overridden"),
        "run": ("실행", "run"),
        "confirm": ("확정", "confirmed"),
        "reopen": ("재개", "reopened"),
        "save": ("임시 저장", "saved"),
        "submit": ("제출", "submitted"),
        "password_change": ("비밀번호 변경", "password changed"),
        "role_change": ("역할 변경", "role changed"),
        "sessions_revoke": ("세션 해지", "sessions revoked"),
        "rules": ("규칙 변경", "rules changed"),
        "approve": ("승인", "approved"),
        "reject": ("반려", "rejected"),
        "action": ("단계 변경", "stage changed"),
    },
}

# Domain groups: used until the owning domain registers them (program/, scoring/, budgeting/, compliance/).
DOMAIN_FALLBACK: dict[str, dict[str, Pair]] = {
    "outcome": {
        "selected": ("선정", "selected"),
        "reserve": ("예비", "reserve"),
        "not_selected": ("미선정", "not selected"),
        "ineligible": ("부적격", "ineligible"),
        "re-announce": ("재공고", "re-announce"),
        "pending": ("평가 진행 중", "pending"),
    },
    "severity": {"high": ("중대", "high"), "medium": ("주의", "medium"), "low": ("참고", "low")},
    "quality_result": {
        "pass": ("적합", "pass"),
        "conditional": ("조건부 적합", "conditional"),
        "fail": ("부적합", "fail"),
    },
    "quality_state": {
        "not_verified": ("검증 전", "not verified"),
        "pass": ("적합", "passed"),
        "remedied_on_time": ("기한 내 보완", "remedied on time"),
        "remedied_late": ("기한 후 보완", "remedied late"),
        "remediation_overdue": ("보완 기한 경과", "remediation overdue"),
        "remediation_open": ("보완 중", "remediation open"),
    },
    "opening_state": {
        "opened_on_time": ("기한 내 개방", "opened on time"),
        "opened_late": ("지연 개방", "opened late"),
        "not_opened_overdue": ("개방 기한 경과", "not opened, overdue"),
        "pending": ("개방 기한 전", "not yet due"),
        "no_due_date": ("개방 기한 없음", "no due date"),
    },
    "delivery_stage": {
        "contracted": ("협약", "contracted"),
        "built": ("구축", "built"),
        "verified": ("품질검증 통과", "verified"),
        "opened": ("개방", "opened"),
    },
    "award_status": {
        "active": ("수행 중", "active"),
        "completed": ("완료", "completed"),
        "terminated": ("협약 해지", "terminated"),
    },
    "employment_type": {"direct": ("직접고용", "direct hire"), "crowd": ("크라우드 작업", "crowd work")},
    "cost_category": {
        "labour": ("인건비", "labour"),
        "crowdsourcing": ("크라우드소싱 비용", "crowdsourcing"),
        "outsourcing": ("외주용역비", "outsourcing"),
        "collection": ("수집비", "collection"),
        "equipment": ("장비·SW", "equipment and software"),
        "quality": ("품질검증·자문", "quality"),
        "travel": ("여비·회의비", "travel and meetings"),
        "indirect": ("간접비", "indirect costs"),
    },
    "call_type": {
        "designated": ("지정공모", "designated call"),
        "regional": ("자유공모(지역)", "open call (regional)"),
        "free": ("자유공모(자유)", "open call (free)"),
    },
}

for _group, _labels in REPORT_CODES.items():
    i18n.register_codes(_group, _labels)

i18n.register_messages(
    {
        "report.project_not_found": ("과제 코드 {code}인 과제가 없습니다.", "No project has the code {code}."),
    }
)


def label(group: str, code: object, lang: Lang = "ko") -> str:
    """The label of a domain code: the domain's registered words, else this module's fallback pair."""
    if code is None or code == "":
        return "–"
    key = str(getattr(code, "value", code))
    if key in i18n.code_groups().get(group, {}):
        return i18n.code_label(group, key, lang)
    pair = DOMAIN_FALLBACK.get(group, {}).get(key)
    if pair is not None:
        return pair[0] if lang == "ko" else pair[1]
    return i18n.code_label(group, key, lang)


def yes_no(value: bool | None, lang: Lang = "ko") -> str:
    return "–" if value is None else i18n.code_label("report.yes_no", "Y" if value else "N", lang)


def audit_action(action: str, lang: Lang = "ko") -> str:
    """'sheet.submit' → '평가표 제출' (entity and verb labels; an unknown part shows as it is in English only)."""
    entity, _, verb = action.partition(".")
    e = i18n.code_label("report.audit_entity", entity, lang)
    v = i18n.code_label("report.audit_verb", verb, lang) if verb else ""
    return f"{e} {v}".strip()


class Words:
    """`w("한국어", "English")`: the words of a report in its language (Korean unless asked for English)."""

    def __init__(self, lang: Lang) -> None:
        self.lang: Lang = lang

    def __call__(self, ko: str, en: str) -> str:
        return ko if self.lang == "ko" else en

    def date(self, day: object) -> str:
        return i18n.format_date(day, self.lang)  # type: ignore[arg-type]
