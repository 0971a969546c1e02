"""``rda reflect``: map what failed to the skill section that should have prevented it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

DESCRIPTION = """\
Read an rda verify JSON report (rda verify --format json) or an rda eval benchmark.json, and
for each failure, most frequent first: what failed and where, the skill section its skill_ref
points at, whether that section teaches the fix (the sentence quoted, or 'no'), and the edit
to propose (the text to add, and where). Markdown, for a person or for Claude.

--append also writes a dated entry to the skill's REFLECTION.md, in the format that file
documents. Exit codes: 0 done, 2 usage error.
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "reflect",
        help="turn a report's or a benchmark's failures into proposed skill edits",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "source", type=Path, metavar="REPORT.json|BENCHMARK.json", help="what to reflect on"
    )
    parser.add_argument(
        "--skill", type=Path, required=True, metavar="DIR", help="the skill folder (SKILL.md)"
    )
    parser.add_argument(
        "--warnings", action="store_true", help="also reflect on warning-level findings"
    )
    parser.add_argument(
        "--append", action="store_true", help="append a dated entry to the skill's REFLECTION.md"
    )
    parser.add_argument(
        "--output", "-o", type=Path, default=None, help="write the Markdown to FILE"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import sys
    from datetime import datetime

    from verifier.errors import UsageError
    from verifier.reflect.failures import load_failures
    from verifier.reflect.log import append_entry, reflection_entry
    from verifier.reflect.proposal import lessons_for
    from verifier.reflect.render import render_reflection
    from verifier.reflect.sections import SkillSections
    from verifier.report.output import check_output, write_output

    if not (args.skill / "SKILL.md").is_file():
        raise UsageError(f"{args.skill} holds no SKILL.md", "give the skill folder")
    check_output(args.output)
    kind, failures = load_failures(args.source, args.warnings)
    sections = SkillSections(args.skill)
    lessons = [lessons_for(failure, sections) for failure in failures]
    text = render_reflection(str(args.source), kind, lessons)
    if args.output:
        write_output(args.output, text)
    else:
        sys.stdout.write(text)
    if args.append and lessons:
        today = datetime.now().astimezone().date()  # the writer's calendar day
        path = append_entry(args.skill, reflection_entry(str(args.source), lessons, today))
        print(f"rda: appended an entry to {path}", file=sys.stderr)
    return 0
