"""``render(report, fmt)``: the one entry point the CLI uses, whatever the command."""

from __future__ import annotations

from verifier.errors import UsageError
from verifier.report.model import Report

FORMATS = ("text", "json", "sarif", "junit", "github", "html")


def render(report: Report, fmt: str) -> str:
    """The report as ``text``, ``json``, ``sarif``, ``junit`` or ``github`` annotations."""
    from verifier.report.paths import from_cwd

    report = from_cwd(report)  # every format shows paths from the current directory
    if fmt == "text":
        from verifier.report.text import render_text

        return render_text(report)
    if fmt == "json":
        from verifier.report.json_report import render_json

        return render_json(report)
    if fmt == "sarif":
        from verifier.report.sarif import render_sarif

        return render_sarif(report)
    if fmt == "junit":
        from verifier.report.junit import render_junit

        return render_junit(report)
    if fmt == "github":
        from verifier.report.github import render_github

        return render_github(report)
    if fmt == "html":
        from verifier.report.html import render_html

        return render_html(report)
    raise UsageError(f"unknown report format {fmt!r}", hint=f"choose one of: {', '.join(FORMATS)}")
