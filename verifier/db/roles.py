"""A login role per throwaway database: the target never holds more than its own database.

The code under test connects with the URL it is handed; if that were the server's superuser, it
could run shell commands through ``COPY ... TO PROGRAM``, read server files, or drop another
run's databases, and no guard inside the target's process would see it. So every database a
provider creates from scratch gets a role of its own, named like the database, that can log in
and nothing else (no superuser, no CREATEDB, no CREATEROLE, no replication, not a member of any
role, so not of ``pg_execute_server_program``/``pg_read_server_files``/``pg_write_server_files``),
owns that database, and is the only one allowed to connect to it (``CONNECT`` is revoked from
``PUBLIC``). A clone of a template belongs to the template's role: one schema, one owner.
The role is dropped with the last database it owns, and the janitor sweeps the roles of runs
that died.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from verifier.errors import InfrastructureError

if TYPE_CHECKING:  # the connection (and asyncio with it) loads only when a database is made
    from verifier.db.admin import AdminConnection

# INHERIT (the default) matters: the database owner gets its rights on schema public through
# the implicit role pg_database_owner, which a NOINHERIT role would not use (PostgreSQL 15).
ROLE_OPTIONS = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION NOBYPASSRLS"
_CAN_MAKE_ROLES = "SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user"
_LEFTOVER_CANDIDATES = """
SELECT r.rolname FROM pg_roles r
WHERE r.rolname LIKE 'rda\\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_database d WHERE d.datdba = r.oid)
ORDER BY r.rolname
"""


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def new_password() -> str:
    """Letters and digits only: the URL needs no escaping (configparser chokes on ``%``)."""
    return secrets.token_hex(16)


def can_make_roles(admin: AdminConnection) -> tuple[bool, bool]:
    """(may create roles, is superuser) for the admin connection's own role."""
    rows = admin.fetch_rows(_CAN_MAKE_ROLES)
    if not rows:
        return False, False
    superuser, createrole = bool(rows[0][0]), bool(rows[0][1])
    return superuser or createrole, superuser


def create_role(admin: AdminConnection, name: str, password: str, *, superuser: bool) -> None:
    """A login role with no other right; a non-superuser creator joins it so it may give it a
    database (``CREATE DATABASE ... OWNER`` needs membership since PostgreSQL 16)."""
    # scram_iterations=1: the password is random and the role lives for one run; the default
    # 4096 rounds would cost every connection of the target a few milliseconds.
    literal = "'" + password.replace("'", "''") + "'"
    import asyncpg

    try:
        try:
            admin.execute("SET scram_iterations = 1")
        except asyncpg.PostgresError as exc:
            if getattr(exc, "sqlstate", None) != "42704":  # PostgreSQL < 16 has no such setting
                raise
        admin.execute(f"CREATE ROLE {quote_ident(name)} {ROLE_OPTIONS} PASSWORD {literal}")
        if not superuser:
            admin.execute(f"GRANT {quote_ident(name)} TO CURRENT_USER")
    except asyncpg.PostgresError as exc:
        raise InfrastructureError(f"cannot create role {name}: {exc}") from None


def lock_database(admin: AdminConnection, database: str) -> None:
    """Only the owner (and superusers) may connect to ``database``."""
    import asyncpg

    try:
        admin.execute(f"REVOKE CONNECT, TEMPORARY ON DATABASE {quote_ident(database)} FROM PUBLIC")
    except asyncpg.PostgresError as exc:
        raise InfrastructureError(f"cannot restrict database {database}: {exc}") from None


def drop_role(admin: AdminConnection, name: str) -> None:
    import asyncpg

    try:
        admin.execute(f"DROP ROLE IF EXISTS {quote_ident(name)}")
    except asyncpg.PostgresError as exc:
        raise InfrastructureError(f"cannot drop role {name}: {exc}") from None


def leftover_candidates(admin: AdminConnection) -> list[str]:
    """``rda_*`` roles that own no database (their databases are gone)."""
    return [str(name) for name in admin.fetch_column(_LEFTOVER_CANDIDATES)]
