"""How fast the embedded PostgreSQL hands out databases: the figures behind the 60 ms goal.

Prints, on a private cluster (never the shared one, which other runs may be using):

- first start: initdb plus start, paid once per machine;
- cold start: the server stopped, then started (what a run pays when nothing is warm);
- warm start: the server already running (what every later run pays);
- clone + drop of a database holding the Task API schema (median of --runs), against the goal
  of 60 ms, with the ratio to it;
- a statement round trip (``SELECT 1``), raw asyncpg and through an SQLAlchemy AsyncEngine.

The schema is the reference implementation's (``reference_impl/taskapi``) when it imports,
else a comparable one: four tables, JSONB columns, foreign keys with their indexes.

    python bench/db_speed.py [--runs 20] [--data-dir DIR] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from verifier.db.base import Database  # noqa: E402
from verifier.db.binaries import running_as_root  # noqa: E402
from verifier.db.embedded import EmbeddedProvider  # noqa: E402

GOAL_MS = 60.0

COMPARABLE_SCHEMA = """
CREATE TABLE project (
    id serial PRIMARY KEY, name varchar(200) NOT NULL, description text,
    created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE worker (
    id serial PRIMARY KEY, handle varchar(100) NOT NULL UNIQUE, name varchar(200) NOT NULL,
    kind varchar(10) NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE task (
    id serial PRIMARY KEY, title varchar(500) NOT NULL, description text,
    status varchar(20) NOT NULL DEFAULT 'pending', priority varchar(20) NOT NULL DEFAULT 'medium',
    tags jsonb NOT NULL DEFAULT '[]',
    project_id int NOT NULL REFERENCES project(id), assignee_id int REFERENCES worker(id),
    created_by_id int NOT NULL REFERENCES worker(id), parent_task_id int REFERENCES task(id),
    created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, deleted_at timestamptz);
CREATE INDEX ix_task_project_id ON task(project_id);
CREATE INDEX ix_task_assignee_id ON task(assignee_id);
CREATE INDEX ix_task_created_by_id ON task(created_by_id);
CREATE INDEX ix_task_parent_task_id ON task(parent_task_id);
CREATE TABLE audit_log (
    id serial PRIMARY KEY, entity_type varchar(50) NOT NULL, entity_id int NOT NULL,
    action varchar(20) NOT NULL, actor_id int REFERENCES worker(id),
    details jsonb NOT NULL DEFAULT '{}', created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX ix_audit_log_actor_id ON audit_log(actor_id);
"""


def private_dir() -> Path:
    if running_as_root():  # the server's system account must be able to enter every parent
        directory = Path(tempfile.mkdtemp(prefix="rda-bench-", dir="/var/tmp"))
        directory.chmod(0o755)
        return directory
    return Path(tempfile.mkdtemp(prefix="rda-bench-"))


def schema_builder() -> tuple[str, Callable[[Database], None]]:
    """The reference schema's builder when it imports, else the comparable one's."""
    sys.path.insert(0, str(REPO / "reference_impl"))
    try:
        from sqlmodel import SQLModel
        from taskapi import models  # noqa: F401  (registers the tables)

        from verifier.pytest_plugin import metadata_schema

        return "reference_impl/taskapi", metadata_schema(SQLModel.metadata)
    except Exception as exc:
        print(f"(reference schema unavailable: {type(exc).__name__}: {exc})")

    def build(database: Database) -> None:
        import asyncpg

        async def run() -> None:
            conn = await asyncpg.connect(database.dsn)
            try:
                await conn.execute(COMPARABLE_SCHEMA)
            finally:
                await conn.close()

        asyncio.run(run())

    return "comparable (4 tables, JSONB, indexed FKs)", build


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def summary(samples: list[float], digits: int = 1) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return (
        f"median {statistics.median(ordered):7.{digits}f} ms   min {ordered[0]:6.{digits}f}   "
        f"p90 {p90:6.{digits}f}   (n={len(ordered)})"
    )


async def round_trips(database: Database, count: int) -> tuple[list[float], list[float]]:
    import asyncpg
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    raw, orm = [], []
    conn = await asyncpg.connect(database.dsn)
    try:
        for _ in range(count):
            start = time.perf_counter()
            await conn.fetchval("SELECT 1")
            raw.append((time.perf_counter() - start) * 1000)
    finally:
        await conn.close()
    engine = create_async_engine(database.async_url)
    try:
        async with engine.connect() as connection:
            for _ in range(count):
                start = time.perf_counter()
                await connection.execute(text("SELECT 1"))
                orm.append((time.perf_counter() - start) * 1000)
    finally:
        await engine.dispose()
    return raw, orm


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="clone+drop repetitions")
    parser.add_argument("--data-dir", type=Path, help="cluster directory (default: a new one)")
    parser.add_argument("--keep", action="store_true", help="leave the cluster running")
    args = parser.parse_args()

    directory = args.data_dir or private_dir()
    owned_dir = args.data_dir is None
    print(f"cluster: {directory}   load average: {os.getloadavg()[0]:.2f} (2 cores shared)")
    provider = EmbeddedProvider(directory)
    try:
        initialised = provider.cluster.is_initialised()
        first = timed(provider.start)
        label = "start (already initialised)" if initialised else "first start (initdb + start)"
        print(f"{label:34s} {first:7.0f} ms")
        stop = timed(provider.stop)
        print(f"{'stop':34s} {stop:7.0f} ms")
        cold = timed(provider.start)
        print(f"{'cold start (stopped -> ready)':34s} {cold:7.0f} ms")
        provider.close()
        warm = timed(provider.start)
        print(f"{'warm start (server running)':34s} {warm:7.1f} ms")

        name, build = schema_builder()
        template = provider.create_database()
        build(template)
        print(f"schema: {name}")
        print(f"databases in: {provider.memory_directory or 'the data directory (disk)'}")

        samples = []
        for _ in range(args.runs):
            start = time.perf_counter()
            clone = provider.create_database(template=template.name)
            provider.drop_database(clone)
            samples.append((time.perf_counter() - start) * 1000)
        median = statistics.median(samples)
        print(f"{'clone + drop':34s} {summary(samples)}")
        verdict = "meets" if median <= GOAL_MS else "misses"
        print(
            f"{'goal':34s} {GOAL_MS:7.1f} ms   ratio median/goal {median / GOAL_MS:.2f} ({verdict})"
        )

        clone = provider.create_database(template=template.name)
        raw, orm = asyncio.run(round_trips(clone, 200))
        print(f"{'round trip SELECT 1 (asyncpg)':34s} {summary(raw, 3)}")
        print(f"{'round trip SELECT 1 (AsyncEngine)':34s} {summary(orm, 3)}")
    finally:
        if args.keep:
            provider.close()
        elif owned_dir:
            provider.close()
            provider.cluster.destroy()
            shutil.rmtree(directory, ignore_errors=True)
        else:
            provider.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
