"""Swapping a panel member whose sheets are unstarted: the sheets are removed and the bulk delete is covered by
the audit log (score_sheet is a guarded table; the uncovered delete used to fail the commit, a 500 on the page)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.audit import SYSTEM
from core.errors import Conflict
from core.models import AuditEvent
from scoring import service
from scoring.models import ScoreSheet
from tests.builders import fresh
from tests.scoring.builders import make_evaluator, scenario, score


def test_swapping_an_unstarted_member_removes_their_sheets_and_audits(session):
    s = scenario(session, n_eval=5, n_props=2)
    project, leaving = s["project"], s["evaluators"][4]
    newcomer = make_evaluator(session, expertise_field_id=project.field_id)
    ids = [e.id for e in s["evaluators"][:4]] + [newcomer.id]
    def sheets_of(ev_id):
        return session.exec(select(ScoreSheet).where(ScoreSheet.evaluator_id == ev_id)).all()

    assert len(sheets_of(leaving.id)) == 2  # one per proposal, none started
    fresh(session)
    panel = service.set_panel(session, SYSTEM, project.id, ids)
    assert sorted(m.evaluator_id for m in panel.members) == sorted(ids)
    fresh(session)
    sheets = session.exec(select(ScoreSheet).where(ScoreSheet.project_id == project.id)).all()
    assert {sh.evaluator_id for sh in sheets} == set(ids) and sheets_of(leaving.id) == []
    assert len([sh for sh in sheets if sh.evaluator_id == newcomer.id]) == 2
    actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).all()[:5]]
    assert "panel.set" in actions and "rows.bulk" in actions


def test_a_member_who_started_scoring_cannot_be_swapped_out(session):
    s = scenario(session, n_eval=5, n_props=2)
    project = s["project"]
    score(session, s["users"][4], s["proposals"][0], 80)
    newcomer = make_evaluator(session, expertise_field_id=project.field_id)
    before = session.exec(select(ScoreSheet.id).where(ScoreSheet.project_id == project.id)).all()
    fresh(session)
    with pytest.raises(Conflict) as exc:
        service.set_panel(session, SYSTEM, project.id, [e.id for e in s["evaluators"][:4]] + [newcomer.id])
    assert exc.value.key == "scoring.err.already_scored"
    session.rollback()
    assert sorted(session.exec(select(ScoreSheet.id).where(ScoreSheet.project_id == project.id)).all()) \
        == sorted(before)
