"""Alembic `env.py` whose metadata has no models: autogenerate sees an empty schema.

## What it does
Finds an Alembic `env.py` where `target_metadata` is `None`, or is `SQLModel.metadata` (or a
`*.metadata`) while the file imports no module of the project, so no model class has been
defined when Alembic reads the metadata.

## Why is this bad?
Tables register on `SQLModel.metadata` only when their classes are imported. With nothing
imported, `alembic revision --autogenerate` compares the database with an empty metadata: the
first migration comes out empty, and on a populated database it proposes to drop every table.

## Example
```python
# file: alembic/env.py
from alembic import context
from sqlmodel import SQLModel

config = context.config
target_metadata = SQLModel.metadata
```

## Use instead
```python
# file: alembic/env.py
from alembic import context
from sqlmodel import SQLModel

from app import models  # noqa: F401  (registers every table on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata
```
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import FileContext
from verifier.rules.base import Rule, Violation


class EnvPyModelsNotImported(Rule):
    code = "RDA502"
    name = "alembic-env-models-not-imported"
    skill_ref = skill_refs.MIGRATIONS_AUTOGENERATE

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        if not ctx.is_alembic_env:
            return
        assert ctx.tree is not None
        assign = None
        for stmt in ctx.tree.body:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else []
            if any(isinstance(t, ast.Name) and t.id == "target_metadata" for t in targets):
                assign = stmt
        if assign is None:
            return
        value = assign.value
        if isinstance(value, ast.Constant) and value.value is None:
            yield self.violation(
                ctx,
                assign,
                "`target_metadata = None`: autogenerate has no models to compare with the "
                "database.",
                fix="import the models and set `target_metadata = SQLModel.metadata`",
            )
            return
        if not (isinstance(value, ast.Attribute) and value.attr == "metadata"):
            return
        if self._imports_project(ctx):
            return
        yield self.violation(
            ctx,
            assign,
            f"`target_metadata = {ctx.text(value)}` but `env.py` imports no project module: "
            "no model is registered, autogenerate sees an empty schema.",
            fix="import the models module before this line (e.g. `from app import models  "
            "# noqa: F401`)",
        )

    @staticmethod
    def _imports_project(ctx: FileContext) -> bool:
        stdlib = sys.stdlib_module_names
        for node in ctx.nodes(ast.Import) + ctx.nodes(ast.ImportFrom):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    return True
                modules = [node.module or ""]
            else:
                modules = [alias.name for alias in node.names]
            for module in modules:
                top = module.split(".")[0]
                if top and top not in stdlib and top not in n.LIBRARIES and top != "__future__":
                    return True
        for call in ctx.nodes(ast.Call):
            name = ctx.text(call.func)
            if name in ("importlib.import_module", "import_module", "__import__"):
                return True
        return False
