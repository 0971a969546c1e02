"""One open asyncpg connection for CREATE/DROP DATABASE, usable from plain synchronous code.

Providers are called from synchronous places (pytest fixtures, the verify stages, the CLI), some
of which already run an event loop of their own. The connection therefore lives on a private
event loop in a daemon thread, and each call is handed to it with
``asyncio.run_coroutine_threadsafe``; a lock keeps calls from different threads in order. One
connection kept open makes a clone plus drop cost two statements, not two connection setups.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from verifier.errors import InfrastructureError

if TYPE_CHECKING:
    import asyncpg

T = TypeVar("T")

CONNECT_TIMEOUT = 10.0
COMMAND_TIMEOUT = 120.0


class _LoopThread:
    """An event loop running forever in a daemon thread (so it never blocks interpreter exit)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="rda-db-admin", daemon=True
        )
        self._thread.start()

    def run(self, coro: Awaitable[T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()  # type: ignore[arg-type]

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self.loop.close()


class AdminConnection:
    """A lazily opened connection to ``dsn`` that reconnects once if the server dropped it.

    ``label`` is how error messages name the server (never with a password in it).
    """

    def __init__(self, dsn: str, label: str) -> None:
        self._dsn = dsn
        self.label = label
        self._lock = threading.Lock()
        self._loop: _LoopThread | None = None
        self._conn: asyncpg.Connection | None = None

    def execute(self, sql: str) -> None:
        """Run one statement outside any transaction (CREATE/DROP DATABASE need that)."""
        self._call(lambda conn: conn.execute(sql))

    def fetch_column(self, sql: str, *args: object) -> list[Any]:
        """The first column of every row."""
        rows = self._call(lambda conn: conn.fetch(sql, *args))
        return [row[0] for row in rows]

    def fetch_rows(self, sql: str, *args: object) -> list[tuple[Any, ...]]:
        """Every row, as tuples."""
        rows = self._call(lambda conn: conn.fetch(sql, *args))
        return [tuple(row) for row in rows]

    def fetch_value(self, sql: str, *args: object) -> Any:
        return self._call(lambda conn: conn.fetchval(sql, *args))

    def close(self) -> None:
        with self._lock:
            if self._loop is None:
                return
            if self._conn is not None:
                conn, self._conn = self._conn, None
                try:
                    self._loop.run(asyncio.wait_for(conn.close(), timeout=5))
                except Exception:  # the server may already be gone; nothing left to release
                    conn.terminate()
            self._loop.close()
            self._loop = None

    def _call(self, operation: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        import asyncpg

        with self._lock:
            if self._loop is None:
                self._loop = _LoopThread()
            for attempt in (1, 2):
                conn = self._connection()
                try:
                    return self._loop.run(operation(conn))
                except (asyncpg.ConnectionDoesNotExistError, ConnectionError) as exc:
                    # The server restarted or dropped us: reconnect once, then give up.
                    self._conn = None
                    if attempt == 2:
                        raise InfrastructureError(
                            f"lost the connection to {self.label}: {exc}",
                            hint="check that the server is running ('rda db status')",
                        ) from None
            raise AssertionError("unreachable")  # pragma: no cover

    def _connection(self) -> asyncpg.Connection:
        import asyncpg

        assert self._loop is not None
        if self._conn is not None and not self._conn.is_closed():
            return self._conn
        try:
            self._conn = self._loop.run(
                asyncpg.connect(
                    self._dsn,
                    timeout=CONNECT_TIMEOUT,
                    command_timeout=COMMAND_TIMEOUT,
                    server_settings={"application_name": "rda"},
                )
            )
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise InfrastructureError(
                f"cannot connect to {self.label}: {type(exc).__name__}: {exc}",
                hint="check the URL, that the server is up and that it accepts this user",
            ) from None
        return self._conn
