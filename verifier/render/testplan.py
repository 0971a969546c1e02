"""What the rendered tests do for each operation: their setup lines, calls and expected values.

A test names only the rows it is about; every row it needs besides comes from the factories
(``tests/factories.py``), which make required references first. The plans here decide the
arguments of each call from the operation's real parameters (``verifier.render.operations``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from verifier.render.layer import Column, Entity, Layer
from verifier.render.operations import OpPlan, plans
from verifier.render.samples import changed, literal, varying


@dataclass
class Factory:
    entity: Entity
    references: list[tuple[str, str]]  # (column, target module) made when not given
    values: list[tuple[str, str]]
    uses_counter: bool


def factories(layer: Layer) -> list[Factory]:
    made = []
    for entity in layer.entities:
        if entity.is_audit:
            continue
        references = []
        values = []
        for column in entity.columns:
            if not column.writable:
                continue
            if column.kind == "fk":
                if not column.nullable:
                    target = _target(layer, entity, column)
                    references.append((column.name, target.module))
                continue
            if column.nullable or (column.has_default and not column.unique):
                continue
            values.append((column.name, varying(layer, column)))
        uses = any(re.search(r"\bn\b", expr) for _, expr in values)
        made.append(Factory(entity, references, values, uses))
    return made


def _target(layer: Layer, entity: Entity, column: Column) -> Entity:
    relation = next(r for r in entity.relations if r.column == column.name)
    return layer.entity(relation.target)


@dataclass
class TestPlan:
    kind: str
    name: str
    setup: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, item: str) -> Any:
        try:
            return self.__dict__["extra"][item]
        except KeyError:
            raise AttributeError(item) from None


class _Setup:
    """Setup lines that make each referenced row once, named after its role."""

    def __init__(self, layer: Layer, entity: Entity) -> None:
        self.layer, self.entity = layer, entity
        self.lines: list[str] = []
        self.names: set[str] = set()

    def row(self, name: str, target: Entity) -> str:
        if name not in self.names:
            self.names.add(name)
            self.lines.append(f"{name} = await make_{target.module}(sessions)")
        return f"key({name})"


def test_plans(layer: Layer, entity: Entity) -> list[TestPlan]:
    return [_test(layer, entity, plan) for plan in plans(layer, entity)]


def _actor_arg(layer: Layer, plan: OpPlan, setup: _Setup) -> str:
    if plan.actor is None or plan.actor == "creator_id":
        return ""
    if layer.actor is None:
        return ", 1"
    return ", " + setup.row("actor", layer.actor)


def _test(layer: Layer, entity: Entity, plan: OpPlan) -> TestPlan:
    setup = _Setup(layer, entity)
    test = TestPlan(plan.kind, plan.name, setup.lines)
    x = test.extra
    x["audited"] = bool(plan.actor)
    if plan.kind == "create":
        _create(layer, entity, plan, setup, x)
    elif plan.kind == "list":
        scope = [p for p in plan.params if p.column is not None and p.column in plan.columns]
        scope_values = "".join(
            f", {p.name}={setup.row(f'scope_{i}', _target(layer, entity, p.column))}"
            for i, p in enumerate(scope)
            if p.column is not None
        )
        x["scope_values"] = scope_values
        x["scope_args"] = "".join(f", key(scope_{i})" for i in range(len(scope)))
        x["scope_names"] = " / ".join(p.name for p in scope)
        filters = [p for p in plan.params if p.column is not None and p not in scope]
        x["filter"] = None
        variants = ["", "", ""]
        if filters and filters[0].column is not None:
            column = filters[0].column
            x["filter"] = (column.name, literal(layer, column, 1))
            variants[0] = f", {column.name}={literal(layer, column, 2)}"
        x["variants"] = variants
        x["order"] = [(o.lstrip("-"), o.startswith("-")) for o in plan.options["order_by"]]
    elif plan.kind == "update":
        candidates = [c for c in plan.columns if c.kind != "fk"] or plan.columns
        target = candidates[0]
        x["field"] = target.name
        if target.kind == "fk":
            x["value"] = setup.row("new_target", _target(layer, entity, target))
        else:
            x["value"] = changed(layer, target)
        x["unchanged"] = [c.name for c in plan.columns if c is not target and c.kind != "fk"]
        x["made_values"] = ""
        x["actor_arg"] = _actor_arg(layer, plan, setup)
    elif plan.kind == "delete":
        x["actor_arg"] = _actor_arg(layer, plan, setup)
    elif plan.kind == "assign":
        relation = entity.relation(str(plan.options["relationship"]))
        x["target"] = layer.entity(relation.target).module
        x["column"] = plan.options["column"]
        x["actor_arg"] = _actor_arg(layer, plan, setup)
    elif plan.kind == "tree":
        children = str(plan.options["relationship"])
        parent = next(
            r
            for r in entity.relations
            if r.owner_side and r.target == entity.name and r.back_populates == children
        )
        x["children"] = children
        x["parent_column"] = parent.column
    elif plan.kind == "link":
        x["target"] = layer.entity(str(plan.options["target"])).module
        x["link"] = plan.options["link"]
        x["unlink"] = plan.options["unlink_name"]
        x["own"], x["other"] = plan.options["own"], plan.options["other"]
        link = layer.entity(str(plan.options["link"]))
        x["link_relations"] = [r.name for r in link.relations]
    return test


def _create(layer: Layer, entity: Entity, plan: OpPlan, setup: _Setup, x: dict[str, Any]) -> None:
    """Arguments of a create call: sample values, references made in the setup."""
    values: dict[str, str] = {}
    others: dict[str, str] = {}
    checks: list[tuple[str, str]] = []
    first_reference: str | None = None
    first_row = ""
    for column in plan.columns:
        if column.kind == "fk":
            if column.nullable:
                continue
            target = _target(layer, entity, column)
            values[column.name] = others[column.name] = setup.row(column.name[:-3], target)
            if first_reference is None:
                first_reference = column.name
                first_row = column.name[:-3]
            checks.append((column.name, values[column.name]))
            continue
        values[column.name] = literal(layer, column, 1)
        others[column.name] = literal(layer, column, 2)
        checks.append((column.name, values[column.name]))
    extra = ""
    if plan.creator_column is not None:
        target = _target(layer, entity, entity.column(plan.creator_column))
        extra = ", " + setup.row("creator", target)
        checks.append((plan.creator_column, extra[2:]))
    elif plan.actor is not None:
        extra = _actor_arg(layer, plan, setup)

    def call(given: dict[str, str]) -> str:
        args = ", ".join(f"{k}={v}" for k, v in given.items())
        if plan.params and plan.params[0].name == "data":
            return f"{entity.name}Create({args}){extra}"
        return args + extra

    x["call"] = call(values)
    x["call_other"] = call(others)
    x["checks"] = checks
    x["columns"] = [c.name for c in entity.columns]
    x["duplicate"] = entity.unique_columns
    x["missing"] = first_reference is not None
    x["rows_before"] = 0
    if first_reference is not None:
        x["call_missing"] = call({**values, first_reference: "999_999"})
        uses = [v for k, v in values.items() if k != first_reference] + [extra]
        x["setup_missing"] = [
            line
            for line in setup.lines
            if not line.startswith(f"{first_row} =") or any(f"key({first_row})" in u for u in uses)
        ]
