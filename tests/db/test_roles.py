"""Least privilege: each throwaway database is owned by a login role that can do nothing else.

Checked on a private embedded cluster, from the role's side (what the code under test can do
with the URL it is handed) and from the provider's side (roles dropped with their databases,
swept when their run died).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import asyncpg
import pytest

from verifier.db.base import Database
from verifier.db.embedded import EmbeddedProvider
from verifier.db.url import UrlProvider
from verifier.db.url_forms import ServerUrl


def admin(private_provider: EmbeddedProvider) -> UrlProvider:
    return private_provider._provider()


@pytest.fixture
def database(private_provider: EmbeddedProvider) -> Iterator[Database]:
    database = private_provider.create_database()
    yield database
    private_provider.drop_database(database)


async def as_target(database: Database, sql: str, *args: object) -> object:
    conn = await asyncpg.connect(database.dsn)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


async def test_the_url_logs_in_as_the_databases_own_role(database: Database) -> None:
    assert database.role == database.name
    assert await as_target(database, "SELECT current_user") == database.role
    assert (
        await as_target(
            database,
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()",
        )
        == database.role
    )
    flags = await as_target(
        database,
        "SELECT (rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls)::text "
        "FROM pg_roles WHERE rolname = current_user",
    )
    assert flags == "(f,f,f,f,f)"
    assert (
        await as_target(
            database,
            "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r "
            "ON r.oid = m.member WHERE r.rolname = current_user",
        )
        == 0
    )


async def test_the_owner_can_build_and_use_its_schema(database: Database) -> None:
    conn = await asyncpg.connect(database.dsn)
    try:
        await conn.execute("CREATE TABLE item (id serial PRIMARY KEY, tags jsonb DEFAULT '[]')")
        await conn.execute("CREATE TYPE mood AS ENUM ('ok')")
        await conn.execute(
            "CREATE FUNCTION fail() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'no'; END $$"
        )
        await conn.execute("INSERT INTO item DEFAULT VALUES")
        assert await conn.fetchval("SELECT count(*) FROM item") == 1
    finally:
        await conn.close()


@pytest.mark.parametrize(
    "sql",
    [
        "COPY (SELECT 1) TO PROGRAM 'true'",
        "SELECT pg_read_file('PG_VERSION')",
        "CREATE DATABASE rda_escape",
        "CREATE ROLE rda_escape",
        "ALTER ROLE CURRENT_USER SUPERUSER",
        "SET ROLE postgres",
    ],
)
async def test_the_role_is_refused_what_a_superuser_may(database: Database, sql: str) -> None:
    with pytest.raises(asyncpg.PostgresError) as refused:
        await as_target(database, sql)
    assert isinstance(refused.value, asyncpg.InsufficientPrivilegeError) or "permission" in str(
        refused.value
    )


async def test_other_databases_refuse_the_role(
    private_provider: EmbeddedProvider, database: Database
) -> None:
    other = private_provider.create_database()
    try:
        own = ServerUrl.parse(database.dsn)
        for name in (other.name, "postgres", "template1"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await asyncpg.connect(own.dsn(name))
        # ... and the other database's role cannot reach ours either.
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await asyncpg.connect(ServerUrl.parse(other.dsn).dsn(database.name))
    finally:
        private_provider.drop_database(other)


async def test_the_superuser_needs_its_password(private_provider: EmbeddedProvider) -> None:
    without = ServerUrl.parse(private_provider.admin_url).as_role("postgres", "")
    with pytest.raises(
        (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError)
    ):
        await asyncpg.connect(without.dsn())


def test_a_clone_belongs_to_its_templates_role(private_provider: EmbeddedProvider) -> None:
    template = private_provider.create_database()
    clone = private_provider.create_database(template=template.name)
    try:
        assert clone.role == template.role
        private_provider.drop_database(template)
        # The clone still uses the role: it is dropped with the last database it owns.
        assert clone.role in roles_of(private_provider)
    finally:
        private_provider.drop_database(clone)
    assert clone.role not in roles_of(private_provider)


def roles_of(private_provider: EmbeddedProvider) -> set[str]:
    names = (
        admin(private_provider)
        ._connect()
        .fetch_column("SELECT rolname FROM pg_roles WHERE rolname LIKE 'rda\\_%'")
    )
    return set(names)


def test_the_janitor_sweeps_the_roles_of_dead_runs(private_provider: EmbeddedProvider) -> None:
    script = (
        "import os, sys\n"
        "from verifier.db.embedded import EmbeddedProvider\n"
        "p = EmbeddedProvider(sys.argv[1]); p.start(); d = p.create_database()\n"
        "print(d.name, d.role, flush=True); os._exit(0)\n"  # dies without dropping anything
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(private_provider.data_dir)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    name, role = out
    assert role in roles_of(private_provider)
    admin(private_provider).sweep_leftovers()
    assert name not in admin(private_provider).throwaway_databases()
    assert role not in roles_of(private_provider)


def test_a_role_without_createrole_is_used_as_it_is(
    private_provider: EmbeddedProvider,
) -> None:
    connection = admin(private_provider)._connect()
    connection.execute("CREATE ROLE rda_plain LOGIN CREATEDB PASSWORD 'plain'")
    connection.execute("CREATE DATABASE plain_home OWNER rda_plain")
    try:
        url = ServerUrl.parse(private_provider.admin_url).as_role("rda_plain", "plain")
        provider = UrlProvider(url.dsn("plain_home"))
        provider.start()
        try:
            assert not provider.least_privilege
            assert "rights" in provider.privilege_note
            database = provider.create_database()
            assert database.role is None and "rda_plain" in database.dsn
        finally:
            provider.close()
    finally:
        connection.execute("DROP DATABASE plain_home")
        connection.execute("DROP ROLE rda_plain")


def test_a_createrole_role_hands_out_roles_of_its_own(
    private_provider: EmbeddedProvider,
) -> None:
    connection = admin(private_provider)._connect()
    connection.execute("CREATE ROLE rda_lead LOGIN CREATEDB CREATEROLE PASSWORD 'lead'")
    connection.execute("CREATE DATABASE lead_home OWNER rda_lead")
    try:
        url = ServerUrl.parse(private_provider.admin_url).as_role("rda_lead", "lead")
        provider = UrlProvider(url.dsn("lead_home"))
        provider.start()
        try:
            assert provider.least_privilege
            database = provider.create_database()
            assert database.role == database.name and "rda_lead" not in database.dsn
            provider.drop_database(database)
            assert database.role not in roles_of(private_provider)
        finally:
            provider.close()
    finally:
        connection.execute("DROP DATABASE lead_home")
        connection.execute("DROP ROLE rda_lead")
