"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` per finding.

GitHub shows them as annotations on the pull request's diff. Data and property values are
escaped as the runner expects (``%``, CR and LF always; ``:`` and ``,`` in properties too).
"""

from __future__ import annotations

from verifier.findings import Finding, Severity
from verifier.report.model import Report
from verifier.report.text import files_first

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    props = []
    if finding.file:
        props.append(f"file={escape_property(finding.file)}")
        if finding.line:
            props.append(f"line={finding.line}")
            if finding.col:
                props.append(f"col={finding.col}")
    props.append(f"title={escape_property(finding.code)}")
    message = finding.message
    if finding.fix:
        message += f"\nfix: {finding.fix}"
    if finding.skill_ref:
        message += f"\nsee: {finding.skill_ref}"
    return (
        f"::{_COMMANDS.get(finding.severity, 'warning')} {','.join(props)}::{escape_data(message)}"
    )


def render_github(report: Report) -> str:
    return "".join(annotation(f) + "\n" for f in sorted(report.findings, key=files_first))
