"""Errors the crud functions raise on purpose, instead of database exceptions.

They subclass the builtin a caller would catch anyway: a missing row is a ``LookupError``
(HTTP 404), a taken handle a ``ValueError`` (HTTP 409).
"""


class NotFoundError(LookupError):
    """A row the operation refers to does not exist (tasks: or is soft-deleted)."""

    def __init__(self, model: type, row_id: int) -> None:
        super().__init__(f"{model.__name__} {row_id} does not exist")
        self.model = model
        self.row_id = row_id


class HandleTakenError(ValueError):
    """Another worker already has this handle."""

    def __init__(self, handle: str) -> None:
        super().__init__(f"the handle {handle!r} is taken")
        self.handle = handle
