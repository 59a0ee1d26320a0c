"""The open-data exports' messages, Korean first (core.i18n)."""

from __future__ import annotations

from core.i18n import register_messages

register_messages({
    "opendata.no_award": ("{day:date}까지 결정되고 협약된 과제가 없어 공개할 자료가 없습니다.",
                          "No award was decided and agreed on or before {day:date}: nothing to publish."),
    "opendata.no_award_in": ("{year}년 사업에 {day:date}까지 결정되고 협약된 과제가 없어 공개할 자료가 없습니다.",
                             "No award of the {year} programme was decided and agreed on or before {day:date}."),
    "opendata.no_call": ("{day:date}까지 공고된 과제가 없어 공개할 자료가 없습니다.",
                         "No call was open on or before {day:date}: nothing to publish."),
    "opendata.no_call_in": ("{year}년 사업에 {day:date}까지 공고된 과제가 없어 공개할 자료가 없습니다.",
                            "No call of the {year} programme was open on or before {day:date}."),
})
