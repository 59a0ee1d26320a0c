"""Korean and English for the evaluator registry and the conflict-of-interest confirmation.

Imported by scoring.models, so the words are registered wherever the domain is.
"""

from __future__ import annotations

from core.i18n import register_messages

register_messages({
    "evaluator.not_found": ("평가위원 {evaluator_id}이(가) 없습니다.", "evaluator {evaluator_id} does not exist"),
    "evaluator.code_not_found": ("평가위원 코드 '{code}'가 없습니다.", "no evaluator with code '{code}'"),
    "evaluator.unknown_field": ("전문분야 코드 '{code}'가 없습니다.", "unknown core field code '{code}'"),
    "evaluator.unknown_org": ("기관 {org_id}이(가) 없습니다.", "organisation {org_id} does not exist"),
    "evaluator.dates": ("소속 기간의 종료일이 시작일보다 빠릅니다.", "an affiliation ends before it starts"),
    "evaluator.account_taken": ("평가위원 {code}은(는) 이미 다른 계정과 연결되어 있습니다.",
                                "evaluator {code} is already linked to another account"),
    "evaluator.has_profile": ("이 계정은 이미 평가위원 {code}과(와) 연결되어 있습니다.",
                              "this account is already linked to evaluator {code}"),
    "evaluator.not_evaluator_account": ("평가위원 역할의 계정만 평가위원과 연결할 수 있습니다.",
                                        "only an evaluator account can be linked to a profile"),
    "evaluator.import_invalid": ("파일에 문제가 {n:n}건 있어 아무것도 가져오지 않았습니다. 첫 문제: {first}",
                                 "the file has {n} problem(s); nothing was imported. First: {first}"),
    "evaluator.import_header": ("머리글이 서식과 다릅니다. 필요한 열: {columns}",
                                "the header differs from the template; needed: {columns}"),
    "evaluator.import_empty": ("가져올 평가위원 행이 없습니다.", "there is no evaluator row to import"),
    "evaluator.import_cell": ("{row:n}행 '{column}': {reason}", "row {row} '{column}': {reason}"),
    "evaluator.email": ("이메일 형식이 아닙니다", "not an e-mail address"),
    "evaluator.import_date": ("날짜가 아닙니다. 2021-12-31처럼 연-월-일로 쓰세요",
                              "not a date; write YYYY-MM-DD (e.g. 2021-12-31)"),
    "evaluator.unknown_business_number": ("등록된 기관의 사업자등록번호가 아닙니다",
                                          "no registered organisation has this business number"),
    "coi.confirm_first": ("평가표를 열기 전에 이 과제의 컨소시엄과 이해충돌이 없음을 확인하세요.",
                          "confirm that you have no conflict of interest with this project's consortium first"),
    "coi.already_declared": ("이 과제에 대해 이미 이해충돌을 신고했습니다.",
                             "you have already declared a conflict with this project"),
    "coi.notice_not_found": ("이해충돌 신고 {record_id}이(가) 없습니다.", "conflict notice {record_id} does not exist"),
    "coi.declared_notice": ("평가위원 {code}이(가) 과제 {project}에 대해 이해충돌을 신고하여 위원회에서 빠졌습니다.",
                            "evaluator {code} declared a conflict with project {project} and left its panel"),
})
