"""A many-to-one self-reference (`parent`) without `remote_side`.

## What it does
Finds, on a table model with a foreign key to its own table, a scalar relationship to the same
class (`parent: Optional["Task"] = Relationship(...)`) whose options do not set `remote_side`.

## Why is this bad?
For an adjacency list both ends of the join are columns of the same table, so SQLAlchemy
assumes one-to-many in both directions. With `back_populates` pairing `parent` and `subtasks`,
mapper configuration fails ("Task.parent and back-reference Task.subtasks are both of the same
direction"); without the pair, `parent` silently behaves as a collection. `remote_side` names
the parent's primary key and makes `parent` many-to-one.

## Example
```python
from typing import Optional

from sqlmodel import Field, Relationship, SQLModel


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    parent_task_id: int | None = Field(default=None, foreign_key="task.id", index=True)
    parent: Optional["Task"] = Relationship(back_populates="subtasks")
    subtasks: list["Task"] = Relationship(back_populates="parent")
```

## Use instead
```python
from typing import Optional

from sqlmodel import Field, Relationship, SQLModel


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    parent_task_id: int | None = Field(default=None, foreign_key="task.id", index=True)
    parent: Optional["Task"] = Relationship(
        back_populates="subtasks", sa_relationship_kwargs={"remote_side": "Task.id"}
    )
    subtasks: list["Task"] = Relationship(back_populates="parent")
```
"""

from __future__ import annotations

from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis.context import FileContext
from verifier.rules.base import Rule, Violation


class SelfReferenceWithoutRemoteSide(Rule):
    code = "RDA208"
    name = "self-reference-without-remote-side"
    skill_ref = skill_refs.RELATIONSHIPS_SELF

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        index = ctx.index
        if index is None:
            return
        for model in index.models.values():
            if model.path != ctx.path or not model.table:
                continue
            if not any(fk.table == model.tablename for fk in model.foreign_keys.values()):
                continue
            for rel in model.relationships.values():
                if rel.target != model.name or rel.is_list:
                    continue
                if "remote_side" in rel.kwargs or "primaryjoin" in rel.kwargs:
                    continue
                if "link_model" in rel.kwargs or "secondary" in rel.kwargs:
                    continue
                yield self.violation(
                    ctx,
                    rel.node,
                    f"`{model.name}.{rel.name}` points to its own table without `remote_side`: "
                    "SQLAlchemy takes it for one-to-many and the parent/children pair fails to "
                    "configure.",
                    fix=f'add `sa_relationship_kwargs={{"remote_side": "{model.name}.id"}}`',
                )
