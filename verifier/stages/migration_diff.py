"""Autogenerate's differences between the models and the migrated schema, in words.

``alembic.autogenerate`` returns diff tuples (``("add_column", schema, table, Column)``, ...).
They are exact but unreadable in a report; this module turns each into one sentence that says
which side has what ("column task.estimate is in the models but no migration creates it"), and
groups them by table so a finding can point at the model class that owns the table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import DefaultClause

MODELS_ONLY = "is in the models but no migration creates it"
DATABASE_ONLY = "is created by the migrations but is not in the models"
_DIALECT = postgresql.dialect()


def flatten(diffs: Iterable[Any]) -> list[tuple[Any, ...]]:
    """Autogenerate nests column modifications in lists; one flat list is easier to walk."""
    flat: list[tuple[Any, ...]] = []
    for diff in diffs:
        if isinstance(diff, list):
            flat.extend(tuple(d) for d in diff)
        else:
            flat.append(tuple(diff))
    return flat


def table_of(diff: Sequence[Any]) -> str | None:
    """The name of the table a difference is about (None when it cannot be told)."""
    kind = diff[0]
    if kind in ("add_table", "remove_table", "add_table_comment", "remove_table_comment"):
        return str(diff[1].name)
    if kind in ("add_column", "remove_column") or kind.startswith("modify_"):
        return str(diff[2])
    if kind in (
        "add_index",
        "remove_index",
        "add_constraint",
        "remove_constraint",
        "add_fk",
        "remove_fk",
    ):
        table = getattr(diff[1], "table", None)
        return str(table.name) if table is not None else None
    return None


def sentence(diff: Sequence[Any]) -> str:
    """One difference as a sentence a developer can act on."""
    kind = diff[0]
    describe = _DESCRIBERS.get(kind)
    if describe is None:
        return f"{kind}: {diff[1:]!r}"
    try:
        return describe(diff)
    except Exception:  # an odd object must not hide the difference itself
        return f"{kind}: {diff[1:]!r}"


def by_table(diffs: Iterable[Any]) -> dict[str | None, list[str]]:
    """Sentences grouped by the table they are about, in autogenerate's order.

    A table that exists on one side only is one sentence: its indexes and constraints, which
    autogenerate lists as well, would only repeat it.
    """
    flat = flatten(diffs)
    whole = {table_of(d) for d in flat if d[0] in ("add_table", "remove_table")}
    grouped: dict[str | None, list[str]] = defaultdict(list)
    for diff in flat:
        table = table_of(diff)
        if table in whole and diff[0] not in ("add_table", "remove_table"):
            continue
        grouped[table].append(sentence(diff))
    return dict(grouped)


def sql_type(type_: Any) -> str:
    try:
        return str(type_.compile(dialect=_DIALECT))
    except Exception:  # types a dialect cannot render still have a repr
        return repr(type_)


def server_default(value: Any) -> str:
    if value is None or value is False:
        return "none"
    if isinstance(value, DefaultClause):
        value = value.arg
    text = getattr(value, "text", None)
    if isinstance(text, str):
        return text
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def _columns(constraint: Any) -> str:
    names = getattr(constraint, "column_keys", None) or [
        getattr(c, "name", str(c)) for c in getattr(constraint, "columns", ())
    ]
    return ", ".join(str(n) for n in names)


def _index(index: Any) -> str:
    columns = ", ".join(getattr(e, "name", None) or str(e) for e in index.expressions)
    unique = "unique index" if index.unique else "index"
    return f"{unique} {index.name} on {index.table.name}({columns})"


def _fk(fk: Any) -> str:
    targets = ", ".join(e.target_fullname for e in fk.elements)
    return f"foreign key {fk.table.name}({_columns(fk)}) -> {targets}"


def _constraint(constraint: Any) -> str:
    kind = type(constraint).__name__.replace("Constraint", "").lower() or "constraint"
    name = f" {constraint.name}" if isinstance(constraint.name, str) else ""
    return f"{kind} constraint{name} on {constraint.table.name}({_columns(constraint)})"


def _column(table: str, column: Any) -> str:
    return f"column {table}.{column.name} ({sql_type(column.type)})"


def _modified(diff: Sequence[Any], what: str, render: Any) -> str:
    _, _, table, column, _, migrated, modelled = diff
    return (
        f"column {table}.{column}: {what} is {render(migrated)} in the migrated schema, "
        f"{render(modelled)} in the models"
    )


def _nullable(value: Any) -> str:
    return "NULL allowed" if value else "NOT NULL"


_DESCRIBERS: dict[str, Any] = {
    "add_table": lambda d: f"table {d[1].name} {MODELS_ONLY}",
    "remove_table": lambda d: f"table {d[1].name} {DATABASE_ONLY}",
    "add_column": lambda d: f"{_column(d[2], d[3])} {MODELS_ONLY}",
    "remove_column": lambda d: f"{_column(d[2], d[3])} {DATABASE_ONLY}",
    "add_index": lambda d: f"{_index(d[1])} {MODELS_ONLY}",
    "remove_index": lambda d: f"{_index(d[1])} {DATABASE_ONLY}",
    "add_constraint": lambda d: f"{_constraint(d[1])} {MODELS_ONLY}",
    "remove_constraint": lambda d: f"{_constraint(d[1])} {DATABASE_ONLY}",
    "add_fk": lambda d: f"{_fk(d[1])} {MODELS_ONLY}",
    "remove_fk": lambda d: f"{_fk(d[1])} {DATABASE_ONLY}",
    "modify_type": lambda d: _modified(d, "the type", sql_type),
    "modify_nullable": lambda d: _modified(d, "nullability", _nullable),
    "modify_default": lambda d: _modified(d, "the server default", server_default),
    "modify_comment": lambda d: _modified(d, "the comment", repr),
    "add_table_comment": lambda d: f"table {d[1].name}: the comment in the models is missing",
    "remove_table_comment": lambda d: f"table {d[1].name}: the comment is not in the models",
}
