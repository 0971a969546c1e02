"""Two foreign keys to one table and a relationship that does not say which one it uses.

## What it does
Finds relationships between two models where the child has several foreign keys to the
parent's table (`assignee_id` and `created_by_id`, both to `worker`) and the relationship, on
either side, gives neither `foreign_keys` nor `primaryjoin` (in `sa_relationship_kwargs` for
SQLModel).

## Why is this bad?
SQLAlchemy cannot guess which foreign key joins the two tables. The first query (or
`configure_mappers()`) raises `AmbiguousForeignKeysError: Could not determine join condition
between parent/child tables on relationship Task.assignee - there are multiple foreign key
paths linking the tables`. Nothing works until every relationship over those keys names its
key.

## Example
```python
from sqlmodel import Field, Relationship, SQLModel


class Worker(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    assignee_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    created_by_id: int = Field(foreign_key="worker.id", index=True)
    assignee: Worker | None = Relationship()
```

## Use instead
```python
from sqlmodel import Field, Relationship, SQLModel


class Worker(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    assignee_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    created_by_id: int = Field(foreign_key="worker.id", index=True)
    assignee: Worker | None = Relationship(
        sa_relationship_kwargs={"foreign_keys": "[Task.assignee_id]"}
    )
```
"""

from __future__ import annotations

from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis.context import FileContext
from verifier.rules.analysis.models import Model, ProjectIndex, Relationship
from verifier.rules.base import Rule, Violation

_DISAMBIGUATE = ("foreign_keys", "primaryjoin", "secondaryjoin", "link_model", "secondary")


class AmbiguousForeignKeys(Rule):
    code = "RDA207"
    name = "ambiguous-foreign-keys"
    skill_ref = skill_refs.RELATIONSHIPS_FOREIGN_KEYS

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        index = ctx.index
        if index is None:
            return
        for model in index.models.values():
            if model.path != ctx.path:
                continue
            for rel in model.relationships.values():
                if any(k in rel.kwargs for k in _DISAMBIGUATE):
                    continue
                target = index.model(rel.target)
                if target is None:
                    continue
                # Child side: this model holds several keys to the target's table...
                holder, keys = model, self._keys_to(index, model, target)
                if len(keys) < 2:
                    # ...or parent side: the target holds several keys to this model's table.
                    holder, keys = target, self._keys_to(index, target, model)
                if len(keys) >= 2:
                    yield self._report(ctx, model, rel, target, holder, keys)

    @staticmethod
    def _keys_to(index: ProjectIndex, child: Model, parent: Model) -> list[str]:
        keys: dict[str, str] = {}
        chain = [child.name, *child.bases]
        for name in chain:
            m = index.model(name)
            if m is not None:
                for fk in m.foreign_keys.values():
                    if fk.table == parent.tablename:
                        keys[fk.field] = fk.table
        return sorted(keys)

    def _report(
        self,
        ctx: FileContext,
        model: Model,
        rel: Relationship,
        target: Model,
        holder: Model,
        keys: list[str],
    ) -> Violation:
        key_list = ", ".join(f"`{k}`" for k in keys)
        return self.violation(
            ctx,
            rel.node,
            f"`{model.name}.{rel.name}` joins `{target.name}` over one of several foreign keys "
            f"({key_list}) without `foreign_keys`: SQLAlchemy raises AmbiguousForeignKeysError.",
            fix="add `sa_relationship_kwargs="
            f'{{"foreign_keys": "[{holder.name}.<key>]"}}` naming the '
            "key this relationship uses",
        )
