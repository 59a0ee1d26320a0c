"""Every table module in one place, for Alembic, the test set-up and `create_all`."""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

MODEL_MODULES = [
    "core.models",
    "program.models",
    "program.delivery_models",
    "scoring.models",
    "budgeting.models",
    "compliance.models",
]


def load_models() -> MetaData:
    """Import every model module and return the shared metadata."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
    return SQLModel.metadata


def create_all(engine: Engine) -> None:
    load_models().create_all(engine)


def drop_all(engine: Engine) -> None:
    load_models().drop_all(engine)
