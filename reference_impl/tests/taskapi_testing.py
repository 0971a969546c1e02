"""Helpers the Task API tests share (fixtures live in ``conftest.py``)."""

import io
import threading
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic.config import Config

REFERENCE_ROOT = Path(__file__).resolve().parent.parent

RowCounter = Callable[..., Awaitable[int]]
"""``await count_rows(table, where="true", **params)``: committed rows of ``table``."""
FaultInjector = Callable[[], AbstractAsyncContextManager[None]]
"""``async with failing_audit_inserts():``: every insert into ``audit_log`` fails meanwhile."""


def alembic_config(database_url: str | None = None, output: io.StringIO | None = None) -> Config:
    """The project's ``alembic.ini``, pointed at ``database_url`` (``env.py`` reads it)."""
    config = Config(str(REFERENCE_ROOT / "alembic.ini"), output_buffer=output)
    if database_url is not None:
        config.attributes["database_url"] = database_url
    return config


def run_alembic(command: Callable[..., Any], config: Config, *args: Any, **kwargs: Any) -> Any:
    """Run an Alembic command in a thread of its own.

    ``env.py`` drives its async engine with ``asyncio.run``, which cannot start inside a
    running event loop; a fresh thread has none, whoever calls this.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = command(config, *args, **kwargs)
        except BaseException as exc:  # re-raised in the calling thread below
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="alembic")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


@dataclass(frozen=True)
class People:
    """Ids of a project and two workers (ids survive a rollback; loaded objects do not)."""

    project_id: int
    alice_id: int
    bot_id: int
