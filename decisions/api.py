"""HTTP route of what-if runs (officials and admins): parse, check the role, call the service.

The PDF of a run and the decision package are rendered by reports/ (reports/decision_api.py),
which may import this package; this package never imports reports.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlmodel import Session

from core.audit import Actor
from core.auth import OfficialUser
from core.bounded import Id
from core.db import get_session, get_write_session
from decisions import service
from decisions.models import WhatIfRequest, WhatIfResult

router = APIRouter(tags=["decisions"])


@router.post("/programs/{program_id}/what-if", response_model=WhatIfResult)
def what_if(program_id: Id, body: WhatIfRequest, user: OfficialUser, session: Session = Depends(get_session),
            write: Session = Depends(get_write_session)) -> WhatIfResult:
    """Re-run ranking, selection, grant adjustment and envelope limits on the recorded score sheets under
    changed rules and budgets, side by side with what was decided. Writes only the audit event of the run."""
    result = service.run_what_if(session, program_id, body)
    session.rollback()  # end the read transaction before the write one starts
    return service.record_run(write, Actor.of(user), result)
