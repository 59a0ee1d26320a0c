"""Findings over HTTP (officials and auditors; evaluators refused) and on the command line."""

import argparse
import json
from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session

from compliance import cli
from core.models import Role
from tests.builders import make_program, make_user, token_for
from tests.compliance.builders import make_delivery


def test_findings_endpoint_filters_and_roles(client: TestClient, session: Session):
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
    assert body["items"][0]["severity"] == "high"  # ordered by severity
    r = client.get("/api/v1/compliance/findings", headers=official, params={**params, "severity": "medium"})
    assert [f["evidence"][0]["data_type_id"] for f in r.json()["items"]] == [late.id]
    r = client.get("/api/v1/compliance/findings", headers=auditor, params={**params, "check_id": "DLV-01"})
    assert [f["subject"] for f in r.json()["items"]] == [f"data_type:{short.id}"]
    r = client.get("/api/v1/compliance/findings", headers=auditor, params={**params, "project_id": short.project_id})
    assert r.json()["total"] == 1
    assert client.get("/api/v1/compliance/findings", headers=auditor,
                      params={**params, "check_id": "NOPE-1"}).status_code == 422
    assert client.get("/api/v1/compliance/findings", headers=evaluator, params=params).status_code == 403
    assert client.get("/api/v1/compliance/findings", params=params).status_code == 401
    checks = client.get("/api/v1/compliance/checks", headers=auditor).json()
    assert {"SYS-01", "DLV-01", "MON-04", "HIR-03", "EVA-02", "LAB-01", "CRD-01"} <= {c["id"] for c in checks}
    assert all(c["title_ko"] and c["title_en"] and c["rule"] for c in checks)


def test_cli_prints_counts_then_findings(session: Session, capsys):
    program = make_program(session)
    make_delivery(session, program=program, opened=None)
    args = argparse.Namespace(json=False, program_id=program.id, as_of="2024-12-31")
    assert cli.run_check(args) == 1
    out = capsys.readouterr().out
    assert "high 1, medium 0, low 0; total 1" in out and "DLV-04" in out and "데이터 미개방" in out
    args = argparse.Namespace(json=True, program_id=program.id, as_of="2024-12-31")
    assert cli.run_check(args) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 1 and data["findings"][0]["check_id"] == "DLV-04"
    assert cli.run_check(argparse.Namespace(json=False, program_id=999_999, as_of=None)) == 2
