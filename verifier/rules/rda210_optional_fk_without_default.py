"""An optional foreign key (`X | None`) declared without `default=None`.

## What it does
Finds `Field(foreign_key=...)` on a field annotated `X | None` (or `Optional[X]`) that gives no
`default` or `default_factory`.

## Why is this bad?
`| None` makes the column nullable, but without a default Pydantic still treats the field as
required: `TaskCreate(title="x")` fails validation with "Field required" for `assignee_id`,
and every caller must pass `assignee_id=None` explicitly. The type says optional, the model
says required, and the difference surfaces only when an API client omits the key.

## Example
```python
from sqlmodel import Field, SQLModel


class TaskBase(SQLModel):
    title: str
    assignee_id: int | None = Field(foreign_key="worker.id", index=True)
```

## Use instead
```python
from sqlmodel import Field, SQLModel


class TaskBase(SQLModel):
    title: str
    assignee_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import FileContext, keyword
from verifier.rules.analysis.edits import add_keyword
from verifier.rules.base import Rule, Violation


def _is_optional(annotation: ast.AST) -> bool:
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return False
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return any(
            isinstance(side, ast.Constant) and side.value is None
            for side in (annotation.left, annotation.right)
        ) or _is_optional(annotation.left)
    if isinstance(annotation, ast.Subscript):
        head = annotation.value
        name = head.attr if isinstance(head, ast.Attribute) else getattr(head, "id", "")
        if name == "Optional":
            return True
        if name == "Union":
            elts = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else []
            return any(isinstance(e, ast.Constant) and e.value is None for e in elts)
    return False


class OptionalForeignKeyWithoutDefault(Rule):
    code = "RDA210"
    name = "optional-foreign-key-without-default"
    skill_ref = skill_refs.MODELS_DEFAULTS
    fixable = True

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        for stmt in ctx.nodes(ast.AnnAssign):
            call = stmt.value
            if not isinstance(call, ast.Call) or not ctx.imports.matches(call.func, n.FIELD):
                continue
            if keyword(call, "foreign_key") is None or not _is_optional(stmt.annotation):
                continue
            if call.args or keyword(call, "default") is not None:
                continue
            if keyword(call, "default_factory") is not None:
                continue
            name = getattr(stmt.target, "id", "?")
            yield self.violation(
                ctx,
                call,
                f"`{name}` is `| None` but has no default: Pydantic treats it as required, so "
                "creating the model without it fails validation.",
                fix="add `default=None`",
                edits=[add_keyword(ctx, call, "default=None")],
            )
