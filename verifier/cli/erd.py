"""``rda erd SPEC|TARGET``: the entity-relationship diagram of a spec or of a layer's models."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DESCRIPTION = """\
Draw the entity-relationship diagram of an entity spec (a .yaml/.yml file, read without
importing anything) or of a layer's models (a folder: its models are imported only inside the
sandbox, as 'rda verify' does). Columns carry PK/FK/UK markers; relations carry their
cardinalities (exactly one / zero or one on the referenced side, zero or more, or zero or one
for a unique key, on the referring side). A many-to-many shows as its link table.

--format mermaid (default: a Mermaid erDiagram), dot (Graphviz), markdown (the Mermaid diagram
in a fenced block, then a table per table). --svg FILE / --png FILE draw it through Graphviz's
'dot' program (apt-get install graphviz). Exit codes: 0 drawn, 2 a bad spec, a target whose
models do not import, or Graphviz missing for --svg/--png.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "erd",
        help="draw the ERD of a spec or of a layer's models (Mermaid, DOT, SVG, PNG)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("source", metavar="SPEC|TARGET", help="a YAML spec, or a layer's folder")
    parser.add_argument(
        "--format",
        choices=("mermaid", "dot", "markdown"),
        default="mermaid",
        help="the text printed (default: mermaid)",
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write the text here, not stdout")
    parser.add_argument("--svg", metavar="FILE", help="also draw it as SVG (needs Graphviz)")
    parser.add_argument("--png", metavar="FILE", help="also draw it as PNG (needs Graphviz)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from verifier.erd import to_dot, to_markdown, to_mermaid
    from verifier.errors import UsageError

    source = Path(args.source)
    if not source.exists():
        raise UsageError(f"no spec or target at {source}", "give a .yaml spec or a layer's folder")
    if args.svg or args.png:
        from verifier.erd.image import dot_binary

        dot_binary()  # say that Graphviz is missing before any work
    erd = _erd(source)
    text = {"mermaid": to_mermaid, "dot": to_dot, "markdown": to_markdown}[args.format](erd)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror}") from None
    elif not (args.svg or args.png):
        sys.stdout.write(text)
    for image_format, target in (("svg", args.svg), ("png", args.png)):
        if target:
            from verifier.erd.image import render_image

            render_image(to_dot(erd), Path(target), image_format)
            print(f"rda: wrote {target}", file=sys.stderr)
    return 0


def _erd(source: Path):  # -> Erd (imported lazily)
    if source.is_file():
        from verifier.erd import erd_from_spec
        from verifier.render.load import load_spec

        return erd_from_spec(load_spec(source))
    from verifier.erd import erd_from_schema_event
    from verifier.erd.target import schema_of_target

    return erd_from_schema_event(schema_of_target(source))
