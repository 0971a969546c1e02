"""Domain errors of the Task API.

Callers (a FastAPI app, an agent tool) catch these instead of database exceptions: a missing row
is a ``LookupError`` (HTTP 404), a duplicate handle a ``ValueError`` (HTTP 409 or 422). Each error
is raised after the failed operation has been rolled back, so the session stays usable.
"""


class TaskApiError(Exception):
    """Base class of every error the Task API raises on purpose."""


class DuplicateHandleError(TaskApiError, ValueError):
    """A worker with this handle already exists."""

    def __init__(self, handle: str) -> None:
        super().__init__(f"a worker with handle {handle!r} already exists")
        self.handle = handle


class NotFoundError(TaskApiError, LookupError):
    """A row the operation needs does not exist (or is soft-deleted)."""

    entity = "row"

    def __init__(self, entity_id: int) -> None:
        super().__init__(f"{self.entity} {entity_id} not found")
        self.entity_id = entity_id


class ProjectNotFoundError(NotFoundError):
    entity = "project"


class WorkerNotFoundError(NotFoundError):
    entity = "worker"


class TaskNotFoundError(NotFoundError):
    entity = "task"
