"""Errors the crud functions raise instead of database exceptions.

An exception handler maps ``NotFoundError`` (a ``LookupError``) to 404 and
``DuplicateHandleError`` (a ``ValueError``) to 409; raising either also makes ``get_session``
roll the request's transaction back.
"""


class NotFoundError(LookupError):
    def __init__(self, model: str, ident: int) -> None:
        super().__init__(f"{model} {ident} not found")
        self.model = model
        self.ident = ident


class DuplicateHandleError(ValueError):
    def __init__(self, handle: str) -> None:
        super().__init__(f"worker handle {handle!r} is taken")
        self.handle = handle
