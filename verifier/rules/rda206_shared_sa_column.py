"""One `sa_column=Column(...)` object shared by several tables.

## What it does
Finds a `Column(...)` object that more than one table would receive: a module-level
`column = Column(...)` passed as `sa_column=column` to several fields, or a
`Field(sa_column=Column(...))` declared on a non-table base class (a mixin) that two or more
table models inherit.

## Why is this bad?
A SQLAlchemy `Column` belongs to exactly one `Table`. SQLModel passes the very object given in
`sa_column` to the table; the second table that receives it fails at import with
`ArgumentError: Column object 'created_at' already assigned to Table 'project'`, or, in
older combinations, silently keeps the column attached to the first table only.

## Example
```python
from datetime import datetime

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel


class Timestamped(SQLModel):
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class Project(Timestamped, table=True):
    id: int | None = Field(default=None, primary_key=True)


class Worker(Timestamped, table=True):
    id: int | None = Field(default=None, primary_key=True)
```

## Use instead
```python
from datetime import datetime

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel


class Timestamped(SQLModel):
    created_at: datetime = Field(sa_type=DateTime(timezone=True), nullable=False)


class Project(Timestamped, table=True):
    id: int | None = Field(default=None, primary_key=True)


class Worker(Timestamped, table=True):
    id: int | None = Field(default=None, primary_key=True)
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import FileContext, keyword
from verifier.rules.base import Rule, Violation

_FIX = (
    "use `sa_type=...` with `Field` options (nullable, index, sa_column_kwargs), or build "
    "a new Column per table (a function returning `Column(...)`)"
)


class SharedSaColumn(Rule):
    code = "RDA206"
    name = "shared-sa-column"
    skill_ref = skill_refs.MODELS_DEFAULTS

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        assert ctx.tree is not None
        module_columns = {
            t.id
            for stmt in ctx.tree.body
            if isinstance(stmt, ast.Assign)
            and isinstance(stmt.value, ast.Call)
            and ctx.imports.matches(stmt.value.func, n.COLUMN)
            for t in stmt.targets
            if isinstance(t, ast.Name)
        }
        uses: dict[str, list[ast.AST]] = {}
        for call in ctx.calls_to(n.FIELD):
            value = keyword(call, "sa_column")
            if isinstance(value, ast.Name) and value.id in module_columns:
                uses.setdefault(value.id, []).append(value)
        for name, nodes in uses.items():
            for node in nodes[1:]:
                yield self.violation(
                    ctx,
                    node,
                    f"Column object `{name}` is passed as `sa_column` to {len(nodes)} fields: a "
                    "Column belongs to one table, the second one fails to map.",
                    fix=_FIX,
                )
        index = ctx.index
        if index is None:
            return
        for model in index.models.values():
            if model.path != ctx.path or model.table:
                continue
            tables = index.table_subclasses(model.name)
            if len(tables) < 2:
                continue
            for field_name, column in model.sa_columns.items():
                names = ", ".join(t.name for t in tables[:3])
                yield self.violation(
                    ctx,
                    column,
                    f"`{model.name}.{field_name}` uses `sa_column=Column(...)` and {len(tables)} "
                    f"table models inherit it ({names}): they would share one Column object.",
                    fix=_FIX,
                )
