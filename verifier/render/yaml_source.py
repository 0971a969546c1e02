"""Read a YAML spec into plain data plus the line and column of every value in it.

PyYAML's composer keeps a start mark on every node; walking the node tree ourselves (instead of
``yaml.safe_load``) gives a map from a value's path (``("entities", "Task", "fields")``) to
where it is written, so that validation errors can point at the line to fix. The walk also
catches what ``safe_load`` silently accepts: a key written twice in one mapping (the second
would win, and the first field would be lost without a word).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml

Path_ = tuple[str | int, ...]


class Position(NamedTuple):  # not a dataclass: cheaper to define and to make (one a value)
    line: int  # 1-based
    column: int  # 1-based


class SourceProblem(NamedTuple):
    """One problem found while reading the YAML (before any validation)."""

    position: Position
    message: str
    fix: str


@dataclass
class Source:
    """The spec's data, and where each value (and each mapping key) is written."""

    file: Path
    data: Any
    values: dict[Path_, Position] = field(default_factory=dict)
    keys: dict[Path_, Position] = field(default_factory=dict)
    problems: list[SourceProblem] = field(default_factory=list)

    def position(self, path: Path_) -> Position:
        """Where ``path`` is written: its key when it has one, else the closest parent."""
        while path:
            if path in self.keys:
                return self.keys[path]
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), Position(1, 1))


def _position(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def read_source(file: Path, text: str) -> Source:
    """Parse ``text``; a YAML syntax error is one problem at its line, with no data."""
    source = Source(file=file, data=None)
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        problem = " ".join(str(exc.problem or exc).split())
        context = f" ({' '.join(exc.context.split())})" if exc.context else ""
        source.problems.append(
            SourceProblem(
                where,
                f"bad YAML: {problem}{context}",
                "fix the YAML syntax at this line (indentation, a missing ':' or quote)",
            )
        )
        return source
    except yaml.YAMLError as exc:
        source.problems.append(
            SourceProblem(Position(1, 1), f"bad YAML: {exc}", "fix the YAML syntax")
        )
        return source
    if root is None:
        source.data = {}
        return source
    constructor = yaml.SafeLoader("")
    try:
        source.data = _walk(root, (), source, constructor)
    finally:
        constructor.dispose()
    return source


def _walk(node: yaml.Node, path: Path_, source: Source, constructor: yaml.SafeLoader) -> Any:
    source.values[path] = _position(node)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _walk(key_node, (*path, "<key>"), source, constructor)
            if not isinstance(key, str | int | float | bool) or key is None:
                source.problems.append(
                    SourceProblem(
                        _position(key_node),
                        f"a mapping key must be a plain name, not {key!r}",
                        "write the key as a word",
                    )
                )
                continue
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                first = source.keys[(*path, key)]
                source.problems.append(
                    SourceProblem(
                        _position(key_node),
                        f"duplicate key '{key}' (first written at line {first.line})",
                        f"remove or rename one of the two '{key}' entries",
                    )
                )
                continue
            source.keys[(*path, key)] = _position(key_node)
            result[key] = _walk(value_node, (*path, key), source, constructor)
        source.values.pop((*path, "<key>"), None)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, (*path, i), source, constructor) for i, item in enumerate(node.value)]
    return constructor.construct_object(node, deep=True)
