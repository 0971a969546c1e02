"""Small pieces of Python source the templates print: imports, table arguments, DDL, samples.

Kept out of the templates so that each rule (which import a model needs, what the migration
writes for a column, which value a test sends) is one function with a name.
"""

from __future__ import annotations

from dataclasses import dataclass

from verifier.render.layer import Column, Entity, Layer

# --- models ---------------------------------------------------------------------------------


def model_imports(layer: Layer, entity: Entity) -> list[str]:
    """The import lines of one entity's models module (sorted later by ruff's isort)."""
    lines = ["from sqlmodel import Field, SQLModel"]
    typing_names: set[str] = set()
    sa_names: set[str] = set()
    if entity.relations:
        lines[0] = "from sqlmodel import Field, Relationship, SQLModel"
    if any(r.nullable and not r.many for r in entity.relations):
        typing_names.add("Optional")
    others = sorted({r.target for r in entity.relations if r.target != entity.name})
    links = sorted({r.link_model for r in entity.relations if r.link_model})
    type_only = [t for t in others if t not in links]
    if type_only:
        typing_names.add("TYPE_CHECKING")
    kinds = {c.kind for c in entity.columns}
    if kinds & {"json_list", "json_object"}:
        sa_names.add("Column")
        lines.append("from sqlalchemy.dialects.postgresql import JSONB")
    if any(
        c.python_type.startswith("dict[") or "dict[str, Any]" in c.python_type
        for c in entity.columns
    ):
        typing_names.add("Any")
    if "text" in kinds:
        sa_names.add("Text")
    if "bigint" in kinds:
        sa_names.add("BigInteger")
    if any(c.server_default_sql for c in entity.columns):
        sa_names.add("text")
    if table_args(entity):
        if entity.unique_together:
            sa_names.add("UniqueConstraint")
        if any(not i.from_field for i in entity.indexes):
            sa_names.add("Index")
        if any(i.where for i in entity.indexes if not i.from_field):
            sa_names.add("text")
    if "decimal" in kinds:
        lines.append("from decimal import Decimal")
    if "uuid" in kinds:
        lines.append("import uuid")
    stamps = {c.python_type for c in entity.columns}
    if "datetime" in stamps and "date" in kinds:
        lines.append("from datetime import date, datetime")
    elif "datetime" in stamps:
        lines.append("from datetime import datetime")
    elif "date" in kinds:
        lines.append("from datetime import date")
    common = sorted(set(entity.enums) | ({"utc_now"} if _uses_utc_now(entity) else set()))
    if common:
        lines.append(f"from .common import {', '.join(common)}")
    for link in links:
        lines.append(f"from .{layer.entity(link).module} import {link}")
    if sa_names:
        lines.append(f"from sqlalchemy import {', '.join(sorted(sa_names))}")
    if typing_names:
        lines.append(f"from typing import {', '.join(sorted(typing_names))}")
    if type_only:
        lines.append("")
        lines.append("if TYPE_CHECKING:")
        for target in type_only:
            lines.append(f"    from .{layer.entity(target).module} import {target}")
    return lines


def _uses_utc_now(entity: Entity) -> bool:
    return any("default_factory=utc_now" in a for c in entity.columns for a in c.field_args)


def table_args(entity: Entity) -> list[str]:
    """``__table_args__`` entries: composite unique constraints and the spec's own indexes."""
    args = [
        f"UniqueConstraint({', '.join(_q(c) for c in cols)}, name={_q(name)})"
        for name, cols in entity.unique_together
    ]
    for index in entity.indexes:
        if index.from_field:
            continue
        parts = [_q(index.name), *(_q(c) for c in index.columns)]
        if index.unique:
            parts.append("unique=True")
        if index.using:
            parts.append(f"postgresql_using={_q(index.using)}")
        if index.where:
            parts.append(f"postgresql_where=text({_q(index.where)})")
        args.append(f"Index({', '.join(parts)})")
    return args


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def schema_declaration(column: Column, optional: bool) -> str:
    """A field of a ``Create``/``Update`` schema: the column's type without its table parts."""
    base = column.python_type
    nullable = column.nullable or optional
    annotation = f"{base} | None" if nullable else base
    args = []
    if column.max_length:
        args.append(f"max_length={column.max_length}")
    if column.kind == "decimal":
        args += [f"max_digits={column.precision}", f"decimal_places={column.scale}"]
    if optional:
        default: str | None = "None"
    elif column.kind in ("json_list", "json_object") and not column.nullable:
        default = None
        args.insert(0, "default_factory=" + ("list" if column.kind == "json_list" else "dict"))
    elif column.default_code is not None:
        default = column.default_code
    else:
        default = next(
            (a.removeprefix("default=") for a in column.field_args if a.startswith("default=")),
            "None" if column.nullable else None,
        )
    if args:
        if default is not None:
            args.insert(0, f"default={default}")
        return f"{annotation} = Field({', '.join(args)})"
    return annotation if default is None else f"{annotation} = {default}"


def input_columns(entity: Entity, names: list[str] | None) -> list[Column]:
    """The columns a create or update takes: the named fields/references, else all writable."""
    if names is None:
        return [c for c in entity.columns if c.writable]
    columns = []
    for name in names:
        relation = next((r for r in entity.relations if r.name == name and r.column), None)
        columns.append(entity.column(relation.column if relation else name))
    return columns


# --- migration ------------------------------------------------------------------------------


@dataclass
class TableDDL:
    entity: Entity
    columns: list[str]
    constraints: list[str]
    indexes: list[str]
    drop_indexes: list[str]


def migration_tables(layer: Layer) -> tuple[list[TableDDL], list[str]]:
    """``op.create_table`` contents per table (parents first), and the enum types created."""
    created: set[str] = set()
    tables = []
    for entity in layer.entities:
        columns = []
        for column in entity.columns:
            columns.append(_ddl_column(layer, column, created))
        constraints = []
        for column in entity.columns:
            if column.references:
                extra = f", ondelete={_q(column.ondelete)}" if column.ondelete else ""
                referred = column.references.split(".")[0]
                name = _f(f"fk_{entity.table}_{column.name}_{referred}")
                constraints.append(
                    f"sa.ForeignKeyConstraint([{_q(column.name)}], [{_q(column.references)}], "
                    f"name={name}{extra})"
                )
        pk = ", ".join(_q(c) for c in entity.primary_key)
        constraints.append(f"sa.PrimaryKeyConstraint({pk}, name={_f('pk_' + entity.table)})")
        for name, cols in entity.unique_together:
            constraints.append(
                f"sa.UniqueConstraint({', '.join(_q(c) for c in cols)}, name={_f(name)})"
            )
        for column in entity.columns:
            if column.unique_constraint:
                unique_name = _f(f"uq_{entity.table}_{column.name}")
                constraints.append(f"sa.UniqueConstraint({_q(column.name)}, name={unique_name})")
        indexes, drops = [], []
        for index in entity.indexes:
            name = f"op.f({_q(index.name)})" if index.from_field else _q(index.name)
            cols = ", ".join(_q(c) for c in index.columns)
            extra = ""
            if index.using:
                extra += f", postgresql_using={_q(index.using)}"
            if index.where:
                extra += f", postgresql_where=sa.text({_q(index.where)})"
            indexes.append(
                f"op.create_index({name}, {_q(entity.table)}, [{cols}], "
                f"unique={index.unique}{extra})"
            )
            drops.append(f"op.drop_index({name}, table_name={_q(entity.table)}{extra})")
        tables.append(TableDDL(entity, columns, constraints, indexes, drops))
    return tables, sorted(created)


def _f(name: str) -> str:
    """A name as the naming convention made it (``op.f``: not converted again)."""
    return f"op.f({_q(name)})"


def enum_type_name(enum: str) -> str:
    """The PostgreSQL type SQLAlchemy names after a Python enum class (lower case)."""
    return enum.lower()


def _ddl_column(layer: Layer, column: Column, created: set[str]) -> str:
    ddl = column.ddl_type
    if column.kind == "enum" and column.enum:
        values = ", ".join(_q(v) for v in layer.enums[column.enum])
        type_name = enum_type_name(column.enum)
        if type_name in created:  # made by an earlier table of this migration
            ddl = f"postgresql.ENUM({values}, name={_q(type_name)}, create_type=False)"
        else:
            ddl = f"sa.Enum({values}, name={_q(type_name)})"
            created.add(type_name)
    parts = [_q(column.name), ddl]
    if column.server_default is not None:
        parts.append(f"server_default={_q(column.server_default)}")
    elif column.server_default_sql is not None:
        parts.append(f"server_default=sa.text({_q(column.server_default_sql)})")
    parts.append(f"nullable={column.nullable and not column.primary_key}")
    return f"sa.Column({', '.join(parts)})"
