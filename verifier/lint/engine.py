"""The AST pass: turn sources into contexts, run the enabled rules, honour ``# noqa``.

One place decides what kind of file a path is, builds the shared project index over all the
files of a run, and runs every enabled rule on every file. A rule that raises is reported as a
note and skipped: a bug in one rule must not hide the findings of the others.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable, Iterable

from verifier.findings import Finding
from verifier.lint.kinds import ALEMBIC_INI, MAKO, PYTHON, file_kind
from verifier.lint.noqa import parse_suppressions
from verifier.lint.reading import SourceFile, parse_python
from verifier.rules.analysis.context import FileContext
from verifier.rules.analysis.indexing import build_index
from verifier.rules.analysis.project import ProjectIndex
from verifier.rules.base import Rule, Violation

__all__ = [
    "ALEMBIC_INI",
    "MAKO",
    "PYTHON",
    "AstPass",
    "build_contexts",
    "default_jobs",
    "file_kind",
    "run_rules",
]


class AstPass:
    """Results of linting a set of sources with the RDA rules (``problems``: RDA000, the
    unreadable and unparsable files). Not a dataclass: see ``verifier.findings``."""

    __slots__ = ("contexts", "notes", "problems", "violations")

    def __init__(
        self,
        violations: list[Violation] | None = None,
        problems: list[Finding] | None = None,
        notes: list[str] | None = None,
        contexts: list[FileContext] | None = None,
    ) -> None:
        self.violations: list[Violation] = [] if violations is None else violations
        self.problems: list[Finding] = [] if problems is None else problems
        self.notes: list[str] = [] if notes is None else notes
        self.contexts: list[FileContext] = [] if contexts is None else contexts


def build_contexts(
    sources: Iterable[SourceFile], context_only: Iterable[SourceFile] = ()
) -> tuple[list[FileContext], list[Finding], ProjectIndex]:
    """Parse ``sources`` (findings for bad ones) and index them plus ``context_only`` files."""
    contexts: list[FileContext] = []
    problems: list[Finding] = []
    for source in sources:
        if source.text is None:
            if source.problem is not None:
                problems.append(source.problem)
            continue
        kind = file_kind(source.path)
        if kind != PYTHON:
            contexts.append(FileContext(path=source.path, source=source.text, kind=kind))
            continue
        tree = parse_python(source.text, source.path)
        if isinstance(tree, Finding):
            problems.append(tree)
            continue
        contexts.append(FileContext.from_tree(source.path, source.text, tree))
    extra: list[FileContext] = []
    for source in context_only:
        if source.text is None or file_kind(source.path) != PYTHON:
            continue
        tree = parse_python(source.text, source.path)
        if isinstance(tree, ast.Module):
            extra.append(FileContext.from_tree(source.path, source.text, tree))
    index = build_index([c for c in contexts if c.tree is not None] + extra)
    for ctx in contexts:
        ctx.index = index
    return contexts, problems, index


# Below this many files a second process costs more than it saves.
PARALLEL_MIN_FILES = 48


def default_jobs(files: int) -> int:
    """Processes for the rule pass: one per CPU (at most 4) for large runs.

    Only from a single-threaded process: forking one with threads (an embedding program's
    thread pool) can deadlock the child.
    """
    import threading

    if files < PARALLEL_MIN_FILES or not hasattr(os, "fork") or threading.active_count() > 1:
        return 1
    return max(1, min(4, os.cpu_count() or 1))


def run_rules(
    contexts: Iterable[FileContext],
    rules: Iterable[Rule],
    enabled: Callable[[str, str], bool] | None = None,
    jobs: int = 1,
) -> AstPass:
    """Run ``rules`` over ``contexts``; ``enabled(code, path)`` filters per file.

    With ``jobs > 1`` the files are shared out between this process and forked copies of it
    (``forked.run_claimed``: each takes the next file when done), which inherit the parsed
    trees and the project index and send back only their findings, in the order of the files.
    """
    contexts = list(contexts)
    rules = list(rules)
    if jobs <= 1 or len(contexts) < 2 or not hasattr(os, "fork"):
        return _run_serial(contexts, rules, enabled)
    from verifier.lint.forked import run_claimed

    def one_file(index: int) -> tuple[list[Violation], list[str]]:
        found = _run_serial([contexts[index]], rules, enabled)
        return found.violations, found.notes

    result = AstPass(contexts=contexts)
    for violations, notes in run_claimed(one_file, len(contexts), min(jobs, len(contexts))):
        result.violations.extend(violations)
        result.notes.extend(notes)
    return result


def _run_serial(
    contexts: list[FileContext],
    rules: list[Rule],
    enabled: Callable[[str, str], bool] | None,
) -> AstPass:
    result = AstPass()
    for ctx in contexts:
        result.contexts.append(ctx)
        suppressions = parse_suppressions(ctx.source) if ctx.kind == PYTHON else None
        for rule in rules:
            if ctx.kind not in rule.kinds:
                continue
            if ctx.is_test and not rule.applies_to_tests:
                continue
            if enabled is not None and not enabled(rule.code, ctx.path):
                continue
            try:
                found = list(rule.check(ctx))
            except Exception as exc:  # a rule bug must not hide other findings
                result.notes.append(
                    f"internal error: rule {rule.code} failed on {ctx.path}: "
                    f"{type(exc).__name__}: {exc}"
                )
                continue
            for violation in found:
                finding = violation.finding
                if suppressions and suppressions.suppressed(finding.code, finding.line):
                    continue
                result.violations.append(violation)
    return result
