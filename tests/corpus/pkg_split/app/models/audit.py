"""The ``audit_log`` table: one row per change, written in the change's own transaction."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from .base import CreatedAtMixin


class AuditLog(CreatedAtMixin, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    entity_type: str = Field(max_length=50)
    entity_id: int
    action: str = Field(max_length=50)
    actor_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    details: dict[str, Any] = Field(
        default_factory=dict,
        sa_type=JSONB,
        sa_column_kwargs={"server_default": sa.text("'{}'::jsonb")},
    )
