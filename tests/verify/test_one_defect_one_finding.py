"""One defect, one finding: what the static and the dynamic stages both see is reported once.

The mutants of ``test_mutants`` run with the static stage too here: the unindexed foreign key,
the naive timestamp column, the JSON column and the naive datetime default are each visible in
the source and in the running schema, and must come out as exactly one finding, at the static
location, with the rule's severity, the dynamic sighting kept as evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.reference_copies import patch
from verifier.findings import Finding, Severity
from verifier.report.model import Report
from verifier.verify.merge import merge

from .test_mutants import MUTANTS

STATIC_AND_SCHEMA = ("static", "import", "schema")


def _naive_default(t: Path) -> None:
    patch(
        t,
        "taskapi/models.py",
        "    name: str = Field(max_length=200)\n    description: str | None = None\n"
        "    created_at: datetime = Field(default_factory=utc_now)",
        "    name: str = Field(max_length=200)\n    description: str | None = None\n"
        "    created_at: datetime = Field(default_factory=datetime.utcnow)",
    )


CASES = {
    "foreign key without index": (
        "RDA202",
        Severity.ERROR,
        MUTANTS["foreign key without index"].apply,
    ),
    "timestamp without time zone": (
        "RDA212",
        Severity.ERROR,
        MUTANTS["timestamp without time zone"].apply,
    ),
    "JSON instead of JSONB": ("RDA204", Severity.WARNING, MUTANTS["JSON instead of JSONB"].apply),
    "naive datetime default": ("RDA201", Severity.ERROR, _naive_default),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_defect_seen_statically_and_dynamically_is_one_finding(
    name: str, reference_copy: Path, verify: Callable[..., Report]
) -> None:
    code, severity, apply = CASES[name]
    apply(reference_copy)
    report = verify(reference_copy, stages=STATIC_AND_SCHEMA)
    found = [f for f in report.findings if f.code == code]
    assert len(found) == 1, "\n".join(f"{f.code} {f.stage} {f.file}:{f.line}" for f in found)
    (finding,) = found
    assert finding.stage == "static" and finding.severity is severity
    assert [e["stage"] for e in finding.details["confirmed"]] == ["schema"]
    # The dynamic stage found it too: it is marked failed (or passed, for a warning).
    schema = next(s for s in report.stages if s.name == "schema")
    assert schema.status == ("failed" if severity is Severity.ERROR else "passed")
    others = {f.code for f in report.findings} - {code}
    assert not others & {"RDA201", "RDA202", "RDA204", "RDA212", "RDA704"}, others


def test_the_naive_default_is_found_at_run_time_without_the_static_stage(
    reference_copy: Path, verify: Callable[..., Report]
) -> None:
    _naive_default(reference_copy)
    report = verify(reference_copy, stages=("import", "schema"))
    (finding,) = report.findings
    assert finding.code == "RDA201" and finding.stage == "schema"
    assert finding.file == "taskapi/models.py"
    lines = (reference_copy / "taskapi/models.py").read_text().splitlines()
    assert "default_factory=datetime.utcnow" in lines[finding.line - 1]
    assert "Project.created_at" in finding.message


def _f(code: str, stage: str, line: int | None, **details: object) -> Finding:
    return Finding(code, "m", file="app/models.py", line=line, stage=stage, details=details)


def test_merge_folds_a_dynamic_finding_into_the_static_one_in_its_span() -> None:
    static = _f("RDA202", "static", 21)
    dynamic = _f("RDA202", "schema", 20, lines=[20, 23])
    (merged,) = merge([static, dynamic])
    assert merged.stage == "static" and merged.line == 21
    assert merged.details["confirmed"][0]["stage"] == "schema"


def test_merge_keeps_findings_of_other_lines_files_and_codes() -> None:
    static = _f("RDA202", "static", 40)
    elsewhere = _f("RDA202", "schema", 20, lines=[20, 23])
    other_code = _f("RDA212", "schema", 21, lines=[20, 23])
    merged = merge([static, elsewhere, other_code])
    assert [(f.code, f.stage, f.line) for f in merged] == [
        ("RDA202", "static", 40),
        ("RDA202", "schema", 20),
        ("RDA212", "schema", 21),
    ]


def test_merge_gives_a_dynamic_finding_its_rules_severity() -> None:
    (merged,) = merge([_f("RDA204", "schema", 3)])
    assert merged.severity is Severity.WARNING
    (runtime,) = merge([_f("RDA707", "behavior", 3)])
    assert runtime.severity is Severity.ERROR
