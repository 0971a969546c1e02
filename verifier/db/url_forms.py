"""One PostgreSQL server URL, written the three ways the verifier's tools need it.

SQLAlchemy's asyncpg dialect wants ``postgresql+asyncpg://`` and ``ssl=``; libpq-style tools and
plain ``asyncpg.connect`` want ``postgresql://`` and ``sslmode=`` (an asyncpg engine given
``sslmode`` fails at connect, which is rule RDA606). Users hand in any of ``postgres://``,
``postgresql://`` or ``postgresql+<driver>://``; this module parses that once (with SQLAlchemy's
own URL parser) and renders each form for any database on the same server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from verifier.errors import UsageError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

ACCEPTED_SCHEMES = ("postgresql://", "postgresql+asyncpg://", "postgres://")
MAINTENANCE_DATABASE = "postgres"


def looks_like_url(spec: str) -> bool:
    """Whether ``spec`` is meant as a PostgreSQL URL (any driver suffix)."""
    scheme = spec.split("://", 1)[0].lower() if "://" in spec else ""
    return scheme in ("postgres", "postgresql") or scheme.startswith("postgresql+")


@dataclass(frozen=True)
class ServerUrl:
    """A parsed server URL; ``for_database`` renders the forms for one of its databases."""

    url: URL

    @classmethod
    def parse(cls, text: str) -> ServerUrl:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        if not looks_like_url(text):
            raise UsageError(
                f"not a PostgreSQL URL: {redact(text)!r}",
                hint="use postgresql://user:password@host:port/dbname "
                "(or postgresql+asyncpg://...)",
            )
        try:
            url = make_url(text)
        except (ArgumentError, ValueError) as exc:
            raise UsageError(f"cannot parse the database URL {redact(text)!r}: {exc}") from None
        return cls(url)

    @property
    def database(self) -> str:
        """The database named in the URL: the one admin statements run in."""
        return self.url.database or MAINTENANCE_DATABASE

    def as_role(self, user: str, password: str) -> ServerUrl:
        """The same server, logged in as another role."""
        return ServerUrl(self.url.set(username=user, password=password))

    def async_url(self, database: str | None = None) -> str:
        """``postgresql+asyncpg://...`` for ``create_async_engine``."""
        url = self.url.set(drivername="postgresql+asyncpg", database=database or self.database)
        return _render(url, rename=("sslmode", "ssl"))

    def sync_url(self, database: str | None = None) -> str:
        """``postgresql://...`` with libpq parameter names."""
        url = self.url.set(drivername="postgresql", database=database or self.database)
        return _render(url, rename=("ssl", "sslmode"))

    def dsn(self, database: str | None = None) -> str:
        """What ``asyncpg.connect`` takes: the libpq-style URL."""
        return self.sync_url(database)

    @property
    def user(self) -> str | None:
        return self.url.username

    def redacted(self) -> str:
        """The URL safe to print: password masked."""
        return self.url.render_as_string(hide_password=True)


def _render(url: URL, *, rename: tuple[str, str]) -> str:
    """The URL as text, with its query written so that configparser can hold it.

    SQLAlchemy escapes a socket directory as ``host=%2Fvar%2F...``; an ``env.py`` that hands the
    URL to ``config.set_main_option`` then fails on configparser's ``%`` interpolation. The query
    parsers (SQLAlchemy's, libpq's, asyncpg's) all read ``host=/var/...`` unescaped, so slashes
    stay as they are; only characters that would change the URL's meaning are escaped.
    """
    from urllib.parse import urlencode

    old, new = rename
    query = dict(url.query)
    if old in query:
        query.setdefault(new, query.pop(old))
    base = url.set(query={}).render_as_string(hide_password=False)
    if not query:
        return base
    return base + "?" + urlencode(query, doseq=True, safe="/:")


def redact(text: str) -> str:
    """Mask the password in a URL-ish string without parsing it strictly."""
    if "://" not in text or "@" not in text:
        return text
    scheme, rest = text.split("://", 1)
    credentials, _, location = rest.rpartition("@")
    if ":" not in credentials:
        return text
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{location}"
