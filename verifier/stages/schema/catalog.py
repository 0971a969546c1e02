"""What the live catalog shows about the built schema, whatever the model source looks like.

- RDA202: a foreign key whose columns lead no index (joins and ``ON DELETE`` checks scan);
- RDA204: a ``json`` column where ``jsonb`` is meant;
- RDA212: a ``timestamp without time zone`` column.

They carry the codes of the static rules that catch the same defects in the source, pinned to
the attribute's declaration, so that ``verifier.verify.merge`` reports each defect once.
"""

from __future__ import annotations

from typing import Any

from verifier import skill_refs
from verifier.findings import Finding, Severity
from verifier.stages.context import StageContext
from verifier.stages.targetmodels import attribute_place, column_attribute, mapped_classes

STAGE = "schema"


def _finding(
    ctx: StageContext, cls: Any, column: str, code: str, message: str, fix: str, ref: str
) -> Finding:
    place = attribute_place(ctx, cls, column_attribute(cls, column))
    return Finding(
        code=code,
        message=message,
        severity=Severity.ERROR,  # the parent gives it the static rule's severity
        file=place.file,
        line=place.line,
        stage=STAGE,
        fix=fix,
        skill_ref=ref,
        details=place.details(),
    )


def _indexed_column_lists(catalog: dict[str, Any], key: Any) -> list[list[str]]:
    indexed = [list(i["column_names"]) for i in catalog["indexes"].get(key, [])]
    indexed.append(list((catalog["primary_keys"].get(key) or {}).get("constrained_columns", [])))
    indexed += [list(u["column_names"]) for u in catalog["uniques"].get(key, [])]
    return [ix for ix in indexed if ix]


def inspect_catalog(ctx: StageContext, connection: Any) -> list[Finding]:
    """Findings the live catalog shows: unindexed FKs, JSON columns, naive timestamps.

    Each kind of object is reflected for every table at once (``get_multi_*``): one catalog
    query per kind instead of one per kind and table.
    """
    from sqlalchemy import inspect
    from sqlalchemy.dialects.postgresql import JSON, JSONB
    from sqlalchemy.types import DateTime

    classes = {cls.__table__.name: cls for cls in mapped_classes()}
    inspector = inspect(connection)
    # Alembic's version table, or a table the models do not map: not looked at.
    tables = [t for t in inspector.get_table_names() if t in classes]
    if not tables:
        return []
    catalog = {
        "indexes": inspector.get_multi_indexes(filter_names=tables),
        "primary_keys": inspector.get_multi_pk_constraint(filter_names=tables),
        "uniques": inspector.get_multi_unique_constraints(filter_names=tables),
        "foreign_keys": inspector.get_multi_foreign_keys(filter_names=tables),
        "columns": inspector.get_multi_columns(filter_names=tables),
    }
    findings: list[Finding] = []
    for table in tables:
        cls = classes[table]
        key = (None, table)
        indexed = _indexed_column_lists(catalog, key)
        for fk in catalog["foreign_keys"].get(key, []):
            cols = list(fk["constrained_columns"])
            if any(sorted(ix[: len(cols)]) == sorted(cols) for ix in indexed):
                continue
            findings.append(
                _finding(
                    ctx,
                    cls,
                    cols[0],
                    "RDA202",
                    f"foreign key {table}.{', '.join(cols)} → {fk['referred_table']} has no "
                    "index: joins and ON DELETE checks scan the whole table",
                    "Field(foreign_key=..., index=True) (and an index in the migration)",
                    skill_refs.MODELS_FOREIGN_KEYS,
                )
            )
        for column in catalog["columns"].get(key, []):
            kind, name = column["type"], column["name"]
            if isinstance(kind, JSON) and not isinstance(kind, JSONB):
                findings.append(
                    _finding(
                        ctx,
                        cls,
                        name,
                        "RDA204",
                        f"{table}.{name} is json, not jsonb: no GIN index, no containment "
                        "operators, reparsed on every read",
                        "sa_type=JSONB (from sqlalchemy.dialects.postgresql)",
                        skill_refs.MODELS_JSONB,
                    )
                )
            if isinstance(kind, DateTime) and not kind.timezone:
                findings.append(
                    _finding(
                        ctx,
                        cls,
                        name,
                        "RDA212",
                        f"{table}.{name} is timestamp without time zone: values lose their "
                        "offset and compare wrongly across zones",
                        "DateTime(timezone=True) and values from datetime.now(UTC)",
                        skill_refs.MODELS_TIMESTAMPS,
                    )
                )
    return findings
