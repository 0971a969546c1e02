"""Initial schema of the tracker: project, worker, task and audit_log.

Written by hand. Every constraint carries the name ``tracker.base.NAMING_CONVENTION`` gives it,
so a later migration can drop or alter it by name and autogenerate finds nothing to change.

Revision ID: 0001_initial
Revises:
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _timestamps() -> list[sa.Column[object]]:
    """``created_at``/``updated_at`` of ``TimestampMixin``: timestamptz, defaulting to now()."""
    return [
        sa.Column(
            name,
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        )
        for name in ("created_at", "updated_at")
    ]


def upgrade() -> None:
    op.create_table(
        "project",
        _id(),
        *_timestamps(),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_project"),
    )
    op.create_table(
        "worker",
        _id(),
        *_timestamps(),
        sa.Column("handle", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_worker"),
        sa.UniqueConstraint("handle", name="uq_worker_handle"),
    )
    op.create_table(
        "task",
        _id(),
        *_timestamps(),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.String(length=20), nullable=False),
        sa.Column("tags", postgresql.JSONB(), server_default="[]", nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("parent_task_id", sa.Integer(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_task"),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name="fk_task_project"),
        sa.ForeignKeyConstraint(["assignee_id"], ["worker.id"], name="fk_task_assignee"),
        sa.ForeignKeyConstraint(["created_by_id"], ["worker.id"], name="fk_task_created_by"),
        sa.ForeignKeyConstraint(["parent_task_id"], ["task.id"], name="fk_task_parent_task"),
    )
    for column in ("project_id", "assignee_id", "created_by_id", "parent_task_id"):
        op.create_index(f"ix_task_{column}", "task", [column])
    op.create_table(
        "audit_log",
        _id(),
        *_timestamps(),
        sa.Column("entity_type", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("details", postgresql.JSONB(), server_default="{}", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        sa.ForeignKeyConstraint(["actor_id"], ["worker.id"], name="fk_audit_log_actor"),
    )
    op.create_index("ix_audit_log_actor_id", "audit_log", ["actor_id"])


def downgrade() -> None:
    """Drop the tables, children first; their indexes and SERIAL sequences go with them."""
    for table in ("audit_log", "task", "worker", "project"):
        op.drop_table(table)
