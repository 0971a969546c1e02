"""Read the SQLModel (and SQLAlchemy declarative) classes of one file into ``project.Model``.

``indexing`` calls these readers on every file of the run before any rule looks at one, so a
rule in ``crud.py`` can ask the ``ProjectIndex`` which attributes of ``Task`` are relationships,
which columns are JSON, which fields are foreign keys. Whether a class is a model can take other
files (``class Hero(HeroBase)``, ``HeroBase`` elsewhere): ``model_by_itself`` and
``model_base_names`` say what the class's own file tells, ``indexing`` does the rest by name.
"""

from __future__ import annotations

import ast

from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import is_true, keyword, string_value
from verifier.rules.analysis.project import (
    EAGER_LAZY,
    UNLOADABLE_LAZY,
    ForeignKey,
    Model,
    ProjectIndex,
    Relationship,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from verifier.rules.analysis.context import FileContext

__all__ = [
    "EAGER_LAZY",
    "UNLOADABLE_LAZY",
    "ForeignKey",
    "Model",
    "ProjectIndex",
    "Relationship",
    "annotation_target",
    "json_type_tracked",
    "model_base_names",
    "model_by_itself",
    "read_model",
]

_LIST_TYPES = frozenset({"list", "List", "set", "Set", "Sequence", "MutableSequence", "frozenset"})
_WRAPPERS = frozenset({"Mapped", "Optional", "Union", "Annotated", "ClassVar"})


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


def _base_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def model_base_names(node: ast.ClassDef) -> tuple[str, ...]:
    """The names of a class's bases (``HeroBase``, ``models.Base``: the last part): it is a model
    when one of them names a model of the project."""
    return tuple(name for name in map(_base_name, node.bases) if name)


def model_by_itself(ctx: FileContext, node: ast.ClassDef) -> bool:
    """A model whatever the other files hold: a SQLModel base, or a ``__tablename__``."""
    if any(ctx.imports.matches(base, n.SQLMODEL) for base in node.bases):
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


def read_model(ctx: FileContext, node: ast.ClassDef) -> Model:
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
