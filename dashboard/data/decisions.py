"""What-if runs for the dashboard (decisions.service): computed in a read session, recorded in a write one.

Not cached: every run is recorded in the audit log with its inputs.
"""

from __future__ import annotations

from typing import Any

from core.audit import Actor
from core.db import session_scope
from decisions import service
from decisions.models import WhatIfRequest


def what_if(user: Any, program_id: int, request: WhatIfRequest) -> dict[str, Any]:
    """The comparison of a what-if run (JSON-ready); raises DomainError when the inputs are refused."""
    with session_scope() as session:
        result = service.run_what_if(session, program_id, request)
    with session_scope(write=True) as session:
        result = service.record_run(session, Actor.of(user), result)
    return result.model_dump(mode="json")
