"""What the target finds in its environment: its settings, and the database in every form.

The manifest's ``[tool.rda.env]`` and the target's ``.env`` give it the settings it needs to
import; the database is in the manifest's URL variable, in the ``POSTGRES_*`` parts and in
libpq's ``PG*`` variables, and those always name the throwaway database, whatever the target's
own files say.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import asyncpg
import pytest

from tests.reference_copies import append
from verifier.db.base import Database
from verifier.errors import UsageError
from verifier.report.model import Report
from verifier.sandbox import relay
from verifier.sandbox.environment import database_variables, url_parts
from verifier.verify.target import load_target

CHECKS_AT_IMPORT = """
import os as _os

assert _os.environ["APP_NAME"] == "demo", _os.environ.get("APP_NAME")
assert _os.environ["DB_DSN"] == _os.environ["DATABASE_URL"], _os.environ.get("DB_DSN")
assert _os.environ["FROM_DOTENV"] == "yes"
assert "prod.internal" not in _os.environ["DATABASE_URL"], "the .env URL won"
assert _os.environ["POSTGRES_HOST"] == "127.0.0.1" and _os.environ["POSTGRES_DB"]
"""


def with_env_table(target: Path, table: str) -> None:
    file = target / "pyproject.toml"
    file.write_text(file.read_text(encoding="utf-8") + "\n[tool.rda.env]\n" + table, "utf-8")


def test_settings_from_the_manifest_and_dotenv_reach_the_target(
    reference_copy: Path, verify: Callable[..., Report]
) -> None:
    with_env_table(reference_copy, 'APP_NAME = "demo"\nDB_DSN = "{database_url}"\n')
    (reference_copy / ".env").write_text(
        "FROM_DOTENV=yes\nAPP_NAME=from-dotenv\nDATABASE_URL=postgresql://app:pw@prod.internal/app\n"
    )
    append(reference_copy, "taskapi/models.py", CHECKS_AT_IMPORT)
    report = verify(reference_copy, stages=("import", "schema"))
    assert report.findings == [], [f.message for f in report.findings]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("PORT = 8000\n", "must be a string"),
        ('DSN = "{nope}"\n', "unknown placeholder"),
        ('DSN = "{database_url"\n', "literal brace"),
    ],
)
def test_a_bad_env_table_is_a_usage_error(reference_copy: Path, table: str, message: str) -> None:
    with_env_table(reference_copy, table)
    with pytest.raises(UsageError) as error:
        load_target(reference_copy)
    assert message in error.value.render()


def test_the_parts_of_a_socket_url_name_the_relay() -> None:
    url = "postgresql+asyncpg://r:pw@/db1?host=/run/pg&port=5432"
    assert url_parts(url, 6543) == {
        "database_url": url,
        "user": "r",
        "password": "pw",
        "host": "127.0.0.1",
        "port": "6543",
        "database": "db1",
    }
    values = database_variables("APP_DB", url, 6543, {"DSN": "{user}@{host}:{port}/{database}"})
    assert values["APP_DB"] == url and values["DSN"] == "r@127.0.0.1:6543/db1"
    assert values["PGHOST"] == values["POSTGRES_SERVER"] == "127.0.0.1"


async def test_the_relay_reaches_the_database_over_tcp(rda_database: Database) -> None:
    parts = url_parts(rda_database.async_url, None)
    port = relay.start(f"{parts['host']}/.s.PGSQL.{parts['port']}")
    values = database_variables("DATABASE_URL", rda_database.async_url, port)
    conn = await asyncpg.connect(
        host=values["POSTGRES_HOST"],
        port=int(values["POSTGRES_PORT"]),
        user=values["POSTGRES_USER"],
        password=values["POSTGRES_PASSWORD"],
        database=values["POSTGRES_DB"],
    )
    try:
        rows = await asyncio.gather(*(conn.fetchval("SELECT current_database()") for _ in range(1)))
        assert rows == [rda_database.name]
    finally:
        await conn.close()
