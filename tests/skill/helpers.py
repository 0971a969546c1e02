"""Helpers for the skill checks: copies of the real skills to break, and a shared linter.

Breaking a copy of the real skill (not a toy) proves each check on the content it guards. The
linter is the real one (``verifier.lint.lint_source``), memoised for the session: a broken copy
differs from the original in one place, so every other example is linted once in all.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from verifier.findings import Finding
from verifier.report.model import Report
from verifier.skill.check import check_skill

ROOT = Path(__file__).resolve().parents[2]
SKILL = ROOT / "skills" / "relational-db-agent"
EXPERTISE = ROOT / ".claude" / "skills" / "building-with-sqlmodel-async"
REFERENCE = ROOT / "reference_impl"


@cache
def _lint(source: str, filename: str) -> tuple[Finding, ...]:
    from verifier.lint import lint_source

    return tuple(lint_source(source, filename))


def cached_lint(source: str, filename: str) -> Sequence[Finding]:
    return _lint(source, filename)


def copy_skill(source: Path, dest_parent: Path, name: str | None = None) -> Path:
    dest = dest_parent / (name or source.resolve().name)
    shutil.copytree(source.resolve(), dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def replace_in(path: Path, old: str, new: str) -> None:
    """Replace ``old`` once in ``path``; fail loudly if the content moved on."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is no longer in {path.name}: update the test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def static_check(path: Path) -> Report:
    """Everything but running the runnable examples (that has tests of its own)."""
    return check_skill(path, lint=cached_lint, run=False)


def findings(report: Report, code: str) -> list[Finding]:
    return [f for f in report.findings if f.code == code]
