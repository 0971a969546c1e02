"""The renderers of the shared Report: text, JSON, SARIF 2.1.0, JUnit XML, GitHub annotations.

They must serve ``rda verify`` too, so the report here mixes a static finding with a file and a
runtime finding without one, and has two stages.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from verifier.errors import UsageError
from verifier.findings import Finding, Severity
from verifier.report.github import escape_data, escape_property
from verifier.report.model import Report, StageResult
from verifier.report.render import render


@pytest.fixture
def report() -> Report:
    return Report(
        tool="verify",
        target="app/",
        findings=[
            Finding(
                code="RDA104",
                message="`AsyncSession(...)` keeps `expire_on_commit=True`.",
                file="app/database.py",
                line=12,
                col=5,
                fix="pass `expire_on_commit=False`",
                skill_ref="references/sessions.md#expire-on-commit",
                details={"fixable": True},
            ),
            Finding(
                code="RDA604",
                message="engine without `pool_pre_ping=True`",
                severity=Severity.WARNING,
                file="app/database.py",
                line=3,
                col=10,
            ),
            Finding(
                code="RDA7XX",
                message="connection leak: 1 connection still checked out, 50% of the pool",
                stage="behavior",
                details={"checked_out": 1},
            ),
            Finding(
                code="DTZ005",
                message="`datetime.datetime.now()` called without a `tz` argument",
                file="app/crud.py",
                line=40,
                col=9,
                details={
                    "rule_name": "call-datetime-now-without-tzinfo",
                    "url": "https://docs.astral.sh/ruff/rules/x",
                },
            ),
        ],
        stages=[
            StageResult("static", "failed", 0.12),
            StageResult("behavior", "failed", 2.5, "1 leak"),
        ],
        assumptions=["models module discovered: app.models"],
        tool_versions={"rda": "0.1.0"},
        seconds=2.62,
    )


def test_text_groups_by_file_with_fix_and_skill_lines(report: Report) -> None:
    text = render(report, "text")
    lines = text.splitlines()
    assert lines[0] == "app/crud.py"
    database = lines.index("app/database.py")
    assert "3:10" in lines[database + 1] and "warning" in lines[database + 1]
    assert (
        "12:5" in lines[database + 2]
        and "RDA104" in lines[database + 2]
        and "[*]" in lines[database + 2]
    )
    assert lines[database + 3].strip() == "fix: pass `expire_on_commit=False`"
    assert lines[database + 4].strip() == "see: references/sessions.md#expire-on-commit"
    assert "[behavior]" in lines  # a runtime finding without a file
    assert "stages:" in text and "note: models module discovered: app.models" in text
    assert lines[-1].startswith("Found 3 errors and 1 warning in 2 files")


def test_text_clean_report() -> None:
    clean = Report(tool="lint", target=".", seconds=0.05)
    assert render(clean, "text") == "All checks passed (0.05s).\n"


def test_json_is_report_to_dict(report: Report) -> None:
    assert json.loads(render(report, "json")) == report.to_dict()


def test_sarif_2_1_0_shape(report: Report) -> None:
    data = json.loads(render(report, "sarif"))
    assert data["version"] == "2.1.0" and "sarif-2.1.0" in data["$schema"]
    run = data["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted(ids)
    rda104 = rules[ids.index("RDA104")]
    assert rda104["name"] == "expire-on-commit-not-disabled"
    assert rda104["properties"]["skill_ref"] == "references/sessions.md#expire-on-commit"
    assert rules[ids.index("DTZ005")]["helpUri"].startswith("https://docs.astral.sh/")
    by_rule = {r["ruleId"]: r for r in run["results"]}
    result = by_rule["RDA104"]
    assert result["level"] == "error" and ids[result["ruleIndex"]] == "RDA104"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "app/database.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 12, "startColumn": 5}
    assert "Fix: pass" in result["message"]["text"]
    assert by_rule["RDA604"]["level"] == "warning"
    assert "locations" not in by_rule["RDA7XX"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file:///")


def test_junit_suites_per_stage(report: Report) -> None:
    root = ET.fromstring(render(report, "junit"))
    assert root.tag == "testsuites" and root.get("tests") == "4" and root.get("failures") == "4"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"static", "behavior"}
    static_cases = suites["static"].findall("testcase")
    assert {c.get("classname") for c in static_cases} == {"app/database.py", "app/crud.py"}
    failure = next(c for c in static_cases if c.get("name") == "RDA104 12:5").find("failure")
    assert failure is not None and "fix: pass" in (failure.text or "")
    clean = Report(tool="lint", target=".", stages=[StageResult("static", "passed", 0.1)])
    clean_root = ET.fromstring(render(clean, "junit"))
    assert clean_root.get("tests") == "1" and clean_root.get("failures") == "0"


def test_github_annotations_and_escaping(report: Report) -> None:
    lines = render(report, "github").splitlines()
    assert lines[0].startswith("::error file=app/crud.py,line=40,col=9,title=DTZ005::")
    assert any(
        line.startswith("::warning file=app/database.py,line=3,col=10,title=RDA604::")
        for line in lines
    )
    assert any(line.startswith("::error title=RDA7XX::connection leak") for line in lines)
    assert "%0Afix: pass" in next(line for line in lines if "RDA104" in line)
    assert escape_data("50% done\nnext\r") == "50%25 done%0Anext%0D"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"


def test_unknown_format_is_a_usage_error(report: Report) -> None:
    with pytest.raises(UsageError, match="unknown report format"):
        render(report, "yaml")
