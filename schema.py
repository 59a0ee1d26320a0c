"""Every table module in one place, for Alembic, the test set-up and `create_all`."""

from __future__ import annotations

from types import ModuleType

from sqlalchemy import MetaData
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from budgeting import models as budgeting_models
from compliance import models as compliance_models
from core import jobs as core_jobs
from core import models as core_models
from program import delivery_models as program_delivery_models
from program import models as program_models
from scoring import models as scoring_models

# Importing a module registers its tables on SQLModel.metadata; the list names them for readers and tests.
MODEL_MODULES: list[ModuleType] = [
    core_models,
    core_jobs,
    program_models,
    program_delivery_models,
    scoring_models,
    budgeting_models,
    compliance_models,
]


def load_models() -> MetaData:
    """The shared metadata of every model module (all imported above)."""
    return SQLModel.metadata


def create_all(engine: Engine) -> None:
    load_models().create_all(engine)


def drop_all(engine: Engine) -> None:
    load_models().drop_all(engine)
