"""The chat layer's own contract: what its callers rely on, run by ``rda verify``.

``rda verify examples/chat`` runs this file (``contract`` in ``[tool.rda]``) inside its sandbox,
with the fixtures of ``rda verify --contract PATH``: ``rda_target_modules`` (the layer's
modules), ``rda_target_session`` (a session from its own ``get_session``) and
``rda_statement_counter``. Every test starts on empty tables. The generic checks run besides
(returned objects readable, no N+1, no partial writes, no leaks); this file checks what only
the chat layer promises: results, ordering, domain errors.
"""

import pytest


async def _user_and_conversation(crud, session, email="ada@example.com"):
    user = await crud.create_user(session, email, "Ada")
    conversation = await crud.start_conversation(session, user.id, "First steps")
    return user, conversation


async def test_create_user_returns_the_saved_row(rda_target_modules, rda_target_session):
    user = await rda_target_modules.crud.create_user(rda_target_session, "ada@example.com", "Ada")
    assert user.id is not None
    assert (user.email, user.name) == ("ada@example.com", "Ada")
    assert user.created_at.tzinfo is not None


async def test_duplicate_email_is_a_value_error_and_the_session_goes_on(
    rda_target_modules, rda_target_session
):
    crud = rda_target_modules.crud
    await crud.create_user(rda_target_session, "ada@example.com", "Ada")
    with pytest.raises(ValueError, match="already exists"):
        await crud.create_user(rda_target_session, "ada@example.com", "Another Ada")
    other = await crud.create_user(rda_target_session, "grace@example.com", "Grace")
    assert other.id is not None


async def test_conversation_of_an_unknown_user_is_a_lookup_error(
    rda_target_modules, rda_target_session
):
    with pytest.raises(LookupError):
        await rda_target_modules.crud.start_conversation(rda_target_session, 999_999, "Ghost")


async def test_add_message_bumps_the_conversation(rda_target_modules, rda_target_session):
    crud, models = rda_target_modules.crud, rda_target_modules.models
    _, conversation = await _user_and_conversation(crud, rda_target_session)
    message = await crud.add_message(
        rda_target_session,
        conversation.id,
        models.MessageRole.assistant,
        "Hello!",
        tokens_used=12,
        model="gpt-x",
    )
    assert (message.role, message.content, message.tokens_used) == ("assistant", "Hello!", 12)
    assert message.meta == {}
    loaded = await crud.get_conversation_with_messages(rda_target_session, conversation.id)
    assert loaded.updated_at == message.created_at


async def test_message_to_an_unknown_conversation_writes_nothing(
    rda_target_modules, rda_target_session
):
    crud, models = rda_target_modules.crud, rda_target_modules.models
    _, conversation = await _user_and_conversation(crud, rda_target_session)
    conversation_id = conversation.id  # the rollback after the error expires loaded objects
    with pytest.raises(LookupError):
        await crud.add_message(rda_target_session, 999_999, models.MessageRole.user, "Lost")
    await crud.add_message(rda_target_session, conversation_id, models.MessageRole.user, "Found")
    loaded = await crud.get_conversation_with_messages(rda_target_session, conversation_id)
    assert [m.content for m in loaded.messages] == ["Found"]


async def test_conversation_comes_with_its_messages_oldest_first(
    rda_target_modules, rda_target_session, rda_statement_counter
):
    crud, models = rda_target_modules.crud, rda_target_modules.models
    user, conversation = await _user_and_conversation(crud, rda_target_session)
    for i in range(5):
        role = models.MessageRole.user if i % 2 == 0 else models.MessageRole.assistant
        await crud.add_message(rda_target_session, conversation.id, role, f"message {i}")
    with rda_statement_counter.at_most(3):
        loaded = await crud.get_conversation_with_messages(rda_target_session, conversation.id)
    assert loaded.user.email == user.email
    assert [m.content for m in loaded.messages] == [f"message {i}" for i in range(5)]
    assert await crud.get_conversation_with_messages(rda_target_session, 999_999) is None


async def test_list_conversations_most_recent_activity_first(
    rda_target_modules, rda_target_session, rda_statement_counter
):
    crud, models = rda_target_modules.crud, rda_target_modules.models
    user = await crud.create_user(rda_target_session, "ada@example.com", "Ada")
    other = await crud.create_user(rda_target_session, "grace@example.com", "Grace")
    started = [
        await crud.start_conversation(rda_target_session, user.id, f"c{i}") for i in range(4)
    ]
    await crud.start_conversation(rda_target_session, other.id, "not Ada's")
    await crud.add_message(rda_target_session, started[1].id, models.MessageRole.user, "bump")
    with rda_statement_counter.at_most(2):
        listed = await crud.list_conversations(rda_target_session, user.id)
    assert [c.title for c in listed] == ["c1", "c3", "c2", "c0"]
    assert {c.user.email for c in listed} == {"ada@example.com"}
    page = await crud.list_conversations(rda_target_session, user.id, limit=2, offset=1)
    assert [c.title for c in page] == ["c3", "c2"]


async def test_delete_conversation_takes_its_messages(rda_target_modules, rda_target_session):
    crud, models = rda_target_modules.crud, rda_target_modules.models
    _, conversation = await _user_and_conversation(crud, rda_target_session)
    await crud.add_message(rda_target_session, conversation.id, models.MessageRole.user, "bye")
    assert await crud.delete_conversation(rda_target_session, conversation.id) is True
    assert await crud.get_conversation_with_messages(rda_target_session, conversation.id) is None
    assert await crud.delete_conversation(rda_target_session, conversation.id) is False
