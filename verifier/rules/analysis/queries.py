"""Follow a ``select()`` through one async function: what it returns and what it loaded.

The loading rules need to know, at ``task.assignee``, that ``task`` came from
``select(Task)`` executed without ``selectinload(Task.assignee)``. ``QueryFlow`` evaluates the
expressions of one function abstractly: a statement (its model, loader options, limit), a
result (scalar or rows, uniqued or not), a list of model instances, one instance. It is
flow-insensitive and optimistic: when a variable is bound several times, the loads and limits
of all bindings are merged, so a rule only fires when no binding could have loaded the
attribute.

Objects returned by a helper of the same module (``order = await _load_order(session, id)``,
or ``self._load_order(id)`` in a class) carry what the helper's query loaded: the helper's own
flow is evaluated and the values of its ``return`` statements merged.

What it records for the rules:
- ``unloaded``: relationship reads on instances whose query did not load them (RDA301);
- ``loops``: awaited session queries inside loops over query results, and single-row queries
  in a ``while`` loop that walks from one row to the next (``node = await session.get(Node,
  node.parent_id)``) (RDA302);
- ``not_uniqued``: results of a ``joinedload`` of a collection consumed without ``unique()``
  (RDA303);
- ``unbounded_returns``: lists returned from a statement without ``limit()`` (RDA304).

The records are ``Record``s and ``QueryFlow`` a plain class, not dataclasses: see
``verifier.records``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from verifier.records import Record, setfield
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import keyword, register_analysis
from verifier.rules.analysis.sessions import SESSION, SQLMODEL, UNKNOWN, scope_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from verifier.rules.analysis.context import FileContext, FunctionNode
    from verifier.rules.analysis.project import Relationship

STMT, RESULT, LIST, INSTANCE = "stmt", "result", "list", "instance"

_STMT_CHAIN = frozenset(
    {
        "where",
        "filter",
        "filter_by",
        "order_by",
        "join",
        "outerjoin",
        "join_from",
        "select_from",
        "group_by",
        "having",
        "distinct",
        "offset",
        "execution_options",
        "correlate",
        "with_for_update",
        "params",
        "where_clause",
        "enable_assertions",
    }
)
_LIMITS = frozenset({"limit", "slice", "fetch"})
_MANY = frozenset({"all", "fetchall", "fetchmany"})
_ONE = frozenset({"first", "one", "one_or_none", "fetchone"})
_SCALAR_ONE = frozenset({"scalar_one", "scalar_one_or_none", "scalar"})
_KEEP_RESULT = frozenset({"unique", "scalars"})
# The node types ``_bind`` and ``_find_problems`` act on (a fast test for every other node).
_BINDING_TYPES = frozenset({ast.Assign, ast.AnnAssign, ast.For, ast.AsyncFor, ast.comprehension})
_PROBLEM_TYPES = frozenset(
    {ast.Attribute, ast.For, ast.AsyncFor, ast.While, ast.Return}
    | {ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp}
)


class LoadTree(dict[str, "LoadTree"]):
    """Relationship name -> what is loaded below it. ``recursive`` repeats itself below."""

    recursive: frozenset[str] = frozenset()

    def child(self, name: str) -> LoadTree | None:
        if name in self:
            return self[name]
        if name in self.recursive:
            return self
        return None

    def merged(self, other: LoadTree) -> LoadTree:
        out = LoadTree(self)
        out.recursive = self.recursive | other.recursive
        for key, sub in other.items():
            out[key] = out[key].merged(sub) if key in out else sub
        return out


class Value(Record):
    """What an expression holds, abstractly (``loads`` has no default: it would be one shared
    ``LoadTree``)."""

    __slots__ = (
        "joined_collections",
        "kind",
        "limited",
        "loads",
        "model",
        "origin",
        "scalar",
        "unique",
    )
    kind: str
    model: str | None
    loads: LoadTree
    limited: bool
    unique: bool
    scalar: bool
    joined_collections: tuple[str, ...]
    origin: ast.AST | None

    def __init__(
        self,
        kind: str,
        model: str | None,
        loads: LoadTree,
        limited: bool = False,
        unique: bool = False,
        scalar: bool = True,
        joined_collections: tuple[str, ...] = (),
        origin: ast.AST | None = None,
    ) -> None:
        setfield(self, "kind", kind)
        setfield(self, "model", model)
        setfield(self, "loads", loads)
        setfield(self, "limited", limited)
        setfield(self, "unique", unique)
        setfield(self, "scalar", scalar)
        setfield(self, "joined_collections", joined_collections)
        setfield(self, "origin", origin)

    def merge(self, other: Value | None) -> Value | None:
        if other is None or other.kind != self.kind or other.model != self.model:
            return None
        return self.replace(
            loads=self.loads.merged(other.loads),
            limited=self.limited or other.limited,
            unique=self.unique or other.unique,
            scalar=self.scalar and other.scalar,
            joined_collections=tuple(
                c for c in self.joined_collections if c in other.joined_collections
            ),
        )


class UnloadedAccess(Record):
    """A read of ``relationship`` on an instance of ``model`` whose query did not load it."""

    __slots__ = ("model", "node", "origin", "relationship")
    node: ast.Attribute
    model: str
    relationship: str
    origin: ast.AST | None

    def __init__(
        self, node: ast.Attribute, model: str, relationship: str, origin: ast.AST | None
    ) -> None:
        setfield(self, "node", node)
        setfield(self, "model", model)
        setfield(self, "relationship", relationship)
        setfield(self, "origin", origin)


class QueryInLoop(Record):
    """An awaited session query (``call``) inside ``loop``, which walks over ``target``."""

    __slots__ = ("call", "loop", "target")
    call: ast.Call
    loop: ast.AST
    target: str

    def __init__(self, call: ast.Call, loop: ast.AST, target: str) -> None:
        setfield(self, "call", call)
        setfield(self, "loop", loop)
        setfield(self, "target", target)


class QueryFlow:
    """The abstract values of one function and the loading problems found in it."""

    __slots__ = (
        "ctx",
        "func",
        "loops",
        "not_uniqued",
        "unbounded_returns",
        "unloaded",
        "variables",
    )

    def __init__(
        self,
        ctx: FileContext,
        func: FunctionNode | None,
        variables: dict[str, Value | None] | None = None,
        unloaded: list[UnloadedAccess] | None = None,
        loops: list[QueryInLoop] | None = None,
        not_uniqued: list[tuple[ast.AST, Value]] | None = None,
        unbounded_returns: list[tuple[ast.Return, Value]] | None = None,
    ) -> None:
        self.ctx = ctx
        self.func = func
        self.variables: dict[str, Value | None] = {} if variables is None else variables
        self.unloaded: list[UnloadedAccess] = [] if unloaded is None else unloaded
        self.loops: list[QueryInLoop] = [] if loops is None else loops
        self.not_uniqued: list[tuple[ast.AST, Value]] = [] if not_uniqued is None else not_uniqued
        self.unbounded_returns: list[tuple[ast.Return, Value]] = (
            [] if unbounded_returns is None else unbounded_returns
        )

    @classmethod
    def build(cls, ctx: FileContext, func: FunctionNode | None) -> QueryFlow:
        flow = cls(ctx, func)
        flow.populate()
        return flow

    def populate(self) -> None:
        nodes = self.ctx.scope_nodes(self.func)
        self._bind(nodes)
        self._find_problems(nodes)

    # -- binding -------------------------------------------------------------------------------

    def _assign(self, name: str, value: Value | None) -> None:
        if name in self.variables:
            current = self.variables[name]
            self.variables[name] = current.merge(value) if current is not None else None
        else:
            self.variables[name] = value

    def _bind(self, nodes: list[ast.AST]) -> None:
        for node in nodes:
            if type(node) not in _BINDING_TYPES:
                continue
            if isinstance(node, ast.Assign):
                value = self.eval(node.value)
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self._assign(target.id, value)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                if node.value is not None:
                    self._assign(node.target.id, self.eval(node.value))
            elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                if isinstance(node.target, ast.Name):
                    self._assign(node.target.id, self._element(self.eval(node.iter)))
        for node in nodes:
            if type(node) is ast.Await and isinstance(node.value, ast.Call):
                self._apply_refresh(node.value)

    def _apply_refresh(self, call: ast.Call) -> None:
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr == "refresh" and call.args):
            return
        if not self._is_session(func.value):
            return
        target = call.args[0]
        names = call.args[1] if len(call.args) > 1 else keyword(call, "attribute_names")
        if not isinstance(target, ast.Name) or not isinstance(names, ast.List | ast.Tuple):
            return
        current = self.variables.get(target.id)
        if current is None or current.kind != INSTANCE:
            return
        loads = LoadTree(current.loads)
        loads.recursive = current.loads.recursive
        for elt in names.elts:
            if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                loads.setdefault(elt.value, LoadTree())
        self.variables[target.id] = current.replace(loads=loads)

    def _element(self, value: Value | None) -> Value | None:
        """The value of one element when iterating ``value``."""
        if value is None:
            return None
        if value.kind == LIST:
            return value.replace(kind=INSTANCE)
        if value.kind == RESULT and value.scalar:
            return value.replace(kind=INSTANCE)
        return None

    # -- evaluation ----------------------------------------------------------------------------

    def _is_session(self, node: ast.AST) -> bool:
        binding = scope_of(self.ctx, self.func).binding_of(node)
        return binding is not None and binding.kind == SESSION

    def _session_flavor(self, node: ast.AST) -> str:
        binding = scope_of(self.ctx, self.func).binding_of(node)
        return binding.flavor if binding is not None else UNKNOWN

    def eval(self, node: ast.AST | None) -> Value | None:
        if node is None:
            return None
        if isinstance(node, ast.Await):
            return self.eval(node.value)
        if isinstance(node, ast.Name):
            return self.variables.get(node.id)
        if isinstance(node, ast.Subscript):
            base = self.eval(node.value)
            if base is not None and base.kind == LIST and not isinstance(node.slice, ast.Slice):
                return base.replace(kind=INSTANCE)
            return base if base is not None and base.kind == LIST else None
        if isinstance(node, ast.Attribute):
            return self._attribute(node, report=False)
        if isinstance(node, ast.Call):
            return self._call(node)
        return None

    def _attribute(self, node: ast.Attribute, report: bool) -> Value | None:
        owner = self.eval(node.value)
        if owner is None or owner.kind != INSTANCE or self.ctx.index is None:
            return None
        rel = self.ctx.index.relationships(owner.model).get(node.attr)
        if rel is None:
            return None
        sub = owner.loads.child(node.attr)
        if sub is None and rel.eager_by_default:
            sub = LoadTree()
        if sub is None:
            if report and rel.loadable:
                self.unloaded.append(
                    UnloadedAccess(node, owner.model or "?", rel.name, owner.origin)
                )
            return None
        return Value(LIST if rel.is_list else INSTANCE, rel.target, sub, origin=owner.origin)

    def _call(self, call: ast.Call) -> Value | None:
        ctx = self.ctx
        func = call.func
        if ctx.imports.matches(func, n.SELECT):
            model = None
            if len(call.args) == 1 and isinstance(call.args[0], ast.Name):
                name = call.args[0].id
                # A model of this run, or a class imported from elsewhere (relationships unknown).
                if (ctx.index is not None and name in ctx.index.models) or name[:1].isupper():
                    model = name
            found = ctx.imports.qualname(func)
            from_sqlalchemy = found is not None and found[1] and found[0] in n.SQLALCHEMY_SELECT
            return Value(STMT, model, LoadTree(), scalar=not from_sqlalchemy, origin=call)
        helper = self._helper(func)
        if helper is not None:
            return flow_of(ctx, helper).returned()
        if (
            isinstance(func, ast.Name)
            and func.id in ("list", "sorted", "tuple")
            and len(call.args) == 1
        ):
            inner = self.eval(call.args[0])
            if inner is not None and inner.kind == LIST:
                return inner
            if inner is not None and inner.kind == RESULT and inner.scalar:
                return inner.replace(kind=LIST)
            return None
        if not isinstance(func, ast.Attribute):
            return None
        attr = func.attr
        if self._is_session(func.value):
            return self._session_call(call, attr)
        owner = self.eval(func.value)
        if owner is None:
            return None
        if owner.kind == STMT:
            if attr in _STMT_CHAIN:
                return owner
            if attr in _LIMITS:
                return owner.replace(limited=True)
            if attr == "options":
                return self._with_options(owner, call.args)
            return None
        if owner.kind == RESULT:
            if attr == "unique":
                return owner.replace(unique=True)
            if attr == "scalars":
                return owner.replace(scalar=True)
            if attr in _MANY:
                self._check_unique(call, owner)
                return owner.replace(kind=LIST) if owner.scalar else None
            if attr in _ONE:
                self._check_unique(call, owner)
                return owner.replace(kind=INSTANCE) if owner.scalar else None
            if attr in _SCALAR_ONE:
                self._check_unique(call, owner)
                return owner.replace(kind=INSTANCE)
        return None

    def _helper(self, func: ast.AST) -> FunctionNode | None:
        """The function of this module (or method of this class) a call invokes, if any."""
        ctx = self.ctx
        if isinstance(func, ast.Name):
            if func.id not in ctx.imports.defined or scope_of(ctx, self.func).bound_locally(
                func.id
            ):
                return None
            return _module_functions(ctx).get(func.id)
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in ("self", "cls")
            and self.func is not None
        ):
            owner = ctx.parent(self.func)
            if isinstance(owner, ast.ClassDef):
                for stmt in owner.body:
                    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                        if stmt.name == func.attr:
                            return stmt
        return None

    def returned(self) -> Value | None:
        """What the function returns: its ``return`` values merged (None if they disagree)."""
        key = ("returned", self.func)
        ctx = self.ctx
        if key in ctx._scopes:
            return ctx._scopes[key]
        ctx._scopes[key] = None  # a recursive helper returns nothing we know
        values = [
            self.eval(node.value)
            for node in ctx.scope_nodes(self.func)
            if isinstance(node, ast.Return) and node.value is not None
        ]
        found: Value | None = None
        if values and all(v is not None for v in values):
            found = values[0]
            for value in values[1:]:
                found = found.merge(value) if found is not None else None
        ctx._scopes[key] = found
        return found

    def _session_call(self, call: ast.Call, attr: str) -> Value | None:
        if attr in ("exec", "execute", "scalars", "scalar", "stream_scalars") and call.args:
            stmt = self.eval(call.args[0])
            if stmt is None or stmt.kind != STMT:
                return None
            if attr == "scalar":
                return stmt.replace(kind=INSTANCE)
            flavor = self._session_flavor(call.func.value)  # type: ignore[attr-defined]
            if attr == "exec":
                scalar = stmt.scalar and flavor in (SQLMODEL, UNKNOWN)
            else:
                scalar = attr != "execute"
            return stmt.replace(kind=RESULT, scalar=scalar)
        if attr in ("get", "get_one") and call.args and isinstance(call.args[0], ast.Name):
            model = call.args[0].id
            if not model[:1].isupper():
                return None
            value = Value(INSTANCE, model, LoadTree(), origin=call)
            options = keyword(call, "options")
            if isinstance(options, ast.List | ast.Tuple):
                return self._with_options(value, options.elts)
            return value
        return None

    def _with_options(self, value: Value, options: list[ast.expr]) -> Value:
        loads = LoadTree(value.loads)
        loads.recursive = value.loads.recursive
        joined = list(value.joined_collections)
        for option in options:
            for path, recursive, strategy in self._loader_paths(option):
                tree = loads
                for i, name in enumerate(path):
                    tree = tree.setdefault(name, LoadTree())
                    if i == len(path) - 1 and recursive:
                        tree.recursive = tree.recursive | {name}
                if (
                    strategy == "joinedload"
                    and len(path) == 1
                    and self._is_collection(value.model, path[0])
                ):
                    joined.append(path[0])
        return value.replace(loads=loads, joined_collections=tuple(joined))

    def _is_collection(self, model: str | None, rel_name: str) -> bool:
        if self.ctx.index is None:
            return False
        rel: Relationship | None = self.ctx.index.relationships(model).get(rel_name)
        return bool(rel and rel.is_list)

    def _loader_paths(self, node: ast.AST) -> list[tuple[list[str], bool, str]]:
        """Relationship paths an option loads: ``selectinload(A.b).selectinload(B.c)`` -> [b, c]."""
        chain: list[ast.Call] = []
        current: ast.AST = node
        while isinstance(current, ast.Call):
            chain.append(current)
            func = current.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
                current = func.value
            else:
                break
        chain.reverse()
        out: list[tuple[list[str], bool, str]] = []
        path: list[str] = []
        for link in chain:
            func = link.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "options" and path:
                for sub in link.args:
                    for subpath, rec, strategy in self._loader_paths(sub):
                        out.append(([*path, *subpath], rec, strategy))
                continue
            target = link.args[0] if link.args else None
            # Task.subtasks.and_(criteria) / .of_type(Sub) still load Task.subtasks.
            while (
                isinstance(target, ast.Call)
                and isinstance(target.func, ast.Attribute)
                and target.func.attr in ("and_", "of_type")
            ):
                target = target.func.value
            if not isinstance(target, ast.Attribute):
                break
            rel = target.attr
            if name in n.EAGER_LOADERS:
                path = [*path, rel]
                recursive = keyword(link, "recursion_depth") is not None
                out.append((list(path), recursive, name))
            elif name == "defaultload":
                path = [*path, rel]
            else:
                break
        return out

    def _check_unique(self, call: ast.AST, result: Value) -> None:
        if result.joined_collections and not result.unique:
            self.not_uniqued.append((call, result))

    # -- problems ------------------------------------------------------------------------------

    def _find_problems(self, nodes: list[ast.AST]) -> None:
        for node in nodes:
            if type(node) not in _PROBLEM_TYPES:
                continue
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                self._attribute(node, report=True)
            elif isinstance(node, ast.For | ast.AsyncFor):
                self._check_loop(node, node.iter, node.target, node.body)
            elif isinstance(node, ast.While):
                self._check_walk(node)
            elif isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
                body = [node.elt] if not isinstance(node, ast.DictComp) else [node.key, node.value]
                for gen in node.generators:
                    self._check_loop(node, gen.iter, gen.target, [*body, *gen.ifs])
            elif isinstance(node, ast.Return) and node.value is not None:
                value = self.eval(node.value)
                if value is not None and value.kind == LIST and value.model and not value.limited:
                    self.unbounded_returns.append((node, value))
        seen: set[tuple[int, str, str]] = set()
        unique_unloaded = []
        for access in self.unloaded:  # one report per relationship read per line
            key = (access.node.lineno, ast.unparse(access.node.value), access.relationship)
            if key not in seen:
                seen.add(key)
                unique_unloaded.append(access)
        self.unloaded = unique_unloaded

    def _check_walk(self, loop: ast.While) -> None:
        """A ``while`` loop fetching one row per step from an attribute of the previous one."""
        rebound: set[str] = set()
        for stmt in loop.body:
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.Assign):
                    rebound.update(t.id for t in sub.targets if isinstance(t, ast.Name))
                elif isinstance(sub, ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
                    if isinstance(sub.target, ast.Name):
                        rebound.add(sub.target.id)
        if not rebound:
            return
        for awaited, call, method in self._awaited_queries(loop.body):
            if method not in ("get", "get_one", "scalar") and not self._single_row(awaited):
                continue
            walked = [
                a.value.id
                for a in _argument_nodes(call)
                if isinstance(a, ast.Attribute)
                and isinstance(a.value, ast.Name)
                and a.value.id in rebound
            ]
            if walked:
                self.loops.append(QueryInLoop(call, loop, walked[0]))

    def _awaited_queries(
        self, body: Iterable[ast.AST]
    ) -> Iterator[tuple[ast.Await, ast.Call, str]]:
        """``await session.<query method>(...)`` in ``body``, in order: the await, the call,
        the method's name."""
        for stmt in body:
            for sub in ast.walk(stmt):
                if not (isinstance(sub, ast.Await) and isinstance(sub.value, ast.Call)):
                    continue
                func = sub.value.func
                if (
                    isinstance(func, ast.Attribute)
                    and func.attr in n.SESSION_QUERIES
                    and self._is_session(func.value)
                ):
                    yield sub, sub.value, func.attr

    def _single_row(self, awaited: ast.Await) -> bool:
        """``(await session.exec(stmt)).first()`` and the like: the query fetches one row."""
        parent = self.ctx.parent(awaited)
        return (
            isinstance(parent, ast.Attribute)
            and parent.attr in _ONE | _SCALAR_ONE
            and isinstance(self.ctx.parent(parent), ast.Call)
        )

    def _check_loop(
        self, loop: ast.AST, iterable: ast.AST, target: ast.AST, body: list[ast.AST]
    ) -> None:
        if not isinstance(target, ast.Name):
            return
        over_results = self._element(self.eval(iterable)) is not None
        loop_var = target.id
        for _, call, _ in self._awaited_queries(body):
            uses_attr = any(
                isinstance(a, ast.Attribute)
                and isinstance(a.value, ast.Name)
                and a.value.id == loop_var
                for a in _argument_nodes(call)
            )
            uses_var = uses_attr or any(
                isinstance(a, ast.Name) and a.id == loop_var for a in _argument_nodes(call)
            )
            if (over_results and uses_var) or uses_attr:
                self.loops.append(QueryInLoop(call, loop, loop_var))


def _argument_nodes(call: ast.Call) -> Iterator[ast.AST]:
    """Every node inside the call's arguments, positional and keyword."""
    for arg in [*call.args, *(k.value for k in call.keywords)]:
        yield from ast.walk(arg)


def _module_functions(ctx: FileContext) -> dict[str, FunctionNode]:
    """Module-level functions of ``ctx`` by name (the last definition wins, as in Python)."""

    def build() -> dict[str, FunctionNode]:
        assert ctx.tree is not None
        return {
            stmt.name: stmt
            for stmt in ctx.tree.body
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef)
        }

    return ctx.cached(("module_functions", None), build)


def flow_of(ctx: FileContext, func: FunctionNode | None) -> QueryFlow:
    """Statements, results and model instances flowing through ``func``; cached.

    The flow is cached before it is populated: helpers that call each other see the partly
    built flow instead of recursing forever.
    """
    key = ("queries", func)
    found = ctx._scopes.get(key)
    if found is None:
        found = ctx._scopes[key] = QueryFlow(ctx, func)
        found.populate()
    return found


register_analysis("queries", flow_of)
