"""`echo=True` on an engine outside tests.

## What it does
Finds `create_async_engine(..., echo=True)` or `create_engine(..., echo=True)` with a literal
`True`, outside test files and pytest fixtures. `echo=settings.debug` and other computed values
are accepted.

## Why is this bad?
`echo=True` logs every statement with its parameters through a handler SQLAlchemy adds itself:
in production that is a log line per query (slow, expensive) and the parameters, including
emails, tokens and password hashes, end up in the logs. Turn it on from configuration when
debugging, not in code.

## Example
```python
from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine(DATABASE_URL, echo=True, pool_pre_ping=True)
```

## Use instead
```python
from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine(DATABASE_URL, echo=settings.sql_echo, pool_pre_ping=True)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from verifier import skill_refs
from verifier.findings import Severity
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import FileContext, is_true, keyword
from verifier.rules.analysis.edits import replace_node
from verifier.rules.base import Rule, Violation


class EchoTrue(Rule):
    code = "RDA603"
    name = "engine-echo-enabled"
    severity = Severity.WARNING
    skill_ref = skill_refs.ENGINE_POOLING
    applies_to_tests = False
    fixable = True

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        for call in ctx.calls_to(n.CREATE_ASYNC_ENGINE | n.CREATE_ENGINE):
            if ctx.in_test_fixture(call):
                continue
            echo = keyword(call, "echo")
            if not is_true(echo):
                continue
            assert echo is not None
            yield self.violation(
                ctx,
                echo,
                "`echo=True` logs every statement and its parameters (personal data, tokens) "
                "in production.",
                fix="drop it, or drive it from configuration (`echo=settings.sql_echo`)",
                edits=[replace_node(ctx, echo, "False")],
            )
