"""Values the rendered tests and factories send, as Python source, per column type.

``literal(column, 1)`` and ``literal(column, 2)`` are two different fixed values a test can
assert on; ``varying(column)`` is an expression of the factory's counter ``n``, so that rows a
factory makes never collide on a unique column.
"""

from __future__ import annotations

from verifier.render.layer import Column, Layer

JSON_ITEM_SAMPLES = {
    "str": ('"a"', '"b"'),
    "int": ("1", "2"),
    "float": ("1.5", "2.5"),
    "bool": ("True", "False"),
    "object": ('{"k": 1}', '{"k": 2}'),
}


def _prefix(column: Column) -> str:
    limit = column.max_length or 255
    return column.name.replace("_", " ")[: max(1, limit - 8)]


def literal(layer: Layer, column: Column, variant: int) -> str:
    kind = column.kind
    if kind in ("str", "text"):
        return f'"{_prefix(column)} {variant}"'
    if kind in ("int", "bigint", "fk"):
        return str(variant)
    if kind == "bool":
        return "True" if variant == 1 else "False"
    if kind == "float":
        return f"{variant}.5"
    if kind == "decimal":
        if column.scale == 0:
            return f'Decimal("{variant}")'
        whole = "0" if column.precision == column.scale else str(variant)
        return f'Decimal("{whole}.{variant}")'
    if kind == "date":
        return f"date(2026, 1, {variant})"
    if kind in ("datetime", "timestamp"):
        return f"datetime(2026, 1, {variant}, tzinfo=UTC)"
    if kind == "uuid":
        return f"uuid.UUID(int={variant})"
    if kind == "enum":
        values = layer.enums[column.enum or ""]
        default = column.default_value.split(".")[-1] if column.default_value else None
        first = default if default in values else values[0]
        if variant == 1:
            return f"{column.enum}.{first}"
        other = next((v for v in reversed(values) if v != first), first)
        return f"{column.enum}.{other}"
    if kind == "json_list":
        return f"[{JSON_ITEM_SAMPLES[column.item][variant - 1]}]"
    if kind == "json_object":
        return f'{{"key": "value {variant}"}}'
    raise ValueError(f"no sample for {kind}")


def varying(layer: Layer, column: Column) -> str:
    """An expression of the counter ``n``: unique per row where the type allows it."""
    kind = column.kind
    if kind in ("str", "text"):
        return f'f"{_prefix(column)} {{n}}"'
    if kind in ("int", "bigint"):
        return "n"
    if kind == "float":
        return "n + 0.5"
    if kind == "uuid":
        return "uuid.uuid4()"
    if kind == "date":
        return "date(2026, 1, 1) + timedelta(days=n)"
    if kind == "datetime":
        return "datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n)"
    return literal(layer, column, 1)


def changed(layer: Layer, column: Column) -> str:
    """A value an update sets: never one that a factory's counter could have produced."""
    if column.kind in ("str", "text"):
        return f'"{_prefix(column)} changed"'
    if column.kind in ("int", "bigint"):
        return "1000000"
    if column.kind == "float":
        return "1000000.5"
    return literal(layer, column, 2)
