"""Throwaway databases on an existing PostgreSQL server, given by URL.

The role in the URL needs CREATEDB. The provider connects to the URL's own database only to run
``CREATE DATABASE`` / ``DROP DATABASE``; it never writes into a database it did not create, and
drops only databases named by ``verifier.db.naming``: its own, and the leftovers of runs that are
over (crashed runs on this host, or runs elsewhere older than ``max_age``). The embedded and
docker providers start a server and then hand the databases over to this class.

When the role may also create roles (a superuser, or CREATEROLE), each database gets a login
role of its own (``verifier.db.roles``) and the database's URLs log in as that role: the code
under test holds nothing beyond its database. Otherwise the URLs use the given role, and
``least_privilege`` says so (the report tells the user).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from verifier.db import naming, roles
from verifier.db.base import Database, ServerInfo
from verifier.db.url_forms import ServerUrl
from verifier.errors import InfrastructureError, UsageError

if TYPE_CHECKING:
    from verifier.db.admin import AdminConnection

# A throwaway database from another host is assumed abandoned after this many seconds.
DEFAULT_MAX_AGE = 6 * 3600.0

_LIST_THROWAWAY = """
SELECT datname FROM pg_database
WHERE datname LIKE 'rda\\_%' AND pg_has_role(current_user, datdba, 'MEMBER')
ORDER BY datname
"""
_END_SESSIONS = """
SELECT pg_terminate_backend(pid) FROM pg_stat_activity
WHERE datname = $1 AND pid <> pg_backend_pid()
"""
_CAN_CREATE = "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"


class _TemplateInUse(InfrastructureError):
    """Another session is connected to the template, so PostgreSQL refuses to copy it."""


def quote_ident(name: str) -> str:
    """A double-quoted SQL identifier (names here are generated, but quote them anyway)."""
    return '"' + name.replace('"', '""') + '"'


class UrlProvider:
    """Creates ``rda_<run>_<n>`` databases on the server at ``url`` and drops only those."""

    name = "url"

    def __init__(
        self, url: str, *, max_age: float = DEFAULT_MAX_AGE, tablespace: str | None = None
    ) -> None:
        self.server = ServerUrl.parse(url)
        self.max_age = max_age
        self.tablespace = tablespace  # where new databases go (None: the server's default)
        self._admin: AdminConnection | None = None
        self._owned: dict[str, Database] = {}
        self._passwords: dict[str, str] = {}  # role -> password, for clones of its databases
        self._lock = threading.Lock()
        self.least_privilege = False  # known after start(): one role per database
        self._superuser = False

    @property
    def label(self) -> str:
        return self.server.redacted()

    # -- DatabaseProvider -------------------------------------------------------------------

    def start(self) -> None:
        """Connect, check the role may create databases, and sweep crashed runs' leftovers."""
        admin = self._connect()
        if not admin.fetch_value(_CAN_CREATE):
            raise InfrastructureError(
                f"the role in {self.label} may not create databases",
                hint="grant it CREATEDB (ALTER ROLE ... CREATEDB), or use --db embedded",
            )
        self.least_privilege, self._superuser = roles.can_make_roles(admin)
        self.sweep_leftovers()

    def sandbox_access(self) -> tuple[list[str], bool]:
        """The socket folder of a ``?host=/dir`` URL, or the network for a host name."""
        socket_dirs = [v for k, v in self.server.query if k == "host" and v.startswith("/")]
        if socket_dirs and not self.server.host:
            return socket_dirs, False
        return socket_dirs, True

    def sandbox_access_known(self) -> bool:
        return True

    @property
    def privilege_note(self) -> str:
        """How the code under test logs in, for the report."""
        if self.least_privilege:
            return "a role of its own per database (no superuser, no CREATEDB/CREATEROLE)"
        return (
            f"the role of {self.label} (it may not create roles, so the code under test runs "
            "with that role's rights; grant it CREATEROLE for a role per database)"
        )

    def create_database(self, template: str | None = None) -> Database:
        """``CREATE DATABASE rda_<run>_<n> [OWNER role] [TEMPLATE template]``.

        With least privilege, a database made from scratch gets a new role of the same name; a
        clone of one of this provider's templates belongs to the template's role.
        """
        admin = self._connect()
        name = naming.next_database_name()
        role: str | None = None
        if self.least_privilege:
            owner = self._owned.get(template) if template is not None else None
            role = owner.role if owner is not None and owner.role else name
            if role == name:
                password = roles.new_password()
                roles.create_role(admin, role, password, superuser=self._superuser)
                with self._lock:
                    self._passwords[role] = password
        sql = f"CREATE DATABASE {quote_ident(name)}"
        if role is not None:
            sql += f" OWNER {quote_ident(role)}"
        if self.tablespace is not None:
            sql += f" TABLESPACE {quote_ident(self.tablespace)}"
        if template is not None:
            sql += f" TEMPLATE {quote_ident(template)}"
            if template in self._owned:
                # PostgreSQL will not copy a database in use, and waits 5 s before saying so:
                # end the sessions a schema builder left on our own template first.
                admin.fetch_column(_END_SESSIONS, template)
        try:
            try:
                self._run(admin, sql, f"create database {name}", template=template)
            except _TemplateInUse:
                # A session reached our template between the two statements: end it, retry once.
                if template not in self._owned:
                    raise
                admin.fetch_column(_END_SESSIONS, template)
                self._run(admin, sql, f"create database {name}", template=template)
            if role is not None:
                roles.lock_database(admin, name)
        except BaseException:
            if role == name:
                self._forget_role(role)
            raise
        server = self.server.as_role(role, self._passwords[role]) if role else self.server
        database = Database(
            name=name,
            async_url=server.async_url(name),
            sync_url=server.sync_url(name),
            dsn=server.dsn(name),
            role=role,
        )
        with self._lock:
            self._owned[name] = database
        return database

    def drop_database(self, database: Database) -> None:
        """Drop a database this provider created (and its role with its last database)."""
        with self._lock:
            if database.name not in self._owned:
                raise UsageError(
                    f"refusing to drop {database.name!r}: this provider did not create it"
                )
        self._drop(database.name)
        with self._lock:
            self._owned.pop(database.name, None)
        self._drop_role_if_unused(database.role)

    def _drop_role_if_unused(self, role: str | None) -> None:
        if role is None:
            return
        with self._lock:
            if any(d.role == role for d in self._owned.values()):
                return
        self._forget_role(role)

    def _forget_role(self, role: str) -> None:
        roles.drop_role(self._connect(), role)
        with self._lock:
            self._passwords.pop(role, None)

    def close(self) -> None:
        """Drop every database still owned, then close the admin connection.

        Best effort: when the server is gone, what could not be dropped is left to the next
        run's sweep (this run's pid is dead by then), rather than failing the caller's cleanup.
        """
        try:
            for name in list(self._owned):
                try:
                    self._drop(name)
                    role = self._owned.pop(name).role
                    self._drop_role_if_unused(role)
                except InfrastructureError:
                    break  # the server is unreachable: the other drops would fail too
        finally:
            if self._admin is not None:
                self._admin.close()
                self._admin = None

    # -- beyond the protocol ----------------------------------------------------------------

    def owned_databases(self) -> list[str]:
        """Names of the databases this provider created and has not dropped yet."""
        with self._lock:
            return sorted(self._owned)

    def throwaway_databases(self) -> list[str]:
        """Every ``rda_*`` database on the server owned by this role (any run's)."""
        return self._connect().fetch_column(_LIST_THROWAWAY)

    def sweep_leftovers(self) -> list[str]:
        """Drop the databases of runs that are over; return their names."""
        dropped = []
        for name in self.throwaway_databases():
            if name not in self._owned and naming.is_leftover(name, max_age=self.max_age):
                self._drop(name)
                dropped.append(name)
        if self.least_privilege:
            admin = self._connect()
            for role in roles.leftover_candidates(admin):
                if role not in self._passwords and naming.is_leftover(role, max_age=self.max_age):
                    try:
                        roles.drop_role(admin, role)
                    except InfrastructureError:
                        continue  # not ours to drop (another role made it): leave it
        return dropped

    def connection(self) -> AdminConnection:
        """The admin connection (to the URL's database), opened on first use."""
        return self._connect()

    def server_info(self) -> ServerInfo:
        """The server's version and the throwaway databases on it."""
        admin = self._connect()
        version = admin.fetch_value("SHOW server_version")
        return ServerInfo(
            provider=self.name,
            running=True,
            version=version,
            location=self.label,
            databases=self.throwaway_databases(),
        )

    # -- internals --------------------------------------------------------------------------

    def _connect(self) -> AdminConnection:
        if self._admin is None:
            from verifier.db.admin import AdminConnection

            self._admin = AdminConnection(self.server.dsn(), label=self.label)
        return self._admin

    def _drop(self, name: str) -> None:
        self._run(
            self._connect(),
            f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)",
            f"drop database {name}",
        )

    def _run(
        self, admin: AdminConnection, sql: str, what: str, template: str | None = None
    ) -> None:
        import asyncpg

        try:
            admin.execute(sql)
        except asyncpg.ObjectInUseError as exc:
            raise _TemplateInUse(
                f"cannot {what}: {exc}",
                hint=f"close every connection to {template or 'template1'!r} before cloning it "
                "(dispose the engine that built its schema)",
            ) from None
        except asyncpg.InsufficientPrivilegeError as exc:
            raise InfrastructureError(
                f"cannot {what} on {self.label}: {exc}",
                hint="the role needs CREATEDB; or use --db embedded",
            ) from None
        except asyncpg.DiskFullError as exc:
            raise InfrastructureError(
                f"cannot {what} on {self.label}: {exc}",
                hint="free disk space (or memory, for databases on a tmpfs; "
                "RDA_RAM_DIR= keeps the embedded server's databases on disk)",
            ) from None
        except asyncpg.PostgresError as exc:
            raise InfrastructureError(f"cannot {what} on {self.label}: {exc}") from None
