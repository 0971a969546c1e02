"""Rows written through the target's models and read back (RDA704), relationships loaded.

Per table, in foreign-key order, two rows: one with a value for every column (what is written
must read back equal: lost time zones, truncated strings and type mismatches show here), and one
with only the values a caller must give (so the models' ``default``, ``default_factory`` and
``server_default`` run against PostgreSQL, the way a real insert runs them). Then every
relationship of every class is loaded with ``selectinload`` (RDA702 when that fails).
"""

from __future__ import annotations

from typing import Any

from verifier.stages.codes import finding
from verifier.stages.context import StageContext, describe
from verifier.stages.schema.defaults import Naive
from verifier.stages.schema.samples import sample_value
from verifier.stages.targetmodels import attribute_location, mapped_classes, sorted_tables

STAGE = "schema"
UNLOADABLE = ("dynamic", "write_only", "noload")  # strategies selectinload cannot apply


def _annotation(cls: Any, key: str) -> Any:
    field = getattr(cls, "model_fields", {}).get(key)
    return getattr(field, "annotation", None)


def full_values(cls: Any, table: Any, created: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A value for every column but generated primary keys; parents from earlier rows."""
    values: dict[str, Any] = {}
    mapper = cls.__mapper__
    for column in table.columns:
        if column.primary_key and not column.foreign_keys:
            continue
        prop = mapper.get_property_by_column(column)
        fks = list(column.foreign_keys)
        if fks:
            parent = fks[0].column
            row = created.get(parent.table.name)
            if row is not None and parent.table is not table:
                values[prop.key] = row[parent.name]
            continue
        ok, value = sample_value(column, _annotation(cls, prop.key), seq=0)
        if ok:
            values[prop.key] = value
    return values


def required_values(
    cls: Any, table: Any, created: dict[str, dict[str, Any]], naive: Naive
) -> dict[str, Any] | None:
    """Only what a caller must pass; None when a required value cannot be made up.

    ``created`` holds the parents this row points at: the parents' own required-values rows
    where they were written, so the two rows of a table never share all their parents (a
    link table keyed by its two foreign keys, a one-to-one foreign key, hold one row per
    parent pair).
    """
    import datetime as dt

    values: dict[str, Any] = {}
    mapper = cls.__mapper__
    for key, field in getattr(cls, "model_fields", {}).items():
        if (cls, key) in naive:  # reported already: step over it so the rest is checked
            values[key] = dt.datetime.now(dt.UTC)
            continue
        if not field.is_required():
            continue
        prop = mapper.attrs.get(key)
        columns = getattr(prop, "columns", None)
        if not columns:
            continue
        column = columns[0]
        fks = list(column.foreign_keys)
        if fks:
            parent = fks[0].column
            row = created.get(parent.table.name)
            if row is None or parent.table is table:
                return None
            values[key] = row[parent.name]
            continue
        ok, value = sample_value(column, field.annotation, seq=1)
        if not ok:
            return None
        values[key] = value
    return values


async def write_and_read(
    ctx: StageContext, engine: Any, cls: Any, values: dict[str, Any], how: str
) -> dict[str, Any] | None:
    """Insert one row, read it back in a new session; its primary key, or None on failure."""
    from sqlmodel.ext.asyncio.session import AsyncSession

    table = cls.__table__
    mapper = cls.__mapper__
    file, line = attribute_location(ctx, cls, None)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            obj = cls(**values)
            session.add(obj)
            await session.commit()
            pk = {
                c.name: getattr(obj, mapper.get_property_by_column(c).key)
                for c in table.primary_key.columns
            }
        async with AsyncSession(engine) as session:
            key = tuple(pk.values())
            back = await session.get(cls, key[0] if len(key) == 1 else key)
            diffs = [
                f"{attr}: wrote {sent!r}, read {getattr(back, attr)!r}"
                for attr, sent in values.items()
                if getattr(back, attr) != sent
            ]
    except Exception as exc:  # the target's model or the database refused the row
        ctx.report(
            finding(
                "RDA704",
                f"writing a {cls.__name__} row {how} failed: {describe(exc)}",
                stage=STAGE,
                file=file,
                line=line,
                details={"values": repr(values)},
            )
        )
        return None
    if diffs:
        ctx.report(
            finding(
                "RDA704",
                f"{cls.__name__} does not read back what was written: " + "; ".join(diffs),
                stage=STAGE,
                file=file,
                line=line,
            )
        )
    return pk


async def load_relationships(ctx: StageContext, engine: Any, cls: Any) -> None:
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload
    from sqlmodel.ext.asyncio.session import AsyncSession

    relationships = [r for r in cls.__mapper__.relationships if r.lazy not in UNLOADABLE]
    if not relationships:
        return
    ctx.check_started(f"load relationships of {cls.__name__}")
    try:
        async with AsyncSession(engine) as session:
            stmt = select(cls).options(*[selectinload(getattr(cls, r.key)) for r in relationships])
            await session.exec(stmt)  # type: ignore[call-overload]
    except Exception as exc:  # the target's relationship configuration
        file, line = attribute_location(ctx, cls, relationships[0].key)
        ctx.report(
            finding(
                "RDA702",
                f"loading the relationships of {cls.__name__} failed: {describe(exc)}",
                stage=STAGE,
                file=file,
                line=line,
            )
        )


async def round_trip(ctx: StageContext, engine: Any, naive_defaults: Naive) -> None:
    """Two rows per table (every column / only the required ones), then the relationships."""
    classes = {cls.__table__: cls for cls in mapped_classes()}
    created: dict[str, dict[str, Any]] = {}  # table -> primary key values of its full row
    created_minimal: dict[str, dict[str, Any]] = {}  # ... of its required-values row
    for table in sorted_tables():
        cls = classes.get(table)
        if cls is None:
            continue
        ctx.check_started(f"round trip {table.name}")
        pk = await write_and_read(
            ctx, engine, cls, full_values(cls, table, created), "with a value for every column"
        )
        if pk is not None:
            created[table.name] = pk
        ctx.check_started(f"defaults of {table.name}")
        minimal = required_values(cls, table, {**created, **created_minimal}, naive_defaults)
        if minimal is not None:
            pk = await write_and_read(ctx, engine, cls, minimal, "with only the required values")
            if pk is not None:
                created_minimal[table.name] = pk
    for cls in classes.values():
        await load_relationships(ctx, engine, cls)
