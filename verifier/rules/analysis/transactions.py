"""Where a function's session work commits: the helpers the RDA4xx rules share."""

from __future__ import annotations

import ast

from verifier.rules.analysis.context import child_nodes
from verifier.rules.analysis.sessions import SESSION, scope_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from verifier.rules.analysis.context import FileContext, FunctionNode


def session_call(ctx: FileContext, node: ast.AST, methods: frozenset[str] | None = None) -> bool:
    """True when ``node`` is ``session.<method>(...)`` on a name bound to an AsyncSession."""
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return False
    if methods is not None and node.func.attr not in methods:
        return False
    binding = scope_of(ctx, ctx.function_of(node)).binding_of(node.func.value)
    return binding is not None and binding.kind == SESSION


def awaited_session_calls(
    ctx: FileContext, nodes: list[ast.AST], methods: frozenset[str] | None = None
) -> list[ast.Call]:
    """``await session.<method>(...)`` calls among ``nodes``."""
    return [
        node.value
        for node in nodes
        if isinstance(node, ast.Await) and session_call(ctx, node.value, methods)
    ]


_NESTED = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda})


def own_nodes(node: ast.AST) -> list[ast.AST]:
    """Nodes below ``node`` (itself included), not descending into nested defs or lambdas."""
    out: list[ast.AST] = []
    stack = [node]
    nested = _NESTED
    while stack:
        current = stack.pop()
        out.append(current)
        for child in child_nodes(current):  # ast.iter_child_nodes, faster
            if type(child) not in nested:
                stack.append(child)
    return out


def begin_context(ctx: FileContext, item: ast.withitem) -> bool:
    """``session.begin()``/``begin_nested()`` or ``factory.begin()``: a transaction block."""
    expr = item.context_expr
    if not isinstance(expr, ast.Call) or not isinstance(expr.func, ast.Attribute):
        return False
    if expr.func.attr not in ("begin", "begin_nested"):
        return False
    scope = scope_of(ctx, ctx.function_of(expr))
    owner = scope.binding_of(expr.func.value)
    return owner is not None and owner.kind in (SESSION, "factory")


_NEG = float("-inf")
_COMMIT = frozenset({"commit"})


class CommitPaths:
    """The most commits any single path through a function performs."""

    def __init__(self, ctx: FileContext, func: FunctionNode) -> None:
        self.ctx = ctx
        self.func = func
        self.sites: list[ast.AST] = []

    def max_commits(self) -> int:
        fall, exit_ = self._block(self.func.body)
        best = max(fall, exit_, 0)
        return int(best)

    def _commits_in(self, node: ast.AST) -> int:
        count = 0
        for sub in own_nodes(node):
            if isinstance(sub, ast.Await) and session_call(self.ctx, sub.value, _COMMIT):
                self.sites.append(sub)
                count += 1
        return count

    def _block(self, stmts: list[ast.stmt]) -> tuple[float, float]:
        fall: float = 0
        best_exit: float = _NEG
        for stmt in stmts:
            f, e = self._stmt(stmt)
            best_exit = max(best_exit, fall + e)
            fall = fall + f
            if fall == _NEG:
                break
        return fall, best_exit

    def _stmt(self, stmt: ast.stmt) -> tuple[float, float]:
        if isinstance(stmt, ast.Return | ast.Raise):
            return _NEG, self._commits_in(stmt)
        if isinstance(stmt, ast.If):
            c = self._commits_in(stmt.test)
            fb, eb = self._block(stmt.body)
            fo, eo = self._block(stmt.orelse)
            return c + max(fb, fo), c + max(eb, eo)
        if isinstance(stmt, ast.For | ast.AsyncFor | ast.While):
            c = self._commits_in(stmt.iter if not isinstance(stmt, ast.While) else stmt.test)
            fb, eb = self._block(stmt.body)
            fo, eo = self._block(stmt.orelse)
            return c + max(0, fb if fb != _NEG else 0) + max(fo, 0), c + max(eb, eo)
        if isinstance(stmt, ast.With | ast.AsyncWith):
            c = sum(self._commits_in(item.context_expr) for item in stmt.items)
            begins = sum(1 for item in stmt.items if begin_context(self.ctx, item))
            if begins:
                self.sites.append(stmt)
            fb, eb = self._block(stmt.body)
            # The block commits on exit, unless its body already committed (RDA405's case).
            return c + fb + (begins if fb < 1 else 0), c + eb + (begins if eb < 1 else 0)
        if isinstance(stmt, ast.Try | ast.TryStar):
            fb, eb = self._block(stmt.body)
            fe, ee = self._block(stmt.orelse)
            falls = [fb + fe]
            exits = [eb, fb + ee]
            for handler in stmt.handlers:
                fh, eh = self._block(handler.body)
                falls.append(fh)
                exits.append(eh)
            ff, ef = self._block(stmt.finalbody)
            fall, exit_ = max(falls), max(exits)
            return (fall + ff if ff != _NEG else _NEG), max(exit_ + max(ff, 0), fall + ef)
        if isinstance(stmt, ast.Match):
            best_f, best_e = _NEG, _NEG
            for case in stmt.cases:
                f, e = self._block(case.body)
                best_f, best_e = max(best_f, f), max(best_e, e)
            return max(best_f, 0), best_e
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return 0, _NEG
        return self._commits_in(stmt), _NEG


__all__ = ["CommitPaths", "awaited_session_calls", "begin_context", "own_nodes", "session_call"]
