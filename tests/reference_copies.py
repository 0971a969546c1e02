"""Copies of the reference implementation, changed one patch at a time (mutants).

Mutants are derived from ``reference_impl/`` in the tests, never kept as forks, so they follow
the reference as it changes; a patch that no longer applies fails loudly.
"""

from __future__ import annotations

import shutil
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[1] / "reference_impl"


def copy_reference(dest: Path) -> Path:
    """A copy of the reference implementation (without its tests) at ``dest / "target"``."""
    target = dest / "target"
    shutil.copytree(REFERENCE, target, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    return target


def patch(target: Path, relative: str, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` by ``new`` in one file of the copy; fails loudly when ``old`` is absent."""
    file = target / relative
    text = file.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"mutant patch no longer applies: {old!r} not in {relative}"
    file.write_text(text.replace(old, new, count), encoding="utf-8")


def append(target: Path, relative: str, code: str) -> None:
    """Add ``code`` at the end of one file of the copy."""
    file = target / relative
    file.write_text(file.read_text(encoding="utf-8") + "\n" + code + "\n", encoding="utf-8")
