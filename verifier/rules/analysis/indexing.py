"""Build the ``ProjectIndex`` of a lint run from every file, before any rule runs.

The top layer of the analysis: it asks each lower layer what it reads out of one file (model
classes from ``models``, module-level engines/factories/providers and typed ``self``
attributes from ``sessions``) and files it in the index, in an order that lets later steps use
earlier ones: exported bindings first (so ``from app.db import SessionLocal`` is known to be a
factory), then models, then every class and function (so annotations can name project classes),
then the bases and typed attributes of each class.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from verifier.rules.analysis.context import FileContext
from verifier.rules.analysis.models import is_model_class, read_model
from verifier.rules.analysis.project import ClassInfo, FunctionInfo, ProjectIndex
from verifier.rules.analysis.sessions import class_attributes, module_bindings, scope_of

# Decorators that leave a method's call returning what the function itself returns.
_TRANSPARENT = frozenset({"staticmethod", "classmethod", "abstractmethod", "override"})


def build_index(contexts: Iterable[FileContext]) -> ProjectIndex:
    """Index the Python files of a run and attach the index to each of them."""
    index = ProjectIndex()
    files = [ctx for ctx in contexts if ctx.tree is not None]
    pending: list[tuple[FileContext, ast.ClassDef]] = []
    for ctx in files:
        ctx.index = index
        pending.extend((ctx, c) for c in ctx.nodes(ast.ClassDef))
        for name, binding in module_bindings(ctx).items():
            index.exported.setdefault(name, binding)
    # Classes deriving from SQLModel, from a declarative base, or from another model.
    changed = True
    while changed:
        changed = False
        for ctx, node in pending:
            if node.name in index.models:
                continue
            if is_model_class(ctx, node, index):
                index.models[node.name] = read_model(ctx, node)
                changed = True
    infos: list[tuple[FileContext, ClassInfo]] = []
    for ctx in files:
        assert ctx.tree is not None
        for stmt in ctx.tree.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                index.add_function(function_info(ctx, stmt))
            elif isinstance(stmt, ast.ClassDef):
                info = ClassInfo(stmt.name, ctx.path, stmt)
                for item in stmt.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        info.methods[item.name] = function_info(ctx, item)
                        index.method_names.add(item.name)
                index.add_class(info)
                infos.append((ctx, info))
    for ctx, info in infos:
        for base in info.node.bases:
            target = base.value if isinstance(base, ast.Subscript) else base
            found = index.resolve_class(ctx.imports, ctx.path, target)
            if found is not None and found is not info:
                info.bases.append(found.key)
    for ctx, info in infos:
        if info.name in index.models:
            continue
        attributes = class_attributes(ctx, info.node, scope_of(ctx, None))
        info.attributes = {key.removeprefix("self."): b for key, b in attributes.items()}
    return index


def function_info(ctx: FileContext, func: ast.FunctionDef | ast.AsyncFunctionDef) -> FunctionInfo:
    """Whether calling ``func`` gives a coroutine to await (see ``FunctionInfo``)."""
    coroutine: bool | None = False
    if isinstance(func, ast.AsyncFunctionDef):
        coroutine = func not in ctx.generator_functions
        for deco in func.decorator_list:
            target = deco.func if isinstance(deco, ast.Call) else deco
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            if name not in _TRANSPARENT:
                coroutine = None
    elif func.decorator_list:
        coroutine = None
    return FunctionInfo(func.name, ctx.path, func.lineno, coroutine, func)
