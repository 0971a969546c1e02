"""JUnit XML for CI systems that show test reports.

One ``<testsuite>`` per stage; one ``<testcase>`` per finding (classname = file, name = code
and position) whose ``<failure>`` carries the message, fix and skill reference. A stage without
findings is one passing test case, so a clean run still shows what ran; a stage that could not
run is an ``<error>`` (infrastructure) or ``<skipped>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from verifier.findings import Finding, Severity
from verifier.report.model import Report, StageResult


def _case_name(finding: Finding) -> str:
    where = f" {finding.line}:{finding.col or 1}" if finding.line else ""
    return f"{finding.code}{where}"


def _body(finding: Finding) -> str:
    lines = [f"{finding.file or '-'}:{finding.line or '-'}:{finding.col or '-'}: {finding.message}"]
    if finding.fix:
        lines.append(f"fix: {finding.fix}")
    if finding.skill_ref:
        lines.append(f"see: {finding.skill_ref}")
    return "\n".join(lines)


def render_junit(report: Report) -> str:
    by_stage: dict[str, list[Finding]] = defaultdict(list)
    for finding in sorted(report.findings, key=Finding.sort_key):
        by_stage[finding.stage].append(finding)
    stages = list(report.stages) or [StageResult("static", "passed", report.seconds)]
    known = {s.name for s in stages}
    stages += [StageResult(name, "failed") for name in by_stage if name not in known]
    root = ET.Element("testsuites", name=f"rda {report.tool}", time=f"{report.seconds:.3f}")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for stage in stages:
        findings = by_stage.get(stage.name, [])
        suite = ET.SubElement(root, "testsuite", name=stage.name, time=f"{stage.seconds:.3f}")
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for finding in findings:
            case = ET.SubElement(
                suite, "testcase", classname=finding.file or stage.name, name=_case_name(finding)
            )
            counts["tests"] += 1
            if finding.severity is Severity.INFO:
                ET.SubElement(case, "system-out").text = _body(finding)
                continue
            failure = ET.SubElement(
                case,
                "failure",
                message=finding.message,
                type=f"{finding.code} ({finding.severity})",
            )
            failure.text = _body(finding)
            counts["failures"] += 1
        if not findings:
            case = ET.SubElement(
                suite, "testcase", classname=stage.name, name=f"{stage.name} stage"
            )
            counts["tests"] += 1
            if stage.status == "error":
                ET.SubElement(
                    case, "error", message=stage.note or "stage could not run"
                ).text = stage.note
                counts["errors"] += 1
            elif stage.status == "skipped":
                ET.SubElement(case, "skipped", message=stage.note or "skipped")
                counts["skipped"] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
