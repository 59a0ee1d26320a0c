"""Delivery API: officials record, auditors read, evaluators are refused; bad input is 422."""

from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session

from core.models import Role
from program.delivery_models import QualityVerification
from tests.builders import count, make_program, make_user, token_for
from tests.compliance.builders import make_delivery


def test_record_and_read(client: TestClient, session: Session):
    program = make_program(session)
    dt = make_delivery(session, program=program, result=None)
    official = token_for(make_user(session, Role.official))
    auditor = token_for(make_user(session, Role.auditor))
    evaluator = token_for(make_user(session, Role.evaluator))

    r = client.post(f"/api/v1/data-types/{dt.id}/verifications", headers=official,
                    json={"verified_date": "2022-04-01", "result": "fail"})
    assert r.status_code == 422 and r.json()["field"] == "remediation_due_date"
    assert count(session, QualityVerification) == 0
    r = client.post(f"/api/v1/data-types/{dt.id}/verifications", headers=official,
                    json={"verified_date": "2022-04-01", "result": "fail", "remediation_due_date": "2022-06-01",
                          "semantic_target_pct": "90", "semantic_measured_pct": "81.5"})
    assert r.status_code == 201, r.text
    r = client.post(f"/api/v1/data-types/{dt.id}/progress", headers=official,
                    json={"month": "2021-09-01", "built_items": 10})
    assert r.status_code == 201 and r.json()["cumulative_items"] == 100_010
    r = client.post(f"/api/v1/data-types/{dt.id}/verifications", headers=auditor,
                    json={"verified_date": "2022-04-01", "result": "pass"})
    assert r.status_code == 403

    r = client.get(f"/api/v1/programs/{program.id}/deliveries", headers=auditor,
                   params={"as_of": "2024-01-01", "quality_state": "remediation_overdue"})
    assert r.status_code == 200 and r.json()["total"] == 1
    assert r.json()["items"][0]["data_type_id"] == dt.id
    r = client.get(f"/api/v1/programs/{program.id}/delivery-funnel", headers=auditor, params={"as_of": "2024-01-01"})
    assert [s["data_types"] for s in r.json()["stages"]] == [1, 1, 0, 0]
    assert client.get(f"/api/v1/programs/{program.id}/deliveries", headers=evaluator).status_code == 403
    r = client.get(f"/api/v1/data-types/{dt.id}/delivery", headers=auditor, params={"as_of": "2022-05-01"})
    assert r.json()["status"]["quality_state"] == "remediation_open"
    assert client.get("/api/v1/delivery-history", headers=auditor).json()["goal_data_types"] == 1300
    assert client.get("/api/v1/data-types/999999/delivery", headers=auditor).status_code == 404
    today = date.today().isoformat()
    r = client.put(f"/api/v1/data-types/{dt.id}/opening", headers=official, json={"opened_date": today})
    assert r.status_code == 200 and r.json()["opened_date"] == today
