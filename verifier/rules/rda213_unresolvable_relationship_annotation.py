"""A relationship annotation SQLModel cannot resolve: `"Task | None"`, or postponed annotations.

## What it does
Finds `Relationship()` fields whose annotation SQLModel hands to SQLAlchemy as a string it
cannot evaluate: a quoted union or generic (`"Task | None"`, `"list[Task]"`), or any
non-plain annotation in a module with `from __future__ import annotations` (which turns every
annotation into a string).

## Why is this bad?
SQLModel passes the annotation's text to `relationship()` as the target class name. A string
such as `"Task | None"` is not a class name, so mapper configuration fails at the first query
("expression 'Task | None' failed to locate a name", or "seems to be using a generic class as
the argument to relationship()"). Under `from __future__ import annotations` even
`Optional[Worker]`, `list[Task]` and `Optional["Worker"]` become such strings: there the fix is
to drop the future import from the models module (quoting does not help), after which
`Optional["Worker"]` and `list["Task"]` work.

## Example
```python
from sqlmodel import Field, Relationship, SQLModel


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    assignee_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    assignee: "Worker | None" = Relationship(back_populates="tasks")
```

## Use instead
```python
from typing import Optional

from sqlmodel import Field, Relationship, SQLModel


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    assignee_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    assignee: Optional["Worker"] = Relationship(back_populates="tasks")
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import FileContext, keyword
from verifier.rules.base import Rule, Violation


class UnresolvableRelationshipAnnotation(Rule):
    code = "RDA213"
    name = "unresolvable-relationship-annotation"
    skill_ref = skill_refs.RELATIONSHIPS_ANNOTATIONS

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        assert ctx.tree is not None
        postponed = any(
            isinstance(stmt, ast.ImportFrom)
            and stmt.module == "__future__"
            and any(a.name == "annotations" for a in stmt.names)
            for stmt in ctx.tree.body
        )
        for stmt in ctx.nodes(ast.AnnAssign):
            value = stmt.value
            if not isinstance(value, ast.Call) or not ctx.imports.matches(
                value.func, n.RELATIONSHIP
            ):
                continue
            ann = stmt.annotation
            text = ctx.text(ann)
            if keyword(value, "sa_relationship") is not None:
                continue  # SQLModel uses the given relationship() and ignores the annotation
            if postponed:
                if isinstance(ann, ast.Name | ast.Attribute):
                    continue
                why = "`from __future__ import annotations` turns it into the string"
                fix = (
                    "remove `from __future__ import annotations` from this models module, then "
                    'write `Optional["Worker"]` / `list["Task"]` (quoting does not help while '
                    "the future import is there)"
                )
            elif isinstance(ann, ast.Constant) and isinstance(ann.value, str):
                if "|" not in ann.value and "[" not in ann.value:
                    continue
                why = "the quoted annotation is the string"
                fix = 'quote only the class name: `Optional["Worker"]`, `list["Task"]`'
            else:
                continue
            name = getattr(stmt.target, "id", "?")
            yield self.violation(
                ctx,
                ann,
                f"relationship `{name}: {text}`: {why} {text.strip(chr(34) + chr(39))!r}, which "
                "SQLModel cannot resolve to a class; mapper configuration fails.",
                fix=fix,
            )
