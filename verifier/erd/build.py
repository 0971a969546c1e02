"""Build an ``Erd`` from a spec or from the schema event of a target's models.

``erd_from_spec`` goes through ``verifier.render.layer`` (the same columns the templates
render, so the picture is the layer ``rda render`` writes) and imports no SQLAlchemy.
``erd_from_schema_event`` reads the JSON that ``verifier.stages.erd_schema`` emits from inside
the sandbox, so the parent never imports the target.
"""

from __future__ import annotations

from typing import Any

from verifier.erd.model import Erd, ErdColumn, ErdRelation, ErdTable

SPEC_TYPES = {
    "text": "text",
    "int": "integer",
    "bigint": "bigint",
    "bool": "boolean",
    "float": "float",
    "decimal": "numeric",
    "date": "date",
    "datetime": "timestamptz",
    "timestamp": "timestamptz",
    "uuid": "uuid",
    "json_list": "jsonb",
    "json_object": "jsonb",
    "pk": "integer",
    "fk": "integer",
}


def erd_from_spec(spec: Any) -> Erd:
    """The ERD of the layer a validated ``verifier.render.spec.Spec`` describes."""
    from verifier.render.layer import build_layer

    layer = build_layer(spec)
    tables, relations = [], []
    by_name = {e.name: e for e in layer.entities}
    for entity in layer.entities:
        single_pk = entity.primary_key if len(entity.primary_key) == 1 else []
        columns = []
        for column in entity.columns:
            if column.kind == "str":
                kind = f"varchar({column.max_length})" if column.max_length else "varchar"
            elif column.kind == "enum":
                kind = str(column.enum).lower()
            else:
                kind = SPEC_TYPES[column.kind]
            columns.append(
                ErdColumn(
                    column.name,
                    kind,
                    nullable=column.nullable and not column.primary_key,
                    primary_key=column.name in entity.primary_key,
                    foreign_key=column.references,
                    unique=column.unique or column.name in single_pk,
                )
            )
        groups = tuple(tuple(cols) for _, cols in entity.unique_together)
        tables.append(ErdTable(entity.table, tuple(columns), groups))
        for relation in entity.relations:
            if not relation.owner_side or relation.column is None:
                continue
            column = entity.column(relation.column)
            relations.append(
                ErdRelation(
                    child=entity.table,
                    parent=by_name[relation.target].table,
                    columns=(column.name,),
                    required=not column.nullable,
                    one_to_one=column.unique,
                    label=relation.name,
                )
            )
        if entity.is_audit:
            for column in entity.columns:
                if column.references:
                    relations.append(
                        ErdRelation(
                            entity.table,
                            column.references.split(".")[0],
                            (column.name,),
                            required=not column.nullable,
                            label=column.name.removesuffix("_id"),
                        )
                    )
    relations.sort(key=lambda r: (r.child, r.columns))
    return Erd(layer.package, tuple(tables), tuple(relations))


def erd_from_schema_event(data: dict[str, Any]) -> Erd:
    """The ERD of the ``schema`` event a sandboxed child emitted (see ``erd_schema``)."""
    tables, relations = [], []
    for table in data.get("tables", []):
        name = str(table["name"])
        pk = [str(c) for c in table.get("primary_key", [])]
        uniques = [tuple(str(c) for c in group) for group in table.get("unique", [])]
        single_unique = {g[0] for g in uniques if len(g) == 1} | (
            set(pk) if len(pk) == 1 else set()
        )
        fks = {}
        for fk in table.get("foreign_keys", []):
            for column, referred in zip(fk["columns"], fk["referred_columns"], strict=False):
                fks[str(column)] = f"{fk['referred_table']}.{referred}"
        columns = tuple(
            ErdColumn(
                str(c["name"]),
                _short_type(str(c.get("type") or "unknown")),
                nullable=bool(c.get("nullable")),
                primary_key=str(c["name"]) in pk,
                foreign_key=fks.get(str(c["name"])),
                unique=str(c["name"]) in single_unique,
            )
            for c in table.get("columns", [])
        )
        by_column = {c.name: c for c in columns}
        tables.append(ErdTable(name, columns, tuple(g for g in uniques if len(g) > 1)))
        for fk in table.get("foreign_keys", []):
            cols = tuple(str(c) for c in fk["columns"])
            required = all(not by_column[c].nullable for c in cols if c in by_column)
            one_to_one = (len(cols) == 1 and cols[0] in single_unique) or (
                tuple(sorted(cols)) in {tuple(sorted(g)) for g in uniques}
            )
            label = cols[0].removesuffix("_id") if len(cols) == 1 else ", ".join(cols)
            relations.append(
                ErdRelation(name, str(fk["referred_table"]), cols, required, one_to_one, label)
            )
    relations.sort(key=lambda r: (r.child, r.columns))
    return Erd(str(data.get("title") or "models"), tuple(tables), tuple(relations))


SHORT_TYPES = {
    "timestamp with time zone": "timestamptz",
    "timestamp without time zone": "timestamp",
    "double precision": "float",
}


def _short_type(name: str) -> str:
    return SHORT_TYPES.get(name, name)
