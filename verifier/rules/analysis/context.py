"""One file as the rules see it: its tree walked once, indexed for every rule to share.

Forty rules walking the same tree forty times would make the per-file hook slow; instead the
context walks it once, recording each node's parent and enclosing function and grouping nodes by
type. The heavier inference of the layers above (``sessions.scope_of``, ``queries.flow_of``) is
computed lazily per function, on the first rule that asks, and cached here (``cached``): this
module knows nothing of what they compute. ``FileContext`` is a plain class, not a dataclass:
see ``verifier.findings``.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from functools import cached_property
from pathlib import PurePosixPath

from verifier.rules.analysis.imports import ImportMap, last_names

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    from verifier.rules.analysis.project import ProjectIndex

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
if TYPE_CHECKING:
    N = TypeVar("N", bound=ast.AST)

_FUNCTION_TYPES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef})
_SCOPE_TYPES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef})
# Fields that hold a name, number or flag, never a node (``Name.id``, ``ImportFrom.level``).
_PLAIN = frozenset(
    {"id", "attr", "arg", "name", "module", "level", "type_comment", "kind", "conversion"}
    | {"is_async", "simple", "tag"}
)
_PLAIN_FIELDS: dict[type, frozenset[str]] = {ast.Constant: _PLAIN | {"value"}}
_NODE_FIELDS: dict[type, tuple[str, ...]] = {}  # per node type, the fields that may hold nodes
# The only fields that hold the shared singletons (``Name.ctx``, ``BinOp.op``, ``Compare.ops``):
# the walk skips them instead of testing the type of every child.
_SINGLETON_FIELDS = frozenset({"ctx", "op", "ops"})
_WALKED_FIELDS: dict[type, tuple[str, ...]] = {}  # per node type, the fields walked, last first

_TEST_FILE = r"(^|/)(tests?/|test_[^/]*\.py$|[^/]*_test\.py$|conftest\.py$)"


class FileContext:
    """A file to lint: source text, kind, and (for Python) its walked syntax tree."""

    def __init__(
        self,
        path: str,
        source: str,
        kind: str = "python",  # "python", "alembic_ini" or "mako"
        tree: ast.Module | None = None,
        index: ProjectIndex | None = None,
        parents: dict[ast.AST, ast.AST] | None = None,
        functions_of: dict[ast.AST, FunctionNode | None] | None = None,
        by_type: dict[type, list[ast.AST]] | None = None,
        _scope_lists: dict[ast.AST | None, list[ast.AST]] | None = None,
        _scopes: dict[Any, Any] | None = None,
    ) -> None:
        self.path = path
        self.source = source
        self.kind = kind
        self.tree = tree
        self.index = index
        self.parents: dict[ast.AST, ast.AST] = {} if parents is None else parents
        self.functions_of: dict[ast.AST, FunctionNode | None] = (
            {} if functions_of is None else functions_of
        )
        self.by_type: dict[type, list[ast.AST]] = defaultdict(list) if by_type is None else by_type
        self._scope_lists: dict[ast.AST | None, list[ast.AST]] = (
            defaultdict(list) if _scope_lists is None else _scope_lists
        )
        self._scopes: dict[Any, Any] = {} if _scopes is None else _scopes

    @classmethod
    def from_tree(
        cls, path: str, source: str, tree: ast.Module, index: ProjectIndex | None = None
    ) -> FileContext:
        ctx = cls(path=path, source=source, kind="python", tree=tree, index=index)
        ctx._walk(tree)
        return ctx

    def _walk(self, tree: ast.Module) -> None:
        # The one walk of every file linted, so written for speed: fields that never hold a
        # node are skipped by name, and so are the fields of the shared singleton nodes
        # (``Load``, ``Add``, ``Eq``: one object for every use in every file). Those carry no
        # position, the rules test them as attributes (``isinstance(node.ctx, ast.Load)``),
        # and a parent or enclosing function recorded for a shared object would be wrong.
        # Children are pushed last first, so that they pop in source order and every list of
        # ``by_type`` and ``scope_nodes`` is in pre-order, as a plain walk gives it.
        parents = self.parents
        functions_of = self.functions_of
        by_type = self.by_type
        scope_lists = self._scope_lists
        fields_of = _WALKED_FIELDS
        function_types = _FUNCTION_TYPES
        scope_types = _SCOPE_TYPES
        node_type = ast.AST
        stack: list[tuple[ast.AST, FunctionNode | None, ast.AST | None]] = []
        pop, push = stack.pop, stack.append
        by_type[ast.Module].append(tree)
        functions_of[tree] = None
        node: ast.AST = tree
        func: FunctionNode | None = None
        scope: ast.AST | None = None
        while True:
            kind = type(node)
            inner = node if kind in function_types else func
            inner_scope = node if kind in scope_types else scope
            fields = fields_of.get(kind)
            if fields is None:
                fields = fields_of[kind] = _walked_fields(kind)
            for name in fields:
                value = getattr(node, name, None)
                if value is None:
                    continue
                if type(value) is list:
                    for item in reversed(value):
                        if isinstance(item, node_type):
                            parents[item] = node
                            push((item, inner, inner_scope))
                elif isinstance(value, node_type):
                    parents[value] = node
                    push((value, inner, inner_scope))
            if not stack:
                break
            node, func, scope = pop()
            by_type[type(node)].append(node)
            functions_of[node] = func
            scope_lists[scope].append(node)  # type: ignore[index]

    # -- navigation ---------------------------------------------------------------------------

    def nodes(self, kind: type[N]) -> list[N]:
        return self.by_type.get(kind, [])  # type: ignore[return-value]

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.parents.get(node)

    def function_of(self, node: ast.AST) -> FunctionNode | None:
        return self.functions_of.get(node)

    def in_async_function(self, node: ast.AST) -> bool:
        """True when ``node`` runs inside an ``async def`` body (not a nested sync def/lambda)."""
        func = self.function_of(node)
        if func is None and self.top_level_await:
            return not any(isinstance(a, ast.Lambda) for a in self.ancestors(node))
        if not isinstance(func, ast.AsyncFunctionDef):
            return False
        if not self.by_type.get(ast.Lambda):
            return True
        current = self.parents.get(node)
        while current is not None and current is not func:
            if isinstance(current, ast.Lambda):
                return False
            current = self.parents.get(current)
        return True

    def ancestors(self, node: ast.AST) -> list[ast.AST]:
        out = []
        current = self.parents.get(node)
        while current is not None:
            out.append(current)
            current = self.parents.get(current)
        return out

    @cached_property
    def functions(self) -> list[FunctionNode]:
        return [*self.nodes(ast.FunctionDef), *self.nodes(ast.AsyncFunctionDef)]

    @cached_property
    def async_functions(self) -> list[ast.AsyncFunctionDef]:
        return sorted(self.nodes(ast.AsyncFunctionDef), key=lambda f: (f.lineno, f.col_offset))

    @cached_property
    def top_level_await(self) -> bool:
        """Module-level ``await``: a notebook-style snippet whose body runs as async code."""
        return any(
            self.function_of(node) is None
            for kind in (ast.Await, ast.AsyncWith, ast.AsyncFor)
            for node in self.nodes(kind)
        )

    @cached_property
    def async_scopes(self) -> list[ast.AsyncFunctionDef | None]:
        """Async function bodies, plus the module (None) when it awaits at top level."""
        scopes: list[ast.AsyncFunctionDef | None] = list(self.async_functions)
        if self.top_level_await:
            scopes.append(None)
        return scopes

    def scope_nodes(self, func: FunctionNode | None) -> list[ast.AST]:
        """Nodes of a function body (or of the module's top level) in source order, not
        entering nested functions, lambdas or classes (their def nodes are included)."""
        return self._scope_lists.get(func, [])

    @cached_property
    def generator_functions(self) -> set[FunctionNode]:
        """Functions whose own body yields."""
        out: set[FunctionNode] = set()
        for kind in (ast.Yield, ast.YieldFrom):
            for node in self.nodes(kind):
                func = self.function_of(node)
                if func is not None:
                    out.add(func)
        return out

    @cached_property
    def _calls_by_name(self) -> dict[str, list[ast.Call]]:
        found: dict[str, list[ast.Call]] = defaultdict(list)
        for call in self.nodes(ast.Call):
            func = call.func
            if isinstance(func, ast.Attribute):
                found[func.attr].append(call)
            elif isinstance(func, ast.Name):
                found[func.id].append(call)
        return found

    def calls_to(self, candidates: frozenset[str]) -> list[ast.Call]:
        """Calls of one of ``candidates`` (qualified names), in source order; cached per set."""
        key = ("calls", candidates)
        found = self._scopes.get(key)
        if found is None:
            names = set(last_names(candidates))
            names.update(
                local
                for local, target in self.imports.aliases.items()
                if target.rsplit(".", 1)[-1] in names
            )
            by_name = self._calls_by_name
            found = [
                call
                for name in names
                for call in by_name.get(name, ())
                if self.imports.matches(call.func, candidates)
            ]
            found.sort(key=lambda c: (c.lineno, c.col_offset))
            self._scopes[key] = found
        return found

    # -- what the file is ----------------------------------------------------------------------

    @cached_property
    def imports(self) -> ImportMap:
        assert self.tree is not None
        assigned = {node.id for node in self.nodes(ast.Name) if isinstance(node.ctx, ast.Store)} | {
            node.name for node in [*self.functions, *self.nodes(ast.ClassDef)]
        }
        return ImportMap(
            self.tree, [*self.nodes(ast.Import), *self.nodes(ast.ImportFrom)], assigned
        )

    @cached_property
    def posix_path(self) -> str:
        return PurePosixPath(self.path.replace("\\", "/")).as_posix()

    @cached_property
    def is_test(self) -> bool:
        """Test code: its own rules for engines, commits and credentials do not apply."""
        return bool(re.search(_TEST_FILE, self.posix_path))

    def in_test_fixture(self, node: ast.AST) -> bool:
        """Inside a function decorated as a pytest fixture (any module, e.g. a plugin)."""
        func = self.function_of(node)
        while func is not None:
            for deco in func.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                name = (
                    target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
                )
                if name == "fixture":
                    return True
            func = self.function_of(func)
        return False

    @cached_property
    def is_alembic_env(self) -> bool:
        return self.posix_path.endswith("env.py") and self.imports.imports_from("alembic")

    @cached_property
    def is_migration(self) -> bool:
        """An Alembic revision file: module-level ``revision`` plus upgrade/downgrade."""
        if self.tree is None:
            return False
        names = set()
        for stmt in self.tree.body:
            if isinstance(stmt, ast.Assign | ast.AnnAssign):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                names.update(t.id for t in targets if isinstance(t, ast.Name))
            elif isinstance(stmt, ast.FunctionDef):
                names.add(stmt.name)
        return {"revision", "upgrade", "downgrade"} <= names

    # -- positions -----------------------------------------------------------------------------

    @cached_property
    def lines(self) -> list[str]:
        return self.source.splitlines(keepends=True)

    @cached_property
    def _line_starts(self) -> list[int]:
        starts = [0]
        total = 0
        for line in self.lines:
            total += len(line)
            starts.append(total)
        return starts

    def char_col(self, lineno: int, byte_col: int) -> int:
        """ast columns are UTF-8 byte offsets; findings and edits use characters."""
        if lineno < 1 or lineno > len(self.lines):
            return byte_col
        line = self.lines[lineno - 1]
        if line.isascii():
            return byte_col
        return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))

    def offset(self, lineno: int, byte_col: int) -> int:
        """Character offset in ``source`` of an ast (line, byte column) position."""
        if lineno - 1 >= len(self._line_starts):
            return len(self.source)
        return self._line_starts[lineno - 1] + self.char_col(lineno, byte_col)

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        return start, end

    def text(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.source[start:end]

    # -- lazily computed inference ------------------------------------------------------------

    def cached(self, key: Any, build: Callable[[], Any]) -> Any:
        """The value cached under ``key``, built by ``build()`` on first use."""
        scopes = self._scopes
        if key not in scopes:
            scopes[key] = build()
        return scopes[key]

    def sessions(self, func: FunctionNode | None) -> Any:
        """Deprecated spelling of ``sessions.scope_of(ctx, func)`` (kept for older rules)."""
        return _ANALYSES["sessions"](self, func)

    def queries(self, func: FunctionNode | None) -> Any:
        """Deprecated spelling of ``queries.flow_of(ctx, func)`` (kept for older rules)."""
        return _ANALYSES["queries"](self, func)


# Filled by the layers above when they are imported (``sessions``, ``queries``), so that the
# deprecated methods work without this module importing them.
_ANALYSES: dict[str, Callable[[FileContext, FunctionNode | None], Any]] = {}


def register_analysis(
    name: str, analysis: Callable[[FileContext, FunctionNode | None], Any]
) -> None:
    _ANALYSES[name] = analysis


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """``list(ast.iter_child_nodes(node))``, shared singletons included, in the same order;
    faster, by skipping the fields that never hold a node."""
    kind = type(node)
    fields = _NODE_FIELDS.get(kind)
    if fields is None:
        fields = _NODE_FIELDS[kind] = _node_fields(kind)
    out: list[ast.AST] = []
    for name in fields:
        value = getattr(node, name, None)
        if value is None:
            continue
        if type(value) is list:
            out.extend(item for item in value if isinstance(item, ast.AST))
        elif isinstance(value, ast.AST):
            out.append(value)
    return out


def _node_fields(kind: type) -> tuple[str, ...]:
    plain = _PLAIN_FIELDS.get(kind, _PLAIN)
    return tuple(f for f in kind._fields if f not in plain)  # type: ignore[attr-defined]


def _walked_fields(kind: type) -> tuple[str, ...]:
    return tuple(f for f in reversed(_node_fields(kind)) if f not in _SINGLETON_FIELDS)


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    """The value of keyword argument ``name`` of ``call``, or None."""
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def has_star_kwargs(call: ast.Call) -> bool:
    return any(kw.arg is None for kw in call.keywords)


def is_true(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def is_false(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def string_value(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None
