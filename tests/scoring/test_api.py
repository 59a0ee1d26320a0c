"""API tests: roles and assignments on every route (SQLite and PostgreSQL)."""

from sqlmodel import select

from core.audit import SYSTEM
from core.models import AuditEvent, Role
from scoring import service
from scoring.models import ConflictIn, CriterionScore, ScoreSheet
from tests.builders import count, fresh, make_user, token_for
from tests.scoring.builders import scenario, score, scores_for_total, sheet_of

BASE = "/api/v1/scoring"


def test_evaluator_sees_only_own_assignments(client, session):
    s = scenario(session, n_eval=5, n_props=2)
    me, other = s["users"][0], s["users"][1]
    got = client.get(f"{BASE}/assignments", headers=token_for(me))
    assert got.status_code == 200
    mine = {r["id"] for r in got.json()}
    fresh(session)
    expected = set(session.exec(select(ScoreSheet.id).where(ScoreSheet.evaluator_id == s["evaluators"][0].id)).all())
    assert mine == expected and len(mine) == 2
    detail = client.get(f"{BASE}/assignments/{min(mine)}", headers=token_for(me)).json()
    assert [c["code"] for c in detail["rubric"]["criteria"]][:2] == ["PLAN", "BUILD"]
    assert detail["sheet"]["status"] == "assigned"
    theirs = sheet_of(session, other, s["proposals"][0])
    for method, url in (("get", f"{BASE}/assignments/{theirs}"), ("put", f"{BASE}/assignments/{theirs}/sheet"),
                        ("post", f"{BASE}/assignments/{theirs}/submit")):
        r = client.request(method, url, headers=token_for(me), json={"scores": scores_for_total(80)})
        assert r.status_code in (403, 404) and "scores" not in r.text
    # evaluators may not read results, progress or stats
    assert client.get(f"{BASE}/projects/{s['project'].id}/result", headers=token_for(me)).status_code == 403
    assert client.get(f"{BASE}/stats", params={"program_id": s["program"].id},
                      headers=token_for(me)).status_code == 403


def test_conflicted_proposal_gives_no_data(client, session):
    s = scenario(session, n_eval=5, n_props=1)
    me = s["users"][0]
    sid = sheet_of(session, me, s["proposals"][0])
    service.record_conflict(session, SYSTEM, ConflictIn(evaluator_id=s["evaluators"][0].id,
                                                        project_id=s["project"].id, reason="former employee"))
    assert client.get(f"{BASE}/assignments", headers=token_for(me)).json() == []
    r = client.get(f"{BASE}/assignments/{sid}", headers=token_for(me))
    assert r.status_code == 403 and "consortium" not in r.text and "proposal" not in r.json()


def test_out_of_range_and_off_step_scores_name_the_criterion(client, session):
    s = scenario(session, n_eval=5, n_props=1)
    me = s["users"][0]
    sid = sheet_of(session, me, s["proposals"][0])
    url = f"{BASE}/assignments/{sid}/sheet"
    r = client.put(url, headers=token_for(me), json={"scores": [{"criterion_code": "BUILD", "points": "25.5"}]})
    assert r.status_code == 422 and r.json()["field"] == "scores.BUILD" and "BUILD" in r.json()["detail"]
    r = client.put(url, headers=token_for(me), json={"scores": [{"criterion_code": "PLAN", "points": "7.25"}]})
    assert r.status_code == 422 and r.json()["field"] == "scores.PLAN"
    r = client.put(url, headers=token_for(me), json={"scores": [{"criterion_code": "NOPE", "points": "1"}]})
    assert r.status_code == 422
    assert count(session, CriterionScore) == 0
    # a draft, then a submit that lacks the comment a low score needs
    low = scores_for_total(80)
    low[0] = {"criterion_code": "PLAN", "points": "5"}
    assert client.put(url, headers=token_for(me), json={"scores": low}).status_code == 200
    r = client.post(f"{BASE}/assignments/{sid}/submit", headers=token_for(me))
    assert r.status_code == 422 and r.json()["field"] == "scores.PLAN.comment"
    low[0]["comment"] = "추진계획이 불명확함"
    r = client.post(f"{BASE}/assignments/{sid}/submit", headers=token_for(me), json={"scores": low})
    assert r.status_code == 200 and r.json()["status"] == "submitted"


def test_second_submit_is_409_and_reopen_is_audited(client, session):
    s = scenario(session, n_eval=5, n_props=1)
    me = s["users"][0]
    sid = sheet_of(session, me, s["proposals"][0])
    body = {"scores": scores_for_total(85)}
    first = client.post(f"{BASE}/assignments/{sid}/submit", headers=token_for(me), json=body)
    assert first.status_code == 200 and float(first.json()["total"]) == 85
    assert client.post(f"{BASE}/assignments/{sid}/submit", headers=token_for(me), json=body).status_code == 409
    assert client.put(f"{BASE}/assignments/{sid}/sheet", headers=token_for(me), json=body).status_code == 409
    # only an official reopens, with a reason
    assert client.post(f"{BASE}/sheets/{sid}/reopen", headers=token_for(me),
                       json={"reason": "please"}).status_code == 403
    official = make_user(session, Role.official)
    assert client.post(f"{BASE}/sheets/{sid}/reopen", headers=token_for(official), json={}).status_code == 422
    r = client.post(f"{BASE}/sheets/{sid}/reopen", headers=token_for(official),
                    json={"reason": "evaluator reported a typo on BUILD"})
    assert r.status_code == 200 and r.json()["status"] == "draft"
    fresh(session)
    ev = session.exec(select(AuditEvent).where(AuditEvent.action == "sheet.reopen")).one()
    assert ev.reason == "evaluator reported a typo on BUILD" and ev.actor == official.username
    assert client.post(f"{BASE}/assignments/{sid}/submit", headers=token_for(me), json=body).status_code == 200


def test_official_flow_and_auditor_reads(client, session):
    s = scenario(session, n_eval=5, n_props=2, panel=False)
    official, auditor = make_user(session, Role.official), make_user(session, Role.auditor)
    pid = s["project"].id
    assert client.post(f"{BASE}/projects/{pid}/screen", headers=token_for(official)).status_code == 200
    r = client.post(f"{BASE}/projects/{pid}/panel", headers=token_for(official),
                    json={"evaluator_ids": [e.id for e in s["evaluators"]]})
    assert r.status_code == 200 and len(r.json()["members"]) == 5
    assert client.post(f"{BASE}/projects/{pid}/panel", headers=token_for(auditor),
                       json={"evaluator_ids": [e.id for e in s["evaluators"]]}).status_code == 403
    prog = client.get(f"{BASE}/progress", params={"program_id": s["program"].id}, headers=token_for(auditor))
    assert prog.status_code == 200 and prog.json()["totals"]["assigned"] == 10
    for u in s["users"]:
        score(session, u, s["proposals"][0], 88)
        score(session, u, s["proposals"][1], 78)
    res = client.get(f"{BASE}/projects/{pid}/result", headers=token_for(auditor)).json()
    assert res["outcome"] == "selected" and res["proposals"][0]["final_score_display"] in ("88.00", "90.00", "92.00")
    assert client.post(f"{BASE}/projects/{pid}/confirm", headers=token_for(auditor)).status_code == 403
    r = client.post(f"{BASE}/projects/{pid}/confirm", headers=token_for(official),
                    json={"proposal_id": s["proposals"][1].id})
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = client.post(f"{BASE}/projects/{pid}/confirm", headers=token_for(official))
    assert r.status_code == 201 and r.json()["proposal_id"] == s["proposals"][0].id
    assert client.post(f"{BASE}/projects/{pid}/confirm", headers=token_for(official)).status_code == 409
    stats = client.get(f"{BASE}/stats", params={"program_id": s["program"].id}, headers=token_for(auditor))
    assert stats.status_code == 200 and len(stats.json()["leniency"]) == 5
    rub = client.get(f"{BASE}/rubrics/designated", params={"program_id": s["program"].id},
                     headers=token_for(auditor))
    assert rub.status_code == 200 and sum(float(c["max_points"]) for c in rub.json()["criteria"]) == 100
