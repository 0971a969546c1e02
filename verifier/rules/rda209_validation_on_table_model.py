"""Pydantic constraints (`ge`, `le`, `min_length`...) on a `table=True` model.

## What it does
Finds `Field(...)` arguments that only Pydantic validation enforces (`gt`, `ge`, `lt`, `le`,
`multiple_of`, `min_length`, `min_items`, `max_items`) on a model declared with `table=True`.
`max_length` is not reported: it also sets the `VARCHAR` length. `regex` and `pattern` are
RDA214's (they are wrong on every SQLModel class, not only on tables).

## Why is this bad?
SQLModel table models skip validation on construction: `Task(priority=-5)` is accepted and
inserted. The constraint reads like a guarantee and is none; bad data reaches the database
unless a separate, non-table model (`TaskCreate`) validates the input first or a database
`CheckConstraint` enforces it.

## Example
```python
from sqlmodel import Field, SQLModel


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    estimate_hours: int = Field(default=1, ge=0, le=100)
```

## Use instead
```python
from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel


class TaskCreate(SQLModel):
    estimate_hours: int = Field(default=1, ge=0, le=100)


class Task(SQLModel, table=True):
    __table_args__ = (CheckConstraint("estimate_hours BETWEEN 0 AND 100"),)

    id: int | None = Field(default=None, primary_key=True)
    estimate_hours: int = Field(default=1)
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.findings import Severity
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import FileContext, is_true
from verifier.rules.base import Rule, Violation

_VALIDATION_ONLY = frozenset(
    {
        "gt",
        "ge",
        "lt",
        "le",
        "multiple_of",
        "min_length",
        "min_items",
        "max_items",
    }
)


class ValidationOnTableModel(Rule):
    code = "RDA209"
    name = "validation-on-table-model"
    severity = Severity.WARNING
    skill_ref = skill_refs.MODELS_VALIDATION

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        for cls in ctx.nodes(ast.ClassDef):
            if not any(kw.arg == "table" and is_true(kw.value) for kw in cls.keywords):
                continue
            for stmt in cls.body:
                if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.value, ast.Call):
                    continue
                if not ctx.imports.matches(stmt.value.func, n.FIELD):
                    continue
                used = [kw for kw in stmt.value.keywords if kw.arg in _VALIDATION_ONLY]
                if not used:
                    continue
                names = ", ".join(f"`{kw.arg}`" for kw in used)
                field = getattr(stmt.target, "id", "?")
                yield self.violation(
                    ctx,
                    used[0],
                    f"{names} on `{cls.name}.{field}` is never checked: table models skip "
                    "Pydantic validation, so out-of-range values are inserted.",
                    fix="validate in a non-table model (e.g. `TaskCreate`) and/or add a "
                    "`CheckConstraint` to `__table_args__`",
                )
