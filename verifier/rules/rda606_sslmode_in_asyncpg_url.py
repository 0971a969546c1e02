"""`sslmode=` in a `postgresql+asyncpg://` URL.

## What it does
Finds string literals that are `+asyncpg` database URLs with an `sslmode=` query parameter
(docstrings and prose that merely mention such a URL are not reported).

## Why is this bad?
`sslmode` is a libpq (psycopg) parameter. SQLAlchemy passes URL query parameters to
`asyncpg.connect()`, which does not know it: the first connection fails with
`TypeError: connect() got an unexpected keyword argument 'sslmode'`. The URLs managed
providers (Neon, Supabase) hand out carry `?sslmode=require`, so converting only the scheme
is not enough: asyncpg takes `ssl=require`.

## Example
```python
DATABASE_URL = "postgresql+asyncpg://app@ep-cool-tree.neon.tech/app?sslmode=require"
```

## Use instead
```python
DATABASE_URL = "postgresql+asyncpg://app@ep-cool-tree.neon.tech/app?ssl=require"
```
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis.context import FileContext
from verifier.rules.analysis.urls import is_docstring, parse_url
from verifier.rules.base import Edit, Rule, Violation

_SSLMODE = r"[?&]sslmode="


class SslmodeInAsyncpgUrl(Rule):
    code = "RDA606"
    name = "sslmode-in-asyncpg-url"
    skill_ref = skill_refs.ENGINE_SECURITY
    fixable = True

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        for node in ctx.nodes(ast.Constant):
            value = node.value
            if not isinstance(value, str) or "+asyncpg" not in value:
                continue
            if not re.search(_SSLMODE, value):
                continue
            if is_docstring(ctx, node) or parse_url(value) is None:
                continue  # prose about such URLs, not a URL
            edits: list[Edit] = []
            start, end = ctx.span(node)
            raw = ctx.source[start:end]
            if raw.count("sslmode=") == 1 and not raw.startswith(("b", "B")):
                fixed = raw.replace("sslmode=", "ssl=")
                edits.append(Edit(start, end, fixed))
            yield self.violation(
                ctx,
                node,
                "`sslmode=` in an asyncpg URL: asyncpg does not accept it and the first connect "
                "raises TypeError.",
                fix="use `ssl=require` (asyncpg's parameter) instead of `sslmode=require`",
                edits=edits,
            )
