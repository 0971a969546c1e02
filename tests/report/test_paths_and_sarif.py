"""Paths from the current directory in every format, and SARIF that code scanning accepts.

The target is verified from its parent folder (``rda verify myapp``), the way the paths went
wrong: static findings said ``myapp/...``, dynamic ones ``taskapi/...``. SARIF is checked with
two packages built from SARIF 2.1.0: ``sarif-pydantic``'s models (required properties, types,
enumerations such as ``level``) and ``sarif-om``'s object model, whose properties carry the
schema's names (every key we write must be one; property bags aside).
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from pydantic import ValidationError

from tests.reference_copies import copy_reference, patch

sarif_models = pytest.importorskip("sarif_pydantic.sarif", reason="pip install sarif-pydantic")
sarif_om = pytest.importorskip("sarif_om", reason="pip install sarif-om")


def schema_property_names() -> set[str]:
    """Every property name of SARIF 2.1.0, as sarif-om's generated classes record them."""
    import attr

    return {
        field.metadata["schema_property_name"]
        for cls in vars(sarif_om).values()
        if inspect.isclass(cls) and attr.has(cls)
        for field in attr.fields(cls)
        if "schema_property_name" in field.metadata
    }


def keys_outside_property_bags(node: object) -> Iterator[str]:
    """Every key of a SARIF document except those inside ``properties`` and URI-base maps."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            if key not in ("properties", "originalUriBaseIds"):
                yield from keys_outside_property_bags(value)
            elif key == "originalUriBaseIds":
                for base in value.values():
                    yield from keys_outside_property_bags(base)
    elif isinstance(node, list):
        for item in node:
            yield from keys_outside_property_bags(item)


def validate_sarif(document: dict[str, object]) -> None:
    """Raise when ``document`` is not SARIF 2.1.0 as both packages know it."""
    sarif_models.Sarif.model_validate(document)
    unknown = set(keys_outside_property_bags(document)) - schema_property_names()
    if unknown:
        raise ValueError(f"not SARIF 2.1.0 properties: {sorted(unknown)}")


@pytest.fixture(scope="module")
def mutant_parent(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding ``target/``: the reference with sessions that expire on commit."""
    parent = tmp_path_factory.mktemp("paths")
    target = copy_reference(parent)
    patch(target, "taskapi/database.py", "expire_on_commit=False", "expire_on_commit=True")
    return parent


def rda(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "verifier", "verify", "target", "-q", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def test_static_and_dynamic_findings_name_files_from_the_cwd(mutant_parent: Path) -> None:
    proc = rda(mutant_parent, "--format", "json", "--stages", "static,import,schema,behavior")
    assert proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    stages = {f["stage"] for f in findings if f["file"]}
    assert {"static", "behavior"} <= stages  # RDA104 from the rules, RDA705 from running it
    files = {f["file"] for f in findings if f["file"]}
    assert files == {"target/taskapi/database.py", "target/taskapi/crud.py"}
    assert all((mutant_parent / file).is_file() for file in files)
    text = rda(mutant_parent, "--stages", "static,import,schema,behavior").stdout
    assert "in 2 files" in text.splitlines()[-1]


def test_sarif_validates_and_its_uris_resolve_against_srcroot(mutant_parent: Path) -> None:
    proc = rda(mutant_parent, "--format", "sarif", "--stages", "static,import,schema,behavior")
    document = json.loads(proc.stdout)
    validate_sarif(document)
    (run,) = document["runs"]
    root = Path(unquote(urlparse(run["originalUriBaseIds"]["%SRCROOT%"]["uri"]).path))
    located = [r for r in run["results"] if "locations" in r]
    assert located
    for result in located:
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert (root / unquote(artifact["uri"])).is_file()
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in run["results"]} <= set(rules)
    assert rules["RDA705"]["name"] == "expired-after-return"  # a dynamic code is named too
    assert rules["RDA104"]["name"]


def test_github_annotations_name_files_that_exist(mutant_parent: Path) -> None:
    proc = rda(mutant_parent, "--format", "github", "--stages", "static")
    lines = [line for line in proc.stdout.splitlines() if "file=" in line]
    assert lines
    for line in lines:
        file = line.split("file=", 1)[1].split(",", 1)[0]
        assert (mutant_parent / file).is_file(), line


def test_the_validation_rejects_what_code_scanning_would() -> None:
    good = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "rda"}}, "results": []}]}
    validate_sarif(good)
    unknown_key = json.loads(json.dumps(good))
    unknown_key["runs"][0]["tool"]["driver"]["nmae"] = "typo"
    with pytest.raises(ValueError, match="nmae"):
        validate_sarif(unknown_key)
    bad_level = json.loads(json.dumps(good))
    bad_level["runs"][0]["results"] = [{"message": {"text": "x"}, "level": "fatal"}]
    with pytest.raises(ValidationError):
        validate_sarif(bad_level)


def test_a_finding_without_a_file_is_still_valid_sarif() -> None:
    from verifier.findings import Finding, Severity
    from verifier.report.model import Report
    from verifier.report.render import render

    report = Report(tool="verify", target="app", root="app")
    report.findings = [
        Finding("RDA701", "no models module found", Severity.ERROR, stage="import"),
        Finding("RDA202", "no index", Severity.WARNING, file="models.py", line=3, stage="static"),
    ]
    document = json.loads(render(report, "sarif"))
    validate_sarif(document)
    results = document["runs"][0]["results"]
    assert [("locations" in r) for r in results] == [False, True]
