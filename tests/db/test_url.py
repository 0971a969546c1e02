"""The URL provider against a real server (the private embedded one, reached by its URL)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from verifier.db import naming
from verifier.db.base import Database
from verifier.db.embedded import EmbeddedProvider
from verifier.db.url import UrlProvider
from verifier.db.url_forms import ServerUrl
from verifier.errors import InfrastructureError, UsageError


def admin(private_provider: EmbeddedProvider) -> UrlProvider:
    return private_provider._provider()


@pytest.fixture
def home_url(private_provider: EmbeddedProvider) -> Iterator[str]:
    """A URL whose database holds somebody's data: the provider may only run DDL there."""
    server = ServerUrl.parse(private_provider.admin_url)
    admin(private_provider)._connect().execute("CREATE DATABASE app_home")
    try:
        yield server.sync_url("app_home")
    finally:
        admin(private_provider)._connect().execute("DROP DATABASE app_home WITH (FORCE)")


async def catalog_snapshot(dsn: str) -> list[tuple]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT relname, relkind FROM pg_class WHERE relnamespace = 'public'::regnamespace "
            "ORDER BY relname"
        )
        return [tuple(row) for row in rows]
    finally:
        await conn.close()


async def test_creates_and_drops_only_its_own(
    private_provider: EmbeddedProvider, home_url: str
) -> None:
    conn = await asyncpg.connect(home_url)
    await conn.execute(
        "CREATE TABLE customer (id int PRIMARY KEY); INSERT INTO customer VALUES (1)"
    )
    await conn.close()
    before = await catalog_snapshot(home_url)

    provider = UrlProvider(home_url)
    provider.start()
    first = provider.create_database()
    second = provider.create_database(template=first.name)
    provider.drop_database(first)
    provider.close()

    remaining = set(admin(private_provider).throwaway_databases())
    assert first.name not in remaining and second.name not in remaining
    assert await catalog_snapshot(home_url) == before  # nothing written to the URL's database
    conn = await asyncpg.connect(home_url)
    assert await conn.fetchval("SELECT count(*) FROM customer") == 1
    await conn.close()


async def test_async_url_works_with_sqlalchemy(home_url: str) -> None:
    provider = UrlProvider(home_url)
    try:
        database = provider.create_database()
        engine = create_async_engine(database.async_url)
        async with engine.connect() as conn:
            name = (await conn.execute(text("SELECT current_database()"))).scalar_one()
        await engine.dispose()
        assert name == database.name
    finally:
        provider.close()


def test_refuses_to_drop_a_database_it_did_not_create(home_url: str) -> None:
    provider = UrlProvider(home_url)
    try:
        other = Database(name="app_home", async_url="", sync_url="", dsn="")
        with pytest.raises(UsageError, match="did not create it"):
            provider.drop_database(other)
    finally:
        provider.close()


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_sweep_drops_finished_runs_and_keeps_live_ones(
    private_provider: EmbeddedProvider, home_url: str
) -> None:
    here, now = naming.host_tag(), int(time.time())
    other_host = "000000" if here != "000000" else "111111"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        names = {
            "dead": naming.RunTag(here, dead_pid(), now).database_name(1),
            "live": naming.RunTag(here, sleeper.pid, now + 1).database_name(1),
            "reused_pid": naming.RunTag(here, sleeper.pid, now - 3600).database_name(1),
            "remote_old": naming.RunTag(other_host, 42, now - 7 * 3600).database_name(1),
            "remote_recent": naming.RunTag(other_host, 42, now - 60).database_name(1),
            "foreign": "rda_not_ours",
        }
        connection = admin(private_provider)._connect()
        for name in names.values():
            connection.execute(f'CREATE DATABASE "{name}"')

        provider = UrlProvider(home_url, max_age=6 * 3600)
        try:
            dropped = set(provider.sweep_leftovers())
        finally:
            provider.close()
        remaining = set(admin(private_provider).throwaway_databases())

        assert dropped == {names["dead"], names["reused_pid"], names["remote_old"]}
        for kept in ("live", "remote_recent", "foreign"):
            assert names[kept] in remaining
        for gone in dropped:
            assert gone not in remaining
    finally:
        sleeper.kill()
        sleeper.wait()
        for name in names.values():
            admin(private_provider)._connect().execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_role_without_createdb_is_told_what_to_do(
    private_provider: EmbeddedProvider, home_url: str
) -> None:
    connection = admin(private_provider)._connect()
    connection.execute("CREATE ROLE rda_reader LOGIN NOCREATEDB PASSWORD 'reader'")
    try:
        url = ServerUrl.parse(home_url).as_role("rda_reader", "reader")
        provider = UrlProvider(url.dsn())
        with pytest.raises(InfrastructureError, match="may not create databases") as failure:
            provider.start()
        assert "CREATEDB" in (failure.value.hint or "")
        provider.close()
    finally:
        connection.execute("DROP ROLE rda_reader")


def test_unreachable_server_is_an_infrastructure_error(tmp_path) -> None:
    provider = UrlProvider(f"postgresql://someone:secret@/db?host={tmp_path}")
    with pytest.raises(InfrastructureError, match="cannot connect") as failure:
        provider.start()
    assert "secret" not in failure.value.render()


@pytest.mark.parametrize(
    "url",
    ["mysql://root@localhost/db", "localhost:5432", "sqlite+aiosqlite:///x.db"],
)
def test_a_url_of_another_kind_is_a_usage_error(url: str) -> None:
    with pytest.raises(UsageError, match="not a PostgreSQL URL"):
        UrlProvider(url)


def test_url_forms_rename_ssl_parameters_per_driver() -> None:
    server = ServerUrl.parse("postgres://u:p%40ss@db.example:6543/app?sslmode=require")
    assert server.async_url("x") == "postgresql+asyncpg://u:p%40ss@db.example:6543/x?ssl=require"
    assert server.sync_url("x") == "postgresql://u:p%40ss@db.example:6543/x?sslmode=require"
    assert server.dsn() == "postgresql://u:p%40ss@db.example:6543/app?sslmode=require"
    assert "p%40ss" not in server.redacted() and "***" in server.redacted()
    asyncpg_style = ServerUrl.parse("postgresql+asyncpg://u@h/app?ssl=require")
    assert asyncpg_style.sync_url() == "postgresql://u@h/app?sslmode=require"
    assert asyncpg_style.async_url() == "postgresql+asyncpg://u@h/app?ssl=require"
