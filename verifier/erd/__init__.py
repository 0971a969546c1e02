"""Entity-relationship diagrams of a layer, from its spec or from its models.

One typed structure, ``Erd`` (tables, columns with PK/FK/UK markers, relations with their
cardinalities), is built either from an entity spec (``erd_from_spec``, no SQLAlchemy import)
or from the schema a sandboxed child reads off a target's models (``erd_from_schema_event``,
fed by ``verifier.erd.target.schema_of_target``), and drawn by ``to_mermaid``, ``to_dot`` and
``to_markdown``; ``verifier.erd.image`` turns DOT into SVG/PNG through Graphviz.

    from verifier.erd import erd_from_spec, to_mermaid
    print(to_mermaid(erd_from_spec(spec)))

Why not paracelsus (PyPI, MetaData -> Mermaid/DOT; evaluated at 0.15.0): it draws a live
SQLAlchemy ``MetaData`` that it imports in its own process, so it would import the target
outside the sandbox, could not draw a spec (or a schema sent up as JSON) at all, and would put
SQLAlchemy, typer and pydot on the spec path (``rda erd SPEC`` stays under 0.5 s without
them). What it taught is kept: Mermaid keys break on commas inside types (``numeric(10,2)``),
so types are written without them.
"""

from verifier.erd.build import erd_from_schema_event, erd_from_spec
from verifier.erd.draw import to_dot, to_markdown, to_mermaid
from verifier.erd.model import Erd, ErdColumn, ErdRelation, ErdTable

__all__ = [
    "Erd",
    "ErdColumn",
    "ErdRelation",
    "ErdTable",
    "erd_from_schema_event",
    "erd_from_spec",
    "to_dot",
    "to_markdown",
    "to_mermaid",
]
