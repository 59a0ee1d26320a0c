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
    """Import every model module (those that exist) and return the shared metadata."""
    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return SQLModel.metadata


def create_all(engine: Engine) -> None:
    load_models().create_all(engine)


def drop_all(engine: Engine) -> None:
    load_models().drop_all(engine)
