"""Data delivery: funnel and per-data-type status (program.delivery)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from core.db import session_scope
from dashboard.data._cache import cached
from program import delivery
from program.reporting import as_of_for


@cached
def delivery_funnel(program_id: int, as_of: date | None = None, field_code: str | None = None) -> dict[str, Any]:
    """program.delivery.delivery_funnel as of the date (default: the programme's reporting date)."""
    with session_scope() as session:
        day = as_of_for(session, program_id, as_of)
        return delivery.delivery_funnel(session, today=day, program_id=program_id,
                                        field_code=field_code).model_dump(mode="json")


DELIVERY_COLUMNS = ["data_type_id", "data_type_name", "project_id", "project_code", "field_code", "contracted_volume",
                    "built_volume", "delivered_ratio", "volume_short", "quality_state", "opening_state", "opened_date",
                    "days_late"]


@cached
def delivery_frame(program_id: int, as_of: date | None = None) -> pd.DataFrame | None:
    """One row per data type: volumes, quality state and opening state (program.delivery.delivery_statuses)."""
    with session_scope() as session:
        rows = delivery.delivery_statuses(session, today=as_of_for(session, program_id, as_of), program_id=program_id)
    df = pd.DataFrame([r.model_dump() for r in rows], columns=DELIVERY_COLUMNS)
    df["delivered_ratio"] = df["delivered_ratio"].astype(float)
    return df
