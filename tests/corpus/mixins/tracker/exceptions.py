"""Domain errors: callers catch these, never SQLAlchemy's, and the session is still usable.

A missing row is a ``LookupError`` and a taken handle a ``ValueError``, so an API layer can map
them to 404/409 without knowing about the database.
"""


class DuplicateHandle(ValueError):
    """Another worker already uses this handle."""

    def __init__(self, handle: str) -> None:
        super().__init__(f"handle {handle!r} is already taken")
        self.handle = handle


class NotFound(LookupError):
    """A referenced row does not exist (or is soft-deleted)."""

    kind = "row"

    def __init__(self, ident: int) -> None:
        super().__init__(f"{self.kind} #{ident} does not exist")
        self.ident = ident


class ProjectNotFound(NotFound):
    kind = "project"


class WorkerNotFound(NotFound):
    kind = "worker"


class TaskNotFound(NotFound):
    kind = "task"
