"""Finding the target's mapped classes and pointing at the lines that define an attribute.

Dynamic findings are pinned to the target's source the way a static rule would pin them, so
that the two can be recognised as one defect (``verifier.verify.merge``): a column is located
at the statement that declares its attribute, searched along the class's bases (a mixin's
``created_at`` is declared in the mixin), and reported with the statement's first and last line.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass
from typing import Any

from verifier.stages.context import StageContext


@dataclass(frozen=True, slots=True)
class Place:
    """Where a class or attribute is declared: file relative to the target, first/last line."""

    file: str | None = None
    line: int | None = None
    end_line: int | None = None

    def details(self) -> dict[str, object]:
        """What a finding carries so that a static finding inside the span matches it."""
        if self.line is None:
            return {}
        return {"lines": [self.line, self.end_line or self.line]}


def mapped_classes() -> list[Any]:
    """Every class mapped to a table in SQLModel's registry (the target imported them)."""
    from sqlmodel import SQLModel

    registry = SQLModel._sa_registry
    return [m.class_ for m in registry.mappers if getattr(m, "local_table", None) is not None]


def target_metadata() -> list[Any]:
    """Every ``MetaData`` the target's tables live on.

    Usually ``SQLModel.metadata``; a layer may give its tables a ``MetaData`` of its own (for a
    naming convention, say), and its tables are no less its tables.
    """
    from sqlmodel import SQLModel

    found = [SQLModel.metadata]
    for cls in mapped_classes():
        metadata = cls.__table__.metadata
        if all(metadata is not known for known in found):
            found.append(metadata)
    return [m for m in found if m.tables]


def sorted_tables() -> list[Any]:
    """The target's tables, parents before children, across all of its ``MetaData``."""
    from sqlalchemy.sql.ddl import sort_tables

    return list(sort_tables([t for m in target_metadata() for t in m.tables.values()]))


def find_class(name: str) -> Any | None:
    for cls in mapped_classes():
        if cls.__name__ == name:
            return cls
    return None


def _class_source(cls: Any) -> tuple[str, list[str], int] | None:
    try:
        file = inspect.getsourcefile(cls)
        lines, start = inspect.getsourcelines(cls)
    except (TypeError, OSError):
        return None
    if file is None:
        return None
    return file, lines, start


def _declaration(lines: list[str], attribute: str) -> tuple[int, int] | None:
    """Offsets (0-based, within the class source) of the statement declaring ``attribute``."""
    try:
        tree = ast.parse(textwrap.dedent("".join(lines)))
    except SyntaxError:
        return None
    if not tree.body or not isinstance(tree.body[0], ast.ClassDef):
        return None
    for node in tree.body[0].body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        elif isinstance(node, ast.Assign):
            targets = list(node.targets)
        if any(isinstance(t, ast.Name) and t.id == attribute for t in targets):
            return node.lineno - 1, (node.end_lineno or node.lineno) - 1
    return None


def attribute_place(ctx: StageContext, cls: Any | None, attribute: str | None) -> Place:
    """Where ``cls.attribute`` is declared in the target (the class line when not found)."""
    if cls is None:
        return Place()
    fallback = Place()
    for owner in inspect.getmro(cls):
        source = _class_source(owner)
        if source is None:
            continue
        file, lines, start = source
        rel = ctx.relative(file)
        if rel is None:
            continue
        if owner is cls:
            fallback = Place(rel, start)
        if attribute is None:
            return fallback
        span = _declaration(lines, attribute)
        if span is not None:
            return Place(rel, start + span[0], start + span[1])
    return fallback


def attribute_location(
    ctx: StageContext, cls: Any | None, attribute: str | None
) -> tuple[str | None, int | None]:
    """File and line of ``cls.attribute`` in the target (the class line when not found)."""
    place = attribute_place(ctx, cls, attribute)
    return place.file, place.line


def column_attribute(cls: Any | None, column_name: str) -> str:
    """The attribute a table column is mapped to (they differ with ``sa_column_kwargs`` names)."""
    from sqlalchemy.orm.exc import UnmappedColumnError

    if cls is None:
        return column_name
    try:
        column = cls.__table__.c[column_name]
        return str(cls.__mapper__.get_property_by_column(column).key)
    except (KeyError, UnmappedColumnError):  # not mapped: the column name is the best guess
        return column_name
