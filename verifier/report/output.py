"""What every report-writing command shares: the output file, and the exit code it reports.

An output file that cannot be written is refused before any work (a verification that runs for
a minute and then cannot save its report is a minute lost), and ``--fail-on`` decides which
findings make the command exit 1.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path

from verifier.errors import UsageError
from verifier.findings import Finding, Severity


def add_fail_on(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default="error",
        help="the lowest severity that makes the command exit 1 (default error)",
    )


def check_output(path: Path | None) -> None:
    """Refuse an output file that cannot be written, now (it is left as it was)."""
    if path is None:
        return
    if path.is_dir():
        raise UsageError(f"--output {path} is a directory", "name a file to write the report to")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"--output {path}: the folder {folder} does not exist")
    existed = path.exists()
    try:
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise UsageError(f"--output {path} cannot be written: {exc.strerror}") from None
    if not existed:
        path.unlink()  # made only to try: the report creates it


def write_output(path: Path, text: str) -> None:
    try:
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc


def exit_code(findings: Iterable[Finding], fail_on: str = "error") -> int:
    """1 when a finding at or above ``fail_on`` was reported, else 0."""
    worst = {Severity.ERROR} if fail_on == "error" else {Severity.ERROR, Severity.WARNING}
    return int(any(f.severity in worst for f in findings))
