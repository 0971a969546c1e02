"""Building the target's schema on the main database: its migrations, else ``create_all``."""

from __future__ import annotations

import asyncio

from verifier.stages.codes import finding
from verifier.stages.context import StageContext, describe

STAGE = "schema"


def build_with_alembic(ctx: StageContext, url: str) -> str | None:
    """Run ``alembic upgrade heads``; return the failure description, or None when it worked."""
    from verifier.stages.alembic_runner import upgrade

    try:
        upgrade(ctx, url, "heads")
    except Exception as exc:  # the migrations stage reports the target's migration failures
        return describe(exc)
    return None


async def reset_schema(url: str) -> None:
    """Drop everything in the public schema (the database is this run's own)."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


async def build_with_create_all(url: str, *, reset: bool = False) -> None:
    """``create_all``; with ``reset``, first drop what a failed upgrade left half-built."""
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    from verifier.stages.targetmodels import target_metadata

    engine = create_async_engine(url, poolclass=NullPool)
    try:
        if reset:
            await reset_schema(url)
        async with engine.begin() as conn:
            for metadata in target_metadata():
                await conn.run_sync(metadata.create_all)
    finally:
        await engine.dispose()


def build_schema(ctx: StageContext, url: str) -> bool:
    """Build the schema the way the target does; False (and a finding) when nothing was built."""
    ctx.check_started("build schema")
    reset = False
    if "migrated main" in ctx.built:  # the migrations stage ran here first: start from empty
        asyncio.run(reset_schema(url))
    if ctx.target.alembic_ini:
        failure = build_with_alembic(ctx, url)
        if failure is None:
            return True
        ctx.writer.emit(
            "note",
            stage=STAGE,
            text=f"alembic upgrade failed ({failure}); built the schema with create_all instead",
        )
        reset = True
    try:
        asyncio.run(build_with_create_all(url, reset=reset))
    except Exception as exc:  # the database refused the target's DDL
        file, line = ctx.location_of(exc)
        ctx.report(
            finding(
                "RDA703", f"create_all failed: {describe(exc)}", stage=STAGE, file=file, line=line
            )
        )
        return False
    return True


def run(ctx: StageContext) -> str:
    """The schema built for the behaviour checks when another child reports the schema stage."""
    if not build_schema(ctx, ctx.databases["main"]):
        return "failed"
    ctx.built.add("schema")
    return "passed"
