"""What a database holds besides PostgreSQL's own catalog, to tell what a downgrade left behind.

``alembic downgrade base`` that "succeeds" can still leave enum types, sequences, functions or
whole tables behind; the next ``upgrade`` then fails with "type already exists". Comparing two
snapshots of the catalog (before the upgrade, after the downgrade) names every leftover, and the
same snapshot drives the one-step stairway (the schema after ``-1`` must equal the schema before
``+1``).

Alembic's version table is not a leftover: alembic keeps it, empty, at base. It is recognised by
its shape (one column, ``version_num``) rather than by name, because ``env.py`` may rename it.
Objects that belong to an extension are reported as the extension, not one by one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

SNAPSHOT_SQL = r"""
WITH user_ns AS (
    SELECT oid, nspname FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema')
      AND nspname NOT LIKE 'pg\_toast%' AND nspname NOT LIKE 'pg\_temp\_%'
),
extension_members AS (
    SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
),
version_tables AS (
    SELECT c.oid FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r'
      AND ARRAY(
            SELECT a.attname::text FROM pg_attribute a
            WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
          ) = ARRAY['version_num']
),
relations AS (
    SELECT c.oid, c.relkind, n.nspname, c.relname,
           CASE
               WHEN c.relkind IN ('i', 'I') THEN (
                   SELECT format('%I.%I', tn.nspname, t.relname) FROM pg_index i
                   JOIN pg_class t ON t.oid = i.indrelid
                   JOIN pg_namespace tn ON tn.oid = t.relnamespace
                   WHERE i.indexrelid = c.oid)
               WHEN c.relkind = 'S' THEN (
                   SELECT format('%I.%I', tn.nspname, t.relname) FROM pg_depend d
                   JOIN pg_class t ON t.oid = d.refobjid
                   JOIN pg_namespace tn ON tn.oid = t.relnamespace
                   WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                     AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
                   LIMIT 1)
               ELSE ''
           END AS owner
    FROM pg_class c
    JOIN user_ns n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'i', 'I', 'c')
      AND c.oid NOT IN (SELECT oid FROM version_tables)
      AND NOT EXISTS (
            SELECT 1 FROM pg_index i
            WHERE i.indexrelid = c.oid AND i.indrelid IN (SELECT oid FROM version_tables))
      AND NOT EXISTS (
            SELECT 1 FROM extension_members e
            WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid)
)
SELECT 'schema' AS kind, nspname AS name, format('%I', nspname) AS ident, '' AS owner
FROM user_ns
UNION ALL
SELECT CASE relkind
           WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'f' THEN 'foreign table'
           WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence'
           WHEN 'c' THEN 'composite type' ELSE 'index' END,
       nspname || '.' || relname, format('%I.%I', nspname, relname), coalesce(owner, '')
FROM relations
UNION ALL
SELECT 'column',
       r.nspname || '.' || r.relname || '.' || a.attname || ' '
           || format_type(a.atttypid, a.atttypmod)
           || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END,
       format('%I.%I', r.nspname, r.relname), format('%I.%I', r.nspname, r.relname)
FROM relations r JOIN pg_attribute a ON a.attrelid = r.oid
WHERE r.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'constraint', r.nspname || '.' || r.relname || '.' || co.conname,
       format('%I.%I', r.nspname, r.relname), format('%I.%I', r.nspname, r.relname)
FROM pg_constraint co JOIN relations r ON r.oid = co.conrelid
UNION ALL
SELECT 'trigger', r.nspname || '.' || r.relname || '.' || t.tgname,
       format('%I.%I', r.nspname, r.relname), format('%I.%I', r.nspname, r.relname)
FROM pg_trigger t JOIN relations r ON r.oid = t.tgrelid
WHERE NOT t.tgisinternal
UNION ALL
SELECT CASE t.typtype WHEN 'e' THEN 'enum type' WHEN 'd' THEN 'domain' ELSE 'range type' END,
       n.nspname || '.' || t.typname, format('%I.%I', n.nspname, t.typname), ''
FROM pg_type t JOIN user_ns n ON n.oid = t.typnamespace
WHERE t.typtype IN ('e', 'd', 'r')
  AND NOT EXISTS (
        SELECT 1 FROM extension_members e
        WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid)
UNION ALL
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END,
       n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), ''
FROM pg_proc p JOIN user_ns n ON n.oid = p.pronamespace
WHERE NOT EXISTS (
        SELECT 1 FROM extension_members e
        WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid)
UNION ALL
SELECT 'extension', extname, format('%I', extname), '' FROM pg_extension
"""

VERSION_TABLES_SQL = r"""
SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND ARRAY(
        SELECT a.attname::text FROM pg_attribute a
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      ) = ARRAY['version_num']
"""

# How to drop a leftover of each kind; kinds absent here go away with their table.
DROP_STATEMENTS = {
    "extension": "DROP EXTENSION IF EXISTS {} CASCADE",
    "schema": "DROP SCHEMA IF EXISTS {} CASCADE",
    "table": "DROP TABLE IF EXISTS {} CASCADE",
    "foreign table": "DROP FOREIGN TABLE IF EXISTS {} CASCADE",
    "view": "DROP VIEW IF EXISTS {} CASCADE",
    "materialized view": "DROP MATERIALIZED VIEW IF EXISTS {} CASCADE",
    "sequence": "DROP SEQUENCE IF EXISTS {} CASCADE",
    "index": "DROP INDEX IF EXISTS {} CASCADE",
    "composite type": "DROP TYPE IF EXISTS {} CASCADE",
    "enum type": "DROP TYPE IF EXISTS {} CASCADE",
    "range type": "DROP TYPE IF EXISTS {} CASCADE",
    "domain": "DROP DOMAIN IF EXISTS {} CASCADE",
    "function": "DROP FUNCTION IF EXISTS {} CASCADE",
    "procedure": "DROP PROCEDURE IF EXISTS {} CASCADE",
    "aggregate": "DROP AGGREGATE IF EXISTS {} CASCADE",
}


@dataclass(frozen=True, slots=True, order=True)
class SchemaObject:
    """One object of the database: ``kind`` and ``name`` as a person reads them."""

    kind: str
    name: str
    ident: str  # the quoted, qualified identifier a DROP statement takes
    owner: str = ""  # the table a column, constraint, trigger, index or owned sequence is part of

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


async def snapshot(conn: AsyncConnection) -> frozenset[SchemaObject]:
    """Every user-made object of the database, alembic's version table excepted."""
    rows = (await conn.execute(text(SNAPSHOT_SQL))).all()
    return frozenset(SchemaObject(*(str(v) for v in row)) for row in rows)


async def version_tables(conn: AsyncConnection) -> list[str]:
    """Quoted names of the tables shaped like alembic's version table."""
    return [str(row[0]) for row in (await conn.execute(text(VERSION_TABLES_SQL))).all()]


async def drop_objects(conn: AsyncConnection, objects: Iterable[SchemaObject]) -> None:
    """Drop leftovers and alembic's version table so the next migration starts from base.

    Extensions and schemas go first because dropping them takes their members along; every
    statement says IF EXISTS for the objects an earlier CASCADE already removed.
    """
    order = list(DROP_STATEMENTS)
    droppable = sorted(
        (o for o in objects if o.kind in DROP_STATEMENTS), key=lambda o: order.index(o.kind)
    )
    for obj in droppable:
        await conn.execute(text(DROP_STATEMENTS[obj.kind].format(obj.ident)))
    for table in await version_tables(conn):
        await conn.execute(text(f"DROP TABLE IF EXISTS {table}"))


def describe(objects: Iterable[SchemaObject], limit: int = 12) -> str:
    """A readable, bounded list: tables and types first, parts of a listed table folded in."""
    objects = list(objects)
    tables = {o.ident for o in objects if o.kind in ("table", "foreign table", "view")}
    rank = {kind: i for i, kind in enumerate(DROP_STATEMENTS)}
    ordered = sorted(
        (o for o in objects if o.owner not in tables),
        key=lambda o: (rank.get(o.kind, len(rank)), o.name),
    )
    shown = ", ".join(str(o) for o in ordered[:limit])
    rest = len(ordered) - limit
    return shown + (f" and {rest} more" if rest > 0 else "")
