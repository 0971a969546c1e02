"""Domain errors of the chat layer.

Callers (a FastAPI app, an agent tool) catch these instead of database exceptions: a missing row
is a ``LookupError`` (HTTP 404), a duplicate e-mail a ``ValueError`` (HTTP 409). Each is raised
after the failed operation was rolled back, so the session stays usable.
"""


class ChatError(Exception):
    """Base class of every error the chat layer raises on purpose."""


class DuplicateEmailError(ChatError, ValueError):
    """A user with this e-mail address exists already."""

    def __init__(self, email: str) -> None:
        super().__init__(f"a user with e-mail {email!r} already exists")
        self.email = email


class NotFoundError(ChatError, LookupError):
    """A row the operation needs does not exist."""

    entity = "row"

    def __init__(self, entity_id: int) -> None:
        super().__init__(f"{self.entity} {entity_id} not found")
        self.entity_id = entity_id


class UserNotFoundError(NotFoundError):
    entity = "user"


class ConversationNotFoundError(NotFoundError):
    entity = "conversation"
