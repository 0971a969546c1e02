"""``rda verify``: run the stages on one or more targets and report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from verifier.report.output import add_fail_on

FORMATS = ("text", "json", "sarif", "junit", "github", "html")
STAGES = ("static", "import", "schema", "behavior", "migrations")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="lint and execute a database layer against a throwaway PostgreSQL",
        description=(
            "Verify an async SQLModel database layer: static rules, then import, schema, "
            "behaviour (the taskapi contract) and migrations, run in a sandbox against "
            "throwaway PostgreSQL databases. The layout comes from [tool.rda] in the target's "
            "pyproject.toml (or rda.toml), else it is discovered and the report says what was "
            "assumed."
        ),
        epilog=(
            "Sandbox: the target's code runs only in child processes, each with its own copy of "
            "the target, a scrubbed environment, rlimits and timeouts, an audit hook that "
            "refuses network connections and process spawns, and a database role that owns its "
            "throwaway database and nothing else. Where bubblewrap (bwrap) works, the children "
            "also see the system read-only, no home directory, a private /tmp and no network "
            "(the database is reached over its unix socket), and run as uid 65534 when rda runs "
            "as root; without it the report says 'sandbox: audit-hook only' "
            "(RDA_SANDBOX=audit-hook forces that). "
            "Exit codes: 0 no finding at --fail-on's level, 1 findings, 2 usage, infrastructure "
            "or internal error, 130 interrupted."
        ),
    )
    parser.add_argument(
        "targets",
        nargs="*",
        default=[Path(".")],
        metavar="TARGET",
        type=Path,
        help="project directory (default: the current directory; several with --jobs)",
    )
    parser.add_argument(
        "--db",
        default="auto",
        metavar="auto|embedded|docker|URL",
        help="where databases come from (default auto: $RDA_DATABASE_URL, else "
        "the embedded PostgreSQL, else docker)",
    )
    parser.add_argument(
        "--stages",
        default=",".join(STAGES),
        metavar="LIST",
        help=f"comma-separated stages to run (default all: {','.join(STAGES)})",
    )
    parser.add_argument(
        "--contract",
        default=None,
        metavar="auto|taskapi|none|PATH",
        help="the contract to run beside the generic behaviour checks (default: the manifest's, "
        "else auto = taskapi when the layer is the Task API, else none): taskapi, none, or the "
        "path of your own pytest file, whose fixtures are rda_database_url, rda_engine, "
        "rda_session, rda_statement_counter (as under plain pytest) and rda_target_modules, "
        "rda_target_engine, rda_target_session (the target's own; README 'Your own contract')",
    )
    parser.add_argument("--format", default="text", choices=FORMATS, help="report format")
    parser.add_argument(
        "--output", "-o", type=Path, default=None, help="write the report to FILE instead of stdout"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        help="seconds the target's code may run in all (default 120)",
    )
    parser.add_argument(
        "--check-timeout",
        type=float,
        default=20.0,
        help="seconds one contract check may take (default 20)",
    )
    parser.add_argument(
        "--import-timeout",
        type=float,
        default=30.0,
        metavar="S",
        help="seconds the import of the target may take before it is reported (default 30)",
    )
    add_fail_on(parser)
    parser.add_argument(
        "--memory",
        type=int,
        default=2048,
        metavar="MB",
        help="address-space limit of the sandboxed child (default 2048)",
    )
    parser.add_argument(
        "--jobs", "-j", type=int, default=1, help="verify several targets in parallel on one server"
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    parser.set_defaults(handler=run)


def parse_stages(value: str) -> tuple[str, ...]:
    from verifier.errors import UsageError

    chosen = tuple(s.strip() for s in value.split(",") if s.strip())
    unknown = [s for s in chosen if s not in STAGES]
    if unknown or not chosen:
        raise UsageError(
            f"unknown stage(s) {', '.join(unknown) or '(none given)'}",
            f"choose from {','.join(STAGES)}",
        )
    return tuple(s for s in STAGES if s in chosen)


def run(args: argparse.Namespace) -> int:
    from verifier.verify.command import verify

    return verify(args, parse_stages(args.stages), out=sys.stdout, err=sys.stderr)
