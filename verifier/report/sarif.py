"""SARIF 2.1.0 for GitHub code scanning and other static-analysis viewers.

One run, tool ``rda``; a ``reportingDescriptor`` per code that occurs (RDA rules carry their
name, summary and skill reference; ruff codes their ruff name and documentation URL); one
result per finding, with a physical location when the finding has a file. Paths stay relative
to ``%SRCROOT%`` (the working directory), as code scanning expects.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from verifier import __version__
from verifier.findings import Finding, Severity
from verifier.report.model import Report

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _descriptor(code: str, example: Finding) -> dict[str, Any]:
    descriptor: dict[str, Any] = {"id": code}
    rule = None
    if code.startswith("RDA"):
        from verifier.rules import get_rule

        rule = get_rule(code)
    runtime = None
    if rule is None and code.startswith("RDA"):
        from verifier.stages.codes import CODES

        runtime = CODES.get(code)
    if runtime is not None:  # a dynamic check's code: documented the same way as a rule
        descriptor["name"] = runtime.name
        descriptor["shortDescription"] = {"text": runtime.summary}
        descriptor["help"] = {"text": f"{runtime.fix} Skill reference: {runtime.skill_ref}"}
        descriptor["properties"] = {"skill_ref": runtime.skill_ref}
    elif rule is not None:
        descriptor["name"] = rule.name
        descriptor["shortDescription"] = {"text": rule.summary}
        descriptor["defaultConfiguration"] = {"level": _LEVELS[rule.severity]}
        if rule.skill_ref:
            descriptor["help"] = {"text": f"Skill reference: {rule.skill_ref}"}
            descriptor["properties"] = {"skill_ref": rule.skill_ref}
    else:
        name = example.details.get("rule_name")
        if name:
            descriptor["name"] = name
        url = example.details.get("url")
        if url:
            descriptor["helpUri"] = url
    return descriptor


def _uri(path: str) -> str:
    return quote(Path(path).as_posix(), safe="/:._-~")


def _result(finding: Finding, index: int) -> dict[str, Any]:
    text = finding.message + (f" Fix: {finding.fix}" if finding.fix else "")
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index,
        "level": _LEVELS.get(finding.severity, "warning"),
        "message": {"text": text},
    }
    if finding.file:
        region: dict[str, int] = {}
        if finding.line:
            region["startLine"] = finding.line
            if finding.col:
                region["startColumn"] = finding.col
        physical: dict[str, Any] = {
            "artifactLocation": {"uri": _uri(finding.file), "uriBaseId": "%SRCROOT%"}
        }
        if region:
            physical["region"] = region
        result["locations"] = [{"physicalLocation": physical}]
    properties: dict[str, Any] = {"stage": finding.stage}
    if finding.skill_ref:
        properties["skill_ref"] = finding.skill_ref
    result["properties"] = properties
    return result


def render_sarif(report: Report) -> str:
    codes: dict[str, Finding] = {}
    for finding in report.findings:
        codes.setdefault(finding.code, finding)
    order = sorted(codes)
    index = {code: i for i, code in enumerate(order)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "rda",
                "version": __version__,
                "rules": [_descriptor(code, codes[code]) for code in order],
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().resolve().as_uri() + "/"}},
        "results": [
            _result(f, index[f.code]) for f in sorted(report.findings, key=Finding.sort_key)
        ],
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"message": {"text": note}, "level": "note"} for note in report.assumptions
                ],
            }
        ],
        "properties": {
            "tool": report.tool,
            "target": report.target,
            "tool_versions": dict(report.tool_versions),
        },
    }
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
