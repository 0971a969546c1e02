"""Draw an ``Erd`` as Mermaid ``erDiagram``, Graphviz DOT, or Markdown (Mermaid plus tables).

Mermaid marks keys ``PK``, ``FK``, ``UK`` (several joined by commas, which is why column types
never contain one: ``numeric``, not ``numeric(12,2)``) and draws cardinalities with its crow's
foot pairs: ``||`` exactly one, ``|o`` zero or one, ``o{`` zero or more. DOT draws the same with
``arrowhead``/``arrowtail`` shapes (``tee``, ``odot``, ``crow``) on HTML-like table nodes.
"""

from __future__ import annotations

from verifier.erd.model import Erd, ErdColumn, ErdRelation

MERMAID_PARENT = {True: "||", False: "|o"}  # required -> exactly one, else zero or one
MERMAID_CHILD = {True: "o|", False: "o{"}  # one-to-one -> zero or one, else zero or more


def _mermaid_type(column: ErdColumn) -> str:
    kind = column.type.replace(",", "-").replace(" ", "_")
    return "".join(ch for ch in kind if ch.isalnum() or ch in "_-()[]") or "unknown"


def _mermaid_name(name: str) -> str:
    return name if name.replace("_", "").isalnum() else f'"{name}"'


def to_mermaid(erd: Erd) -> str:
    lines = ["erDiagram"]
    for table in erd.tables:
        lines.append(f"    {_mermaid_name(table.name)} {{")
        for column in table.columns:
            keys = ", ".join(column.markers)
            comment = ' "nullable"' if column.nullable else ""
            lines.append(
                f"        {_mermaid_type(column)} {column.name}"
                + (f" {keys}" if keys else "")
                + comment
            )
        lines.append("    }")
    for relation in erd.relations:
        lines.append(
            f"    {_mermaid_name(relation.parent)} "
            f"{MERMAID_PARENT[relation.required]}--{MERMAID_CHILD[relation.one_to_one]} "
            f'{_mermaid_name(relation.child)} : "{_label(relation)}"'
        )
    return "\n".join(lines) + "\n"


def _label(relation: ErdRelation) -> str:
    return (relation.label or ", ".join(relation.columns)).replace('"', "'")


DOT_PARENT = {True: "teetee", False: "teeodot"}
DOT_CHILD = {True: "teeodot", False: "crowodot"}


def to_dot(erd: Erd) -> str:
    from html import escape  # the DOT labels only: Mermaid and Markdown never need it

    lines = [
        f"digraph {_dot_id(erd.title or 'erd')} {{",
        "    graph [rankdir=LR, fontname=Helvetica, fontsize=11, nodesep=0.5, ranksep=1.0];",
        "    node [shape=plain, fontname=Helvetica, fontsize=10];",
        '    edge [fontname=Helvetica, fontsize=9, dir=both, color="#555555"];',
    ]
    for table in erd.tables:
        rows = [f'<tr><td bgcolor="#dbe8f5" colspan="3"><b>{escape(table.name)}</b></td></tr>']
        for column in table.columns:
            name = escape(column.name)
            if column.primary_key:
                name = f"<u>{name}</u>"
            type_text = escape(column.type) + ("?" if column.nullable else "")
            rows.append(
                f'<tr><td align="left" port="{escape(column.name)}">{name}</td>'
                f'<td align="left">{type_text}</td>'
                f'<td align="left">{" ".join(column.markers)}</td></tr>'
            )
        for group in table.unique_groups:
            rows.append(
                f'<tr><td align="left" colspan="3"><i>UK ({escape(", ".join(group))})</i></td></tr>'
            )
        body = "".join(rows)
        lines.append(
            f'    {_dot_id(table.name)} [label=<<table border="0" cellborder="1" '
            f'cellspacing="0" cellpadding="4">{body}</table>>];'
        )
    for relation in erd.relations:
        parent = erd.table(relation.parent)
        referred = [c.name for c in parent.columns if c.primary_key] if parent else []
        head = f":{_dot_id(referred[0])}" if len(referred) == 1 else ""
        lines.append(
            f"    {_dot_id(relation.child)}:{_dot_id(relation.columns[0])} -> "
            f"{_dot_id(relation.parent)}{head} "
            f"[arrowhead={DOT_PARENT[relation.required]}, "
            f"arrowtail={DOT_CHILD[relation.one_to_one]}, "
            f'label="{_label(relation)}"];'
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_id(name: str) -> str:
    return '"' + name.replace('"', '\\"') + '"'


def to_markdown(erd: Erd) -> str:
    """A Markdown section: the Mermaid diagram (GitHub renders it), then a table per table."""
    parts = [f"## {erd.title}: entity-relationship diagram", "", "```mermaid", to_mermaid(erd)]
    parts[-1] = parts[-1].rstrip("\n")
    parts += ["```", ""]
    for table in erd.tables:
        parts += [f"### `{table.name}`", "", "| column | type | null | keys |", "|---|---|---|---|"]
        for column in table.columns:
            refers = f" → `{column.foreign_key}`" if column.foreign_key else ""
            parts.append(
                f"| `{column.name}` | {column.type} | {'yes' if column.nullable else 'no'} | "
                f"{', '.join(column.markers)}{refers} |"
            )
        for group in table.unique_groups:
            parts.append(f"| ({', '.join(group)}) | | | UK |")
        parts.append("")
    return "\n".join(parts)
