"""One truth (issue 11): the headline figures read the same in the API, the dashboard, the status PDF and workbook.

On a private copy of the seeded 2021 programme, about twenty headline figures are read from
`GET /programs/{id}/figures`, from the dashboard's overview and delivery callbacks (and the
data-layer function they call), from the text of the status PDF and from the cells of the
status workbook, and compared: under the default rules, under changed rules (hire rate,
unspent tolerance, delivery minimum) and at two as-of dates. Then one test per contradiction
the issue lists.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core import db, glossary
from core.audit import Actor
from core.models import Role, User
from program.models import Program
from tests.builders import make_user, token_for

REPORTING_DATE = date(2022, 12, 31)  # what the seed sets for 2021 (Program.reporting_date)
EARLY = date(2021, 9, 30)  # mid-agreement: part of the money spent, nothing verified or opened yet
NOW = datetime(2026, 10, 1, 0, 0, tzinfo=UTC)

# The figures compared everywhere: HeadlineFigures field → how the status report's overview row shows it.
MONEY = ["total_budget_krw", "awarded_grant_krw", "unawarded_krw", "matching_krw", "project_budget_krw",
         "executed_total_krw", "executed_grant_krw"]
COUNTS = ["projects", "projects_awarded", "hires_required_call", "hires_required_awards", "hires_counted",
          "hires_shortfall", "likely_unspent_awards"]
PAIRS = {"crowd_paid_krw": "crowd_planned_krw", "crowd_workers": "crowd_workers_planned",
         "training_hours": "training_hours_planned", "types_built": "types_contracted",
         "types_verified": "types_contracted", "types_opened": "types_contracted"}
FIGURES = MONEY + COUNTS + list(PAIRS) + ["types_contracted"]


@pytest.fixture(scope="module")
def truth_db(seeded_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A private copy of the seeded database (rules are changed here), as core.db's engines."""
    from dashboard import data

    src = seeded_engine.url.database
    dst = tmp_path_factory.mktemp("one-truth") / "truth.db"
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    engine = db.make_engine(f"sqlite:///{dst}")
    saved = (db._engine, db._write_engine)
    db._engine, db._write_engine = engine, db.writer(engine)
    data.clear_caches()
    try:
        yield engine
    finally:
        db._engine, db._write_engine = saved
        data.clear_caches()
        engine.dispose()


@pytest.fixture(scope="module")
def official(truth_db: Engine) -> User:
    with Session(truth_db, expire_on_commit=False) as s:
        return make_user(s, Role.official, username="truth-official")


@pytest.fixture(scope="module")
def api(truth_db: Engine, official: User) -> Iterator[TestClient]:
    from server import create_app

    with TestClient(create_app(with_dashboard=False), headers=token_for(official)) as c:
        yield c


@pytest.fixture(scope="module")
def pid(truth_db: Engine) -> int:
    with Session(truth_db) as s:
        program = s.exec(select(Program).where(Program.year == 2021)).one()
        assert program.reporting_date == REPORTING_DATE
        assert program.id is not None
        return program.id


def _set_rules(engine: Engine, pid: int, changes: dict[str, Any]) -> None:
    from program import service as program_service

    with Session(engine) as s:
        program_service.update_rules(s, Actor("truth-test", "official"), pid, changes)


# --------------------------------------------------------------------------- readers, one per medium


def from_api(api: TestClient, pid: int, as_of: date | None) -> dict[str, Any]:
    r = api.get(f"/api/v1/budgeting/programs/{pid}/figures", params={"as_of": as_of.isoformat()} if as_of else {})
    assert r.status_code == 200, r.text
    return dict(r.json())


def from_workbook(engine: Engine, pid: int, as_of: date) -> dict[str, Any]:
    from reports import service

    with Session(engine) as s:
        x = service.render_report(s, "status", "xlsx", generated_by="auditor", today=as_of, program_id=pid, now=NOW)
    ws = openpyxl.load_workbook(BytesIO(x.content))["개요"]  # the Korean sheet: label, value, against (typed cells)
    by_label = {g.label("ko"): g.key for g in glossary.TERMS}
    out: dict[str, Any] = {}
    for label, value, against, *_ in ws.iter_rows(min_row=2, values_only=True):
        key = by_label.get(str(label))
        if key is None or value is None or key.startswith("execution_rate"):
            continue
        if key == "as_of":
            out[key] = (value.date() if isinstance(value, datetime) else value).isoformat()
            continue
        out[key] = int(value)
        if key in PAIRS:
            out[PAIRS[key]] = int(against)
    return out


def pdf_text(engine: Engine, pid: int, as_of: date) -> str:
    from reports import service

    with Session(engine) as s:
        p = service.render_report(s, "status", "pdf", generated_by="auditor", today=as_of, program_id=pid, now=NOW)
    return "\n".join(page.extract_text() or "" for page in PdfReader(BytesIO(p.content)).pages)


def texts(component: Any) -> str:
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(texts(c) for c in component)
    return texts(getattr(component, "children", None))


def from_dashboard(official: User, pid: int, as_of: date) -> tuple[dict[str, Any], str, list[int]]:
    """(the data-layer figures the overview callback shows, the overview tiles' text, the delivery funnel)."""
    from dashboard import data
    from dashboard.pages import delivery, overview

    scope = {"program": pid, "as_of": as_of.isoformat()}
    tiles, _, _ = overview.update(official, "ko", scope)
    funnel, _, _ = delivery.update(official, "", "ko", scope)
    return data.headline(pid, as_of), texts(tiles), [int(v) for v in funnel.data[0].x]


def assert_one_truth(api: TestClient, engine: Engine, official: User, pid: int, as_of: date | None) -> dict[str, Any]:
    """Every medium says the same about every figure; returns the API's figures."""
    from core.i18n import format_date
    from core.money import format_krw

    a = from_api(api, pid, as_of)
    day = date.fromisoformat(a["as_of"])
    assert day == (as_of or REPORTING_DATE)
    wb = from_workbook(engine, pid, day)
    assert wb["as_of"] == a["as_of"]
    for key in FIGURES:
        assert wb[key] == a[key], key
    dash_figs, tiles, funnel = from_dashboard(official, pid, day)
    for key in FIGURES:
        assert dash_figs[key] == a[key], key
    for key in ("hires_counted", "hires_required_call", "hires_required_awards", "types_opened", "types_contracted",
                "projects_awarded", "crowd_workers", "likely_unspent_awards"):
        assert f"{a[key]:,}" in tiles, key
    for key in ("awarded_grant_krw", "unawarded_krw", "executed_total_krw", "executed_grant_krw",
                "project_budget_krw"):
        assert format_krw(a[key], "eok", decimals=1) in tiles, key
    assert funnel == [a["types_contracted"], a["types_built"], a["types_verified"], a["types_opened"]]
    text = re.sub(r"\s+", "", pdf_text(engine, pid, day))
    assert f"기준일{format_date(day, 'ko')}".replace(" ", "") in text  # the Korean report: 기준일 2022. 12. 31.
    for key in MONEY + ["crowd_paid_krw"]:
        assert f"{a[key]:,}원" in text, key
    for key in ("types_built", "types_verified", "types_opened"):
        assert f"{glossary.term(key).label('ko')}{a[key]:,}{a['types_contracted']:,}".replace(" ", "") in text, key
    for key in COUNTS:
        assert f"{glossary.term(key).label('ko')}{a[key]:,}".replace(" ", "") in text, key
    return a


# --------------------------------------------------------------------------- the consistency test


def test_figures_agree_at_two_dates_and_under_changed_rules(api: TestClient, truth_db: Engine, official: User,
                                                            pid: int) -> None:
    """Issue 11 'one truth': ~20 headline figures agree across API, dashboard, PDF and workbook."""
    default = assert_one_truth(api, truth_db, official, pid, None)
    early = assert_one_truth(api, truth_db, official, pid, EARLY)
    assert early["executed_total_krw"] < default["executed_total_krw"]
    assert early["types_opened"] == 0 < default["types_opened"]
    assert early["crowd_workers"] < default["crowd_workers"]

    _set_rules(truth_db, pid, {"hires_per_100m_krw": "3.0", "unspent_tolerance": "0.5",
                               "delivery_min_ratio": "0.99"})
    try:
        changed = assert_one_truth(api, truth_db, official, pid, None)
        assert changed["hires_required_call"] == 8775 > default["hires_required_call"]  # ceil(2,925 × 3.0)
        assert changed["hires_required_awards"] > default["hires_required_awards"]
        assert changed["likely_unspent_awards"] < default["likely_unspent_awards"]
        assert changed["types_built"] <= default["types_built"]
        assert_one_truth(api, truth_db, official, pid, EARLY)
    finally:
        _set_rules(truth_db, pid, {"hires_per_100m_krw": "2.4", "unspent_tolerance": "0.10",
                                   "delivery_min_ratio": "0.95"})


# --------------------------------------------------------------------------- the contradictions of the issue


def test_required_hires_both_shown_each_labelled(api: TestClient, truth_db: Engine, official: User,
                                                 pid: int) -> None:
    """Issue 11: 7,020 on the overview vs 5,815 in the report — both are shown, each named for what it is."""
    a = from_api(api, pid, None)
    assert (a["hires_required_call"], a["hires_required_awards"]) == (7020, 5815)
    _, tiles, _ = from_dashboard(official, pid, REPORTING_DATE)
    assert "의무 고용 (공고 기준) 7,020" in tiles and "의무 고용 (협약 기준) 5,815" in tiles
    wb = from_workbook(truth_db, pid, REPORTING_DATE)
    assert (wb["hires_required_call"], wb["hires_required_awards"]) == (7020, 5815)


def test_executed_grant_and_total_and_the_never_awarded_remainder(api: TestClient, official: User, pid: int) -> None:
    """Issue 11: executed incl. matching was shown beside grants without saying so; 532억 never awarded was absent."""
    a = from_api(api, pid, None)
    assert a["executed_total_krw"] > a["awarded_grant_krw"]  # total spending includes the matching
    assert a["executed_grant_krw"] <= a["awarded_grant_krw"]
    assert a["unawarded_krw"] == a["total_budget_krw"] - a["awarded_grant_krw"] == 53_201_800_000
    _, tiles, _ = from_dashboard(official, pid, REPORTING_DATE)
    assert "미협약 잔액 532.0억원" in tiles
    assert "집행액 (총사업비)" in tiles and "집행액 (정부출연금)" in tiles


def test_opened_datasets_have_one_denominator(api: TestClient, truth_db: Engine, official: User, pid: int) -> None:
    """Issue 11: '100 중 150' on the dashboard vs '100 / 140' in the reports — both now of contracted types."""
    a = from_api(api, pid, None)
    assert a["types_contracted"] == 140 and a["projects"] == 150
    _, tiles, _ = from_dashboard(official, pid, REPORTING_DATE)
    assert f"중 협약 데이터 종 {a['types_contracted']:,}" in tiles
    assert f"중 {a['projects']:,}" not in tiles.replace(f"공고 과제 수 {a['projects']:,}", "")
    wb = from_workbook(truth_db, pid, REPORTING_DATE)
    assert wb["types_contracted"] == 140 and wb["types_opened"] == a["types_opened"]


def test_likely_unspent_uses_the_programmes_tolerance_everywhere(api: TestClient, truth_db: Engine, official: User,
                                                                  pid: int) -> None:
    """Issue 11: with the tolerance at 0.5 the API listed 0 awards and the dashboard still 6."""
    from dashboard import data

    before_api = api.get(f"/api/v1/budgeting/programs/{pid}/analytics/unspent").json()
    before_dash = data.likely_unspent(pid, REPORTING_DATE)
    assert len(before_api) == len(before_dash) > 0
    _set_rules(truth_db, pid, {"unspent_tolerance": "0.5"})
    try:
        after_api = api.get(f"/api/v1/budgeting/programs/{pid}/analytics/unspent").json()
        after_dash = data.likely_unspent(pid, REPORTING_DATE)
        behind = data.awards_behind(pid, REPORTING_DATE)
        assert len(after_api) == len(after_dash) == 0
        assert behind is not None and behind["projected_unspent_rate"].isna().all()
        assert from_api(api, pid, None)["likely_unspent_awards"] == 0
    finally:
        _set_rules(truth_db, pid, {"unspent_tolerance": "0.10"})


def test_today_is_korean_and_figures_are_dated_by_the_programme(api: TestClient, official: User, pid: int) -> None:
    """Issue 11: the API used the local date, the dashboard the UTC date, and delays ran against the machine clock."""
    from core.timeutil import today_kst
    from dashboard.data import today

    late_evening_utc = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)  # 08:30 on 2 March in Seoul
    assert today_kst(late_evening_utc) == date(2026, 3, 2)
    assert today() == today_kst()
    deliveries = api.get(f"/api/v1/programs/{pid}/deliveries", params={"limit": 200}).json()["items"]
    delays = [d["days_late"] for d in deliveries if d["days_late"] is not None]
    assert delays and max(delays) <= (REPORTING_DATE - date(2022, 7, 31)).days  # not 1,584–1,661 days
    assert from_api(api, pid, None)["as_of"] == REPORTING_DATE.isoformat()
    from dashboard.pages import overview

    assert "기준일 2022. 12. 31." in texts(overview.layout(official, "ko", {"program": str(pid)}))
    assert "기준일 2021. 9. 30." in texts(overview.layout(official, "ko", {"program": str(pid), "as_of": "2021-09-30"}))
    assert Decimal(from_api(api, pid, None)["unspent_tolerance"]) == Decimal("0.10")


def test_glossary_names_every_headline_figure_once() -> None:
    """Issue 11: one name, one definition, one function per figure; every API figure is in the glossary."""
    from budgeting.analytics import HeadlineFigures

    keys = [t.key for t in glossary.TERMS]
    assert len(keys) == len(set(keys))
    assert len({t.label_ko for t in glossary.TERMS}) == len(keys)
    assert set(FIGURES) - {"crowd_planned_krw", "crowd_workers_planned", "training_hours_planned"} <= set(keys)
    assert set(keys) - {"as_of"} <= set(HeadlineFigures.model_fields)
    assert "| awarded grants (`awarded_grant_krw`)" in glossary.as_markdown()


def test_programme_and_as_of_are_carried_in_the_dashboards_links(official: User, pid: int,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 11: a programme (year) selector and an as-of date on every page, carried in its links."""
    from dashboard import access, app, scope

    monkeypatch.setattr(access, "csrf_token", lambda: "token")  # the logout form outside a request

    search = f"?program={pid}&as_of=2021-09-30"
    nav = app.render_nav(official, "ko", "/dashboard/delivery", search)
    shown = str(nav)
    assert f"/dashboard/overview?program={pid}&as_of=2021-09-30" in shown
    assert "scope-program" in shown and "기준일 2021. 9. 30." in texts(nav)
    assert scope.set_scope(pid, "2022-06-30", "?field=HEALTH") == f"?field=HEALTH&program={pid}&as_of=2022-06-30"
    assert "scope-bar" not in str(app.render_nav(None, "ko", "/dashboard/login", search))
    assert "scope-bar" in str(app.render_nav(None, "ko", "/dashboard/jobs", search))  # the public board is dated too


def test_one_copy_of_each_rule_in_the_dashboard(pid: int, official: User) -> None:
    """Issue 11: severity order copied in dashboard/data/compliance.py, the comment threshold 0.40 taken from the
    2021 programme on the dashboard, the delivery service reading the seed's JSON file at run time."""
    import inspect

    from compliance.models import Severity
    from dashboard import data
    from dashboard.pages import assignments, delivery
    from program import delivery as delivery_service

    frame = data.findings_frame(pid)
    assert frame is not None and not frame.empty
    assert (frame["severity_rank"] == frame["severity"].map(lambda s: Severity(s).rank)).all()
    assert "0.40" not in inspect.getsource(assignments) and "0.95" not in inspect.getsource(delivery)
    assert "seed_data" not in inspect.getsource(delivery_service)
    assert delivery_service.REFERENCE_HISTORY["goal"] == {"year": 2025, "data_types": 1300}


def test_bonus_values_change_every_evaluation_figure(truth_db: Engine, pid: int) -> None:
    """Issue 11: the rules' bonus_*_points were never read; changing them now moves the results everywhere."""
    from dashboard import data
    from scoring import results

    def service_scores() -> list[float]:
        with Session(truth_db) as s:
            return [float(v) for v in results.evaluation_overview(s, pid)["top_final_score"].fillna(0)]

    def dashboard_scores() -> list[float]:
        return [float(v) for v in data.evaluation_overview(pid)["top_final_score"].fillna(0)]

    before = service_scores()
    assert dashboard_scores() == before
    _set_rules(truth_db, pid, {"bonus_crowd_points": "4", "bonus_cap": "10"})
    try:
        after = service_scores()
        assert sum(after) > sum(before)
        assert dashboard_scores() == after
    finally:
        _set_rules(truth_db, pid, {"bonus_crowd_points": "2", "bonus_cap": "5"})
    assert service_scores() == before


def test_the_glossary_document_is_generated_from_the_table() -> None:
    """Issue 11: the glossary is written down in the repository (docs/GLOSSARY.md), from core.glossary's one table."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "GLOSSARY.md").read_text(encoding="utf-8")
    assert doc.endswith(glossary.as_markdown())


def test_glossary_definitions_are_korean_first_without_code_names() -> None:
    """Issue 13 on the glossary: a Korean reader gets a Korean definition, with no field or code name in it."""
    import re

    from core import glossary

    for term in glossary.TERMS:
        ko = term.describe("ko")
        assert re.search(r"[가-힣]", ko), term.key
        assert not re.search(r"[A-Za-z_]{3,}", ko), (term.key, ko)
        assert term.describe("en") == term.definition and term.describe() == ko


def test_hires_per_award_are_dated_like_the_headline(api: TestClient, truth_db: Engine, official: User,
                                                     pid: int) -> None:
    """The per-award 2.4 table (API analytics, the overview's 'behind' list) counts hires as of the same
    day as the headline: before, both counted every hire on record whatever the date on screen."""
    from dashboard import data

    first_month = date(2021, 5, 31)  # the seed's contracts start in May and June 2021
    counted = {}
    for day in (first_month, EARLY, REPORTING_DATE):
        head = from_api(api, pid, day)
        r = api.get(f"/api/v1/budgeting/programs/{pid}/analytics/hires", params={"as_of": day.isoformat()})
        assert r.status_code == 200, r.text
        rows = r.json()
        assert sum(x["counted"] for x in rows) == head["hires_counted"]
        assert sum(x["shortfall"] for x in rows) == head["hires_shortfall"]
        shortfall = {x["award_id"]: x["shortfall"] for x in rows}
        behind = data.awards_behind(pid, day)
        assert behind is not None and len(behind) > 0
        assert {int(b.award_id): int(b.shortfall) for b in behind.itertuples()} == \
            {int(b.award_id): shortfall[int(b.award_id)] for b in behind.itertuples()}
        counted[day] = head["hires_counted"]
    assert 0 < counted[first_month] < counted[EARLY]  # the date matters: June's contracts are not yet counted
    default = api.get(f"/api/v1/budgeting/programs/{pid}/analytics/hires").json()
    assert sum(x["counted"] for x in default) == counted[REPORTING_DATE]  # no date: the reporting date's
