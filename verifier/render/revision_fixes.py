"""Complete what ``alembic revision --autogenerate`` leaves out of a revision, before it is saved.

Autogenerate compares the models with the database and writes the operations; two things it
does not write make the revision fail on a real database:

- **A new enum type.** ``op.add_column`` with a ``sa.Enum`` does not create the type
  (``type "mood" does not exist``), and no ``downgrade`` drops the types it brought (a trace
  left behind). The type is created before its first use in ``upgrade`` and dropped at the end
  of ``downgrade``.
- **A new NOT NULL column on a table that may hold rows.** ``ADD COLUMN ... NOT NULL`` fails
  as soon as one row exists. When the spec gives the column a default, the column is added
  with that default as its server default (the existing rows get it) and the server default is
  removed right after, so the table ends as the models describe it. Without a default there is
  no value to give the rows: a note says so.

A change autogenerate cannot see at all (new values of an existing enum) is a note too.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from verifier.render.layer import Column, Layer

ADD_COLUMN = re.compile(
    r"^(?P<indent>\s*)op\.add_column\((?P<q>['\"])(?P<table>\w+)(?P=q),\s*sa\.Column\("
    r"(?P<q2>['\"])(?P<column>\w+)(?P=q2),(?P<rest>.*)\)\)\s*$"
)
ENUM_NAME = re.compile(r"""sa\.Enum\((?P<values>[^)]*?),\s*name=(['"])(?P<name>\w+)\2""")
CREATE_TABLE = re.compile(r"op\.create_table\(")


def enum_types(schema: dict[str, list[str]]) -> dict[str, str]:
    """Enum type name -> the values part of its DDL, as the schema signature spells it."""
    found: dict[str, str] = {}
    for entries in schema.values():
        for entry in entries:
            for match in ENUM_NAME.finditer(entry):
                found.setdefault(match.group("name"), match.group("values"))
    return found


def complete_revision(
    text: str, layer: Layer, old: dict[str, list[str]], new: dict[str, list[str]]
) -> tuple[str, list[str]]:
    """The revision with enum types and NOT NULL fills added; notes for what it cannot do."""
    notes: list[str] = []
    before, after = enum_types(old), enum_types(new)
    for name in sorted(set(before) & set(after)):
        if _values(before[name]) != _values(after[name]):
            notes.append(
                f"the values of enum type {name} changed: autogenerate does not see that; add "
                f"op.execute(\"ALTER TYPE {name} ADD VALUE '...'\") to the new revision by hand"
            )
    new_types = sorted(set(after) - set(before))
    upgrade, downgrade = _split(text)
    if upgrade is None or downgrade is None:
        return text, notes
    up_lines = text[upgrade[0] : upgrade[1]].splitlines(keepends=True)
    made_by_tables = _enums_in_create_tables("".join(up_lines))
    out: list[str] = []
    created: set[str] = set()
    for line in up_lines:
        match = ADD_COLUMN.match(line.rstrip("\n"))
        if match is None:
            out.append(line)
            continue
        indent = match.group("indent")
        for enum in ENUM_NAME.finditer(line):
            name = enum.group("name")
            if name in new_types and name not in made_by_tables and name not in created:
                created.add(name)
                out.append(
                    f"{indent}sa.Enum({enum.group('values')}, name={name!r})"
                    ".create(op.get_bind())\n"
                )
        out += _fill_not_null(line, match, layer, notes)
    upgrade_text = "".join(out)
    down_text = text[downgrade[0] : downgrade[1]].rstrip("\n") + "\n"
    indent = "    "
    for name in new_types:
        down_text += f"{indent}sa.Enum(name={name!r}).drop(op.get_bind(), checkfirst=True)\n"
    result = text[: upgrade[0]] + upgrade_text + text[upgrade[1] : downgrade[0]] + down_text
    return result + text[downgrade[1] :], notes


def _values(ddl_values: str) -> list[str]:
    return re.findall(r"""['"]([^'"]*)['"]""", ddl_values)


def _enums_in_create_tables(upgrade: str) -> set[str]:
    names: set[str] = set()
    for part in CREATE_TABLE.split(upgrade)[1:]:
        body = part.split("op.", 1)[0] if "\n    op." in part else part
        names |= {m.group("name") for m in ENUM_NAME.finditer(body)}
    return names


def _split(text: str) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """Character spans of the bodies of ``upgrade()`` and ``downgrade()``."""
    up = re.search(r"^def upgrade\(\) -> None:\n", text, re.M)
    down = re.search(r"^def downgrade\(\) -> None:\n", text, re.M)
    if up is None or down is None or down.start() < up.end():
        return None, None
    end_of_up = text.rfind("\n\n", up.end(), down.start())
    end_of_down = len(text)
    return (up.end(), end_of_up + 1 if end_of_up != -1 else down.start()), (down.end(), end_of_down)


def _fill_not_null(line: str, match: re.Match[str], layer: Layer, notes: list[str]) -> list[str]:
    rest = match.group("rest")
    if "nullable=False" not in rest or "server_default=" in rest:
        return [line]
    table, name = match.group("table"), match.group("column")
    column = _column(layer, table, name)
    literal = _sql_default(column) if column is not None else None
    if literal is None:
        notes.append(
            f"the new column {table}.{name} is NOT NULL without a default: adding it fails on a "
            "table that has rows; give it a default in the spec, or fill it in the revision"
        )
        return [line]
    indent = match.group("indent")
    filled = line.replace(
        "nullable=False", f"server_default=sa.text({literal!r}), nullable=False", 1
    )
    if column is not None and column.server_default_sql is not None:
        return [filled]  # the models declare this server default: it stays
    return [
        f"{indent}# Existing rows get the default, then the column is as the models declare it.\n",
        filled,
        f"{indent}op.alter_column({table!r}, {name!r}, server_default=None)\n",
    ]


def _column(layer: Layer, table: str, name: str) -> Column | None:
    for entity in layer.entities:
        if entity.table == table:
            return next((c for c in entity.columns if c.name == name), None)
    return None


def _sql_default(column: Column) -> str | None:
    """The SQL literal of a column's Python default, when it has one."""
    if column.server_default_sql is not None:
        return column.server_default_sql
    if column.kind == "timestamp" and not column.nullable:
        return "now()"
    code = column.default_value
    if code is None or code == "None":
        return None
    if code in ("True", "False"):
        return code.lower()
    if column.kind == "enum":
        return "'" + code.split(".")[-1] + "'"
    if code.startswith('Decimal("'):
        code = code[len('Decimal("') : -2]
    if code.startswith(("'", '"')):
        return "'" + code[1:-1].replace("'", "''") + "'"
    try:
        Decimal(code)
    except InvalidOperation:
        return None
    return code
