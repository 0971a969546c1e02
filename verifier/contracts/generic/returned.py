"""The ORM objects inside what a call returned, and which of their columns are not loaded.

A result is walked without touching the database: lists, tuples, sets, dicts (their values),
result rows, dataclasses and pydantic models are looked into, and the relationships an ORM
object has *loaded* are followed (never one that is not: that read would be I/O itself).
Attribute state comes from ``sqlalchemy.inspect``, never from reading the attribute.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

LIMIT = 5000  # objects looked at per result: a bound, whatever the target returns


def _state(value: Any) -> Any | None:
    from sqlalchemy import inspect as sa_inspect
    from sqlalchemy.orm import InstanceState

    if isinstance(value, type):
        return None
    state = sa_inspect(value, raiseerr=False)
    return state if isinstance(state, InstanceState) else None


def _children(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}[{key!r}]", item
    elif isinstance(value, list | tuple | set | frozenset):
        for i, item in enumerate(value):
            yield f"{path}[{i}]", item
    elif hasattr(value, "_mapping") and hasattr(value, "_fields"):  # a result Row
        for i, item in enumerate(tuple(value)):
            yield f"{path}[{i}]", item
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield f"{path}.{f.name}", getattr(value, f.name, None)
    elif hasattr(type(value), "model_fields") and isinstance(
        getattr(value, "__dict__", None), dict
    ):
        for key in type(value).model_fields:
            if key in value.__dict__:
                yield f"{path}.{key}", value.__dict__[key]


def orm_objects(result: Any, path: str = "the result") -> Iterator[tuple[str, Any, Any]]:
    """``(path, object, state)`` of every persistent ORM object reachable in ``result``."""
    seen: set[int] = set()
    stack: list[tuple[str, Any]] = [(path, result)]
    while stack and len(seen) < LIMIT:
        where, value = stack.pop()
        if value is None or isinstance(value, str | bytes | int | float | bool):
            continue
        if id(value) in seen:
            continue
        seen.add(id(value))
        state = _state(value)
        if state is None:
            stack.extend(reversed(list(_children(value, where))))
            continue
        if state.key is not None:  # has an identity: persistent or detached
            yield where, value, state
        for rel in state.mapper.relationships:
            if rel.key not in state.dict:
                continue
            loaded = state.dict[rel.key]
            if isinstance(loaded, list | tuple | set):
                stack.extend((f"{where}.{rel.key}[{i}]", v) for i, v in enumerate(loaded))
            else:
                stack.append((f"{where}.{rel.key}", loaded))


def stale_columns(state: Any) -> list[str]:
    """Column attributes that reading would load: expired, or never loaded (deferred aside)."""
    columns = {attr.key for attr in state.mapper.column_attrs if not attr.deferred}
    return sorted(columns & (set(state.expired_attributes) | set(state.unloaded)))
