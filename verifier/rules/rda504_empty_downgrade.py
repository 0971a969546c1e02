"""An Alembic revision whose `downgrade()` does nothing while `upgrade()` does.

## What it does
Finds Alembic revision files (module-level `revision`, `upgrade()` and `downgrade()`) where
`downgrade()` holds only `pass`, `...` or a docstring and `upgrade()` has real operations.

## Why is this bad?
`alembic downgrade -1` reports success and changes nothing: the schema and the revision table
disagree from then on, and the next `upgrade` fails on objects that already exist. A rollback
during an incident is exactly when this hurts. Write the inverse operations; if a step truly
cannot be undone, raise in `downgrade()` so nobody believes it worked.

## Example
```python
# file: alembic/versions/0002_add_priority.py
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.add_column("task", sa.Column("priority", sa.String(), nullable=True))


def downgrade() -> None:
    pass
```

## Use instead
```python
# file: alembic/versions/0002_add_priority.py
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.add_column("task", sa.Column("priority", sa.String(), nullable=True))


def downgrade() -> None:
    op.drop_column("task", "priority")
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis.context import FileContext
from verifier.rules.base import Rule, Violation


def _is_empty(func: ast.FunctionDef) -> bool:
    for stmt in func.body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # docstring or `...`
        return False
    return True


class EmptyDowngrade(Rule):
    code = "RDA504"
    name = "empty-downgrade"
    skill_ref = skill_refs.MIGRATIONS_DOWNGRADE

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        if not ctx.is_migration:
            return
        assert ctx.tree is not None
        funcs = {s.name: s for s in ctx.tree.body if isinstance(s, ast.FunctionDef)}
        upgrade, downgrade = funcs.get("upgrade"), funcs.get("downgrade")
        if upgrade is None or downgrade is None:
            return
        if _is_empty(downgrade) and not _is_empty(upgrade):
            yield self.violation(
                ctx,
                downgrade,
                "`downgrade()` is empty while `upgrade()` changes the schema: a downgrade "
                "reports success and leaves the schema as it was.",
                fix="write the inverse operations (drop what upgrade adds), or raise "
                "`NotImplementedError` if this revision cannot be undone",
            )
