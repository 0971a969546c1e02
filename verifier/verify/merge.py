"""One defect, one finding: what the static and the dynamic stages both found is reported once.

The dynamic stages carry the codes of the static rules for defects the source shows too (a
foreign key without an index is RDA202 whether read from the model or from the live catalog).
Such a finding takes the rule's severity and skill reference (the rule catalogue is the one place
they are defined), and when the static stage reported the same code in the same file within the
declaration the dynamic finding points at (``details["lines"]``, else its line), the static
finding stays, at its more precise location, and the dynamic one becomes its evidence
(``details["confirmed"]``).
"""

from __future__ import annotations

from collections.abc import Iterable

from verifier.findings import Finding


def _rule_of(code: str) -> object | None:
    if not code.startswith("RDA") or code[3:4] in ("7", "8"):
        return None  # runtime codes are defined in verifier.stages.codes
    from verifier.rules import get_rule

    return get_rule(code)


def normalise(finding: Finding) -> Finding:
    """A dynamic finding with a static rule's code gets that rule's severity and skill_ref."""
    if finding.stage == "static":
        return finding
    rule = _rule_of(finding.code)
    if rule is None:
        return finding
    return finding.replace(
        severity=rule.severity,  # type: ignore[attr-defined]
        skill_ref=rule.skill_ref or finding.skill_ref,  # type: ignore[attr-defined]
    )


def _span(finding: Finding) -> tuple[int, int] | None:
    lines = finding.details.get("lines")
    if isinstance(lines, list | tuple) and len(lines) == 2:
        return int(lines[0]), int(lines[1])
    if finding.line is not None:
        return finding.line, finding.line
    return None


def _same_defect(static: Finding, dynamic: Finding) -> bool:
    if static.code != dynamic.code or static.file != dynamic.file or static.file is None:
        return False
    span = _span(dynamic)
    if span is None:  # the dynamic check knows the file only: one finding of that code there
        return True
    return static.line is not None and span[0] <= static.line <= span[1]


def merge(findings: Iterable[Finding]) -> list[Finding]:
    """Normalise the dynamic findings and fold those the static stage found too into it."""
    merged: list[Finding] = []
    statics: list[int] = []  # indexes into merged of static findings
    dynamics: list[Finding] = []
    for finding in findings:
        if finding.stage == "static":
            statics.append(len(merged))
            merged.append(finding)
        else:
            dynamics.append(normalise(finding))
    for dynamic in dynamics:
        match = next((i for i in statics if _same_defect(merged[i], dynamic)), None)
        if match is None:
            merged.append(dynamic)
            continue
        static = merged[match]
        evidence = [*static.details.get("confirmed", [])]
        evidence.append({"stage": dynamic.stage, "message": dynamic.message, "line": dynamic.line})
        merged[match] = static.replace(details={**static.details, "confirmed": evidence})
    return merged


def confirmed_stages(finding: Finding) -> set[str]:
    """The stages that found ``finding``: its own and those it absorbed."""
    return {finding.stage} | {
        str(e.get("stage")) for e in finding.details.get("confirmed", []) if isinstance(e, dict)
    }
