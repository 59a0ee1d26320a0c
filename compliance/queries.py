"""Compatibility names for the compliance workbook (reports/tables.py) while it moves to the owners' reads.

No SQL here: the checks' reads live with the tables' owner, `budgeting.queries` (awards, lines, ledger,
hires) and `core.audit.iter_events` (the audit log). Remove once reports import those directly.
"""

from __future__ import annotations

from budgeting.queries import (  # noqa: F401  (re-exported for reports/tables.py)
    AwardRef,
    awards_by_project,
    entries_outside_period,
    ledger_count,
    line_spend,
    overlapping_full_time_hires,
    payments_to_members,
)
from core.audit import iter_events as iter_audit_events  # noqa: F401
