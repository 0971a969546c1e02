"""A foreign key column without an index.

## What it does
Finds `Field(foreign_key=...)`, and `Column(ForeignKey(...))` / `mapped_column(ForeignKey(...))`,
without `index=True` (or `unique=True`, or `primary_key=True`), unless an `Index` in the
class's `__table_args__` starts with that column or, in an Alembic revision, an
`op.create_index(..., [column, ...])` does. In a revision the fix is an `op.create_index`, so
`--fix` leaves revisions alone (adding `index=True` there would create the index twice).

## Why is this bad?
PostgreSQL indexes the referenced primary key, never the referencing column. Every
`WHERE task.project_id = ?`, every join from project to its tasks and every relationship load
(`selectinload(Project.tasks)`) scans the whole child table, and deleting a parent row scans
it again to check the constraint. It works on ten rows and falls over on a million.

## Example
```python
from sqlmodel import Field, SQLModel


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
```

## Use instead
```python
from sqlmodel import Field, SQLModel


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import FileContext, is_true, keyword, string_value
from verifier.rules.analysis.edits import add_keyword
from verifier.rules.base import Rule, Violation

_INDEXED = ("index", "unique", "primary_key")
_CALLS = n.FIELD | n.COLUMN | n.MAPPED_COLUMN


def _field_name(ctx: FileContext, call: ast.Call) -> str | None:
    node: ast.AST | None = call
    while node is not None and not isinstance(node, ast.AnnAssign | ast.Assign | ast.ClassDef):
        node = ctx.parent(node)
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    return None


def _indexed_by_table_args(ctx: FileContext, call: ast.Call, column: str) -> bool:
    cls = next((a for a in ctx.ancestors(call) if isinstance(a, ast.ClassDef)), None)
    if cls is None:
        return False
    for stmt in cls.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else []
        if not any(isinstance(t, ast.Name) and t.id == "__table_args__" for t in targets):
            continue
        for sub in ast.walk(stmt):
            if isinstance(sub, ast.Call) and ctx.imports.matches(sub.func, n.INDEX):
                first_column = sub.args[1] if len(sub.args) > 1 else None
                if string_value(first_column) == column:
                    return True
                if isinstance(first_column, ast.Attribute) and first_column.attr == column:
                    return True
    return False


def _indexed_by_create_index(ctx: FileContext, column: str) -> bool:
    """A revision's ``op.create_index("ix", "table", ["column", ...])`` covers the column."""
    for call in ctx.nodes(ast.Call):
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr == "create_index"):
            continue
        columns = call.args[2] if len(call.args) > 2 else keyword(call, "columns")
        if isinstance(columns, ast.List | ast.Tuple) and columns.elts:
            if string_value(columns.elts[0]) == column:
                return True
    return False


def _is_revision(ctx: FileContext) -> bool:
    """An Alembic revision: its DDL is what runs, so a fix there is a new op, not a keyword."""
    return "from alembic import op" in ctx.source


class ForeignKeyWithoutIndex(Rule):
    code = "RDA202"
    name = "foreign-key-without-index"
    skill_ref = skill_refs.MODELS_FOREIGN_KEYS
    fixable = True

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        imports = ctx.imports
        for call in ctx.calls_to(_CALLS):
            func = call.func
            if imports.matches(func, n.FIELD):
                target = string_value(keyword(call, "foreign_key"))
                if target is None or keyword(call, "sa_column") is not None:
                    continue  # with sa_column, the Column decides (checked on its own)
            elif imports.matches(func, n.COLUMN) or imports.matches(func, n.MAPPED_COLUMN):
                fk = next(
                    (
                        a
                        for a in call.args
                        if isinstance(a, ast.Call) and imports.matches(a.func, n.FOREIGN_KEY)
                    ),
                    None,
                )
                if fk is None or not fk.args:
                    continue
                target = string_value(fk.args[0]) or ctx.text(fk.args[0])
            else:
                continue
            if any(is_true(keyword(call, k)) for k in _INDEXED):
                continue
            column = _field_name(ctx, call)
            if column is None and call.args and string_value(call.args[0]):
                column = string_value(call.args[0])
            if column and _indexed_by_table_args(ctx, call, column):
                continue
            revision = _is_revision(ctx)
            if column and revision and _indexed_by_create_index(ctx, column):
                continue
            shown = f"`{column}`" if column else "this column"
            yield self.violation(
                ctx,
                call,
                f"foreign key {shown} -> `{target}` has no index: filters, joins, relationship "
                "loads and parent deletes scan the whole table.",
                fix="add `op.create_index(...)` for it in the migration"
                if revision
                else "add `index=True`",
                edits=[] if revision else [add_keyword(ctx, call, "index=True")],
            )
