"""The AST pass: turn sources into contexts, run the enabled rules, honour ``# noqa``.

One place decides what kind of file a path is, builds the shared project index over all the
files of a run, and runs every enabled rule on every file. A rule that raises is reported as a
note and skipped: a bug in one rule must not hide the findings of the others.

A large run shares its files out between this process and forked copies of it (``check``):
each parses, reads and checks its own share, and they exchange only the facts the project
index is built from (``indexing``), so every process holds the same index and the findings
are the ones a single process gives, in the same order.
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
from verifier.rules.analysis.indexing import build_index, index_files
from verifier.rules.analysis.project import ProjectIndex
from verifier.rules.base import Rule, Violation

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from verifier.lint.forked import Gather

__all__ = [
    "ALEMBIC_INI",
    "MAKO",
    "PYTHON",
    "AstPass",
    "build_contexts",
    "check",
    "default_jobs",
    "file_kind",
    "run_rules",
]


class AstPass:
    """Results of linting a set of sources with the RDA rules (``problems``: RDA000, the
    unreadable and unparsable files). ``contexts``: the files this process parsed; another
    process's (``elsewhere``) is parsed again when ``context_of`` asks for it, with the
    run's index. Not a dataclass: see ``verifier.findings``."""

    __slots__ = ("_by_path", "contexts", "elsewhere", "index", "notes", "problems", "violations")

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
        self.elsewhere: dict[str, SourceFile] = {}
        self.index: ProjectIndex | None = None
        self._by_path: dict[str, FileContext] | None = None

    def context_of(self, path: str) -> FileContext | None:
        """The parsed context of the Python file ``path`` of this pass, or None."""
        if self._by_path is None:
            self._by_path = {ctx.path: ctx for ctx in self.contexts if ctx.tree is not None}
        found = self._by_path.get(path)
        source = self.elsewhere.pop(path, None) if found is None else None
        if source is None or source.text is None:
            return found
        tree = parse_python(source.text, source.path)
        if isinstance(tree, Finding):
            return None
        found = self._by_path[path] = FileContext.from_tree(source.path, source.text, tree)
        found.index = self.index
        return found


def build_contexts(
    sources: Iterable[SourceFile], context_only: Iterable[SourceFile] = ()
) -> tuple[list[FileContext], list[Finding], ProjectIndex]:
    """Parse ``sources`` (findings for bad ones) and index them plus ``context_only`` files."""
    contexts: list[FileContext] = []
    problems: list[Finding] = []
    for source in sources:
        made = _context(source)
        if isinstance(made, FileContext):
            contexts.append(made)
        elif made is not None:
            problems.append(made)
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


def _context(source: SourceFile) -> FileContext | Finding | None:
    """The context of one source, its RDA000 finding, or None for an unreadable one."""
    if source.text is None:
        return source.problem
    kind = file_kind(source.path)
    if kind != PYTHON:
        return FileContext(path=source.path, source=source.text, kind=kind)
    tree = parse_python(source.text, source.path)
    if isinstance(tree, Finding):
        return tree
    return FileContext.from_tree(source.path, source.text, tree)


# Below this many files a second process costs more than it saves (copies of the bench's
# generated-layer file, interleaved runs, median wall --jobs 2 / --jobs 1: 10 files 0.96,
# 20 files 0.83, 40 files 0.76).
PARALLEL_MIN_FILES = 16


def default_jobs(files: int) -> int:
    """Processes for the AST pass: one per CPU (at most 4) for large runs.

    Only from a single-threaded process: forking one with threads (an embedding program's
    thread pool) can deadlock the child.
    """
    import threading

    if files < PARALLEL_MIN_FILES or not hasattr(os, "fork") or threading.active_count() > 1:
        return 1
    return max(1, min(4, os.cpu_count() or 1))


def check(
    sources: Iterable[SourceFile],
    rules: Iterable[Rule],
    enabled: Callable[[str, str], bool] | None = None,
    *,
    context_only: Iterable[SourceFile] = (),
    jobs: int = 1,
) -> AstPass:
    """Parse ``sources``, index them with ``context_only``, run ``rules`` over them.

    With ``jobs > 1`` the files are shared out between this process and forked copies of it
    (``forked.run_together``), each taking the next file, largest first, when free
    (``forked.Claims``): each parses and checks the files it took and sends back their
    findings; the project index is built from the facts each sends of its files.
    """
    sources, rules = list(sources), list(rules)
    if jobs <= 1 or len(sources) < 2 or not hasattr(os, "fork"):
        contexts, problems, _ = build_contexts(sources, context_only)
        result = run_rules(contexts, rules, enabled)
        result.problems = problems
        return result
    return _check_forked(sources, list(context_only), rules, enabled, min(jobs, len(sources)))


def _check_forked(
    sources: list[SourceFile],
    context_only: list[SourceFile],
    rules: list[Rule],
    enabled: Callable[[str, str], bool] | None,
    parts: int,
) -> AstPass:
    from verifier.lint.forked import Claims, run_together

    linted = len(sources)
    everything = [*sources, *context_only]  # a file's position: its place in this list
    sizes = [len(s.text or "") for s in everything]
    here = AstPass()

    def work(part: int, gather: Gather) -> tuple[list[tuple[int, Any]], list[Any]]:
        mine: list[tuple[int, FileContext]] = []
        problems: list[tuple[int, Finding]] = []
        for pos in claims.take():
            made = _context(everything[pos])
            if isinstance(made, FileContext):
                mine.append((pos, made))
            elif made is not None and pos < linted:
                problems.append((pos, made))

        def share(facts: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
            return sorted((pair for each in gather(facts) for pair in each), key=_first)

        mine.sort(key=_first)
        index = index_files([(pos, ctx) for pos, ctx in mine if ctx.tree is not None], share)
        found = []
        for pos, ctx in mine:
            ctx.index = index
            if pos < linted:
                one = _run_serial([ctx], rules, enabled)
                found.append((pos, one.violations, one.notes))
        if part == 0:
            here.contexts = [ctx for pos, ctx in mine if pos < linted]
            here.index = index
        return problems, found

    problems: list[tuple[int, Finding]] = []
    found: list[tuple[int, list[Violation], list[str]]] = []
    with Claims(sorted(range(len(everything)), key=lambda pos: -sizes[pos])) as claims:
        done = run_together(work, parts)
    for part_problems, part_found in done:
        problems += part_problems
        found += part_found
    here.problems = [finding for _, finding in sorted(problems, key=_first)]
    for _, violations, notes in sorted(found, key=_first):
        here.violations += violations
        here.notes += notes
    mine = {ctx.path for ctx in here.contexts}
    here.elsewhere = {
        s.path: s
        for s in sources
        if s.path not in mine and s.text is not None and file_kind(s.path) == PYTHON
    }
    return here


def _first(pair: tuple[int, Any]) -> int:
    return pair[0]


def run_rules(
    contexts: Iterable[FileContext],
    rules: Iterable[Rule],
    enabled: Callable[[str, str], bool] | None = None,
) -> AstPass:
    """Run ``rules`` over ``contexts`` in this process; ``enabled(code, path)`` filters per
    file."""
    return _run_serial(list(contexts), list(rules), enabled)


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
