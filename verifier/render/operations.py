"""Each CRUD operation of the spec as the parts its template prints.

An ``OpPlan`` holds a function's name, its parameters, the references it checks before writing
(so a missing row is a domain error and nothing is written), and what it audits. The template
``package/crud/entity.py.j2`` turns plans into code; the tests template reads the same plans,
so the tests call each function with the parameters it really has.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from verifier.render.codegen import input_columns
from verifier.render.layer import Column, Entity, Layer, Operation


@dataclass
class Param:
    name: str
    annotation: str
    default: str | None = None
    column: Column | None = None

    def render(self) -> str:
        return f"{self.name}: {self.annotation}" + (
            f" = {self.default}" if self.default is not None else ""
        )


@dataclass
class Require:
    """``await require(session, Model, <expr>, ModelNotFoundError)`` before any write."""

    expr: str
    model: str
    optional: bool  # only when the value is not None


@dataclass
class OpPlan:
    kind: str
    name: str
    params: list[Param]
    requires: list[Require] = field(default_factory=list)
    values: list[tuple[str, str]] = field(default_factory=list)  # create (args): column -> expr
    columns: list[Column] = field(default_factory=list)
    creator_column: str | None = None
    actor: str | None = None  # the parameter naming the audit actor
    options: dict[str, object] = field(default_factory=dict)

    @property
    def signature(self) -> str:
        return ", ".join(["session: AsyncSession", *(p.render() for p in self.params)])


def arg_type(layer: Layer, column: Column) -> str:
    """The parameter type a caller passes for a column (enums take their strings too)."""
    if column.kind == "enum":
        return f"{column.python_type} | str"
    return column.python_type


def plans(layer: Layer, entity: Entity) -> list[OpPlan]:
    return [_plan(layer, entity, op) for op in entity.operations]


def key_params(entity: Entity) -> list[Param]:
    if entity.primary_key == ["id"]:
        return [Param(f"{entity.module}_id", "int")]
    return [Param(c, "int") for c in entity.primary_key]


def _target_of(entity: Entity, column: Column) -> str | None:
    relation = next((r for r in entity.relations if r.column == column.name), None)
    return relation.target if relation else None


def _requires_for(
    layer: Layer, entity: Entity, columns: list[Column], prefix: str
) -> list[Require]:
    requires = []
    for column in columns:
        target = _target_of(entity, column)
        if target is not None:
            requires.append(Require(f"{prefix}{column.name}", target, column.nullable))
    return requires


def _actor(layer: Layer, entity: Entity, plan: OpPlan, default_name: str = "actor_id") -> None:
    if not entity.audited:
        return
    plan.params.append(Param(default_name, "int"))
    plan.actor = default_name
    if layer.actor is not None:
        plan.requires.append(Require(default_name, layer.actor.name, False))


def _plan(layer: Layer, entity: Entity, op: Operation) -> OpPlan:
    kind = op.kind
    keys = key_params(entity)
    if kind == "create":
        creator = op.options.get("creator")
        creator_column = entity.relation(str(creator)).column if creator else None
        columns = [
            c for c in input_columns(entity, op.options.get("fields")) if c.name != creator_column
        ]
        plan = OpPlan(kind, op.name, [], columns=columns, creator_column=creator_column)
        if op.options.get("input") == "schema":
            plan.params.append(Param("data", f"{entity.name}Create"))
            plan.requires = _requires_for(layer, entity, columns, "data.")
        else:
            required = [c for c in columns if not c.has_default]
            optional = [c for c in columns if c.has_default]
            for column in required + optional:
                plan.params.append(_create_param(layer, column))
                plan.values.append((column.name, _value_expr(column)))
            plan.requires = _requires_for(layer, entity, columns, "")
        if creator_column is not None:
            plan.params.append(Param("creator_id", "int"))
            target = _target_of(entity, entity.column(creator_column))
            plan.requires.insert(0, Require("creator_id", str(target), False))
            plan.actor = "creator_id" if entity.audited else None
        else:
            _actor(layer, entity, plan)
        return plan
    if kind == "get":
        return OpPlan(kind, op.name, keys)
    if kind == "list":
        params = []
        scope_columns = []
        for rel_name in op.options.get("scope") or []:
            column = entity.column(str(entity.relation(str(rel_name)).column))
            scope_columns.append(column)
            params.append(Param(column.name, "int", column=column))
        for name in op.options.get("filters") or []:
            column = entity.column(str(name))
            params.append(
                Param(column.name, f"{arg_type(layer, column)} | None", "None", column=column)
            )
        limit = op.options.get("limit", 50)
        params += [Param("limit", "int", str(limit)), Param("offset", "int", "0")]
        order = op.options.get("order_by") or (
            ["-created_at", "-id"]
            if any(c.name == "created_at" for c in entity.columns) and entity.primary_key == ["id"]
            else list(entity.primary_key)
        )
        order = [_order_column(entity, str(o)) for o in order]
        return OpPlan(kind, op.name, params, columns=scope_columns, options={"order_by": order})
    if kind == "update":
        columns = input_columns(entity, op.options.get("fields"))
        columns = [c for c in columns if not c.primary_key]
        plan = OpPlan(
            kind, op.name, [*keys, Param("data", f"{entity.name}Update")], columns=columns
        )
        plan.requires = [
            Require(f'changes.get("{r.expr}")', r.model, True)
            for r in _requires_for(layer, entity, columns, "")
        ]
        _actor(layer, entity, plan)
        return plan
    if kind == "delete":
        plan = OpPlan(kind, op.name, list(keys))
        _actor(layer, entity, plan)
        return plan
    if kind == "assign":
        relation = entity.relation(str(op.options["relationship"]))
        target = layer.entity(relation.target)
        param = f"{target.module}_id"
        if param == f"{entity.module}_id":
            param = f"{relation.name}_id"
        plan = OpPlan(
            kind,
            op.name,
            [*keys, Param(param, "int")],
            requires=[Require(param, target.name, False)],
            options={"relationship": relation.name, "column": relation.column, "param": param},
        )
        _actor(layer, entity, plan)
        return plan
    if kind == "tree":
        return OpPlan(
            kind,
            op.name,
            keys,
            options={"relationship": op.options["relationship"], "depth": op.options["depth"]},
        )
    if kind == "link":
        relation = entity.relation(str(op.options["relationship"]))
        link = layer.entity(str(relation.link_model))
        own, other = _link_columns(link, entity.name, relation.target)
        extra = [c for c in link.columns if c.writable and c.name not in (own.name, other.name)]
        required = [c for c in extra if not c.has_default]
        optional = [c for c in extra if c.has_default]
        params = [Param(own.name, "int"), Param(other.name, "int")]
        params += [_create_param(layer, c) for c in required + optional]
        return OpPlan(
            kind,
            op.name,
            params,
            requires=[
                Require(own.name, entity.name, False),
                Require(other.name, relation.target, False),
            ],
            values=[(own.name, own.name), (other.name, other.name)]
            + [(c.name, _value_expr(c)) for c in required + optional],
            options={
                "link": link.name,
                "link_module": link.module,
                "unlink_name": op.options["unlink_name"],
                "own": own.name,
                "other": other.name,
                "target": relation.target,
                # Checked first (a second row with the same key in one session is refused by
                # the identity map before the database could say so); the database decides races.
                "link_key": link.primary_key
                if sorted(link.primary_key) == sorted([own.name, other.name])
                else None,
            },
        )
    raise ValueError(f"unknown operation {kind}")


def _order_column(entity: Entity, item: str) -> str:
    """``-name`` with a relationship's name turned into its foreign key column."""
    sign, name = ("-", item[1:]) if item.startswith("-") else ("", item)
    relation = next((r for r in entity.relations if r.name == name and r.column), None)
    return sign + (relation.column if relation and relation.column else name)


def _link_columns(link: Entity, own: str, target: str) -> tuple[Column, Column]:
    refs = [r for r in link.relations if r.owner_side]
    own_rel = next(r for r in refs if r.target == own)
    other_rel = next(r for r in refs if r.target == target and r is not own_rel)
    return link.column(str(own_rel.column)), link.column(str(other_rel.column))


def _create_param(layer: Layer, column: Column) -> Param:
    annotation = arg_type(layer, column)
    if column.kind in ("json_list", "json_object"):
        return Param(column.name, f"{annotation} | None", "None", column)
    if column.nullable:
        return Param(column.name, f"{annotation} | None", "None", column)
    default = column.default_value
    return Param(column.name, annotation, default, column)


def _value_expr(column: Column) -> str:
    if column.kind == "json_list" and not column.nullable:
        return f"[] if {column.name} is None else {column.name}"
    if column.kind == "json_object" and not column.nullable:
        return f"{{}} if {column.name} is None else {column.name}"
    return column.name
