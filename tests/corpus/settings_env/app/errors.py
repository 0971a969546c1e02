"""Errors the crud functions raise instead of database exceptions (mapped to 404/409/422)."""


class CrudError(Exception):
    """Base of the errors raised on purpose by ``app.crud``."""


class DuplicateHandle(CrudError, ValueError):
    def __init__(self, handle: str) -> None:
        super().__init__(f"the handle {handle!r} is already in use")
        self.handle = handle


class InvalidUpdate(CrudError, ValueError):
    """An update tried to clear a field that cannot be empty."""


class NotFound(CrudError, LookupError):
    def __init__(self, what: str, ident: int) -> None:
        super().__init__(f"{what} {ident} not found")
        self.what = what
        self.ident = ident


class ProjectNotFound(NotFound):
    def __init__(self, ident: int) -> None:
        super().__init__("project", ident)


class WorkerNotFound(NotFound):
    def __init__(self, ident: int) -> None:
        super().__init__("worker", ident)


class TaskNotFound(NotFound):
    def __init__(self, ident: int) -> None:
        super().__init__("task", ident)
