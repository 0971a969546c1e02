"""The spec turned into what the templates print: columns, relationships, operations, DDL.

Every decision about the generated code is made here, in Python, where it can be tested; the
Jinja templates only lay the results out. The same ``Column`` gives the model's ``Field(...)``,
the initial migration's ``sa.Column(...)`` and the tests' sample values, so the models and the
migration cannot disagree (the verifier's autogenerate diff would say so if they did).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from verifier.render.references import fk_column, snake
from verifier.render.spec import (
    EntitySpec,
    FieldSpec,
    Operations,
    RelationshipSpec,
    Spec,
    default_operations,
)

if TYPE_CHECKING:
    from pydantic import BaseModel

AUDIT_FIELDS = ("entity_type", "entity_id", "action", "actor_id", "details", "created_at")


@dataclass
class Column:
    name: str
    kind: str  # a spec field type, or "pk" / "fk" / "timestamp"
    nullable: bool = False
    python_type: str = "int"
    field_args: list[str] = field(default_factory=list)  # Field(...) keyword arguments
    default_code: str | None = None  # a plain default: `name: T = <default_code>`
    ddl_type: str = "sa.Integer()"
    server_default: str | None = None  # a literal string (JSONB: "[]", "{}")
    server_default_sql: str | None = None  # SQL text (a field's spec default, e.g. "false")
    unique: bool = False
    index: bool = False
    references: str | None = None  # "table.id"
    ondelete: str | None = None
    primary_key: bool = False
    max_length: int | None = None
    enum: str | None = None
    item: str = "str"
    precision: int = 12
    scale: int = 2
    writable: bool = True  # given by callers (not id, timestamps, deleted_at)
    description: str | None = None

    @property
    def declaration(self) -> str:
        """The model attribute's line after the name: ``: T = Field(...)``."""
        annotation = self.python_type + (" | None" if self.nullable else "")
        if self.field_args:
            return f"{annotation} = Field({', '.join(self.field_args)})"
        if self.default_code is not None:
            return f"{annotation} = {self.default_code}"
        return annotation

    @property
    def default_value(self) -> str | None:
        """The Python default's source (``WorkerKind.human``, ``0``), wherever it is declared."""
        if self.default_code is not None:
            return self.default_code
        return next(
            (a.removeprefix("default=") for a in self.field_args if a.startswith("default=")),
            None,
        )

    @property
    def unique_constraint(self) -> bool:
        """A UNIQUE constraint of its own (a unique column that is also indexed gets a unique
        index instead, as SQLModel's ``Field(unique=True, index=True)`` does)."""
        return self.unique and not self.index

    @property
    def has_default(self) -> bool:
        return (
            self.nullable
            or self.default_code is not None
            or any(a.startswith(("default=", "default_factory=")) for a in self.field_args)
        )


@dataclass
class Relation:
    """One relationship attribute on a model (either side)."""

    name: str
    target: str  # class name
    many: bool  # a collection
    nullable: bool = False
    back_populates: str | None = None
    kwargs: dict[str, str] = field(default_factory=dict)  # sa_relationship_kwargs
    link_model: str | None = None
    column: str | None = None  # many-to-one: its foreign key column
    owner_side: bool = False  # the many-to-one side that holds the key

    @property
    def annotation(self) -> str:
        if self.many:
            return f'list["{self.target}"]'
        return f'Optional["{self.target}"]' if self.nullable else f'"{self.target}"'

    @property
    def arguments(self) -> str:
        parts = []
        if self.back_populates:
            parts.append(f'back_populates="{self.back_populates}"')
        if self.link_model:
            parts.append(f"link_model={self.link_model}")
        if self.kwargs:
            inner = ", ".join(f'"{k}": {v}' for k, v in self.kwargs.items())
            parts.append(f"sa_relationship_kwargs={{{inner}}}")
        return ", ".join(parts)


@dataclass
class IndexDef:
    name: str
    columns: list[str]
    unique: bool = False
    using: str | None = None
    where: str | None = None
    from_field: bool = False  # `index=True` on a Field (named ix_<table>_<col> by SQLAlchemy)


@dataclass
class Operation:
    kind: str
    name: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Entity:
    name: str
    table: str
    module: str
    plural: str
    description: str | None
    columns: list[Column]
    relations: list[Relation]
    primary_key: list[str]
    unique_together: list[tuple[str, list[str]]]
    indexes: list[IndexDef]
    soft_delete: bool
    audited: bool
    operations: list[Operation]
    is_audit: bool = False

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def relation(self, name: str) -> Relation:
        return next(r for r in self.relations if r.name == name)

    def op(self, kind: str) -> Operation | None:
        return next((o for o in self.operations if o.kind == kind), None)

    @property
    def has_updated_at(self) -> bool:
        return any(c.name == "updated_at" for c in self.columns)

    @property
    def enums(self) -> list[str]:
        return sorted({c.enum for c in self.columns if c.enum})

    @property
    def unique_columns(self) -> bool:
        return (
            any(c.unique for c in self.columns)
            or bool(self.unique_together)
            or any(i.unique for i in self.indexes)
        )


@dataclass
class Layer:
    spec: Spec
    package: str
    enums: dict[str, list[str]]
    entities: list[Entity]  # parents before children (the migration's order)
    audit: Entity | None
    actor: Entity | None

    def entity(self, name: str) -> Entity:
        return next(e for e in self.entities if e.name == name)


def build_layer(spec: Spec) -> Layer:
    entities = {name: _entity(spec, name, entity) for name, entity in spec.entities.items()}
    audit = actor = None
    if spec.audit is not None:
        actor = entities.get(spec.audit.actor) if spec.audit.actor else None
        audit = _audit_entity(spec, actor)
        entities[audit.name] = audit
    _add_back_relations(spec, entities)
    ordered = _parents_first(list(entities.values()))
    return Layer(spec, spec.package, dict(spec.enums), ordered, audit, actor)


def plural(name: str) -> str:
    if name.endswith(("s", "x", "z", "ch", "sh")):
        return name + "es"
    if name.endswith("y") and name[-2:-1] not in "aeiou":
        return name[:-1] + "ies"
    return name + "s"


def _entity(spec: Spec, name: str, entity: EntitySpec) -> Entity:
    table = entity.table or snake(name)
    columns: list[Column] = []
    pk_names = _primary_key_columns(entity)
    if entity.primary_key is None:
        columns.append(
            Column(
                "id",
                "pk",
                python_type="int",
                field_args=["default=None", "primary_key=True"],
                nullable=True,
                primary_key=True,
                writable=False,
            )
        )
    rel_columns = {
        fk_column(r, rel.column): (r, rel)
        for r, rel in entity.relationships.items()
        if rel.kind == "many_to_one"
    }
    for field_name, spec_field in entity.fields.items():
        columns.append(_field_column(field_name, spec_field, field_name in pk_names))
    for column_name, (_, rel) in rel_columns.items():
        target = spec.entities[rel.target]
        columns.append(
            _fk_column(
                column_name,
                rel,
                target.table or snake(rel.target),
                primary=column_name in pk_names,
                first_of_key=bool(pk_names) and pk_names[0] == column_name,
            )
        )
    for stamp in entity.timestamp_columns():
        columns.append(_timestamp(stamp))
    if entity.soft_delete:
        columns.append(_deleted_at())
    relations = _own_relations(spec, name, entity)
    unique_together = [
        (f"uq_{table}_{'_'.join(cols)}", cols)
        for cols in ([_column_name(entity, c) for c in group] for group in entity.unique_together)
    ]
    indexes = [
        IndexDef(f"ix_{table}_{c.name}", [c.name], unique=c.unique, from_field=True)
        for c in columns
        if c.index
    ]
    for index in entity.indexes:
        cols = [_column_name(entity, c) for c in index.columns]
        suffix = "_gin" if index.using == "gin" else ""
        indexes.append(
            IndexDef(
                index.name or f"ix_{table}_{'_'.join(cols)}{suffix}",
                cols,
                unique=index.unique,
                using=index.using if index.using != "btree" else None,
                where=index.where,
            )
        )
    return Entity(
        name=name,
        table=table,
        module=snake(name),
        plural=entity.plural or plural(snake(name)),
        description=entity.description,
        columns=columns,
        relations=relations,
        primary_key=pk_names or ["id"],
        unique_together=unique_together,
        indexes=indexes,
        soft_delete=entity.soft_delete,
        audited=entity.audited,
        operations=_operations(name, entity),
    )


def _column_name(entity: EntitySpec, name: str) -> str:
    rel = entity.relationships.get(name)
    if rel is not None and rel.kind == "many_to_one":
        return fk_column(name, rel.column)
    return name


def _primary_key_columns(entity: EntitySpec) -> list[str]:
    if entity.primary_key is None:
        return []
    return [_column_name(entity, n) for n in entity.primary_key]


PY_TYPES = {
    "str": "str",
    "text": "str",
    "int": "int",
    "bigint": "int",
    "bool": "bool",
    "float": "float",
    "decimal": "Decimal",
    "date": "date",
    "datetime": "datetime",
    "uuid": "uuid.UUID",
}
DDL_TYPES = {
    "text": "sa.Text()",
    "int": "sa.Integer()",
    "bigint": "sa.BigInteger()",
    "bool": "sa.Boolean()",
    "float": "sa.Float()",
    "date": "sa.Date()",
    "datetime": "sqlmodel.sql.sqltypes.UTCDateTime()",
    "uuid": "sa.Uuid()",
}
JSON_ITEMS = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "object": "dict[str, Any]",
}


def _field_column(name: str, spec: FieldSpec, primary: bool) -> Column:
    column = Column(
        name,
        spec.type,
        nullable=spec.nullable,
        unique=spec.unique,
        index=spec.index,
        max_length=spec.max_length,
        enum=spec.enum,
        item=spec.item,
        precision=spec.precision,
        scale=spec.scale,
        primary_key=primary,
        description=spec.description,
    )
    args: list[str] = []
    if spec.type.startswith("json_"):
        empty = "[]" if spec.type == "json_list" else "{}"
        column.python_type = (
            f"list[{JSON_ITEMS[spec.item]}]" if spec.type == "json_list" else "dict[str, Any]"
        )
        column.ddl_type = "postgresql.JSONB(astext_type=sa.Text())"
        if spec.nullable:
            args = ["default=None", "sa_column=Column(JSONB, nullable=True)"]
        else:
            column.server_default = empty
            factory = "list" if spec.type == "json_list" else "dict"
            args = [
                f"default_factory={factory}",
                f'sa_column=Column(JSONB, nullable=False, server_default="{empty}")',
            ]
        column.field_args = args
        return column
    if spec.type == "enum":
        column.python_type = spec.enum or ""
        column.ddl_type = "ENUM"  # filled in by the migration (the type's values and name)
    elif spec.type == "decimal":
        column.python_type = "Decimal"
        column.ddl_type = f"sa.Numeric(precision={spec.precision}, scale={spec.scale})"
        args += [f"max_digits={spec.precision}", f"decimal_places={spec.scale}"]
    elif spec.type == "str":
        column.ddl_type = (
            f"sqlmodel.sql.sqltypes.AutoString(length={spec.max_length})"
            if spec.max_length
            else "sqlmodel.sql.sqltypes.AutoString()"
        )
        if spec.max_length:
            args.append(f"max_length={spec.max_length}")
        column.python_type = "str"
    else:
        column.python_type = PY_TYPES[spec.type]
        column.ddl_type = DDL_TYPES[spec.type]
        if spec.type == "text":
            args.append("sa_type=Text")
        elif spec.type == "bigint":
            args.append("sa_type=BigInteger")
    default = _default_code(spec)
    if default is not None:
        args.insert(0, f"default={default}")
    elif spec.nullable:
        args.insert(0, "default=None")
    if primary:
        args.append("primary_key=True")
    if spec.unique and not spec.index:
        args.append("unique=True")
    if spec.index:
        args.append("index=True")
        if spec.unique:
            args.append("unique=True")
    if spec.default is not None:
        # The database knows the default too: a column added later fills the existing rows.
        column.server_default_sql = _sql_literal(spec)
        args.append(f'sa_column_kwargs={{"server_default": text({column.server_default_sql!r})}}')
    if args == [f"default={default}"] or args == ["default=None"]:
        column.default_code = default if default is not None else "None"
    else:
        column.field_args = args
    return column


def _sql_literal(spec: FieldSpec) -> str:
    """A spec default as SQL: ``true``, ``0``, ``'text'`` (an enum's value is a string)."""
    value = spec.default
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float) and spec.type not in ("str", "text", "enum"):
        return str(value)
    text = str(value)
    if spec.type in ("int", "bigint", "float", "decimal"):
        return text
    return "'" + text.replace("'", "''") + "'"


def _default_code(spec: FieldSpec) -> str | None:
    if spec.default is None:
        return None
    if spec.type == "enum":
        return f"{spec.enum}.{spec.default}"
    if spec.type == "decimal":
        return f'Decimal("{spec.default}")'
    return repr(spec.default)


def _fk_column(
    name: str, rel: RelationshipSpec, table: str, primary: bool, first_of_key: bool
) -> Column:
    args = []
    if rel.nullable:
        args.append("default=None")
    args.append(f'foreign_key="{table}.id"')
    if primary:
        args.append("primary_key=True")
    index = not first_of_key  # the key's own index covers its first column
    if index:
        args.append("index=True")
    if rel.ondelete:
        args.append(f'ondelete="{rel.ondelete}"')
    return Column(
        name,
        "fk",
        nullable=rel.nullable,
        python_type="int",
        field_args=args,
        references=f"{table}.id",
        ondelete=rel.ondelete,
        index=index,
        primary_key=primary,
    )


def _timestamp(name: str) -> Column:
    return Column(
        name,
        "timestamp",
        python_type="datetime",
        field_args=["default_factory=utc_now"],
        ddl_type=DDL_TYPES["datetime"],
        writable=False,
    )


def _deleted_at() -> Column:
    return Column(
        "deleted_at",
        "timestamp",
        nullable=True,
        python_type="datetime",
        default_code="None",
        ddl_type=DDL_TYPES["datetime"],
        writable=False,
    )


def _own_relations(spec: Spec, name: str, entity: EntitySpec) -> list[Relation]:
    """The relationships this entity declares (many-to-one and many-to-many sides)."""
    relations = []
    for rel_name, rel in entity.relationships.items():
        if rel.kind == "many_to_many":
            relations.append(
                Relation(
                    rel_name,
                    rel.target,
                    many=True,
                    back_populates=rel.back_populates,
                    link_model=rel.through,
                    kwargs={"viewonly": "True"},
                )
            )
            continue
        column = fk_column(rel_name, rel.column)
        kwargs: dict[str, str] = {}
        shared = sum(
            1
            for r in entity.relationships.values()
            if r.kind == "many_to_one" and r.target == rel.target
        )
        if rel.target == name:
            kwargs["remote_side"] = f'"{name}.id"'
        if shared > 1 or rel.target == name:
            kwargs["foreign_keys"] = f'"[{name}.{column}]"'
        relations.append(
            Relation(
                rel_name,
                rel.target,
                many=False,
                nullable=rel.nullable,
                back_populates=rel.back_populates,
                kwargs=kwargs,
                column=column,
                owner_side=True,
            )
        )
    return relations


def _add_back_relations(spec: Spec, entities: dict[str, Entity]) -> None:
    """The collections that ``back_populates`` asks for, on the referenced entities."""
    for name, entity_spec in spec.entities.items():
        for rel_name, rel in entity_spec.relationships.items():
            if not rel.back_populates:
                continue
            target = entities[rel.target]
            if rel.kind == "many_to_many":
                target.relations.append(
                    Relation(
                        rel.back_populates,
                        name,
                        many=True,
                        back_populates=rel_name,
                        link_model=rel.through,
                        kwargs={"viewonly": "True"},
                    )
                )
                continue
            owner = entities[name]
            column = fk_column(rel_name, rel.column)
            kwargs: dict[str, str] = {}
            shared = sum(
                1
                for r in entity_spec.relationships.values()
                if r.kind == "many_to_one" and r.target == rel.target
            )
            if shared > 1 or rel.target == name:
                kwargs["foreign_keys"] = f'"[{owner.name}.{column}]"'
            kwargs.update(_deletes(rel.ondelete))
            target.relations.append(
                Relation(
                    rel.back_populates, name, many=True, back_populates=rel_name, kwargs=kwargs
                )
            )


def _deletes(ondelete: str | None) -> dict[str, str]:
    """How deleting the parent treats the children the session holds: as the database does.

    Without these, SQLAlchemy sets the loaded children's key to NULL before the parent's
    DELETE, which a required key refuses (NotNullViolation) and which ``ondelete`` never asked
    for. ``CASCADE`` deletes them with the parent; ``SET NULL`` lets the database set it; no
    ``ondelete`` leaves the children alone, so the database refuses the delete with a foreign
    key violation (a domain error of the delete operation).
    """
    if ondelete == "CASCADE":
        return {"cascade": '"all, delete"', "passive_deletes": "True"}
    if ondelete == "SET NULL":
        return {"passive_deletes": "True"}
    return {"passive_deletes": '"all"'}


def _audit_entity(spec: Spec, actor: Entity | None) -> Entity:
    assert spec.audit is not None
    columns = [
        Column(
            "id",
            "pk",
            nullable=True,
            field_args=["default=None", "primary_key=True"],
            primary_key=True,
            writable=False,
        ),
        Column(
            "entity_type",
            "str",
            python_type="str",
            field_args=["max_length=50"],
            ddl_type="sqlmodel.sql.sqltypes.AutoString(length=50)",
            max_length=50,
        ),
        Column("entity_id", "int", python_type="int", ddl_type="sa.Integer()"),
        Column(
            "action",
            "str",
            python_type="str",
            field_args=["max_length=50"],
            ddl_type="sqlmodel.sql.sqltypes.AutoString(length=50)",
            max_length=50,
        ),
    ]
    if actor is not None:
        columns.append(
            Column(
                "actor_id",
                "fk",
                nullable=True,
                field_args=["default=None", f'foreign_key="{actor.table}.id"', "index=True"],
                references=f"{actor.table}.id",
                index=True,
            )
        )
    columns += [
        Column(
            "details",
            "json_object",
            python_type="dict[str, Any]",
            field_args=[
                "default_factory=dict",
                'sa_column=Column(JSONB, nullable=False, server_default="{}")',
            ],
            ddl_type="postgresql.JSONB(astext_type=sa.Text())",
            server_default="{}",
        ),
        _timestamp("created_at"),
    ]
    indexes = [IndexDef(f"ix_{spec.audit.table}_actor_id", ["actor_id"], from_field=True)]
    indexes.append(
        IndexDef(f"ix_{spec.audit.table}_entity_type_entity_id", ["entity_type", "entity_id"])
    )
    return Entity(
        name=spec.audit.entity,
        table=spec.audit.table,
        module=snake(spec.audit.entity),
        plural=plural(snake(spec.audit.entity)),
        description="One row per change of an audited entity, written in the change's transaction.",
        columns=columns,
        relations=[],
        primary_key=["id"],
        unique_together=[],
        indexes=indexes if actor is not None else indexes[1:],
        soft_delete=False,
        audited=False,
        operations=[],
        is_audit=True,
    )


def _operations(name: str, entity: EntitySpec) -> list[Operation]:
    ops: Operations = entity.operations
    if entity.primary_key is not None and "operations" not in entity.model_fields_set:
        ops = default_operations(("create", "list"))
    e = snake(name)
    many = entity.plural or plural(e)
    result = []
    for kind in ("create", "get", "list", "update", "delete", "assign", "tree", "link"):
        op = getattr(ops, kind)
        if op is None:
            continue
        options = _options(op)
        given = options.pop("name", None)
        default = {
            "create": f"create_{e}",
            "get": f"get_{e}",
            "list": f"list_{many}",
            "update": f"update_{e}",
            "delete": f"delete_{e}",
            "assign": f"assign_{e}",
            "tree": f"get_{e}_tree",
            "link": f"add_{e}_{options.get('relationship')}",
        }[kind]
        if kind == "link":
            options["unlink_name"] = options.get("unlink_name") or (
                f"remove_{e}_{options.get('relationship')}"
            )
        result.append(Operation(kind, given or default, options))
    return result


def _options(op: BaseModel) -> dict[str, Any]:
    """An operation's settings as a dict, what ``op.model_dump()`` gives for these flat models.

    Read off the fields instead: ``model_dump`` would build a validator and a serializer (a
    schema of its own) for every operation class a spec uses, seven of them for taskapi, which
    is most of what ``rda erd`` spent after validating. Lists are copied, as ``model_dump``
    copies them, so no caller can change the spec.
    """
    return {
        name: list(value) if isinstance(value, list) else value
        for name in type(op).model_fields
        for value in (getattr(op, name),)
    }


def _parents_first(entities: list[Entity]) -> list[Entity]:
    """Tables in an order where every referenced table comes before its references."""
    by_table = {e.table: e for e in entities}
    done: list[Entity] = []
    placed: set[str] = set()

    def place(entity: Entity, visiting: set[str]) -> None:
        if entity.table in placed or entity.table in visiting:
            return
        visiting.add(entity.table)
        for column in entity.columns:
            if column.references:
                parent = by_table.get(column.references.split(".")[0])
                if parent is not None and parent is not entity:
                    place(parent, visiting)
        placed.add(entity.table)
        done.append(entity)

    for entity in entities:
        place(entity, set())
    return done
