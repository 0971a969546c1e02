"""SQL or DDL built by string formatting and sent to the database.

## What it does
Finds f-strings, `%` formatting, `.format()` and concatenation with non-constant values
passed to `text(...)`, `session.execute/exec(...)`, `conn.exec_driver_sql(...)` or Alembic's
`op.execute(...)`, directly or through a local variable. Values that are literals or
UPPER_CASE constants are allowed. It covers DDL (`CREATE`, `ALTER`, `SET`), which ruff's S608
(also reported by `rda lint`) does not.

## Why is this bad?
Formatting a value into SQL is SQL injection: a task title of `'); DROP TABLE task; --` runs.
It also defeats the statement cache and breaks on quotes in ordinary data. Values go in as
bound parameters (`text("... WHERE id = :id").bindparams(id=task_id)`, or the ORM), and
identifiers, which cannot be bound, come from a fixed allow-list.

## Example
```python
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession


async def tasks_by_status(session: AsyncSession, status: str):
    result = await session.exec(text(f"SELECT id FROM task WHERE status = '{status}'"))
    return result.all()
```

## Use instead
```python
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession


async def tasks_by_status(session: AsyncSession, status: str):
    stmt = text("SELECT id FROM task WHERE status = :status").bindparams(status=status)
    result = await session.exec(stmt)
    return result.all()
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import FileContext
from verifier.rules.analysis.sessions import CONNECTION, SESSION, scope_of
from verifier.rules.base import Rule, Violation

_SINKS = frozenset({"execute", "exec", "exec_driver_sql"})


def _is_constant(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name):
        return node.id.isupper()
    if isinstance(node, ast.Attribute):
        return node.attr.isupper()
    return False


def formatted(node: ast.AST | None) -> bool:
    """True when ``node`` builds a string from non-constant values."""
    if isinstance(node, ast.JoinedStr):
        return any(
            isinstance(v, ast.FormattedValue) and not _is_constant(v.value) for v in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        if isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
            right = node.right
            values = right.elts if isinstance(right, ast.Tuple) else [right]
            return not all(_is_constant(v) for v in values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        parts = [node.left, node.right]
        has_str = any(
            (isinstance(p, ast.Constant) and isinstance(p.value, str))
            or isinstance(p, ast.JoinedStr)
            for p in parts
        )
        return has_str and (
            not all(_is_constant(p) for p in parts) or any(formatted(p) for p in parts)
        )
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        base = node.func.value
        if isinstance(base, ast.Constant) and isinstance(base.value, str):
            values = [*node.args, *(k.value for k in node.keywords)]
            return not all(_is_constant(v) for v in values)
    return False


class SqlByStringFormatting(Rule):
    code = "RDA602"
    name = "sql-built-by-string-formatting"
    skill_ref = skill_refs.CRUD_BOUND_PARAMETERS
    supersedes = ("S608",)

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        for call in ctx.nodes(ast.Call):
            if not call.args:
                continue
            func = call.func
            sink = None
            if ctx.imports.matches(func, n.TEXT):
                sink = "text()"
            elif isinstance(func, ast.Attribute) and func.attr in _SINKS:
                scope = scope_of(ctx, ctx.function_of(call))
                binding = scope.binding_of(func.value)
                if binding is not None and binding.kind in (SESSION, CONNECTION):
                    sink = f"{ctx.text(func)}()"
                elif func.attr == "execute" and ctx.text(func.value) == "op":
                    sink = "op.execute()"
            if sink is None:
                continue
            arg = call.args[0]
            built = formatted(arg) or self._formatted_variable(ctx, call, arg)
            if not built:
                continue
            yield self.violation(
                ctx,
                arg,
                f"SQL built by string formatting is passed to `{sink}`: values formatted into "
                "SQL are an injection and break on quotes.",
                fix='use bound parameters: `text("... WHERE x = :x").bindparams(x=value)` (and '
                "an allow-list for identifiers)",
            )

    @staticmethod
    def _formatted_variable(ctx: FileContext, call: ast.Call, arg: ast.AST) -> bool:
        if not isinstance(arg, ast.Name):
            return False
        func = ctx.function_of(call)
        nodes = ctx.scope_nodes(func) if func is not None else (ctx.tree.body if ctx.tree else [])
        return any(
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == arg.id for t in node.targets)
            and formatted(node.value)
            for node in nodes
        )
