"""The pytest plugin's fixtures, used the way a project's own tests use them."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel, select

from verifier.pytest_plugin import StatementCounter


class _OwnRegistry(SQLModel, registry=registry()):
    """Models of this module stay off SQLModel.metadata, which other tests compare to schemas."""


class PluginNote(_OwnRegistry, table=True):
    __tablename__ = "plugin_note"

    id: int | None = Field(default=None, primary_key=True)
    body: str


async def test_each_test_gets_its_own_empty_database(rda_database, rda_session):
    name = (await rda_session.exec(select(text("current_database()")))).one()
    assert name == rda_database.name
    assert name.startswith("rda_")
    tables = (
        await rda_session.exec(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"))
    ).one()
    assert tables == (0,)


async def test_session_keeps_attributes_after_commit(rda_engine, rda_session):
    async with rda_engine.begin() as conn:
        await conn.run_sync(PluginNote.metadata.create_all, tables=[PluginNote.__table__])
    note = PluginNote(body="kept")
    rda_session.add(note)
    await rda_session.commit()
    assert note.body == "kept"  # expire_on_commit=False: no reload, no MissingGreenlet


def test_database_url_is_the_async_url(rda_database, rda_database_url):
    assert rda_database_url == rda_database.async_url
    assert rda_database_url.startswith("postgresql+asyncpg://")


async def test_statement_counter_counts_and_resets(rda_engine, rda_statement_counter):
    async with rda_engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
        await conn.execute(text("SELECT 2"))
    assert rda_statement_counter.count == 2
    assert rda_statement_counter.statements == ["SELECT 1", "SELECT 2"]
    rda_statement_counter.reset()
    assert rda_statement_counter.count == 0


async def test_at_most_stays_silent_within_budget(rda_engine, rda_statement_counter):
    async with rda_engine.connect() as conn:
        await conn.execute(text("SELECT 0"))  # outside the block: not counted against it
        with rda_statement_counter.at_most(2):
            await conn.execute(text("SELECT 1"))
            await conn.execute(text("SELECT 2"))


async def test_at_most_fails_listing_the_statements(rda_engine, rda_statement_counter):
    async with rda_engine.connect() as conn:
        with pytest.raises(pytest.fail.Exception) as failure:
            with rda_statement_counter.at_most(1):
                await conn.execute(text("SELECT 1"))
                await conn.execute(text("SELECT   2"))
    message = str(failure.value)
    assert "2 SQL statements ran where at most 1 were allowed" in message
    assert "1. SELECT 1" in message
    assert "2. SELECT 2" in message


async def test_counter_on_any_engine_stops_listening_when_closed(rda_database_url):
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(rda_database_url)
    try:
        with StatementCounter(engine) as counter:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 2"))
        assert counter.statements == ["SELECT 1"]
    finally:
        await engine.dispose()
