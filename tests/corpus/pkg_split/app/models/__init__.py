"""All tables and schemas; importing this package registers every table on the metadata.

``SQLModel`` is re-exported so that ``from app.models import SQLModel`` both registers the tables
and names their metadata (``app.db`` and ``migrations/env.py`` import it that way).
"""

from sqlmodel import SQLModel

from .audit import AuditLog
from .base import utcnow
from .project import Project
from .schemas import TaskCreate, TaskUpdate
from .task import Task, TaskPriority, TaskStatus
from .worker import Worker, WorkerKind

__all__ = [
    "AuditLog",
    "Project",
    "SQLModel",
    "Task",
    "TaskCreate",
    "TaskPriority",
    "TaskStatus",
    "TaskUpdate",
    "Worker",
    "WorkerKind",
    "utcnow",
]
