"""Every finding message, subject, evidence label and rule reads as Korean (no id, field name or English word)."""

import re
from datetime import date
from decimal import Decimal

import pytest

from compliance import labels
from compliance.models import Finding, Severity
from compliance.registry import load_checks
from core import i18n
from program.models import ProgramRules

LATIN = re.compile(r"[A-Za-z]{2,}")
ALLOWED = {"AI", "TTA"}  # proper names: the data hub 'AI 허브', the verifier TTA (한국정보통신기술협회)

SAMPLES = {  # one value per kind, Korean where it is text
    "text": "한국어 값", "n": 1234, "won": 3742886, "date": "2022-11-14", "pct": "0.952", "pctv": "95.2",
    "dec": "1.2345", "score": "74.67", "ref": 28205, "flag": True,
    "msg": {"message_key": "audit.finding.deleted", "params": {"event": 12}},  # a verification sentence (SYS-01)
}


def _sample(key: str):
    kind = labels.FIELDS[key][2]
    if kind.startswith("code:"):
        group = kind[5:]
        return next(iter(i18n.code_groups()[group]))
    if kind.startswith("codes:"):
        return list(i18n.code_groups()[kind[6:]])[:2]
    return SAMPLES[kind]


def _korean_ok(text: str) -> None:
    assert "_id" not in text and "=" not in text, text
    assert not re.search(r"\b[a-z_]+:\d+", text), text  # no 'data_type:47'
    assert not (set(LATIN.findall(text)) - ALLOWED), text


def _placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in __import__("string").Formatter().parse(template) if name]


@pytest.mark.parametrize("key", sorted(labels.MESSAGES))
def test_every_message_renders_in_both_languages(key):
    ko, en = labels.MESSAGES[key]
    assert set(_placeholders(ko)) == set(_placeholders(en)), key
    unknown = [p for p in _placeholders(ko) if p not in labels.FIELDS and p not in ("code", "title")]
    assert not unknown, f"{key}: parameters without a label {unknown}"
    params = {p: _sample(p) if p in labels.FIELDS else "과제명" for p in _placeholders(ko)}
    f = Finding(check_id="X", severity=Severity.high, title_ko="", title_en="", message_key=key, params=params,
                subject_key=key, subject_params=params)
    text_ko, text_en = labels.finding_message(f, "ko"), labels.finding_message(f, "en")
    _korean_ok(text_ko)
    assert text_en and (text_en != text_ko or ko == en)
    for p in params:
        if labels.FIELDS.get(p, ("", "", ""))[2] == "won":
            assert "3,742,886원" in text_ko  # money exact, through the one helper
        if labels.FIELDS.get(p, ("", "", ""))[2] == "date":
            assert "2022. 11. 14." in text_ko and "2022-11-14" in text_en


def test_every_field_label_and_code_is_korean():
    for key, (ko, en, _kind) in labels.FIELDS.items():
        _korean_ok(ko)
        assert en and ko != en, key
        assert labels.field_value(key, _sample(key), "ko") not in ("", "(미분류)"), key
    for group, codes in i18n.code_groups().items():
        if group.startswith("compliance."):
            for ko, _en in codes.values():
                _korean_ok(ko)


@pytest.mark.parametrize("check_id", sorted(load_checks()))
def test_every_check_has_korean_title_rule_and_values_from_the_rules(check_id):
    _korean_ok(labels.check_title(check_id, "ko"))
    assert labels.check_title(check_id, "en") != labels.check_title(check_id, "ko")
    rule = labels.check_rule_text(check_id, "ko")
    _korean_ok(rule)
    assert "rules.py" not in rule and "delivery_min_ratio" not in rule
    assert labels.check_rule_text(check_id, "en")


def test_rule_text_reads_the_programme_rules():
    changed = ProgramRules(delivery_min_ratio=Decimal("0.9"), hires_per_100m_krw=Decimal("3.1"))
    assert "90.0%" in labels.check_rule_text("DLV-01", "ko", changed)
    assert "95.0%" in labels.check_rule_text("DLV-01", "ko")
    assert "3.1명" in labels.check_rule_text("HIR-01", "ko", changed)


def test_status_and_severity_labels():
    assert [labels.status_label(s) for s in ("ok", "findings", "error")] == ["이상 없음", "지적 있음", "점검 오류"]
    assert [labels.severity_label(s, "ko") for s in Severity] == ["중대", "주의", "참고"]
    assert labels.severity_label("high", "en") == "High"


def test_evidence_rows_are_labelled_and_typed():
    f = Finding(check_id="MON-04", severity=Severity.high, title_ko="", title_en="", message_key="compliance.mon04",
                params={}, evidence=[{"entry": 28205, "spent_date": "2022-03-01", "amount": 3742886,
                                      "member_role": "crowd_platform", "category": "collection"}])
    assert labels.evidence_rows(f, "ko") == [("전표 번호", "28205"), ("집행일", "2022. 3. 1."),
                                             ("금액", "3,742,886원"), ("참여 역할", "크라우드소싱 플랫폼"),
                                             ("비목", "수집비")]
    heads, rows = labels.evidence_table(f, "en")
    assert heads[2] == "Amount" and rows[0][1] == "2022-03-01"


def test_seeded_findings_render_in_korean(seeded):
    from sqlmodel import Session

    from compliance import service

    with Session(seeded.engine) as s:
        report = service.run_checks(s, today=date(2026, 9, 30), program_id=seeded.report.main_program_id)
    assert report.findings
    for f in report.findings:
        text = labels.finding_message(f, "ko")
        data = [str(v) for v in f.params.values()] + [str(v) for v in f.subject_params.values()]
        stripped = text
        for v in sorted(data, key=len, reverse=True):  # names and codes are data, not words of ours
            stripped = stripped.replace(v, "")
        _korean_ok(stripped)
        assert labels.finding_message(f, "en")
        for label, _ in labels.evidence_rows(f, "ko", limit=1):
            _korean_ok(label)
        assert "data_type:" not in labels.finding_subject(f, "ko")
