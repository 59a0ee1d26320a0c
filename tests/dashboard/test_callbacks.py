"""Page callbacks called directly over the seeded programme (plus the role check they run under)."""

from __future__ import annotations

from typing import Any

import dash
import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict
from dash.exceptions import PreventUpdate
from sqlalchemy.engine import Engine

from core import auth
from dashboard import access, data
from dashboard.pages import allocation, assignments, compliance, delivery, evaluation, jobs, obligations, overview
from tests.dashboard.conftest import user_named


def texts(component: Any) -> str:
    """All text inside a Dash component tree."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(texts(c) for c in component)
    return texts(getattr(component, "children", None))


@pytest.fixture(autouse=True)
def _no_leftover_callback_context() -> Any:
    yield
    context_value.set({})


@pytest.fixture
def official(on_unit_db: Engine) -> Any:
    return user_named(on_unit_db, "official")


@pytest.fixture
def evaluator(on_unit_db: Engine) -> Any:
    return user_named(on_unit_db, "evaluator")


def test_overview_headline_matches_the_services(official: Any) -> None:
    tiles, hist, fields = overview.update(official, "ko")
    attention = overview.attention(official, "ko")
    text = texts(tiles)
    assert "2,925.0억원" in text and "292,500,000,000원" in text
    assert "의무 고용 (공고 기준) 7,020" in text  # required hires on the call (2.4 rule on the total budget)
    pid = data.main_program_id()
    h = data.headline(pid)
    # and on the grants awarded, each labelled: 5,815 on the seed (tests/test_one_truth.py, on a database of its
    # own); this database is shared with the workflow tests, which award more, so the service says how many now
    assert f"의무 고용 (협약 기준) {h['hires_required_awards']:,}" in text and h["hires_required_awards"] >= 5_815
    assert f"{h['projects_awarded']:,}" in text and h["projects_awarded"] > 0
    assert hist.data and fields.data
    assert sum(fields.data[0].customdata[i][1] for i in range(6)) == 150  # projects per field add up to 150
    assert "overview-behind" in str(attention)


def test_allocation_filter_changes_treemap_and_grid(official: Any) -> None:
    tree_all, monthly_all, rows_all = allocation.update(official, "", "", "ko")
    tree_h, monthly_h, rows_h = allocation.update(official, "HEALTH", "", "ko")
    assert len(rows_all) == len(data.awards_frame(data.main_program_id()))
    assert 0 < len(rows_h) < len(rows_all)
    assert {r["field"] for r in rows_h} == {"헬스케어"}
    assert all(r["link"].startswith("[") and "/dashboard/award/" in r["link"] for r in rows_h)
    labels_h = set(tree_h.data[0].labels)
    assert "헬스케어" in labels_h and "비전(영상·이미지)" not in labels_h
    assert tree_all.data[0].values[0] > tree_h.data[0].values[0]
    assert monthly_all.data and sum(monthly_all.data[0].y) > sum(monthly_h.data[0].y)


def test_allocation_english_labels(official: Any) -> None:
    _, _, rows = allocation.update(official, "HEALTH", "designated", "en")
    assert {r["field"] for r in rows} == {"Healthcare"}
    assert {r["call_type"] for r in rows} == {"Designated contest"}


def test_evaluation_scores_are_binned_on_the_server(official: Any) -> None:
    hist, leniency, incomplete = evaluation.charts(official, "", "ko")
    assert 0 < len(hist.data) <= 6
    assert all(len(tr.y) <= 20 for tr in hist.data)
    binned = data.score_histogram(data.main_program_id())
    assert sum(sum(tr.y) for tr in hist.data) == int(binned["sheets"].sum())
    assert leniency.data
    only_lang, _, _ = evaluation.charts(official, "LANG", "ko")
    assert len(only_lang.data) == 1


def test_evaluation_ranking_of_a_project(official: Any) -> None:
    ov = data.evaluation_overview(data.main_program_id())
    project_id = int(ov[ov["outcome"] == "selected"]["project_id"].iloc[0])
    table = evaluation.ranking(official, project_id, "ko")
    assert "선정" in texts(table)
    assert "evaluation-ranking-table" in str(table)
    panel = next(c for c in table.children if getattr(c, "id", None) == "evaluation-panel")
    result = data.project_result(project_id)
    counted = sum(1 for p in result["proposals"] for s in p["sheets"] if not s.get("excluded"))
    assert sum(sum(row) for row in panel.figure.data[0].z) == counted
    assert f"/api/v1/reports/evaluation/{project_id}.pdf" in str(table)  # the report of the same project


def test_obligations_and_delivery(official: Any) -> None:
    by_field, by_award, crowd, short = obligations.update(official, "", "payment", "ko")
    assert len(by_field.data[0].x) == 6 and by_award.data and crowd.data
    _, _, crowd_hours, _ = obligations.update(official, "AGRI", "training", "en")
    assert list(crowd_hours.data[0].x) == ["Agriculture, livestock, fisheries"]
    funnel, quality, late = delivery.update(official, "", "ko")
    stages = list(funnel.data[0].x)
    assert stages == sorted(stages, reverse=True) and stages[0] == len(data.delivery_frame(data.main_program_id()))
    service_funnel = data.delivery_funnel(data.main_program_id())
    assert stages == [s["data_types"] for s in service_funnel["stages"]]  # same numbers as the delivery service
    assert quality.data


def test_compliance_filter_and_evidence(official: Any) -> None:
    tiles, fig, rows = compliance.update(official, "", "", "ko")
    report = data.findings_report(data.main_program_id())
    assert len(rows) == report.total > 0
    high, _, _ = compliance.update(official, "high", "", "ko")
    assert texts(high[0]).endswith(f"{report.counts['high']:,}")
    shown = compliance.evidence(official, [{"idx": 0}], "ko")
    assert report.findings[0].check_id in texts(shown)
    assert "cp.pick" not in texts(compliance.evidence(official, [{"idx": 10**6}], "ko"))
    assert compliance.evidence(official, [{"idx": "x"}], "ko") is not None


def test_award_page_shows_lines_ledger_hires_and_findings(official: Any) -> None:
    from dashboard.pages import award

    awards = data.awards_frame(data.main_program_id())
    findings = data.findings_frame(data.main_program_id())
    award_id = int(findings["award_id"].dropna().iloc[0])
    code = awards[awards["id"] == award_id]["project_code"].iloc[0]
    page = award.body(official, {"award_id": str(award_id), "lang": "ko"})
    assert code in texts(page) and "award-ledger" in str(page) and "award-hires" in str(page)
    shown = award.findings(official, {"award_id": str(award_id), "lang": "ko"})
    assert findings[findings["award_id"] == award_id]["check_id"].iloc[0] in texts(shown)
    assert "award-notfound" in str(award.body(official, {"award_id": "abc", "lang": "ko"}))


def test_public_job_board_filters(on_unit_db: Engine) -> None:
    scope = {"program": data.main_program_id(), "as_of": "2021-09-15"}
    by_field, by_region, *_ = jobs.update("", "", "ko", "open", "close_date", 0, scope)
    region = str(by_region.data[0].x[0])
    _, only_region, *_ = jobs.update("", region, "ko", "open", "close_date", 0, scope)
    assert list(only_region.data[0].x) == [region] and sum(only_region.data[0].y) < sum(by_field.data[0].y)


def test_score_sheet_validation_as_you_type() -> None:
    rubric = {"sheet_id": 1, "step": "0.5", "below": "0.40", "locked": False,
              "criteria": [{"code": "PLAN", "max": "15"}, {"code": "BUILD", "max": "25"}]}
    feedback, total, disabled, _, _ = assignments.check([16, None], ["", ""], rubric, "ko")
    assert feedback[0].startswith("✗") and disabled
    feedback, total, disabled, _, _ = assignments.check([12.25, 20], ["", ""], rubric, "ko")
    assert "0.5" in feedback[0] and disabled  # not a multiple of the step
    feedback, total, disabled, _, _ = assignments.check([5, 20], ["", ""], rubric, "ko")
    assert "✗" in feedback[0] and disabled  # 5 < 40% of 15 needs a comment
    feedback, total, disabled, save_disabled, _ = assignments.check([5, 20], ["too vague", ""], rubric, "en")
    assert feedback == ["✓", "✓"] and total == "Total 25" and not disabled and not save_disabled
    *_, disabled, save_disabled, message = assignments.check([5, 20], ["too vague", ""], {**rubric, "locked": True},
                                                             "en")
    assert disabled and save_disabled and "submitted" in message
    with pytest.raises(PreventUpdate):
        assignments.check([], [], None, "ko")


def test_evaluator_saves_and_submits_only_their_own_sheet(evaluator: Any, on_unit_db: Engine) -> None:
    mine = data.my_assignments(evaluator)
    assert mine, "the demo evaluator has assignments"
    sheet = next(a for a in mine if a["status"] != "submitted")
    form, store = assignments.form(evaluator, sheet["id"], "ko")
    if store is None:  # the sheet opens once the evaluator confirms no conflict with the consortium
        assert "assignments-certify-panel" in str(form)
        from dashboard.data import evaluation as ev_data

        ev_data.certify_no_conflict(evaluator, sheet["id"])
        form, store = assignments.form(evaluator, sheet["id"], "ko")
    assert store["sheet_id"] == sheet["id"] and len(store["criteria"]) == 8
    other = user_named(on_unit_db, "official")
    assert data.assignment_detail(other, sheet["id"]) is None  # an official has no evaluator profile
    form_other, store_other = assignments.form(evaluator, foreign_sheet_id(on_unit_db, evaluator), "ko")
    assert store_other is None and "assignments-missing" in str(form_other)
    pid = data.main_program_id()

    def submitted_for_project() -> int:
        ov = data.evaluation_overview(pid)  # kept across requests until the data change
        return int(ov[ov["project_id"] == sheet["project_id"]]["sheets_submitted"].iloc[0])

    before = submitted_for_project()
    assert submitted_for_project() == before
    ids = [{"type": "assignments-points", "code": c["code"]} for c in store["criteria"]]
    points = [float(c["max"]) * 0.8 for c in store["criteria"]]
    context_value.set(AttributeDict(triggered_inputs=[{"prop_id": "assignments-save.n_clicks", "value": 1}]))
    msg, _, _ = assignments.save(evaluator, 1, 0, points, [""] * 8, ids, store, "ko")
    assert "assignments-saved" in str(msg)
    context_value.set(AttributeDict(triggered_inputs=[{"prop_id": "assignments-submit-confirm.submit_n_clicks",
                                                       "value": 1}]))  # the confirmed submit
    msg, locked_form, locked_store = assignments.save(evaluator, 1, 1, points, [""] * 8, ids, store, "ko")
    assert "assignments-done" in str(msg) and locked_store["locked"] is True
    assert "assignments-locked" in str(locked_form)
    msg, _, _ = assignments.save(evaluator, 1, 2, points, [""] * 8, ids, store, "ko")
    assert "assignments-error" in str(msg)  # already submitted: the service refuses
    assert next(a for a in data.my_assignments(evaluator) if a["id"] == sheet["id"])["status"] == "submitted"
    assert submitted_for_project() == before + 1  # the submission moved the data version: no stale numbers


def foreign_sheet_id(engine: Engine, evaluator: Any) -> int:
    """A score sheet of another evaluator."""
    from sqlmodel import Session, select

    from scoring.models import Evaluator, ScoreSheet

    with Session(engine) as s:
        mine = s.exec(select(Evaluator.id).where(Evaluator.user_id == evaluator.id)).one()
        return int(s.exec(select(ScoreSheet.id).where(ScoreSheet.evaluator_id != mine)).first())


def _as_caller(token: str | None) -> None:
    context_value.set(AttributeDict(cookies={auth.COOKIE_NAME: token} if token else {}))


def test_role_check_runs_before_every_callback(official: Any, evaluator: Any) -> None:
    calls: list[Any] = []

    def body(user: Any, *args: Any) -> str:
        calls.append(user.username)
        return "data"

    _as_caller(auth.create_token(evaluator))
    with pytest.raises(PreventUpdate):
        access._run_guarded(body, "allocation", (), True)
    _as_caller(None)
    with pytest.raises(PreventUpdate):
        access._run_guarded(body, "evaluation", (), True)
    _as_caller("forged.token.value")
    with pytest.raises(PreventUpdate):
        access._run_guarded(body, "overview", (), True)
    _as_caller(auth.create_token(official))
    assert access._run_guarded(body, "allocation", (), True) == "data"
    assert calls == ["official"]
    context_value.set({})
    assert dash.callback_context is not None


@pytest.mark.parametrize(("role", "pages"), [
    ("official", {"overview", "allocation", "evaluation", "whatif", "obligations", "delivery", "compliance", "jobs",
                  "approvals", "programme", "evaluators"}),
    ("admin", {"overview", "allocation", "evaluation", "whatif", "obligations", "delivery", "compliance", "jobs",
               "approvals", "accounts", "programme", "evaluators"}),
    ("auditor", {"overview", "allocation", "evaluation", "obligations", "delivery", "compliance", "jobs",
                 "approvals", "programme"}),  # read all
    ("evaluator", {"assignments", "jobs"}),
])
def test_navigation_by_role(on_unit_db: Engine, role: str, pages: set[str]) -> None:
    user = user_named(on_unit_db, role)
    assert set(access.pages_for(user)) == pages
    assert access.may_open(user, "award") == (role in ("official", "admin", "auditor"))
    assert set(access.pages_for(None)) == {"jobs"}
    assert access.home_page(None) == "login"
