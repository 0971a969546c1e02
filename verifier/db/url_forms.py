"""One PostgreSQL server URL, written the three ways the verifier's tools need it.

SQLAlchemy's asyncpg dialect wants ``postgresql+asyncpg://`` and ``ssl=``; libpq-style tools and
plain ``asyncpg.connect`` want ``postgresql://`` and ``sslmode=`` (an asyncpg engine given
``sslmode`` fails at connect, which is rule RDA606). Users hand in any of ``postgres://``,
``postgresql://`` or ``postgresql+<driver>://``; this module parses that once and renders each
form for any database on the same server.

It is plain ``urllib.parse`` on purpose: the verifier's own process parses URLs before it
starts any sandboxed child, and importing SQLAlchemy there (for ``make_url``) would cost every
run ~0.4 s before the first child could start. The rendered query keeps ``/`` unescaped
(``?host=/var/run/pg``): SQLAlchemy, libpq and asyncpg all read it so, and an ``env.py`` that
hands the URL to configparser (``config.set_main_option``) would choke on ``%2F``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from verifier.errors import UsageError

ACCEPTED_SCHEMES = ("postgresql://", "postgresql+asyncpg://", "postgres://")
MAINTENANCE_DATABASE = "postgres"


def looks_like_url(spec: str) -> bool:
    """Whether ``spec`` is meant as a PostgreSQL URL (any driver suffix)."""
    scheme = spec.split("://", 1)[0].lower() if "://" in spec else ""
    return scheme in ("postgres", "postgresql") or scheme.startswith("postgresql+")


@dataclass(frozen=True)
class ServerUrl:
    """A parsed server URL; the methods render its forms for one of its databases."""

    user: str | None = None
    password: str | None = None
    host: str | None = None  # a name or address; a socket directory is in ``query["host"]``
    port: int | None = None
    database_name: str | None = None
    query: tuple[tuple[str, str], ...] = field(default=())

    @classmethod
    def parse(cls, text: str) -> ServerUrl:
        if not looks_like_url(text):
            raise UsageError(
                f"not a PostgreSQL URL: {redact(text)!r}",
                hint="use postgresql://user:password@host:port/dbname "
                "(or postgresql+asyncpg://...)",
            )
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError as exc:
            raise UsageError(f"cannot parse the database URL {redact(text)!r}: {exc}") from None
        return cls(
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
            host=parts.hostname,
            port=port,
            database_name=unquote(parts.path.lstrip("/")) or None,
            query=tuple(parse_qsl(parts.query, keep_blank_values=True)),
        )

    @property
    def database(self) -> str:
        """The database named in the URL: the one admin statements run in."""
        return self.database_name or MAINTENANCE_DATABASE

    def as_role(self, user: str, password: str) -> ServerUrl:
        """The same server, logged in as another role."""
        return replace(self, user=user, password=password)

    def async_url(self, database: str | None = None) -> str:
        """``postgresql+asyncpg://...`` for ``create_async_engine``."""
        return self._render("postgresql+asyncpg", database, rename=("sslmode", "ssl"))

    def sync_url(self, database: str | None = None) -> str:
        """``postgresql://...`` with libpq parameter names."""
        return self._render("postgresql", database, rename=("ssl", "sslmode"))

    def dsn(self, database: str | None = None) -> str:
        """What ``asyncpg.connect`` takes: the libpq-style URL."""
        return self.sync_url(database)

    def redacted(self, *, asyncpg: bool = False) -> str:
        """The URL safe to print: password masked (in the asyncpg form with ``asyncpg``)."""
        if asyncpg:
            return self._render(
                "postgresql+asyncpg", None, rename=("sslmode", "ssl"), password="***"
            )
        return self._render("postgresql", None, rename=("", ""), password="***")

    def _render(
        self,
        scheme: str,
        database: str | None,
        *,
        rename: tuple[str, str],
        password: str | None = None,
    ) -> str:
        login = ""
        if self.user is not None:
            login = quote(self.user, safe="")
            secret = password if password is not None else self.password
            if secret is not None:
                login += ":" + (secret if password is not None else quote(secret, safe=""))
            login += "@"
        host = self.host or ""
        if ":" in host:  # an IPv6 address
            host = f"[{host}]"
        if self.port is not None:
            host += f":{self.port}"
        old, new = rename
        query = [(new if key == old and old else key, value) for key, value in self.query]
        text = f"{scheme}://{login}{host}/{quote(database or self.database, safe='')}"
        return text + ("?" + urlencode(query, safe="/:") if query else "")


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
