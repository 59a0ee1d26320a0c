"""The what-if dashboard page: officials only, inputs parsed through the bounded request, differences highlighted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import Session

from core.models import AuditEvent, Role
from dashboard import access, data
from dashboard.pages import evaluation, whatif
from tests.builders import count, make_user
from tests.decisions.builders import programme

# threshold, trimming, bands, crowd, vulnerable, regional, cap, hires, designated %, regional %, free %, keep, seed, tol
DEFAULTS = ["70", ["on"], "90:1.00, 80:0.95, 70:0.90", "2", "2", "1", "5", "2.4", "0", "0", "0", ["on"], "", "0"]


def values(**changes: Any) -> list[Any]:
    names = ["threshold", "trimming", "bands", "crowd", "vulnerable", "regional", "cap", "hires", "designated",
             "regional_pct", "free", "keep", "seed", "tolerance"]
    out = list(DEFAULTS)
    for k, v in changes.items():
        out[names.index(k)] = v
    return out


def find(component: Any, predicate: Any) -> list[Any]:
    """Every component in the tree for which predicate holds."""
    found = [component] if predicate(component) else []
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children] if children is not None else []:
        if hasattr(child, "children") or hasattr(child, "style"):
            found += find(child, predicate)
    return found


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    data.clear_caches()
    yield
    data.clear_caches()


def test_page_is_for_officials_and_admins_only(session: Session):
    """Issue 15: the what-if page is in the navigation of officials and admins, refused to auditors/evaluators."""
    official, admin = make_user(session, Role.official), make_user(session, Role.admin)
    auditor, evaluator = make_user(session, Role.auditor), make_user(session, Role.evaluator)
    assert access.may_open(official, "whatif") and access.may_open(admin, "whatif")
    assert not access.may_open(auditor, "whatif") and not access.may_open(evaluator, "whatif")
    assert not access.may_open(None, "whatif")
    assert "whatif" in access.pages_for(official) and "whatif" in access.pages_for(admin)
    assert "whatif" not in access.pages_for(auditor) + access.pages_for(evaluator)


def test_inputs_are_parsed_through_the_bounded_request():
    """Issue 15 / finding 9: forged or unbounded form values are refused, never reach the rules."""
    req = whatif.request_from_inputs(*values(threshold="75", trimming=[], designated="-10", seed="4"))
    assert str(req.rules.pass_threshold) == "75" and req.rules.trimming is False
    assert [(b.target, str(b.change_pct)) for b in req.budgets] == [("designated", "-10")]
    assert req.lottery is not None and req.lottery.seed == 4
    assert [str(b.rate) for b in req.rules.adjustment_bands] == ["1.00", "0.95", "0.90"]
    for bad in (values(threshold="1E-10000000"), values(seed=str(2**40)), values(designated="-101"),
                values(bands="90-1.0"), values(cap="1" * 41), values(hires=["x"])):
        with pytest.raises((ValueError, ValidationError)):
            whatif.request_from_inputs(*bad)


def test_run_records_and_highlights_the_differences(session: Session, fresh_caches: None):
    """Issue 15: a run from the page is recorded in the audit log; the changed project is highlighted."""
    programme(session, [[[80, 82, 84, 86, 100]], [[72] * 5]])
    official = make_user(session, Role.official)
    form = whatif.layout(official, "ko", {})
    threshold = find(form, lambda c: getattr(c, "id", None) == "whatif-threshold")[0]
    assert threshold.value == "70"  # prefilled with the programme's rules
    events = count(session, AuditEvent)
    page = whatif.run(official, 1, "ko", *values(threshold="75"))
    assert count(session, AuditEvent) == events + 1
    highlighted = find(page, lambda c: getattr(c, "style", None) == whatif.DIFF)
    assert highlighted, "differences must be highlighted"
    rows = find(page, lambda c: getattr(c, "id", None) == "whatif-projects")[0]
    assert len(rows.children[1].children) == 1  # one project changes: the 72-point one is dropped
    same = whatif.run(official, 1, "ko", *values())
    assert find(same, lambda c: getattr(c, "id", None) == "whatif-projects")[0].children.startswith("달라지는")
    refused = whatif.run(official, 1, "ko", *values(threshold="60"))  # below the lowest band: refused by the rules
    assert getattr(refused, "id", None) == "whatif-error"
    assert whatif.run(official, 0, "ko", *values()).className == "hint"  # not clicked yet


def test_evaluation_page_links_the_decision_package(session: Session, fresh_caches: None):
    """Issue 15: the evaluation page offers the decision package of each call type as PDF and XLSX."""
    built = programme(session, [[[80] * 5]])
    links = evaluation.decision_links(built["program"].id, "ko")
    boxes = find(links, lambda c: str(getattr(c, "id", "")).startswith("download-evaluation-decision-"))
    specs = [box.children[1].data for box in boxes]  # download buttons (dashboard/downloads.py): the job each asks
    assert {"kind": "report.decision", "lang": "ko", "call_type": "designated", "format": "pdf",
            "program_id": built["program"].id} in specs
    assert len(specs) == 6
