"""A file that cannot be linted: it does not parse, cannot be decoded, or is too large.

## What it does
Reports, as one finding, a Python file that the static stage cannot read: a syntax error
(with its line and column), bytes that are not valid in the file's declared encoding (UTF-8
unless a PEP 263 coding line says otherwise), or a file over the size limit
(`max-file-size` under `[tool.rda.lint]`, 2 MiB by default).

## Why is this bad?
Nothing else can be checked in a file that does not parse: every later stage (import, schema,
behaviour) would fail on it too. Reporting it as a finding, not a crash, keeps the rest of the
run going and tells the agent exactly where to look.

## Example
```python
async def get_task(session, task_id:
    return await session.get(Task, task_id)
```

## Use instead
```python
async def get_task(session, task_id):
    return await session.get(Task, task_id)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from verifier.rules.analysis.context import FileContext
from verifier.rules.base import Rule, Violation


class UnlintableFile(Rule):
    code = "RDA000"
    name = "unlintable-file"
    skill_ref = None
    kinds = frozenset({"python", "alembic_ini", "mako"})

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        # Reported by the runner when reading or parsing fails; nothing to check on a tree.
        return iter(())
