"""What one entity's model cannot check alone: names that must exist elsewhere in the spec.

Runs on a spec that pydantic already validated. Each problem carries the path of the value to
fix, so ``verifier.render.load`` can name its line. The checks: enums, relationship targets,
link entities, names used twice on one class, the columns that indexes, constraints and
operations name, and cycles of required foreign keys (no row of such a cycle could ever be
inserted first).
"""

from __future__ import annotations

from typing import NamedTuple

from verifier.render.spec import EntitySpec, Spec

Loc = tuple[str | int, ...]


class Problem(NamedTuple):  # not a dataclass: cheaper to define (rda erd's startup)
    path: Loc
    message: str
    fix: str


# Names a model attribute cannot take: SQLModel's own (a field named ``json`` shadows
# ``BaseModel.json``), and a dict's methods, which ``model_validate({...})`` reads as values of
# the same-named relationship (SQLModel looks relationships up with ``getattr`` on its input).
RESERVED_NAMES = frozenset(
    {
        "construct", "copy", "dict", "from_orm", "json", "metadata", "parse_file", "parse_obj",
        "parse_raw", "schema", "schema_json", "sqlmodel_update", "update_forward_refs",
        "validate", "registry",
        "clear", "fromkeys", "get", "items", "keys", "pop", "popitem", "setdefault", "update",
        "values",
    }
)  # fmt: skip


def check_references(spec: Spec) -> list[Problem]:
    problems: list[Problem] = []
    if spec.audit is not None:
        problems += _audit(spec)
    tables: dict[str, str] = {}
    for name, entity in spec.entities.items():
        at: Loc = ("entities", name)
        table = entity.table or snake(name)
        if table in tables:
            problems.append(
                Problem(
                    (*at, "table") if entity.table else at,
                    f"{name} and {tables[table]} both use the table '{table}'",
                    "give one of them another `table:`",
                )
            )
        tables[table] = name
        problems += _names(spec, name, entity)
        problems += _relationships(spec, name, entity)
        problems += _columns(spec, name, entity)
        problems += _operations(spec, name, entity)
    problems += _required_cycles(spec)
    return problems


def snake(name: str) -> str:
    """``AuditLog`` -> ``audit_log``."""
    out = []
    for i, char in enumerate(name):
        if char.isupper() and i and not name[i - 1].isupper():
            out.append("_")
        out.append(char.lower())
    return "".join(out)


def fk_column(relationship_name: str, column: str | None) -> str:
    return column or f"{relationship_name}_id"


def entity_columns(entity: EntitySpec) -> dict[str, str]:
    """Every column name of an entity and what it comes from (field, reference, timestamp)."""
    columns: dict[str, str] = {}
    if entity.primary_key is None:
        columns["id"] = "the primary key"
    for field in entity.fields:
        columns.setdefault(field, f"field '{field}'")
    for rel_name, rel in entity.relationships.items():
        if rel.kind == "many_to_one":
            columns.setdefault(fk_column(rel_name, rel.column), f"relationship '{rel_name}'")
    for stamp in entity.timestamp_columns():
        columns.setdefault(stamp, "the timestamps")
    if entity.soft_delete:
        columns.setdefault("deleted_at", "soft_delete")
    return columns


def _audit(spec: Spec) -> list[Problem]:
    assert spec.audit is not None
    problems = []
    if spec.audit.entity in spec.entities:
        problems.append(
            Problem(
                ("audit", "entity"),
                f"the audit entity '{spec.audit.entity}' is also defined under `entities`",
                "leave it out of `entities`: `audit:` renders it",
            )
        )
    if spec.audit.actor is not None and spec.audit.actor not in spec.entities:
        problems.append(
            Problem(
                ("audit", "actor"),
                f"audit actor '{spec.audit.actor}' is not an entity",
                _choose(spec.entities),
            )
        )
    return problems


def _choose(names: object) -> str:
    return f"use one of: {', '.join(sorted(names))}"  # type: ignore[call-overload]


def _names(spec: Spec, name: str, entity: EntitySpec) -> list[Problem]:
    """No attribute name used twice on one class: fields, references, columns, collections."""
    at: Loc = ("entities", name)
    problems: list[Problem] = []
    seen: dict[str, str] = {}

    def claim(attr: str, what: str, path: Loc) -> None:
        if attr in RESERVED_NAMES or attr.startswith("model_"):
            problems.append(
                Problem(
                    path,
                    f"{name}.{attr} ({what}) cannot be named '{attr}': SQLModel models use "
                    "that name themselves",
                    f"rename it (e.g. '{attr}_list' or '{name.lower()}_{attr}')",
                )
            )
        if attr in seen:
            problems.append(
                Problem(
                    path,
                    f"{name}.{attr} is defined twice: by {seen[attr]} and by {what}",
                    "rename one of them",
                )
            )
        else:
            seen[attr] = what

    if entity.primary_key is None:
        seen["id"] = "the primary key"
    for stamp in entity.timestamp_columns():
        seen[stamp] = "the timestamps"
    if entity.soft_delete:
        seen["deleted_at"] = "soft_delete"
    for field, spec_field in entity.fields.items():
        claim(field, f"field '{field}'", (*at, "fields", field))
        if spec_field.type == "enum" and spec_field.enum not in spec.enums:
            problems.append(
                Problem(
                    (*at, "fields", field, "enum"),
                    f"enum '{spec_field.enum}' of {name}.{field} is not defined",
                    "add it under `enums:`" + (f", or {_choose(spec.enums)}" if spec.enums else ""),
                )
            )
        elif spec_field.type == "enum" and spec_field.default is not None:
            values = spec.enums[spec_field.enum or ""]
            if spec_field.default not in values:
                problems.append(
                    Problem(
                        (*at, "fields", field, "default"),
                        f"default {spec_field.default!r} of {name}.{field} is not a value of "
                        f"{spec_field.enum}",
                        _choose(values),
                    )
                )
    for rel_name, rel in entity.relationships.items():
        path = (*at, "relationships", rel_name)
        claim(rel_name, f"relationship '{rel_name}'", path)
        if rel.kind == "many_to_one":
            column = fk_column(rel_name, rel.column)
            claim(column, f"the foreign key of relationship '{rel_name}'", path)
    for other_name, other in spec.entities.items():
        for rel_name, rel in other.relationships.items():
            if rel.target == name and rel.back_populates:
                claim(
                    rel.back_populates,
                    f"the back_populates of {other_name}.{rel_name}",
                    ("entities", other_name, "relationships", rel_name, "back_populates"),
                )
    return problems


def _relationships(spec: Spec, name: str, entity: EntitySpec) -> list[Problem]:
    problems = []
    for rel_name, rel in entity.relationships.items():
        path: Loc = ("entities", name, "relationships", rel_name)
        if rel.target not in spec.entities:
            problems.append(
                Problem(
                    (*path, "target"),
                    f"relationship {name}.{rel_name} refers to '{rel.target}', which is not an "
                    "entity of this spec",
                    _choose(spec.entities),
                )
            )
            continue
        if rel.kind == "many_to_one" and rel.target == name and not rel.nullable:
            problems.append(
                Problem(
                    path,
                    f"self-reference {name}.{rel_name} is required: the first row could never "
                    "be inserted",
                    "add `nullable: true`",
                )
            )
        if rel.kind == "many_to_many":
            link = spec.entities.get(rel.through or "")
            if link is None:
                problems.append(
                    Problem(
                        (*path, "through"),
                        f"link entity '{rel.through}' of {name}.{rel_name} is not an entity",
                        "define it with a many_to_one relationship to each side",
                    )
                )
                continue
            targets = [r.target for r in link.relationships.values() if r.kind == "many_to_one"]
            for side in (name, rel.target):
                if targets.count(side) < (2 if side == name == rel.target else 1):
                    problems.append(
                        Problem(
                            (*path, "through"),
                            f"link entity {rel.through} has no many_to_one relationship to {side}",
                            f"add one to {rel.through}.relationships",
                        )
                    )
    return problems


def _columns(spec: Spec, name: str, entity: EntitySpec) -> list[Problem]:
    """Indexes, unique constraints and the primary key name columns that exist."""
    at: Loc = ("entities", name)
    known = set(entity_columns(entity)) | {
        r for r, rel in entity.relationships.items() if rel.kind == "many_to_one"
    }
    groups: list[tuple[Loc, list[str]]] = []
    if entity.primary_key is not None:
        groups.append(((*at, "primary_key"), entity.primary_key))
    for i, columns in enumerate(entity.unique_together):
        groups.append(((*at, "unique_together", i), columns))
    for i, index in enumerate(entity.indexes):
        groups.append(((*at, "indexes", i, "columns"), index.columns))
        if index.using == "gin":
            for column in index.columns:
                field = entity.fields.get(column)
                if field is None or not field.type.startswith("json_"):
                    problems_path = (*at, "indexes", i, "using")
                    return [
                        Problem(
                            problems_path,
                            f"a GIN index on {name}.{column}: GIN is for JSONB columns here",
                            "index a json_list or json_object field, or use `using: btree`",
                        )
                    ]
    problems = []
    for path, columns in groups:
        for j, column in enumerate(columns):
            if column not in known:
                problems.append(
                    Problem(
                        (*path, j),
                        f"{name} has no field or relationship '{column}'",
                        _choose(known),
                    )
                )
    return problems


def _operations(spec: Spec, name: str, entity: EntitySpec) -> list[Problem]:
    at: Loc = ("entities", name, "operations")
    ops = entity.operations
    problems: list[Problem] = []
    writable = set(entity.fields) | {
        r for r, rel in entity.relationships.items() if rel.kind == "many_to_one"
    }
    many_to_one = {r for r, rel in entity.relationships.items() if rel.kind == "many_to_one"}

    def need(names: list[str], allowed: set[str], path: Loc, what: str) -> None:
        for i, item in enumerate(names):
            if item.lstrip("-") not in allowed:
                problems.append(
                    Problem(
                        (*path, i),
                        f"{name} has no {what} '{item.lstrip('-')}'",
                        _choose(allowed) if allowed else f"{name} has no {what} to name here",
                    )
                )

    if entity.audited and spec.audit is None:
        problems.append(
            Problem(
                ("entities", name, "audited"),
                f"{name} is audited but the spec has no `audit:` entry",
                "add `audit: {actor: <Entity>}` at the top level",
            )
        )
    if ops.create is not None:
        if ops.create.fields is not None:
            need(ops.create.fields, writable, (*at, "create", "fields"), "field or relationship")
        if ops.create.creator is not None and ops.create.creator not in many_to_one:
            need([ops.create.creator], many_to_one, (*at, "create"), "many_to_one relationship")
    if ops.update is not None and ops.update.fields is not None:
        need(ops.update.fields, writable, (*at, "update", "fields"), "field or relationship")
    if ops.list is not None:
        need(ops.list.scope, many_to_one, (*at, "list", "scope"), "many_to_one relationship")
        need(ops.list.filters, set(entity.fields), (*at, "list", "filters"), "field")
        if ops.list.order_by is not None:
            orderable = set(entity_columns(entity)) | many_to_one
            need(ops.list.order_by, orderable, (*at, "list", "order_by"), "column")
    if ops.assign is not None and ops.assign.relationship not in many_to_one:
        need([ops.assign.relationship], many_to_one, (*at, "assign"), "many_to_one relationship")
    if ops.tree is not None:
        children = {
            rel.back_populates
            for rel in entity.relationships.values()
            if rel.kind == "many_to_one" and rel.target == name and rel.back_populates
        }
        if ops.tree.relationship not in children:
            problems.append(
                Problem(
                    (*at, "tree", "relationship"),
                    f"'{ops.tree.relationship}' is not a self-referential collection of {name}",
                    "name the back_populates of a relationship whose target is "
                    f"{name} itself" + (f" ({', '.join(sorted(children))})" if children else ""),
                )
            )
    if ops.link is not None:
        rel = entity.relationships.get(ops.link.relationship)
        if rel is None or rel.kind != "many_to_many":
            many = {r for r, x in entity.relationships.items() if x.kind == "many_to_many"}
            need([ops.link.relationship], many, (*at, "link"), "many_to_many relationship")
    if (ops.get is None) and (ops.update or ops.delete or ops.assign):
        problems.append(
            Problem(
                at,
                f"{name}'s update, delete and assign operations need its `get` operation",
                "add `get:` to its operations",
            )
        )
    return problems


def _required_cycles(spec: Spec) -> list[Problem]:
    """Entities that reference each other through required foreign keys, in a loop."""
    edges = {
        name: {
            (rel.target, rel_name)
            for rel_name, rel in entity.relationships.items()
            if rel.kind == "many_to_one"
            and not rel.nullable
            and rel.target != name
            and rel.target in spec.entities
        }
        for name, entity in spec.entities.items()
    }
    problems: list[Problem] = []
    reported: set[frozenset[str]] = set()
    state: dict[str, int] = {}
    stack: list[tuple[str, str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        for target, rel_name in sorted(edges[node]):
            stack.append((node, rel_name))
            if state.get(target) == 1:
                start = next(i for i, (n, _) in enumerate(stack) if n == target)
                cycle = stack[start:]
                members = frozenset(n for n, _ in cycle)
                if members not in reported:
                    reported.add(members)
                    loop = " -> ".join(f"{n}.{r}" for n, r in cycle) + f" -> {target}"
                    first, rel = cycle[0]
                    problems.append(
                        Problem(
                            ("entities", first, "relationships", rel),
                            f"required foreign keys form a cycle: {loop}; no row of it could "
                            "be inserted first",
                            "make one relationship of the cycle `nullable: true`",
                        )
                    )
            elif state.get(target) is None:
                visit(target)
            stack.pop()
        state[node] = 2

    for name in spec.entities:
        if state.get(name) is None:
            visit(name)
    return problems
