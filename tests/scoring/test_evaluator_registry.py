"""Issue 12: the evaluator registry, the no-conflict confirmation, a declared conflict leaving the panel,
proposal documents by role, and accounts that never seat themselves on a panel (both databases)."""

from __future__ import annotations

import io
import sys
from datetime import date

from openpyxl import Workbook
from sqlmodel import select

from core.audit import SYSTEM
from core.models import AuditEvent, Role, User
from program.models import CoreField
from scoring import evaluators as registry
from scoring import service
from scoring.models import ConflictRecord, Evaluator, EvaluatorEmployment, PanelMember, ScoreSheet
from tests.builders import count, fresh, make_org, make_user, token_for
from tests.scoring.builders import scenario, scores_for_total

S = "/api/v1/scoring"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_officials_create_search_edit_and_deactivate_profiles_contact_private(client, session):
    official, auditor = make_user(session, Role.official), make_user(session, Role.auditor)
    h = token_for(official)
    org, past = make_org(session, name="한빛병원"), make_org(session, name="(주)옛직장")
    s = scenario(session, n_eval=0, n_props=0, panel=False)  # the six core fields
    assert s["project"] is not None
    r = client.post(f"{S}/evaluators", headers=h, json={
        "name": "김평가", "expertise_field_code": "HEALTH", "affiliation_org_id": org.id, "title": "교수",
        "email": "kim@example.kr", "phone": "010-1234-5678",
        "affiliations": [{"org_id": past.id, "start_date": "2015-03-01", "end_date": "2020-02-29"}]})
    assert r.status_code == 201, r.text
    ev = r.json()
    assert ev["code"].startswith("EV") and ev["email"] == "kim@example.kr" and ev["panels"] == 0
    assert ev["affiliations"] == [{"org_id": past.id, "org_name": "(주)옛직장", "start_date": "2015-03-01",
                                   "end_date": "2020-02-29"}]
    # search by name and by field; the auditor reads the profile without its contact
    found = client.get(f"{S}/evaluators", headers=h, params={"q": "김평", "field": "HEALTH"}).json()
    assert [e["id"] for e in found["items"]] == [ev["id"]] and found["total"] == 1
    seen = client.get(f"{S}/evaluators/{ev['id']}", headers=token_for(auditor)).json()
    assert seen["name"] == "김평가" and seen["email"] is None and seen["phone"] is None
    assert "kim@example.kr" not in " ".join(str(a) for a in session.exec(select(AuditEvent.after_json)).all())
    # bad input: 422, nothing changed
    assert client.post(f"{S}/evaluators", headers=h, json={"name": "x", "email": "not-mail"}).status_code == 422
    r = client.post(f"{S}/evaluators", headers=h, json={"name": "x", "affiliations": [
        {"org_id": past.id, "start_date": "2020-01-01", "end_date": "2019-01-01"}]})
    assert r.status_code == 422 and count(session, Evaluator) == 1
    # edit the dated affiliations; deactivate and reactivate
    r = client.patch(f"{S}/evaluators/{ev['id']}", headers=h, json={"title": "명예교수", "affiliations": []})
    assert r.status_code == 200 and r.json()["title"] == "명예교수" and r.json()["affiliations"] == []
    assert count(session, EvaluatorEmployment) == 0
    assert client.post(f"{S}/evaluators/{ev['id']}/deactivate", headers=h).json()["active"] is False
    assert client.get(f"{S}/evaluators", headers=h, params={"active": True}).json()["total"] == 0
    assert client.post(f"{S}/evaluators/{ev['id']}/reactivate", headers=h).json()["active"] is True
    # evaluators and auditors do not administer the registry
    assert client.post(f"{S}/evaluators", headers=token_for(auditor), json={"name": "x"}).status_code == 403
    assert client.get(f"{S}/evaluators", headers=token_for(make_user(session, Role.evaluator))).status_code == 403


def test_import_of_evaluators_is_all_or_nothing(client, session):
    h = token_for(make_user(session, Role.official))
    org = make_org(session)
    scenario(session, n_eval=0, n_props=0, panel=False)

    def book(rows):
        wb = Workbook()
        ws = wb.active
        ws.append([label for _, label in registry.EVALUATOR_COLUMNS])
        for row in rows:
            ws.append(row)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    good = [["이평가", "LANG", org.business_number, "연구원", "lee@example.kr", "", "", ""],
            ["박평가", "VISION", "", "", "", "", org.business_number, "2019-12-31"]]
    bad = good + [["", "NOPE", "999-99-99999", "", "bad", "", "", ""]]
    files = {"file": ("평가위원.xlsx", book(bad), "application/octet-stream")}
    r = client.post(f"{S}/evaluators/import", headers=h, files=files)
    assert r.status_code == 422
    where = {(e["row"], e["column"]) for e in r.json()["errors"]}
    assert {(4, "이름"), (4, "전문분야"), (4, "소속기관 사업자등록번호"), (4, "이메일")} <= where
    assert count(session, Evaluator) == 0
    reasons = {e["column"]: e["reason"] for e in r.json()["errors"]}
    assert reasons["이메일"] == "이메일 형식이 아닙니다" and "첫 문제: 4행 '이름'" in r.json()["detail"]
    baddate = [["최평가", "LANG", "", "", "", "", org.business_number, "2019-13-45"]]
    r = client.post(f"{S}/evaluators/import", headers={**h, "Accept-Language": "en"},
                    files={"file": ("평가위원.xlsx", book(baddate), "x")})
    assert r.status_code == 422
    assert [e["reason"] for e in r.json()["errors"]] == ["not a date; write YYYY-MM-DD (e.g. 2021-12-31)"]
    assert "First: row 2 '이전 소속 종료일'" in r.json()["detail"] and count(session, Evaluator) == 0
    good[0][1] = "음성·자연어"  # a core field by its Korean name, as the page's hint allows
    r = client.post(f"{S}/evaluators/import", headers=h, files={"file": ("평가위원.xlsx", book(good), "x")})
    assert r.status_code == 201 and r.json()["created"] == 2
    fresh(session)
    park = session.exec(select(Evaluator).where(Evaluator.name == "박평가")).one()
    job = session.exec(select(EvaluatorEmployment).where(EvaluatorEmployment.evaluator_id == park.id)).one()
    assert job.org_id == org.id and job.end_date == date(2019, 12, 31)
    lee = session.exec(select(Evaluator).where(Evaluator.name == "이평가")).one()
    assert lee.expertise_field_id == session.exec(select(CoreField.id).where(CoreField.code == "LANG")).one()


def test_a_sheet_opens_only_after_the_no_conflict_confirmation(client, session):
    s = scenario(session, n_eval=5, n_props=1)
    me = s["users"][0]
    ev = s["evaluators"][0]
    fresh(session)
    from scoring.models import ConflictConfirmation

    # the scenario confirmed for everyone; take this one back to see the gate
    for row in session.exec(select(ConflictConfirmation).where(ConflictConfirmation.evaluator_id == ev.id)).all():
        session.delete(row)
    session.commit()
    listed = client.get(f"{S}/assignments", headers=token_for(me)).json()[0]
    assert listed["conflict_confirmed"] is False
    sid = listed["id"]
    for method, url in (("get", f"{S}/assignments/{sid}"), ("put", f"{S}/assignments/{sid}/sheet"),
                        ("post", f"{S}/assignments/{sid}/submit")):
        r = client.request(method, url, headers=token_for(me), json={"scores": scores_for_total(80)})
        assert r.status_code == 409 and "이해충돌" in r.json()["detail"], (method, r.text)
    check = client.get(f"{S}/assignments/{sid}/conflict-check", headers=token_for(me)).json()
    assert check["confirmed"] is False and check["members"]
    assert client.post(f"{S}/assignments/{sid}/no-conflict", headers=token_for(me)).status_code == 200
    assert client.get(f"{S}/assignments/{sid}", headers=token_for(me)).status_code == 200
    assert client.get(f"{S}/assignments", headers=token_for(me)).json()[0]["conflict_confirmed"] is True
    # another evaluator cannot confirm for someone else's sheet
    other = s["users"][1]
    assert client.post(f"{S}/assignments/{sid}/no-conflict", headers=token_for(other)).status_code in (403, 404)


def test_declaring_a_conflict_leaves_the_panel_and_tells_the_official(client, session):
    s = scenario(session, n_eval=5, n_props=2)
    me, ev, project = s["users"][0], s["evaluators"][0], s["project"]
    official = token_for(make_user(session, Role.official))
    sid = client.get(f"{S}/assignments", headers=token_for(me)).json()[0]["id"]
    client.put(f"{S}/assignments/{sid}/sheet", headers=token_for(me), json={"scores": scores_for_total(80)[:2]})
    r = client.post(f"{S}/assignments/{sid}/declare-conflict", headers=token_for(me),
                    json={"reason": "주관기관에서 2년 전까지 자문위원으로 일했습니다"})
    assert r.status_code == 201, r.text
    assert r.json()["sheets_removed"] == 2 and r.json()["evaluator_code"] == ev.code
    fresh(session)
    assert session.exec(select(PanelMember).where(PanelMember.project_id == project.id,
                                                  PanelMember.evaluator_id == ev.id)).first() is None
    assert session.exec(select(ScoreSheet).where(ScoreSheet.evaluator_id == ev.id)).all() == []
    assert client.get(f"{S}/assignments", headers=token_for(me)).json() == []
    panel = client.get(f"{S}/projects/{project.id}/panel", headers=official).json()
    assert ev.id not in [m["evaluator_id"] for m in panel["members"]] and len(panel["members"]) == 4
    notices = client.get(f"{S}/conflict-notices", headers=official, params={"program_id": s["program"].id}).json()
    assert [(n["evaluator_id"], n["project_id"]) for n in notices] == [(ev.id, project.id)]
    rid = notices[0]["record_id"]
    assert client.post(f"{S}/conflict-notices/{rid}/seen", headers=official).json()["seen_by"]
    assert client.get(f"{S}/conflict-notices", headers=official, params={"program_id": s["program"].id}).json() == []
    assert session.get(ConflictRecord, rid).kind == "declared"
    assert "conflict.declared" in set(session.exec(select(AuditEvent.action)).all())


def test_proposal_document_by_role(client, session):
    s = scenario(session, n_eval=5, n_props=2)
    official, auditor = make_user(session, Role.official), make_user(session, Role.auditor)
    me, outsider = s["users"][0], make_user(session, Role.evaluator)
    mine = s["proposals"][0]
    upload = {"file": ("계획서.pdf", PDF, "application/pdf")}
    assert client.post(f"/api/v1/proposals/{mine.id}/document", headers=token_for(me), files=upload).status_code == 403
    r = client.post(f"/api/v1/proposals/{mine.id}/document", headers=token_for(official),
                    files={"file": ("fake.pdf", b"MZ\x90\x00not a pdf", "application/pdf")})
    assert r.status_code == 422 and "PDF" in r.json()["detail"]
    r = client.post(f"/api/v1/proposals/{mine.id}/document", headers=token_for(official), files=upload)
    assert r.status_code == 201 and r.json()["size_bytes"] == len(PDF)
    for user in (official, auditor, me):
        url = f"{S}/proposals/{mine.id}/document"
        got = client.get(url, headers=token_for(user))
        assert got.status_code == 200 and got.content == PDF, user.role
        assert got.headers["content-type"] == "application/pdf"
        assert got.headers["content-disposition"].startswith("inline")
    # an evaluator without a sheet on it, or after declaring a conflict, gets nothing
    service.link_evaluator_account(session, SYSTEM, outsider.id)
    assert client.get(f"{S}/proposals/{mine.id}/document", headers=token_for(outsider)).status_code == 404
    assert client.get(f"/api/v1/proposals/{mine.id}/document", headers=token_for(me)).status_code == 403
    sid = next(a["id"] for a in client.get(f"{S}/assignments", headers=token_for(me)).json()
               if a["proposal_id"] == mine.id)
    client.post(f"{S}/assignments/{sid}/declare-conflict", headers=token_for(me),
                json={"reason": "이해관계가 있습니다"})
    assert client.get(f"{S}/proposals/{mine.id}/document", headers=token_for(me)).status_code == 404
    assert client.get(f"{S}/proposals/{s['proposals'][1].id}/document", headers=token_for(official)).status_code == 404


def test_create_user_link_evaluator_never_seats_a_panel(client, session, monkeypatch):
    import main

    s = scenario(session, n_eval=5, n_props=2)  # an open panel below its maximum: the old command filled it
    sheets, seats = count(session, ScoreSheet), count(session, PanelMember)
    monkeypatch.setattr(sys, "stdin", io.StringIO("Stronger-Pass-2026!\n"))
    assert main.main(["create-user", "--username", "new.evaluator", "--role", "evaluator", "--password-stdin",
                      "--link-evaluator"]) == 0
    fresh(session)
    user = session.exec(select(User).where(User.username == "new.evaluator")).one()
    ev = session.exec(select(Evaluator).where(Evaluator.user_id == user.id)).one()
    assert (count(session, ScoreSheet), count(session, PanelMember)) == (sheets, seats)
    assert client.get(f"{S}/assignments", headers=token_for(user)).json() == []
    # linking to an existing profile by its code
    spare = s["evaluators"][1]
    spare.user_id = None
    session.add(spare)
    session.commit()
    monkeypatch.setattr(sys, "stdin", io.StringIO("Stronger-Pass-2026!\n"))
    assert main.main(["create-user", "--username", "second.evaluator", "--role", "evaluator", "--password-stdin",
                      "--link-evaluator", spare.code]) == 0
    fresh(session)
    linked = session.exec(select(Evaluator).where(Evaluator.id == spare.id)
                          .execution_options(populate_existing=True)).one()
    second = session.exec(select(User).where(User.username == "second.evaluator")).one()
    assert linked.user_id == second.id and ev.code != spare.code
    monkeypatch.setattr(sys, "stdin", io.StringIO("Stronger-Pass-2026!\n"))
    assert main.main(["create-user", "--username", "an.official", "--role", "official", "--password-stdin",
                      "--link-evaluator"]) == 2
