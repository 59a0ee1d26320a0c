"""The life cycle is a state machine (finding 5): statuses move only by actions with their rules.

Pure transition rules first, then the reproductions of finding 5 through the API, then a walk over
every write schema of the API that adds each read-only field of its read schema (422, nothing written).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

import schema
from core.audit import verify_chain
from core.models import AuditEvent, Role
from program import lifecycle
from program.delivery_models import DataOpening, DeliveryProgress
from program.lifecycle import ProjectAction, ProjectFacts
from program.models import DataType, ProjectStatus, Proposal, ProposalStatus
from scoring.models import Screening
from tests.builders import (
    count,
    fresh,
    make_consortium,
    make_program,
    make_project,
    make_proposal,
    make_user,
    token_for,
)
from tests.scoring.builders import scenario, score

S = ProjectStatus
API = "/api/v1"


# --------------------------------------------------------------------------- pure rules


@pytest.mark.parametrize(("action", "status", "allowed"), [
    (ProjectAction.close_call, S.open, True), (ProjectAction.close_call, S.reannounced, True),
    (ProjectAction.close_call, S.awarded, False), (ProjectAction.close_call, S.under_evaluation, False),
    (ProjectAction.reannounce, S.under_evaluation, True), (ProjectAction.reannounce, S.awarded, False),
    (ProjectAction.cancel, S.open, True), (ProjectAction.cancel, S.awarded, False),
    (ProjectAction.cancel, S.cancelled, False), (ProjectAction.confirm_selection, S.open, False),
    (ProjectAction.confirm_selection, S.under_evaluation, True), (ProjectAction.sign_agreement, S.awarded, True),
    (ProjectAction.sign_agreement, S.building, False), (ProjectAction.start_quality_verification, S.building, True),
    (ProjectAction.mark_opened, S.building, False), (ProjectAction.mark_opened, S.quality_verification, True),
    (ProjectAction.panel, S.awarded, False), (ProjectAction.panel, S.reannounced, True),
])
def test_transition_state_table(action, status, allowed):
    """Finding 5: each transition starts only from its listed states."""
    assert (lifecycle.state_problem(action, status) is None) is allowed


def test_terminal_states_have_no_way_out():
    """Finding 5: cancelled and opened are final."""
    for action, (sources, _) in lifecycle.PROJECT_TRANSITIONS.items():
        assert not sources & lifecycle.TERMINAL, action


def test_guards_beyond_the_state():
    """Finding 5: the rules of each action, on plain facts."""
    p = lifecycle.project_transition_problems
    assert p(ProjectAction.close_call, ProjectFacts(S.open, active_proposals=0)) == [
        "no proposal has been received: re-announce or cancel the project instead"]
    assert p(ProjectAction.close_call, ProjectFacts(S.open, active_proposals=1)) == []
    assert p(ProjectAction.cancel, ProjectFacts(S.open, reason="  ")) == ["cancel needs a written reason"]
    assert p(ProjectAction.start_quality_verification, ProjectFacts(S.building, built_items=0))
    assert p(ProjectAction.mark_opened, ProjectFacts(S.quality_verification, data_types=2, data_types_opened=1)) == [
        "1 of 2 data type(s) have no opening recorded yet"]
    assert p(ProjectAction.mark_opened, ProjectFacts(S.quality_verification, data_types=2, data_types_opened=2)) == []
    assert lifecycle.ceiling_floor_problem(1_804_999_999, 1_805_000_000, "recommended grant") == (
        "ceiling 1,804,999,999 KRW is below the recommended grant of 1,805,000,000 KRW by 1 KRW")
    assert lifecycle.ceiling_floor_problem(1_805_000_000, 1_805_000_000, "recommended grant") is None
    assert lifecycle.frozen_changes({"requested_grant_krw": 5, "title": "a"},
                                    {"requested_grant_krw": 5, "title": "b"}) == []
    assert lifecycle.frozen_changes({"requested_grant_krw": 5}, {"requested_grant_krw": 6}) == ["requested_grant_krw"]
    assert lifecycle.withdraw_problem(ProposalStatus.eligible, S.under_evaluation) is not None
    assert lifecycle.withdraw_problem(ProposalStatus.selected, S.open) is not None
    assert lifecycle.withdraw_problem(ProposalStatus.eligible, S.reannounced) is None


# --------------------------------------------------------------------------- through the API


def _official(session: Session) -> dict[str, str]:
    return token_for(make_user(session, Role.official))


def _events(session: Session, action: str) -> int:
    fresh(session)
    n = session.exec(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)).one()
    fresh(session)
    return int(n)


def _awarded(session: Session) -> dict[str, Any]:
    """A project taken through panel, scores and confirmation: A selected (1,805,000,000 recommended)."""
    s = scenario(session, n_eval=5, n_props=2)
    a, b = s["proposals"]
    for u, ta, tb in zip(s["users"], [80, 82, 84, 86, 100], [70, 71, 72, 73, 60], strict=True):
        score(session, u, a, ta)
        score(session, u, b, tb)
    from scoring import service as scoring_service
    from tests.budgeting.builders import OFFICIAL
    s["selection"] = scoring_service.confirm_selection(session, OFFICIAL, s["project"].id)
    fresh(session)
    return s


def _status(session: Session, model: Any, row_id: int) -> Any:
    fresh(session)
    row = session.exec(select(model).where(model.id == row_id).execution_options(populate_existing=True)).one()
    fresh(session)
    return row.status


def test_patch_cannot_set_status_or_ceiling(client: TestClient, session: Session):
    """Finding 5: `PATCH /projects/1 {"ceiling_krw":1,"status":"open"}` was 200 on an awarded project."""
    s = _awarded(session)
    h = _official(session)
    pid = s["project"].id
    events = count(session, AuditEvent)
    for body in ({"ceiling_krw": 1, "status": "open"}, {"status": "open"}, {"ceiling_krw": 1}):
        r = client.patch(f"{API}/projects/{pid}", headers=h, json=body)
        assert r.status_code == 422, (body, r.text)
    project = client.get(f"{API}/projects/{pid}", headers=h).json()
    assert project["status"] == "awarded" and project["ceiling_krw"] == s["project"].ceiling_krw
    assert count(session, AuditEvent) == events


def test_ceiling_cannot_go_below_the_recommended_grant(client: TestClient, session: Session):
    """Finding 5: a ceiling below what is recommended or awarded is refused with the figures."""
    s = _awarded(session)
    h = _official(session)
    pid = s["project"].id
    r = client.post(f"{API}/scoring/projects/{pid}/ceiling", headers={**h, "Accept-Language": "en"},
                    json={"ceiling_krw": 1})
    assert r.status_code == 409
    assert "1,805,000,000 KRW" in r.json()["detail"] and "by 1,804,999,999 KRW" in r.json()["detail"]
    r = client.post(f"{API}/scoring/projects/{pid}/ceiling", headers=h, json={"ceiling_krw": 1_805_000_000,
                                                                              "reason": "협약 금액에 맞춤"})
    assert r.status_code == 200, r.text
    assert r.json()["before_krw"] == 1_950_000_000 and r.json()["floor_krw"] == 1_805_000_000
    assert r.json()["rescreened"] == []  # the selection is confirmed: screening is closed
    assert client.get(f"{API}/projects/{pid}", headers=h).json()["ceiling_krw"] == 1_805_000_000
    assert _events(session, "project.ceiling") == 1


def test_a_changed_ceiling_rescreens_the_projects_proposals(client: TestClient, session: Session):
    """Finding 5: lowering a ceiling below a requested grant makes that proposal ineligible, and back."""
    program = make_program(session, total_budget_krw=10_000_000_000)
    project = make_project(session, program, ceiling_krw=3_000_000_000)
    big = make_proposal(session, project, requested_grant_krw=2_500_000_000, private_matching_krw=300_000_000,
                        planned_direct_hires=60)
    small = make_proposal(session, project)  # 1.9B
    h = _official(session)
    assert client.post(f"{API}/scoring/projects/{project.id}/screen", headers=h).status_code == 200
    assert _status(session, Proposal, big.id) == ProposalStatus.eligible
    r = client.post(f"{API}/scoring/projects/{project.id}/ceiling", headers=h, json={"ceiling_krw": 2_000_000_000})
    assert r.status_code == 200, r.text
    by_id = {x["proposal_id"]: x for x in r.json()["rescreened"]}
    assert by_id[big.id]["effective_eligible"] is False
    assert [x["code"] for x in by_id[big.id]["reasons"]] == ["grant_above_ceiling"]
    assert by_id[small.id]["effective_eligible"] is True
    assert _status(session, Proposal, big.id) == ProposalStatus.ineligible
    r = client.post(f"{API}/scoring/projects/{project.id}/ceiling", headers=h, json={"ceiling_krw": 2_600_000_000})
    assert r.status_code == 200 and _status(session, Proposal, big.id) == ProposalStatus.eligible
    # and the programme total still holds: 10B total, nothing else, so 10B + 1 won is refused
    r = client.post(f"{API}/scoring/projects/{project.id}/ceiling", headers=h, json={"ceiling_krw": 10_000_000_001})
    assert r.status_code == 409 and "1원 초과" in r.json()["detail"]  # Korean by default


def test_no_proposal_on_an_awarded_project(client: TestClient, session: Session):
    """Finding 5: a new proposal on an awarded project was 201."""
    s = _awarded(session)
    h = _official(session)
    body = {"project_id": s["project"].id, "consortium_id": make_consortium(session).id,
            "requested_grant_krw": 1_000_000_000, "private_matching_krw": 200_000_000, "planned_direct_hires": 30}
    proposals = count(session, Proposal)
    r = client.post(f"{API}/proposals", headers={**h, "Accept-Language": "en"}, json=body)
    assert r.status_code == 409 and "not open for proposals" in r.json()["detail"]
    assert count(session, Proposal) == proposals


def test_proposal_status_is_not_writable(client: TestClient, session: Session):
    """Finding 5: `PATCH /proposals/2 {"status":"selected"}` gave two selected proposals."""
    s = _awarded(session)
    h = _official(session)
    _, b = s["proposals"]
    r = client.patch(f"{API}/proposals/{b.id}", headers=h, json={"status": "selected"})
    assert r.status_code == 422
    fresh(session)
    n = session.exec(select(func.count()).select_from(Proposal).where(
        Proposal.project_id == s["project"].id, Proposal.status == ProposalStatus.selected)).one()
    assert n == 1 and _status(session, Proposal, b.id) == ProposalStatus.reserve


def test_requested_amounts_are_frozen_once_submitted(client: TestClient, session: Session):
    """Finding 5: `requested_grant_krw` could change after the award."""
    s = _awarded(session)
    h = _official(session)
    a, _ = s["proposals"]
    for field, value in (("requested_grant_krw", 3_000_000_000), ("private_matching_krw", 1),
                         ("planned_direct_hires", 1)):
        r = client.patch(f"{API}/proposals/{a.id}", headers=h, json={field: value})
        assert r.status_code == 409 and r.json()["field"] == field, r.text
    r = client.patch(f"{API}/proposals/{a.id}", headers=h, json={"requested_grant_krw": a.requested_grant_krw,
                                                                  "title": "고친 제목"})
    assert r.status_code == 200 and r.json()["title"] == "고친 제목"  # the same amount is no change
    fresh(session)
    assert session.get(Proposal, a.id).requested_grant_krw == 1_900_000_000  # type: ignore[union-attr]


def test_close_call_then_no_proposal_and_no_withdrawal(client: TestClient, session: Session):
    """Finding 5: proposals are accepted only while the call is open; closing it is an audited action."""
    project = make_project(session)
    h = _official(session)
    r = client.post(f"{API}/projects/{project.id}/actions/close-call", headers={**h, "Accept-Language": "en"})
    assert r.status_code == 422 and "re-announce or cancel" in r.json()["detail"]
    p = make_proposal(session, project)
    late = make_proposal(session, project)
    r = client.post(f"{API}/proposals/{late.id}/actions/withdraw", headers=h, json={"reason": "컨소시엄 해체"})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    r = client.post(f"{API}/projects/{project.id}/actions/close-call", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "under_evaluation"
    assert _events(session, "project.close-call") == 1
    body = {"project_id": project.id, "consortium_id": make_consortium(session).id,
            "requested_grant_krw": 1_000_000_000, "private_matching_krw": 200_000_000, "planned_direct_hires": 30}
    assert client.post(f"{API}/proposals", headers=h, json=body).status_code == 409
    r = client.post(f"{API}/proposals/{p.id}/actions/withdraw", headers=h, json={"reason": "늦은 철회"})
    assert r.status_code == 409
    assert client.post(f"{API}/projects/{project.id}/actions/close-call", headers=h).status_code == 409
    assert client.post(f"{API}/projects/{project.id}/actions/confirm-selection", headers=h).status_code == 422
    # screening leaves the withdrawn proposal out, whatever it said before
    assert client.post(f"{API}/scoring/projects/{project.id}/screen", headers=h).status_code == 200
    fresh(session)
    scr = session.exec(select(Screening).where(Screening.proposal_id == late.id)).one()
    assert scr.effective_eligible is False and scr.reasons[0]["code"] == "withdrawn"


def test_reannounce_cancel_and_the_delivery_steps(client: TestClient, session: Session):
    """Finding 5: re-announcement closes the round and reopens the call; cancel is final; delivery steps
    follow the agreement."""
    project = make_project(session)
    old = make_proposal(session, project)
    h = _official(session)
    assert client.post(f"{API}/projects/{project.id}/actions/close-call", headers=h).status_code == 200
    r = client.post(f"{API}/projects/{project.id}/actions/reannounce", headers=h)
    assert r.status_code == 422  # a reason is required
    r = client.post(f"{API}/projects/{project.id}/actions/reannounce", headers=h, json={"reason": "단독 응찰"})
    assert r.status_code == 200 and r.json()["status"] == "reannounced"
    assert _status(session, Proposal, old.id) == ProposalStatus.not_selected
    body = {"project_id": project.id, "consortium_id": make_consortium(session).id,
            "requested_grant_krw": 1_000_000_000, "private_matching_krw": 200_000_000, "planned_direct_hires": 30}
    assert client.post(f"{API}/proposals", headers=h, json=body).status_code == 201
    r = client.post(f"{API}/projects/{project.id}/actions/cancel", headers=h, json={"reason": "사업 취소"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    for action in ("close-call", "reannounce", "cancel", "mark-opened"):
        r = client.post(f"{API}/projects/{project.id}/actions/{action}", headers=h, json={"reason": "다시 시도"})
        assert r.status_code == 409, action
    # an awarded project: the agreement starts construction; cancel is refused; delivery steps in order
    s = _awarded(session)
    pid = s["project"].id
    assert client.post(f"{API}/projects/{pid}/actions/cancel", headers=h, json={"reason": "취소"}).status_code == 409
    assert client.post(f"{API}/projects/{pid}/actions/start-quality-verification", headers=h).status_code == 409
    assert client.post(f"{API}/budgeting/programs/{s['program'].id}/envelopes", headers=h).status_code == 201
    r = client.post(f"{API}/budgeting/awards", headers=h, json={"selection_id": s["selection"].id,
                                                                 "start_date": "2021-05-01", "end_date": "2021-12-31"})
    assert r.status_code == 201, r.text
    assert client.get(f"{API}/projects/{pid}", headers=h).json()["status"] == "building"
    assert _events(session, "project.sign-agreement") == 1
    r = client.post(f"{API}/projects/{pid}/actions/start-quality-verification", headers={**h, "Accept-Language": "en"})
    assert r.status_code == 422 and "no built items" in r.json()["detail"]
    fresh(session)
    dt = session.exec(select(DataType).where(DataType.project_id == pid)).one()
    session.add(DeliveryProgress(data_type_id=dt.id, month=date(2021, 9, 1), built_items=100_000))
    session.commit()
    r = client.post(f"{API}/projects/{pid}/actions/start-quality-verification", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "quality_verification"
    r = client.post(f"{API}/projects/{pid}/actions/mark-opened", headers={**h, "Accept-Language": "en"})
    assert r.status_code == 422 and "no opening recorded" in r.json()["detail"]
    session.add(DataOpening(data_type_id=dt.id, due_date=date(2022, 6, 30), opened_date=date(2022, 6, 1)))
    session.commit()
    r = client.post(f"{API}/projects/{pid}/actions/mark-opened", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "opened"
    fresh(session)
    assert verify_chain(session).ok


def test_every_write_schema_refuses_every_read_only_field(client: TestClient, session: Session):
    """Finding 5: for every JSON write operation of the API, each read-only field of its answer (id, status,
    created_at, …) sent in the body is refused with 422 naming that field, and nothing is written."""
    users = {role: token_for(make_user(session, role)) for role in (Role.official, Role.evaluator, Role.admin)}
    spec = client.app.openapi()  # type: ignore[attr-defined]
    comps = spec["components"]["schemas"]

    def props(ref_holder: dict[str, Any]) -> set[str]:
        sch = ref_holder
        for key in ("anyOf", "oneOf"):
            if key in sch:
                sch = next((x for x in sch[key] if "$ref" in x or "properties" in x), {})
        if "$ref" in sch:
            sch = comps[sch["$ref"].rsplit("/", 1)[-1]]
        if sch.get("type") == "array" and "items" in sch:
            return props(sch["items"])
        return set(sch.get("properties", {}))

    always = {"id", "status", "created_at", "created_by"}
    checked = 0
    tables = schema.load_models().sorted_tables
    for path, item in spec["paths"].items():
        for method in ("post", "put", "patch"):
            op = item.get(method)
            if not op or "requestBody" not in op:
                continue
            content = op["requestBody"].get("content", {})
            if "application/json" not in content:
                continue  # multipart uploads have no JSON schema to extend
            writable = props(content["application/json"]["schema"])
            ok = next((op["responses"][c] for c in ("200", "201") if c in op["responses"]), None)
            body = (ok or {}).get("content", {}).get("application/json")  # a PDF answer has no JSON schema
            readable = props(body["schema"]) if body else set()
            url = path
            for param in op.get("parameters", []):
                if param["in"] == "path":
                    url = url.replace("{" + param["name"] + "}", "1")
            for field in sorted((readable | always) - writable):
                before = _snapshot(session, tables)
                answers = set()
                for headers in users.values():
                    r = client.request(method.upper(), API + url[len("/api/v1"):] if url.startswith("/api/v1")
                                       else url, headers=headers, json={field: 1})
                    answers.add(r.status_code)
                    if r.status_code == 422:
                        named = [e for e in (r.json().get("errors") or []) if e.get("field") == field]
                        assert named, (method, path, field, r.json())
                        break
                else:
                    pytest.fail(f"{method.upper()} {path} with read-only '{field}': answers {answers}, never 422")
                assert _snapshot(session, tables) == before, (method, path, field)
                checked += 1
    assert checked > 50  # every write route of the API was walked


def _snapshot(session: Session, tables: list[Any]) -> dict[str, int]:
    fresh(session)
    out = {t.name: int(session.execute(select(func.count()).select_from(t)).scalar_one()) for t in tables}
    fresh(session)
    return out

