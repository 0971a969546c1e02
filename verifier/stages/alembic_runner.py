"""Running the target's Alembic against a throwaway database from inside the child.

The target's ``env.py`` may read its URL from the config or from the environment variable its
manifest names; both are pointed at the throwaway database for the duration of a call, from the
ini's folder as a developer would run it. Alembic's async ``env.py`` files call ``asyncio.run``
themselves, so these functions must be called outside a running event loop.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from verifier.stages.context import StageContext

if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config(ini: Path, url: str, output_buffer: io.StringIO | None = None) -> Config:
    """The target's own alembic.ini, pointed at our database (``%`` escaped for configparser)."""
    from alembic.config import Config

    config = Config(str(ini), output_buffer=output_buffer, stdout=io.StringIO())
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


# The options an env.py gives ``context.configure`` that say what its models are; the model/DDL
# comparison uses the same ones (its target_metadata, its filters), not a guess of ours.
CONFIGURE_OPTIONS = (
    "target_metadata",
    "include_name",
    "include_object",
    "include_schemas",
    "version_table",
    "version_table_schema",
)


@contextmanager
def configure_spy(captured: dict[str, Any]) -> Iterator[None]:
    """Record what the target's ``env.py`` passes to ``context.configure`` while it runs."""
    from alembic.runtime.environment import EnvironmentContext

    original = EnvironmentContext.configure

    def configure(self: EnvironmentContext, *args: Any, **kwargs: Any) -> None:
        captured.update({k: v for k, v in kwargs.items() if k in CONFIGURE_OPTIONS})
        return original(self, *args, **kwargs)

    EnvironmentContext.configure = configure  # type: ignore[method-assign]
    try:
        yield
    finally:
        EnvironmentContext.configure = original  # type: ignore[method-assign]


@contextmanager
def alembic_environment(ctx: StageContext, ini: Path, url: str) -> Iterator[None]:
    """What alembic sees when a developer runs it: the ini's folder as cwd, the URL in the env.

    The URL is in the variable the manifest names and in the ``POSTGRES_*``/``PG*`` parts
    (``verifier.sandbox.environment``), so an ``env.py`` that builds its URL from parts reaches
    the same database. Everything is put back afterwards, ``sys.path`` included (alembic
    prepends to it on every command), so the stage leaves the child as it found it.
    """
    from verifier.sandbox.environment import database_variables

    values = database_variables(ctx.target.database_url_env, url, ctx.relay_port, ctx.target.env)
    saved_values = {name: os.environ.get(name) for name in values}
    saved_cwd = os.getcwd()
    saved_path = list(sys.path)
    os.environ.update(values)
    os.chdir(ini.parent)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        for name, value in saved_values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def upgrade(ctx: StageContext, url: str, revision: str = "head") -> None:
    """``alembic upgrade REVISION`` on ``url`` with the target's own alembic.ini."""
    from alembic import command

    assert ctx.target.alembic_ini is not None
    ini = ctx.root / ctx.target.alembic_ini
    with alembic_environment(ctx, ini, url):
        command.upgrade(alembic_config(ini, url), revision)
