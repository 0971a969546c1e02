"""The entity spec that ``rda render`` and ``rda erd`` read, as pydantic models.

The models *are* the format: ``verifier.render.schema_json`` exports their JSON Schema for
editors (``templates/spec.schema.json``), and loading a spec (``verifier.render.load``)
validates it against them, so the documentation, the editor's completion and the checks
cannot drift apart. What one entity cannot know alone (a relationship to an entity that does
not exist, a cycle of required foreign keys) is checked afterwards by
``verifier.render.references`` on the validated spec.

A minimal spec::

    package: blog
    entities:
      Author:
        fields:
          name: {type: str, max_length: 200}
      Post:
        fields:
          title: {type: str, max_length: 300}
        relationships:
          author: {target: Author, back_populates: posts}

Building these models is most of what ``rda erd SPEC`` costs beyond importing pydantic (goal:
0.5 s for the whole process, ``bench/render_speed.py``), so three choices here are about speed
and change nothing else: no ``from __future__ import annotations`` (pydantic would evaluate
every annotation from its string), empty collections from ``lambda: []`` / ``lambda: {}``
rather than ``list`` / ``dict`` (pydantic reads each factory's signature, and a builtin's is
parsed from text by ``tokenize``, whose first use compiles a large regular expression), and
``default_operations`` builds the default operations without a validator of their own.
"""

from collections.abc import Iterable
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=63)]
ClassName = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Za-z0-9]*$", max_length=63)]
EnumValue = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=63)]

FieldType = Literal[
    "str",
    "text",
    "int",
    "bigint",
    "bool",
    "float",
    "decimal",
    "date",
    "datetime",
    "uuid",
    "enum",
    "json_list",
    "json_object",
]
FIELD_TYPES: tuple[str, ...] = FieldType.__args__  # type: ignore[attr-defined]
OnDelete = Literal["CASCADE", "SET NULL", "RESTRICT", "NO ACTION"]
Timestamp = Literal["created_at", "updated_at"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class FieldSpec(_Strict):
    """One column. ``type`` picks the Python type, the PostgreSQL type and the sample values."""

    type: FieldType = Field(description="the column's type")
    nullable: bool = Field(False, description="NULL allowed (the attribute is `X | None`)")
    default: str | int | float | bool | None = Field(
        None, description="a Python default for new rows (an enum field: one of its values)"
    )
    unique: bool = Field(False, description="a unique constraint on this column alone")
    index: bool = Field(False, description="a b-tree index on this column")
    max_length: int | None = Field(None, ge=1, le=10485760, description="`str`: VARCHAR(n)")
    enum: ClassName | None = Field(None, description="`enum`: the name of an entry of `enums`")
    item: Literal["str", "int", "float", "bool", "object"] = Field(
        "str", description="`json_list`: the type of its items"
    )
    precision: int = Field(12, ge=1, le=1000, description="`decimal`: total digits")
    scale: int = Field(2, ge=0, le=1000, description="`decimal`: digits after the point")
    description: str | None = Field(None, description="a comment rendered beside the field")

    @model_validator(mode="after")
    def _options_fit_the_type(self) -> Self:
        if self.type == "enum" and self.enum is None:
            raise ValueError("an enum field needs `enum: <EnumName>` naming an entry of `enums`")
        if self.type != "enum" and self.enum is not None:
            raise ValueError(f"`enum` is only for `type: enum`, not `type: {self.type}`")
        if self.max_length is not None and self.type != "str":
            raise ValueError(f"`max_length` is only for `type: str`, not `type: {self.type}`")
        if self.type.startswith("json_") and (self.unique or self.index):
            raise ValueError("a JSONB column takes a GIN index (`indexes: [{using: gin}]`)")
        if self.type == "decimal" and self.scale > self.precision:
            raise ValueError("`scale` cannot exceed `precision`")
        return self


class RelationshipSpec(_Strict):
    """A many-to-one reference (a foreign key column on this entity), or a many-to-many."""

    target: ClassName = Field(description="the entity this one refers to")
    kind: Literal["many_to_one", "many_to_many"] = "many_to_one"
    nullable: bool = Field(False, description="many-to-one: the reference may be absent")
    ondelete: OnDelete | None = Field(None, description="many-to-one: ON DELETE of the key")
    column: Identifier | None = Field(
        None, description="many-to-one: the foreign key column (default: `<name>_id`)"
    )
    back_populates: Identifier | None = Field(
        None, description="the inverse collection created on the target (e.g. `posts`)"
    )
    through: ClassName | None = Field(
        None, description="many-to-many: the link entity holding both foreign keys"
    )

    @model_validator(mode="after")
    def _options_fit_the_kind(self) -> Self:
        if self.kind == "many_to_many":
            if self.through is None:
                raise ValueError("a many_to_many relationship needs `through: <LinkEntity>`")
            if self.nullable or self.ondelete or self.column:
                raise ValueError(
                    "`nullable`, `ondelete` and `column` belong on the link entity's "
                    "many_to_one relationships, not on a many_to_many"
                )
        elif self.through is not None:
            raise ValueError("`through` is only for `kind: many_to_many`")
        if self.ondelete == "SET NULL" and not self.nullable:
            raise ValueError("`ondelete: SET NULL` needs `nullable: true`")
        return self


class IndexSpec(_Strict):
    """A composite, partial, unique or GIN index (columns: field or relationship names)."""

    columns: list[Identifier] = Field(min_length=1, description="fields or relationships")
    name: Identifier | None = Field(None, description="default: ix_<table>_<columns>")
    unique: bool = False
    using: Literal["btree", "gin"] = "btree"
    where: str | None = Field(
        None, description='a partial index\'s SQL predicate, e.g. "deleted_at IS NULL"'
    )


class CreateOp(_Strict):
    input: Literal["args", "schema"] = Field(
        "args", description="keyword arguments, or one `<Entity>Create` schema"
    )
    fields: list[Identifier] | None = Field(
        None, description="what the caller gives (default: every field and reference)"
    )
    creator: Identifier | None = Field(
        None, description="a relationship set from a `creator_id` argument (and the audit actor)"
    )
    name: Identifier | None = None


class GetOp(_Strict):
    name: Identifier | None = None


class ListOp(_Strict):
    scope: list[Identifier] = Field(
        default_factory=lambda: [],
        description="relationships every call filters on (required args)",
    )
    filters: list[Identifier] = Field(
        default_factory=lambda: [], description="fields a call may filter on (optional args)"
    )
    order_by: list[Annotated[str, StringConstraints(pattern=r"^-?[a-z][a-z0-9_]*$")]] | None = (
        Field(None, description="`-name` for descending (default: newest first, else by id)")
    )
    limit: int = Field(50, ge=1, le=10000, description="the default page size")
    name: Identifier | None = None


class UpdateOp(_Strict):
    fields: list[Identifier] | None = Field(
        None, description="what an update may set (default: every field and reference)"
    )
    name: Identifier | None = None


class DeleteOp(_Strict):
    name: Identifier | None = None


class AssignOp(_Strict):
    relationship: Identifier = Field(description="the many-to-one reference it sets")
    name: Identifier | None = None


class TreeOp(_Strict):
    relationship: Identifier = Field(description="the self-referential collection (children)")
    depth: int = Field(10, ge=1, le=50, description="levels loaded (one statement each)")
    name: Identifier | None = None


class LinkOp(_Strict):
    relationship: Identifier = Field(description="the many-to-many relationship")
    name: Identifier | None = Field(None, description="default: add_<entity>_<relationship>")
    unlink_name: Identifier | None = Field(
        None, description="default: remove_<entity>_<relationship>"
    )


class Operations(_Strict):
    """Which CRUD functions to generate (a key with no value takes the defaults)."""

    create: CreateOp | None = None
    get: GetOp | None = None
    list: ListOp | None = None
    update: UpdateOp | None = None
    delete: DeleteOp | None = None
    assign: AssignOp | None = None
    tree: TreeOp | None = None
    link: LinkOp | None = None

    @model_validator(mode="before")
    @classmethod
    def _empty_means_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: ({} if v is None else v) for k, v in data.items()}
        return data


DEFAULT_OPERATIONS = {"create": {}, "get": {}, "list": {}, "update": {}, "delete": {}}
OPERATION_MODELS: dict[str, type[_Strict]] = {
    "create": CreateOp,
    "get": GetOp,
    "list": ListOp,
    "update": UpdateOp,
    "delete": DeleteOp,
    "assign": AssignOp,
    "tree": TreeOp,
    "link": LinkOp,
}


def default_operations(kinds: Iterable[str] = tuple(DEFAULT_OPERATIONS)) -> Operations:
    """``Operations.model_validate({kind: {} for kind in kinds})``, built without validating.

    Every value is a model's own default, so there is nothing to check; validating would build
    the validator of ``Operations`` (and of each operation) on its own, since pydantic builds a
    validator per model even when the spec's validator already holds that schema: ~10 ms of
    ``rda erd`` for a spec with an entity that leaves out ``operations:``. Same fields, same
    ``model_fields_set`` (tests/render/test_erd_startup.py compares the two).
    """
    return Operations.model_construct(**{k: OPERATION_MODELS[k].model_construct() for k in kinds})


class EntitySpec(_Strict):
    """One table: its fields, references, indexes and operations."""

    table: Identifier | None = Field(None, description="default: the name in snake_case")
    plural: Identifier | None = Field(None, description="for `list_<plural>` (default: +s)")
    description: str | None = None
    fields: dict[Identifier, FieldSpec] = Field(default_factory=lambda: {})
    relationships: dict[Identifier, RelationshipSpec] = Field(default_factory=lambda: {})
    primary_key: list[Identifier] | None = Field(
        None,
        description="a composite key of references/fields (a link entity); default: `id`",
    )
    timestamps: bool | list[Timestamp] = Field(
        default_factory=lambda: ["created_at"],
        description="`true`: created_at and updated_at; a list picks; `false`: none",
    )
    soft_delete: bool = Field(False, description="a `deleted_at` column; reads hide such rows")
    audited: bool = Field(False, description="writes add a row to the `audit` entity")
    unique_together: list[list[Identifier]] = Field(
        default_factory=lambda: [], description="composite unique constraints (e.g. per tenant)"
    )
    indexes: list[IndexSpec] = Field(default_factory=lambda: [])
    # a lambda: pydantic would pass the validated data to a factory that takes an argument
    operations: Operations = Field(default_factory=lambda: default_operations())

    def timestamp_columns(self) -> list[str]:
        if self.timestamps is True:
            return ["created_at", "updated_at"]
        if self.timestamps is False:
            return []
        return [t for t in ("created_at", "updated_at") if t in self.timestamps]


class AuditSpec(_Strict):
    """An audit log table; audited entities write one row per change in the same transaction."""

    entity: ClassName = "AuditLog"
    table: Identifier = "audit_log"
    actor: ClassName | None = Field(None, description="the entity an `actor_id` refers to")


class Spec(_Strict):
    """A layer: a Python package of models, CRUD and migrations."""

    package: Identifier = Field(description="the Python package rendered (e.g. `taskapi`)")
    description: str | None = None
    contract: str = Field(
        "none", description="`[tool.rda] contract` of the rendered layer (`taskapi`, `none`)"
    )
    database_url_env: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$")] = (
        "DATABASE_URL"
    )
    enums: dict[ClassName, list[EnumValue]] = Field(default_factory=lambda: {})
    audit: AuditSpec | None = None
    entities: dict[ClassName, EntitySpec] = Field(min_length=1)
