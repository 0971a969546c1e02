"""Resolve a name in the code to the library object it stands for.

``sessionmaker`` means something only once we know it came from ``sqlalchemy.orm``; an
``AsyncSession`` from ``sqlmodel`` has ``exec`` while SQLAlchemy's does not. ``ImportMap``
records every import of a file (module level and inside functions, since snippets often import
where they use) and answers "is this node ``sqlalchemy.orm.sessionmaker``?".

A name that is neither imported nor defined in the file (a documentation snippet, a star
import) matches a candidate whose dotted path ends with it: ``sessionmaker`` alone still means
``sqlalchemy.orm.sessionmaker`` in a snippet that forgot its imports. A name the file assigns
anywhere (``Session = sessionmaker(class_=AsyncSession)`` inside a function) is the file's own
and matches nothing.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable


def dotted_name(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of attribute accesses on a name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


_LAST_NAMES: dict[frozenset[str], frozenset[str]] = {}
_SUFFIXES: dict[frozenset[str], frozenset[str]] = {}


def last_names(candidates: frozenset[str]) -> frozenset[str]:
    """The last dotted components of a candidate set (a handful of sets: cached)."""
    found = _LAST_NAMES.get(candidates)
    if found is None:
        found = _LAST_NAMES[candidates] = frozenset(c.rsplit(".", 1)[-1] for c in candidates)
    return found


def dotted_suffixes(candidates: frozenset[str]) -> frozenset[str]:
    """Every tail of whole dotted components of the candidates: ``a.b.C`` gives ``C``,
    ``b.C`` and ``a.b.C`` (cached per set, like ``last_names``)."""
    found = _SUFFIXES.get(candidates)
    if found is None:
        tails = set()
        for candidate in candidates:
            parts = candidate.split(".")
            tails.update(".".join(parts[i:]) for i in range(len(parts)))
        found = _SUFFIXES[candidates] = frozenset(tails)
    return found


class ImportMap:
    """Local names of one file mapped to the qualified names they were imported as."""

    def __init__(
        self, tree: ast.Module, nodes: Iterable[ast.AST], assigned: Iterable[str] = ()
    ) -> None:
        self.aliases: dict[str, str] = {}
        self.modules: set[str] = set()
        self.defined: set[str] = set()  # bound at module level
        self.assigned: set[str] = set(assigned)  # bound anywhere in the file
        self._qualnames: dict[int, tuple[ast.AST, tuple[str, bool] | None]] = {}
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.modules.add(alias.name)
                    if alias.asname:
                        self.aliases[alias.asname] = alias.name
                    else:
                        head = alias.name.split(".", 1)[0]
                        self.aliases.setdefault(head, head)
            elif isinstance(node, ast.ImportFrom):
                module = "." * node.level + (node.module or "")
                self.modules.add(module)
                for alias in node.names:
                    if alias.name == "*":
                        continue
                    self.aliases[alias.asname or alias.name] = f"{module}.{alias.name}"
        for stmt in tree.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                self.defined.add(stmt.name)
            elif isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        self.defined.add(target.id)
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                self.defined.add(stmt.target.id)

    def qualname(self, node: ast.AST) -> tuple[str, bool] | None:
        """The dotted name of ``node`` through the imports, and whether an import resolved it."""
        cached = self._qualnames.get(id(node))
        if cached is not None and cached[0] is node:
            return cached[1]
        found = self._qualname(node)
        self._qualnames[id(node)] = (node, found)  # holding the node keeps its id unique
        return found

    def _qualname(self, node: ast.AST) -> tuple[str, bool] | None:
        dotted = dotted_name(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        if head in self.aliases:
            base = self.aliases[head]
            return (f"{base}.{rest}" if rest else base), True
        return dotted, False

    def matches(self, node: ast.AST, candidates: frozenset[str]) -> bool:
        """True when ``node`` names one of ``candidates`` (fully qualified dotted names)."""
        # Fast path: the last component must be one of the candidates' last components,
        # unless the node is a name imported under an alias.
        if isinstance(node, ast.Attribute):
            last = node.attr
        elif isinstance(node, ast.Name):
            last = node.id if node.id not in self.aliases else None
        else:
            return False
        if last is not None and last not in last_names(candidates):
            return False
        found = self.qualname(node)
        if found is None:
            return False
        name, resolved = found
        if resolved:
            return name in candidates
        head = name.partition(".")[0]
        if head in self.defined or head in self.assigned:
            return False
        return name in dotted_suffixes(candidates)  # a candidate is ``name`` or ends ``.name``

    def imports_from(self, *prefixes: str) -> bool:
        """True when the file imports any module starting with one of ``prefixes``."""
        return any(m == p or m.startswith(p + ".") for m in self.modules for p in prefixes)

    def imported_name(self, module_prefix: str, name: str) -> bool:
        """True when ``name`` is imported from a module starting with ``module_prefix``."""
        target = self.aliases.get(name)
        return target is not None and target.startswith(module_prefix + ".")
