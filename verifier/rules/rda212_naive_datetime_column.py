"""A `DateTime`/`TIMESTAMP` column type without `timezone=True`.

## What it does
Finds `DateTime` or `TIMESTAMP` column types declared without `timezone=True`:
`sa_type=DateTime`, `Column(DateTime)`, `Column(DateTime())`,
`mapped_column(DateTime(timezone=False))`.

## Why is this bad?
They create PostgreSQL `timestamp without time zone` columns. asyncpg then rejects
timezone-aware Python datetimes on insert ("can't subtract offset-naive and offset-aware
datetimes") or the application falls back to naive values that lose their zone; every
comparison with `now()` depends on the server's `TimeZone` setting. `timestamptz` stores an
instant and is what the Task API contract requires for every timestamp.

## Example
```python
from datetime import datetime

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel


class Worker(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
```

## Use instead
```python
from datetime import datetime

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel


class Worker(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import FileContext, is_true, keyword
from verifier.rules.base import Rule, Violation


class NaiveDatetimeColumn(Rule):
    code = "RDA212"
    name = "naive-datetime-column"
    skill_ref = skill_refs.MODELS_TIMESTAMPS

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        imports = ctx.imports
        for call in ctx.calls_to(n.FIELD | n.COLUMN | n.MAPPED_COLUMN):
            func = call.func
            if imports.matches(func, n.FIELD):
                types = [v for v in (keyword(call, "sa_type"),) if v is not None]
            elif imports.matches(func, n.COLUMN | n.MAPPED_COLUMN):
                types = [*call.args, *(v for v in (keyword(call, "type_"),) if v is not None)]
            else:
                continue
            for node in types:
                base = node.func if isinstance(node, ast.Call) else node
                if not imports.matches(base, n.DATETIME_TYPE):
                    continue
                if isinstance(node, ast.Call):
                    tz = keyword(node, "timezone")
                    if is_true(tz) or (tz is None and node.args and is_true(node.args[0])):
                        continue
                    if tz is not None and not isinstance(tz, ast.Constant):
                        continue
                yield self.violation(
                    ctx,
                    node,
                    f"`{ctx.text(node)}` makes a `timestamp without time zone` column: aware "
                    "datetimes are rejected or lose their zone.",
                    fix=f"use `{ctx.text(base)}(timezone=True)`",
                )
