"""officials' workflow, jobs on a queue, stored findings, job board

One revision for the round; each part is written in its own function below (by the
package that owns the tables), so that the parts can be read and reviewed separately.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 12:40:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401  (used by the parts below)
import sqlmodel  # noqa: F401
from alembic import op  # noqa: F401

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# --- jobs on the queue (core/jobs.py) ----------------------------------------------------------
def _jobs_up() -> None:
    pass


def _jobs_down() -> None:
    pass


# --- stored findings (compliance/) -------------------------------------------------------------
def _findings_up() -> None:
    pass


def _findings_down() -> None:
    pass


# --- officials' workflow: programmes, intake, evaluator registry, approvals (program/, scoring/, budgeting/, core/)
def _workflow_up() -> None:
    pass


def _workflow_down() -> None:
    pass


# --- job board (budgeting/ job postings) -------------------------------------------------------
def _jobboard_up() -> None:
    pass


def _jobboard_down() -> None:
    pass


def upgrade() -> None:
    _jobs_up()
    _findings_up()
    _workflow_up()
    _jobboard_up()


def downgrade() -> None:
    _jobboard_down()
    _workflow_down()
    _findings_down()
    _jobs_down()
