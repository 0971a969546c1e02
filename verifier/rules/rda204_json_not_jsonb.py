"""A `JSON` column where PostgreSQL's `JSONB` is meant.

## What it does
Finds the generic `JSON` type (from `sqlalchemy`, `sqlmodel` or the PostgreSQL dialect) used as
a column type: `sa_type=JSON`, `Column(JSON)`, `mapped_column(JSON)`. `JSON().with_variant(
JSONB, "postgresql")` is accepted.

## Why is this bad?
PostgreSQL's `json` type stores the text as written: every read re-parses it, it cannot be
indexed with GIN, it has no equality operator (so `DISTINCT`, `GROUP BY` and `UNION` fail on
it), and containment queries (`@>`, `?`) do not exist for it. `jsonb` is what PostgreSQL
recommends for nearly every use, and what the Task API contract requires for `tags` and
`details`.

## Example
```python
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class AuditLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    details: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
```

## Use instead
```python
from sqlalchemy import Column
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class AuditLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    details: dict = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default="{}")
    )
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.findings import Severity
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import FileContext, keyword
from verifier.rules.base import Rule, Violation


class JsonNotJsonb(Rule):
    code = "RDA204"
    name = "json-instead-of-jsonb"
    severity = Severity.WARNING
    skill_ref = skill_refs.MODELS_JSONB

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        imports = ctx.imports
        for call in ctx.calls_to(n.FIELD | n.COLUMN | n.MAPPED_COLUMN):
            func = call.func
            if imports.matches(func, n.FIELD):
                types = [v for v in (keyword(call, "sa_type"),) if v is not None]
            elif imports.matches(func, n.COLUMN) or imports.matches(func, n.MAPPED_COLUMN):
                types = [*call.args, *(v for v in (keyword(call, "type_"),) if v is not None)]
            else:
                continue
            for node in types:
                base = node.func if isinstance(node, ast.Call) else node
                if isinstance(base, ast.Attribute) and base.attr == "with_variant":
                    continue
                if imports.matches(base, n.JSON) and not imports.matches(base, n.JSONB):
                    yield self.violation(
                        ctx,
                        node,
                        f"`{ctx.text(node)}` makes a PostgreSQL `json` column: not indexable, no "
                        "equality, re-parsed on every read. Use `JSONB`.",
                        fix="use `JSONB` from `sqlalchemy.dialects.postgresql` (and a migration)",
                    )
