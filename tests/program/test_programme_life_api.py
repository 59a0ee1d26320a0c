"""Issue 12: next year's programme is data. A 2022 programme is made from a 2021 one through the API, its
slot added within the total and published, its call opened and closed, and one project run from the call
to the award — every step through the API the dashboard uses (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from budgeting import service as budgeting_service
from budgeting.models import Award, Envelope
from core.audit import SYSTEM
from core.models import AuditEvent, Role
from program.models import Program, Project, ProjectStatus, ProposalStatus
from scoring.models import PanelMember, Rubric, RubricCriterion, ScoreSheet
from tests.builders import count, fresh, make_business_number, make_project, make_user, token_for
from tests.scoring.builders import make_rubric, scores_for_total

API = "/api/v1"


def _programme_2021(session) -> Program:
    """The 2021 programme as the seed has it in miniature: the 2021 rules, the designated rubric, two
    designated projects and their envelopes (HEALTH 6B, LANG 4B of a 10B total)."""
    from tests.builders import make_program

    program = make_program(session, year=2021, name_ko="2021 인공지능 학습용 데이터 구축 사업",
                           total_budget_krw=10_000_000_000, call_opened_date=date(2021, 3, 12))
    make_rubric(session, program)
    make_project(session, program, field_code="HEALTH", ceiling_krw=3_000_000_000)
    make_project(session, program, field_code="LANG", ceiling_krw=2_000_000_000)
    budgeting_service.create_envelopes(session, SYSTEM, program.id)
    session.commit()
    return program


def test_programme_2022_from_2021_runs_one_project_from_call_to_award(client, session):
    p2021 = _programme_2021(session)
    official, second = make_user(session, Role.official), make_user(session, Role.official)
    h = token_for(official)

    # --- create 2022 from 2021: rules, rubric (criteria, bonus items) and envelopes copied; before its call
    r = client.post(f"{API}/programs/{p2021.id}/actions/copy", headers=h,
                    json={"year": 2022, "name_ko": "2022 인공지능 학습용 데이터 구축 사업",
                          "total_budget_krw": 5_000_000_000})
    assert r.status_code == 201, r.text
    state = r.json()
    pid = state["id"]
    assert state["status"] == "draft" and state["copied_from_id"] == p2021.id
    assert state["slots"] == 0 and state["room_krw"] == 5_000_000_000
    fresh(session)
    p2022 = session.get(Program, pid)
    assert p2022.rules == p2021.rules  # every rule value, cost-category shares included
    old = session.exec(select(RubricCriterion.code, RubricCriterion.max_points).join(Rubric)
                       .where(Rubric.program_id == p2021.id).order_by(RubricCriterion.sort_order)).all()
    new = session.exec(select(RubricCriterion.code, RubricCriterion.max_points).join(Rubric)
                       .where(Rubric.program_id == pid).order_by(RubricCriterion.sort_order)).all()
    assert new == old and len(new) == 8
    rubric = client.get(f"{API}/scoring/rubrics/designated", params={"program_id": pid}, headers=h).json()
    assert {b["code"] for b in rubric["bonus_items"]} == {"CROWD_SHARE", "VULNERABLE", "REGIONAL_LEAD"}
    envs = {e.code: e.amount_krw for e in session.exec(select(Envelope).where(Envelope.program_id == pid)).all()}
    assert envs == {"designated-HEALTH": 3_000_000_000, "designated-LANG": 2_000_000_000}  # 6:4 of the 5B total
    # the same year twice is refused and writes nothing
    events = count(session, AuditEvent)
    again = client.post(f"{API}/programs", headers=h, json={"from_program_id": p2021.id, "year": 2022,
                                                            "name_ko": "중복"})
    assert again.status_code == 409 and count(session, AuditEvent) == events
    # the rules of the draft are editable before the call
    r = client.patch(f"{API}/programs/{pid}/rules", headers=h, json={"rules": {"hires_per_100m_krw": "2.5"}})
    assert r.status_code == 200 and r.json()["rules"]["hires_per_100m_krw"] == "2.5"

    # --- slots: within the programme total, edited while unpublished, published, then the call opens
    slot = {"code": "2022-HEALTH-01", "field_code": "HEALTH", "call_type": "designated",
            "title_ko": "의료 영상 판독 데이터", "ceiling_krw": 3_000_000_000, "planned_volume": 100_000}
    r = client.post(f"{API}/programs/{pid}/slots", headers=h, json=slot)
    assert r.status_code == 201 and r.json()["published"] is False
    project_id = r.json()["id"]
    too_big = {**slot, "code": "2022-LANG-01", "field_code": "LANG", "ceiling_krw": 2_000_000_001}
    r = client.post(f"{API}/programs/{pid}/slots", headers=h, json=too_big)
    assert r.status_code == 409 and r.json()["code"] == "limit_exceeded"
    assert count(session, Project) == 3  # two of 2021 and the one slot
    r = client.patch(f"{API}/slots/{project_id}", headers=h, json={"ceiling_krw": 5_000_000_001})
    assert r.status_code == 409
    r = client.patch(f"{API}/slots/{project_id}", headers=h, json={"ceiling_krw": 3_200_000_000})
    assert r.status_code == 200 and r.json()["ceiling_krw"] == 3_200_000_000
    r = client.post(f"{API}/programs/{pid}/actions/open-call", headers=h)
    assert r.status_code == 422 and "2022-HEALTH-01" in r.json()["detail"]  # an unpublished slot
    assert client.post(f"{API}/slots/{project_id}/actions/publish", headers=h).status_code == 200
    assert client.patch(f"{API}/slots/{project_id}", headers=h, json={"title_ko": "변경"}).status_code == 409
    r = client.post(f"{API}/programs/{pid}/actions/open-call", headers=h)
    assert r.status_code == 200 and r.json()["program"]["status"] == "call_open"
    assert client.post(f"{API}/programs/{pid}/actions/open-call", headers=h).status_code == 409

    # --- a proposal while the call is open
    orgs = []
    for name, kind in (("(주)메디데이터", "sme"), ("한빛대학교 산학협력단", "university")):
        r = client.post(f"{API}/organizations", headers=h, json={
            "name": name, "business_number": make_business_number(), "kind": kind, "region": "서울"})
        assert r.status_code == 201, r.text
        orgs.append(r.json()["id"])
    r = client.post(f"{API}/consortia", headers=h, json={"name": "메디데이터 컨소시엄", "members": [
        {"org_id": orgs[0], "role": "lead", "share_bp": 6000}, {"org_id": orgs[1], "role": "participant",
                                                                 "share_bp": 4000}]})
    assert r.status_code == 201
    r = client.post(f"{API}/proposals", headers=h, json={
        "project_id": project_id, "consortium_id": r.json()["id"], "title": "의료 영상 데이터 구축 계획",
        "requested_grant_krw": 1_900_000_000, "private_matching_krw": 212_000_000, "planned_direct_hires": 50,
        "planned_crowd_payment_krw": 500_000_000, "planned_crowd_workers": 200, "planned_volume": 100_000})
    assert r.status_code == 201, r.text
    proposal_id = r.json()["id"]

    # --- evaluators registered and linked to logins: no panel seat comes with an account
    users, ev_ids = [], []
    for i in range(5):
        r = client.post(f"{API}/scoring/evaluators", headers=h, json={
            "name": f"평가위원{i}", "expertise_field_code": "HEALTH", "email": f"ev{i}@example.kr"})
        assert r.status_code == 201, r.text
        user = make_user(session, Role.evaluator)
        r = client.post(f"{API}/scoring/evaluators/{r.json()['id']}/link-account", headers=h,
                        json={"user_id": user.id})
        assert r.status_code == 200 and r.json()["has_account"] is True and r.json()["panels"] == 0
        users.append(user)
        ev_ids.append(r.json()["id"])
    assert count(session, PanelMember) == 0 and count(session, ScoreSheet) == 0

    # --- close the call, screen, set the panel
    r = client.post(f"{API}/programs/{pid}/actions/close-call", headers=h)
    assert r.status_code == 200 and r.json()["projects_moved"] == [project_id]
    assert client.post(f"{API}/proposals", headers=h, json={
        "project_id": project_id, "consortium_id": 1, "requested_grant_krw": 1, "private_matching_krw": 0,
        "planned_direct_hires": 1}).status_code == 409  # the call is closed
    r = client.post(f"{API}/scoring/projects/{project_id}/screen", headers=h)
    assert r.status_code == 200 and r.json()[0]["effective_eligible"] is True, r.text
    r = client.post(f"{API}/scoring/projects/{project_id}/panel", headers=h, json={"evaluator_ids": ev_ids})
    assert r.status_code == 200 and len(r.json()["members"]) == 5

    # --- each evaluator confirms no conflict, then scores and submits
    for user in users:
        eh = token_for(user)
        sheets = client.get(f"{API}/scoring/assignments", headers=eh).json()
        assert [s["proposal_id"] for s in sheets] == [proposal_id]
        sid = sheets[0]["id"]
        r = client.get(f"{API}/scoring/assignments/{sid}", headers=eh)
        assert r.status_code == 409 and r.json()["field"] == "conflict_confirmation"
        check = client.get(f"{API}/scoring/assignments/{sid}/conflict-check", headers=eh).json()
        assert check["consortium_name"] == "메디데이터 컨소시엄" and len(check["members"]) == 2
        assert client.post(f"{API}/scoring/assignments/{sid}/no-conflict", headers=eh).status_code == 200
        r = client.post(f"{API}/scoring/assignments/{sid}/submit", headers=eh, json={"scores": scores_for_total(88)})
        assert r.status_code == 200 and r.json()["status"] == "submitted"

    # --- confirm the selection and create the award from it
    r = client.post(f"{API}/scoring/projects/{project_id}/confirm", headers=h)
    assert r.status_code == 201, r.text
    selection = r.json()
    assert selection["proposal_id"] == proposal_id
    assert selection["recommended_grant_krw"] == 1_805_000_000  # 88 points: the 95% band of 1.9B
    r = client.post(f"{API}/budgeting/awards", headers=token_for(second),
                    json={"selection_id": selection["id"], "start_date": "2022-05-01", "end_date": "2022-12-31"})
    assert r.status_code == 201, r.text
    fresh(session)
    award = session.exec(select(Award).where(Award.project_id == project_id)).one()
    assert award.grant_krw == 1_805_000_000 and award.program_id == pid
    assert session.get(Project, project_id).status == ProjectStatus.building
    from program.models import Proposal

    assert session.get(Proposal, proposal_id).status == ProposalStatus.selected
    actions = set(session.exec(select(AuditEvent.action)).all())
    assert {"program.copy", "program.open-call", "program.close-call", "project.publish",
            "conflict.confirm_none", "award.create"} <= actions


def test_slots_only_within_the_total_and_a_draft_takes_no_proposal(client, session):
    p2021 = _programme_2021(session)
    h = token_for(make_user(session, Role.official))
    pid = client.post(f"{API}/programs/{p2021.id}/actions/copy", headers=h,
                      json={"year": 2023, "name_ko": "2023 사업", "total_budget_krw": 1_000_000_000}).json()["id"]
    base = {"field_code": "HEALTH", "call_type": "designated", "title_ko": "과제"}
    assert client.post(f"{API}/programs/{pid}/slots", headers=h,
                       json={**base, "code": "A", "ceiling_krw": 600_000_000}).status_code == 201
    r = client.post(f"{API}/programs/{pid}/slots", headers=h, json={**base, "code": "B", "ceiling_krw": 400_000_001})
    assert r.status_code == 409 and r.json()["code"] == "limit_exceeded"
    assert "1원" in r.json()["detail"]  # over by one won, said in Korean
    b = client.post(f"{API}/programs/{pid}/slots", headers=h, json={**base, "code": "B", "ceiling_krw": 400_000_000})
    assert b.status_code == 201
    # a proposal for a slot of a programme before its call is refused
    r = client.post(f"{API}/proposals", headers=h, json={
        "project_id": b.json()["id"], "consortium_id": 1, "requested_grant_krw": 1, "private_matching_krw": 0,
        "planned_direct_hires": 1})
    assert r.status_code in (409, 422)
    # an unpublished slot can be deleted; a bad slot (regional without a region) is a 422
    assert client.delete(f"{API}/slots/{b.json()['id']}", headers=h).status_code == 204
    r = client.post(f"{API}/programs/{pid}/slots", headers=h,
                    json={**base, "code": "R", "call_type": "regional", "ceiling_krw": 1})
    assert r.status_code == 422
    state = client.get(f"{API}/programs/{pid}/state", headers=h).json()
    assert state["slots"] == 1 and state["room_krw"] == 400_000_000
    # an auditor reads but never creates
    auditor = token_for(make_user(session, Role.auditor))
    assert client.post(f"{API}/programs/{pid}/slots", headers=auditor,
                       json={**base, "code": "C", "ceiling_krw": 1}).status_code == 403
    assert client.post(f"{API}/programs/{p2021.id}/actions/copy", headers=auditor,
                       json={"year": 2024, "name_ko": "x"}).status_code == 403
