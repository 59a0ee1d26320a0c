"""Findings over HTTP (officials and auditors; evaluators refused), in the reader's language, and on the CLI."""

import argparse
import json
from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from compliance import cli
from compliance.models import FindingRun
from core.models import Role
from tests.builders import make_program, make_user, token_for
from tests.compliance.builders import make_delivery


def test_findings_endpoint_filters_roles_and_language(client: TestClient, session: Session):
    program = make_program(session)
    short = make_delivery(session, program=program, contracted=1_000_000, built=2_000)
    late = make_delivery(session, program=program, opened=date(2022, 9, 1))
    auditor = token_for(make_user(session, Role.auditor))
    official = token_for(make_user(session, Role.official))
    evaluator = token_for(make_user(session, Role.evaluator))
    params = {"program_id": program.id, "as_of": "2024-12-31"}
    r = client.get("/api/v1/compliance/findings", headers=auditor, params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 2 and body["counts"] == {"high": 1, "medium": 1, "low": 0}
    assert body["items"][0]["severity"] == "high" and body["items"][0]["severity_label"] == "중대"
    assert body["items"][0]["message"].endswith("계약 물량 1,000,000건 중 2,000건 구축 (0.2%, 기준 95.0% 이상)")
    assert body["items"][0]["subject"].startswith(short.project.code if hasattr(short, "project") else "")
    assert body["freshness"][0]["stored"] is True and body["freshness"][0]["current"] is True
    r = client.get("/api/v1/compliance/findings", headers={**official, "Accept-Language": "en-US,en;q=0.9"},
                   params={**params, "severity": "medium"})
    items = r.json()["items"]
    assert [f["refs"]["data_type"] for f in items] == [[late.id]]
    assert "opened on 2022-09-01, 32 days after the due date 2022-07-31" in items[0]["message"]
    assert items[0]["severity_label"] == "Medium"
    r = client.get("/api/v1/compliance/findings", headers=auditor, params={**params, "check_id": "DLV-01"})
    assert [f["project_id"] for f in r.json()["items"]] == [short.project_id]
    r = client.get("/api/v1/compliance/findings", headers=auditor, params={**params, "project_id": short.project_id})
    assert r.json()["total"] == 1
    assert client.get("/api/v1/compliance/findings", headers=auditor,
                      params={**params, "check_id": "NOPE-1"}).status_code == 422
    assert client.get("/api/v1/compliance/findings", headers=evaluator, params=params).status_code == 403
    assert client.get("/api/v1/compliance/findings", params=params).status_code == 401
    checks = client.get("/api/v1/compliance/checks", headers=auditor).json()
    assert {"SYS-01", "DLV-01", "MON-04", "HIR-03", "EVA-02", "LAB-01", "CRD-01"} <= {c["id"] for c in checks}
    rule = next(c["rule"] for c in checks if c["id"] == "DLV-01")
    assert rule == "구축이 끝난 과제는 계약 물량의 95.0% 이상을 구축해야 함"


def test_full_run_is_an_auditors_action(client: TestClient, session: Session):
    program = make_program(session)
    make_delivery(session, program=program, opened=None)
    auditor = token_for(make_user(session, Role.auditor))
    evaluator = token_for(make_user(session, Role.evaluator))
    body = {"program_id": program.id, "as_of": "2024-12-31", "reason": "분기 점검"}
    assert client.post("/api/v1/compliance/runs", headers=evaluator, json=body).status_code == 403
    runs_before = session.exec(select(func.count()).select_from(FindingRun)).one()
    for bad in ({**body, "program_id": 0}, {**body, "as_of": "2024-13-01"}, {**body, "status": "ok"},
                {**body, "reason": "x" * 2001}):
        r = client.post("/api/v1/compliance/runs", headers=auditor, json=bad)
        assert r.status_code == 422, (bad, r.text)
    assert session.exec(select(func.count()).select_from(FindingRun)).one() == runs_before  # nothing changed
    assert client.post("/api/v1/compliance/runs", headers=auditor,
                       json={**body, "program_id": 999_999}).status_code == 404
    r = client.post("/api/v1/compliance/runs", headers=auditor, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["added"] == 1 and r.json()["as_of"] == "2024-12-31"
    r = client.get("/api/v1/compliance/findings", headers=auditor,
                   params={"program_id": program.id, "as_of": "2024-12-31"})
    assert r.json()["total"] == 1 and r.json()["freshness"][0]["full_run_at"] is not None


def test_cli_prints_counts_then_findings(session: Session, capsys):
    program = make_program(session)
    make_delivery(session, program=program, opened=None)
    args = argparse.Namespace(json=False, program_id=program.id, as_of=date(2024, 12, 31))
    assert cli.run_check(args) == 1
    out = capsys.readouterr().out
    assert "중대 1, 주의 0, 참고 0 · 계 1건" in out and "DLV-04" in out and "데이터 미개방" in out
    assert "개방 기한 2022. 7. 31.에서 884일이 지났으나 개방되지 않음" in out
    args = argparse.Namespace(json=True, program_id=program.id, as_of=date(2024, 12, 31), lang="en")
    assert cli.run_check(args) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 1 and data["findings"][0]["check_id"] == "DLV-04"
    assert "not opened, 884 days past the due date 2022-07-31" in data["findings"][0]["message"]
    assert cli.run_check(argparse.Namespace(json=False, program_id=999_999, as_of=None)) == 2
    args = argparse.Namespace(json=False, program_id=program.id, as_of="2024-12-31", store=True)
    assert cli.run_check(args) == 0
    assert "점검 결과 저장" in capsys.readouterr().out
