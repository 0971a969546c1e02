"""Ruff findings that the code of a database layer contradicts, and fixes that change behaviour.

ruff reads one file at a time and knows nothing of SQLModel or Alembic, so a few of its
findings are wrong about these projects, and a few of its "safe" fixes are not:

- ``F401`` on a project import in Alembic's ``env.py`` (``from app.models import Song``): the
  import registers the tables on the metadata autogenerate compares; removing it makes
  autogenerate propose dropping them (RDA502). Dropped.
- ``F401`` on a re-export of a package's own module in its ``__init__.py`` (``from .hero import
  Hero``): the package's interface, and for a models package what registers every table.
  Dropped.
- ``F401`` on the template imports of an Alembic revision (``import sqlmodel``, ``import
  sqlalchemy as sa``, ``from alembic import op``): ``script.py.mako`` must import ``sqlmodel``
  (RDA503) and autogenerate writes it into every revision, used or not. Dropped, so the two
  rules never fight.
- ``F821`` on a model's string forward reference in a relationship annotation
  (``team: Optional["Team"] = Relationship()``) naming a model of the project: SQLModel and
  SQLAlchemy resolve it from the class registry when the mappers are configured. Dropped.

Any other unused import of a module that defines table models keeps its finding but not its
fix (``fix_withheld``): deleting it can unregister tables.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

from verifier.findings import Finding
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import FileContext
from verifier.rules.analysis.project import imported_module, module_parts

_TEMPLATE_IMPORTS = ("sqlmodel", "sqlalchemy", "alembic")
_UNDEFINED = r"`([^`]+)`"
WITHHELD = "removing this import could unregister the tables of the models module it imports"


def is_project_module(module: str, level: int = 0) -> bool:
    """A module of the project (relative, or neither the standard library nor a known library)."""
    if level:
        return True
    top = module.split(".")[0]
    return bool(top) and top not in sys.stdlib_module_names and top not in n.LIBRARIES


def _import_at(ctx: FileContext, line: int | None) -> ast.Import | ast.ImportFrom | None:
    if line is None:
        return None
    for node in [*ctx.nodes(ast.Import), *ctx.nodes(ast.ImportFrom)]:
        if node.lineno <= line <= (node.end_lineno or node.lineno):
            return node
    return None


def _modules(node: ast.Import | ast.ImportFrom) -> list[tuple[str, int]]:
    if isinstance(node, ast.ImportFrom):
        return [(node.module or "", node.level)]
    return [(alias.name, 0) for alias in node.names]


def _is_package_init(ctx: FileContext) -> bool:
    return PurePosixPath(ctx.posix_path).name == "__init__.py"


def _own_submodule(ctx: FileContext, module: str, level: int) -> bool:
    """``from .hero import Hero`` or ``from app.models.hero import Hero`` in app/models/."""
    if level:
        return True
    package = module_parts(ctx.path)
    parts = tuple(module.split("."))
    return any(parts[:k] == package[-k:] and len(parts) >= k for k in range(1, len(package) + 1))


def _side_effect_import(ctx: FileContext, finding: Finding) -> bool:
    node = _import_at(ctx, finding.line)
    if node is None:
        return False
    modules = _modules(node)
    if ctx.is_alembic_env:
        return all(is_project_module(m, level) for m, level in modules)
    if ctx.is_migration:
        return all(m.split(".")[0] in _TEMPLATE_IMPORTS for m, level in modules if not level)
    if _is_package_init(ctx):
        return all(_own_submodule(ctx, m, level) for m, level in modules)
    return False


def _relationship_forward_ref(ctx: FileContext, finding: Finding) -> bool:
    match = re.search(_UNDEFINED, finding.message)
    index = ctx.index
    if match is None or index is None or match.group(1) not in index.models:
        return False
    line, col = finding.line, (finding.col or 1) - 1
    for stmt in ctx.nodes(ast.AnnAssign):
        if not isinstance(ctx.parent(stmt), ast.ClassDef):
            continue
        value = stmt.value
        if not isinstance(value, ast.Call) or not (
            ctx.imports.matches(value.func, n.RELATIONSHIP)
            or ctx.imports.matches(value.func, n.SA_RELATIONSHIP)
        ):
            continue
        for sub in ast.walk(stmt.annotation):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                start = (sub.lineno, ctx.char_col(sub.lineno, sub.col_offset))
                end_line = sub.end_lineno or sub.lineno
                end = (end_line, ctx.char_col(end_line, sub.end_col_offset or 0))
                if line is not None and start <= (line, col) < end:
                    return True
    return False


def contradicted(ctx: FileContext, finding: Finding) -> bool:
    """True when ``finding`` (from ruff) is one of the cases the module docstring lists."""
    if finding.code == "F401":
        return _side_effect_import(ctx, finding)
    if finding.code == "F821":
        return _relationship_forward_ref(ctx, finding)
    return False


def withheld_fix(ctx: FileContext, finding: Finding) -> str | None:
    """Why ruff's fix for ``finding`` must not be applied, or None when it may.

    An import of a module that defines table models, or of the package directly holding one
    (``import app.models``, ``from app import models``, ``from app.models import Hero``), runs
    the class definitions that register the tables: removing it can change what
    ``create_all`` or autogenerate see.
    """
    if finding.code != "F401" or ctx.index is None:
        return None
    node = _import_at(ctx, finding.line)
    if node is None:
        return None
    model_modules = {module_parts(m.path) for m in ctx.index.models.values() if m.table}
    if not model_modules:
        return None
    targets: list[str] = []
    if isinstance(node, ast.ImportFrom):
        module = "." * node.level + (node.module or "")
        targets.append(module)
        joiner = "" if module.endswith(".") else "."
        targets += [f"{module}{joiner}{alias.name}" for alias in node.names]
    else:
        targets += [alias.name for alias in node.names]
    for target in targets:
        resolved = imported_module(target + ".x", ctx.path)
        parts = resolved[0] if resolved else ()
        if not parts:
            continue
        size = len(parts)
        if any(m[-size:] == parts or m[:-1][-size:] == parts for m in model_modules):
            return WITHHELD
    return None


def filter_findings(
    findings: Iterable[Finding], context_of: Callable[[str], FileContext | None]
) -> list[Finding]:
    """``findings`` without the ones the code contradicts; withheld fixes marked not fixable.
    ``context_of``: the parsed file of a path (``AstPass.context_of``)."""
    out: list[Finding] = []
    for finding in findings:
        ctx = context_of(finding.file or "") if finding.code in ("F401", "F821") else None
        if ctx is not None:
            if contradicted(ctx, finding):
                continue
            reason = withheld_fix(ctx, finding) if finding.details.get("fixable") else None
            if reason is not None:
                finding.details["fixable"] = False
                finding.details["fix_withheld"] = reason
        out.append(finding)
    return out
