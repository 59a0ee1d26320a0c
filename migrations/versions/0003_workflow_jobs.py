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
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("requested_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requester_role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("params_json", sa.Text(), nullable=False),
        sa.Column("status", sa.Enum("queued", "running", "done", "failed", "cancelled", name="jobstatus"),
                  nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("message_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("message_params", sa.Text(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column("result_path", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True),
        sa.Column("result_name", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
        sa.Column("result_type", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column("result_bytes", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    for column in ("kind", "requested_by", "requested_by_id", "status", "created_at", "finished_at"):
        op.create_index(f"ix_job_{column}", "job", [column], unique=False)


def _jobs_down() -> None:
    for column in ("kind", "requested_by", "requested_by_id", "status", "created_at", "finished_at"):
        op.drop_index(f"ix_job_{column}", table_name="job")
    op.drop_table("job")
    sa.Enum(name="jobstatus").drop(op.get_bind(), checkfirst=True)


# --- stored findings (compliance/) -------------------------------------------------------------
def _findings_up() -> None:
    op.create_table(
        "finding_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("as_of_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("full_run_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("data_event_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("program_id", "as_of_date"),
    )
    op.create_index("ix_finding_set_program_id", "finding_set", ["program_id"])
    op.create_table(
        "finding_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("check_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["set_id"], ["finding_set.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("set_id", "check_id"),
    )
    op.create_index("ix_finding_check_set_id", "finding_check", ["set_id"])
    op.create_table(
        "finding_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("project_ids", sa.JSON(), nullable=True),
        sa.Column("requested_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=False),
        sa.Column("data_event_id", sa.BigInteger(), nullable=True),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["set_id"], ["finding_set.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_finding_run_set_id", "finding_run", ["set_id"])
    op.create_table(
        "finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("check_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("severity", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=True),
        sa.Column("other_award_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("project_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("project_title", sa.Text(), nullable=True),
        sa.Column("message_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("subject_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("subject_params", sa.JSON(), nullable=False),
        sa.Column("amount_krw", sa.BigInteger(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("refs", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["finding_run.id"]),
        sa.ForeignKeyConstraint(["set_id"], ["finding_set.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("set_id", "run_id", "check_id", "award_id", "project_id"):
        op.create_index(f"ix_finding_{column}", "finding", [column])


def _findings_down() -> None:
    for column in ("set_id", "run_id", "check_id", "award_id", "project_id"):
        op.drop_index(f"ix_finding_{column}", table_name="finding")
    op.drop_table("finding")
    op.drop_index("ix_finding_run_set_id", table_name="finding_run")
    op.drop_table("finding_run")
    op.drop_index("ix_finding_check_set_id", table_name="finding_check")
    op.drop_table("finding_check")
    op.drop_index("ix_finding_set_program_id", table_name="finding_set")
    op.drop_table("finding_set")


# --- officials' workflow: programmes, intake, evaluator registry, approvals (program/, scoring/, budgeting/, core/)
def _workflow_up() -> None:
    dt = sqlmodel.sql.sqltypes.UTCDateTime
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        'proposal_import',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('program_id', sa.Integer(), nullable=False),
        sa.Column('sha256', text(length=64), nullable=False),
        sa.Column('filename', text(length=255), nullable=False),
        sa.Column('proposals', sa.Integer(), nullable=False),
        sa.Column('organizations', sa.Integer(), nullable=False),
        sa.Column('consortia', sa.Integer(), nullable=False),
        sa.Column('first_proposal_id', sa.Integer(), nullable=True),
        sa.Column('last_proposal_id', sa.Integer(), nullable=True),
        sa.Column('imported_by', text(length=64), nullable=False),
        sa.Column('imported_at', dt(), nullable=False),
        sa.ForeignKeyConstraint(['program_id'], ['program.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('program_id', 'sha256'),
    )
    op.create_index('ix_proposal_import_program_id', 'proposal_import', ['program_id'], unique=False)
    op.create_table(
        'proposal_document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('filename', text(length=255), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('sha256', text(length=64), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('uploaded_by', text(length=64), nullable=False),
        sa.Column('uploaded_at', dt(), nullable=False),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_proposal_document_proposal_id', 'proposal_document', ['proposal_id'], unique=False)
    op.create_table(
        'conflict_confirmation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('evaluator_id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('confirmed_at', dt(), nullable=False),
        sa.ForeignKeyConstraint(['evaluator_id'], ['evaluator.id']),
        sa.ForeignKeyConstraint(['project_id'], ['project.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('evaluator_id', 'project_id'),
    )
    op.create_index('ix_conflict_confirmation_evaluator_id', 'conflict_confirmation', ['evaluator_id'], unique=False)
    op.create_index('ix_conflict_confirmation_project_id', 'conflict_confirmation', ['project_id'], unique=False)
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approval_limit_krw', sa.BigInteger(), nullable=True))
    with op.batch_alter_table('conflict_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seen_by', text(length=64), nullable=True))
        batch_op.add_column(sa.Column('seen_at', dt(), nullable=True))
    with op.batch_alter_table('envelope_transfer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), nullable=False, server_default='recorded'))
        batch_op.add_column(sa.Column('first_approved_by', text(length=64), nullable=True))
        batch_op.add_column(sa.Column('first_approved_at', dt(), nullable=True))
        batch_op.add_column(sa.Column('decided_by', text(length=64), nullable=True))
        batch_op.add_column(sa.Column('decided_at', dt(), nullable=True))
        batch_op.add_column(sa.Column('decision_reason', text(), nullable=True))
        batch_op.create_index('ix_envelope_transfer_status', ['status'], unique=False)
    with op.batch_alter_table('evaluator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', text(length=254), nullable=True))
        batch_op.add_column(sa.Column('phone', text(length=32), nullable=True))
        batch_op.add_column(sa.Column('title', text(length=200), nullable=False, server_default=''))
    with op.batch_alter_table('line_transfer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_approved_by', text(length=64), nullable=True))
        batch_op.add_column(sa.Column('first_approved_at', dt(), nullable=True))
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), nullable=False, server_default='call_open'))
        batch_op.add_column(sa.Column('copied_from_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('call_closed_date', sa.Date(), nullable=True))
        batch_op.create_index('ix_program_copied_from_id', ['copied_from_id'], unique=False)
        batch_op.create_index('ix_program_status', ['status'], unique=False)
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_at', dt(), nullable=True))


def _workflow_down() -> None:
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_column('published_at')
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.drop_index('ix_program_status')
        batch_op.drop_index('ix_program_copied_from_id')
        batch_op.drop_column('call_closed_date')
        batch_op.drop_column('copied_from_id')
        batch_op.drop_column('status')
    with op.batch_alter_table('line_transfer', schema=None) as batch_op:
        batch_op.drop_column('first_approved_at')
        batch_op.drop_column('first_approved_by')
    with op.batch_alter_table('evaluator', schema=None) as batch_op:
        batch_op.drop_column('title')
        batch_op.drop_column('phone')
        batch_op.drop_column('email')
    with op.batch_alter_table('envelope_transfer', schema=None) as batch_op:
        batch_op.drop_index('ix_envelope_transfer_status')
        for column in ('decision_reason', 'decided_at', 'decided_by', 'first_approved_at', 'first_approved_by',
                       'status'):
            batch_op.drop_column(column)
    with op.batch_alter_table('conflict_record', schema=None) as batch_op:
        batch_op.drop_column('seen_at')
        batch_op.drop_column('seen_by')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('approval_limit_krw')
    op.drop_index('ix_conflict_confirmation_project_id', table_name='conflict_confirmation')
    op.drop_index('ix_conflict_confirmation_evaluator_id', table_name='conflict_confirmation')
    op.drop_table('conflict_confirmation')
    op.drop_index('ix_proposal_document_proposal_id', table_name='proposal_document')
    op.drop_table('proposal_document')
    op.drop_index('ix_proposal_import_program_id', table_name='proposal_import')
    op.drop_table('proposal_import')


# --- job board (budgeting/ job postings) -------------------------------------------------------
def _jobboard_up() -> None:
    # Where a citizen applies for a posting on its platform (https only, checked by budgeting.bounds.ApplyUrl).
    with op.batch_alter_table('job_posting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('apply_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))


def _jobboard_down() -> None:
    with op.batch_alter_table('job_posting', schema=None) as batch_op:
        batch_op.drop_column('apply_url')


# --- national scale (issue 14): ledger sums read from an index ------------------------------------
def _scale_up() -> None:
    # Covers executed_totals' SUM per programme and monthly_spend_frame's GROUP BY award, month: an index-only
    # scan instead of reading every ledger row (1M at national scale).
    with op.batch_alter_table('expenditure', schema=None) as batch_op:
        batch_op.create_index('ix_expenditure_program_award_date_amount',
                              ['program_id', 'award_id', 'spent_date', 'amount_krw'], unique=False)


def _scale_down() -> None:
    with op.batch_alter_table('expenditure', schema=None) as batch_op:
        batch_op.drop_index('ix_expenditure_program_award_date_amount')


def upgrade() -> None:
    _jobs_up()
    _findings_up()
    _workflow_up()
    _jobboard_up()
    _scale_up()


def downgrade() -> None:
    _scale_down()
    _jobboard_down()
    _workflow_down()
    _findings_down()
    _jobs_down()
