"""Finding the target's mapped classes and pointing at the line that defines an attribute."""

from __future__ import annotations

import inspect
import re
from typing import Any

from verifier.stages.context import StageContext


def mapped_classes() -> list[Any]:
    """Every class mapped to a table in SQLModel's registry (the target imported them)."""
    from sqlmodel import SQLModel

    registry = SQLModel._sa_registry
    return [m.class_ for m in registry.mappers if getattr(m, "local_table", None) is not None]


def find_class(name: str) -> Any | None:
    for cls in mapped_classes():
        if cls.__name__ == name:
            return cls
    return None


def attribute_location(
    ctx: StageContext, cls: Any | None, attribute: str | None
) -> tuple[str | None, int | None]:
    """File and line of ``cls.attribute`` in the target (the class line when not found)."""
    if cls is None:
        return None, None
    try:
        file = inspect.getsourcefile(cls)
        lines, start = inspect.getsourcelines(cls)
    except (TypeError, OSError):
        return None, None
    rel = ctx.relative(file)
    if rel is None:
        return None, None
    if attribute:
        pattern = re.compile(rf"^\s*{re.escape(attribute)}\s*[:=]")
        for offset, text in enumerate(lines):
            if pattern.match(text):
                return rel, start + offset
    return rel, start
