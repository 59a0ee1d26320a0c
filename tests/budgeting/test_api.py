"""The money API end to end: each refusal leaves the state as it was; transfers, reversals, imports."""

import csv
import io
from datetime import date

from openpyxl import Workbook
from sqlmodel import select

from budgeting.models import Award, BudgetLine, Envelope, Expenditure, JobPosting, LineTransfer
from core.models import AuditEvent, Role
from tests.budgeting.builders import make_award, make_funded_program, make_selection
from tests.builders import count, fresh, make_business_number, make_proposal, make_user, token_for

B = "/api/v1/budgeting"


def _official(session):
    return token_for(make_user(session, Role.official))


def _line(session, award_id, category):
    fresh(session)
    line = session.exec(select(BudgetLine).where(BudgetLine.award_id == award_id,
                                                 BudgetLine.category == category)
                        .execution_options(populate_existing=True)).one()
    session.commit()
    return line


def _pay(client, h, award_id, **kw):
    body = {"category": "equipment", "spent_date": "2021-06-10", "amount_krw": 1_000_000, "payee_name": "(주)장비",
            "payee_business_number": None, "description": "서버", "evidence_ref": "EV-1"}
    body.update(kw)
    return client.post(f"{B}/awards/{award_id}/ledger", json=body, headers=h)


def test_award_from_selection_defaults_and_totals(client, session):
    h = _official(session)
    _, (health, _) = make_funded_program(session)
    proposal = make_proposal(session, project=health, requested_grant_krw=1_900_000_000,
                             private_matching_krw=212_000_000)
    sel = make_selection(session, project=health, proposal=proposal)
    r = client.post(f"{B}/awards", json={"selection_id": sel.id, "start_date": "2021-05-01",
                                         "end_date": "2021-12-31"}, headers=h)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["grant_krw"] == 1_900_000_000 and body["matching_krw"] == 212_000_000
    assert body["budget_krw"] == 2_112_000_000 and body["spent_krw"] == 0
    r = client.get(f"{B}/awards", params={"program_id": health.program_id}, headers=h)
    assert r.json()["total"] == 1
    assert client.post(f"{B}/awards", json={"selection_id": sel.id, "start_date": "2021-05-01",
                                            "end_date": "2021-12-31"}, headers=h).status_code == 409


def test_grant_above_ceiling_or_recommendation_is_refused(client, session):
    h = _official(session)
    _, (health, _) = make_funded_program(session)
    proposal = make_proposal(session, project=health, requested_grant_krw=3_100_000_000)
    sel = make_selection(session, project=health, proposal=proposal)  # recommended 3.1B > ceiling 3.0B
    r = client.post(f"{B}/awards", json={"selection_id": sel.id, "start_date": "2021-05-01",
                                         "end_date": "2021-12-31"}, headers=h)
    assert r.status_code == 409
    assert "3,000,000,000원을(를) 100,000,000원 초과" in r.json()["detail"]  # Korean by default
    r = client.post(f"{B}/awards", json={"selection_id": sel.id, "grant_krw": 3_200_000_000,
                                         "start_date": "2021-05-01", "end_date": "2021-12-31"}, headers=h)
    assert r.status_code == 422 and r.json()["field"] == "grant_krw"
    assert count(session, Award) == 0 and count(session, BudgetLine) == 0


def test_envelope_limit_refuses_award_and_leaves_state(client, session):
    h = _official(session)
    program, (health, lang) = make_funded_program(session, total=5_000_000_000)
    envs = {e["code"]: e for e in client.get(f"{B}/programs/{program.id}/envelopes", headers=h).json()}
    assert sum(e["amount_krw"] for e in envs.values()) == 5_000_000_000
    r = client.post(f"{B}/programs/{program.id}/envelope-transfers", headers=h, json={
        "from_envelope_id": envs["designated-HEALTH"]["id"], "to_envelope_id": envs["designated-LANG"]["id"],
        "amount_krw": 1_500_000_000, "reason": "LANG 수요 증가"})
    assert r.status_code == 201
    proposal = make_proposal(session, project=health, requested_grant_krw=1_900_000_000)
    sel = make_selection(session, project=health, proposal=proposal)
    events = count(session, AuditEvent)
    r = client.post(f"{B}/awards", json={"selection_id": sel.id, "start_date": "2021-05-01",
                                         "end_date": "2021-12-31"}, headers=h)
    assert r.status_code == 409
    assert "400,000,000원 초과" in r.json()["detail"]
    assert count(session, Award) == 0 and count(session, AuditEvent) == events
    # a transfer larger than what is left is refused too
    r = client.post(f"{B}/programs/{program.id}/envelope-transfers", headers=h, json={
        "from_envelope_id": envs["designated-HEALTH"]["id"], "to_envelope_id": envs["designated-LANG"]["id"],
        "amount_krw": 1_500_000_001, "reason": "too much"})
    assert r.status_code == 409
    fresh(session)
    assert sum(e.amount_krw for e in session.exec(select(Envelope)).all()) == 5_000_000_000


def test_indirect_cap_refused_on_award_lines(client, session):
    h = _official(session)
    _, (health, _) = make_funded_program(session)
    proposal = make_proposal(session, project=health, requested_grant_krw=1_000_000_000, private_matching_krw=0)
    sel = make_selection(session, project=health, proposal=proposal)
    lines = {"labour": 940_000_000, "indirect": 60_000_000}  # cap: 5% of 940M = 47M
    r = client.post(f"{B}/awards", headers={**h, "Accept-Language": "en"},
                    json={"selection_id": sel.id, "start_date": "2021-05-01", "end_date": "2021-12-31", "lines": lines})
    assert r.status_code == 422
    assert r.json()["field"] == "lines.indirect" and "by 13,000,000 KRW" in r.json()["detail"]
    assert count(session, Award) == 0


def test_payment_refusals_out_of_period_and_line_overrun(client, session):
    h = _official(session)
    award = make_award(session)
    budget = _line(session, award.id, "equipment").budget_krw
    r = _pay(client, {**h, "Accept-Language": "en"}, award.id, spent_date="2022-01-03")
    assert r.status_code == 422 and "3 day(s) after" in r.json()["detail"]
    r = _pay(client, h, award.id, amount_krw=budget + 5)
    assert r.status_code == 409 and "5원 초과" in r.json()["detail"]  # Korean by default
    assert count(session, Expenditure) == 0 and _line(session, award.id, "equipment").spent_krw == 0
    # an extension makes January payable
    r = client.post(f"{B}/awards/{award.id}/extensions", json={"new_end_date": "2022-02-28", "reason": "수집 지연"},
                    headers=h)
    assert r.status_code == 201
    r = _pay(client, h, award.id, spent_date="2022-01-03", payee_business_number=make_business_number())
    assert r.status_code == 201, r.text
    r = _pay(client, h, award.id, payee_business_number="123-45-67890")  # wrong check digit
    assert r.status_code == 422 and r.json()["field"] == "payee_business_number"
    r = _pay(client, h, award.id, spent_date="2022-02-28", amount_krw=budget - 1_000_000)
    assert r.status_code == 201, r.text
    assert _line(session, award.id, "equipment").spent_krw == budget


def test_line_transfers_small_recorded_large_need_another_official(client, session):
    requester = make_user(session, Role.official)
    other = make_user(session, Role.official)
    h = token_for(requester)
    award = make_award(session)
    labour_budget = _line(session, award.id, "labour").budget_krw
    small = labour_budget // 5  # exactly 20%: free
    r = client.post(f"{B}/awards/{award.id}/transfers", headers=h, json={
        "from_category": "labour", "to_category": "travel", "amount_krw": small, "reason": "회의 증가"})
    assert r.status_code == 201 and r.json()["status"] == "recorded"
    assert _line(session, award.id, "labour").budget_krw == labour_budget - small
    big = _line(session, award.id, "labour").budget_krw // 5 + 1
    r = client.post(f"{B}/awards/{award.id}/transfers", headers=h, json={
        "from_category": "labour", "to_category": "equipment", "amount_krw": big, "reason": "GPU 추가"})
    assert r.status_code == 201 and r.json()["status"] == "pending"
    tid = r.json()["id"]
    assert _line(session, award.id, "labour").budget_krw == labour_budget - small  # not applied yet
    assert client.post(f"{B}/transfers/{tid}/decision", json={"approve": True}, headers=h).status_code == 403
    r = client.post(f"{B}/transfers/{tid}/decision", json={"approve": True, "reason": "타당"}, headers=token_for(other))
    assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["decided_by"] == other.username
    assert _line(session, award.id, "labour").budget_krw == labour_budget - small - big
    assert client.post(f"{B}/transfers/{tid}/decision", json={"approve": False},
                       headers=token_for(other)).status_code == 409
    # a transfer into indirect costs beyond the cap is refused and changes nothing
    before = count(session, LineTransfer)
    r = client.post(f"{B}/awards/{award.id}/transfers", headers=h, json={
        "from_category": "labour", "to_category": "indirect", "amount_krw": 50_000_000, "reason": "간접비"})
    assert r.status_code == 422 and "간접비가 직접비의" in r.json()["detail"]  # Korean by default
    assert count(session, LineTransfer) == before


def test_reversals_once_and_never_of_a_reversal(client, session):
    h = _official(session)
    award = make_award(session)
    entry = _pay(client, h, award.id, amount_krw=2_000_000).json()
    r = client.post(f"{B}/ledger/{entry['id']}/reverse", json={"reason": "중복 입력"}, headers=h)
    assert r.status_code == 201
    rev = r.json()
    assert rev["amount_krw"] == -2_000_000 and rev["reverses_id"] == entry["id"]
    assert _line(session, award.id, "equipment").spent_krw == 0
    assert client.post(f"{B}/ledger/{entry['id']}/reverse", json={"reason": "again"}, headers=h).status_code == 409
    assert client.post(f"{B}/ledger/{rev['id']}/reverse", json={"reason": "undo"}, headers=h).status_code == 409
    assert count(session, Expenditure) == 2
    page = client.get(f"{B}/awards/{award.id}/ledger", headers=h).json()
    assert page["total"] == 2 and sum(e["amount_krw"] for e in page["items"]) == 0


HEADER = ["category", "date", "amount", "payee", "business_number", "description", "evidence"]
GOOD = [["equipment", "2021-06-01", "1,500,000", "(주)장비", "", "서버", "EV-A"],
        ["travel", "2021-07-15", "300000", "코레일", "", "출장", "EV-B"],
        ["labour", "2021-08-25", "5000000", "급여", "", "8월 급여", "EV-C"]]


def _csv(rows):
    buf = io.StringIO()
    csv.writer(buf).writerows([HEADER, *rows])
    return buf.getvalue().encode("utf-8")


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    for r in [HEADER, *rows]:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_good_csv_and_xlsx(client, session):
    h = _official(session)
    award = make_award(session)
    r = client.post(f"{B}/awards/{award.id}/ledger/import", headers=h,
                    files={"file": ("spend.csv", _csv(GOOD), "text/csv")})
    assert r.status_code == 201, r.text
    assert r.json()["rows"] == 3 and r.json()["total_krw"] == 6_800_000
    xrows = [["equipment", date(2021, 9, 1), 700000, "(주)장비", None, "모니터", "EV-D"]]
    r = client.post(f"{B}/awards/{award.id}/ledger/import", headers=h,
                    files={"file": ("spend.xlsx", _xlsx(xrows), "application/octet-stream")})
    assert r.status_code == 201, r.text
    assert count(session, Expenditure) == 4
    assert _line(session, award.id, "equipment").spent_krw == 2_200_000


def test_import_with_one_bad_row_writes_nothing(client, session):
    h = _official(session)
    award = make_award(session)
    bad = GOOD + [["equipment", "2022-03-01", "100", "(주)장비", "", "late", "EV-X"]]
    for name, content in (("bad.csv", _csv(bad)), ("bad.xlsx", _xlsx(bad))):
        r = client.post(f"{B}/awards/{award.id}/ledger/import", headers=h, files={"file": (name, content)})
        assert r.status_code == 422, r.text
        assert r.json()["errors"] == [{"field": None, "row": 5, "column": "date",
                                       "reason": r.json()["errors"][0]["reason"]}]
        assert "협약 기간" in r.json()["errors"][0]["reason"]  # Korean by default (issue 13)
    r = client.post(f"{B}/awards/{award.id}/ledger/import", headers=h,
                    files={"file": ("x.csv", _csv([["nope", "soon", "-3", "", "12", "", ""]]))})
    cols = {(d["row"], d["column"]) for d in r.json()["errors"]}
    assert cols == {(2, "category"), (2, "date"), (2, "amount"), (2, "payee"), (2, "business_number"),
                    (2, "evidence")}
    r = client.post(f"{B}/awards/{award.id}/ledger/import", headers={**h, "Accept-Language": "en"},
                    files={"file": ("fake.xlsx", b"this is not a workbook")})
    assert r.status_code == 422 and "not a readable Excel" in r.json()["detail"]
    r = client.post(f"{B}/awards/{award.id}/ledger/import", headers=h, files={"file": ("photo.png", b"\x89PNG")})
    assert r.status_code == 422
    assert count(session, Expenditure) == 0 and _line(session, award.id, "equipment").spent_krw == 0


def test_hires_refuse_resident_numbers_and_outsiders(client, session):
    h = _official(session)
    award = make_award(session)
    fresh(session)
    from program.models import ConsortiumMember

    member = session.exec(select(ConsortiumMember).where(ConsortiumMember.consortium_id == award.consortium_id)).first()
    session.commit()
    body = {"person_key": "900101-1234567", "org_id": member.org_id, "job_role": "라벨러",
            "contract_start": "2021-05-01", "contract_end": "2021-12-31", "social_insurance": True,
            "evidence_contract": "c", "evidence_insurance": "i", "evidence_payroll": "p"}
    assert client.post(f"{B}/awards/{award.id}/hires", json=body, headers=h).status_code == 422
    r = client.post(f"{B}/awards/{award.id}/hires", json={**body, "person_key": "PK-1", "org_id": 999999}, headers=h)
    assert r.status_code == 422 and r.json()["field"] == "org_id"
    r = client.post(f"{B}/awards/{award.id}/hires", json={**body, "person_key": "PK-1"}, headers=h)
    assert r.status_code == 201 and r.json()["counts"] is True
    r = client.post(f"{B}/awards/{award.id}/hires", headers=h,
                    json={**body, "person_key": "PK-2", "employment_type": "crowd"})
    assert r.json()["counts"] is False
    detail = client.get(f"{B}/awards/{award.id}", headers=h).json()
    assert detail["hire_compliance"] == {"award_id": award.id, "grant_krw": 1_900_000_000, "required": 46,
                                         "counted": 1, "shortfall": 45, "lacking_evidence": 0}


def test_public_board_open_postings_only_without_login(client, session):
    award = make_award(session)
    for i, is_open in enumerate([True, True, False]):
        session.add(JobPosting(award_id=award.id, title=f"라벨링 작업자 {i}", platform="크라우드웍스", pay_krw=100,
                               open_date=date(2021, 6, 1), close_date=date(2021, 9, 30), is_open=is_open,
                               field_id=1, region="부산" if i == 0 else "전국", created_by="official7"))
    session.commit()
    on = {"as_of": "2021-07-01"}  # open is judged on a reference date (default: the programme's reporting date)
    r = client.get("/api/v1/public/jobs", params=on)
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 2 and {j["title"] for j in body["items"]} == {"라벨링 작업자 0", "라벨링 작업자 1"}
    assert all("created_by" not in j and "award_id" not in j for j in body["items"])
    assert "official7" not in r.text
    assert client.get("/api/v1/public/jobs", params={**on, "region": "부산"}).json()["total"] == 1
    page = client.get("/api/v1/public/jobs", params={**on, "limit": 1, "offset": 1}).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    assert client.get("/api/v1/public/jobs", params={"as_of": "2021-10-01"}).json()["total"] == 0  # all closed
    assert client.get(f"{B}/job-postings").status_code == 401  # the staff list needs a login


def test_totals_and_analytics_endpoints_for_officials_and_auditors(client, session):
    h = _official(session)
    auditor = token_for(make_user(session, Role.auditor))
    evaluator = token_for(make_user(session, Role.evaluator))
    award = make_award(session)
    assert _pay(client, h, award.id, amount_krw=21_120_000, spent_date="2021-05-10").status_code == 201
    pid = award.program_id
    totals = client.get(f"{B}/programs/{pid}/totals", headers=auditor).json()
    assert totals["awarded_krw"] == 1_900_000_000 and totals["executed_krw"] == 21_120_000
    assert totals["remaining_krw"] == 2_112_000_000 - 21_120_000 and totals["projects_awarded"] == 1
    assert totals["unawarded_krw"] == 10_000_000_000 - 1_900_000_000
    by_field = client.get(f"{B}/programs/{pid}/analytics/execution", params={"by": "field"}, headers=auditor).json()
    assert by_field == [{"field_code": "HEALTH", "awards": 1, "budget_krw": 2_112_000_000, "spent_krw": 21_120_000,
                         "remaining_krw": 2_090_880_000, "execution_rate": 0.01}]
    burn = client.get(f"{B}/programs/{pid}/analytics/burn", headers=auditor).json()
    assert len(burn) == 8 and burn[0]["month"] == "2021-05" and burn[0]["spent_krw"] == 21_120_000
    assert sum(m["planned_krw"] for m in burn) == 2_112_000_000
    unspent = client.get(f"{B}/programs/{pid}/analytics/unspent", params={"as_of": "2021-07-31"},
                         headers=auditor).json()
    assert [u["award_id"] for u in unspent] == [award.id]
    hires = client.get(f"{B}/programs/{pid}/hires", headers=h).json()
    assert hires[-1]["award_id"] is None and hires[-1]["required"] == 46 and hires[-1]["shortfall"] == 46
    crowd = client.get(f"{B}/programs/{pid}/analytics/crowd", headers=h).json()
    assert crowd[0]["planned_crowd_payment_krw"] == 500_000_000 and crowd[0]["crowd_paid_krw"] == 0
    assert client.get(f"{B}/programs/{pid}/totals", headers=evaluator).status_code == 403
    assert client.get(f"{B}/awards", headers=evaluator).status_code == 403
    assert client.get(f"{B}/awards").status_code == 401
    listed = client.get(f"{B}/awards", params={"program_id": pid, "field": "HEALTH"}, headers=auditor).json()
    assert listed["total"] == 1 and listed["items"][0]["spent_krw"] == 21_120_000
    assert listed["items"][0]["execution_rate"] == "0.01"
    assert client.post(f"{B}/awards/{award.id}/ledger", json={}, headers=auditor).status_code == 403
