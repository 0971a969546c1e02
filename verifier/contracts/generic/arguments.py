"""Arguments for an operation, built from its annotations and the target's models.

Planning (once per operation) turns each parameter the caller must give into a *builder*;
building (once per call) runs the builders against a ``Seed``. An id (``user_id``,
``conversation_id``: the name says which table, or a foreign key column of that name does) is
the anchor row's primary key of its table; a string is short enough for the column of that
name; an enum gives its first member, a pydantic model (or a table model) its required fields.
Parameters with a default keep it. A parameter no builder fits makes the operation
``Unbuildable``, with the reason the report prints.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import inspect
import re
import types
import typing
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from verifier.contracts.generic.discovery import Operation
from verifier.contracts.generic.seeding import Seed

MISSING_INT = 999_999_999  # an id no seeded row has (int4 still holds it)


class Unbuildable(Exception):
    """No value can be built for a parameter: the operation is skipped with this reason."""


@dataclass(frozen=True)
class Build:
    """What one call's builders see: the seed, a number telling calls apart, missing ids."""

    seed: Seed
    serial: int
    missing: bool = False


Builder = Callable[[Build], Any]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Tables:
    """The target's tables as argument building needs them: by name, class and column."""

    def __init__(self) -> None:
        from verifier.stages.targetmodels import mapped_classes, sorted_tables

        self.tables = sorted_tables()
        self.names: dict[str, Any] = {}
        for table in self.tables:
            self.names.setdefault(table.name.lower(), table)
        for cls in mapped_classes():
            for alias in (cls.__name__.lower(), _snake(cls.__name__)):
                self.names.setdefault(alias, cls.__table__)
        self.foreign_keys: dict[str, set[Any]] = {}
        self.columns: dict[str, list[Any]] = {}
        for table in self.tables:
            for column in table.columns:
                self.columns.setdefault(column.name, []).append(column)
                for fk in column.foreign_keys:
                    self.foreign_keys.setdefault(column.name, set()).add(fk.column.table)

    def _by_stem(self, stem: str) -> Any | None:
        for candidate in (stem, stem + "s", stem + "es", stem.removesuffix("s")):
            if candidate in self.names:
                return self.names[candidate]
        return None

    def for_id(self, name: str, function: str) -> Any | None:
        """The table an id parameter refers to, or None when nothing says."""
        lowered = name.lower()
        if lowered in ("id", "pk", "ident"):
            words = function.lower().split("_")
            matches = [
                self.names[w]
                for n in range(len(words), 0, -1)
                for w in _runs(words, n)
                if w in self.names
            ]
            return matches[0] if matches else None
        stem = re.sub(r"_(id|ids|pk)$", "", lowered)
        found = self._by_stem(stem)
        if found is not None:
            return found
        referenced = self.foreign_keys.get(name, set())
        return next(iter(referenced)) if len(referenced) == 1 else None

    def column(self, name: str) -> Any | None:
        columns = self.columns.get(name, [])
        return columns[0] if columns else None


def _runs(words: list[str], n: int) -> list[str]:
    return ["_".join(words[i : i + n]) for i in range(len(words) - n + 1)]


def _is_id(name: str) -> bool:
    lowered = name.lower()
    return lowered in ("id", "pk") or bool(re.search(r"_(id|ids|pk)$", lowered))


def _unwrap(annotation: Any) -> Any:
    """``Annotated[X, ...]`` and ``X | None`` as ``X`` (the first arm that is not None)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        arms = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(arms[0]) if arms else annotation
    return annotation


def _key_type(table: Any) -> Any | None:
    columns = list(table.primary_key.columns)
    if len(columns) != 1:
        return None
    try:
        return columns[0].type.python_type
    except NotImplementedError:
        return None


def _missing_value(kind: Any) -> Any:
    if kind is uuid.UUID:
        return uuid.uuid4()
    if kind is str:
        return "rda-missing"
    return MISSING_INT


def _id_builder(tables: Tables, name: str, many: bool, function: str) -> Builder:
    table = tables.for_id(name, function)
    if table is None:
        raise Unbuildable(f"cannot tell which table parameter {name!r} refers to")
    kind = _key_type(table)
    if kind is None:
        raise Unbuildable(f"{name!r} refers to {table.name}, whose primary key is composite")
    table_name = table.name

    def build(b: Build) -> Any:
        value = _missing_value(kind) if b.missing else b.seed.anchor(table_name)
        if value is None:
            raise Unbuildable(f"no {table_name} row could be seeded for {name!r}")
        return [value] if many else value

    build.table = table_name  # type: ignore[attr-defined]
    return build


def _string_builder(tables: Tables, name: str) -> Builder:
    column = tables.column(name)
    length = getattr(getattr(column, "type", None), "length", None) or 40
    email = "email" in name.lower()

    def build(b: Build) -> str:
        if email:
            value = f"rda{b.serial}@example.com"
        else:
            value = f"rda-{name}-{b.serial}"
        return value if len(value) <= length else f"r{b.serial}"[:length]

    return build


def _int_builder(name: str) -> Builder:
    lowered = name.lower()
    if "offset" in lowered or "skip" in lowered or lowered == "page":
        return lambda b: 0
    if "limit" in lowered or "size" in lowered or "count" in lowered:
        return lambda b: 50
    return lambda b: 1


def _json_builder(tables: Tables, name: str, annotation: Any) -> Builder:
    from verifier.stages.schema.samples import sample_value

    column = tables.column(name)
    if column is not None:
        ok, value = sample_value(column, annotation)
        if ok and isinstance(value, dict | list):
            return lambda b: value
    return lambda b: {}


def _model_builder(tables: Tables, cls: type, function: str, depth: int) -> Builder:
    """A pydantic model (or a table model) from its required fields."""
    fields: dict[str, Builder] = {}
    for key, info in cls.model_fields.items():  # type: ignore[attr-defined]
        if not info.is_required():
            continue
        fields[key] = builder_for(tables, key, info.annotation, function, depth + 1)

    def build(b: Build) -> Any:
        return cls(**{key: make(b) for key, make in fields.items()})

    return build


def builder_for(
    tables: Tables, name: str, annotation: Any, function: str, depth: int = 0
) -> Builder:
    """The builder of one parameter (or model field); ``Unbuildable`` when none fits."""
    if depth > 3:
        raise Unbuildable(f"{name!r} nests models too deep to build")
    kind = _unwrap(annotation)
    origin = typing.get_origin(kind) or kind
    many = origin in (list, tuple, set, Sequence)
    if _is_id(name) and (
        kind in (int, uuid.UUID, str, inspect.Parameter.empty)
        or isinstance(kind, str)
        or (many and name.lower().endswith("_ids"))
    ):
        try:
            return _id_builder(tables, name, many, function)
        except Unbuildable:
            if kind is not str:
                raise  # a string named like an id (a session token, say) is a string
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        member = next(iter(kind), None)
        if member is None:
            raise Unbuildable(f"{name!r}: the enum {kind.__name__} has no member")
        return lambda b: member
    if origin is typing.Literal:
        value = typing.get_args(kind)[0]
        return lambda b: value
    simple: dict[Any, Builder] = {
        bool: lambda b: True,
        float: lambda b: 1.5,
        decimal.Decimal: lambda b: decimal.Decimal("1.5"),
        dt.datetime: lambda b: dt.datetime.now(dt.UTC),
        dt.date: lambda b: dt.date(2026, 1, 2),
        dt.time: lambda b: dt.time(12, 30),
        dt.timedelta: lambda b: dt.timedelta(minutes=5),
        uuid.UUID: lambda b: uuid.uuid4(),
        bytes: lambda b: b"rda",
    }
    if kind in simple:
        return simple[kind]
    if kind is int:
        return _int_builder(name)
    if kind is str:
        return _string_builder(tables, name)
    if origin in (dict, Mapping):
        return _json_builder(tables, name, annotation)
    if many:
        empty: Any = () if origin is tuple else set() if origin is set else []
        return lambda b: type(empty)()
    if isinstance(kind, type) and hasattr(kind, "model_fields"):
        return _model_builder(tables, kind, function, depth)
    if kind is inspect.Parameter.empty:
        raise Unbuildable(f"parameter {name!r} has no annotation to build a value from")
    shown = getattr(kind, "__name__", None) or repr(kind)
    raise Unbuildable(f"no value can be built for parameter {name!r} ({shown})")


def _hints(fn: Callable[..., Any]) -> dict[str, Any]:
    """The annotations resolved (``from __future__ import annotations`` leaves strings)."""
    try:
        return typing.get_type_hints(fn)
    except Exception:  # a TYPE_CHECKING-only name, say: resolve what can be, one by one
        hints: dict[str, Any] = {}
        for name, param in inspect.signature(fn).parameters.items():
            annotation = param.annotation
            if isinstance(annotation, str):
                try:
                    annotation = eval(annotation, getattr(fn, "__globals__", {}))
                except Exception:  # left as the string: ids are still recognised by name
                    pass
            hints[name] = annotation
        return hints


@dataclass
class Plan:
    """How to call one operation: a builder per parameter the caller must give."""

    positional: list[Builder]
    keyword: dict[str, Builder]

    @property
    def tables(self) -> set[str]:
        """The tables the operation's ids refer to."""
        every = [*self.positional, *self.keyword.values()]
        return {b.table for b in every if hasattr(b, "table")}  # type: ignore[attr-defined]

    def build(
        self, seed: Seed, serial: int, missing: bool = False
    ) -> tuple[list[Any], dict[str, Any]]:
        b = Build(seed, serial, missing)
        return [make(b) for make in self.positional], {k: m(b) for k, m in self.keyword.items()}


def plan(tables: Tables, op: Operation) -> Plan:
    """The builders of ``op``'s parameters; ``Unbuildable`` when one cannot be built."""
    hints = _hints(op.function)
    function = op.function.__name__
    positional: list[Builder] = []
    keyword: dict[str, Builder] = {}
    for param in op.parameters:
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if param.default is not param.empty:
            continue
        annotation = hints.get(param.name, param.annotation)
        make = builder_for(tables, param.name, annotation, function)
        if param.kind is param.KEYWORD_ONLY:
            keyword[param.name] = make
        else:
            positional.append(make)
    return Plan(positional, keyword)
