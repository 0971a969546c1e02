"""Stage 3, schema: build the schema on PostgreSQL, inspect it, write and read a row per table.

The schema is built the way production builds it — ``alembic upgrade head`` when the target has
migrations (a failure there falls back to ``create_all`` so the behaviour stage can still run;
the migrations stage reports the failure), else ``SQLModel.metadata.create_all``. Then:
foreign keys without an index, JSON where JSONB is meant and timestamps without time zone are
read from the live catalog (so they are caught whatever the model source looks like), one
generated row per table is inserted through the models in FK order and read back, and every
relationship is loaded with ``selectinload``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import uuid
from typing import Any

from verifier import skill_refs
from verifier.findings import Finding
from verifier.stages.codes import finding
from verifier.stages.context import StageContext, describe
from verifier.stages.targetmodels import attribute_location, mapped_classes

STAGE = "schema"


def build_with_alembic(ctx: StageContext, url: str) -> str | None:
    """Run ``alembic upgrade head``; return the failure description, or None when it worked."""
    from verifier.stages.alembic_runner import upgrade

    try:
        upgrade(ctx, url, "head")
    except Exception as exc:
        return describe(exc)
    return None


async def build_with_create_all(url: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool
    from sqlmodel import SQLModel

    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(SQLModel.metadata.create_all)
    finally:
        await engine.dispose()


def inspect_catalog(ctx: StageContext, connection: Any) -> list[Finding]:
    """Findings the live catalog shows: unindexed FKs, JSON columns, naive timestamps."""
    from sqlalchemy import inspect
    from sqlalchemy.dialects.postgresql import JSON, JSONB
    from sqlalchemy.types import DateTime

    classes = {cls.__table__.name: cls for cls in mapped_classes()}
    inspector = inspect(connection)
    findings: list[Finding] = []
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        cls = classes.get(table)
        indexed: list[list[str]] = [list(i["column_names"]) for i in inspector.get_indexes(table)]
        indexed.append(list(inspector.get_pk_constraint(table)["constrained_columns"]))
        indexed += [list(u["column_names"]) for u in inspector.get_unique_constraints(table)]
        for fk in inspector.get_foreign_keys(table):
            cols = list(fk["constrained_columns"])
            if not any(sorted(ix[: len(cols)]) == sorted(cols) for ix in indexed if ix):
                file, line = attribute_location(ctx, cls, cols[0])
                findings.append(
                    Finding(
                        code="RDA202",
                        message=(
                            f"foreign key {table}.{', '.join(cols)} → {fk['referred_table']} has "
                            "no index: joins and ON DELETE checks scan the whole table"
                        ),
                        file=file,
                        line=line,
                        stage=STAGE,
                        fix="Field(foreign_key=..., index=True) (and an index in the migration)",
                        skill_ref=skill_refs.MODELS_FOREIGN_KEYS,
                    )
                )
        for column in inspector.get_columns(table):
            kind = column["type"]
            file, line = attribute_location(ctx, cls, column["name"])
            if isinstance(kind, JSON) and not isinstance(kind, JSONB):
                findings.append(
                    Finding(
                        code="RDA204",
                        message=f"{table}.{column['name']} is json, not jsonb: no GIN index, "
                        "no containment operators, reparsed on every read",
                        file=file,
                        line=line,
                        stage=STAGE,
                        fix="sa_column=Column(JSONB, ...) from sqlalchemy.dialects.postgresql",
                        skill_ref=skill_refs.MODELS_JSONB,
                    )
                )
            if isinstance(kind, DateTime) and not kind.timezone:
                findings.append(
                    Finding(
                        code="RDA201",
                        message=f"{table}.{column['name']} is timestamp without time zone: "
                        "values lose their offset and compare wrongly across zones",
                        file=file,
                        line=line,
                        stage=STAGE,
                        fix="DateTime(timezone=True) and values from datetime.now(UTC)",
                        skill_ref=skill_refs.MODELS_TIMESTAMPS,
                    )
                )
    return findings


def sample_value(column: Any) -> tuple[bool, Any]:
    """A value of the column's type (``(False, None)`` when no sensible value is known)."""
    from sqlalchemy import types as t
    from sqlalchemy.dialects import postgresql as pg

    kind = column.type
    while isinstance(kind, t.TypeDecorator):  # SQLModel's AutoString and datetime types
        kind = kind.impl_instance
    if isinstance(kind, t.Enum):
        if kind.enum_class is not None:
            return True, next(iter(kind.enum_class))
        return True, kind.enums[0]
    if isinstance(kind, (pg.JSONB, t.JSON)):
        default = str(getattr(column.server_default, "arg", "") or "")
        return True, (["rda", "x"] if "[" in default else {"rda": [1, "x"], "n": 2})
    if isinstance(kind, t.Boolean):
        return True, True
    if isinstance(kind, t.Integer):
        return True, 7
    if isinstance(kind, t.Numeric):
        return True, (1.5 if isinstance(kind, t.Float) else decimal.Decimal("1.5"))
    if isinstance(kind, t.DateTime):
        now = dt.datetime.now(dt.UTC).replace(microsecond=123456)
        return True, (now if kind.timezone else now.replace(tzinfo=None))
    if isinstance(kind, t.Date):
        return True, dt.date(2026, 1, 2)
    if isinstance(kind, t.Time):
        return True, dt.time(12, 30)
    if isinstance(kind, t.Interval):
        return True, dt.timedelta(minutes=5)
    if isinstance(kind, t.Uuid):
        return True, uuid.uuid4()
    if isinstance(kind, t.LargeBinary):
        return True, b"rda"
    if isinstance(kind, t.String):
        length = getattr(kind, "length", None) or 16
        return True, "rda-value"[:length]
    if isinstance(kind, t.ARRAY):
        return True, []
    return False, None


async def round_trip(ctx: StageContext, engine: Any) -> None:
    """Insert one generated row per table in FK order through the models, then read it back."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload
    from sqlmodel import SQLModel
    from sqlmodel.ext.asyncio.session import AsyncSession

    classes = {cls.__table__: cls for cls in mapped_classes()}
    created: dict[str, dict[str, Any]] = {}  # table -> primary key values of its row
    for table in SQLModel.metadata.sorted_tables:
        cls = classes.get(table)
        if cls is None:
            continue
        ctx.check_started(f"round trip {table.name}")
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
            ok, value = sample_value(column)
            if ok:
                values[prop.key] = value
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
            created[table.name] = pk
            async with AsyncSession(engine) as session:
                key = tuple(pk.values())
                back = await session.get(cls, key[0] if len(key) == 1 else key)
                diffs = []
                for attr, sent in values.items():
                    got = getattr(back, attr)
                    if got != sent:
                        diffs.append(f"{attr}: wrote {sent!r}, read {got!r}")
                if diffs:
                    ctx.report(
                        finding(
                            "RDA704",
                            f"{cls.__name__} does not read back what was written: "
                            + "; ".join(diffs),
                            stage=STAGE,
                            file=file,
                            line=line,
                        )
                    )
        except Exception as exc:
            ctx.report(
                finding(
                    "RDA704",
                    f"writing a {cls.__name__} row failed: {describe(exc)}",
                    stage=STAGE,
                    file=file,
                    line=line,
                    details={"values": repr(values)},
                )
            )
    for cls in classes.values():
        relationships = list(cls.__mapper__.relationships)
        if not relationships:
            continue
        ctx.check_started(f"load relationships of {cls.__name__}")
        try:
            async with AsyncSession(engine) as session:
                stmt = select(cls).options(
                    *[selectinload(getattr(cls, rel.key)) for rel in relationships]
                )
                await session.exec(stmt)  # type: ignore[call-overload]
        except Exception as exc:
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


async def check_built_schema(ctx: StageContext, url: str) -> None:
    """Inspect the catalog, then write and read a row per table: one engine for both."""
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            findings = await conn.run_sync(lambda sync: inspect_catalog(ctx, sync))
        for f in findings:
            ctx.report(f)
        await round_trip(ctx, engine)
    finally:
        await engine.dispose()


def run(ctx: StageContext) -> str:
    url = ctx.databases["main"]
    ctx.check_started("build schema")
    how = "create_all"
    if ctx.target.alembic_ini:
        failure = build_with_alembic(ctx, url)
        if failure is None:
            how = "alembic upgrade head"
        else:
            ctx.writer.emit(
                "note",
                stage=STAGE,
                text=f"alembic upgrade failed ({failure}); "
                "built the schema with create_all instead",
            )
    if how == "create_all":
        try:
            asyncio.run(build_with_create_all(url))
        except Exception as exc:
            file, line = ctx.location_of(exc)
            ctx.report(
                finding(
                    "RDA703",
                    f"create_all failed: {describe(exc)}",
                    stage=STAGE,
                    file=file,
                    line=line,
                )
            )
            return "failed"
    ctx.check_started("inspect catalog")
    asyncio.run(check_built_schema(ctx, url))
    return "passed"
