"""Programme (officials; auditors read): the programme's call state (before the call, open, closed) and its
project slots; next year's programme made from this one; a slot added, edited within the programme total,
deleted or published; a draft's rules and envelopes changed; the call opened and closed; proposals imported
from the intake template as a job (progress bar, then the counts or every problem in the page's language).

Every change is the service function the API calls (dashboard.data.programme_life), audited there; each asks
for confirmation and its callback re-checks on the server that the caller is an official (access.register,
then `_official`). Values are parsed through the API's request schemas (ProgramCopyIn, SlotCreate, SlotUpdate,
ProgramRulesUpdate, EnvelopeTransferCreate). Rules and envelopes change only before the call (checked again by
the data layer in the same transaction).
"""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal, InvalidOperation
from typing import Any

import dash
from dash import ALL, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate
from pydantic import ValidationError

from budgeting.schemas import EnvelopeTransferCreate
from core import auth
from core.errors import DomainError, RuleViolation
from core.models import Role, User
from core.money import format_krw
from dashboard import access, data
from dashboard.data import programme_life as life
from dashboard.i18n import LABELS, t
from dashboard.pages.actions import confirm, done, fired, refusal_text, refused, when
from dashboard.pages.common import parse_id
from program.models import ProgramCopyIn, ProgramRulesUpdate, SlotCreate, SlotUpdate
from scoring.models import RubricIn

PAGE = "programme"
MAX_UPLOAD_BYTES = 20 * 2**20  # an intake file (the API's upload limit is the same order)
POLL_MS = 700
#: the rule values the page edits: (ProgramRules field, shown as a percentage)
RULE_FIELDS: tuple[tuple[str, bool], ...] = (
    ("hires_per_100m_krw", False), ("pass_threshold", False), ("transfer_free_ratio", True),
    ("envelope_transfer_free_ratio", True), ("comment_required_below", True),
)

LABELS.update({
    "nav.programme": ("사업 운영", "Programme"),
    "pg.title": ("사업 운영", "Programme"),
    "pg.state": ("사업 현황", "Programme state"),
    "pg.status_label": ("진행 상태", "State"),
    "pg.status.draft": ("공고 전", "before the call"),
    "pg.status.call_open": ("접수 중", "call open"),
    "pg.status.call_closed": ("접수 마감", "call closed"),
    "pg.year": ("연도", "Year"),
    "pg.name_ko": ("사업명 (한국어)", "Name (Korean)"),
    "pg.name_en": ("사업명 (영어)", "Name (English)"),
    "pg.total": ("총사업비", "Programme total"),
    "pg.total_hint": ("원 단위, 비우면 이 사업과 같음", "in won; empty: the same as this programme"),
    "pg.ceilings": ("과제 상한 합계", "Sum of the slot ceilings"),
    "pg.room": ("남은 여유", "Room left"),
    "pg.slots_n": ("과제 수 (공고됨)", "Slots (published)"),
    "pg.opened": ("접수 개시일", "Call opened"),
    "pg.closed": ("접수 마감일", "Call closed"),
    "pg.copied_from": ("원본 사업", "Copied from"),
    "pg.slots": ("과제 목록", "Project slots"),
    "pg.no_slots": ("과제가 없습니다", "No slot yet"),
    "pg.published": ("공고됨", "published"),
    "pg.unpublished": ("공고 전", "not published"),
    "pg.copy": ("다음 연도 사업 만들기", "Create next year's programme"),
    "pg.copy_hint": ("이 사업의 규칙, 핵심분야, 공모유형, 평가표, 가점, 예산 봉투와 비목 비율을 복사합니다",
                     "Copies this programme's rules, fields, call types, rubric, bonus items, envelopes and shares"),
    "pg.copy_confirm": ("이 사업을 복사해 새 사업을 만듭니다. 계속할까요?",
                        "Create a new programme copied from this one?"),
    "pg.copied": ("{y}년 사업 '{n}'을(를) 만들었습니다 (공고 전). 과제를 추가하고 공고하세요",
                  "Created the {y} programme '{n}' (before its call): add and publish its slots"),
    "pg.open_new": ("새 사업 보기", "Open the new programme"),
    "pg.add": ("과제 추가", "Add a slot"),
    "pg.add_button": ("과제 추가", "Add the slot"),
    "pg.add_confirm": ("이 과제를 추가합니다. 계속할까요?", "Add this slot?"),
    "pg.added": ("과제 {c}을(를) 추가했습니다 (상한 {a})", "Added the slot {c} (ceiling {a})"),
    "pg.edit": ("과제 수정·공고", "Edit or publish a slot"),
    "pg.edit_button": ("과제 수정", "Save the slot"),
    "pg.edit_confirm": ("이 과제를 수정합니다. 계속할까요?", "Save these changes to the slot?"),
    "pg.edited": ("과제 {c}을(를) 수정했습니다", "Saved the slot {c}"),
    "pg.publish": ("과제 공고", "Publish the slot"),
    "pg.publish_confirm": ("이 과제를 공고합니다. 공고한 과제는 더 이상 고칠 수 없습니다. 계속할까요?",
                           "Publish this slot? A published slot can no longer be edited."),
    "pg.published_done": ("과제 {c}을(를) 공고했습니다", "Published the slot {c}"),
    "pg.call": ("공모 접수", "The call"),
    "pg.open_call": ("접수 개시", "Open the call"),
    "pg.open_confirm": ("공모 접수를 시작합니다. 이후에는 규칙과 과제를 고칠 수 없습니다. 계속할까요?",
                        "Open the call? Rules and slots are then fixed."),
    "pg.opened_done": ("공모 접수를 시작했습니다 (과제 {n}개)", "The call is open ({n} slots)"),
    "pg.close_call": ("접수 마감", "Close the call"),
    "pg.close_confirm": ("공모 접수를 마감합니다. 제안서가 있는 과제는 평가 단계로 넘어갑니다. "
                         "되돌릴 수 없습니다. 계속할까요?",
                         "Close the call? Projects with proposals move to evaluation. This cannot be undone."),
    "pg.closed_done": ("접수를 마감했습니다: 평가로 넘어간 과제 {m}개, 제안서가 없는 과제 {e}개",
                       "The call is closed: {m} projects move to evaluation, {e} have no proposal"),
    "pg.intake": ("제안서 일괄 접수", "Proposal intake"),
    "pg.intake_hint": ("양식을 내려받아 작성한 뒤 올리세요. 파일 전체를 먼저 검사하며, "
                       "문제가 하나라도 있으면 아무것도 등록하지 않습니다.",
                       "Download the template, fill it in and upload it. The whole file is checked first; "
                       "if anything is wrong nothing is imported."),
    "pg.template_xlsx": ("양식 내려받기 (엑셀)", "Template (Excel)"),
    "pg.template_csv": ("양식 내려받기 (CSV)", "Template (CSV)"),
    "pg.upload": ("파일을 끌어다 놓거나 눌러서 고르세요 (.xlsx, .csv)",
                  "Drop a file here or click to choose (.xlsx, .csv)"),
    "pg.imported": ("'{f}': 제안서 {p}건, 컨소시엄 {c}개, 구성원 {m}개 기관을 등록했습니다 (새 기관 {o}곳)",
                    "'{f}': imported {p} proposals, {c} consortia, {m} members ({o} new organisations)"),
    "pg.intake_started": ("'{f}'을(를) 검사하고 등록하는 중입니다", "Checking and importing '{f}'"),
    "pg.rules": ("사업 규칙", "Programme rules"),
    "pg.rules_hint": ("공고 전에만 고칠 수 있습니다. 비율은 % 단위입니다.",
                      "Editable only before the call. Shares are in %."),
    "pg.rule.hires_per_100m_krw": ("정부출연금 1억원당 직접고용(명)", "Direct hires per 100M won of grant"),
    "pg.rule.pass_threshold": ("선정 기준 점수(점)", "Pass threshold (points)"),
    "pg.rule.transfer_free_ratio": ("비목 간 자유 전용 한도(%)", "Budget-line transfer without approval (%)"),
    "pg.rule.envelope_transfer_free_ratio": ("예산 봉투 간 자유 이동 한도(%)",
                                             "Envelope transfer without approval (%)"),
    "pg.rule.comment_required_below": ("평가 의견 필수 기준(배점 대비 %)",
                                       "Comment required below (% of a criterion's maximum)"),
    "pg.rules_button": ("규칙 저장", "Save the rules"),
    "pg.rules_confirm": ("사업 규칙을 바꿉니다. 계속할까요?", "Change the programme's rules?"),
    "pg.rules_done": ("사업 규칙을 저장했습니다: {c}", "Saved the rules: {c}"),
    "pg.rules_same": ("바뀐 값이 없습니다", "Nothing changed"),
    "pg.not_draft": ("이 사업은 '{s}' 상태입니다. 규칙, 예산 봉투와 과제는 공고 전에만 고칠 수 있습니다.",
                     "This programme is '{s}': its rules, envelopes and slots can be changed only before the call."),
    "pg.envelopes": ("예산 봉투", "Budget envelopes"),
    "pg.no_envelopes": ("예산 봉투가 없습니다", "No envelope yet"),
    "pg.env_total": ("합계", "Total"),
    "col.envelope": ("봉투", "Envelope"),
    "pg.col_amount": ("배정액", "Amount"),
    "col.awarded": ("협약액", "Awarded"),
    "col.available": ("잔액", "Available"),
    "pg.env_move": ("봉투 금액 조정", "Move money between envelopes"),
    "pg.env_hint": ("한 봉투에서 다른 봉투로 옮깁니다. 사업 총액은 그대로입니다.",
                    "Moves money from one envelope to another; the programme total stays the same."),
    "pg.env_from": ("보내는 봉투", "From"),
    "pg.env_to": ("받는 봉투", "To"),
    "pg.env_amount": ("옮길 금액", "Amount to move"),
    "pg.env_button": ("금액 옮기기", "Move the amount"),
    "pg.env_confirm": ("예산 봉투 사이에 금액을 옮깁니다. 계속할까요?", "Move this amount between the envelopes?"),
    "pg.env_done": ("{f}에서 {to}(으)로 {a}을(를) 옮겼습니다", "Moved {a} from {f} to {to}"),
    "pg.env_pending": ("{a} 이동은 자유 이동 한도를 넘어 승인을 기다립니다", "Moving {a} exceeds the free share: "
                       "it waits for approval"),
    "pg.rubric": ("평가표", "Rubric"),
    "pg.rubric_hint": ("공모유형별 평가 항목과 배점입니다. 배점 합계는 100점이어야 합니다. 배점을 비우면 그 항목을 "
                       "빼고, 마지막 빈 줄에 적으면 항목을 더합니다.",
                       "Criteria and maximum points by call type; the maxima add up to 100. Empty a maximum to "
                       "remove its criterion; fill in the last, empty row to add one."),
    "pg.rubric_sum": ("현재 배점 합계: {n}점", "Current total: {n} points"),
    "pg.no_rubric": ("평가표가 없습니다", "No rubric yet"),
    "col.criterion_ko": ("평가 항목", "Criterion (Korean)"),
    "col.criterion_en": ("평가 항목 (영어)", "Criterion (English)"),
    "col.max_points": ("배점", "Maximum"),
    "pg.rubric_button": ("평가표 저장", "Save the rubric"),
    "pg.rubric_confirm": ("이 공모유형의 평가표를 바꿉니다. 계속할까요?", "Replace this call type's rubric?"),
    "pg.rubric_done": ("{t} 평가표를 저장했습니다 (항목 {n}개, 합계 {s}점)",
                       "Saved the {t} rubric ({n} criteria, {s} points)"),
    "pg.pick_rubric": ("먼저 공모유형을 고르세요", "Choose a call type first"),
    "pg.rubric_names": ("{n}번째 항목의 이름을 한국어와 영어로 모두 적으세요",
                        "Give criterion {n} a name in Korean and in English"),
    "pg.delete": ("과제 삭제", "Delete the slot"),
    "pg.delete_confirm": ("이 과제를 삭제합니다. 되돌릴 수 없습니다. 계속할까요?",
                          "Delete this slot? This cannot be undone."),
    "pg.deleted": ("과제 {c}을(를) 삭제했습니다", "Deleted the slot {c}"),
    "pg.intake_refused": ("파일을 등록하지 않았습니다 (문제 {n}건)", "The file was not imported ({n} problem(s))"),
    "pg.too_large": ("파일이 너무 큽니다", "The file is too large"),
    "pg.bad_upload": ("파일을 읽을 수 없습니다", "The file cannot be read"),
    "pg.pick_slot": ("먼저 과제를 고르세요", "Choose a slot first"),
    "pg.none": ("사업이 없습니다", "There is no programme"),
    "col.sheet": ("시트", "Sheet"),
    "col.row": ("행", "Row"),
    "col.column": ("열", "Column"),
    "col.reason": ("사유", "Reason"),
    "pg.col_code": ("과제코드", "Code"),
    "col.title": ("과제명", "Title"),
    "pg.col_field": ("핵심분야", "Field"),
    "pg.col_call_type": ("공모유형", "Call type"),
    "col.region": ("지역", "Region"),
    "col.ceiling": ("상한액", "Ceiling"),
    "col.volume": ("계획 물량", "Planned volume"),
    "col.published": ("공고", "Published"),
    "pg.code_hint": ("예: 2022-01", "e.g. 2022-01"),
    "pg.ceiling_hint": ("원 단위", "in won"),
    "pg.unit": ("단위", "Unit"),
    "field.year": ("연도", "year"),
    "field.name_ko": ("사업명", "name"),
    "field.name_en": ("영문 사업명", "English name"),
    "field.total_budget_krw": ("총사업비", "programme total"),
    "field.code": ("과제코드", "slot code"),
    "field.field_code": ("핵심분야", "field"),
    "field.call_type": ("공모유형", "call type"),
    "field.title_ko": ("과제명", "title"),
    "field.title_en": ("영문 과제명", "English title"),
    "field.region": ("지역", "region"),
    "field.ceiling_krw": ("상한액", "ceiling"),
    "field.planned_volume": ("계획 물량", "planned volume"),
    "field.volume_unit": ("단위", "unit"),
    "field.program_id": ("사업", "programme"),
    "field.file": ("파일", "file"),
    "field.approval_limit_krw": ("승인 한도", "approval limit"),
    "field.rules": ("사업 규칙", "rules"),
    "field.from_envelope_id": ("보내는 봉투", "source envelope"),
    "field.to_envelope_id": ("받는 봉투", "target envelope"),
    "field.amount_krw": ("금액", "amount"),
    "field.reason": ("사유", "reason"),
    "field.status": ("진행 상태", "state"),
    "field.criteria": ("평가 항목", "criteria"),
    "field.max_points": ("배점", "maximum"),
})
for _k, _ in RULE_FIELDS:  # a refused rule value is named by its label
    LABELS[f"field.{_k}"] = LABELS[f"pg.rule.{_k}"]


def _official(user: User | None) -> bool:
    return user is not None and auth.allows(user.role, (Role.official,))


def _name(pair: tuple[str, str, str], lang: str | None) -> str:
    return (pair[2] or pair[1]) if lang == "en" else pair[1]


def _status(code: str, lang: str | None) -> str:
    return t(f"pg.status.{code}", lang)


def state_card(st: dict[str, Any], lang: str | None) -> html.Div:
    name = (st["name_en"] or st["name_ko"]) if lang == "en" else st["name_ko"]
    rows = [
        ("pg.year", str(st["year"])),
        ("pg.status_label", _status(st["status"], lang)),
        ("pg.total", format_krw(st["total_budget_krw"], "won")),
        ("pg.ceilings", format_krw(st["sum_of_ceilings_krw"], "won")),
        ("pg.room", format_krw(st["room_krw"], "won")),
        ("pg.slots_n", f"{st['slots']} ({st['published_slots']})"),
        ("pg.opened", when(st["call_opened_date"], lang)),
        ("pg.closed", when(st["call_closed_date"], lang)),
    ]
    return html.Div([
        html.H3(f"{t('pg.state', lang)} · {name}"),
        html.Dl([part for k, v in rows for part in (html.Dt(t(k, lang)), html.Dd(v, id=f"programme-{k[3:]}"))],
                className="facts"),
    ], className="card", id="programme-state")


def slots_table(rows: list[dict[str, Any]], ch: dict[str, Any], lang: str | None) -> Any:
    if not rows:
        return html.P(t("pg.no_slots", lang), className="hint", id="programme-no-slots")
    fields = {c: (c, k, e) for c, k, e in ch["fields"]}
    types = {c: (c, k, e) for c, k, e in ch["call_types"]}
    head = html.Tr([html.Th(t(k, lang)) for k in ("pg.col_code", "col.title", "pg.col_field", "pg.col_call_type",
                                                   "col.region", "col.ceiling", "col.volume", "col.published")])
    body = [html.Tr([
        html.Td(r["code"]), html.Td((r.get("title_en") or r["title_ko"]) if lang == "en" else r["title_ko"]),
        html.Td(_name(fields[r["field_code"]], lang) if r.get("field_code") in fields else "–"),
        html.Td(_name(types[r["call_type_code"]], lang) if r.get("call_type_code") in types else "–"),
        html.Td(r.get("region") or "–"),
        html.Td(format_krw(r["ceiling_krw"], "won"), className="num"),
        html.Td(f"{r.get('planned_volume', 0):,} {r.get('volume_unit') or ''}".strip(), className="num"),
        html.Td(t("pg.published" if r.get("published") else "pg.unpublished", lang),
                className="ok" if r.get("published") else "hint"),
    ], id=f"programme-slot-{r['code']}") for r in rows]
    return html.Table([html.Thead(head), html.Tbody(body)], className="simple", id="programme-slots-table")


def _slot_options(rows: list[dict[str, Any]], lang: str | None) -> list[dict[str, Any]]:
    return [{"label": f"{r['code']} · {r['title_ko']}"
                      + ("" if r.get("published") else f" · {t('pg.unpublished', lang)}"), "value": r["id"]}
            for r in rows]


def _field(label: str, control: Any, cid: str, hint: str | None = None) -> html.Div:
    return html.Div([html.Label(label, htmlFor=cid), control,
                     html.Span(hint, className="hint") if hint else None], className="form-field")


def _text(cid: str, max_length: int = 200, **kw: Any) -> dcc.Input:
    return dcc.Input(id=cid, type="text", maxLength=max_length, **kw)


def _number(cid: str, **kw: Any) -> dcc.Input:
    return dcc.Input(id=cid, type="number", min=0, max=10**15, step=1, **kw)


def _forms(pid: int, st: dict[str, Any], rows: list[dict[str, Any]], ch: dict[str, Any],
           lang: str | None) -> list[Any]:
    draft = st["status"] == "draft"
    copy_form = html.Div([
        html.H3(t("pg.copy", lang)), html.P(t("pg.copy_hint", lang), className="hint"),
        _field(t("pg.year", lang), _number("programme-copy-year", value=int(st["year"]) + 1), "programme-copy-year"),
        _field(t("pg.name_ko", lang), _text("programme-copy-name-ko"), "programme-copy-name-ko"),
        _field(t("pg.name_en", lang), _text("programme-copy-name-en"), "programme-copy-name-en"),
        _field(t("pg.total", lang), _number("programme-copy-total"), "programme-copy-total", t("pg.total_hint", lang)),
        confirm("programme-copy", t("pg.copy", lang), t("pg.copy_confirm", lang)),
    ], className="card form", id="programme-copy-form")
    add_form = html.Div([
        html.H3(t("pg.add", lang)),
        _field(t("pg.col_code", lang), _text("programme-slot-code", 32), "programme-slot-code",
               t("pg.code_hint", lang)),
        _field(t("col.title", lang), _text("programme-slot-title"), "programme-slot-title"),
        _field(t("pg.col_field", lang), dcc.Dropdown(id="programme-slot-field", clearable=False,
                                                  options=[{"label": _name(f, lang), "value": f[0]}
                                                           for f in ch["fields"]]), "programme-slot-field"),
        _field(t("pg.col_call_type", lang), dcc.Dropdown(id="programme-slot-type", clearable=False,
                                                      options=[{"label": _name(c, lang), "value": c[0]}
                                                               for c in ch["call_types"]]), "programme-slot-type"),
        _field(t("col.region", lang), _text("programme-slot-region", 32), "programme-slot-region"),
        _field(t("col.ceiling", lang), _number("programme-slot-ceiling"), "programme-slot-ceiling",
               t("pg.ceiling_hint", lang)),
        _field(t("col.volume", lang), _number("programme-slot-volume", value=0), "programme-slot-volume"),
        _field(t("pg.unit", lang), _text("programme-slot-unit", 20, value="건"), "programme-slot-unit"),
        confirm("programme-add", t("pg.add_button", lang), t("pg.add_confirm", lang), disabled=not draft),
    ], className="card form", id="programme-add-form")
    edit_form = html.Div([
        html.H3(t("pg.edit", lang)),
        _field(t("pg.col_code", lang), dcc.Dropdown(id="programme-edit-slot", options=_slot_options(rows, lang)),
               "programme-edit-slot"),
        _field(t("col.title", lang), _text("programme-edit-title"), "programme-edit-title"),
        _field(t("col.ceiling", lang), _number("programme-edit-ceiling"), "programme-edit-ceiling",
               t("pg.ceiling_hint", lang)),
        _field(t("col.volume", lang), _number("programme-edit-volume"), "programme-edit-volume"),
        html.Div([confirm("programme-edit", t("pg.edit_button", lang), t("pg.edit_confirm", lang), disabled=not draft),
                  confirm("programme-publish", t("pg.publish", lang), t("pg.publish_confirm", lang),
                          disabled=not draft),
                  confirm("programme-delete", t("pg.delete", lang), t("pg.delete_confirm", lang),
                          disabled=not draft, cls="danger")], className="form-row"),
    ], className="card form", id="programme-edit-form")
    call_form = html.Div([
        html.H3(t("pg.call", lang)),
        html.Div([confirm("programme-open", t("pg.open_call", lang), t("pg.open_confirm", lang), disabled=not draft),
                  confirm("programme-close", t("pg.close_call", lang), t("pg.close_confirm", lang),
                          disabled=st["status"] != "call_open", cls="danger")], className="form-row"),
    ], className="card form", id="programme-call-form")
    parts: list[Any] = [html.Div([copy_form, call_form], className="grid2")]
    if not draft:
        parts.append(html.P(t("pg.not_draft", lang).format(s=_status(st["status"], lang)), className="hint",
                            id="programme-not-draft"))
    parts += [html.Div([add_form, edit_form], className="grid2"),
              html.Div([_rules_form(pid, draft, lang), _envelope_form(pid, draft, lang)], className="grid2"),
              _rubric_form(pid, draft, lang)]
    return parts


def _points(value: Any) -> str:
    number = Decimal(str(value))
    return f"{number.normalize():f}" if number == number.to_integral() else f"{number:f}".rstrip("0")


def _labelled(name: str, control: Any) -> html.Label:
    """A table cell's input with its accessible name (axe: every form field has a label)."""
    return html.Label([html.Span(name, className="sr-only"), control])


def rubric_rows(rubric: dict[str, Any] | None, draft: bool, lang: str | None) -> Any:
    """The criteria of one rubric as editable rows (names, maximum), plus an empty row to add one."""
    if rubric is None:
        return html.P(t("pg.no_rubric", lang), className="hint", id="programme-no-rubric")
    criteria = list(rubric["criteria"]) + [{"name_ko": "", "name_en": "", "max_points": None}]
    head = html.Tr([html.Th(t(k, lang)) for k in ("col.criterion_ko", "col.criterion_en", "col.max_points")])
    body = []
    for i, c in enumerate(criteria):
        body.append(html.Tr([
            html.Td(_labelled(f"{t('col.criterion_ko', lang)} {i + 1}", dcc.Input(
                id={"type": "programme-crit-ko", "i": i}, type="text", maxLength=200, value=c["name_ko"],
                disabled=not draft))),
            html.Td(_labelled(f"{t('col.criterion_en', lang)} {i + 1}", dcc.Input(
                id={"type": "programme-crit-en", "i": i}, type="text", maxLength=200, value=c["name_en"],
                disabled=not draft))),
            # step="any", no min/max: the browser would silently drop an out-of-range number; the server judges
            html.Td(_labelled(f"{t('col.max_points', lang)} {i + 1}", dcc.Input(
                id={"type": "programme-crit-max", "i": i}, type="number", step="any", disabled=not draft,
                value=float(c["max_points"]) if c["max_points"] is not None else None, style={"width": "7em"}))),
        ]))
    total = sum(Decimal(str(c["max_points"])) for c in rubric["criteria"])
    return html.Div([html.Table([html.Thead(head), html.Tbody(body)], className="simple",
                                id="programme-rubric-table"),
                     html.P(t("pg.rubric_sum", lang).format(n=_points(total)), className="hint",
                            id="programme-rubric-sum")])


def _rubric_name(r: dict[str, Any], lang: str | None) -> str:
    return str(r.get("name_en") or r["name_ko"]) if lang == "en" else str(r["name_ko"])


def _rubric_form(pid: int, draft: bool, lang: str | None) -> html.Div:
    rubrics = life.rubrics(pid)
    first = rubrics[0] if rubrics else None
    return html.Div([
        html.H3(t("pg.rubric", lang)), html.P(t("pg.rubric_hint", lang), className="hint"),
        _field(t("pg.col_call_type", lang), dcc.Dropdown(
            id="programme-rubric-type", clearable=False, value=first["call_type"] if first else None,
            options=[{"label": _rubric_name(r, lang), "value": r["call_type"]} for r in rubrics]),
            "programme-rubric-type"),
        html.Div(rubric_rows(first, draft, lang), id="programme-rubric-rows"),
        confirm("programme-rubric", t("pg.rubric_button", lang), t("pg.rubric_confirm", lang),
                disabled=not draft or first is None),
    ], className="card form", id="programme-rubric-form")


def show_rubric(user: User | None, call_type: Any, key: dict[str, Any] | None) -> Any:
    """The rows of the rubric chosen in the dropdown."""
    lang = (key or {}).get("lang")
    pid = _pid(key)
    if not _official(user) or pid is None:
        raise PreventUpdate
    found = next((r for r in life.rubrics(pid) if r["call_type"] == call_type), None)
    return rubric_rows(found, life.state(pid)["status"] == "draft", lang)


class _PageRefusal(Exception):
    """A refusal the page words itself (already in the page's language)."""


def _rubric_in(rubric: dict[str, Any], names_ko: list[Any], names_en: list[Any], maxima: list[Any],
               lang: str | None) -> RubricIn:
    """The rubric as typed: existing criteria keep their codes (from the server, by row), an emptied maximum
    removes one, a filled extra row adds one; the step and the bonus items stay as they are."""
    codes = [str(c["code"]) for c in rubric["criteria"]]
    criteria: list[dict[str, Any]] = []
    for i, (ko, en, top) in enumerate(list(zip(names_ko, names_en, maxima, strict=False))[:51]):
        if top is None or top == "":
            continue
        if isinstance(top, bool) or not isinstance(top, int | float | str):
            raise RuleViolation("not a number", field="max_points")
        if i < len(codes):
            code = codes[i]
        else:
            taken = set(codes) | {c["code"] for c in criteria}
            code = next(f"C{n}" for n in range(len(taken) + 1, len(taken) + 60) if f"C{n}" not in taken)
        if not str(ko or "").strip() or not str(en or "").strip():
            raise _PageRefusal(t("pg.rubric_names", lang).format(n=i + 1))
        criteria.append({"code": code, "name_ko": ko or "", "name_en": en or "", "max_points": str(top)})
    return RubricIn.model_validate({
        "step": rubric["step"], "criteria": criteria,
        "bonus_items": [{"code": b["code"], "name_ko": b["name_ko"], "name_en": b["name_en"]}
                        for b in rubric["bonus_items"]]})


def _rule_shown(value: Any, percent: bool) -> float | None:
    """A stored rule value as the form shows it (a share as a percentage)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return float(number * 100) if percent else float(number)


def _rules_form(pid: int, draft: bool, lang: str | None) -> html.Div:
    values = life.rules(pid)
    fields = [_field(t(f"pg.rule.{k}", lang),
                     # no min/max in the browser: an out-of-range number would silently become empty there;
                     # the server refuses it, naming the rule (ProgramRules bounds, as the API)
                     dcc.Input(id=f"programme-rule-{k}", type="number", step="any",
                               value=_rule_shown(values.get(k), pct), disabled=not draft),
                     f"programme-rule-{k}") for k, pct in RULE_FIELDS]
    return html.Div([
        html.H3(t("pg.rules", lang)), html.P(t("pg.rules_hint", lang), className="hint"), *fields,
        confirm("programme-rules", t("pg.rules_button", lang), t("pg.rules_confirm", lang), disabled=not draft),
    ], className="card form", id="programme-rules-form")


def _envelope_name(e: dict[str, Any], lang: str | None) -> str:
    return str(e.get("name_en") or e["name_ko"]) if lang == "en" else str(e["name_ko"])


def envelopes_table(rows: list[dict[str, Any]], lang: str | None) -> Any:
    if not rows:
        return html.P(t("pg.no_envelopes", lang), className="hint", id="programme-no-envelopes")
    nowrap = {"whiteSpace": "nowrap"}
    head = html.Tr([html.Th(t("col.envelope", lang)),
                    *[html.Th(t(k, lang), className="num") for k in ("pg.col_amount", "col.awarded", "col.available")]])
    body = [html.Tr([html.Td(_envelope_name(e, lang)),
                     *[html.Td(format_krw(e[k], "won"), className="num", style=nowrap)
                       for k in ("amount_krw", "awarded_krw", "available_krw")]], id=f"programme-envelope-{e['id']}")
            for e in rows]
    total = html.Tr([html.Th(t("pg.env_total", lang)),
                     *[html.Th(format_krw(sum(e[k] for e in rows), "won"), className="num", style=nowrap)
                       for k in ("amount_krw", "awarded_krw", "available_krw")]])
    return html.Table([html.Thead(head), html.Tbody([*body, total])], className="simple",
                      id="programme-envelopes-table")


def _envelope_form(pid: int, draft: bool, lang: str | None) -> html.Div:
    rows = life.envelopes(pid)
    options = [{"label": f"{_envelope_name(e, lang)} ({format_krw(e['amount_krw'], 'auto')})", "value": e["id"]}
               for e in rows]
    parts: list[Any] = [html.H3(t("pg.envelopes", lang)), envelopes_table(rows, lang)]
    # the controls are always there, even with no envelope yet (the page's one action callback reads them)
    off = not draft or not rows
    parts += [
        html.H4(t("pg.env_move", lang)), html.P(t("pg.env_hint", lang), className="hint"),
        _field(t("pg.env_from", lang), dcc.Dropdown(id="programme-env-from", options=options, disabled=off),
               "programme-env-from"),
        _field(t("pg.env_to", lang), dcc.Dropdown(id="programme-env-to", options=options, disabled=off),
               "programme-env-to"),
        _field(t("pg.env_amount", lang), _number("programme-env-amount", disabled=off), "programme-env-amount",
               t("pg.ceiling_hint", lang)),
        _field(t("act.reason", lang), _text("programme-env-reason", 500, disabled=off), "programme-env-reason",
               t("act.reason_hint", lang)),
        confirm("programme-envelope", t("pg.env_button", lang), t("pg.env_confirm", lang), disabled=off),
    ]
    return html.Div(parts, className="card form", id="programme-envelope-form")


def _intake(pid: int, official: bool, lang: str | None) -> html.Div:
    base = f"/api/v1/programs/{pid}/intake/template"
    parts: list[Any] = [
        html.H3(t("pg.intake", lang)), html.P(t("pg.intake_hint", lang), className="hint"),
        html.Div([html.A(t("pg.template_xlsx", lang), href=f"{base}?format=xlsx", id="programme-template-xlsx",
                         className="button", download=""),
                  html.A(t("pg.template_csv", lang), href=f"{base}?format=csv", id="programme-template-csv",
                         className="button", download="")], className="form-row"),
    ]
    if official:
        parts += [dcc.Upload(html.Div(t("pg.upload", lang)), id="programme-upload", accept=".xlsx,.csv",
                             max_size=MAX_UPLOAD_BYTES, multiple=False, className="upload",
                             style={"border": "2px dashed #8a99ad", "borderRadius": "6px", "padding": "18px",
                                    "textAlign": "center", "cursor": "pointer", "marginTop": "8px"}),
                  dcc.Store(id="programme-intake-job"),
                  dcc.Interval(id="programme-intake-poll", interval=POLL_MS, disabled=True),
                  html.Div(id="programme-intake-result", role="status", style={"marginTop": "8px"})]
    return html.Div(parts, className="card", id="programme-intake")


def render(user: User | None, pid: int, lang: str | None) -> list[Any]:
    st = life.state(pid)
    rows = life.slots(pid)
    ch = life.choices()
    parts: list[Any] = [state_card(st, lang),
                        html.Div([html.H3(t("pg.slots", lang)), slots_table(rows, ch, lang)], className="card")]
    if _official(user):
        parts += _forms(pid, st, rows, ch, lang)
    else:
        parts.append(html.P(t("act.readonly", lang), className="hint"))
    parts.append(_intake(pid, _official(user), lang))
    return parts


def _pid(key: dict[str, Any] | None) -> int | None:
    pid = parse_id((key or {}).get("pid"))
    known = {s["id"] for s in life.states()}
    if pid in known:
        return pid
    main = data.main_program_id()
    return main if main in known else (max(known) if known else None)


def layout(user: User | None, lang: str | None, query: dict[str, str]) -> Any:
    raw = parse_id(query.get("program"))
    pid = _pid({"pid": raw})
    if pid is None:
        return html.Div([html.H2(t("pg.title", lang)), html.P(t("pg.none", lang), className="hint")],
                        id="programme-page")
    return html.Div([
        html.H2(t("pg.title", lang)),
        dcc.Store(id="programme-key", data={"pid": pid, "lang": lang}),
        html.Div(id="programme-message", role="status"),
        html.Div(render(user, pid, lang), id="programme-body"),
    ], id="programme-page")


def _int_or_none(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RuleViolation("not a number", field="value")
    try:
        number = float(value)
    except ValueError:
        raise RuleViolation("not a number", field="value") from None
    if number != int(number) or abs(number) > 10**16:
        raise RuleViolation("not a whole number", field="value")
    return int(number)


def _rule_values(values: tuple[Any, ...], current: dict[str, Any]) -> dict[str, Any]:
    """The rule values typed in the form that differ from the stored ones (shares back from % to 0–1)."""
    changes: dict[str, Any] = {}
    for (name, percent), raw in zip(RULE_FIELDS, values, strict=True):
        if raw is None or raw == "":
            continue
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise RuleViolation("not a number", field=name)
        try:
            number = Decimal(str(raw))
        except InvalidOperation:
            raise RuleViolation("not a number", field=name) from None
        if not number.is_finite():
            raise RuleViolation("not a number", field=name)
        value = number / 100 if percent else number
        if Decimal(str(current.get(name))) != value:
            changes[name] = str(value.normalize()) if value == value.to_integral() else str(value)
    return changes


def _rules_text(changes: dict[str, Any], saved: dict[str, Any], lang: str | None) -> str:
    shown = []
    for name, percent in RULE_FIELDS:
        if name in changes:
            value = _rule_shown(saved.get(name), percent)
            number = f"{value:g}" if value is not None else "–"
            shown.append(f"{t(f'pg.rule.{name}', lang)} {number}")
    return ", ".join(shown)


def act(user: User | None, _copy: Any, _add: Any, _edit: Any, _publish: Any, _open: Any, _close: Any,
        _delete: Any, _rules: Any, _envelope: Any, _rubric: Any,
        key: dict[str, Any] | None, year: Any, name_ko: Any, name_en: Any, total: Any,
        code: Any, title: Any, field_code: Any, call_type: Any, region: Any, ceiling: Any, volume: Any, unit: Any,
        edit_slot: Any, edit_title: Any, edit_ceiling: Any, edit_volume: Any,
        env_from: Any, env_to: Any, env_amount: Any, env_reason: Any, rubric_type: Any = None,
        crit_ko: Any = None, crit_en: Any = None, crit_max: Any = None, *rule_values: Any) -> tuple[Any, Any]:
    """Carry out the confirmed action for an official (the caller was checked by access.register, re-checked here).

    Returns (message, page body).
    """
    lang = (key or {}).get("lang")
    if not _official(user):
        raise PreventUpdate
    assert user is not None
    action = fired()
    if not action:
        raise PreventUpdate
    pid = _pid(key)
    if pid is None:
        raise PreventUpdate
    keep: Any = dash.no_update
    try:
        if action == "programme-copy":
            new = life.copy(user, pid, ProgramCopyIn.model_validate({
                "year": _int_or_none(year), "name_ko": name_ko or "", "name_en": name_en or "",
                "total_budget_krw": _int_or_none(total)}))
            text = t("pg.copied", lang).format(y=new["year"], n=new["name_ko"])
            message: Any = html.Div([done(text, "programme-done"),
                                     html.A(t("pg.open_new", lang), href=f"/dashboard/programme?program={new['id']}",
                                            id="programme-new-link")])
        elif action == "programme-add":
            slot = life.add_slot(user, pid, SlotCreate.model_validate({
                "code": code or "", "field_code": field_code or "", "call_type": call_type or "",
                "title_ko": title or "", "region": region or None, "ceiling_krw": _int_or_none(ceiling),
                "planned_volume": _int_or_none(volume) or 0, "volume_unit": unit or "건"}))
            message = done(t("pg.added", lang).format(c=slot["code"], a=format_krw(slot["ceiling_krw"], "won")),
                           "programme-done")
        elif action in ("programme-edit", "programme-publish", "programme-delete"):
            slot_id = parse_id(edit_slot)
            known = {s["id"]: s for s in life.slots(pid)}
            if slot_id is None or slot_id not in known:
                return refused(t("pg.pick_slot", lang), "programme-error"), keep
            if action == "programme-delete":
                life.delete_slot(user, slot_id)
                message = done(t("pg.deleted", lang).format(c=known[slot_id]["code"]), "programme-done")
            elif action == "programme-edit":
                changes = {k: v for k, v in {"title_ko": edit_title or None,
                                             "ceiling_krw": _int_or_none(edit_ceiling),
                                             "planned_volume": _int_or_none(edit_volume)}.items() if v is not None}
                slot = life.update_slot(user, slot_id, SlotUpdate.model_validate(changes))
                message = done(t("pg.edited", lang).format(c=slot["code"]), "programme-done")
            else:
                slot = life.publish_slot(user, slot_id)
                message = done(t("pg.published_done", lang).format(c=slot["code"]), "programme-done")
        elif action == "programme-rules":
            changes = _rule_values(tuple(rule_values), life.rules(pid))
            if not changes:
                return refused(t("pg.rules_same", lang), "programme-error"), keep
            patch = ProgramRulesUpdate.model_fields["rules"].annotation
            assert isinstance(patch, type)
            data = ProgramRulesUpdate(rules=patch.model_validate(changes))
            saved = life.update_rules(user, pid, data)
            message = done(t("pg.rules_done", lang).format(c=_rules_text(changes, saved, lang)), "programme-done")
        elif action == "programme-rubric":
            found = next((r for r in life.rubrics(pid) if r["call_type"] == rubric_type), None)
            if found is None:
                return refused(t("pg.pick_rubric", lang), "programme-error"), keep
            names_ko, names_en, maxima = (list(v) if isinstance(v, list) else [] for v in (crit_ko, crit_en, crit_max))
            try:
                rubric = _rubric_in(found, names_ko, names_en, maxima, lang)
            except _PageRefusal as exc:
                return refused(f"{t('act.refused', lang)}: {exc}", "programme-error"), keep
            saved = life.put_rubric(user, pid, str(found["call_type"]), rubric)
            message = done(t("pg.rubric_done", lang).format(
                t=_rubric_name(found, lang), n=len(saved["criteria"]),
                s=_points(sum(Decimal(str(c["max_points"])) for c in saved["criteria"]))), "programme-done")
        elif action == "programme-envelope":
            transfer = EnvelopeTransferCreate.model_validate({
                "from_envelope_id": parse_id(env_from), "to_envelope_id": parse_id(env_to),
                "amount_krw": _int_or_none(env_amount), "reason": env_reason or ""})
            names = {e["id"]: _envelope_name(e, lang) for e in life.envelopes(pid)}
            moved = life.transfer_envelope(user, pid, transfer)
            amount = format_krw(moved["amount_krw"], "won")
            if moved.get("status") == "pending":
                message = done(t("pg.env_pending", lang).format(a=amount), "programme-done")
            else:
                message = done(t("pg.env_done", lang).format(f=names.get(transfer.from_envelope_id, ""),
                                                             to=names.get(transfer.to_envelope_id, ""), a=amount),
                               "programme-done")
        elif action == "programme-open":
            result = life.open_call(user, pid)
            message = done(t("pg.opened_done", lang).format(n=result["program"]["slots"]), "programme-done")
        elif action == "programme-close":
            result = life.close_call(user, pid)
            message = done(t("pg.closed_done", lang).format(m=len(result["projects_moved"]),
                                                            e=len(result["projects_without_proposals"])),
                           "programme-done")
        else:
            raise PreventUpdate
    except (DomainError, ValidationError) as exc:
        return refused(f"{t('act.refused', lang)}: {refusal_text(exc, lang)}", "programme-error"), keep
    return message, render(user, pid, lang)


def problems_table(items: list[dict[str, Any]], lang: str | None) -> html.Table:
    head = html.Tr([html.Th(t(k, lang)) for k in ("col.sheet", "col.row", "col.column", "col.reason")])
    body = [html.Tr([html.Td(str(i.get("sheet", ""))), html.Td(str(i.get("row", "")), className="num"),
                     html.Td(str(i.get("column", ""))), html.Td(str(i.get("reason", "")))]) for i in items[:500]]
    return html.Table([html.Thead(head), html.Tbody(body)], className="simple", id="programme-intake-problems")


def intake_status(out: dict[str, Any], lang: str | None) -> Any:
    """An intake job on the page: a progress bar while it runs, then the counts or every problem."""
    job = out["job"]
    if out.get("result"):
        r = out["result"]
        return done(t("pg.imported", lang).format(f=r["filename"], p=r["proposals"], c=r["consortia"],
                                                  m=out.get("members", 0), o=r["organizations"]),
                    "programme-intake-done")
    if job["status"] in ("failed", "cancelled"):
        items = out.get("problems") or []
        text = (t("pg.intake_refused", lang).format(n=len(items)) if items
                else f"{t('act.refused', lang)}: {out.get('detail') or job['message']}")
        parts: list[Any] = [refused(text, "programme-intake-error")]
        if items:
            parts.append(problems_table(items, lang))
        return html.Div(parts)
    return html.Div([html.Progress(value=str(job["progress"]), max="100", id="programme-intake-progress",
                                   title=f"{job['progress']}%", style={"width": "240px"}),
                     html.Span(f" {job['progress']}% · {job['message']}", id="programme-intake-message")])


def upload(user: User | None, contents: Any, filename: Any, key: dict[str, Any] | None) -> tuple[Any, bool, Any]:
    """Store the uploaded intake file and start its import job for an official; (job id, stop polling, shown)."""
    lang = (key or {}).get("lang")
    if not _official(user) or not isinstance(contents, str) or not contents:
        raise PreventUpdate
    assert user is not None
    pid = _pid(key)
    if pid is None:
        raise PreventUpdate
    name = str(filename or "")[:255]
    if len(contents) > MAX_UPLOAD_BYTES * 4 // 3 + 1000:
        return None, True, refused(t("pg.too_large", lang), "programme-intake-error")
    try:
        raw = base64.b64decode(contents.split(",", 1)[1] if "," in contents else contents, validate=True)
    except (binascii.Error, ValueError):
        return None, True, refused(t("pg.bad_upload", lang), "programme-intake-error")
    try:
        job_id = life.start_import(user, pid, name, raw)
        out = life.import_outcome(user, job_id, lang)
    except DomainError as exc:
        return None, True, refused(f"{t('act.refused', lang)}: {refusal_text(exc, lang)}", "programme-intake-error")
    finished = out["job"]["status"] in ("done", "failed", "cancelled")
    return job_id, finished, html.Div([html.P(t("pg.intake_started", lang).format(f=name), className="hint"),
                                       intake_status(out, lang)])


def poll(user: User | None, _: Any, job_id: Any, key: dict[str, Any] | None) -> tuple[Any, bool]:
    """The intake job's progress for its requester; polling stops once it is finished."""
    lang = (key or {}).get("lang")
    if not _official(user) or not isinstance(job_id, int) or isinstance(job_id, bool) or not 0 < job_id < 2**31:
        raise PreventUpdate
    assert user is not None
    try:
        out = life.import_outcome(user, job_id, lang)
    except DomainError:
        raise PreventUpdate from None
    return intake_status(out, lang), out["job"]["status"] in ("done", "failed", "cancelled")


def register(dash_app: Any) -> None:
    access.register(
        dash_app, act,
        Output("programme-message", "children"), Output("programme-body", "children"),
        Input("programme-copy", "submit_n_clicks"), Input("programme-add", "submit_n_clicks"),
        Input("programme-edit", "submit_n_clicks"), Input("programme-publish", "submit_n_clicks"),
        Input("programme-open", "submit_n_clicks"), Input("programme-close", "submit_n_clicks"),
        Input("programme-delete", "submit_n_clicks"), Input("programme-rules", "submit_n_clicks"),
        Input("programme-envelope", "submit_n_clicks"), Input("programme-rubric", "submit_n_clicks"),
        State("programme-key", "data"),
        State("programme-copy-year", "value"), State("programme-copy-name-ko", "value"),
        State("programme-copy-name-en", "value"), State("programme-copy-total", "value"),
        State("programme-slot-code", "value"), State("programme-slot-title", "value"),
        State("programme-slot-field", "value"), State("programme-slot-type", "value"),
        State("programme-slot-region", "value"), State("programme-slot-ceiling", "value"),
        State("programme-slot-volume", "value"), State("programme-slot-unit", "value"),
        State("programme-edit-slot", "value"), State("programme-edit-title", "value"),
        State("programme-edit-ceiling", "value"), State("programme-edit-volume", "value"),
        State("programme-env-from", "value"), State("programme-env-to", "value"),
        State("programme-env-amount", "value"), State("programme-env-reason", "value"),
        State("programme-rubric-type", "value"), State({"type": "programme-crit-ko", "i": ALL}, "value"),
        State({"type": "programme-crit-en", "i": ALL}, "value"),
        State({"type": "programme-crit-max", "i": ALL}, "value"),
        *[State(f"programme-rule-{k}", "value") for k, _ in RULE_FIELDS],
        page=PAGE, prevent_initial_call=True)
    access.register(
        dash_app, show_rubric, Output("programme-rubric-rows", "children"),
        Input("programme-rubric-type", "value"), State("programme-key", "data"), page=PAGE,
        prevent_initial_call=True)
    access.register(
        dash_app, upload,
        Output("programme-intake-job", "data"), Output("programme-intake-poll", "disabled"),
        Output("programme-intake-result", "children"),
        Input("programme-upload", "contents"), State("programme-upload", "filename"), State("programme-key", "data"),
        page=PAGE, prevent_initial_call=True)
    access.register(
        dash_app, poll,
        Output("programme-intake-result", "children", allow_duplicate=True),
        Output("programme-intake-poll", "disabled", allow_duplicate=True),
        Input("programme-intake-poll", "n_intervals"), State("programme-intake-job", "data"),
        State("programme-key", "data"), page=PAGE, prevent_initial_call=True)
