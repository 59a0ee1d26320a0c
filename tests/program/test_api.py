"""Programme API: summary numbers, list filters and pagination, validation that writes nothing."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from core.models import AuditEvent, Role
from program.models import Project
from tests.builders import count, make_program, make_project, make_user, token_for


def test_summary_required_hires_for_the_whole_programme(client: TestClient, session: Session):
    program = make_program(session)
    make_project(session, program, field_code="HEALTH", ceiling_krw=2_000_000_000)
    make_project(session, program, field_code="LANG", call_type="free", ceiling_krw=1_900_000_000)
    r = client.get(f"/api/v1/programs/{program.id}/summary", headers=token_for(make_user(session, Role.auditor)))
    assert r.status_code == 200
    body = r.json()
    assert body["total_budget_krw"] == 292_500_000_000
    assert body["required_direct_hires"] == 7020
    assert body["sum_of_ceilings_krw"] == 3_900_000_000
    by_type = {t["code"]: t["projects"] for t in body["projects_by_call_type"]}
    assert by_type == {"designated": 1, "regional": 0, "free": 1}
    by_field = {f["code"]: f["projects"] for f in body["projects_by_field"]}
    assert by_field["HEALTH"] == 1 and by_field["LANG"] == 1 and by_field["SAFETY"] == 0


def test_list_projects_filters_and_pages(client: TestClient, session: Session):
    program = make_program(session)
    for _ in range(3):
        make_project(session, program, field_code="HEALTH")
    make_project(session, program, field_code="AGRI")
    headers = token_for(make_user(session, Role.evaluator))
    r = client.get("/api/v1/projects", params={"field": "HEALTH", "limit": 2}, headers=headers)
    assert r.status_code == 200
    assert r.json()["total"] == 3 and len(r.json()["items"]) == 2
    assert all(p["field_code"] == "HEALTH" for p in r.json()["items"])
    r2 = client.get("/api/v1/projects", params={"field": "HEALTH", "limit": 2, "offset": 2}, headers=headers)
    assert len(r2.json()["items"]) == 1
    assert client.get("/api/v1/projects", params={"field": "NOPE"}, headers=headers).status_code == 422


def test_create_project_validation_writes_nothing(client: TestClient, session: Session):
    program = make_program(session, total_budget_krw=5_000_000_000)
    make_project(session, program, ceiling_krw=3_000_000_000)
    headers = token_for(make_user(session, Role.official))
    base = {"program_id": program.id, "code": "N-1", "field_code": "HEALTH", "call_type": "designated",
            "title_ko": "새 과제", "ceiling_krw": 1_000_000_000}
    projects, events = count(session, Project), count(session, AuditEvent)

    r = client.post("/api/v1/projects", headers=headers, json={**base, "ceiling_krw": -5})
    assert r.status_code == 422 and r.json()["field"] == "ceiling_krw"
    r = client.post("/api/v1/projects", headers=headers, json={**base, "ceiling_krw": 2_000_000_001})
    assert r.status_code == 409  # a limit (the programme total), like every limit
    assert r.json()["field"] == "ceiling_krw" and "1원 초과" in r.json()["detail"]  # Korean by default
    r = client.post("/api/v1/projects", headers=headers, json={**base, "call_type": "regional"})
    assert r.status_code == 422 and r.json()["field"] == "region"
    r = client.post("/api/v1/projects", headers=headers, json={**base, "unknown": 1})
    assert r.status_code == 422
    assert count(session, Project) == projects and count(session, AuditEvent) == events

    ok = client.post("/api/v1/projects", headers=headers, json={**base, "ceiling_krw": 2_000_000_000})
    assert ok.status_code == 201 and ok.json()["field_code"] == "HEALTH"
    assert count(session, Project) == projects + 1 and count(session, AuditEvent) == events + 1
    dup = client.post("/api/v1/projects", headers=headers, json={**base, "ceiling_krw": 1})
    assert dup.status_code == 409


def test_consortium_and_proposal_flow(client: TestClient, session: Session):
    program = make_program(session)
    project = make_project(session, program)
    headers = token_for(make_user(session, Role.official))
    orgs = []
    for i, kind in enumerate(["sme", "crowd_platform"]):
        r = client.post("/api/v1/organizations", headers=headers, json={
            "name": f"(주)가온{i}", "business_number": f"220-81-6251{i}", "kind": kind, "region": "대전"})
        assert r.status_code == 201, r.text
        orgs.append(r.json()["id"])
    bad = client.post("/api/v1/organizations", headers=headers, json={
        "name": "x", "business_number": "2208162517", "kind": "sme", "region": "대전"})
    assert bad.status_code == 422
    r = client.post("/api/v1/consortia", headers=headers, json={"name": "가온 컨소시엄", "members": [
        {"org_id": orgs[0], "role": "lead", "share_bp": 7000},
        {"org_id": orgs[1], "role": "crowd_platform", "share_bp": 2000}]})
    assert r.status_code == 422 and "90.00%" in r.json()["detail"]
    r = client.post("/api/v1/consortia", headers=headers, json={"name": "가온 컨소시엄", "members": [
        {"org_id": orgs[0], "role": "lead", "share_bp": 7000},
        {"org_id": orgs[1], "role": "crowd_platform", "share_bp": 3000}]})
    assert r.status_code == 201
    cid = r.json()["id"]
    p = client.post("/api/v1/proposals", headers=headers, json={
        "project_id": project.id, "consortium_id": cid, "requested_grant_krw": 1_900_000_000,
        "private_matching_krw": 220_000_000, "planned_direct_hires": 46})
    assert p.status_code == 201, p.text
    auditor = token_for(make_user(session, Role.auditor))
    listed = client.get("/api/v1/proposals", params={"project_id": project.id}, headers=auditor)
    assert listed.json()["total"] == 1
    evaluator = token_for(make_user(session, Role.evaluator))
    assert client.get("/api/v1/proposals", headers=evaluator).status_code == 403
