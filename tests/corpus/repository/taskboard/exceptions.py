"""Domain errors, so callers never have to interpret database exceptions.

They subclass the built-in errors the contract names: a missing row is a ``LookupError``, a
taken handle a ``ValueError``. Each is raised after the repository rolled its work back.
"""


class NotFound(LookupError):
    """A referenced row does not exist (or is soft-deleted)."""

    what = "row"

    def __init__(self, ident: int) -> None:
        super().__init__(f"{self.what} #{ident} does not exist")
        self.ident = ident


class ProjectNotFound(NotFound):
    what = "project"


class WorkerNotFound(NotFound):
    what = "worker"


class TaskNotFound(NotFound):
    what = "task"


class HandleTaken(ValueError):
    """Worker handles are unique."""

    def __init__(self, handle: str) -> None:
        super().__init__(f"the handle {handle!r} is already taken")
        self.handle = handle
