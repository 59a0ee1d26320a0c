"""Issue 13's dashboard problems, each checked on the seeded programme through the callbacks and the shell."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from dashboard import access, app, data, figures
from dashboard.pages import allocation, common, delivery, glossary, jobs, obligations, overview, whatif
from tests.dashboard.conftest import user_named
from tests.dashboard.livedb import DEMO_ACCOUNTS
from tests.dashboard.test_callbacks import texts


@pytest.fixture
def official(on_unit_db: Engine) -> Any:
    return user_named(on_unit_db, "official")


@pytest.fixture
def site(on_unit_db: Engine) -> Iterator[TestClient]:
    from server import create_app

    with TestClient(create_app(), headers={"Origin": "http://testserver"}) as c:
        yield c


def test_obligations_lacking_evidence_agrees_with_the_hir02_check(official: Any) -> None:
    pid = data.main_program_id()
    assert pid is not None
    report = data.findings_report(pid)
    hir02 = [f for f in report.findings if f.check_id == "HIR-02"]
    assert hir02  # the seed plants hires without evidence
    *_, short = obligations.update(official, "", "payment", "ko")
    table = short.children[1]
    rows = table.children[1].children
    lacking_by_code = {r.children[0].children.children: int(r.children[4].children) for r in rows}
    flagged = {code: n for code, n in lacking_by_code.items() if n > 0}
    assert set(flagged) == {f.project_code for f in hir02}  # the same awards ...
    assert sum(flagged.values()) == sum(len(f.evidence) for f in hir02)  # ... and the same hires
    assert f"과제 {len(hir02)}개" in texts(short.children[0])


def test_treemap_spending_is_as_of_the_pages_date(official: Any) -> None:
    pid = data.main_program_id()
    assert pid is not None
    early = allocation.update(official, "", "", "ko", {"program": pid, "as_of": "2021-09-30"})
    late = allocation.update(official, "", "", "ko", {"program": pid, "as_of": "2022-12-31"})
    spent_early = sum(r["spent_eok"] for r in early[2])
    spent_late = sum(r["spent_eok"] for r in late[2])
    assert 0 < spent_early < spent_late
    executed = data.award_execution(pid, date(2021, 9, 30))
    assert round(spent_early, 0) == round(executed["spent_krw"].sum() / 1e8, 0)
    tree = early[0].data[0]
    assert tree.marker.showscale and tree.marker.colorbar.title.text == "집행률 (%)"  # a colour scale with its unit
    assert "program=" in early[2][0]["link"] and "as_of=2021-09-30" in early[2][0]["link"]  # links keep the scope
    assert {r["status"] for r in early[2]} <= {"수행 중", "완료", "협약 해지"}  # Korean labels, no raw code


def test_hires_are_counted_as_of_the_pages_date(official: Any) -> None:
    """A hire whose contract starts after the page's date is not yet counted (issue 11: every figure dated)."""
    from sqlmodel import Session, select

    from budgeting import queries, rules
    from budgeting.models import Award, Hire
    from core.db import get_engine

    pid = data.main_program_id()
    assert pid is not None
    with Session(get_engine()) as s:
        now = {h.award_id: h for h in queries.hires_table(s, program_id=pid)}
        award = next(s.get(Award, aid) for aid, h in now.items() if h.counted >= 2)
        assert award is not None
        hires = s.exec(select(Hire).where(Hire.award_id == award.id)).all()
        starts = sorted(h.contract_start for h in hires)
        day = starts[len(starts) // 2]  # half the award's hires have started by this day
        later = sum(1 for h in hires if h.contract_start > day and rules.hire_counts(
            rules.HireFacts(str(h.employment_type), h.contract_start, h.contract_end, bool(h.social_insurance),
                            h.evidence_contract, h.evidence_insurance, h.evidence_payroll),
            award.start_date, award.current_end_date))
        then = {h.award_id: h for h in queries.hires_table(s, program_id=pid, as_of=day)}
        assert then[award.id].counted == now[award.id].counted - later
        assert then[award.id].required == now[award.id].required  # the rule is on the grant, not the date
        before_all = queries.hires_table(s, program_id=pid, as_of=date(2000, 1, 1))
        assert sum(h.counted + h.lacking_evidence for h in before_all) == 0
        assert queries.program_hires(s, pid, date(2000, 1, 1)).shortfall == queries.program_hires(s, pid).required

    def counted(as_of: str) -> int:
        fig_field = obligations.update(official, "", "payment", "ko", {"program": pid, "as_of": as_of})[0]
        return int(sum(fig_field.data[1].y))

    assert counted("2000-01-01") == 0  # the page shows the as-of day's hires ...
    assert counted(day.isoformat()) < counted("2022-12-31")  # ... fewer before the later hires started


def test_axes_tick_at_round_numbers_and_counts_at_whole_numbers() -> None:
    assert figures.round_axis([1238.0, 2475.0])["dtick"] == 500
    assert figures.round_axis([413.0])["dtick"] == 100
    assert figures.integer_axis(3)["dtick"] == 1 and figures.integer_axis(27)["dtick"] == 10
    assert figures.integer_axis(12)["dtick"] == 5  # 2.5 would tick at halves


def test_amounts_below_one_eok_keep_their_precision() -> None:
    assert figures.money_label(43_000_000) == "43,000,000원"  # not "0.4억원"
    assert figures.money_label(1_950_000_000) == "19.5억원"


def test_overview_history_has_units_and_no_sigma(official: Any) -> None:
    _, hist, _ = overview.update(official, "ko")
    assert hist.layout.yaxis.title.text == "데이터(종)" and hist.layout.xaxis.title.text == "연도"
    assert all("∑" not in (tr.name or "") and "Σ" not in (tr.name or "") for tr in hist.data)
    monthly = allocation.update(official, "", "", "ko")[1]
    assert all("∑" not in (tr.name or "") for tr in monthly.data)


def test_charts_carry_their_table(official: Any) -> None:
    out = obligations.update_page(official, "", "payment", "ko")
    fig, alt = out[0], out[4]
    assert alt is not None and len(alt.children[2].children) == sum(len(tr.x) for tr in fig.data)
    assert texts(alt.children[0]) == fig.layout.title.text  # captioned by the chart's title
    assert delivery.update_page(official, "", "ko")[3] is not None
    tree_alt = allocation.update_page(official, "", "", "ko")[3]
    assert "원" in texts(tree_alt)  # money in won in the treemap's table


def test_grid_pager_in_korean(official: Any) -> None:
    page = allocation.layout(official, "ko", {})
    grid = next(c for c in _walk(page) if getattr(c, "id", None) == "allocation-grid")
    assert grid.dashGridOptions["localeText"]["pageSizeSelectorLabel"] == "쪽당 행 수:"
    assert common.grid_locale("en") == {}


def _walk(component: Any) -> Iterator[Any]:
    yield component
    children = getattr(component, "children", None)
    if isinstance(children, list | tuple):
        for c in children:
            yield from _walk(c)
    elif children is not None and not isinstance(children, str | int | float):
        yield from _walk(children)


@pytest.mark.parametrize("module", [overview, allocation, obligations, delivery, jobs, glossary, whatif])
def test_every_page_shows_its_as_of_date(official: Any, module: Any) -> None:
    pid = data.main_program_id()
    ko = texts(module.layout(official, "ko", {"program": str(pid), "as_of": "2021-09-30"}))
    assert "기준일 2021. 9. 30." in ko
    en = texts(module.layout(official, "en", {"program": str(pid), "as_of": "2021-09-30"}))
    assert "2021-09-30" in en


def test_landing_highlights_its_tab(official: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(access, "csrf_token", lambda: "t")
    nav = app.render_nav(official, "ko", "/dashboard/", "")
    links = {c.id: c.className for c in _walk(nav[0]) if getattr(c, "id", "") and str(c.id).startswith("nav-")}
    assert links["nav-overview"] == "nav-link active"
    assert all(cls == "nav-link" for key, cls in links.items() if key != "nav-overview")


def test_auditors_read_allocation_and_evaluation(on_unit_db: Engine) -> None:
    auditor, evaluator = user_named(on_unit_db, "auditor"), user_named(on_unit_db, "evaluator")
    assert access.may_open(auditor, "allocation") and access.may_open(auditor, "evaluation")
    assert not access.may_open(auditor, "whatif")  # the what-if run writes an audit event: officials only
    assert not access.may_open(evaluator, "allocation")


def test_logged_out_visitor_is_sent_to_the_login_and_back(site: TestClient) -> None:
    r = site.get("/dashboard/allocation?program=1&as_of=2021-09-30", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/dashboard/login?next=%2Fdashboard%2Fallocation%3Fprogram%3D1%26as_of%3D2021-09-30"
    assert site.get("/dashboard/jobs", follow_redirects=False).status_code == 200  # public pages stay open
    assert site.get("/dashboard/", follow_redirects=False).status_code == 200  # the login page itself
    site.get("/dashboard/login")
    username, password = DEMO_ACCOUNTS["auditor"]
    form = {"username": username, "password": password, "csrf_token": site.cookies.get("grants_csrf")}
    r = site.post("/dashboard/login", data=form, follow_redirects=False,
                  headers={"Referer": "http://testserver" + r.headers["location"]})
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/allocation?program=1&as_of=2021-09-30"
    assert site.get("/dashboard/allocation", follow_redirects=False).status_code == 200  # logged in now


@pytest.mark.parametrize("target", ["//evil.example.com/x", "https://evil.example.com/dashboard/",
                                    "/api/v1/users", "/dashboard/\\\\evil", "javascript:alert(1)"])
def test_the_way_back_stays_on_the_dashboard(site: TestClient, target: str) -> None:
    site.cookies.clear()
    site.get("/dashboard/login")
    username, password = DEMO_ACCOUNTS["official"]
    r = site.post("/dashboard/login", data={"username": username, "password": password, "next": target,
                                            "csrf_token": site.cookies.get("grants_csrf")}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/"


def test_korean_pages_write_dates_and_units_as_koreans_read_them(official: Any) -> None:
    """Months 2021. 4. and end dates 2021. 12. 31. on the Korean allocation page (ISO on the English one); a short
    y-axis unit (명) level above the axis, kept as the chart table's column head; glossary names in Korean only."""
    pid = data.main_program_id()
    scope = {"program": pid, "as_of": "2022-12-31"}
    _, monthly_ko, _ = allocation.update(official, "", "", "ko", scope)
    _, monthly_en, _ = allocation.update(official, "", "", "en", scope)
    assert monthly_ko.layout.xaxis.tickformat == "%Y. %-m." and monthly_en.layout.xaxis.tickformat == "%Y-%m"
    end_ko = next(c for c in allocation.column_defs("ko") if c["field"] == "current_end_date")
    end_en = next(c for c in allocation.column_defs("en") if c["field"] == "current_end_date")
    assert "valueFormatter" in end_ko and "valueFormatter" not in end_en
    fig = obligations.update(official, "", "payment", "ko", scope)[0]
    assert fig.layout.yaxis.title.text is None and [a.text for a in fig.layout.annotations] == ["명"]
    table = common.figure_table(fig, "ko")
    assert table is not None and texts(table.children[1]).split()[-1] == "명"  # the value column's head
    page = texts(glossary.layout(official, "ko", {}))
    assert "총 사업비" in page and "(total budget)" not in page


def test_hires_by_award_as_of_leaves_out_hires_not_yet_started(official: Any) -> None:
    """The HIR-02 evidence list can be dated like the obligations page (budgeting.queries.hires_by_award)."""
    from sqlmodel import Session

    from budgeting import queries
    from core.db import get_engine

    pid = data.main_program_id()
    assert pid is not None
    with Session(get_engine()) as s:
        every = queries.hires_by_award(s, pid, lacking_evidence_only=True)
        assert every and not queries.hires_by_award(s, pid, lacking_evidence_only=True, as_of=date(2000, 1, 1))
        day = sorted(h.contract_start for hs in every.values() for h in hs)[0]
        first = queries.hires_by_award(s, pid, lacking_evidence_only=True, as_of=day)
        assert all(h.contract_start <= day for hs in first.values() for h in hs)
        assert sum(map(len, first.values())) == sum(1 for hs in every.values() for h in hs if h.contract_start <= day)
