"""Issue 12: an envelope transfer larger than what the source has left is refused naming the envelope in the
reader's language (its call type and field, never its code such as designated-LANG), and changes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from budgeting.models import Envelope, EnvelopeTransfer
from core.models import AuditEvent, Role
from tests.budgeting.builders import make_award
from tests.builders import count, fresh, make_user, token_for

B = "/api/v1/budgeting"


def test_envelope_short_names_the_envelope_in_korean_and_english(client, session):
    official = make_user(session, Role.official)
    award = make_award(session)
    fresh(session)
    envs = {e.code: e for e in session.exec(select(Envelope).where(Envelope.program_id == award.program_id)).all()}
    lang, health = envs["designated-LANG"], envs["designated-HEALTH"]
    before = {e.id: e.amount_krw for e in envs.values()}
    events, transfers = count(session, AuditEvent), count(session, EnvelopeTransfer)
    body = {"from_envelope_id": lang.id, "to_envelope_id": health.id, "amount_krw": lang.amount_krw + 1,
            "reason": "수요 조정"}
    url = f"{B}/programs/{award.program_id}/envelope-transfers"
    ko = client.post(url, headers=token_for(official), json=body)
    en = client.post(url, headers={**token_for(official), "Accept-Language": "en"}, json=body)
    assert ko.status_code == en.status_code == 409, ko.text
    ko_text, en_text = ko.json()["detail"], en.json()["detail"]
    assert ko_text.startswith(f"재원 '{lang.name_ko}'의 미배정액은") and "1원 부족합니다" in ko_text, ko_text
    assert lang.name_ko == "지정공모 · 음성·자연어"  # the call type · the field, as the envelope plan names it
    assert en_text.startswith("envelope 'Designated · Speech and natural language' has"), en_text
    assert "designated-LANG" not in ko_text + en_text
    fresh(session)
    assert {e.id: e.amount_krw for e in session.exec(select(Envelope).where(
        Envelope.program_id == award.program_id).execution_options(populate_existing=True)).all()} == before
    assert count(session, AuditEvent) == events and count(session, EnvelopeTransfer) == transfers


def test_an_award_above_its_envelope_names_the_envelope_and_makes_nothing(session):
    from budgeting.models import Award
    from core.errors import LimitExceeded
    from tests.budgeting.builders import make_funded_program

    # a small total: the HEALTH envelope (3/5 of it) is less than the grant asked for
    program, (health, _) = make_funded_program(session, total=1_000_000_000)
    awards = count(session, Award)
    with pytest.raises(LimitExceeded) as caught:
        make_award(session, health, grant=1_000_000_000, matching=110_000_000)
    ko, en = caught.value.render("ko"), caught.value.render("en")
    assert ko.startswith("재원 '지정공모 · 헬스케어'의 남은 금액은 600,000,000원입니다."), ko
    assert en.startswith("envelope 'Designated · Healthcare' has 600,000,000 KRW left"), en
    assert "designated-HEALTH" not in ko + en
    session.rollback()
    fresh(session)
    assert count(session, Award) == awards
    assert not session.exec(select(AuditEvent).where(AuditEvent.entity_type == "award")).all()
