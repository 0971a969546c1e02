"""The small interface between the verifier and wherever PostgreSQL comes from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class Database:
    """A throwaway database the provider created and will drop.

    ``async_url`` is for SQLAlchemy's asyncpg dialect, ``sync_url`` for psycopg-free sync tools
    (alembic offline, squawk) and ``dsn`` for plain asyncpg.
    """

    name: str
    async_url: str
    sync_url: str
    dsn: str
    # The role the URLs log in as: one made for this database (least privilege), or None when
    # the provider could not make roles and the URLs use its own.
    role: str | None = None


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """What ``rda db status`` prints about a server."""

    provider: str
    running: bool
    version: str | None = None
    location: str | None = None  # socket directory or host:port
    data_dir: str | None = None
    pid: int | None = None
    databases: list[str] = field(default_factory=list)


@runtime_checkable
class DatabaseProvider(Protocol):
    """Hands out throwaway databases on one server; never touches a database it did not create.

    ``template`` names a database previously made with ``create_template``: the new database is
    a ``CREATE DATABASE ... TEMPLATE`` clone of it, which is how one schema is built once and
    checked many times.
    """

    name: str

    def start(self) -> None:
        """Make sure the server is reachable (start it if the provider owns it)."""

    def create_database(self, template: str | None = None) -> Database:
        """Create a new empty (or cloned) database owned by this run."""

    def drop_database(self, database: Database) -> None:
        """Drop a database this provider created (terminating its connections first)."""

    def close(self) -> None:
        """Drop whatever this provider still owns and release the server."""

    @property
    def privilege_note(self) -> str:
        """How the code under test logs in (for the report): a role of its own, or which."""

    def sandbox_access(self) -> tuple[list[str], bool]:
        """What the code under test must reach: the server's unix socket folders, and whether
        it needs the network (a server over TCP). Known once started."""

    def sandbox_access_known(self) -> bool:
        """Whether ``sandbox_access`` can answer before ``start`` (the sandbox then warms up
        while the server starts)."""
