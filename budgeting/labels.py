"""Korean and English for the money domain's stored codes (core.i18n), imported by budgeting.models.

Shared: other parts add their groups here with small edits.
"""

from __future__ import annotations

from core.i18n import register_codes

register_codes("award_status", {
    "active": ("수행 중", "Active"),
    "completed": ("완료", "Completed"),
    "terminated": ("협약 해지", "Terminated"),
})

# A job posting on the public board's reference date (budgeting.queries.job_status).
register_codes("job_posting_status", {
    "open": ("모집 중", "Open"),
    "upcoming": ("모집 예정", "Upcoming"),
    "closed": ("마감", "Closed"),
})
