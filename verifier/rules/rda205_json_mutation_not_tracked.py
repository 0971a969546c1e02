"""In-place change of a JSON column that SQLAlchemy does not track.

## What it does
Finds in-place changes to a `JSON`/`JSONB` column of a model instance,
`task.tags.append("x")`, `log.details["k"] = v`, `task.tags += ["x"]`, `.update()`, `.pop()`,
when the column type is not wrapped in `MutableList`/`MutableDict.as_mutable(...)` and the
function does not call `flag_modified(obj, "column")`. The instance's model is known from an
annotation, a constructor call or the query that loaded it.

## Why is this bad?
SQLAlchemy detects changes by attribute assignment. Mutating the list or dict in place does not
assign anything, so the session sees no change and the `UPDATE` is never sent: the code
"works" in memory and the change is lost at commit. Even `task.tags += [...]` reassigns the
same, already-mutated object, which compares equal to itself.

## Example
```python
from sqlalchemy import Column
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))


async def add_tag(session: AsyncSession, task: Task, tag: str) -> None:
    task.tags.append(tag)
    await session.commit()
```

## Use instead
```python
from sqlalchemy import Column
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))


async def add_tag(session: AsyncSession, task: Task, tag: str) -> None:
    task.tags = [*task.tags, tag]
    await session.commit()
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis.context import FileContext, FunctionNode, string_value
from verifier.rules.analysis.models import annotation_target
from verifier.rules.analysis.queries import INSTANCE, flow_of
from verifier.rules.base import Rule, Violation

_MUTATORS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "remove",
        "pop",
        "clear",
        "update",
        "setdefault",
        "popitem",
        "add",
        "discard",
        "sort",
        "reverse",
    }
)


# The statements and calls ``_mutated_column`` can find a change in (a fast test for the rest).
_CHANGES = frozenset({ast.Call, ast.Assign, ast.Delete, ast.AugAssign})


class JsonMutationNotTracked(Rule):
    code = "RDA205"
    name = "json-mutation-not-tracked"
    skill_ref = skill_refs.MODELS_JSONB

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        index = ctx.index
        if index is None or not any(
            not tracked for m in index.models.values() for tracked in m.json_columns.values()
        ):
            return
        for func in ctx.functions:
            nodes = ctx.scope_nodes(func)
            mutations = [
                (node, self._mutated_column(node)) for node in nodes if type(node) in _CHANGES
            ]
            mutations = [(node, attr) for node, attr in mutations if attr is not None]
            if not mutations:
                continue
            flagged = {
                (getattr(c.args[0], "id", None), string_value(c.args[1]))
                for c in nodes
                if isinstance(c, ast.Call)
                and getattr(c.func, "id", getattr(c.func, "attr", None)) == "flag_modified"
                and len(c.args) >= 2
            }
            types = self._instance_types(ctx, func, nodes)
            if not types:
                continue
            for node, column_attr in mutations:
                owner = column_attr.value
                if not isinstance(owner, ast.Name) or owner.id not in types:
                    continue
                model = types[owner.id]
                tracked = index.json_columns(model).get(column_attr.attr)
                if tracked is None or tracked or (owner.id, column_attr.attr) in flagged:
                    continue
                shown = f"{owner.id}.{column_attr.attr}"
                yield self.violation(
                    ctx,
                    node,
                    f"`{shown}` is a JSON column changed in place: SQLAlchemy does not see the "
                    "change and never writes it.",
                    fix=f"assign a new value (`{shown} = [*{shown}, item]` / "
                    f"`{{**{shown}, key: value}}`), call `flag_modified({owner.id}, "
                    f'"{column_attr.attr}")`, or declare the column with `MutableList`/'
                    "`MutableDict.as_mutable(JSONB)`",
                )

    @staticmethod
    def _mutated_column(node: ast.AST) -> ast.Attribute | None:
        """``x.col`` when ``node`` changes it in place."""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in _MUTATORS and isinstance(node.func.value, ast.Attribute):
                return node.func.value
        if isinstance(node, ast.Assign | ast.Delete):
            for target in node.targets:
                if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Attribute):
                    return target.value
        if isinstance(node, ast.AugAssign):
            if isinstance(node.target, ast.Attribute):
                return node.target
            if isinstance(node.target, ast.Subscript) and isinstance(
                node.target.value, ast.Attribute
            ):
                return node.target.value
        return None

    @staticmethod
    def _instance_types(
        ctx: FileContext, func: FunctionNode, nodes: list[ast.AST]
    ) -> dict[str, str]:
        index = ctx.index
        assert index is not None
        types: dict[str, str] = {}
        args = [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]
        for arg in args:
            target, is_list = annotation_target(arg.annotation)
            if target in index.models and not is_list:
                types[arg.arg] = target
        for node in nodes:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name)
                and node.value.func.id in index.models
            ):
                types[node.targets[0].id] = node.value.func.id
        if isinstance(func, ast.AsyncFunctionDef):
            flow = flow_of(ctx, func)
            for name, value in flow.variables.items():
                if value is not None and value.kind == INSTANCE and value.model:
                    types.setdefault(name, value.model)
        return types
