"""SQLModel's `Field(regex=...)` (never checked) or `Field(pattern=...)` (a `TypeError`).

## What it does
Finds `regex=` and `pattern=` arguments to SQLModel's `Field()`, in any SQLModel class (table
or not) and in the module-level `Field()` values such classes share.

## Why is this bad?
On SQLModel 0.0.50 neither form validates anything:

- `Field(pattern=...)` is not a parameter of SQLModel's `Field`: the class definition raises
  `TypeError: Field() got an unexpected keyword argument 'pattern'`, so the module does not
  import;
- `Field(regex=...)` is accepted and silently ignored, on non-table schemas as on table models:
  `UserCreate(email="nope")` validates, and the bad value reaches the database.

Older guides show both (`regex` from Pydantic v1, `pattern` from Pydantic v2's own `Field`).
Put the pattern in the type instead, with Pydantic's `StringConstraints`, or check it in a
`field_validator`; both run on non-table schemas and in `model_validate` of table models (a
table model's `__init__` validates nothing, see RDA209).

## Example
```python
from sqlmodel import Field, SQLModel


class UserCreate(SQLModel):
    email: str = Field(max_length=320, regex=r"^[^@\\s]+@[^@\\s]+$")
```

## Use instead
```python
from typing import Annotated

from pydantic import StringConstraints
from sqlmodel import Field, SQLModel

Email = Annotated[str, StringConstraints(pattern=r"^[^@\\s]+@[^@\\s]+$")]


class UserCreate(SQLModel):
    email: Email = Field(max_length=320)
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import FileContext
from verifier.rules.base import Rule, Violation

_PATTERN_KEYWORDS = ("regex", "pattern")


class FieldRegexOrPattern(Rule):
    code = "RDA214"
    name = "field-regex-or-pattern"
    skill_ref = skill_refs.MODELS_PATTERNS

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        fields = set(ctx.calls_to(n.FIELD))
        for call in ctx.nodes(ast.Call):  # in tree order, as always
            if call not in fields:
                continue
            used = [kw for kw in call.keywords if kw.arg in _PATTERN_KEYWORDS]
            if not used or not self._in_sqlmodel_code(ctx, call):
                continue
            keyword = used[0]
            where = self._where(ctx, call)
            if keyword.arg == "pattern":
                message = (
                    f"`Field(pattern=...)`{where} crashes: SQLModel's `Field()` has no `pattern` "
                    "parameter (`TypeError: Field() got an unexpected keyword argument "
                    "'pattern'` when the class is defined)."
                )
            else:
                message = (
                    f"`Field(regex=...)`{where} is accepted and never checked, on table and "
                    "non-table models alike: values that do not match are validated and stored."
                )
            yield self.violation(
                ctx,
                keyword,
                message,
                fix="declare the type `Annotated[str, StringConstraints(pattern=...)]` (from "
                "pydantic) on a non-table schema, or check the value in a `field_validator`",
            )

    @staticmethod
    def _enclosing_class(ctx: FileContext, node: ast.AST) -> ast.ClassDef | None:
        for ancestor in ctx.ancestors(node):
            if isinstance(ancestor, ast.ClassDef):
                return ancestor
        return None

    def _in_sqlmodel_code(self, ctx: FileContext, call: ast.Call) -> bool:
        """SQLModel's ``Field`` by import, or a bare ``Field`` inside a SQLModel class."""
        found = ctx.imports.qualname(call.func)
        if found is not None and found[1]:
            return True  # imported from sqlmodel: matches() checked the module
        cls = self._enclosing_class(ctx, call)
        return cls is not None and _is_sqlmodel_class(ctx, cls)

    def _where(self, ctx: FileContext, call: ast.Call) -> str:
        cls = self._enclosing_class(ctx, call)
        if cls is None:
            return ""
        return f" in `{cls.name}`"


def _is_sqlmodel_class(ctx: FileContext, cls: ast.ClassDef) -> bool:
    if cls.name in getattr(ctx.index, "models", {}):
        return True
    return any(ctx.imports.matches(base, n.SQLMODEL) for base in cls.bases)
