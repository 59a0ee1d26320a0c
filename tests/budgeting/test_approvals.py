"""Issue 12: approvals of transfers — the queue, four eyes, and officials' approval limits set by an admin
(below, at and above the limit; the requester refused), for line and envelope transfers (both databases)."""

from __future__ import annotations

from sqlmodel import select

from budgeting.models import Award, BudgetLine, Envelope, LineTransfer
from core.models import AuditEvent, Role, User
from tests.budgeting.builders import make_award
from tests.builders import count, fresh, make_user, token_for

B = "/api/v1/budgeting"


def _limit(client, session, user: User, limit: int | None) -> None:
    admin = token_for(make_user(session, Role.admin))
    r = client.put(f"/api/v1/users/{user.id}/approval-limit", headers=admin, json={"approval_limit_krw": limit})
    assert r.status_code == 200 and r.json()["approval_limit_krw"] == limit


def _pending_line_transfer(client, session, requester: User) -> tuple[int, int, int]:
    """(award id, transfer id, amount): 25% of the labour line, above the 20% free share, so it waits."""
    award = make_award(session)
    labour = session.exec(select(BudgetLine).where(BudgetLine.award_id == award.id,
                                                   BudgetLine.category == "labour")).one()
    amount = labour.budget_krw // 4
    fresh(session)
    r = client.post(f"{B}/awards/{award.id}/transfers", headers=token_for(requester), json={
        "from_category": "labour", "to_category": "quality", "amount_krw": amount, "reason": "검수 인력 보강"})
    assert r.status_code == 201 and r.json()["status"] == "pending", r.text
    return award.id, r.json()["id"], amount


def _lines(session, award_id: int) -> dict[str, int]:
    fresh(session)
    return {str(line.category): line.budget_krw for line in session.exec(
        select(BudgetLine).where(BudgetLine.award_id == award_id).execution_options(populate_existing=True)).all()}


def test_only_an_admin_sets_a_limit_and_only_on_an_official(client, session):
    official = make_user(session, Role.official)
    other = token_for(make_user(session, Role.official))
    assert client.put(f"/api/v1/users/{official.id}/approval-limit", headers=other,
                      json={"approval_limit_krw": 1}).status_code == 403
    admin = token_for(make_user(session, Role.admin))
    evaluator = make_user(session, Role.evaluator)
    r = client.put(f"/api/v1/users/{evaluator.id}/approval-limit", headers=admin, json={"approval_limit_krw": 1})
    assert r.status_code == 422
    r = client.put(f"/api/v1/users/{official.id}/approval-limit", headers=admin, json={"approval_limit_krw": -1})
    assert r.status_code == 422
    _limit(client, session, official, 50_000_000)
    assert client.get(f"/api/v1/users/{official.id}", headers=admin).json()["approval_limit_krw"] == 50_000_000
    assert "user.approval_limit" in set(session.exec(select(AuditEvent.action)).all())


def test_requester_never_approves_and_the_state_stays(client, session):
    requester = make_user(session, Role.official)
    award_id, tid, _ = _pending_line_transfer(client, session, requester)
    before, events = _lines(session, award_id), count(session, AuditEvent)
    for approve in (True, False):
        r = client.post(f"{B}/transfers/{tid}/decision", headers=token_for(requester), json={"approve": approve})
        assert r.status_code == 403 and "요청한 담당자" in r.json()["detail"]
    assert _lines(session, award_id) == before and count(session, AuditEvent) == events
    assert session.get(LineTransfer, tid).status == "pending"


def test_below_and_at_the_limit_one_approval_is_final(client, session):
    requester = make_user(session, Role.official)
    for offset in (1, 0):  # limit above the amount, then exactly the amount
        award_id, tid, amount = _pending_line_transfer(client, session, requester)
        approver = make_user(session, Role.official)
        _limit(client, session, approver, amount + offset)
        before = _lines(session, award_id)
        r = client.post(f"{B}/transfers/{tid}/decision", headers=token_for(approver), json={"approve": True})
        assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["first_approved_by"] is None
        after = _lines(session, award_id)
        assert after["labour"] == before["labour"] - amount and after["quality"] == before["quality"] + amount


def test_above_the_limit_a_second_official_completes_the_approval(client, session):
    requester = make_user(session, Role.official)
    award_id, tid, amount = _pending_line_transfer(client, session, requester)
    first, second = make_user(session, Role.official), make_user(session, Role.official)
    _limit(client, session, first, amount - 1)
    before = _lines(session, award_id)
    r = client.post(f"{B}/transfers/{tid}/decision", headers=token_for(first), json={"approve": True})
    assert r.status_code == 200 and r.json()["status"] == "pending" and r.json()["first_approved_by"] == first.username
    assert _lines(session, award_id) == before  # no money moves on a first approval
    # the queue shows it waiting for a second approver; the first approver and the requester cannot decide
    pid = session.get(Award, award_id).program_id
    queue = client.get(f"{B}/programs/{pid}/approvals", headers=token_for(first)).json()
    assert [(i["kind"], i["id"], i["needs_second_approval"], i["can_decide"]) for i in queue] == [
        ("line", tid, True, False)]
    assert client.get(f"{B}/programs/{pid}/approvals", headers=token_for(requester)).json()[0]["why_not"] \
        == "approval.own_request"
    assert client.get(f"{B}/programs/{pid}/approvals", headers=token_for(second)).json()[0]["can_decide"] is True
    r = client.post(f"{B}/transfers/{tid}/decision", headers=token_for(first), json={"approve": True})
    assert r.status_code == 403  # the first approver cannot give the second approval
    assert client.post(f"{B}/transfers/{tid}/decision", headers=token_for(requester),
                       json={"approve": True}).status_code == 403
    r = client.post(f"{B}/transfers/{tid}/decision", headers=token_for(second), json={"approve": True})
    assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["decided_by"] == second.username
    after = _lines(session, award_id)
    assert after["labour"] == before["labour"] - amount
    assert client.get(f"{B}/programs/{pid}/approvals", headers=token_for(second)).json() == []
    assert client.post(f"{B}/transfers/{tid}/decision", headers=token_for(second),
                       json={"approve": True}).status_code == 409


def test_large_envelope_transfer_waits_and_moves_only_when_approved(client, session):
    requester, approver = make_user(session, Role.official), make_user(session, Role.official)
    award = make_award(session)
    fresh(session)
    envs = {e.code: e for e in session.exec(select(Envelope).where(Envelope.program_id == award.program_id)).all()}
    lang, health = envs["designated-LANG"], envs["designated-HEALTH"]
    lang_start, health_start = lang.amount_krw, health.amount_krw
    amount = lang_start * 6 // 10  # above the 50% of the source that moves at once
    body = {"from_envelope_id": lang.id, "to_envelope_id": health.id, "amount_krw": amount, "reason": "수요 조정"}
    r = client.post(f"{B}/programs/{award.program_id}/envelope-transfers", headers=token_for(requester), json=body)
    assert r.status_code == 201 and r.json()["status"] == "pending"
    tid = r.json()["id"]
    fresh(session)
    assert session.get(Envelope, lang.id).amount_krw == lang_start  # nothing moved yet
    queue = client.get(f"{B}/programs/{award.program_id}/approvals", headers=token_for(approver)).json()
    assert [(i["kind"], i["id"], i["can_decide"]) for i in queue] == [("envelope", tid, True)]
    assert client.post(f"{B}/envelope-transfers/{tid}/decision", headers=token_for(requester),
                       json={"approve": True}).status_code == 403
    _limit(client, session, approver, amount)  # at the limit: final
    r = client.post(f"{B}/envelope-transfers/{tid}/decision", headers=token_for(approver),
                    json={"approve": True, "reason": "타당"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    fresh(session)
    moved = {e.id: e.amount_krw for e in session.exec(select(Envelope).where(Envelope.program_id == award.program_id)
                                                      .execution_options(populate_existing=True)).all()}
    assert moved[lang.id] == lang_start - amount and moved[health.id] == health_start + amount
    # a small one is recorded at once; a rejected one moves nothing
    small = {**body, "amount_krw": 1_000}
    r = client.post(f"{B}/programs/{award.program_id}/envelope-transfers", headers=token_for(requester), json=small)
    assert r.status_code == 201 and r.json()["status"] == "recorded"
    big = {**body, "from_envelope_id": health.id, "to_envelope_id": lang.id,
           "amount_krw": moved[health.id] + 1_000 - award.grant_krw}  # all it has not awarded: above 50%
    r = client.post(f"{B}/programs/{award.program_id}/envelope-transfers", headers=token_for(requester), json=big)
    assert r.status_code == 201 and r.json()["status"] == "pending"
    r = client.post(f"{B}/envelope-transfers/{r.json()['id']}/decision", headers=token_for(approver),
                    json={"approve": False, "reason": "근거 부족"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    fresh(session)
    final = session.exec(select(Envelope).where(Envelope.id == health.id)
                         .execution_options(populate_existing=True)).one()
    assert final.amount_krw == moved[health.id] + 1_000  # the small one moved, the rejected one did not
