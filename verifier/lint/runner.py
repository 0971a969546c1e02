"""``rda lint``'s work: discover, read, run the RDA rules and ruff, merge into one Report.

Order of a run: resolve the configuration and selection; discover files; read and parse them
(bad files become RDA000); index the models of every file (plus, for files named one by one,
their neighbours, so ``crud.py`` linted alone still knows ``models.py``); run the rules; run
ruff once over all Python files (in parallel with the rules) and drop the findings the code
contradicts (``ruff_filters``); drop ruff findings that an RDA finding on the same line
supersedes, and ruff's syntax errors for files RDA000 already reports; apply
``per-file-ignores``.

With ``--fix``, rounds of: lint with both, apply the RDA fixes and ruff's safe fixes that
``ruff_filters`` does not withhold, write the files; until nothing changes (bounded). The
report's notes say how many fixes were applied (by code) and which fixable findings remain.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from verifier import __version__
from verifier.findings import Finding
from verifier.lint.collector import collector_paused
from verifier.lint.config import LintConfig, default_target_version, find_config
from verifier.lint.discovery import discover
from verifier.lint.heap import heap_kept
from verifier.lint.kinds import PYTHON, file_kind
from verifier.lint.reading import SourceFile, decode_source, read_source
from verifier.lint.ruff_runner import (
    SYNTAX_CODES,
    ruff_version,
    start_ruff,
    start_ruff_source,
)
from verifier.lint.selection import Selection
from verifier.report.model import Report, StageResult
from verifier.rules import all_rules, rule_codes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from verifier.lint.engine import AstPass
    from verifier.lint.ruff_runner import RuffEdit
    from verifier.rules import Rule, Violation

# The analysis behind the RDA rules (engine, ruff_filters, fixes) is imported where it is first
# needed, after ruff has been started: ruff's process then runs while those modules load.

MAX_FIX_ROUNDS = 10
_LISTED_LEFT = 10  # remaining fixable findings named one by one in the notes
_CONTEXT_HINTS = (
    "Relationship(",
    "relationship(",
    "table=True",
    "__tablename__",
    "sessionmaker",
    "create_async_engine",
)
_MAX_CONTEXT_FILES = 60


class Options:
    """What the command line adds to the configuration (``jobs``: processes for the AST pass,
    None for automatic). Not a dataclass: see ``verifier.findings``."""

    __slots__ = ("extend_select", "fix", "ignore", "jobs", "ruff", "select")

    def __init__(
        self,
        select: list[str] | None = None,
        extend_select: Sequence[str] = (),
        ignore: Sequence[str] = (),
        fix: bool = False,
        ruff: bool | None = None,
        jobs: int | None = None,
    ) -> None:
        self.select = select
        self.extend_select = extend_select
        self.ignore = ignore
        self.fix = fix
        self.ruff = ruff
        self.jobs = jobs


def selection_for(config: LintConfig, options: Options | None = None) -> Selection:
    options = options or Options()
    return Selection.build(
        select=options.select if options.select is not None else config.select,
        extend_select=[*config.extend_select, *options.extend_select],
        ignore=[*config.ignore, *options.ignore],
        known_rda=rule_codes(),
    )


def _display(path: Path) -> str:
    """The path as the user reaches it (symlinks kept), relative to the working directory.

    String operations, not ``Path.relative_to``: a run calls this three times per file, and
    the ``Path`` objects it made were a tenth of a 200-file run's start.
    """
    absolute = os.path.abspath(path)
    cwd = os.path.abspath(os.getcwd())
    if absolute == cwd:
        return "."
    prefix = cwd if cwd.endswith(os.sep) else cwd + os.sep
    shown = absolute[len(prefix) :] if absolute.startswith(prefix) else absolute
    return shown if os.sep == "/" else shown.replace(os.sep, "/")


def _context_files(explicit: list[Path], linted: set[Path], max_size: int) -> list[SourceFile]:
    """Neighbours of files linted one by one, read only to know their models and engines."""
    out: list[SourceFile] = []
    candidates: list[Path] = []
    for path in explicit:
        directory = path.resolve().parent
        candidates += sorted(directory.glob("*.py"))
        for sub in ("models", "db", "database"):
            candidates += sorted((directory / sub).glob("*.py"))
            candidates += sorted((directory.parent / sub).glob("*.py"))
        candidates += sorted(directory.parent.glob("models*.py"))
    seen = set(linted)
    for candidate in candidates:
        resolved = candidate.resolve()
        if resolved in seen or len(out) >= _MAX_CONTEXT_FILES:
            continue
        seen.add(resolved)
        source = read_source(candidate, _display(candidate), max_size)
        if source.text is not None and any(h in source.text for h in _CONTEXT_HINTS):
            out.append(source)
    return out


def _ruff_inputs(files: Iterable[Path], config: LintConfig) -> list[tuple[Path, str]]:
    """Python files ruff should see: not the ones over the size limit."""
    out = []
    for path in files:
        if file_kind(path.name) != PYTHON:
            continue
        try:
            if path.stat().st_size > config.max_file_size:
                continue
        except OSError:
            continue
        out.append((path, _display(path)))
    return out


def _enabled_rules(selection: Selection) -> list[Rule]:
    return [rule for code, rule in all_rules().items() if selection.enabled(code)]


def _merge(rda: list[Finding], ruff: list[Finding], problems: list[Finding]) -> list[Finding]:
    rules = all_rules()
    superseded: set[tuple[str | None, int | None, str]] = set()
    for finding in rda:
        rule = rules.get(finding.code)
        for code in rule.supersedes if rule else ():
            superseded.add((finding.file, finding.line, code))
    broken = {p.file for p in problems if p.severity == "error"}
    kept = [
        f
        for f in ruff
        if (f.file, f.line, f.code) not in superseded
        and not (f.code in SYNTAX_CODES and f.file in broken)
    ]
    return [*problems, *rda, *kept]


def lint_paths(
    paths: Sequence[Path | str],
    config: LintConfig | None = None,
    fix: bool = False,
    *,
    options: Options | None = None,
) -> Report:
    """Lint files and directories; the Report holds every finding of the static stage."""
    options = options or Options(fix=fix)
    options.fix = fix or options.fix
    return _Run(paths, config, options).execute()


class _Run:
    """One ``rda lint`` invocation, step by step (see the module docstring)."""

    def __init__(
        self, paths: Sequence[Path | str], config: LintConfig | None, options: Options
    ) -> None:
        self.started = time.perf_counter()
        self.options = options
        self.paths = [Path(p) for p in paths] or [Path(".")]
        self.config = config or find_config(self.paths[0])
        self.selection = selection_for(self.config, options)
        self.found = discover(self.paths, self.config)
        self.rules: list[Rule] = []
        self.use_ruff = self.config.ruff if options.ruff is None else options.ruff
        self.ignored_by_file = {
            _display(p): tuple(self.config.ignored_for(p))
            for p in self.found.files
            if self.config.per_file_ignores
        }
        self.sources: dict[Path, SourceFile] = {}
        self.context_only: list[SourceFile] = []
        self.fixed: Counter[str] = Counter()

    def enabled_for(self, code: str, display: str) -> bool:
        """``per-file-ignores`` applied to the RDA rules."""
        return not any(code.startswith(c) for c in self.ignored_by_file.get(display, ()))

    def execute(self) -> Report:
        with collector_paused(), heap_kept(len(self.found.files)):
            return self._execute()

    def _execute(self) -> Report:
        options, config = self.options, self.config
        pending = None
        if self.use_ruff and not options.fix:
            # ruff runs in its own process while the RDA rules load and run here.
            pending = start_ruff(
                _ruff_inputs(self.found.files, config), self.selection, config.target_version
            )
        try:
            self.rules = _enabled_rules(self.selection)
            for path in self.found.files:
                self.sources[path] = read_source(path, _display(path), config.max_file_size)
            if self.found.explicit:  # files named one by one: read their neighbours too
                linted = {p.resolve() for p in self.found.files}
                self.context_only = _context_files(
                    self.found.explicit, linted, config.max_file_size
                )
            from verifier.lint.engine import default_jobs

            jobs = 1 if options.fix else (options.jobs or default_jobs(len(self.sources)))
            result, problems = self._ast_pass(jobs)
            notes = [*self.found.notes, *result.notes]
            ruff_findings: list[Finding] = []
            if options.fix:
                result, problems, ruff_findings = self._fix_rounds(result, problems)
            elif pending is not None:
                ruff_findings = pending.findings()
                if ruff_findings:  # a clean file needs no filter (nor its import)
                    from verifier.lint.ruff_filters import filter_findings

                    ruff_findings = filter_findings(ruff_findings, result.context_of)
        except BaseException:
            if pending is not None:
                pending.cancel()
            raise
        report = self._report(result.violations, ruff_findings, problems, notes)
        if options.fix:
            report.assumptions.extend(self._fix_notes(report.findings))
        return report

    def _ast_pass(self, jobs: int) -> tuple[AstPass, list[Finding]]:
        from verifier.lint.engine import check

        enabled = self.enabled_for if self.ignored_by_file else None
        result = check(
            self.sources.values(), self.rules, enabled, context_only=self.context_only, jobs=jobs
        )
        return result, result.problems

    def _ruff_results(self, result: AstPass) -> list[tuple[Finding, list[RuffEdit]]]:
        """ruff over the files as they are now, without the findings the code contradicts."""
        if not self.use_ruff:
            return []
        from verifier.lint.ruff_filters import filter_findings

        inputs = _ruff_inputs(self.sources, self.config)
        results = start_ruff(inputs, self.selection, self.config.target_version).results()
        kept = {id(f) for f in filter_findings([f for f, _ in results], result.context_of)}
        return [(f, edits) for f, edits in results if id(f) in kept]

    def _fix_rounds(
        self, result: AstPass, problems: list[Finding]
    ) -> tuple[AstPass, list[Finding], list[Finding]]:
        """Apply fixes, write the files, re-lint; repeat while fixes apply (bounded)."""
        from verifier.lint.fixes import apply_fixes_detailed, line_starts, ruff_violation
        from verifier.rules import Violation

        ruff_results = self._ruff_results(result)
        for _ in range(MAX_FIX_ROUNDS):
            by_file: dict[str, list[Violation | tuple[Finding, list[RuffEdit]]]] = {}
            for violation in result.violations:
                if violation.edits:
                    by_file.setdefault(violation.finding.file or "", []).append(violation)
            for finding, edits in ruff_results:
                if edits and finding.details.get("fixable"):
                    by_file.setdefault(finding.file or "", []).append((finding, edits))
            changed = False
            for path, source in self.sources.items():
                items = by_file.get(source.path)
                if not items or source.text is None:
                    continue
                starts = line_starts(source.text)
                violations = [
                    item if isinstance(item, Violation) else ruff_violation(*item, starts)
                    for item in items
                ]
                new_text, applied = apply_fixes_detailed(source.text, violations)
                if applied and new_text != source.text:
                    path.write_text(new_text, encoding="utf-8")
                    self.sources[path] = SourceFile(source.path, new_text)
                    self.fixed.update(v.finding.code for v in applied)
                    changed = True
            if not changed:
                break
            result, problems = self._ast_pass(1)
            ruff_results = self._ruff_results(result)
        return result, problems, [f for f, _ in ruff_results]

    def _fix_notes(self, findings: list[Finding]) -> list[str]:
        """What ``--fix`` did, and the fixable findings it left (with the reason)."""
        total = sum(self.fixed.values())
        if total:
            by_code = ", ".join(f"{code} x{count}" for code, count in sorted(self.fixed.items()))
            notes = [f"--fix applied {total} fix(es): {by_code}"]
        else:
            notes = ["--fix applied no fix"]
        withheld = [f for f in findings if f.details.get("fix_withheld")]
        left = [f for f in findings if f.details.get("fixable")]
        for finding in withheld[:_LISTED_LEFT]:
            notes.append(
                f"fix not applied: {finding.file}:{finding.line} {finding.code} "
                f"({finding.details['fix_withheld']})"
            )
        if left:
            shown = ", ".join(f"{f.file}:{f.line} {f.code}" for f in left[:_LISTED_LEFT])
            more = f" and {len(left) - _LISTED_LEFT} more" if len(left) > _LISTED_LEFT else ""
            notes.append(
                f"{len(left)} fixable finding(s) left (their fixes overlap others): {shown}"
                f"{more}; run --fix again"
            )
        return notes

    def _report(
        self,
        violations: list[Violation],
        ruff_findings: list[Finding],
        problems: list[Finding],
        notes: list[str],
    ) -> Report:
        selection = self.selection
        findings = _merge([v.finding for v in violations], ruff_findings, problems)
        findings = [
            f
            for f in findings
            if f.code == "RDA000" or not f.code.startswith("RDA") or selection.enabled(f.code)
        ]
        if self.ignored_by_file:
            findings = [f for f in findings if self.enabled_for(f.code, f.file or "")]
        if not self.found.files:
            notes.append(f"no Python files found under {', '.join(map(str, self.paths))}")
        seconds = time.perf_counter() - self.started
        ruff = ruff_version() if self.use_ruff else "not run"
        report = Report(
            tool="lint",
            target=" ".join(str(p) for p in self.paths),
            findings=sorted(findings, key=Finding.sort_key),
            assumptions=notes,
            tool_versions={"relational-db-agent": __version__, "ruff": ruff},
            seconds=seconds,
        )
        note = f"{len(self.found.files)} file(s), {len(self.rules)} RDA rule(s)"
        if self.options.fix:
            note += f", {sum(self.fixed.values())} fix(es) applied"
        report.stages.append(
            StageResult("static", "failed" if report.errors else "passed", seconds, note)
        )
        return report


def lint_source(
    source: str,
    filename: str = "<snippet>.py",
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    ruff: bool = True,
) -> list[Finding]:
    """Lint one in-memory snippet (ruff through stdin plus the RDA rules); no files touched.

    The collector is not paused here: a snippet makes little to collect, and the skill
    checker lints many from overlapping threads, which would keep it paused throughout.
    """
    from verifier.lint.engine import check
    from verifier.lint.ruff_filters import filter_findings

    selection = Selection.build(
        select=list(select) if select is not None else None,
        ignore=list(ignore or ()),
        known_rda=rule_codes(),
    )
    pending = None
    if ruff and file_kind(filename) == PYTHON:
        ruff_name = filename if filename.endswith((".py", ".pyi")) else filename + ".py"
        pending = start_ruff_source(source, ruff_name, selection, default_target_version())
    try:
        decoded = decode_source(source.encode("utf-8"), filename)
        result = check([decoded], _enabled_rules(selection))
    except BaseException:
        if pending is not None and pending.job is not None:
            pending.job.proc.kill()
            pending.job.proc.communicate()
        raise
    ruff_findings: list[Finding] = []
    if pending is not None:
        ruff_findings = filter_findings(
            [_rename(f, filename) for f in pending.findings()], result.context_of
        )
    findings = _merge([v.finding for v in result.violations], ruff_findings, result.problems)
    return sorted(findings, key=Finding.sort_key)


def _rename(finding: Finding, filename: str) -> Finding:
    return finding if finding.file == filename else finding.replace(file=filename)
