"""Small source edits the autofixes are made of: add a keyword, replace a node, add an import.

Edits are character ranges on the original text, so fixes from several rules can be applied in
one pass; ``ensure_import`` produces the same edit for every fix that needs the same import,
and the applier drops the duplicates.
"""

from __future__ import annotations

import ast

from verifier.rules.base import Edit

TYPE_CHECKING = False
if TYPE_CHECKING:
    from verifier.rules.analysis.context import FileContext


def replace_node(ctx: FileContext, node: ast.AST, text: str) -> Edit:
    start, end = ctx.span(node)
    return Edit(start, end, text)


def add_keyword(ctx: FileContext, call: ast.Call, text: str) -> Edit:
    """Append ``text`` (``name=value``) as the last argument of ``call``."""
    parts: list[ast.AST] = [*call.args, *call.keywords]
    if parts:
        end = max(ctx.span(p)[1] for p in parts)
        return Edit(end, end, f", {text}")
    func_end = ctx.span(call.func)[1]
    paren = ctx.source.index("(", func_end)
    return Edit(paren + 1, paren + 1, text)


def ensure_import(ctx: FileContext, module: str, name: str) -> Edit | None:
    """An edit making ``name`` importable from ``module`` at module level, or None if it is."""
    assert ctx.tree is not None
    if ctx.imports.aliases.get(name) == f"{module}.{name}":
        return None
    last_import: ast.stmt | None = None
    for stmt in ctx.tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and stmt.module == module:
            if any(a.name == "*" for a in stmt.names):
                continue
            first = stmt.names[0]
            pos = ctx.offset(first.lineno, first.col_offset)
            return Edit(pos, pos, f"{name}, ")
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            last_import = stmt
    anchor: ast.stmt | None = last_import
    if anchor is None:
        body = ctx.tree.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            anchor = body[0]
    if anchor is None:
        return Edit(0, 0, f"from {module} import {name}\n")
    end_line = anchor.end_lineno or anchor.lineno
    pos = ctx.offset(end_line + 1, 0) if end_line < len(ctx.lines) else len(ctx.source)
    prefix = "" if ctx.source[:pos].endswith("\n") or pos == 0 else "\n"
    return Edit(pos, pos, f"{prefix}from {module} import {name}\n")
