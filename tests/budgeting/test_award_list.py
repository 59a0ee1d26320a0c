"""The award list answers with exactly what its documented model (`Page[AwardSummary]`) would write,
though it is serialised from plain rows (core/fastjson.py), and filters and pages as documented."""

from pydantic import TypeAdapter

from budgeting import queries
from budgeting.schemas import AwardSummary
from core.models import Role
from core.pagination import Page
from tests.budgeting.builders import make_award, make_funded_program
from tests.builders import make_user, token_for

B = "/api/v1/budgeting"


def test_award_list_json_equals_the_models_serialisation(client, session):
    headers = token_for(make_user(session, Role.official))
    program, (health, lang) = make_funded_program(session)
    a1 = make_award(session, health, grant=1_000_000_000, matching=100_000_000)
    a2 = make_award(session, lang, grant=900_000_000, matching=0)
    r = client.get(f"{B}/awards", params={"program_id": program.id}, headers=headers)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    items, total = queries.list_awards(session, program_id=program.id)
    expected = TypeAdapter(Page[AwardSummary]).dump_python(Page(items=items, total=total), mode="json")
    assert r.json() == expected
    assert [i["id"] for i in r.json()["items"]] == [a1.id, a2.id] and r.json()["total"] == 2
    first = r.json()["items"][0]
    assert first["grant_krw"] == 1_000_000_000 and first["budget_krw"] == first["remaining_krw"] > 0
    assert first["execution_rate"] == "0" and first["status"] == "active"
    assert first["call_type_code"] == "designated" and first["field_code"] == "HEALTH"

    page2 = client.get(f"{B}/awards", params={"program_id": program.id, "limit": 1, "offset": 1}, headers=headers)
    assert [i["id"] for i in page2.json()["items"]] == [a2.id] and page2.json()["total"] == 2
    only_lang = client.get(f"{B}/awards", params={"program_id": program.id, "field": "LANG"}, headers=headers)
    assert [i["id"] for i in only_lang.json()["items"]] == [a2.id] and only_lang.json()["total"] == 1
    none = client.get(f"{B}/awards", params={"program_id": program.id, "call_type": "regional"}, headers=headers)
    assert none.json() == {"items": [], "total": 0}


def test_award_list_bad_paging_is_422(client, session):
    headers = token_for(make_user(session, Role.official))
    for params in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"program_id": "x"}):
        r = client.get(f"{B}/awards", params=params, headers=headers)
        assert r.status_code == 422, params
