"""The dashboard's only door to the services: one short-lived session per call.

Results are cached for one callback request (the same summary is not loaded twice while a
page renders) and across requests for as long as the data have not changed: the key holds
the head of the audit chain, which every write moves (see `data_version`), so every page
shows what the API shows now.
"""

from dashboard.data._cache import clear_caches, data_version, request_cache, today
from dashboard.data.compliance import (
    FINDING_COLUMNS,
    finding_evidence,
    findings_for_award,
    findings_frame,
    findings_report,
    top_findings,
)
from dashboard.data.delivery import (
    DELIVERY_COLUMNS,
    delivery_frame,
    delivery_funnel,
)
from dashboard.data.evaluation import (
    assignment_detail,
    evaluation_overview,
    evaluator_leniency,
    my_assignments,
    project_result,
    score_histogram,
    write_sheet,
)
from dashboard.data.money import (
    AWARD_COLUMNS,
    JOB_COLUMNS,
    analytics_frames,
    award_detail,
    award_execution,
    awards_frame,
    crowd_frame,
    headline_figures,
    hires_frame,
    likely_unspent,
    monthly_execution,
    public_job_counts,
    public_job_regions,
    public_jobs,
)
from dashboard.data.overview import (
    awards_behind,
    headline,
)
from dashboard.data.programme import (
    call_types,
    current_program_id,
    fields,
    history,
    main_program_id,
    program_rules,
    program_summary,
    programs,
    project_fields,
    scope,
)

__all__ = [
    "AWARD_COLUMNS",
    "DELIVERY_COLUMNS",
    "FINDING_COLUMNS",
    "JOB_COLUMNS",
    "assignment_detail",
    "analytics_frames",
    "award_detail",
    "award_execution",
    "awards_behind",
    "awards_frame",
    "call_types",
    "clear_caches",
    "crowd_frame",
    "current_program_id",
    "data_version",
    "delivery_frame",
    "delivery_funnel",
    "evaluation_overview",
    "evaluator_leniency",
    "fields",
    "finding_evidence",
    "findings_for_award",
    "findings_frame",
    "findings_report",
    "headline",
    "headline_figures",
    "hires_frame",
    "history",
    "likely_unspent",
    "main_program_id",
    "monthly_execution",
    "my_assignments",
    "program_rules",
    "program_summary",
    "programs",
    "project_fields",
    "project_result",
    "public_job_counts",
    "public_job_regions",
    "public_jobs",
    "request_cache",
    "score_histogram",
    "scope",
    "today",
    "top_findings",
    "write_sheet",
]
