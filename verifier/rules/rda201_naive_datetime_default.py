"""A naive datetime function as a column default: `default_factory=datetime.utcnow`.

## What it does
Finds `datetime.utcnow`, `datetime.now` or `datetime.today` passed as a function (not called)
to `default_factory=`, `default=` or `onupdate=` of `Field(...)`, `Column(...)`,
`mapped_column(...)` or inside `sa_column_kwargs`. Ruff's DTZ rules see only calls, so they
miss this form.

## Why is this bad?
These functions return naive datetimes (no `tzinfo`). SQLModel maps `datetime` fields to
`TIMESTAMP WITH TIME ZONE` and rejects naive values on insert ("Datetime values must have
timezone information"); with plain `TIMESTAMP` columns the value is stored without its zone and
silently shifts when servers or clients run in another zone. `datetime.utcnow` is also
deprecated since Python 3.12.

## Example
```python
from datetime import datetime

from sqlmodel import Field, SQLModel


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=datetime.utcnow)
```

## Use instead
```python
from datetime import UTC, datetime

from sqlmodel import Field, SQLModel


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import FileContext, string_value
from verifier.rules.analysis.edits import ensure_import, replace_node
from verifier.rules.base import Edit, Rule, Violation

_KEYS = frozenset({"default", "default_factory", "onupdate"})
_DEFAULT_CALLS = n.FIELD | n.COLUMN | n.MAPPED_COLUMN


class NaiveDatetimeDefault(Rule):
    code = "RDA201"
    name = "naive-datetime-default"
    skill_ref = skill_refs.MODELS_TIMESTAMPS
    fixable = True

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        for call in ctx.calls_to(_DEFAULT_CALLS):
            candidates: list[tuple[str, ast.expr]] = [
                (kw.arg, kw.value) for kw in call.keywords if kw.arg in _KEYS
            ]
            for kw in call.keywords:
                if kw.arg == "sa_column_kwargs" and isinstance(kw.value, ast.Dict):
                    for key, value in zip(kw.value.keys, kw.value.values, strict=True):
                        if string_value(key) in _KEYS:
                            candidates.append((string_value(key) or "", value))
            for key, value in candidates:
                if not isinstance(value, ast.Name | ast.Attribute):
                    continue
                if not ctx.imports.matches(value, n.NAIVE_NOW):
                    continue
                yield self.violation(
                    ctx,
                    value,
                    f"`{key}={ctx.text(value)}` produces naive datetimes: SQLModel's "
                    "timezone-aware "
                    "columns reject them on insert, plain TIMESTAMP columns lose the zone.",
                    fix="use `default_factory=lambda: datetime.now(UTC)` (`from datetime import "
                    "UTC`)",
                    edits=self._fix(ctx, value),
                )

    @staticmethod
    def _fix(ctx: FileContext, value: ast.Name | ast.Attribute) -> list[Edit]:
        if not isinstance(value, ast.Attribute):
            return []
        cls_text = ctx.text(value.value)
        found = ctx.imports.qualname(value.value)
        if cls_text == "datetime.datetime" and found and found[1]:
            return [replace_node(ctx, value, "lambda: datetime.datetime.now(datetime.UTC)")]
        edits = [replace_node(ctx, value, f"lambda: {cls_text}.now(UTC)")]
        imported = ensure_import(ctx, "datetime", "UTC")
        if imported is not None:
            edits.append(imported)
        return edits
