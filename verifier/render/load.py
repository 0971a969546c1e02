"""Load a spec file: YAML with positions, then pydantic, then the cross-references.

Every problem found becomes one line ``FILE:LINE:COL: MESSAGE`` with the fix beside it, all of
them at once (a user fixing a spec should not meet its errors one run at a time), and the
whole list is raised as ``SpecError`` (exit 2) before anything is rendered or written.
"""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel, ValidationError

from verifier.errors import UsageError
from verifier.render.references import check_references
from verifier.render.spec import FIELD_TYPES, Spec
from verifier.render.yaml_source import Position, Source, read_source

SCHEMA_HINT = "the format is described by templates/spec.schema.json (rda render --help)"


class SpecProblem(NamedTuple):  # not a dataclass: cheaper to define (rda erd's startup)
    file: Path
    position: Position
    message: str
    fix: str

    def render(self) -> str:
        where = f"{self.file}:{self.position.line}:{self.position.column}"
        return f"{where}: {self.message}\n    fix: {self.fix}"


class SpecError(UsageError):
    """The spec has problems; each names its line. Nothing was rendered or written."""

    def __init__(self, problems: list[SpecProblem]) -> None:
        self.problems = problems
        count = len(problems)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the spec, nothing was written",
            SCHEMA_HINT,
        )

    def render(self) -> str:
        lines = [p.render() for p in self.problems]
        return "\n".join(lines) + f"\nrda: error: {self.message}"


def load_spec(path: str | Path) -> Spec:
    """The validated spec at ``path``, or ``SpecError`` listing every problem in it."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"no spec at {file}", "give the path of a YAML entity spec") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the spec {file}: {exc}") from None
    return parse_spec(text, file)


def parse_spec(text: str, file: Path) -> Spec:
    source = read_source(file, text)
    problems = [SpecProblem(file, p.position, p.message, p.fix) for p in source.problems]
    if source.data is None:
        raise SpecError(problems)
    if not isinstance(source.data, dict):
        problems.append(
            SpecProblem(file, Position(1, 1), "the spec must be a mapping", "start with package:")
        )
        raise SpecError(problems)
    try:
        spec = Spec.model_validate(source.data)
    except ValidationError as exc:
        problems += _validation_problems(exc, source)
        raise SpecError(_sorted(problems)) from None
    if problems:  # duplicate keys: the data validated only because one of them was dropped
        raise SpecError(_sorted(problems))
    problems = [
        SpecProblem(file, source.position(p.path), p.message, p.fix) for p in check_references(spec)
    ]
    if problems:
        raise SpecError(_sorted(problems))
    return spec


def _sorted(problems: list[SpecProblem]) -> list[SpecProblem]:
    return sorted(problems, key=lambda p: (p.position.line, p.position.column))


def _validation_problems(exc: ValidationError, source: Source) -> list[SpecProblem]:
    problems: list[SpecProblem] = []
    seen: set[tuple[Any, ...]] = set()
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        path, key_error = _data_path(loc, source.data)
        if path in seen:  # the other branches of one union: one problem is enough
            continue
        seen.add(path)
        message, fix = _explain(error, path, key_error)
        problems.append(SpecProblem(source.file, source.position(path), message, fix))
    return problems


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[tuple[Any, ...], bool]:
    """The part of pydantic's ``loc`` that exists in the data (union tags dropped)."""
    path: list[Any] = []
    node = data
    for part in loc:
        if part == "[key]":
            return tuple(path), True
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and not _is_tag(part):
            path.append(part)  # a missing key: point at its parent
            return tuple(path), False
    return tuple(path), False


def _is_tag(part: str) -> bool:
    return any(c in part for c in "[]") or part in ("bool", "str", "int", "float", "none")


def _explain(error: Any, path: tuple[Any, ...], key_error: bool) -> tuple[str, str]:
    kind = error["type"]
    where = ".".join(str(p) for p in path) or "the spec"
    value = error.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(path[:-1])
        return (
            f"unknown key '{path[-1]}' in {'.'.join(map(str, path[:-1])) or 'the spec'}",
            f"use one of: {', '.join(allowed)}" if allowed else "remove it",
        )
    if kind == "missing":
        return f"{where} is required", f"add `{path[-1]}:`" if path else "add it"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        if path and path[-1] == "type":
            return (
                f"unknown type {value!r} of {'.'.join(map(str, path[:-1]))}",
                f"use one of: {', '.join(FIELD_TYPES)}",
            )
        return f"{value!r} is not allowed for {where}", f"use one of: {expected}"
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        style = (
            "CamelCase (e.g. Task)"
            if pattern.startswith("^[A-Z][A")
            else "UPPER_CASE"
            if pattern.startswith("^[A-Z][A-Z")
            else "lower snake_case (e.g. created_at)"
        )
        what = "name" if key_error else "value"
        return f"{value!r} is not a valid {what} for {where}", f"write it in {style}"
    if kind == "value_error":
        message = str(error["msg"]).removeprefix("Value error, ")
        return f"{where}: {message}", "change the entry as the message says"
    if kind in ("model_type", "dict_type"):
        return f"{where} must be a mapping (key: value), not {value!r}", "indent its entries"
    if kind == "list_type":
        return f"{where} must be a list, not {value!r}", "write it as [a, b] or as - items"
    return f"{where}: {error['msg']}", SCHEMA_HINT


def _allowed_keys(path: tuple[Any, ...]) -> list[str]:
    """The keys the model at ``path`` accepts (for "did you mean")."""
    annotation: Any = Spec
    for part in path:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            if field is None:
                return []
            annotation = field.annotation
        elif typing.get_origin(annotation) in (dict, list):
            annotation = typing.get_args(annotation)[-1]
        else:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """``X | None`` -> ``X``; ``Annotated[X, ...]`` -> ``X``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        return models[0] if models else args[0]
    return annotation
