"""The variables a target finds its database (and its other settings) in.

Real layers read their database in many ways: one URL variable (the manifest's
``database_url_env``), the parts ``POSTGRES_USER``/``POSTGRES_PASSWORD``/``POSTGRES_HOST`` (or
``POSTGRES_SERVER``, the full-stack-fastapi-template name)/``POSTGRES_PORT``/``POSTGRES_DB``, or
libpq's own ``PG*`` variables. All of them are set, for whichever throwaway database the code is
about to use, and they win over anything the target's ``.env`` or manifest says, so the target
can only ever reach the database this run created for it.

The manifest's ``[tool.rda.env]`` passes the other settings a layer needs to import
(``APP_NAME = "demo"``); a value may name the database with ``{database_url}``, ``{user}``,
``{password}``, ``{host}``, ``{port}`` or ``{database}`` (``DB_DSN = "{database_url}"``).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

PLACEHOLDERS = ("database_url", "user", "password", "host", "port", "database")


def url_parts(url: str, relay_port: int | None) -> dict[str, str]:
    """user, password, host, port, database of ``url``; the host is the relay when there is one.

    A URL over a unix socket names its directory in ``?host=``; parts cannot carry that into a
    ``host:port`` URL, so they name the child's relay to the socket (``verifier.sandbox.relay``).
    """
    split = urlsplit(url)
    query = parse_qs(split.query)
    host = split.hostname or (query.get("host") or [""])[0]
    port = str(split.port or (query.get("port") or ["5432"])[0])
    if host.startswith("/") and relay_port is not None:
        host, port = "127.0.0.1", str(relay_port)
    return {
        "database_url": url,
        "user": unquote(split.username or ""),
        "password": unquote(split.password or ""),
        "host": host,
        "port": port,
        "database": split.path.lstrip("/"),
    }


def render(template: str, parts: dict[str, str]) -> str:
    """A manifest value with its ``{placeholders}`` filled in (``{{`` for a literal brace)."""
    return template.format_map({k: parts[k] for k in PLACEHOLDERS})


def database_variables(
    url_env: str,
    url: str,
    relay_port: int | None,
    templates: dict[str, str] | None = None,
) -> dict[str, str]:
    """Every variable naming the database at ``url`` (and the manifest's settings for it)."""
    parts = url_parts(url, relay_port)
    values = {name: render(value, parts) for name, value in (templates or {}).items()}
    values.update(
        {
            "POSTGRES_USER": parts["user"],
            "POSTGRES_PASSWORD": parts["password"],
            "POSTGRES_HOST": parts["host"],
            "POSTGRES_SERVER": parts["host"],
            "POSTGRES_PORT": parts["port"],
            "POSTGRES_DB": parts["database"],
            "PGUSER": parts["user"],
            "PGPASSWORD": parts["password"],
            "PGHOST": parts["host"],
            "PGPORT": parts["port"],
            "PGDATABASE": parts["database"],
            url_env: url,
        }
    )
    return values


def dotenv_values(root: Path) -> dict[str, str]:
    """The target's ``.env`` (what its settings would read at home), or nothing."""
    path = root / ".env"
    if not path.is_file():
        return {}
    from dotenv import dotenv_values as read

    return {k: v for k, v in read(path).items() if v is not None}
