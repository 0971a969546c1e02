"""A session from the target's own ``get_session``, in whatever shape the target wrote it.

FastAPI projects write the dependency as an async generator (committing after ``yield`` in the
unit-of-work style), others as an ``@asynccontextmanager``, a plain factory or a coroutine that
returns a session. Every contract opens sessions through this one function, so each shape is
driven the way its own framework would drive it: a generator as ``contextlib.
asynccontextmanager`` does it for FastAPI (the code after ``yield`` runs, an exception is
thrown in so its ``except`` can roll back), a context manager entered and exited, a returned
session closed.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any


@asynccontextmanager
async def open_session(get_session: Callable[[], Any]) -> AsyncIterator[Any]:
    produced = get_session()
    if inspect.isasyncgen(produced):
        async with asynccontextmanager(lambda: produced)() as session:
            yield session
    elif hasattr(produced, "__aenter__"):  # @asynccontextmanager, or a sessionmaker() itself
        async with produced as session:
            yield session
    else:  # a plain factory, or a coroutine returning the session: we close it
        session = await produced if inspect.isawaitable(produced) else produced
        try:
            yield session
        finally:
            await session.close()
