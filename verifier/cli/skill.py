"""``rda skill check|package|assemble``: treat a skill package like code.

``check`` lints and runs every example of a skill and checks its frontmatter, links, lengths,
skill refs and evals; ``package`` writes the installable ``.skill`` zip; ``assemble`` writes the
capstone's files out as a project that ``rda verify`` can check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from verifier.report.render import FORMATS

DESCRIPTION = """\
check     frontmatter (Agent Skills spec), relative links and #anchors, references one level
          deep, SKILL.md body under 500 lines, a table of contents on files over 300 lines,
          every code example linted ('# expect: RDAxxx' examples must report exactly those
          codes, all others nothing), '# runnable' examples executed on a throwaway
          PostgreSQL, the '# layer: NAME' blocks of each reference (and the capstone)
          written out as projects and passed through rda verify, every other right-way
          Python block marked '# fragment', every verifier skill_ref resolving to a
          heading, evals/evals.json. --no-run skips running and verifying.
package   the .skill zip (no evals/, caches or bytecode).
assemble  the '# file:' examples of the capstone (or --layer NAME of --doc) written out
          as a project.
sync      the capstone's '# file:' examples refreshed from a project (the reference
          implementation), so the skill keeps teaching the code that passes rda verify.

Exit codes: 0 clean (or done), 1 findings, 2 usage or infrastructure error.
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "skill",
        help="check, package or assemble a Claude skill",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="skill_action", metavar="ACTION", required=True)

    check = actions.add_parser("check", help="check a skill folder like code")
    check.add_argument("skill", type=Path, metavar="DIR", help="the folder holding SKILL.md")
    check.add_argument(
        "--no-run", action="store_true", help="do not execute the '# runnable' examples"
    )
    check.add_argument(
        "--db",
        default="auto",
        metavar="auto|embedded|docker|URL",
        help="where the runnable examples' databases come from (default auto)",
    )
    check.add_argument(
        "--timeout", type=float, default=60.0, help="seconds one runnable example may take"
    )
    check.add_argument("--format", default="text", choices=FORMATS, help="report format")
    check.add_argument("--output", "-o", type=Path, default=None, help="write the report to FILE")
    check.set_defaults(handler=run_check)

    package = actions.add_parser("package", help="build the .skill zip")
    package.add_argument("skill", type=Path, metavar="DIR", help="the folder holding SKILL.md")
    package.add_argument(
        "--out",
        type=Path,
        default=None,
        help="a path ending in .skill, or a folder (default ./<name>.skill)",
    )
    package.set_defaults(handler=run_package)

    assemble = actions.add_parser("assemble", help="write the capstone's files as a project")
    assemble.add_argument("skill", type=Path, metavar="DIR", help="the folder holding SKILL.md")
    assemble.add_argument("--out", type=Path, required=True, help="a new (or empty) folder")
    assemble.add_argument(
        "--doc",
        default="references/capstone-task-api.md",
        help="the reference whose '# file:' examples make the project",
    )
    assemble.add_argument(
        "--layer",
        default=None,
        metavar="NAME",
        help="write the '# layer: NAME' blocks of --doc, with the files the check adds",
    )
    assemble.set_defaults(handler=run_assemble)

    sync = actions.add_parser(
        "sync", help="refresh the capstone's '# file:' examples from a project's files"
    )
    sync.add_argument("skill", type=Path, metavar="DIR", help="the folder holding SKILL.md")
    sync.add_argument(
        "--from",
        dest="project",
        type=Path,
        required=True,
        metavar="PROJECT",
        help="the project whose files the examples teach (e.g. reference_impl)",
    )
    sync.add_argument(
        "--doc",
        default="references/capstone-task-api.md",
        help="the reference whose '# file:' examples are refreshed",
    )
    sync.set_defaults(handler=run_sync)


def run_check(args: argparse.Namespace) -> int:
    from verifier.report.output import check_output, write_output
    from verifier.report.render import render
    from verifier.skill.check import check_skill

    check_output(args.output)
    report = check_skill(args.skill, db=args.db, run=not args.no_run, timeout=args.timeout)
    text = render(report, args.format)
    if args.output is not None:
        write_output(args.output, text)
    else:
        sys.stdout.write(text)
    return report.exit_code


def run_package(args: argparse.Namespace) -> int:
    from verifier.skill.package import package_skill

    target = package_skill(args.skill, args.out)
    print(f"rda skill package: wrote {target}")
    return 0


def run_assemble(args: argparse.Namespace) -> int:
    from verifier.skill.assemble import assemble_project

    written = assemble_project(args.skill, args.out, args.doc, args.layer)
    print(f"rda skill assemble: wrote {len(written)} files under {args.out}")
    for path in written:
        print(f"  {path.relative_to(args.out)}")
    return 0


def run_sync(args: argparse.Namespace) -> int:
    from verifier.skill.sync import sync_examples

    changed = sync_examples(args.skill, args.project, args.doc)
    if not changed:
        print(f"rda skill sync: {args.doc} already teaches {args.project}'s files")
    for name in changed:
        print(f"rda skill sync: updated {name}")
    return 0
