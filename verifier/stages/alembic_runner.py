"""Running the target's Alembic against a throwaway database from inside the child.

The target's ``env.py`` may read its URL from the config or from the environment variable its
manifest names; both are pointed at the throwaway database for the duration of the call.
Alembic's async ``env.py`` files call ``asyncio.run`` themselves, so these functions must be
called outside a running event loop.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from verifier.stages.context import StageContext


def config(ctx: StageContext, url: str, **kwargs: Any) -> Any:
    from alembic.config import Config

    assert ctx.target.alembic_ini is not None
    cfg = Config(str(ctx.root / ctx.target.alembic_ini), **kwargs)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@contextmanager
def database_env(ctx: StageContext, url: str) -> Iterator[None]:
    name = ctx.target.database_url_env
    before = os.environ.get(name)
    os.environ[name] = url
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def upgrade(ctx: StageContext, url: str, revision: str = "head") -> None:
    from alembic import command

    with database_env(ctx, url):
        command.upgrade(config(ctx, url), revision)
