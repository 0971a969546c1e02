"""The static stage behind ``rda lint``: ruff's curated rules plus the RDA catalogue.

``lint_source`` lints one in-memory snippet (the skill checker runs it on every ```python
block); ``lint_paths`` lints files and directories and returns the shared ``Report``.
Nothing on this path imports sqlalchemy, sqlmodel or alembic: the rules read code, they never
run it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from verifier.findings import Finding
    from verifier.lint.config import LintConfig
    from verifier.report.model import Report

__all__ = ["lint_paths", "lint_source"]


def lint_source(
    source: str,
    filename: str = "<snippet>.py",
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
) -> list[Finding]:
    """Findings for one snippet: ruff (through stdin) and the RDA rules, ``# noqa`` honoured."""
    from verifier.lint.runner import lint_source as run

    return run(source, filename, select=select, ignore=ignore)


def lint_paths(
    paths: Sequence[Path], config: LintConfig | None = None, fix: bool = False
) -> Report:
    """Lint files/directories (configuration found from the first path unless given)."""
    from verifier.lint.runner import lint_paths as run

    return run(paths, config=config, fix=fix)
