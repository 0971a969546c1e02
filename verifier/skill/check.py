"""``rda skill check``: check a skill package like code, one named stage after another.

The stages, in order: the frontmatter, the links, the lengths, the code examples (linted against
their markers, each right-way block verified or marked a fragment), the runnable examples
(executed on PostgreSQL), the layers (the complete examples as projects, through ``rda
verify``), the skill refs (for the skill they belong to), and the evals. Each stage reports in
the shared ``Finding`` shape (its ``stage`` set to the stage's name), so the report, its formats
and its exit code are those of ``rda lint`` and ``rda verify``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from verifier.db.base import DatabaseProvider
from verifier.findings import Finding
from verifier.report.model import Report, StageResult
from verifier.skill.evals import check_evals
from verifier.skill.examples import (
    Example,
    Linter,
    check_examples,
    check_markers,
    collect_examples,
)
from verifier.skill.frontmatter import check_frontmatter
from verifier.skill.layers import Layer, check_verified, collect_layers
from verifier.skill.length import check_length
from verifier.skill.links import check_links
from verifier.skill.package_files import Skill, load_skill
from verifier.skill.refs import check_skill_refs
from verifier.skill.runnable import DEFAULT_TIMEOUT, run_examples

REFS_SKILL = "relational-db-agent"  # the skill verifier.skill_refs points into


def default_linter() -> Linter:
    from verifier.lint import lint_source

    def lint(source: str, filename: str) -> list[Finding]:
        return list(lint_source(source, filename))

    return lint


def known_finding_codes() -> set[str]:
    """Every code ``rda`` can report: the static rules and the dynamic checks."""
    from verifier.rules import all_rules
    from verifier.stages.codes import CODES

    return set(all_rules()) | set(CODES)


def default_refs(skill: Skill) -> Mapping[str, str]:
    """The refs to check: ``verifier.skill_refs`` for the skill they point into, else none."""
    if REFS_SKILL not in (skill.name, skill.root.name):
        return {}
    from verifier.skill_refs import ALL

    return ALL


class _Stages:
    """Runs stages, timing each and keeping its findings."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.results: list[StageResult] = []

    def run(self, name: str, produce: Callable[[], Iterable[Finding]]) -> None:
        started = time.monotonic()
        found = [finding.replace(stage=name) for finding in produce()]
        self.findings.extend(found)
        status = "failed" if found else "passed"
        self.results.append(StageResult(name, status, time.monotonic() - started))

    def skip(self, name: str, note: str) -> None:
        self.results.append(StageResult(name, "skipped", 0.0, note))


def check_skill(
    path: Path,
    *,
    lint: Linter | None = None,
    provider: DatabaseProvider | None = None,
    db: str = "auto",
    run: bool = True,
    refs: Mapping[str, str] | None = None,
    known_codes: Iterable[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Report:
    """Check the skill folder at ``path``.

    Runnable examples get their databases from ``provider`` (started and closed by the caller)
    or, without one, from a provider for ``db`` (``auto``, ``embedded``, ``docker`` or a URL)
    that lives for this check only. ``run=False`` skips executing them.
    """
    started = time.monotonic()
    skill = load_skill(path)
    stages = _Stages()
    report = Report(tool="skill", target=str(path))

    skill_md = skill.skill_md
    if skill_md is None:
        stages.run("frontmatter", lambda: [_no_skill_md()])
    else:
        stages.run("frontmatter", lambda: check_frontmatter(skill_md, skill.root.name))
    stages.run("links", lambda: check_links(skill))
    stages.run("length", lambda: check_length(skill))

    examples = collect_examples(skill)
    linter = lint or default_linter()
    layers, layer_problems = collect_layers(examples)
    stages.run(
        "examples",
        lambda: [
            *check_markers(examples),
            *layer_problems,
            *check_verified(examples, layers),
            *check_examples(examples, linter),
        ],
    )
    runnable = [example for example in examples if example.runnable]
    if not runnable:
        stages.skip("runnable", "no runnable examples")
    elif not run:
        stages.skip("runnable", f"{len(runnable)} runnable examples not run (--no-run)")
    else:
        stages.run("runnable", lambda: _run(runnable, provider, db, timeout))
    if not layers:
        stages.skip("layers", "no layers of examples")
    elif not run:
        stages.skip("layers", f"{len(layers)} layers not verified (--no-run)")
    else:
        stages.run("layers", lambda: _verify(layers, db))

    chosen_refs = default_refs(skill) if refs is None else refs
    if chosen_refs:
        stages.run("skill-refs", lambda: check_skill_refs(skill, chosen_refs))
    else:
        stages.skip("skill-refs", f"only {REFS_SKILL} carries the findings' skill refs")

    codes = set(known_codes) if known_codes is not None else known_finding_codes()
    stages.run("evals", lambda: check_evals(skill, codes))

    report.findings = stages.findings
    report.stages = stages.results
    report.assumptions.append(
        f"{len(examples)} code examples, {sum(e.is_linted for e in examples)} linted, "
        f"{len(runnable)} runnable, {len(layers)} layers verified by rda verify"
    )
    report.seconds = time.monotonic() - started
    return report


def _no_skill_md() -> Finding:
    from verifier.skill import codes

    return Finding(
        codes.FRONTMATTER_MISSING,
        "the folder has no SKILL.md",
        file="SKILL.md",
        fix="a skill is a folder holding SKILL.md",
    )


def _verify(layers: Sequence[Layer], db: str) -> list[Finding]:
    """``rda verify`` on every layer, in a process of its own (``db`` as its ``--db``)."""
    from verifier.skill.layer_verify import verify_layers

    return list(verify_layers(layers, db=db))


def _run(
    examples: Sequence[Example], provider: DatabaseProvider | None, db: str, timeout: float
) -> list[Finding]:
    if provider is not None:
        provider.start()
        return list(run_examples(examples, provider, timeout))
    from verifier.db import get_provider

    owned = get_provider(db)
    try:
        owned.start()
        return list(run_examples(examples, owned, timeout))
    finally:
        owned.close()
