"""The ``erd`` job of the sandboxed child: import the models, emit their schema as one event.

``rda erd TARGET`` must not import the target in its own process (the target is code under
verification, as for ``rda verify``), so the child imports the models modules, configures the
mappers, and sends the tables' columns, primary keys, foreign keys and unique constraints up as
a ``schema`` event; the parent draws the ERD from that (``verifier.erd.erd_from_schema_event``).
An import failure is reported as the import stage reports it (RDA701/RDA702).
"""

from __future__ import annotations

from typing import Any

from verifier.stages import importing
from verifier.stages.context import StageContext


def run(ctx: StageContext) -> str:
    status = importing.run(ctx)
    if status != "passed":
        return status
    from verifier.stages.targetmodels import sorted_tables

    tables = [_table(table) for table in sorted_tables()]
    ctx.writer.emit("schema", tables=tables)
    return "passed"


def _table(table: Any) -> dict[str, Any]:
    from sqlalchemy import UniqueConstraint

    unique = [
        [c.name for c in constraint.columns]
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    ]
    unique += [[c.name for c in index.columns] for index in table.indexes if index.unique]
    unique += [[c.name] for c in table.columns if c.unique]
    return {
        "name": table.name,
        "columns": [
            {"name": c.name, "type": _type(c), "nullable": bool(c.nullable)} for c in table.columns
        ],
        "primary_key": [c.name for c in table.primary_key.columns],
        "foreign_keys": [
            {
                "columns": [e.parent.name for e in fk.elements],
                "referred_table": fk.referred_table.name,
                "referred_columns": [e.column.name for e in fk.elements],
            }
            for fk in table.foreign_key_constraints
        ],
        "unique": [list(g) for g in dict.fromkeys(tuple(g) for g in unique)],
    }


def _type(column: Any) -> str:
    """The column's PostgreSQL type as DDL would write it (lower case), or its class name."""
    from sqlalchemy.dialects import postgresql

    try:
        return str(column.type.compile(dialect=postgresql.dialect())).lower()
    except Exception:  # a custom type that does not compile alone
        return type(column.type).__name__.lower()
