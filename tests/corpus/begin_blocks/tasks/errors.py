"""Domain errors: what callers catch instead of SQLAlchemy exceptions.

Missing rows are ``LookupError``s and a duplicate handle is a ``ValueError``, so an API layer
can map them to 404 and 409 without importing anything from here.
"""


class TaskApiError(Exception):
    """Root of the errors this package raises on purpose."""


class NotFound(TaskApiError, LookupError):
    """A referenced row does not exist (a soft-deleted task counts as missing)."""

    what = "row"

    def __init__(self, ident: int) -> None:
        super().__init__(f"{self.what} {ident} not found")
        self.ident = ident


class ProjectNotFound(NotFound):
    what = "project"


class WorkerNotFound(NotFound):
    what = "worker"


class TaskNotFound(NotFound):
    what = "task"


class DuplicateHandle(TaskApiError, ValueError):
    """The worker handle is already in use."""

    def __init__(self, handle: str) -> None:
        super().__init__(f"handle {handle!r} already in use")
        self.handle = handle
