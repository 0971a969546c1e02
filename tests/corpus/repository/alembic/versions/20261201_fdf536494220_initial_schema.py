"""Initial schema: project, worker, task, audit_log and their enum types.

Revision ID: fdf536494220
Revises:
Create Date: 2026-12-01 07:08:51.240917
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "fdf536494220"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# create_table creates an enum type the first time a column uses it; drop_table leaves it.
worker_kind = sa.Enum("human", "agent", name="worker_kind")
task_status = sa.Enum(
    "pending", "in_progress", "review", "completed", "blocked", name="task_status"
)
task_priority = sa.Enum("low", "medium", "high", "critical", name="task_priority")

TEXT = sqlmodel.sql.sqltypes.AutoString
TIMESTAMP = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", TEXT(length=200), nullable=False),
        sa.Column("description", TEXT(), nullable=True),
        sa.Column("created_at", TIMESTAMP(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
    )
    op.create_table(
        "worker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handle", TEXT(length=100), nullable=False),
        sa.Column("name", TEXT(length=200), nullable=False),
        sa.Column("kind", worker_kind, nullable=False),
        sa.Column("created_at", TIMESTAMP(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker")),
        sa.UniqueConstraint("handle", name=op.f("uq_worker_handle")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_type", TEXT(length=50), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("action", TEXT(length=50), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("details", postgresql.JSONB(), server_default="{}", nullable=False),
        sa.Column("created_at", TIMESTAMP(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["worker.id"], name=op.f("fk_audit_log_actor_id_worker")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_actor_id"), "audit_log", ["actor_id"])
    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", TEXT(length=500), nullable=False),
        sa.Column("description", TEXT(), nullable=True),
        sa.Column("status", task_status, nullable=False),
        sa.Column("priority", task_priority, nullable=False),
        sa.Column("tags", postgresql.JSONB(), server_default="[]", nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("parent_task_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP(), nullable=False),
        sa.Column("updated_at", TIMESTAMP(), nullable=False),
        sa.Column("deleted_at", TIMESTAMP(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["worker.id"], name=op.f("fk_task_assignee_id_worker")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["worker.id"], name=op.f("fk_task_created_by_id_worker")
        ),
        sa.ForeignKeyConstraint(
            ["parent_task_id"], ["task.id"], name=op.f("fk_task_parent_task_id_task")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_task_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task")),
    )
    for column in ("assignee_id", "created_by_id", "parent_task_id", "project_id"):
        op.create_index(op.f(f"ix_task_{column}"), "task", [column])


def downgrade() -> None:
    # Dropping a table drops its indexes and constraints with it; the enum types stay behind.
    op.drop_table("task")
    op.drop_table("audit_log")
    op.drop_table("worker")
    op.drop_table("project")
    for enum in (task_priority, task_status, worker_kind):
        op.execute(postgresql.DropEnumType(enum))
