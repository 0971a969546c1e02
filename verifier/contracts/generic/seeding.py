"""Rows for the calls to read: a generated row per table, then more of them.

Per table, in foreign-key order, an *anchor* row (its foreign keys point at the parents'
anchors, a self-reference stays empty) and then ``rows - 1`` more whose foreign keys all point
at the anchors too: a function given the anchors' ids reads every row of its children, so its
statement count can be compared between a small and a large seed. Values come from the
models: only what a row needs (defaults, nullable columns and ``default_factory`` left alone),
strings within the column lengths, enum members. A table whose unique keys could not take
several generated rows gets its anchor only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from verifier.stages.schema.samples import sample_value
from verifier.stages.targetmodels import mapped_classes, sorted_tables


class SeedFailed(Exception):
    """The models or the database refused a generated row: the checks cannot run on it."""


@dataclass
class Seed:
    """What was seeded: each table's anchor primary key, and the rows per table."""

    anchors: dict[str, Any] = field(default_factory=dict)  # table name -> single pk value
    rows: int = 0

    def anchor(self, table: str) -> Any:
        return self.anchors.get(table)


def _annotation(cls: Any, key: str) -> Any:
    info = getattr(cls, "model_fields", {}).get(key)
    return getattr(info, "annotation", None)


def _has_python_default(cls: Any, key: str) -> bool:
    info = getattr(cls, "model_fields", {}).get(key)
    return info is not None and not info.is_required()


def _varies(column: Any) -> bool:
    """Whether generated values of this column differ from row to row."""
    from sqlalchemy import types as t

    kind = column.type
    while isinstance(kind, t.TypeDecorator):
        kind = kind.impl_instance
    if column.foreign_keys or isinstance(kind, (t.Enum, t.Boolean, t.JSON, t.DateTime)):
        return False
    return isinstance(kind, (t.String, t.Integer, t.Numeric, t.Date, t.Uuid))


def _left_to_defaults(cls: Any, key: str, column: Any) -> bool:
    return bool(
        column.nullable
        or column.default is not None
        or column.server_default is not None
        or (cls is not None and _has_python_default(cls, key))
    )


def _single_row(table: Any, cls: Any) -> bool:
    """Whether a unique key of the table would repeat across generated rows."""
    from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint

    keys = [
        list(c.columns)
        for c in table.constraints
        if isinstance(c, (UniqueConstraint, PrimaryKeyConstraint))
    ]
    keys += [list(i.columns) for i in table.indexes if i.unique]
    keys += [[c] for c in table.columns if c.unique]
    for columns in keys:
        if any(_generated_key(c) for c in columns):
            continue  # a generated key never repeats
        if not any(_varies(c) and not c.nullable for c in columns):
            return True
    return False


def row_values(table: Any, cls: Any, seed: Seed, seq: int, self_parent: Any) -> dict[str, Any]:
    """The values of one generated row, by attribute name (column name for a bare table)."""
    values: dict[str, Any] = {}
    for column in table.columns:
        key = column.name
        if cls is not None:
            key = cls.__mapper__.get_property_by_column(column).key
        fks = list(column.foreign_keys)
        if fks:
            parent = fks[0].column.table
            target = self_parent if parent is table else seed.anchor(parent.name)
            if target is None and not column.nullable:
                raise SeedFailed(f"{table.name}.{column.name}: no {parent.name} row to point at")
            if target is not None:
                values[key] = target
            continue
        if _generated_key(column):
            continue
        if _left_to_defaults(cls, key, column):
            continue
        ok, value = sample_value(column, _annotation(cls, key) if cls else None, seq=seq)
        if not ok:
            raise SeedFailed(f"{table.name}.{column.name}: no value known for {column.type}")
        values[key] = value
    return values


def _generated_key(column: Any) -> bool:
    """An integer primary key the database numbers itself."""
    from sqlalchemy import types as t

    kind = column.type
    while isinstance(kind, t.TypeDecorator):
        kind = kind.impl_instance
    return bool(
        column.primary_key
        and not column.foreign_keys
        and column.autoincrement is not False
        and isinstance(kind, t.Integer)
    )


def _primary_key(table: Any, cls: Any, obj: Any) -> Any:
    columns = list(table.primary_key.columns)
    if len(columns) != 1:
        return None
    key = cls.__mapper__.get_property_by_column(columns[0]).key
    return getattr(obj, key)


async def seed(probe: Any, rows: int, grow: Seed | None = None) -> Seed:
    """``rows`` generated rows per table (one for tables that cannot take more).

    The tables are emptied first, in the same transaction; with ``grow`` (a seed still in the
    tables as it was made) its rows stay and only the missing ones are added. Raises
    ``SeedFailed`` (with the reason) when the models or the database refuse a row.
    """
    from sqlalchemy import insert, text
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.ext.asyncio import AsyncSession

    classes = {cls.__table__: cls for cls in mapped_classes()}
    result = Seed(anchors=dict(grow.anchors) if grow else {}, rows=rows)
    start = grow.rows if grow else 0
    tables = sorted_tables()
    table = None
    try:
        async with AsyncSession(probe, expire_on_commit=False) as session:
            if grow is None:
                await session.execute(text("SET LOCAL lock_timeout = '3s'"))
                for table in reversed(tables):
                    await session.execute(text(f'DELETE FROM "{table.name}"'))
            for table in tables:
                cls = classes.get(table)
                count = 1 if _single_row(table, cls) else rows
                for seq in range(start, count):
                    anchor = result.anchor(table.name)
                    values = row_values(table, cls, result, seq, anchor)
                    if cls is None:
                        await session.execute(insert(table).values(**values))
                        continue
                    obj = cls(**values)
                    session.add(obj)
                    if seq == 0:  # its children point at it: its key is needed now
                        await session.flush()
                        result.anchors[table.name] = _primary_key(table, cls, obj)
            await session.commit()
    except SeedFailed:
        raise
    except (SQLAlchemyError, ValueError) as exc:  # the database or a model refused the row
        from verifier.stages.context import describe

        where = f" a {table.name} row" if table is not None else ""
        raise SeedFailed(f"writing{where} failed: {describe(exc)}") from exc
    return result
