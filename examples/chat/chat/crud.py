"""The chat operations: one function, one transaction, one commit.

Every function takes the caller's session first and leaves it usable: a failed write is rolled
back before its domain error (``chat.errors``) is raised. Whatever a function returns is loaded
(columns and the relationships it names), so it can be read after the session is closed.

The database decides about duplicates and missing parents (the unique e-mail, the foreign
keys): a check before the insert would race with other sessions, so the ``IntegrityError`` is
translated instead, by its SQLSTATE.
"""

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .errors import ConversationNotFoundError, DuplicateEmailError, UserNotFoundError
from .models import Conversation, Message, MessageRole, User

UNIQUE_VIOLATION = "23505"  # PostgreSQL SQLSTATEs
FOREIGN_KEY_VIOLATION = "23503"


def _violated(exc: IntegrityError, sqlstate: str) -> bool:
    return getattr(exc.orig, "sqlstate", None) == sqlstate


async def create_user(session: AsyncSession, email: str, name: str) -> User:
    """Create a user; an e-mail address already taken raises ``DuplicateEmailError``."""
    user = User.model_validate({"email": email, "name": name})
    session.add(user)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        if _violated(exc, UNIQUE_VIOLATION):
            raise DuplicateEmailError(email) from exc
        raise
    return user


async def start_conversation(session: AsyncSession, user_id: int, title: str) -> Conversation:
    """Start a conversation of a user; an unknown user raises ``UserNotFoundError``."""
    conversation = Conversation.model_validate({"user_id": user_id, "title": title})
    session.add(conversation)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        if _violated(exc, FOREIGN_KEY_VIOLATION):
            raise UserNotFoundError(user_id) from exc
        raise
    return conversation


async def add_message(
    session: AsyncSession,
    conversation_id: int,
    role: MessageRole,
    content: str,
    *,
    tokens_used: int | None = None,
    model: str | None = None,
) -> Message:
    """Append a message and bump the conversation's ``updated_at``, in one transaction.

    An unknown conversation raises ``ConversationNotFoundError`` (the foreign key refuses the
    message: nothing is written).
    """
    message = Message.model_validate(
        {
            "conversation_id": conversation_id,
            "role": role,
            "content": content,
            "tokens_used": tokens_used,
            "model": model,
        }
    )
    session.add(message)
    try:
        await session.flush()
        await session.exec(
            update(Conversation)
            .where(col(Conversation.id) == conversation_id)
            .values(updated_at=message.created_at)
        )
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        if _violated(exc, FOREIGN_KEY_VIOLATION):
            raise ConversationNotFoundError(conversation_id) from exc
        raise
    return message


async def get_conversation_with_messages(
    session: AsyncSession, conversation_id: int
) -> Conversation | None:
    """The conversation with its ``user`` and ``messages`` (oldest first) loaded, or ``None``.

    Three statements whatever the number of messages.
    """
    statement = (
        select(Conversation)
        .where(Conversation.id == conversation_id)
        .options(selectinload(Conversation.user), selectinload(Conversation.messages))
    )
    result = await session.exec(statement)
    return result.one_or_none()


async def list_conversations(
    session: AsyncSession, user_id: int, limit: int = 50, offset: int = 0
) -> list[Conversation]:
    """A page of a user's conversations, most recently active first, ``user`` loaded."""
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")
    statement = (
        select(Conversation)
        .where(Conversation.user_id == user_id)
        .options(selectinload(Conversation.user))
        .order_by(col(Conversation.updated_at).desc(), col(Conversation.id).desc())
        .offset(offset)
        .limit(limit)
    )
    result = await session.exec(statement)
    return list(result.all())


async def delete_conversation(session: AsyncSession, conversation_id: int) -> bool:
    """Delete a conversation and its messages in one transaction; ``False`` when missing."""
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        return False
    try:
        await session.exec(delete(Message).where(col(Message.conversation_id) == conversation_id))
        await session.delete(conversation)
        await session.commit()
    except Exception:
        await session.rollback()
        raise
    return True
