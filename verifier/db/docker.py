"""``--db docker``: a throwaway PostgreSQL container started through testcontainers.

For users who have a Docker engine (or podman's Docker-compatible API) rather than the embedded
server. ``start`` runs a ``PostgresContainer`` from ``RDA_DOCKER_IMAGE`` (default
``postgres:18-alpine``) with a random password, then hands database work to a ``UrlProvider``
on the container's mapped port, exactly as for a server given by URL. ``close`` removes the
container, and every database in it with it.

Where the engine is and how to reach the container's port is testcontainers' business
(``DOCKER_HOST``, ``TESTCONTAINERS_HOST_OVERRIDE``, ``TESTCONTAINERS_RYUK_DISABLED``...): this
module passes no settings of its own, so a user's testcontainers configuration applies as is.
"""

from __future__ import annotations

import functools
import os
import secrets
from typing import TYPE_CHECKING

from verifier.db.base import Database, ServerInfo
from verifier.errors import InfrastructureError

if TYPE_CHECKING:
    from testcontainers.community.postgres import PostgresContainer

    from verifier.db.url import UrlProvider

IMAGE_ENV = "RDA_DOCKER_IMAGE"
DEFAULT_IMAGE = "postgres:18-alpine"
USERNAME = "rda"
MAINTENANCE_DATABASE = "postgres"
DEFAULT_SOCKET = "unix:///var/run/docker.sock"
# PostgreSQL logs this line once it accepts clients (the official image's and the project's).
READY_MESSAGE = "database system is ready to accept connections"
# How long to follow the log for it before leaving readiness to testcontainers' psql check.
LOG_WAIT_LIMIT = 30
_LOG_LINES_IN_ERRORS = 8

NO_ENGINE_HINT = (
    "start Docker (or podman's API: 'podman system service') and point DOCKER_HOST at it; "
    "or use --db embedded, or --db postgresql://... for a server you have"
)


def configured_image(image: str | None = None) -> str:
    """The image to run: the argument, else ``RDA_DOCKER_IMAGE``, else ``postgres:18-alpine``."""
    return image or os.environ.get(IMAGE_ENV, "").strip() or DEFAULT_IMAGE


def engine_address() -> str:
    """Where testcontainers will look for the engine, for messages."""
    from testcontainers.core.docker_client import get_docker_host

    return get_docker_host() or f"{DEFAULT_SOCKET} (the default; DOCKER_HOST is not set)"


class DockerProvider:
    """Throwaway databases in a PostgreSQL container that lives as long as the provider."""

    name = "docker"

    def __init__(self, image: str | None = None) -> None:
        self.image = configured_image(image)
        self._container: PostgresContainer | None = None
        self._databases: UrlProvider | None = None

    # -- DatabaseProvider -------------------------------------------------------------------

    def start(self) -> None:
        """Start the container (once) and connect to it."""
        if self._databases is not None:
            return
        from verifier.db.url import UrlProvider

        container = self._start_container()
        try:
            databases = UrlProvider(container.get_connection_url(driver=None))
            databases.start()
        except BaseException:
            _remove(container)
            raise
        self._container, self._databases = container, databases

    def create_database(self, template: str | None = None) -> Database:
        return self._provider().create_database(template)

    def drop_database(self, database: Database) -> None:
        self._provider().drop_database(database)

    def sandbox_access(self) -> tuple[list[str], bool]:
        return self._provider().sandbox_access()

    def sandbox_access_known(self) -> bool:
        return self._databases is not None  # the container's address exists once it runs

    @property
    def privilege_note(self) -> str:
        """Known once started (never starts the server itself: a protocol check reads it)."""
        if self._databases is None:
            return "not known yet: the server has not started"
        return self._databases.privilege_note

    def close(self) -> None:
        """Disconnect and remove the container (with every database in it)."""
        databases, self._databases = self._databases, None
        container, self._container = self._container, None
        try:
            if databases is not None:
                databases.close()
        finally:
            if container is not None:
                _remove(container, strict=True)

    # -- beyond the protocol ----------------------------------------------------------------

    @property
    def container_id(self) -> str | None:
        """The running container's id (None before start and after close)."""
        return self._container.get_container_id() if self._container is not None else None

    def owned_databases(self) -> list[str]:
        return self._databases.owned_databases() if self._databases is not None else []

    def server_info(self) -> ServerInfo:
        """What ``rda db status`` shows; the container only exists while the provider runs."""
        if self._databases is None or self._container is None:
            return ServerInfo(provider=self.name, running=False, location=self.image)
        info = self._databases.server_info()
        return ServerInfo(
            provider=self.name,
            running=True,
            version=info.version,
            location=info.location,
            data_dir=f"container {self._container.get_container_id()[:12]} ({self.image})",
            databases=info.databases,
        )

    # -- internals --------------------------------------------------------------------------

    def _provider(self) -> UrlProvider:
        if self._databases is None:
            self.start()
        assert self._databases is not None
        return self._databases

    def _start_container(self) -> PostgresContainer:
        try:
            import docker.errors

            container_class = _exit_aware_container_class()
        except ImportError as exc:
            raise InfrastructureError(
                f"--db docker needs testcontainers ({exc})",
                hint="pip install 'testcontainers>=4.15', or use --db embedded",
            ) from None
        try:
            container = container_class(
                self.image,
                username=USERNAME,
                password=secrets.token_hex(16),
                dbname=MAINTENANCE_DATABASE,
                driver=None,
            )
        except docker.errors.DockerException as exc:
            raise InfrastructureError(
                f"no Docker engine answers at {engine_address()}: {exc}", hint=NO_ENGINE_HINT
            ) from None
        try:
            container.start()
        except Exception as exc:
            error = self._start_failure(container, exc)
            _remove(container)
            raise error from None
        except BaseException:
            _remove(container)
            raise
        return container

    def _start_failure(self, container: PostgresContainer, exc: Exception) -> InfrastructureError:
        """Turn whatever the engine or testcontainers raised into a message with a way out."""
        import docker.errors

        if isinstance(exc, _ContainerExited):
            return InfrastructureError(
                f"the PostgreSQL container from {self.image} exited during start-up: {exc}",
                hint=f"check that {IMAGE_ENV} names a PostgreSQL image (default {DEFAULT_IMAGE})",
            )
        if isinstance(exc, docker.errors.DockerException) and not _image_present(
            container, self.image
        ):
            reason = getattr(exc, "explanation", None) or str(exc)
            return InfrastructureError(
                f"the Docker engine at {engine_address()} has no image {self.image} "
                f"and could not pull it: {reason}",
                hint=f"pull it first (docker pull {self.image}), or set {IMAGE_ENV} to a "
                "PostgreSQL image the engine has",
            )
        if isinstance(exc, TimeoutError):
            return InfrastructureError(
                f"PostgreSQL in the container from {self.image} did not become ready: "
                f"{_logs_tail(container)}",
                hint="the engine may be overloaded; try again, or use --db embedded",
            )
        return InfrastructureError(
            f"could not start a PostgreSQL container from {self.image} on the engine at "
            f"{engine_address()}: {type(exc).__name__}: {exc}",
            hint="if this runs inside a container, testcontainers may need "
            "TESTCONTAINERS_HOST_OVERRIDE and TESTCONTAINERS_CONNECTION_MODE=docker_host",
        )


class _ContainerExited(Exception):
    """The container stopped before PostgreSQL was ready; carries the end of its log."""


@functools.cache
def _exit_aware_container_class() -> type[PostgresContainer]:
    """``PostgresContainer`` that gives up at once when the container exits during start-up.

    Built on first use, so that importing this module does not import testcontainers (whose
    settings are read from the environment when it is first imported).
    """
    from testcontainers.community.postgres import PostgresContainer
    from testcontainers.core.wait_strategies import LogMessageWaitStrategy

    class ExitAwarePostgresContainer(PostgresContainer):
        """testcontainers' own readiness check (``psql`` inside the container) retries for two
        minutes whatever happens, even after the container died. This first follows the log
        until the server says it is ready (testcontainers' log strategy, which stops when the
        container exits), then lets the original check confirm over TCP: it then passes on its
        first try instead of a second later. An image whose server logs elsewhere costs
        ``LOG_WAIT_LIMIT`` seconds before the original check takes over.
        """

        def _connect(self) -> None:
            follow_log = (
                LogMessageWaitStrategy(READY_MESSAGE)
                .with_startup_timeout(LOG_WAIT_LIMIT)
                .with_poll_interval(0.1)
            )
            try:
                follow_log.wait_until_ready(self)
            except RuntimeError:  # the container exited before the server was ready
                raise _ContainerExited(_logs_tail(self)) from None
            except TimeoutError:
                pass  # no such line in this image's log: the psql check decides alone
            super()._connect()

    return ExitAwarePostgresContainer


def _logs_tail(container: PostgresContainer) -> str:
    try:
        stdout, stderr = container.get_logs()
    except Exception:  # the engine lost the container too: there is no log to show
        return "(no log available)"
    lines = (stdout + stderr).decode(errors="replace").strip().splitlines()
    return " | ".join(lines[-_LOG_LINES_IN_ERRORS:]) or "(empty log)"


def _image_present(container: PostgresContainer, image: str) -> bool:
    import docker.errors

    try:
        container.get_docker_client().client.images.get(image)
    except docker.errors.ImageNotFound:
        return False
    except docker.errors.DockerException:
        return True  # cannot tell: do not blame the image
    return True


def _remove(container: PostgresContainer, *, strict: bool = False) -> None:
    """Remove the container (force: its databases are throwaway) and close the client.

    On the way out of a failed start, an error here would hide the real one, so it is only
    raised when ``strict`` (from ``close``).
    """
    try:
        container.stop(force=True, delete_volume=True)
    except Exception as exc:
        if strict:
            wrapped = container.get_wrapped_container()
            name = wrapped.short_id if wrapped is not None else "?"
            raise InfrastructureError(
                f"could not remove the PostgreSQL container {name}: {exc}",
                hint=f"remove it by hand (docker rm -f {name})",
            ) from None
