"""Issue 12: seating an evaluator with a conflict of interest is refused naming each one with the kind of
conflict in words (참여기관 소속 / works at a bidding organisation), never the kind's code, and changes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.audit import SYSTEM
from core.errors import RuleViolation
from core.models import AuditEvent
from program.models import Consortium, Organization, Proposal
from scoring import service
from scoring.models import PanelMember, ScoreSheet
from tests.builders import count, fresh
from tests.scoring.builders import add_job, make_evaluator, scenario


def test_a_conflicted_member_is_named_with_the_kind_in_words(session):
    s = scenario(session, n_eval=0, panel=False)
    project = s["project"]
    proposal = session.exec(select(Proposal).where(Proposal.id == s["proposals"][0].id)).one()
    lead = session.get(Consortium, proposal.consortium_id).lead_org_id
    works = make_evaluator(session, expertise_field_id=project.field_id)
    works.affiliation_org_id = lead
    session.add(works)
    session.commit()
    worked = make_evaluator(session, expertise_field_id=project.field_id)
    add_job(session, worked, session.get(Organization, lead), None)
    free = [make_evaluator(session, expertise_field_id=project.field_id) for _ in range(3)]
    fresh(session)
    events = count(session, AuditEvent)
    with pytest.raises(RuleViolation) as caught:
        service.set_panel(session, SYSTEM, project.id, [works.id, worked.id, *(e.id for e in free)])
    ko, en = caught.value.render("ko"), caught.value.render("en")
    assert ko == (f"이해충돌이 있는 평가위원이 있습니다: {works.code} (참여기관 소속), "
                  f"{worked.code} (참여기관 근무 이력)"), ko
    assert en == (f"conflict of interest: {works.code} (Works at a bidding organisation), "
                  f"{worked.code} (Worked at a bidding organisation)"), en
    assert "membership" not in ko + en and "employment" not in ko + en
    fresh(session)
    assert count(session, PanelMember) == 0 and count(session, ScoreSheet) == 0
    assert count(session, AuditEvent) == events
