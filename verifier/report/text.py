"""Plain-text report for people and agents: findings grouped by file, each with its fix.

::

    app/crud.py
      12:5  error    RDA101  `session.commit()` ... is not awaited: nothing is committed.
                     fix: write `await session.commit()`
                     see: references/sessions.md#await-every-database-call

Findings without a file (runtime checks of ``rda verify``) are grouped under their stage.
"""

from __future__ import annotations

from collections import defaultdict

from verifier.findings import Finding, Severity
from verifier.report.model import Report

_INDENT = "  "


def _location(finding: Finding) -> str:
    if finding.line is None:
        return "-"
    return f"{finding.line}:{finding.col or 1}"


def files_first(finding: Finding) -> tuple[bool, tuple[str, int, int, str]]:
    """Findings in files (sorted by place), then runtime findings that have no file."""
    return finding.file is None, finding.sort_key()


def _group_key(finding: Finding) -> str:
    return finding.file or f"[{finding.stage}]"


def _counts(findings: list[Finding]) -> str:
    by_severity = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
    parts = []
    for severity, word in (
        (Severity.ERROR, "error"),
        (Severity.WARNING, "warning"),
        (Severity.INFO, "note"),
    ):
        count = by_severity[severity]
        if count:
            parts.append(f"{count} {word}{'s' if count != 1 else ''}")
    return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)


def render_text(report: Report, summary: bool = True) -> str:
    groups: dict[str, list[Finding]] = defaultdict(list)
    for finding in sorted(report.findings, key=files_first):
        groups[_group_key(finding)].append(finding)
    lines: list[str] = []
    for group, findings in groups.items():
        lines.append(group)
        loc_width = max(len(_location(f)) for f in findings)
        code_width = max(len(f.code) for f in findings)
        for finding in findings:
            head = (
                f"{_INDENT}{_location(finding):<{loc_width}}  {finding.severity!s:<7}  "
                f"{finding.code:<{code_width}}  "
            )
            pad = " " * len(head)
            mark = " [*]" if finding.details.get("fixable") else ""
            lines.append(f"{head}{finding.message}{mark}")
            if finding.fix:
                lines.append(f"{pad}fix: {finding.fix}")
            if finding.skill_ref:
                lines.append(f"{pad}see: {finding.skill_ref}")
        lines.append("")
    if not summary:
        return "\n".join(lines)
    if len(report.stages) > 1 or report.tool != "lint":
        lines.append("stages:")
        for stage in report.stages:
            note = f"  ({stage.note})" if stage.note else ""
            lines.append(f"{_INDENT}{stage.name:<11} {stage.status:<8} {stage.seconds:6.2f}s{note}")
        lines.append("")
    for what, how in report.sandbox.items():
        lines.append(f"{'sandbox' if what == 'isolation' else what.replace('_', ' ')}: {how}")
    for note in report.assumptions:
        lines.append(f"note: {note}")
    if report.findings:
        files = len({f.file for f in report.findings if f.file})
        fixable = sum(1 for f in report.findings if f.details.get("fixable"))
        where = f" in {files} file{'s' if files != 1 else ''}" if files else ""
        tail = f"; {fixable} fixable with --fix [*]" if fixable and report.tool == "lint" else ""
        lines.append(f"Found {_counts(report.findings)}{where} ({report.seconds:.2f}s){tail}.")
    else:
        lines.append(f"All checks passed ({report.seconds:.2f}s).")
    return "\n".join(lines) + "\n"
