"""Which of the project's own coroutine functions a call invokes.

RDA101 knows the coroutine methods of SQLAlchemy's async objects from the library; the
project's own ``async def`` functions and methods are just as easy to call without ``await``
(``tag = self.get_tag_by_uid(uid)``). This module resolves a call to the ``FunctionInfo`` the
``ProjectIndex`` holds for it: a module-level function of this file or of another module of
the run (through its import), a method of the enclosing class or its project bases
(``self.m()``, ``cls.m()``, ``super().m()``), a method of an object whose type is a project
class (``repo.m()`` with ``repo: TagRepository``, or ``TagRepository(session).m()``), or a
static/class method (``TagRepository.m()``). A class imported from a package that re-exports
it (``from app.repositories import TagRepository``) is the one its modules define.
"""

from __future__ import annotations

import ast

from verifier.rules.analysis.bindings import OBJECT
from verifier.rules.analysis.sessions import scope_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from verifier.rules.analysis.context import FileContext, FunctionNode
    from verifier.rules.analysis.project import ClassInfo, FunctionInfo


def called_function(ctx: FileContext, call: ast.Call) -> FunctionInfo | None:
    """The project function or method ``call`` invokes, when it can be told for sure."""
    index = ctx.index
    if index is None:
        return None
    func = call.func
    if isinstance(func, ast.Name):
        if func.id not in index.functions:
            return None
        if scope_of(ctx, ctx.function_of(call)).bound_locally(func.id):
            return None
        return index.resolve_function(ctx.imports, ctx.path, func)
    if not isinstance(func, ast.Attribute):
        return None
    if func.attr in index.method_names:
        found = _method(ctx, func)
        if found is not None:
            return found
    if func.attr in index.functions:
        return index.resolve_function(ctx.imports, ctx.path, func)  # module.function()
    return None


def called_coroutine(ctx: FileContext, call: ast.Call) -> FunctionInfo | None:
    """The project ``async def`` (a plain coroutine function) ``call`` invokes, if any."""
    found = called_function(ctx, call)
    return found if found is not None and found.coroutine else None


def _method(ctx: FileContext, func: ast.Attribute) -> FunctionInfo | None:
    index = ctx.index
    assert index is not None
    receiver = func.value
    caller = ctx.function_of(func)
    if (
        isinstance(receiver, ast.Call)
        and isinstance(receiver.func, ast.Name)
        and receiver.func.id == "super"
    ):
        owner = enclosing_class(ctx, caller)
        return index.method(owner, func.attr, skip_self=True) if owner is not None else None
    if isinstance(receiver, ast.Name) and receiver.id in ("self", "cls"):
        owner = enclosing_class(ctx, caller)
        if owner is not None:
            return index.method(owner, func.attr)
    scope = scope_of(ctx, caller)
    if isinstance(receiver, ast.Call):  # ``TagRepository(session).m()``: an instance's method
        made = receiver.func
        if isinstance(made, ast.Name) and scope.bound_locally(made.id):
            return None
        cls = index.resolve_class(ctx.imports, ctx.path, made)
        return index.method(cls, func.attr) if cls is not None else None
    binding = scope.binding_of(receiver)
    if binding is not None:
        if binding.kind != OBJECT:
            return None
        info = scope.class_info(binding)
        return index.method(info, func.attr) if info is not None else None
    if isinstance(receiver, ast.Name | ast.Attribute):
        if isinstance(receiver, ast.Name) and scope.bound_locally(receiver.id):
            return None
        cls = index.resolve_class(ctx.imports, ctx.path, receiver)
        if cls is not None:
            found = index.method(cls, func.attr)
            if found is not None and found.on_class:
                return found
    return None


def enclosing_class(ctx: FileContext, func: FunctionNode | None) -> ClassInfo | None:
    """The project class whose method ``func`` is (or is nested in)."""
    index = ctx.index
    while func is not None and index is not None:
        owner = ctx.parent(func)
        if isinstance(owner, ast.ClassDef):
            return index.class_by_key.get(f"{ctx.path}:{owner.name}")
        func = ctx.function_of(func)
    return None
