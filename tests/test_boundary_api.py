"""The reproductions of issue 9, findings 1, 4 and 9 (input side), on the API (SQLite and PostgreSQL).

Each hostile value gets a 422 naming its field, writes nothing, and leaves every page readable.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import select

from budgeting.models import CrowdActivity, Expenditure
from core.models import AuditEvent, Role
from program.models import Program, Project, Proposal
from scoring.models import CriterionScore
from tests.budgeting.builders import make_award
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
from tests.jobs.follow import fetch
from tests.scoring.builders import scenario, scores_for_total, sheet_of

B = "/api/v1/budgeting"
BIG = 2**63  # 9223372036854775808: one past BIGINT


def _official(session: Any) -> dict[str, str]:
    return token_for(make_user(session, Role.official))


def _field_of(body: dict[str, Any]) -> str:
    """The field a 422 names (the error shape of core.http_errors, or FastAPI's default)."""
    if body.get("field"):
        return str(body["field"])
    errors = body.get("errors") or body.get("detail") or []
    return ".".join(str(p) for p in errors[0]["loc"]) if isinstance(errors, list) and errors else ""


# --------------------------------------------------------------------------- finding 1


def test_huge_exponent_on_a_score_sheet_is_a_quick_422(client, session):
    """Finding 1: points "1E-10000000" took 17 s of CPU (Fraction of a ten-million-digit number)."""
    s = scenario(session, n_eval=5, n_props=1)
    me = s["users"][0]
    sid = sheet_of(session, me, s["proposals"][0])
    for points in ("1E-10000000", "1E+10000000", "1e-3000000", "NaN", "Infinity", "9" * 50, True):
        body = {"scores": [{"criterion_code": "PLAN", "points": points}]}
        r = client.put(f"/api/v1/scoring/assignments/{sid}/sheet", json=body, headers=token_for(me))
        assert r.status_code == 422, (points, r.text)
        assert "points" in _field_of(r.json()) or "points" in r.text
        r = client.post(f"/api/v1/scoring/assignments/{sid}/submit", json=body, headers=token_for(me))
        assert r.status_code == 422, (points, r.text)
    assert count(session, CriterionScore) == 0
    # a good sheet still saves, exactly
    r = client.put(f"/api/v1/scoring/assignments/{sid}/sheet", json={"scores": scores_for_total(80)},
                   headers=token_for(me))
    assert r.status_code == 200 and sum(Decimal(x["points"]) for x in r.json()["scores"]) == 80


def test_rubric_points_are_bounded(client, session):
    """Finding 1 reached the rubric too: its maxima and step are bounded decimals."""
    h = _official(session)
    s = scenario(session, n_eval=5, n_props=1, panel=False)
    pid = s["program"].id
    good = client.get("/api/v1/scoring/rubrics/free", params={"program_id": pid}, headers=h)
    assert good.status_code == 404  # no rubric yet for this call type
    body = {"step": "1E-10000000", "criteria": [{"code": "A", "name_ko": "가", "name_en": "A", "max_points": "100"}]}
    r = client.put("/api/v1/scoring/rubrics/free", params={"program_id": pid}, json=body, headers=h)
    assert r.status_code == 422
    body = {"criteria": [{"code": "A", "name_ko": "가", "name_en": "A", "max_points": "1E+10000000"}]}
    r = client.put("/api/v1/scoring/rubrics/free", params={"program_id": pid}, json=body, headers=h)
    assert r.status_code == 422


# --------------------------------------------------------------------------- finding 4


def test_nul_in_a_payee_is_refused_and_the_export_stays_readable(client, session):
    """Finding 4: a payee "a\\u0000b" was stored; compliance.xlsx then gave 500 for everyone, for good."""
    h = _official(session)
    award = make_award(session)
    base = {"category": "equipment", "spent_date": "2021-06-10", "amount_krw": 1_000_000, "evidence_ref": "EV-1"}
    for payee in ("a\u0000b", "a\x01b", "a\x1bb", "a\u0085b"):
        r = client.post(f"{B}/awards/{award.id}/ledger", json={**base, "payee_name": payee}, headers=h)
        assert r.status_code == 422, (payee, r.text)
        assert "payee_name" in _field_of(r.json())
    # a lone surrogate arrives as a JSON escape (Python's json would refuse to encode it)
    raw = '{"category":"equipment","spent_date":"2021-06-10","amount_krw":1000000,' \
          '"evidence_ref":"EV-1","payee_name":"a\\ud800b"}'
    r = client.post(f"{B}/awards/{award.id}/ledger", content=raw.encode(),
                    headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/json")
    json.loads(r.text)  # the answer is valid JSON (the surrogate is not echoed raw)
    assert count(session, Expenditure) == 0
    r = client.post(f"{B}/awards/{award.id}/ledger", json={**base, "payee_name": "(주)장비\t"}, headers=h)
    assert r.status_code == 422  # a tab in a one-line name is refused too
    r = client.post(f"{B}/awards/{award.id}/ledger", json={**base, "payee_name": "  (주)장비  "}, headers=h)
    assert r.status_code == 201 and r.json()["payee_name"] == "(주)장비"
    assert fetch(client, "GET", "/api/v1/reports/compliance.xlsx", headers=h).status_code == 200


def test_crowd_activity_that_would_overflow_the_sum_is_refused(client, session):
    """Finding 4: two posts of workers_engaged = 2**62 overflowed SQLite's SUM; five pages 500'd for good."""
    h = _official(session)
    award = make_award(session)
    body = {"period_start": "2021-06-01", "period_end": "2021-06-30", "workers_engaged": 4611686018427387904,
            "items_labelled": 10}
    for _ in range(2):
        r = client.post(f"{B}/awards/{award.id}/crowd-activity", json=body, headers=h)
        assert r.status_code == 422 and "workers_engaged" in _field_of(r.json())
    r = client.post(f"{B}/awards/{award.id}/crowd-activity", json={**body, "workers_engaged": True}, headers=h)
    assert r.status_code == 422
    assert count(session, CrowdActivity) == 0
    # the largest accepted count, twice, still sums
    ok = {**body, "workers_engaged": 10**9, "items_labelled": 10**9}
    for _ in range(2):
        assert client.post(f"{B}/awards/{award.id}/crowd-activity", json=ok, headers=h).status_code == 201
    crowd = client.get(f"{B}/programs/{award.program_id}/crowd", headers=h)
    assert crowd.status_code == 200 and crowd.json()[0]["workers_engaged"] == 2 * 10**9
    assert client.get(f"{B}/awards/{award.id}", headers=h).status_code == 200
    assert client.get(f"{B}/programs/{award.program_id}/analytics/crowd", headers=h).status_code == 200
    assert fetch(client, "GET", "/api/v1/reports/status.pdf", params={"program_id": award.program_id},
                 headers=h).status_code == 200


BAD_RULES = [
    ({"grant_rounding_krw": 0}, "grant_rounding_krw"),
    ({"grant_rounding_krw": -1000}, "grant_rounding_krw"),
    ({"hires_per_100m_krw": "-2.4"}, "hires_per_100m_krw"),
    ({"hires_per_100m_krw": "1E-10000000"}, "hires_per_100m_krw"),
    ({"conflict_lookback_years": 1000000}, "conflict_lookback_years"),
    ({"conflict_lookback_years": 31}, "conflict_lookback_years"),
    ({"panel_min": 10}, "panel"),  # above the stored panel_max of 9: only the merged set shows it
    ({"panel_min": 7, "panel_max": 6}, "panel"),
    ({"indirect_cost_cap": "-0.05"}, "indirect_cost_cap"),
    ({"transfer_free_ratio": "1.5"}, "transfer_free_ratio"),
    ({"bonus_cap": "-1"}, "bonus_cap"),
    ({"bonus_crowd_points": "-2"}, "bonus_crowd_points"),
    ({"adjustment_bands": [{"min_score": "90", "rate": "0.8"}, {"min_score": "80", "rate": "0.9"}]}, "band"),
    ({"adjustment_bands": [{"min_score": "90", "rate": "1"}, {"min_score": "90", "rate": "0.9"}]}, "band"),
    ({"adjustment_bands": [{"min_score": "80", "rate": "1"}]}, "band"),  # a pass at 70 would get no grant
    ({"adjustment_bands": []}, "adjustment_bands"),
    ({"matching_min_rates": [{"kind": "alien", "min_rate": "0.1"}]}, "kind"),
    ({"cost_category_shares": {"labour": "0", "indirect": "0"}}, "cost_category_shares"),
    ({"cost_category_shares": {"snacks": "1"}}, "cost_category_shares"),
    ({"trim_from_sheets": True}, "trim_from_sheets"),
    ({"no_such_rule": 1}, "no_such_rule"),
]


@pytest.mark.parametrize(("change", "named"), BAD_RULES)
def test_invalid_rule_values_never_persist(client, session, change, named):
    """Finding 4: PATCH /programs/1/rules accepted values that then broke results, summaries, reports."""
    h = _official(session)
    program = make_program(session)
    before = dict(program.rules_json)
    events = count(session, AuditEvent)
    r = client.patch(f"/api/v1/programs/{program.id}/rules", json={"rules": change}, headers=h)
    assert r.status_code == 422, r.text
    assert named in r.text
    fresh(session)
    assert session.get(Program, program.id).rules_json == before  # type: ignore[union-attr]
    assert count(session, AuditEvent) == events
    assert client.get(f"/api/v1/programs/{program.id}/summary", headers=h).status_code == 200


def test_valid_rule_change_is_merged_and_validated_as_a_whole(client, session):
    h = _official(session)
    program = make_program(session)
    r = client.patch(f"/api/v1/programs/{program.id}/rules",
                     json={"rules": {"panel_min": 7, "panel_max": 11, "hires_per_100m_krw": "3.10",
                                     "adjustment_bands": [{"min_score": "70", "rate": "0.9"},
                                                          {"min_score": "90", "rate": "1"}]}}, headers=h)
    assert r.status_code == 200, r.text
    rules = r.json()["rules"]
    assert (rules["panel_min"], rules["panel_max"]) == (7, 11)
    assert Decimal(rules["hires_per_100m_krw"]) == Decimal("3.1")
    assert [b["min_score"] for b in rules["adjustment_bands"]] == ["90", "70"]  # stored highest first
    assert rules["grant_rounding_krw"] == 1000  # untouched values kept


# --------------------------------------------------------------------------- finding 9


def test_integers_beyond_bigint_in_query_and_path_are_422(client, session):
    """Finding 9: /public/jobs?offset=9223372036854775808 and large ids gave 500 on both databases."""
    h = _official(session)
    assert client.get("/api/v1/public/jobs", params={"offset": BIG}).status_code == 422
    assert client.get("/api/v1/public/jobs", params={"limit": BIG}).status_code == 422
    assert client.get("/api/v1/public/jobs", params={"offset": 2**31 - 1}).status_code == 200
    for url in (f"/api/v1/programs/{BIG}", f"/api/v1/projects/{BIG}", f"/api/v1/projects/{2**31}",
                f"{B}/awards/{BIG}", f"/api/v1/proposals/{10**25}", f"/api/v1/scoring/projects/{BIG}/result",
                f"/api/v1/reports/evaluation/{BIG}.pdf"):
        r = client.get(url, headers=h)
        assert r.status_code == 422, (url, r.status_code)
    assert client.get("/api/v1/projects", params={"program_id": BIG}, headers=h).status_code == 422
    assert client.get(f"/api/v1/programs/{2**31 - 1}", headers=h).status_code == 404


def test_nul_and_controls_in_query_text_are_422(client, session):
    """Finding 9: /public/jobs?region=a%00b gave 500 on PostgreSQL."""
    h = _official(session)
    for params in ({"region": "a\x00b"}, {"field": "a\x00b"}, {"region": "x" * 101}, {"region": "a\x7f"}):
        r = client.get("/api/v1/public/jobs", params=params)
        assert r.status_code == 422, params
    # a lone surrogate's UTF-8 form is invalid UTF-8: decoded as U+FFFD, an ordinary search, not a 500
    assert client.get("/api/v1/public/jobs?region=a%ED%A0%80b").status_code in (200, 400, 422)
    for params in ({"q": "a\x00b"}, {"kind": "a\x01"}):
        assert client.get("/api/v1/organizations", params=params, headers=h).status_code == 422
    assert client.get("/api/v1/public/jobs", params={"region": "부산"}).status_code == 200


def test_openapi_documents_the_bounds(client):
    spec = client.get("/openapi.json").json()
    params = {p["name"]: p["schema"] for p in spec["paths"]["/api/v1/public/jobs"]["get"]["parameters"]}
    assert params["offset"]["maximum"] == 2**31 - 1 and params["offset"]["minimum"] == 0
    assert params["region"]["anyOf"][0]["maxLength"] == 100
    path = spec["paths"]["/api/v1/programs/{program_id}"]["get"]["parameters"][0]["schema"]
    assert (path["minimum"], path["maximum"]) == (1, 2**31 - 1)
    unbounded = []
    for route, ops in spec["paths"].items():
        if not route.startswith(("/api/v1/programs", "/api/v1/projects", "/api/v1/proposals", "/api/v1/scoring",
                                 "/api/v1/budgeting", "/api/v1/public", "/api/v1/compliance", "/api/v1/reports",
                                 "/api/v1/organizations", "/api/v1/consortia", "/api/v1/data-types")):
            continue
        for op in ops.values():
            for p in op.get("parameters", []):
                for arm in p["schema"].get("anyOf", [p["schema"]]):
                    if arm.get("type") == "integer" and "maximum" not in arm:
                        unbounded.append((route, p["name"]))
                    if arm.get("type") == "string" and not ({"maxLength", "format", "pattern", "enum"} & set(arm)):
                        unbounded.append((route, p["name"]))
    assert unbounded == []


OVERFLOWS = [
    # (path template, body, field) — each beyond its column (BIGINT, or INTEGER on PostgreSQL)
    ("{B}/awards/{award}/trainings", {"held_date": "2021-07-01", "title": "교육", "hours": 4,
                                      "attendees": 2**31}, "attendees"),
    ("{B}/awards/{award}/trainings", {"held_date": "2021-07-01", "title": "교육", "hours": 2**63,
                                      "attendees": 3}, "hours"),
    ("{B}/awards/{award}/job-postings", {"title": "라벨링", "platform": "크라우드웍스", "pay_krw": BIG,
                                         "open_date": "2021-07-01", "close_date": "2021-07-31"}, "pay_krw"),
    ("{B}/awards/{award}/transfers", {"from_category": "labour", "to_category": "equipment",
                                      "amount_krw": BIG, "reason": "전용 요청"}, "amount_krw"),
    ("{B}/awards/{award}/ledger", {"category": "equipment", "spent_date": "2021-06-10", "amount_krw": 10**16,
                                   "payee_name": "(주)장비", "evidence_ref": "EV-1"}, "amount_krw"),
    ("{B}/awards/{award}/ledger", {"category": "equipment", "spent_date": "2021-06-10", "amount_krw": True,
                                   "payee_name": "(주)장비", "evidence_ref": "EV-1"}, "amount_krw"),
    ("/api/v1/data-types/{data_type}/progress", {"month": "2021-06-01", "built_items": 2**31}, "built_items"),
]


@pytest.mark.parametrize(("template", "body", "field"), OVERFLOWS)
def test_values_beyond_their_columns_are_422(client, session, template, body, field):
    """Finding 9: crowd activity, trainings, job-posting pay, progress, pending transfers overflowed (500)."""
    from program.models import DataType

    h = _official(session)
    award = make_award(session)
    data_type = session.exec(select(DataType).where(DataType.project_id == award.project_id)).first()
    fresh(session)
    events = count(session, AuditEvent)
    url = template.format(B=B, award=award.id, data_type=data_type.id if data_type else 1)
    r = client.post(url, json=body, headers=h)
    assert r.status_code == 422, (url, r.text)
    assert field in _field_of(r.json()) or field in r.text
    assert count(session, AuditEvent) == events


def test_project_and_proposal_numbers_are_bounded(client, session):
    """Finding 9: planned volume beyond INTEGER; money beyond MONEY_MAX."""
    h = _official(session)
    program = make_program(session)
    base = {"program_id": program.id, "code": "T-1", "field_code": "HEALTH", "call_type": "designated",
            "title_ko": "과제", "ceiling_krw": 1_000_000_000}
    for bad in ({"planned_volume": 2**31}, {"ceiling_krw": BIG}, {"title_ko": "a\x00b"}, {"program_id": BIG},
                {"ceiling_krw": "1E+3"}, {"title_ko": "x" * 201}):
        r = client.post("/api/v1/projects", json={**base, **bad}, headers=h)
        assert r.status_code == 422, (bad, r.text)
    assert count(session, Project) == 0


# --------------------------------------------------------------------------- server-owned fields


def test_server_owned_fields_are_refused_in_write_schemas(client, session):
    """Findings 4/5: a status (or a submission time) sent in a body is a 422, and nothing changes."""
    h = _official(session)
    project = make_project(session)
    proposal = make_proposal(session, project=project)
    consortium = make_consortium(session)
    fresh(session)
    r = client.patch(f"/api/v1/projects/{project.id}", json={"ceiling_krw": 1, "status": "open"}, headers=h)
    assert r.status_code == 422 and "status" in r.text
    r = client.patch(f"/api/v1/proposals/{proposal.id}", json={"status": "selected"}, headers=h)
    assert r.status_code == 422 and "status" in r.text
    body = {"project_id": project.id, "consortium_id": consortium.id, "requested_grant_krw": 1_000_000_000,
            "private_matching_krw": 100_000_000, "planned_direct_hires": 24}
    r = client.post("/api/v1/proposals", json={**body, "submitted_at": "2020-01-01T00:00:00Z"}, headers=h)
    assert r.status_code == 422 and "submitted_at" in r.text
    fresh(session)
    assert session.get(Project, project.id).ceiling_krw == 1_950_000_000  # type: ignore[union-attr]
    assert session.get(Proposal, proposal.id).status == "submitted"  # type: ignore[union-attr]


# --------------------------------------------------------------------------- the bonus has one source


def test_bonus_points_come_from_the_programme_rules(client, session):
    """Finding 4 (rules nobody read): bonus_*_points drive the bonus; a rubric item cannot carry its own."""
    h = _official(session)
    s = scenario(session, n_eval=5, n_props=1, panel=False)
    pid = s["program"].id
    rubric = client.get("/api/v1/scoring/rubrics/designated", params={"program_id": pid}, headers=h).json()
    assert {b["code"]: Decimal(b["points"]) for b in rubric["bonus_items"]} == {
        "CROWD_SHARE": 2, "VULNERABLE": 2, "REGIONAL_LEAD": 1}
    r = client.patch(f"/api/v1/programs/{pid}/rules", json={"rules": {"bonus_crowd_points": "3"}}, headers=h)
    assert r.status_code == 200
    rubric = client.get("/api/v1/scoring/rubrics/designated", params={"program_id": pid}, headers=h).json()
    assert Decimal(next(b["points"] for b in rubric["bonus_items"] if b["code"] == "CROWD_SHARE")) == 3
    body = {"criteria": [{"code": "A", "name_ko": "가", "name_en": "A", "max_points": "100"}],
            "bonus_items": [{"code": "CROWD_SHARE", "name_ko": "크라우드", "points": "9"}]}
    r = client.put("/api/v1/scoring/rubrics/free", params={"program_id": pid}, json=body, headers=h)
    assert r.status_code == 422 and "points" in r.text
    body["bonus_items"] = [{"code": "INVENTED", "name_ko": "지어낸 가점"}]
    r = client.put("/api/v1/scoring/rubrics/free", params={"program_id": pid}, json=body, headers=h)
    assert r.status_code == 422
    # the proposal's bonus in the result follows the rule (its crowd payment share is 500M / 1.9B < 30%,
    # so give it the vulnerable-group plan and check that item's points)
    fresh(session)
    p = session.get(Proposal, s["proposals"][0].id)
    p.vulnerable_hiring_plan = True  # type: ignore[union-attr]
    session.add(p)
    session.commit()
    r = client.patch(f"/api/v1/programs/{pid}/rules", json={"rules": {"bonus_vulnerable_points": "1.5"}}, headers=h)
    assert r.status_code == 200, r.text
    from scoring.evaluation_frame import load_frame

    fresh(session).expire_all()  # the test session keeps objects across commits
    items, total = load_frame(session, pid, [s["project"].id]).bonus(p.id)  # type: ignore[union-attr, arg-type]
    assert items == {"VULNERABLE": Decimal("1.5")} and total == Decimal("1.5")


# --------------------------------------------------------------------------- dashboard callbacks


def test_forged_dashboard_values_give_a_message_not_an_exception():
    """Findings 1 and 9 in the dashboard: a 25-digit id or "1E-10000000" posted to a callback."""
    from dashboard.pages import assignments, award, evaluation
    from dashboard.pages.common import parse_id

    assert parse_id("9" * 25) is None and parse_id(10**25) is None and parse_id(True) is None
    assert parse_id("²") is None and parse_id(1.5) is None and parse_id(-3) is None and parse_id("12") == 12
    rubric = {"sheet_id": 1, "step": "0.5", "below": "0.40", "locked": False,
              "criteria": [{"code": "PLAN", "max": "15"}, {"code": "BUILD", "max": "25"}]}
    feedback, _, disabled, _, _ = assignments.check(["1E-10000000", float("nan")], ["", ""], rubric, "ko")
    assert disabled and all(f.startswith("✗") for f in feedback)
    forged = {**rubric, "step": "1E-10000000", "criteria": [{"code": "PLAN", "max": "1E+10000000"}]}
    feedback, _, disabled, save_disabled, message = assignments.check([5], [""], forged, "ko")
    assert disabled and save_disabled and message.startswith("✗") and feedback[0].startswith("✗")
    feedback, *_ = assignments.check([5], [""], {"sheet_id": 1}, "ko")  # a store without its rubric
    assert feedback[0].startswith("✗")
    assert "award-notfound" in str(award.body(None, {"award_id": "9" * 25, "lang": "ko"}))
    assert "ev.no_project" not in str(evaluation.ranking(None, 10**25, "ko"))  # translated hint, no exception
