"""Which names hold an AsyncSession, an engine, a connection or a session factory.

RDA101 must know that ``session.commit()`` is a coroutine while ``cache.commit()`` may not be,
so it needs a small, local type inference. A name is a session when, in its function (or an
enclosing one, or the module):

- a parameter is annotated ``AsyncSession`` (also through ``Optional``, ``X | None``, string
  annotations, ``Annotated[...]`` and module-level aliases such as ``SessionDep``);
- it is bound by ``async with AsyncSession(engine) as s``, ``async with factory() as s``,
  ``async with factory.begin() as s`` or ``s = factory()``, where ``factory`` is the result of
  ``async_sessionmaker(...)`` (or ``sessionmaker(class_=AsyncSession)``);
- it is a FastAPI ``Depends(get_session)`` parameter whose provider yields a session;
- it is ``self.x`` in a class that stores a session parameter as ``self.x``, or in a class
  deriving from such a class of the project (``BaseRepository.__init__`` typing
  ``self.session`` for every repository), also through an attribute typed as another project
  class (``self.db.session``);
- it is ``a or b`` (or ``a if c else b``) where the operands that are known agree
  (``db_session = db_session or self.db.session``);
- in an ``async def`` of a file with no sync ``Session`` or HTTP client imports, it is an
  unannotated parameter named ``session``, ``db_session`` or ``async_session``.

A name also bound to something else in the same function is dropped: precision beats recall.
Each binding carries the session's flavor (``sqlmodel``, ``sqlalchemy`` or ``unknown``), which
decides between ``exec`` and ``execute``. Names typed as (or built from) a class of the project
are ``OBJECT`` bindings, so that their attributes and methods can be followed.
``SessionScope`` is a plain class, not a dataclass: see ``verifier.findings``.
"""

from __future__ import annotations

import ast
import re

from verifier.rules.analysis import names as n
from verifier.rules.analysis.bindings import (
    ALIAS,
    CONNECTION,
    ENGINE,
    FACTORY,
    OBJECT,
    PROVIDER,
    SESSION,
    SQLALCHEMY,
    SQLMODEL,
    SYNC_ENGINE,
    SYNC_FACTORY,
    SYNC_SESSION,
    UNKNOWN,
    Binding,
    describe,
)
from verifier.rules.analysis.context import keyword, register_analysis

TYPE_CHECKING = False
if TYPE_CHECKING:
    from verifier.rules.analysis.context import FileContext, FunctionNode
    from verifier.rules.analysis.project import ClassInfo

__all__ = [
    "ALIAS",
    "CONNECTION",
    "ENGINE",
    "FACTORY",
    "OBJECT",
    "PROVIDER",
    "SESSION",
    "SQLALCHEMY",
    "SQLMODEL",
    "SYNC_ENGINE",
    "SYNC_FACTORY",
    "SYNC_SESSION",
    "UNKNOWN",
    "Binding",
    "SessionScope",
    "class_attributes",
    "describe",
    "module_bindings",
    "scope_of",
    "session_flavor",
]

_HEURISTIC_PARAMS = frozenset({"session", "db_session", "async_session"})
_PROVIDER_NAMES = frozenset(
    {"get_session", "get_db", "get_async_session", "get_db_session", "get_async_db"}
)
_GENERATOR_WRAPPERS = frozenset(
    {"AsyncGenerator", "AsyncIterator", "AsyncIterable", "Generator", "Iterator", "Iterable"}
)
# Conventional names of a session factory defined in another module (``SessionLocal()``).
_FACTORY_NAME = (
    r"^(?:(?:async_?)?session_?(?:local|factory|maker)|(?:Async)?Session(?:Local|Factory|Maker)"
    r"|async_session(?:_maker|_factory|_local)?)$"
)


def session_flavor(ctx: FileContext, cls: ast.AST) -> str | None:
    """``sqlmodel``/``sqlalchemy``/``unknown`` when ``cls`` names an AsyncSession class."""
    found = ctx.imports.qualname(cls)
    if found is None:
        return None
    name, resolved = found
    if resolved:
        if name in n.SQLMODEL_ASYNC_SESSION:
            return SQLMODEL
        if name in n.SQLALCHEMY_ASYNC_SESSION:
            return SQLALCHEMY
        return None
    if ctx.imports.matches(cls, n.ASYNC_SESSION):
        return UNKNOWN
    return None


def _unwrap_annotation(node: ast.AST) -> list[ast.AST]:
    """The candidate types an annotation may stand for (Optional/Union/strings unwrapped)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            parsed = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return []
        return _unwrap_annotation(parsed)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return [*_unwrap_annotation(node.left), *_unwrap_annotation(node.right)]
    if isinstance(node, ast.Subscript):
        head = (
            node.value.attr
            if isinstance(node.value, ast.Attribute)
            else getattr(node.value, "id", "")
        )
        inner = node.slice
        if head in ("Optional", "Union"):
            elts = inner.elts if isinstance(inner, ast.Tuple) else [inner]
            return [c for e in elts for c in _unwrap_annotation(e)]
        if head == "Annotated":
            first = inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner
            return [node, *_unwrap_annotation(first)]
        return [node]
    return [node]


def _depends_target(ctx: FileContext, node: ast.AST | None) -> ast.AST | None:
    """The provider inside ``Depends(provider)``, or None."""
    if isinstance(node, ast.Call) and ctx.imports.matches(node.func, n.DEPENDS) and node.args:
        return node.args[0]
    return None


# What a call of one of these makes, whatever the scope: the library calls ``value`` knows.
_LIBRARY = (
    n.ASYNC_SESSION
    | n.CREATE_ASYNC_ENGINE
    | n.ASYNC_ENGINE_FROM_CONFIG
    | n.CREATE_ENGINE
    | n.ENGINE_FROM_CONFIG
    | n.ASYNC_SESSIONMAKER
    | n.SESSIONMAKER
    | n.SYNC_SESSION
)


def library_call(ctx: FileContext, call: ast.Call) -> Binding | None:
    """The binding a call of a library constructor makes (``AsyncSession(...)``,
    ``create_async_engine(...)``, ``async_sessionmaker(...)``...), else None.

    It depends on the file's imports and the call alone, never on the names in scope, so it is
    worked out once for the file: every scope evaluates the same calls, twice while it binds
    and again for each rule that asks.
    """
    made = ctx.cached(("library_calls", None), lambda: _library_calls(ctx))
    return made.get(call)


def _library_calls(ctx: FileContext) -> dict[ast.Call, Binding]:
    found: dict[ast.Call, Binding] = {}
    imports = ctx.imports
    for call in ctx.calls_to(_LIBRARY):
        func = call.func
        flavor = session_flavor(ctx, func)
        if flavor is not None:
            found[call] = Binding(SESSION, flavor)
        elif imports.matches(func, n.CREATE_ASYNC_ENGINE) or imports.matches(
            func, n.ASYNC_ENGINE_FROM_CONFIG
        ):
            found[call] = Binding(ENGINE)
        elif imports.matches(func, n.CREATE_ENGINE) or imports.matches(func, n.ENGINE_FROM_CONFIG):
            found[call] = Binding(SYNC_ENGINE)
        elif imports.matches(func, n.ASYNC_SESSIONMAKER):
            cls = keyword(call, "class_")
            found[call] = Binding(
                FACTORY, (session_flavor(ctx, cls) if cls is not None else None) or SQLALCHEMY
            )
        elif imports.matches(func, n.SESSIONMAKER):
            cls = keyword(call, "class_")
            cls_flavor = session_flavor(ctx, cls) if cls is not None else None
            found[call] = (
                Binding(FACTORY, cls_flavor) if cls_flavor is not None else Binding(SYNC_FACTORY)
            )
        elif imports.matches(func, n.SYNC_SESSION):
            found[call] = Binding(SYNC_SESSION)
    return found


class SessionScope:
    """Bindings of one function (or of the module when ``func`` is None)."""

    __slots__ = ("bindings", "ctx", "func", "parent", "shadowed")

    def __init__(
        self,
        ctx: FileContext,
        func: FunctionNode | None,
        parent: SessionScope | None,
        bindings: dict[str, Binding] | None = None,
        shadowed: set[str] | None = None,
    ) -> None:
        self.ctx = ctx
        self.func = func
        self.parent = parent
        self.bindings: dict[str, Binding] = {} if bindings is None else bindings
        self.shadowed: set[str] = set() if shadowed is None else shadowed

    # -- lookups -------------------------------------------------------------------------------

    def lookup(self, name: str) -> Binding | None:
        scope: SessionScope | None = self
        while scope is not None:
            if name in scope.bindings:
                return scope.bindings[name]
            if name in scope.shadowed:
                return None
            scope = scope.parent
        return None

    def binding_of(self, node: ast.AST) -> Binding | None:
        """The binding of a ``name``, ``self.attr`` or ``obj.attr`` expression."""
        if isinstance(node, ast.Name):
            return self.lookup(node.id)
        if not isinstance(node, ast.Attribute):
            return None
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            found = self.lookup(f"self.{node.attr}")
            if found is not None:
                return found
        owner = self.binding_of(node.value)
        if owner is None or owner.kind != OBJECT:
            return None
        info = self.class_info(owner)
        index = self.ctx.index
        return index.attribute(info, node.attr) if info is not None and index else None

    def class_info(self, binding: Binding) -> ClassInfo | None:
        """The project class an ``OBJECT`` binding is an instance of."""
        index = self.ctx.index
        if binding.cls is None or index is None:
            return None
        return index.class_by_key.get(binding.cls)

    def project_class(self, node: ast.AST) -> Binding | None:
        """``OBJECT`` when ``node`` names a (non-model) class of the project."""
        index = self.ctx.index
        if index is None or not index.classes:
            return None
        if isinstance(node, ast.Name) and self.bound_locally(node.id):
            return None
        info = index.resolve_class(self.ctx.imports, self.ctx.path, node)
        if info is None or info.name in index.models:
            return None
        return Binding(OBJECT, cls=info.key)

    def bound_locally(self, name: str) -> bool:
        """True when a function scope (this one or an enclosing one) binds ``name``."""
        return self._bound_locally(name)

    def _bound_locally(self, name: str) -> bool:
        scope: SessionScope | None = self
        while scope is not None and scope.func is not None:
            if name in scope.shadowed:
                return True
            scope = scope.parent
        return False

    def is_session(self, node: ast.AST) -> bool:
        b = self.binding_of(node)
        return b is not None and b.kind == SESSION

    # -- inference -----------------------------------------------------------------------------

    def annotation(self, ann: ast.AST | None) -> Binding | None:
        """The binding an annotation declares (AsyncSession, AsyncEngine, aliases...)."""
        if ann is None:
            return None
        ctx = self.ctx
        for cand in _unwrap_annotation(ann):
            if isinstance(cand, ast.Subscript):
                head = cand.value
                if (
                    ctx.imports.matches(head, n.ANNOTATED)
                    or getattr(head, "id", None) == "Annotated"
                ):
                    inner = cand.slice
                    if isinstance(inner, ast.Tuple):
                        for meta in inner.elts[1:]:
                            provided = self.provider(_depends_target(ctx, meta))
                            if provided:
                                return provided
                    continue
                if ctx.imports.matches(head, n.ASYNC_SESSIONMAKER):
                    return Binding(FACTORY, self._factory_flavor_from_subscript(cand))
                continue
            flavor = session_flavor(ctx, cand)
            if flavor is not None:
                return Binding(SESSION, flavor)
            if ctx.imports.matches(cand, n.SYNC_SESSION):
                return Binding(SYNC_SESSION)
            if ctx.imports.matches(cand, n.ASYNC_ENGINE):
                return Binding(ENGINE)
            if ctx.imports.matches(cand, n.ASYNC_CONNECTION):
                return Binding(CONNECTION)
            if ctx.imports.matches(cand, n.ASYNC_SESSIONMAKER):
                return Binding(FACTORY, SQLALCHEMY)
            if isinstance(cand, ast.Name):
                alias = self.lookup(cand.id)
                if alias is not None and alias.kind == ALIAS:
                    return Binding(SESSION, alias.flavor)
            if isinstance(cand, ast.Name | ast.Attribute):
                instance = self.project_class(cand)
                if instance is not None:
                    return instance
        return None

    def _factory_flavor_from_subscript(self, node: ast.Subscript) -> str:
        flavor = session_flavor(self.ctx, node.slice)
        return flavor or SQLALCHEMY

    def provider(self, target: ast.AST | None) -> Binding | None:
        """The session a FastAPI dependency provider yields, if it yields one."""
        if target is None:
            return None
        if isinstance(target, ast.Name):
            known = self.lookup(target.id)
            if known is not None and known.kind == PROVIDER:
                return Binding(SESSION, known.flavor)
            if target.id in _PROVIDER_NAMES:
                return Binding(SESSION, UNKNOWN)
        elif isinstance(target, ast.Attribute) and target.attr in _PROVIDER_NAMES:
            return Binding(SESSION, UNKNOWN)
        return None

    def value(self, node: ast.AST | None) -> Binding | None:
        """The binding an expression evaluates to, when it is one we track."""
        if node is None:
            return None
        if isinstance(node, ast.Await):
            node = node.value
        if isinstance(node, ast.Name):
            return self.lookup(node.id)
        if isinstance(node, ast.Attribute):
            return self.binding_of(node)
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            if any(_literal(v) for v in node.values):
                return None
            return _agreed([self.value(v) for v in node.values])
        if isinstance(node, ast.IfExp):
            if _literal(node.body) or _literal(node.orelse):
                return None
            return _agreed([self.value(node.body), self.value(node.orelse)])
        if not isinstance(node, ast.Call):
            return None
        ctx = self.ctx
        func = node.func
        made = library_call(ctx, node)
        if made is not None:
            return made
        callee = self.value(func) if isinstance(func, ast.Name | ast.Attribute) else None
        if callee is not None and callee.kind == FACTORY:
            return Binding(SESSION, callee.flavor)
        if callee is None and isinstance(func, ast.Name) and re.match(_FACTORY_NAME, func.id):
            if func.id not in ctx.imports.defined and not self._bound_locally(func.id):
                return Binding(SESSION, UNKNOWN)
        if isinstance(func, ast.Attribute):
            owner = self.value(func.value)
            if owner is not None:
                if owner.kind == FACTORY and func.attr == "begin":
                    return Binding(SESSION, owner.flavor)
                if owner.kind == ENGINE and func.attr in ("connect", "begin"):
                    return Binding(CONNECTION)
        if isinstance(func, ast.Name | ast.Attribute):
            return self.project_class(func)
        return None

    # -- construction --------------------------------------------------------------------------

    @classmethod
    def build(cls, ctx: FileContext, func: FunctionNode | None) -> SessionScope:
        if func is None:
            return _module_scope(ctx)
        outer = ctx.function_of(func)
        parent = scope_of(ctx, outer)
        scope = cls(ctx, func, parent)
        owner = ctx.parent(func)
        if isinstance(owner, ast.ClassDef):
            scope.bindings.update(_inherited_attributes(ctx, owner))
            # Every method of a class has the same parent scope (the one around the class),
            # so the class's attributes are read once for all of them.
            attributes = ctx.cached(
                ("class_attributes", owner), lambda: class_attributes(ctx, owner, parent)
            )
            scope.bindings.update(attributes)
        _bind_parameters(scope, func)
        _bind_nodes(scope, ctx.scope_nodes(func))
        return scope


def scope_of(ctx: FileContext, func: FunctionNode | None) -> SessionScope:
    """What the names visible in ``func`` (or at module level for None) hold; cached."""
    return ctx.cached(("sessions", func), lambda: SessionScope.build(ctx, func))


register_analysis("sessions", scope_of)


def _literal(node: ast.AST) -> bool:
    """A value that is certainly no session (``None`` aside: ``x or None`` keeps x's type)."""
    if isinstance(node, ast.Constant):
        return node.value is not None
    return isinstance(node, ast.List | ast.Dict | ast.Set | ast.Tuple | ast.JoinedStr)


def _agreed(values: list[Binding | None]) -> Binding | None:
    """The binding of ``a or b``: the one the known operands agree on (flavors may differ)."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    first = known[0]
    if any(v.kind != first.kind or v.cls != first.cls for v in known[1:]):
        return None
    if any(v.flavor != first.flavor for v in known[1:]):
        return Binding(first.kind, UNKNOWN, first.cls)
    return first


def _inherited_attributes(ctx: FileContext, cls: ast.ClassDef) -> dict[str, Binding]:
    """``self.x`` bindings the project base classes of ``cls`` set (nearest base wins)."""
    index = ctx.index
    if index is None:
        return {}
    info = index.class_by_key.get(f"{ctx.path}:{cls.name}")
    if info is None or not info.bases:
        return {}
    found: dict[str, Binding] = {}
    for base in reversed(index.mro(info)[1:]):
        found.update({f"self.{name}": b for name, b in base.attributes.items()})
    return found


def _module_scope(ctx: FileContext) -> SessionScope:
    scope = SessionScope(ctx, None, None)
    index = ctx.index
    if index is not None:
        for local, target in ctx.imports.aliases.items():
            exported = index.exported.get(target.rsplit(".", 1)[-1])
            if exported is not None and not target.startswith(("sqlalchemy", "sqlmodel")):
                scope.bindings[local] = exported
    scope.bindings.update(module_bindings(ctx, scope))
    if ctx.top_level_await:
        # A notebook-style snippet: its top level is async code, bound like a function body.
        _bind_nodes(scope, ctx.scope_nodes(None))
        for name in _HEURISTIC_PARAMS:
            if name not in scope.bindings and name not in scope.shadowed:
                if name not in ctx.imports.defined and name not in ctx.imports.aliases:
                    if _heuristic_allowed(ctx):
                        scope.bindings[name] = Binding(SESSION, UNKNOWN)
    return scope


def module_bindings(ctx: FileContext, scope: SessionScope | None = None) -> dict[str, Binding]:
    """Module-level engines, factories, session aliases and providers defined in ``ctx``."""
    key = ("module_bindings", None)
    if scope is None and key in ctx._scopes:
        return ctx._scopes[key]
    found = _module_bindings(ctx, scope)
    if scope is None:
        ctx._scopes[key] = found
    return found


def _module_bindings(ctx: FileContext, scope: SessionScope | None) -> dict[str, Binding]:
    assert ctx.tree is not None
    scope = scope or SessionScope(ctx, None, None)
    found: dict[str, Binding] = {}
    for stmt in ctx.tree.body:
        if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            binding = scope.value(stmt.value)
            if binding is None:
                ann = scope.annotation(stmt.value)
                if ann is not None and ann.kind == SESSION and _is_annotation_expr(stmt.value):
                    binding = Binding(ALIAS, ann.flavor)
            if binding is None and isinstance(stmt, ast.AnnAssign):
                binding = scope.annotation(stmt.annotation)
            if binding is not None:
                for target in targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = binding
                        scope.bindings[target.id] = binding
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            flavor = _provider_flavor(ctx, scope, stmt)
            if flavor is not None:
                found[stmt.name] = Binding(PROVIDER, flavor)
                scope.bindings[stmt.name] = found[stmt.name]
    return found


def _is_annotation_expr(node: ast.AST) -> bool:
    return isinstance(node, ast.Subscript | ast.BinOp | ast.Name | ast.Attribute)


def _provider_flavor(ctx: FileContext, scope: SessionScope, func: FunctionNode) -> str | None:
    """The flavor of the session a generator function yields (``get_session``), if any."""
    returns = func.returns
    if returns is not None:
        for cand in _unwrap_annotation(returns):
            if isinstance(cand, ast.Subscript):
                head = (
                    cand.value.attr
                    if isinstance(cand.value, ast.Attribute)
                    else getattr(cand.value, "id", "")
                )
                if head in _GENERATOR_WRAPPERS:
                    inner = cand.slice.elts[0] if isinstance(cand.slice, ast.Tuple) else cand.slice
                    flavor = session_flavor(ctx, inner)
                    if flavor is not None:
                        return flavor
    if not isinstance(func, ast.AsyncFunctionDef) or func not in ctx.generator_functions:
        return None
    nodes = ctx.scope_nodes(func)
    yielded = {
        n.value.id for n in nodes if isinstance(n, ast.Yield) and isinstance(n.value, ast.Name)
    }
    for node in nodes:
        if isinstance(node, ast.AsyncWith):
            for item in node.items:
                var = item.optional_vars
                if isinstance(var, ast.Name) and var.id in yielded:
                    bound = scope.value(item.context_expr)
                    if bound is not None and bound.kind == SESSION:
                        return bound.flavor
        elif isinstance(node, ast.Assign):
            if any(isinstance(t, ast.Name) and t.id in yielded for t in node.targets):
                bound = scope.value(node.value)
                if bound is not None and bound.kind == SESSION:
                    return bound.flavor
    return None


def class_attributes(
    ctx: FileContext, cls: ast.ClassDef, scope: SessionScope
) -> dict[str, Binding]:
    """``self.x`` bindings: annotated class attributes, ``__init__`` parameters kept on self."""
    found: dict[str, Binding] = {}
    for stmt in cls.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            binding = scope.annotation(stmt.annotation)
            if binding is not None:
                found[f"self.{stmt.target.id}"] = binding
        elif isinstance(stmt, ast.FunctionDef) and stmt.name == "__init__":
            params = {a.arg: scope.annotation(a.annotation) for a in _all_args(stmt.args)}
            # ``self.session = uow.session``: values read with the parameters in scope
            inside = SessionScope(
                ctx,
                stmt,
                scope,
                {name: b for name, b in params.items() if b is not None},
                {name for name, b in params.items() if b is None},
            )
            for node in ast.walk(stmt):
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target, annotation, value = node.targets[0], None, node.value
                elif isinstance(node, ast.AnnAssign):
                    target, annotation, value = node.target, node.annotation, node.value
                else:
                    continue
                if not (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "self"
                ):
                    continue
                binding = scope.annotation(annotation)
                if binding is None and isinstance(value, ast.Name):
                    binding = params.get(value.id)
                if binding is None and isinstance(value, ast.BoolOp | ast.IfExp):
                    # ``self.session = session or default_session()``: the parameter's type
                    operands = value.values if isinstance(value, ast.BoolOp) else [value.body]
                    binding = next(
                        (
                            params[o.id]
                            for o in operands
                            if isinstance(o, ast.Name) and params.get(o.id)
                        ),
                        None,
                    )
                binding = binding or inside.value(value)
                if binding is not None:
                    found[f"self.{target.attr}"] = binding
    return found


def _all_args(args: ast.arguments) -> list[ast.arg]:
    out = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    if args.vararg:
        out.append(args.vararg)
    if args.kwarg:
        out.append(args.kwarg)
    return out


def _param_defaults(args: ast.arguments) -> dict[str, ast.expr]:
    positional = [*args.posonlyargs, *args.args]
    defaults: dict[str, ast.expr] = {}
    for arg, default in zip(
        positional[len(positional) - len(args.defaults) :], args.defaults, strict=True
    ):
        defaults[arg.arg] = default
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if default is not None:
            defaults[arg.arg] = default
    return defaults


def _heuristic_allowed(ctx: FileContext) -> bool:
    """Unannotated ``session`` parameters count only where nothing else could be meant."""
    return bool(ctx.cached(("heuristic_allowed", None), lambda: _no_other_sessions(ctx)))


def _no_other_sessions(ctx: FileContext) -> bool:
    imports = ctx.imports
    if imports.imports_from("aiohttp", "httpx", "requests", "niquests", "boto3", "aioboto3"):
        return False
    return not any(target in n.SYNC_SESSION for target in imports.aliases.values())


def _bind_parameters(scope: SessionScope, func: FunctionNode) -> None:
    ctx = scope.ctx
    defaults = _param_defaults(func.args)
    heuristic = isinstance(func, ast.AsyncFunctionDef) and _heuristic_allowed(ctx)
    for arg in _all_args(func.args):
        binding = scope.annotation(arg.annotation)
        default = defaults.get(arg.arg)
        if binding is None:
            binding = scope.provider(_depends_target(ctx, default))
        if (
            binding is None
            and heuristic
            and arg.annotation is None
            and default is None
            and arg.arg in _HEURISTIC_PARAMS
        ):
            binding = Binding(SESSION, UNKNOWN)
        if binding is not None and binding.kind not in (ALIAS, PROVIDER):
            scope.bindings[arg.arg] = binding
        else:
            scope.shadowed.add(arg.arg)


_BINDERS = (
    ast.Assign,
    ast.AnnAssign,
    ast.AsyncWith,
    ast.With,
    ast.For,
    ast.AsyncFor,
    ast.comprehension,
    ast.NamedExpr,
    ast.ExceptHandler,
    ast.Import,
    ast.ImportFrom,
)


def _bind_nodes(scope: SessionScope, nodes: list[ast.AST]) -> None:
    candidates: dict[str, Binding] = {}
    others: set[str] = set()

    def bind(target: ast.AST, value: ast.AST | None, binding: Binding | None) -> None:
        if isinstance(target, ast.Name):
            key = target.id
        elif (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == "self"
        ):
            key = f"self.{target.attr}"
        else:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Name):
                    others.add(sub.id)
            return
        if binding is not None:
            candidates[key] = binding
            scope.bindings[key] = binding
        elif not (isinstance(value, ast.Constant) and value.value is None):
            others.add(key)

    binders = [node for node in nodes if isinstance(node, _BINDERS)]
    before: dict[str, Binding] | None = None
    for _ in range(2):  # a second pass sees factories bound after first use in source order
        if before is not None and scope.bindings == before:
            break  # the first pass bound nothing new: the second would see what it saw
        before = dict(scope.bindings)
        for node in binders:
            if isinstance(node, ast.Assign):
                binding = scope.value(node.value)
                for target in node.targets:
                    bind(target, node.value, binding)
            elif isinstance(node, ast.AnnAssign):
                binding = scope.annotation(node.annotation) or scope.value(node.value)
                bind(node.target, node.value, binding)
            elif isinstance(node, ast.AsyncWith | ast.With):
                for item in node.items:
                    if item.optional_vars is not None:
                        bind(item.optional_vars, item.context_expr, scope.value(item.context_expr))
            elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                bind(node.target, None, None)
            elif isinstance(node, ast.NamedExpr):
                bind(node.target, node.value, scope.value(node.value))
            elif isinstance(node, ast.ExceptHandler) and node.name:
                others.add(node.name)
            elif isinstance(node, ast.Import | ast.ImportFrom):
                for alias in node.names:
                    others.add((alias.asname or alias.name).split(".")[0])
    for key in others:
        scope.bindings.pop(key, None)  # also bound to something else: not trusted
        scope.shadowed.add(key)
    for key in candidates:
        if key not in others:
            scope.shadowed.discard(key)
