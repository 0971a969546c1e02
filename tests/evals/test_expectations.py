"""The ``checks`` format: each key fires where it must and stays silent where it must not."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.evals.conftest import SKILL
from verifier.errors import UsageError
from verifier.evals.evalset import load_eval_set
from verifier.evals.expectations import (
    NEEDS_HUMAN,
    check_problems,
    grade,
    reporting_stages,
    verify_problems,
    verify_settings,
)


def report(*findings: dict[str, Any], **stages: str) -> dict[str, Any]:
    statuses = {"static": "passed", "import": "passed", "schema": "passed"} | stages
    return {
        "exit_code": int(any(f.get("severity", "error") == "error" for f in findings)),
        "stages": [{"name": n, "status": s, "note": None} for n, s in statuses.items()],
        "findings": [
            {"severity": "error", "stage": "static", "file": "app/db.py", "line": 3} | f
            for f in findings
        ],
    }


def test_absent_fires_on_a_matching_code_and_globs(tmp_path: Path) -> None:
    found = report({"code": "RDA202", "message": "no index", "skill_ref": "r.md#x"})
    result = grade({"absent": ["RDA2*"]}, found, tmp_path)
    assert not result.passed
    assert result.evidence == "RDA202 at app/db.py:3 (static): no index"
    assert result.findings[0]["skill_ref"] == "r.md#x"
    assert grade({"absent": ["RDA104", "RDA3*"]}, found, tmp_path).passed


def test_absent_needs_the_reporting_stage_to_have_run(tmp_path: Path) -> None:
    skipped = report(behavior="skipped")
    result = grade({"absent": ["RDA705"]}, skipped, tmp_path)
    assert not result.passed and "behavior: skipped" in result.evidence
    assert grade({"absent": ["RDA705"]}, report(behavior="passed"), tmp_path).passed
    # the import stopped (RDA701): the mappers never configured, RDA702's absence shows nothing
    stopped = report({"code": "RDA701", "stage": "import", "message": "x"}, import_="failed")
    stopped["stages"] = [
        {"name": "static", "status": "passed"},
        {"name": "import", "status": "failed"},
    ]
    assert not grade({"absent": ["RDA702"]}, stopped, tmp_path).passed
    # a static code needs only the static stage
    assert grade({"absent": ["RDA104"]}, stopped, tmp_path).passed


def test_reporting_stages() -> None:
    assert reporting_stages("RDA104") == {"static"}
    assert reporting_stages("F401") == {"static"}
    assert reporting_stages("RDA70[34]") == {"schema"}
    assert reporting_stages("RDA8*") == {"migrations"}
    assert reporting_stages("RDA713") == set()
    assert reporting_stages("RDA*") >= {"static", "import", "schema", "behavior", "migrations"}


def test_present_exit_files_stage(tmp_path: Path) -> None:
    found = report({"code": "RDA104", "message": "expire"}, behavior="failed")
    assert grade({"present": ["RDA104"]}, found, tmp_path).passed
    missing = grade({"present": ["RDA104", "RDA105"]}, found, tmp_path)
    assert not missing.passed and missing.evidence == "expected RDA105, the report has none"
    assert grade({"exit": 1}, found, tmp_path).passed
    wrong_exit = grade({"exit": 0}, found, tmp_path)
    assert not wrong_exit.passed and "exited 1 (error-level: RDA104), expected 0" in (
        wrong_exit.evidence
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "models.py").write_text("")
    assert grade({"files": ["app/models.py"]}, found, tmp_path).passed
    assert not grade({"files": ["app/models.py", "alembic.ini"]}, found, tmp_path).passed
    assert grade({"stage": {"behavior": "failed"}}, found, tmp_path).passed
    stage = grade({"stage": {"behavior": "passed", "schema": "passed"}}, found, tmp_path)
    assert not stage.passed and stage.evidence == "stage behavior failed (expected passed)"


def test_every_key_must_hold(tmp_path: Path) -> None:
    found = report()
    both = grade({"absent": ["RDA104"], "files": ["nothing.py"]}, found, tmp_path)
    assert not both.passed and both.evidence == "missing from outputs/: nothing.py"


def test_null_needs_a_person(tmp_path: Path) -> None:
    result = grade(None, report(), tmp_path)
    assert not result.passed and result.evidence == NEEDS_HUMAN


def test_check_problems() -> None:
    assert check_problems(["a", "b"], [{"absent": ["RDA104"]}, None]) == []
    assert check_problems(["a"], None) == []
    assert "checks has 1 entries for 2 expectations" in check_problems(["a", "b"], [None])[0]
    problems = check_problems(
        ["a", "b", "c", "d"],
        [{"absnt": ["X"]}, {"absent": []}, {"exit": "0"}, {"stage": {"behaviour": "ok"}}],
    )
    assert problems == [
        "checks[0]: unknown key 'absnt' (known: absent, present, exit, files, stage)",
        "checks[1]: absent must be a non-empty list of strings",
        "checks[2]: exit must be 0, 1 or 2",
        "checks[3]: stage 'behaviour' is not one of static, import, schema, behavior, migrations",
        "checks[3]: stage behaviour: status 'ok' is not one of passed, failed, skipped, not run",
    ]


def test_verify_problems_and_settings(tmp_path: Path) -> None:
    assert verify_problems({"contract": "taskapi", "stages": ["static"]}) == []
    assert verify_problems({"contract": "", "stage": []}) == [
        "verify: unknown key 'stage' (known: contract, stages)",
        'verify: contract must be "taskapi", "none", "auto" or a path',
    ]
    assert verify_settings(None, tmp_path).contract is None
    assert verify_settings({"contract": "auto"}, tmp_path).contract is None
    assert verify_settings({"contract": "none"}, tmp_path).contract == "none"
    custom = verify_settings(
        {"contract": "evals/files/c.py", "stages": ["import", "static"]}, tmp_path
    )
    assert custom.contract == str((tmp_path / "evals/files/c.py").resolve())
    assert custom.stages == ("static", "import")  # in pipeline order


def test_a_malformed_evals_file_stops_rda_eval(tmp_path: Path) -> None:
    skill = tmp_path / "skill"
    shutil.copytree(SKILL, skill)
    data = json.loads((skill / "evals" / "evals.json").read_text())
    data["evals"][0]["checks"] = data["evals"][0]["checks"][:2]
    (skill / "evals" / "evals.json").write_text(json.dumps(data))
    with pytest.raises(UsageError, match="eval 1: checks has 2 entries for 4 expectations"):
        load_eval_set(skill)


def test_the_skill_evals_load_with_their_checks() -> None:
    evalset = load_eval_set(SKILL)
    assert all(len(c.checks) == len(c.expectations) for c in evalset.cases.values())
    assert evalset.cases[12].settings.contract == "taskapi"
    assert evalset.cases[1].settings.stages == ("static", "import", "schema")
