"""Stage 3, schema: build the schema on PostgreSQL, inspect it, write and read rows per table.

The schema is built the way production builds it (``build``): ``alembic upgrade head`` when the
target has migrations (a failure there falls back to ``create_all`` so the behaviour stage can
still run; the migrations stage reports the failure), else ``create_all`` on the models' metadata.
Then, one module per kind of finding:

- ``catalog``: the live catalog's foreign keys without an index, JSON where JSONB is meant and
  timestamps without time zone (caught whatever the model source looks like);
- ``defaults``: every Python-side default the models declare, evaluated: a naive datetime
  default is rejected by SQLModel at the first real insert;
- ``roundtrip``: one row per table written with a value for every column and read back, one
  written with only the required values (so ``default``, ``default_factory`` and
  ``server_default`` run against PostgreSQL), and every relationship loaded with
  ``selectinload``.

A finding here does not stop the behaviour stage: the schema exists, only a schema that could
not be built at all does (``ctx.built``).
"""

from __future__ import annotations

import asyncio

from verifier.stages.context import StageContext
from verifier.stages.schema import build, catalog, defaults, roundtrip

STAGE = "schema"


async def check_built_schema(ctx: StageContext, url: str) -> None:
    """Inspect the catalog, then write and read rows: one engine for all of it."""
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        ctx.check_started("inspect catalog")
        async with engine.connect() as conn:
            findings = await conn.run_sync(lambda sync: catalog.inspect_catalog(ctx, sync))
        for found in findings:
            ctx.report(found)
        ctx.check_started("evaluate defaults")
        naive = defaults.check_defaults(ctx)
        await roundtrip.round_trip(ctx, engine, naive_defaults=naive)
    finally:
        await engine.dispose()


def run(ctx: StageContext) -> str:
    url = ctx.databases["main"]
    if not build.build_schema(ctx, url):
        return "failed"
    ctx.built.add("schema")
    asyncio.run(check_built_schema(ctx, url))
    return "passed"
