"""The evaluator's assignment reads (one query for the rows and their flags, objects held for the request)
against their plain definitions, and the number of queries a sheet request costs (SQLite and PostgreSQL)."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from core.audit import SYSTEM
from core.errors import Conflict, Forbidden, NotFound
from program.models import ProposalDocument
from scoring import service
from scoring.conflicts import is_conflicted
from scoring.models import ConflictConfirmation, ConflictIn, ScoreSheet, SheetIn
from tests.builders import fresh, make_project, make_proposal
from tests.scoring.builders import confirm_no_conflict, scenario, scores_for_total


@contextmanager
def counted(session: Session) -> Iterator[list[str]]:
    """The SELECT statements `session`'s engine runs inside the block (SQLite writes a row per INSERT; a
    catalogue read done once per process is left out)."""
    engine = session.get_bind()
    seen: list[str] = []

    def on_execute(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and "information_schema" not in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


def _three_projects(session: Session) -> dict:
    """One evaluator on three panels: A confirmed (one proposal with a document), B not confirmed, C in conflict."""
    s = scenario(session, n_eval=5, n_props=2)
    a = s["project"]
    b = make_project(session, s["program"])
    c = make_project(session, s["program"])
    for p in (b, c):
        make_proposal(session, p)
        make_proposal(session, p)
        service.set_panel(session, SYSTEM, p.id, [e.id for e in s["evaluators"]])
    confirm_no_conflict(session, s["evaluators"], c)  # C confirmed too: the conflict still hides it
    fresh(session)
    session.add(ProposalDocument(proposal_id=s["proposals"][0].id, filename="계획서.pdf", size_bytes=3,
                                 sha256="0" * 64, content=b"pdf", uploaded_by="official"))
    session.commit()
    service.record_conflict(session, SYSTEM, ConflictIn(evaluator_id=s["evaluators"][0].id, project_id=c.id,
                                                        reason="former employee"))
    fresh(session)
    return {**s, "a": a, "b": b, "c": c, "me": s["users"][0], "ev": s["evaluators"][0]}


def _plain_rows(session: Session, evaluator_id: int) -> dict[int, tuple[int, bool, bool]]:
    """sheet id → (project id, confirmed, has a document), for the sheets the plain rules let the evaluator see."""
    out = {}
    for sheet in session.exec(select(ScoreSheet).where(ScoreSheet.evaluator_id == evaluator_id)).all():
        if is_conflicted(session, evaluator_id, sheet.project_id):
            continue
        confirmed = service.conflict_confirmed(session, evaluator_id, sheet.project_id)
        documented = session.exec(select(ProposalDocument.id)
                                  .where(ProposalDocument.proposal_id == sheet.proposal_id)).first() is not None
        out[sheet.id] = (sheet.project_id, confirmed, documented)
    return out


def test_assignment_rows_match_the_plain_definition(session):
    s = _three_projects(session)
    me, ev = s["me"], s["ev"]
    rows = service.my_assignments(session, me)
    fresh(session)
    plain = _plain_rows(session, ev.id)
    assert {r.id: (r.project_id, r.conflict_confirmed, r.has_document) for r in rows} == plain
    assert {r.project_id for r in rows} == {s["a"].id, s["b"].id}  # C (in conflict) is left out
    assert sorted(r.id for r in rows) == [r.id for r in rows]
    assert sum(r.has_document for r in rows) == 1 and sum(r.conflict_confirmed for r in rows) == 2
    # each sheet's own read says the same as the list
    by_id = {r.id: r for r in rows}
    for sid, (_, confirmed, _) in plain.items():
        fresh(session)
        if confirmed:
            detail = service.get_assignment(session, me, sid)
            assert detail.assignment == by_id[sid]
            assert detail.proposal.id == by_id[sid].proposal_id
        else:
            with pytest.raises(Conflict):
                service.get_assignment(session, me, sid)


def test_refusals_stay_the_same(session):
    s = _three_projects(session)
    me, ev = s["me"], s["ev"]
    fresh(session)
    conflicted = session.exec(select(ScoreSheet.id).where(ScoreSheet.evaluator_id == ev.id,
                                                          ScoreSheet.project_id == s["c"].id)).first()
    theirs = session.exec(select(ScoreSheet.id).where(ScoreSheet.evaluator_id == s["evaluators"][1].id)).first()
    unconfirmed = session.exec(select(ScoreSheet.id).where(ScoreSheet.evaluator_id == ev.id,
                                                           ScoreSheet.project_id == s["b"].id)).first()
    body = SheetIn.model_validate({"scores": scores_for_total(80)})
    for call in (lambda sid: service.get_assignment(session, me, sid),
                 lambda sid: service.save_sheet(session, me, sid, body),
                 lambda sid: service.submit_sheet(session, me, sid, body),
                 lambda sid: service.confirm_no_conflict(session, me, sid)):
        fresh(session)
        with pytest.raises(Forbidden):
            call(conflicted)
        session.rollback()
        for missing in (theirs, 10**6):
            with pytest.raises(NotFound):
                call(missing)
            session.rollback()
    for call in (lambda sid: service.get_assignment(session, me, sid),
                 lambda sid: service.save_sheet(session, me, sid, body),
                 lambda sid: service.submit_sheet(session, me, sid, body)):
        fresh(session)
        with pytest.raises(Conflict):
            call(unconfirmed)
        session.rollback()
    fresh(session)
    service.confirm_no_conflict(session, me, unconfirmed)  # opens it
    fresh(session)
    assert session.exec(select(ConflictConfirmation).where(ConflictConfirmation.evaluator_id == ev.id,
                                                           ConflictConfirmation.project_id == s["b"].id)).first()
    assert service.get_assignment(session, me, unconfirmed).assignment.conflict_confirmed


def test_a_sheet_request_costs_few_queries(session):
    """Reads of one request, in a session of its own as the API opens: the assignment detail made 26 and a
    save 19 and a submit 21 before the assignment row carried its flags and held the sheet's project, programme,
    proposal and consortium for the request (the identity map holds objects weakly: each was read again)."""
    s = _three_projects(session)
    me, ev = s["me"], s["ev"]
    fresh(session)
    sid = session.exec(select(ScoreSheet.id).where(ScoreSheet.evaluator_id == ev.id,
                                                   ScoreSheet.project_id == s["a"].id)).first()
    fresh(session)
    body = SheetIn.model_validate({"scores": scores_for_total(80)})
    for call, most in ((lambda r: service.get_assignment(r, me, sid), 13),
                       (lambda r: service.save_sheet(r, me, sid, body), 12),
                       (lambda r: service.submit_sheet(r, me, sid), 12)):
        with Session(session.get_bind(), expire_on_commit=False) as request_session, counted(request_session) as seen:
            call(request_session)
        # compliance's after-commit refresh reads finding_set when an app created earlier in this process has
        # subscribed it: compliance's cost, counted by its own tests, not the sheet's (the count must not depend
        # on which tests ran before)
        seen = [x for x in seen if "finding_set" not in x and "finding " not in x]
        assert len(seen) <= most, "\n".join(" ".join(x.split())[:90] for x in seen)
    fresh(session)
    assert session.get(ScoreSheet, sid).status == "submitted"
