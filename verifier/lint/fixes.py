"""Apply the edits of fixable RDA findings to a source text.

Like ruff: a fix is applied whole or not at all; fixes whose edits overlap an already applied
one wait for the next round (the runner re-lints and repeats); identical edits from several
fixes (the same import added twice) are applied once.
"""

from __future__ import annotations

from collections.abc import Iterable

from verifier.rules.base import Edit, Violation


def apply_fixes(source: str, violations: Iterable[Violation]) -> tuple[str, int]:
    """The fixed text and how many findings were fixed."""
    fixable = sorted(
        (v for v in violations if v.edits),
        key=lambda v: min(e.start for e in v.edits),
    )
    chosen: list[Edit] = []
    applied = 0
    for violation in fixable:
        edits = [e for e in violation.edits if e not in chosen]
        if any(_overlaps(e, c) for e in edits for c in chosen):
            continue
        chosen.extend(edits)
        applied += 1
    for edit in sorted(chosen, key=lambda e: (e.start, e.end), reverse=True):
        source = source[: edit.start] + edit.text + source[edit.end :]
    return source, applied


def _overlaps(a: Edit, b: Edit) -> bool:
    if a.start == a.end == b.start == b.end:
        return True  # two insertions at one point: order would be ambiguous
    return a.start < b.end and b.start < a.end
