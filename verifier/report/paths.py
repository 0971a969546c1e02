"""Finding paths as the user sees them: relative to the current directory, in every format.

A verify report records files relative to the target's root (the sandbox runs a copy of the
target, so that is all the child knows). Printed, a path must open from where the user typed
the command: ``rda verify myapp`` shows ``myapp/models.py`` for static and dynamic findings
alike, SARIF's ``%SRCROOT%`` (the current directory) resolves it, and GitHub annotations name
the file in the checkout. A file outside the current directory is shown absolute.
"""

from __future__ import annotations

import os
from pathlib import Path

from verifier.findings import Finding
from verifier.report.model import Report


def shown_path(file: str, root: str | None, cwd: Path | None = None) -> str:
    """``file`` (relative to ``root``, or absolute) as seen from ``cwd``."""
    cwd = (cwd or Path.cwd()).resolve()
    full = Path(file) if Path(file).is_absolute() or root is None else Path(root) / file
    full = Path(os.path.normpath(full.absolute()))
    if full.is_relative_to(cwd):
        return full.relative_to(cwd).as_posix()
    return str(full)


def from_cwd(report: Report, cwd: Path | None = None) -> Report:
    """A copy of ``report`` whose finding files are relative to ``cwd`` (the current directory)."""
    if report.root is None:
        return report

    def rebase(found: Finding) -> Finding:
        if not found.file:
            return found
        return found.replace(file=shown_path(found.file, report.root, cwd))

    return report.replace(findings=[rebase(f) for f in report.findings], root=None)
