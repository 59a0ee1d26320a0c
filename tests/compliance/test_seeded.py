"""Every planted pattern of the seeded programme is found by the check that targets it."""

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import Session

from compliance import service

AS_OF = date(2026, 9, 30)  # seed_data.delivery.SEED_AS_OF: the seeded world's "now"

# planted key → (check id, the kind of record in the findings' refs holding the planted ids)
PLANTED = {
    "volume_shortfall": ("DLV-01", "data_type"),
    "quality_not_remedied": ("DLV-02", "data_type"),
    "opened_late": ("DLV-03", "data_type"),
    "not_opened": ("DLV-04", "data_type"),
    "round_trip_payee": ("MON-04", "expenditure"),
    "out_of_period": ("MON-01", "expenditure"),
    "line_overrun": ("MON-02", "line"),
    "indirect_over_cap": ("MON-03", "award"),
    "hire_without_insurance": ("HIR-02", "hire"),
    "ghost_employee": ("HIR-03", "hire"),
    "crowd_shortfall": ("CRD-01", "award"),
    "conflicted_sheet_counted": ("EVA-01", "sheet"),
    "selection_without_reason": ("EVA-02", "selection"),
}


@pytest.fixture(scope="module")
def report(seeded):
    with Session(seeded.engine) as s:
        return service.run_checks(s, today=AS_OF, program_id=seeded.report.main_program_id)


def _evidence(report, check_id: str, key: str) -> set:
    """The ids of the records of one kind behind a check's findings (awards: the finding's own award)."""
    found = [f for f in report.findings if f.check_id == check_id]
    if key == "award":
        return {f.award_id for f in found}
    return {i for f in found for i in f.refs.get(key, [])}


@pytest.mark.parametrize("pattern", sorted(PLANTED))
def test_planted_pattern_is_found(seeded, report, pattern):
    planted = seeded.report.planted.get(pattern)
    assert planted, f"the seed planted no '{pattern}'"
    check_id, key = PLANTED[pattern]
    missing = set(planted) - _evidence(report, check_id, key)
    assert not missing, f"{check_id} misses planted {pattern} ids {sorted(missing)}"


def test_inflated_labour_is_found(seeded, report):
    """LAB-01 finds every planted labour inflation and the 0.2% dataset."""
    planted = set(seeded.report.planted["inflated_labour"])
    found = _evidence(report, "LAB-01", "award")
    assert planted <= found, f"LAB-01 misses inflated awards {sorted(planted - found)}"
    tiny = [f for f in report.findings if f.check_id == "DLV-01" and Decimal(f.evidence[0]["ratio"]) < Decimal("0.01")]
    assert tiny and tiny[0].award_id in found


def test_every_check_ran(report):
    assert {c.check_id: c.status for c in report.checks if c.status not in ("ok", "findings")} == {}
    assert report.counts["high"] > 0
    assert report.total == len(report.findings) == sum(report.counts.values())
