"""`session.execute()` on a SQLModel session, where `session.exec()` is meant.

## What it does
Finds `execute(...)` calls on a SQLModel `AsyncSession` (imported from
`sqlmodel.ext.asyncio.session`, or built by a factory with `class_=` that session). A session
whose class cannot be resolved (a snippet without imports) counts as SQLModel's unless the file
imports SQLAlchemy's `AsyncSession`.

## Why is this bad?
SQLModel marks `execute()` deprecated: every call emits a `DeprecationWarning`, and it returns
SQLAlchemy `Row` objects, so code needs `.scalars()` to get models back, and type checkers
lose the model type. `exec()` returns the models directly (`ScalarResult[Task]`) for
`select(Task)`, and the same result as `execute()` for everything else.

## Example
```python
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    statement = select(User).where(User.id == user_id)
    result = await session.execute(statement)
    return result.scalar_one_or_none()
```

## Use instead
```python
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    statement = select(User).where(User.id == user_id)
    result = await session.exec(statement)
    return result.one_or_none()
```

## Fix safety
The fix renames `execute` to `exec` and, for a single-entity SQLModel `select()`, rewrites
the result calls (`.scalars().all()` to `.all()`, `.scalar_one_or_none()` to
`.one_or_none()`, ...). It is offered only when every use of the result is one of those calls
and the statement is visible in the function.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.findings import Severity
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import FileContext
from verifier.rules.analysis.sessions import SESSION, SQLALCHEMY, UNKNOWN, scope_of
from verifier.rules.base import Edit, Rule, Violation

# Result method on execute() -> equivalent on exec() of a single-entity select.
_RESULT_MAP = {
    "scalars": None,
    "scalar_one": "one",
    "scalar_one_or_none": "one_or_none",
    "scalar": "first",
}
_SCALARS_THEN = frozenset({"all", "first", "one", "one_or_none", "unique", "fetchall"})


class ExecuteOnSqlmodelSession(Rule):
    code = "RDA108"
    name = "execute-on-sqlmodel-session"
    severity = Severity.WARNING
    skill_ref = skill_refs.SESSIONS_EXEC
    fixable = True

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        sqlalchemy_file = any(
            target in n.SQLALCHEMY_ASYNC_SESSION for target in ctx.imports.aliases.values()
        )
        for call in ctx.nodes(ast.Call):
            func = call.func
            if not isinstance(func, ast.Attribute) or func.attr != "execute":
                continue
            binding = scope_of(ctx, ctx.function_of(call)).binding_of(func.value)
            if binding is None or binding.kind != SESSION or binding.flavor == SQLALCHEMY:
                continue
            if binding.flavor == UNKNOWN and sqlalchemy_file:
                continue
            receiver = ctx.text(func.value)
            yield self.violation(
                ctx,
                call,
                f"`{receiver}.execute()` is deprecated on SQLModel's AsyncSession (it warns and "
                "returns Row objects): use `exec()`, which returns the models.",
                fix=f"`await {receiver}.exec(statement)` then `.all()` / `.first()` / "
                "`.one_or_none()` (no `.scalars()`)",
                edits=self._fix(ctx, call, binding.flavor),
            )

    # -- fix -----------------------------------------------------------------------------------

    def _fix(self, ctx: FileContext, call: ast.Call, flavor: str) -> list[Edit]:
        func = call.func
        assert isinstance(func, ast.Attribute)
        awaited = ctx.parent(call)
        if len(call.args) != 1 or call.keywords or not isinstance(awaited, ast.Await):
            return []
        root = self._statement_root(ctx, call, call.args[0])
        if root is None:
            return []
        end = ctx.span(func)[1]
        rename = Edit(end - len("execute"), end, "exec")
        imports = ctx.imports
        if imports.matches(root.func, n.DML) or imports.matches(root.func, n.TEXT):
            return [rename]
        if not imports.matches(root.func, n.SELECT):
            return []
        found = imports.qualname(root.func)
        scalar_select = len(root.args) == 1 and not (
            found and found[1] and found[0] in n.SQLALCHEMY_SELECT
        )
        if not scalar_select:
            return [rename]
        uses = self._result_uses(ctx, call, awaited)
        if uses is None:
            return []
        return [rename, *uses]

    def _statement_root(self, ctx: FileContext, call: ast.Call, node: ast.AST) -> ast.Call | None:
        """The ``select()``/``update()``/``text()`` call a statement expression starts from."""
        roots = n.SELECT | n.DML | n.TEXT
        for _ in range(50):
            if isinstance(node, ast.Call):
                if ctx.imports.matches(node.func, roots):
                    return node
                if isinstance(node.func, ast.Attribute):
                    node = node.func.value  # a method of the chain: .where(...), .order_by(...)
                    continue
                return None
            if not isinstance(node, ast.Name):
                return None
            func = ctx.function_of(call)
            if func is None:
                return None
            name = node.id
            first = next(
                (
                    a.value
                    for a in ctx.scope_nodes(func)
                    if isinstance(a, ast.Assign)
                    and len(a.targets) == 1
                    and isinstance(a.targets[0], ast.Name)
                    and a.targets[0].id == name
                    and not self._uses_name(a.value, name)
                ),
                None,
            )
            if first is None:
                return None
            node = first
        return None

    @staticmethod
    def _uses_name(node: ast.AST, name: str) -> bool:
        return any(isinstance(s, ast.Name) and s.id == name for s in ast.walk(node))

    def _result_uses(
        self, ctx: FileContext, call: ast.Call, awaited: ast.Await
    ) -> list[Edit] | None:
        holder = ctx.parent(awaited)
        if isinstance(holder, ast.Attribute):
            return self._rewrite_method(ctx, holder, awaited)
        if not (
            isinstance(holder, ast.Assign)
            and len(holder.targets) == 1
            and isinstance(holder.targets[0], ast.Name)
        ):
            return None
        name = holder.targets[0].id
        func = ctx.function_of(call)
        if func is None:
            return None
        edits: list[Edit] = []
        for node in ctx.scope_nodes(func):
            if isinstance(node, ast.Name) and node.id == name and node is not holder.targets[0]:
                use = ctx.parent(node)
                if not isinstance(use, ast.Attribute):
                    return None
                rewritten = self._rewrite_method(ctx, use, node)
                if rewritten is None:
                    return None
                edits.extend(rewritten)
            elif isinstance(node, ast.Assign) and node is not holder:
                if any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                    return None
        return edits

    def _rewrite_method(
        self, ctx: FileContext, attr: ast.Attribute, base: ast.AST
    ) -> list[Edit] | None:
        """Rewrite ``<base>.scalar_one_or_none()`` and friends for an ``exec()`` result."""
        method_call = ctx.parent(attr)
        if (
            attr.attr not in _RESULT_MAP
            or not isinstance(method_call, ast.Call)
            or method_call.args
        ):
            return None
        base_end = ctx.span(base)[1]
        call_end = ctx.span(method_call)[1]
        replacement = _RESULT_MAP[attr.attr]
        if replacement is None:
            # `.scalars()` must be followed by a method that exists on ScalarResult.
            follow = ctx.parent(method_call)
            if not (isinstance(follow, ast.Attribute) and follow.attr in _SCALARS_THEN):
                return None
            tail = ctx.source[base_end:call_end]
            close = tail[: tail.index(".")]  # a closing parenthesis of `(await ...)`, if any
            return [Edit(base_end, call_end, close)]
        tail = ctx.source[base_end:call_end]
        close = tail[: tail.index(".")]
        return [Edit(base_end, call_end, f"{close}.{replacement}()")]
