"""national scale: the ledger's monthly sums kept by the database (spend_month and its triggers)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 20:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The trigger statements are the model's (budgeting/models.py): one text for create_all and this migration.
from budgeting.models import SPEND_MONTH_DDL  # noqa: E402


def upgrade() -> None:
    op.create_table(
        'spend_month',
        sa.Column('program_id', sa.Integer(), nullable=False),
        sa.Column('award_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('line_id', sa.Integer(), nullable=False),
        sa.Column('amount_krw', sa.BigInteger(), nullable=False),
        sa.Column('entries', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('program_id', 'award_id', 'month', 'line_id'),
        sqlite_with_rowid=False,
    )
    bind = op.get_bind()
    for statement in SPEND_MONTH_DDL[bind.dialect.name]:
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS trg_spend_month ON expenditure")
        bind.exec_driver_sql("DROP FUNCTION IF EXISTS spend_month_apply()")
    else:
        for name in ("insert", "delete", "update"):
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS trg_spend_month_{name}")
    op.drop_table('spend_month')
