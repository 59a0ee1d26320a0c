"""The programme page's callbacks re-check on the server (issue 12): a programme whose call is open keeps its
rules and envelopes whatever the browser sends; a non-official changes nothing; a draft's rules change through
program.service.update_rules (audited) with the shares typed in %."""

from __future__ import annotations

from typing import Any

import pytest
from dash.exceptions import PreventUpdate
from sqlmodel import Session, select

from core.models import AuditEvent, Role
from dashboard.pages import programme
from program.models import Program, ProgramStatus
from tests.builders import fresh, make_program, make_user


def _act(user: Any, key: dict[str, Any], **given: Any) -> tuple[Any, Any]:
    names = programme.act.__code__.co_varnames[1:programme.act.__code__.co_argcount]
    values = {n: given.get(n) for n in names}
    rules = given.get("rules", (None,) * len(programme.RULE_FIELDS))
    return programme.act(user, *[values[n] if n != "key" else key for n in names], *rules)


def test_rules_of_an_open_call_stay_as_they_are(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    program = make_program(session, status=ProgramStatus.call_open)
    official = make_user(session, Role.official)
    key = {"pid": program.id, "lang": "ko"}
    before = dict(program.rules_json)
    monkeypatch.setattr(programme, "fired", lambda: "programme-rules")
    message, body = _act(official, key, rules=("9", None, "30", None, None))
    assert "공고 전에만" in str(message) and body is programme.dash.no_update
    monkeypatch.setattr(programme, "fired", lambda: "programme-envelope")
    message, _ = _act(official, key, env_from=1, env_to=2, env_amount=1000, env_reason="x")
    assert "처리하지 않았습니다" in str(message)
    fresh(session).expire_all()
    assert session.get(Program, program.id).rules_json == before  # type: ignore[union-attr]
    auditor = make_user(session, Role.auditor)
    with pytest.raises(PreventUpdate):
        _act(auditor, key, rules=("9", None, None, None, None))


def test_a_drafts_rules_change_through_the_service_with_shares_in_percent(session: Session,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    program = make_program(session, status=ProgramStatus.draft)
    official = make_user(session, Role.official)
    monkeypatch.setattr(programme, "fired", lambda: "programme-rules")
    message, _ = _act(official, {"pid": program.id, "lang": "en"}, rules=("2.5", None, "25", None, "35"))
    assert "Saved the rules" in str(message) and "Direct hires per 100M won of grant 2.5" in str(message)
    fresh(session).expire_all()
    saved = session.get(Program, program.id)
    assert saved is not None
    assert (saved.rules_json["hires_per_100m_krw"], saved.rules_json["transfer_free_ratio"],
            saved.rules_json["comment_required_below"]) == ("2.5", "0.25", "0.35")
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "program.rules.update",
                                                   AuditEvent.entity_id == str(program.id))).all()
    assert [e.actor for e in events] == [official.username]
    # out of bounds (a share above 100%): refused, naming the rule, nothing changed
    message, _ = _act(official, {"pid": program.id, "lang": "ko"}, rules=(None, None, "150", None, None))
    assert "비목 간 자유 전용 한도" in str(message)
    fresh(session).expire_all()
    assert session.get(Program, program.id).rules_json["transfer_free_ratio"] == "0.25"  # type: ignore[union-attr]


def _rubric(session: Session, program: Program) -> None:
    from core.audit import SYSTEM
    from scoring import service as scoring
    from scoring.models import RubricIn

    scoring.put_rubric(session, SYSTEM, program.id, "designated", RubricIn.model_validate({
        "step": "0.5", "criteria": [{"code": "PLAN", "name_ko": "계획", "name_en": "Plan", "max_points": "60"},
                                    {"code": "TEAM", "name_ko": "수행역량", "name_en": "Team", "max_points": "40"}],
        "bonus_items": [{"code": "VULNERABLE", "name_ko": "취약계층 고용", "name_en": "Vulnerable hiring"}]}))


def test_a_drafts_rubric_is_replaced_with_codes_kept_one_removed_one_added(session: Session,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from scoring import service as scoring

    program = make_program(session, status=ProgramStatus.draft)
    _rubric(session, program)
    official = make_user(session, Role.official)
    monkeypatch.setattr(programme, "fired", lambda: "programme-rubric")
    key = {"pid": program.id, "lang": "ko"}
    # the second criterion emptied (removed), a new one typed in the extra row
    message, _ = _act(official, key, rubric_type="designated", crit_ko=["계획", "수행역량", "활용"],
                      crit_en=["Plan", "Team", "Use"], crit_max=[70, None, 30])
    assert "평가표를 저장했습니다 (항목 2개, 합계 100점)" in str(message), message
    fresh(session).expire_all()
    rubric = scoring.get_rubric(session, program.id, "designated")
    assert [(c.code, c.name_ko, c.max_points) for c in rubric.criteria] == [("PLAN", "계획", 70), ("C3", "활용", 30)]
    assert [b.code for b in rubric.bonus_items] == ["VULNERABLE"]
    # maxima that do not add up to 100: refused, the rubric as it was
    message, _ = _act(official, key, rubric_type="designated", crit_ko=["계획", "활용", ""],
                      crit_en=["Plan", "Use", ""], crit_max=[70, 40, None])
    assert "처리하지 않았습니다" in str(message) and "100" in str(message), message
    # a criterion without its English name: the page says which
    message, _ = _act(official, key, rubric_type="designated", crit_ko=["계획", "활용", ""],
                      crit_en=["Plan", "", ""], crit_max=[70, 30, None])
    assert "2번째 항목의 이름을 한국어와 영어로" in str(message), message
    fresh(session).expire_all()
    assert [c.max_points for c in scoring.get_rubric(session, program.id, "designated").criteria] == [70, 30]
