"""``rda render SPEC --out DIR``: render an entity spec into a verified async database layer."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DESCRIPTION = """\
Render a YAML entity spec into an async database layer: SQLModel models (one module per
entity), the engine/session module, CRUD with eager loading and domain errors, async Alembic
(env.py, script.py.mako, the initial migration), pytest tests on the rda fixtures and the
[tool.rda] manifest. The output passes 'rda verify DIR'.

Render again after editing the spec: files you did not touch are updated, files you edited
are kept and reported as conflicts (--force overwrites them), and when the tables changed a
NEW Alembic revision is written by 'alembic revision --autogenerate' against a throwaway
database upgraded to the current head (existing revisions are never rewritten). What was
rendered is recorded in DIR/.rda-render.json.

The spec format: templates/spec.schema.json (JSON Schema, for editors); examples:
templates/examples/. Exit codes: 0 rendered, 1 conflicts (the rest was written), 2 a bad spec
(every problem with its line; nothing written) or usage error.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "render",
        help="render an entity spec (YAML) into a database layer",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("spec", metavar="SPEC", nargs="?", help="the YAML entity spec")
    parser.add_argument("--out", metavar="DIR", help="the layer's folder (required with SPEC)")
    parser.add_argument(
        "--schema",
        action="store_true",
        help="print the spec format's JSON Schema (templates/spec.schema.json) and exit",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="list what would be written; write nothing"
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite files edited since they were rendered"
    )
    parser.add_argument(
        "--db",
        default="auto",
        metavar="DB",
        help="where the throwaway database for a new revision comes from: auto (default), "
        "embedded, docker or a postgresql:// URL (as rda verify --db)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from verifier.errors import UsageError

    if args.schema:
        from verifier.render.schema_json import spec_json_schema

        sys.stdout.write(spec_json_schema())
        return 0
    if not args.spec or not args.out:
        raise UsageError("rda render needs SPEC and --out DIR", "rda render spec.yaml --out app/")
    from verifier.render.run import render

    def progress(line: str) -> None:
        print(f"rda: {line}", file=sys.stderr, flush=True)

    result = render(
        Path(args.spec),
        Path(args.out),
        dry_run=args.dry_run,
        force=args.force,
        db=args.db,
        progress=None if args.quiet else progress,
    )
    if args.dry_run:
        for action in result.plan.actions:
            if action.status not in ("unchanged", "history"):
                reason = f" ({action.reason})" if action.reason else ""
                print(f"{_verb(action.status):<10} {action.path}{reason}")
        if result.revision_message is not None:
            print(f"{'revision':<10} alembic/versions/ (autogenerate: {result.revision_message})")
        if not any(a.status not in ("unchanged", "history") for a in result.plan.actions) and (
            result.revision_message is None
        ):
            print("nothing to do: the layer is up to date")
        return 1 if result.conflicts else 0
    for note in result.notes:
        print(f"rda: {note}", file=sys.stderr)
    for action in result.conflicts:
        print(
            f"conflict: {action.path} {action.reason}; kept as it is "
            "(render with --force to overwrite it)"
        )
    return 1 if result.conflicts else 0


def _verb(status: str) -> str:
    return {
        "create": "create",
        "update": "update",
        "conflict": "conflict",
        "remove": "remove",
        "history": "keep",
    }.get(status, status)
