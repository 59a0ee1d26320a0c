"""Korean and English for the decision domain's error messages (core.i18n); imported by decisions.models."""

from __future__ import annotations

from core.i18n import register_messages

register_messages({
    "decisions.err.rules": ("바꾼 사업 규칙이 올바르지 않습니다: {reason}", "rules: {reason}"),
    "decisions.err.unknown_budget_target": ("재원이나 공모 유형 '{target}'이(가) 없습니다. 가능한 값: {known}",
                                            "budgets: no envelope or call type '{target}'; one of {known}"),
    "decisions.err.budgets": ("예산 변경이 올바르지 않습니다.", "budgets: {reason}"),
    "decisions.err.unknown_call_type": ("알 수 없는 공모 유형 '{code}'입니다.",
                                        "unknown call type '{code}'; one of {known}"),
    "decisions.err.not_in_call": ("이 사업의 해당 공모 유형 과제가 아닙니다.",
                                  "project {project_id} is not a {call_type} project of programme {program_id}"),
})
