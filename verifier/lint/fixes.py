"""Apply the edits of fixable findings (RDA's and ruff's safe ones) to a source text.

Like ruff: a fix is applied whole or not at all; fixes whose edits overlap an already applied
one wait for the next round (the runner re-lints and repeats); identical edits from several
fixes (the same import added twice) are applied once. ruff's edits come as 1-based rows and
character columns; ``ruff_violation`` turns them into the character offsets used here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from verifier.findings import Finding
from verifier.rules.base import Edit, Violation


def apply_fixes(source: str, violations: Iterable[Violation]) -> tuple[str, int]:
    """The fixed text and how many findings were fixed."""
    text, applied = apply_fixes_detailed(source, violations)
    return text, len(applied)


def apply_fixes_detailed(
    source: str, violations: Iterable[Violation]
) -> tuple[str, list[Violation]]:
    """The fixed text and the violations whose fixes were applied."""
    fixable = sorted(
        (v for v in violations if v.edits),
        key=lambda v: min(e.start for e in v.edits),
    )
    chosen: list[Edit] = []
    applied: list[Violation] = []
    for violation in fixable:
        edits = [e for e in violation.edits if e not in chosen]
        if any(_overlaps(e, c) for e in edits for c in chosen):
            continue
        chosen.extend(edits)
        applied.append(violation)
    for edit in sorted(chosen, key=lambda e: (e.start, e.end), reverse=True):
        source = source[: edit.start] + edit.text + source[edit.end :]
    return source, applied


def _overlaps(a: Edit, b: Edit) -> bool:
    if a.start == a.end == b.start == b.end:
        return True  # two insertions at one point: order would be ambiguous
    return a.start < b.end and b.start < a.end


def line_starts(text: str) -> list[int]:
    """Character offset of the start of each line (and of the end of the text)."""
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _offset(starts: list[int], location: dict[str, Any]) -> int:
    row, column = int(location.get("row", 1)), int(location.get("column", 1))
    if row - 1 >= len(starts):
        return starts[-1]
    return min(starts[row - 1] + column - 1, starts[-1])


def ruff_violation(
    finding: Finding, edits: Sequence[dict[str, Any]], starts: list[int]
) -> Violation:
    """A ruff finding with its fix's edits as character-offset ``Edit``s."""
    converted = tuple(
        Edit(
            _offset(starts, e.get("location") or {}),
            _offset(starts, e.get("end_location") or {}),
            str(e.get("content") or ""),
        )
        for e in edits
    )
    return Violation(finding, converted)
