"""The SQLModel (and SQLAlchemy declarative) classes of every file in one lint run.

Models and the code that queries them live in different files: ``crud.py`` reads
``task.assignee``, ``models.py`` says ``assignee`` is a relationship. ``ProjectIndex`` is built
from all files of the run before any rule looks at one, so a rule in ``crud.py`` can ask which
attributes of ``Task`` are relationships, which columns are JSON, which fields are foreign keys.
It also records the engines, session factories, session aliases and ``get_session`` providers
each module defines at top level, so that ``from app.database import async_session`` is known to
be a factory in the module that imports it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import is_true, keyword, string_value

if TYPE_CHECKING:
    from verifier.rules.analysis.context import FileContext
    from verifier.rules.analysis.sessions import Binding

_LIST_TYPES = frozenset({"list", "List", "set", "Set", "Sequence", "MutableSequence", "frozenset"})
_WRAPPERS = frozenset({"Mapped", "Optional", "Union", "Annotated", "ClassVar"})
EAGER_LAZY = frozenset({"selectin", "joined", "subquery", "immediate"})
UNLOADABLE_LAZY = frozenset({"noload", "dynamic", "write_only"})


def annotation_target(node: ast.AST | None) -> tuple[str | None, bool]:
    """The class an annotation names and whether it is a collection: ``list["Task"]`` -> Task."""
    if node is None:
        return None, False
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return annotation_target(ast.parse(node.value, mode="eval").body)
        except SyntaxError:
            return None, False
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        for side in (node.left, node.right):
            if not (isinstance(side, ast.Constant) and side.value is None):
                return annotation_target(side)
        return None, False
    if isinstance(node, ast.Subscript):
        head = (
            node.value.attr
            if isinstance(node.value, ast.Attribute)
            else getattr(node.value, "id", "")
        )
        inner = node.slice
        if head in _LIST_TYPES:
            target, _ = annotation_target(inner)
            return target, True
        if head in _WRAPPERS:
            elts = inner.elts if isinstance(inner, ast.Tuple) else [inner]
            for elt in elts:
                if not (isinstance(elt, ast.Constant) and elt.value is None):
                    return annotation_target(elt)
        return None, False
    if isinstance(node, ast.Name):
        return node.id, False
    if isinstance(node, ast.Attribute):
        return node.attr, False
    return None, False


@dataclass
class Relationship:
    """One relationship attribute: its target class, collection-ness and options."""

    name: str
    target: str | None
    is_list: bool
    kwargs: dict[str, ast.expr]
    node: ast.AST

    @property
    def lazy(self) -> str | None:
        return string_value(self.kwargs.get("lazy"))

    @property
    def eager_by_default(self) -> bool:
        return self.lazy in EAGER_LAZY

    @property
    def loadable(self) -> bool:
        """False for noload/dynamic/write_only attributes, which are never lazy-loaded."""
        return self.lazy not in UNLOADABLE_LAZY


@dataclass
class ForeignKey:
    """A column that references ``table`` (from ``Field(foreign_key=...)`` or ``ForeignKey``)."""

    field: str
    table: str
    indexed: bool
    node: ast.Call


@dataclass
class Model:
    """A model class: table or not, its fields, relationships, foreign keys and JSON columns."""

    name: str
    path: str
    node: ast.ClassDef
    table: bool
    bases: list[str]
    tablename: str
    relationships: dict[str, Relationship] = field(default_factory=dict)
    foreign_keys: dict[str, ForeignKey] = field(default_factory=dict)
    json_columns: dict[str, bool] = field(default_factory=dict)  # name -> change tracked
    sa_columns: dict[str, ast.Call] = field(default_factory=dict)  # name -> sa_column=Column(...)
    fields: dict[str, ast.AST] = field(default_factory=dict)


class ProjectIndex:
    """Models and module-level session bindings of every file in a lint run."""

    def __init__(self) -> None:
        self.models: dict[str, Model] = {}
        self.exported: dict[str, Binding] = {}

    @classmethod
    def build(cls, contexts: list[FileContext]) -> ProjectIndex:
        from verifier.rules.analysis.sessions import module_bindings

        index = cls()
        pending: list[tuple[FileContext, ast.ClassDef]] = []
        for ctx in contexts:
            if ctx.tree is None:
                continue
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
                if _is_model_class(ctx, node, index):
                    index.models[node.name] = _read_model(ctx, node)
                    changed = True
        return index

    def model(self, name: str | None) -> Model | None:
        return self.models.get(name) if name else None

    def relationships(self, name: str | None) -> dict[str, Relationship]:
        """Relationships of a model including the ones its model bases declare."""
        model = self.model(name)
        if model is None:
            return {}
        out: dict[str, Relationship] = {}
        for base in model.bases:
            if base != name:
                out.update(self.relationships(base))
        out.update(model.relationships)
        return out

    def json_columns(self, name: str | None) -> dict[str, bool]:
        model = self.model(name)
        if model is None:
            return {}
        out: dict[str, bool] = {}
        for base in model.bases:
            if base != name:
                out.update(self.json_columns(base))
        out.update(model.json_columns)
        return out

    def table_subclasses(self, name: str) -> list[Model]:
        """Table models that inherit (directly or not) from ``name``."""
        out = []
        for model in self.models.values():
            if model.name != name and model.table and self._inherits(model, name, set()):
                out.append(model)
        return out

    def _inherits(self, model: Model, base: str, seen: set[str]) -> bool:
        for parent in model.bases:
            if parent == base:
                return True
            if parent not in seen and parent in self.models:
                seen.add(parent)
                if self._inherits(self.models[parent], base, seen):
                    return True
        return False


def _base_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_model_class(ctx: FileContext, node: ast.ClassDef, index: ProjectIndex) -> bool:
    for base in node.bases:
        if ctx.imports.matches(base, n.SQLMODEL):
            return True
        name = _base_name(base)
        if name in index.models:
            return True
    if any(
        isinstance(s, ast.Assign | ast.AnnAssign)
        and any(
            isinstance(t, ast.Name) and t.id == "__tablename__"
            for t in (s.targets if isinstance(s, ast.Assign) else [s.target])
        )
        for s in node.body
    ):
        return True
    return False


def _call_kind(ctx: FileContext, value: ast.AST | None) -> str | None:
    if not isinstance(value, ast.Call):
        return None
    imports = ctx.imports
    func = value.func
    if imports.matches(func, n.FIELD):
        return "field"
    if imports.matches(func, n.RELATIONSHIP):
        return "relationship"
    if imports.matches(func, n.SA_RELATIONSHIP):
        return "sa_relationship"
    if imports.matches(func, n.COLUMN) or imports.matches(func, n.MAPPED_COLUMN):
        return "column"
    return None


def _read_model(ctx: FileContext, node: ast.ClassDef) -> Model:
    table = any(kw.arg == "table" and is_true(kw.value) for kw in node.keywords)
    tablename = node.name.lower()
    for stmt in node.body:
        if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if any(isinstance(t, ast.Name) and t.id == "__tablename__" for t in targets):
                tablename = string_value(stmt.value) or tablename
                table = True if not any(kw.arg == "table" for kw in node.keywords) else table
    model = Model(
        name=node.name,
        path=ctx.path,
        node=node,
        table=table,
        bases=[b for b in (_base_name(x) for x in node.bases) if b],
        tablename=tablename,
    )
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            name, annotation, value = stmt.target.id, stmt.annotation, stmt.value
        elif (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
        ):
            name, annotation, value = stmt.targets[0].id, None, stmt.value
        else:
            continue
        if name.startswith("__"):
            continue
        model.fields[name] = stmt
        kind = _call_kind(ctx, value)
        assert value is None or isinstance(value, ast.expr)
        if kind == "relationship" and isinstance(value, ast.Call):
            _read_sqlmodel_relationship(model, name, annotation, value)
        elif kind == "sa_relationship" and isinstance(value, ast.Call):
            _read_sa_relationship(model, name, annotation, value)
        elif kind == "field" and isinstance(value, ast.Call):
            _read_field(ctx, model, name, value)
        elif kind == "column" and isinstance(value, ast.Call):
            _read_column(ctx, model, name, value)
    return model


def _read_sqlmodel_relationship(
    model: Model, name: str, ann: ast.AST | None, call: ast.Call
) -> None:
    kwargs: dict[str, ast.expr] = {}
    extra = keyword(call, "sa_relationship_kwargs")
    if isinstance(extra, ast.Dict):
        for k, v in zip(extra.keys, extra.values, strict=True):
            key = string_value(k)
            if key:
                kwargs[key] = v
    elif isinstance(extra, ast.Call):
        kwargs.update({kw.arg: kw.value for kw in extra.keywords if kw.arg})
    inner = keyword(call, "sa_relationship")
    if isinstance(inner, ast.Call):
        kwargs.update({kw.arg: kw.value for kw in inner.keywords if kw.arg})
    for kw in call.keywords:
        if kw.arg and kw.arg not in ("sa_relationship_kwargs", "sa_relationship"):
            kwargs.setdefault(kw.arg, kw.value)
    target, is_list = annotation_target(ann)
    uselist = kwargs.get("uselist")
    if isinstance(uselist, ast.Constant) and isinstance(uselist.value, bool):
        is_list = uselist.value
    model.relationships[name] = Relationship(name, target, is_list, kwargs, call)


def _read_sa_relationship(model: Model, name: str, ann: ast.AST | None, call: ast.Call) -> None:
    kwargs = {kw.arg: kw.value for kw in call.keywords if kw.arg}
    target, is_list = annotation_target(ann)
    if call.args:
        first = call.args[0]
        named, _ = annotation_target(first)
        target = named or target
    uselist = kwargs.get("uselist")
    if isinstance(uselist, ast.Constant) and isinstance(uselist.value, bool):
        is_list = uselist.value
    model.relationships[name] = Relationship(name, target, is_list, kwargs, call)


def _fk_table(ref: str | None) -> str | None:
    if not ref or "." not in ref:
        return None
    return ref.rsplit(".", 1)[0].rsplit(".", 1)[-1]


def _read_field(ctx: FileContext, model: Model, name: str, call: ast.Call) -> None:
    fk = _fk_table(string_value(keyword(call, "foreign_key")))
    if fk:
        indexed = any(is_true(keyword(call, k)) for k in ("index", "unique", "primary_key"))
        model.foreign_keys[name] = ForeignKey(name, fk, indexed, call)
    sa_column = keyword(call, "sa_column")
    if isinstance(sa_column, ast.Call):
        model.sa_columns[name] = sa_column
        _read_column(ctx, model, name, sa_column)
    sa_type = keyword(call, "sa_type")
    if sa_type is not None:
        tracked = json_type_tracked(ctx, sa_type)
        if tracked is not None:
            model.json_columns[name] = tracked


def _read_column(ctx: FileContext, model: Model, name: str, call: ast.Call) -> None:
    imports = ctx.imports
    for arg in call.args:
        if isinstance(arg, ast.Call) and imports.matches(arg.func, n.FOREIGN_KEY) and arg.args:
            table = _fk_table(string_value(arg.args[0]))
            if table:
                indexed = any(is_true(keyword(call, k)) for k in ("index", "unique", "primary_key"))
                model.foreign_keys[name] = ForeignKey(name, table, indexed, call)
        tracked = json_type_tracked(ctx, arg)
        if tracked is not None:
            model.json_columns[name] = tracked
    type_kw = keyword(call, "type_")
    if type_kw is not None:
        tracked = json_type_tracked(ctx, type_kw)
        if tracked is not None:
            model.json_columns[name] = tracked


def json_type_tracked(ctx: FileContext, node: ast.AST) -> bool | None:
    """None if ``node`` is not a JSON type; else whether in-place changes are tracked."""
    imports = ctx.imports
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "as_mutable":
            if imports.matches(func.value, n.MUTABLE) and node.args:
                return True if json_type_tracked(ctx, node.args[0]) is not None else None
        if isinstance(func, ast.Attribute) and func.attr == "with_variant":
            return json_type_tracked(ctx, func.value)
        return json_type_tracked(ctx, func)
    if imports.matches(node, n.JSON) or imports.matches(node, n.JSONB):
        return False
    return None
