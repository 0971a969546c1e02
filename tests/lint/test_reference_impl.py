"""Zero findings on the reference implementation: the rules' precision, measured on real code."""

from __future__ import annotations

from pathlib import Path

from verifier.lint.runner import lint_paths

REFERENCE = Path(__file__).resolve().parents[2] / "reference_impl"


def test_reference_impl_is_clean() -> None:
    report = lint_paths([REFERENCE])
    assert report.stages[0].note and "file(s)" in report.stages[0].note
    assert [(f.file, f.line, f.code, f.message) for f in report.findings] == []
    assert not [n for n in report.assumptions if "internal error" in n]
