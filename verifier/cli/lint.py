"""``rda lint``: the static stage (ruff's curated rules plus the RDA catalogue)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from verifier.report.output import add_fail_on, check_output, exit_code, write_output

FORMATS = ("text", "json", "sarif", "junit", "github")


def _codes(value: str) -> list[str]:
    return [c.strip().upper() for c in value.split(",") if c.strip()]


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return number


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "lint",
        help="static checks: ruff's curated rules plus the RDA rules (no database)",
        description=(
            "Lint async SQLModel/SQLAlchemy database code without running it: ruff's curated "
            "selection (F, E9, B, ASYNC, DTZ, S608, ...) and the RDA rule catalogue "
            "('rda rules'). Configure under [tool.rda.lint] in pyproject.toml."
        ),
        epilog="Exit codes: 0 no error-level findings, 1 findings, 2 usage error.",
    )
    parser.add_argument("paths", nargs="*", type=Path, help="files or directories (default: .)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    parser.add_argument("-o", "--output", type=Path, help="write the report to this file")
    add_fail_on(parser)
    parser.add_argument("--fix", action="store_true", help="apply the unambiguous fixes in place")
    parser.add_argument("--select", type=_codes, help="comma-separated codes/prefixes to report")
    parser.add_argument(
        "--extend-select", type=_codes, default=[], help="codes/prefixes to add to the selection"
    )
    parser.add_argument("--ignore", type=_codes, default=[], help="codes/prefixes to leave out")
    parser.add_argument("--no-ruff", action="store_true", help="run only the RDA rules")
    parser.add_argument("--config", type=Path, help="pyproject.toml or rda.toml to read")
    parser.add_argument(
        "--jobs",
        type=_positive,
        help="processes that parse and check the files (default: one per CPU, up to 4, "
        "for 16+ files)",
    )
    parser.add_argument(
        "--claude-hook",
        action="store_true",
        help="read a Claude Code PostToolUse JSON on stdin and lint the file it names "
        "(exit 2 with findings on stderr)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # The whole command runs with the cyclic collector paused, its imports included: like the
    # lint run itself they only build objects that live until the process ends, and the
    # collections they triggered walked them for nothing (``verifier.lint.collector``).
    from verifier.lint.collector import collector_paused

    with collector_paused():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    if args.claude_hook:
        from verifier.errors import UsageError
        from verifier.lint.hook import run_hook

        if args.paths:
            raise UsageError("--claude-hook takes the file from the hook JSON on stdin, not paths")
        return run_hook(sys.stdin, sys.stderr)
    from verifier.lint.config import load_config_file
    from verifier.lint.runner import Options, lint_paths
    from verifier.report.render import render

    config = load_config_file(args.config) if args.config else None
    options = Options(
        select=args.select,
        extend_select=args.extend_select,
        ignore=args.ignore,
        fix=args.fix,
        ruff=False if args.no_ruff else None,
        jobs=args.jobs,
    )
    check_output(args.output)
    report = lint_paths(args.paths, config, fix=args.fix, options=options)
    text = render(report, args.format)
    if args.output:
        write_output(args.output, text)
    else:
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
    return exit_code(report.findings, args.fail_on)
