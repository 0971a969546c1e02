"""A default computed once at import: `default=datetime.now(UTC)`, `default=uuid4()`.

## What it does
Finds a call to a function whose value changes on every call (`datetime.now`, `utcnow`,
`date.today`, `uuid4`, `uuid1`, `time.time`, `secrets.token_hex`, `random.random`...) used as
the `default=` of `Field(...)`, `Column(...)` or `mapped_column(...)`, as the first positional
argument of `Field(...)`, or as the plain default of a SQLModel class attribute.

## Why is this bad?
The call runs once, when the class is defined, and its result becomes the default of every row:
every task gets the same `created_at` (the moment the process started) and every token the same
UUID, which then collides on the unique index. The function itself must be the default,
evaluated per row.

## Example
```python
from datetime import UTC, datetime

from sqlmodel import Field, SQLModel


class Project(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default=datetime.now(UTC))
```

## Use instead
```python
from datetime import UTC, datetime

from sqlmodel import Field, SQLModel


class Project(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import FileContext
from verifier.rules.base import Edit, Rule, Violation

_FIELDS = n.FIELD | n.COLUMN | n.MAPPED_COLUMN | n.RELATIONSHIP


class DefaultEvaluatedAtImport(Rule):
    code = "RDA211"
    name = "default-evaluated-at-import"
    skill_ref = skill_refs.MODELS_DEFAULTS
    fixable = True

    def _per_call(self, ctx: FileContext, node: ast.AST | None) -> bool:
        """A per-call function called in ``node`` (``uuid4()``, ``uuid4().hex``), not a lambda."""
        stack = [node] if node is not None else []
        while stack:
            current = stack.pop()
            if isinstance(current, ast.Lambda):
                continue
            if isinstance(current, ast.Call) and ctx.imports.matches(
                current.func, n.PER_CALL_VALUES
            ):
                return True
            stack.extend(ast.iter_child_nodes(current))
        return False

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        imports = ctx.imports
        for call in ctx.calls_to(_FIELDS):
            is_field = imports.matches(call.func, n.FIELD)
            if not (is_field or imports.matches(call.func, n.COLUMN | n.MAPPED_COLUMN)):
                continue
            for kw in call.keywords:
                if kw.arg == "default" and self._per_call(ctx, kw.value):
                    yield self._report(ctx, kw.value, self._fix(ctx, kw, is_field))
            if is_field and call.args and self._per_call(ctx, call.args[0]):
                yield self._report(ctx, call.args[0], [])
        index = ctx.index
        models = {m.node for m in index.models.values()} if index else set()
        for cls in ctx.nodes(ast.ClassDef):
            if cls not in models:
                continue
            for stmt in cls.body:
                value = stmt.value if isinstance(stmt, ast.AnnAssign) else None
                if isinstance(value, ast.Call) and ctx.imports.matches(value.func, _FIELDS):
                    continue  # Field(default=...) is checked above
                if isinstance(stmt, ast.AnnAssign) and self._per_call(ctx, stmt.value):
                    assert stmt.value is not None
                    yield self._report(ctx, stmt.value, [])

    def _fix(self, ctx: FileContext, kw: ast.keyword, is_field: bool) -> list[Edit]:
        value = kw.value
        if not isinstance(value, ast.Call):
            return []  # `uuid4().hex` and the like: the lambda form is for the author to write
        factory = (
            ctx.text(value.func)
            if not value.args and not value.keywords
            else f"lambda: {ctx.text(value)}"
        )
        key = "default_factory" if is_field else "default"
        start = ctx.offset(kw.lineno, kw.col_offset)
        end = ctx.span(value)[1]
        return [Edit(start, end, f"{key}={factory}")]

    def _report(self, ctx: FileContext, value: ast.AST, edits: list[Edit]) -> Violation:
        text = ctx.text(value)
        return self.violation(
            ctx,
            value,
            f"`{text}` runs once, when the class is defined: every row gets the same value.",
            fix=f"pass the function: `default_factory=lambda: {text}` (`default=` for a Column)",
            edits=edits,
        )
