"""A database URL literal with a password in the code.

## What it does
Finds string literals (and the literal parts of f-strings) that are database URLs carrying a
password, `postgresql+asyncpg://app:s3cret@db/app`, including as the fallback of
`os.getenv("DATABASE_URL", "...")`. Placeholders (`{password}`, `${PASSWORD}`, `***`) and
test files are not reported.

## Why is this bad?
A password in source code is in the repository history forever, in every clone, fork, CI log
and container image built from it. The fallback form is the most common leak: the
production password becomes the default that every developer machine uses. Read the whole URL
from the environment (or a secret store) and fail clearly when it is missing.

## Example
```python
import os

DATABASE_URL = os.getenv("DATABASE_URL", "postgresql+asyncpg://app:s3cret@db.internal/app")
```

## Use instead
```python
import os

DATABASE_URL = os.environ["DATABASE_URL"]
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis.context import FileContext
from verifier.rules.analysis.urls import has_real_password, is_docstring, parse_url
from verifier.rules.base import Rule, Violation


class CredentialsInUrl(Rule):
    code = "RDA601"
    name = "credentials-in-database-url"
    skill_ref = skill_refs.ENGINE_SECURITY
    applies_to_tests = False

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        for node in ctx.nodes(ast.Constant):
            if not isinstance(node.value, str) or "://" not in node.value:
                continue
            match = parse_url(node.value)
            if match is None and isinstance(ctx.parent(node), ast.JoinedStr):
                # the literal head of an f-string: "postgresql://app:s3cret@" + {host}
                match = parse_url(node.value + "host")
            if match is None or not has_real_password(match) or is_docstring(ctx, node):
                continue
            yield self.violation(
                ctx,
                node,
                f"database URL with a password in the code (`{match.group('scheme')}://"
                f"{match.group('user')}:***@...`): it ships with every copy of the source.",
                fix='read the URL from the environment: `os.environ["DATABASE_URL"]`',
            )
