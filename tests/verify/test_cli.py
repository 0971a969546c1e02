"""``rda verify`` as a user runs it: formats, --jobs, discovery, usage errors."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.reference_copies import copy_reference, patch


def rda(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "verifier", *args], capture_output=True, text=True, cwd=cwd
    )


def test_json_report_of_the_reference(tmp_path: Path) -> None:
    target = copy_reference(tmp_path)
    proc = rda("verify", str(target), "--format", "json", "-q")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert report["schema_version"] == "1"
    assert report["findings"] == []
    assert [s["name"] for s in report["stages"]] == [
        "static",
        "import",
        "schema",
        "behavior",
        "migrations",
    ]
    assert all(s["status"] == "passed" for s in report["stages"])
    assert {"sqlalchemy", "sqlmodel", "alembic"} <= set(report["tool_versions"])


def test_jobs_verifies_targets_in_parallel_and_keeps_them_apart(tmp_path: Path) -> None:
    clean = copy_reference(tmp_path / "clean")
    broken = copy_reference(tmp_path / "broken")
    patch(
        broken,
        "taskapi/crud.py",
        "        await session.flush()  # assigns task.id",
        "        await session.commit()  # assigns task.id",
    )
    proc = rda(
        "verify",
        str(clean),
        str(broken),
        "--jobs",
        "2",
        "--format",
        "json",
        "-q",
        "--stages",
        "import,schema,behavior,migrations",
    )
    assert proc.returncode == 1, proc.stderr
    reports = {Path(r["target"]).parent.name: r for r in json.loads(proc.stdout)["reports"]}
    assert reports["clean"]["findings"] == []
    assert {f["code"] for f in reports["broken"]["findings"]} == {"RDA708"}


@pytest.mark.parametrize("fmt", ["sarif", "junit", "github", "text"])
def test_machine_formats_carry_the_finding(tmp_path: Path, fmt: str) -> None:
    target = copy_reference(tmp_path)
    patch(target, "taskapi/database.py", "expire_on_commit=False", "expire_on_commit=True")
    proc = rda("verify", str(target), "--format", fmt, "-q", "--stages", "import,schema,behavior")
    assert proc.returncode == 1, proc.stderr
    assert "RDA705" in proc.stdout
    if fmt == "sarif":
        sarif = json.loads(proc.stdout)
        assert sarif["version"] == "2.1.0"
        assert sarif["runs"][0]["results"]
    if fmt == "junit":
        assert ET.fromstring(proc.stdout).iter("failure")
    if fmt == "github":
        assert proc.stdout.startswith("::error")


def test_discovery_without_manifest_says_what_it_assumed(tmp_path: Path) -> None:
    target = copy_reference(tmp_path)
    (target / "pyproject.toml").unlink()
    proc = rda("verify", str(target), "--format", "json", "-q", "--stages", "import,schema")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assumptions = json.loads(proc.stdout)["assumptions"]
    assert any("models = taskapi.models (table=True classes)" in a for a in assumptions)
    assert any("no [tool.rda] manifest" in a for a in assumptions)
    assert any(a.startswith("contract = taskapi (the crud modules define") for a in assumptions)


def test_a_folder_without_a_layer_is_told_where_to_point(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("no code here\n", encoding="utf-8")
    proc = rda("verify", str(tmp_path), "--format", "json", "-q")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    [found] = json.loads(proc.stdout)["findings"]
    assert found["code"] == "RDA701" and "no models module found" in found["message"]
    assert "point rda verify at the folder" in found["fix"]
    assert "reported line" not in found["fix"]  # there is no line to fix


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("verify", "/no/such/dir"), "no such file or directory"),
        (("verify", ".", "--stages", "static,bogus"), "unknown stage"),
        (("verify", "README.md"), "is a file"),
        (("verify", ".", "--jobs", "0"), "--jobs"),
    ],
)
def test_usage_errors_are_exit_2_without_traceback(args: tuple[str, ...], message: str) -> None:
    proc = rda(*args, cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("command", "output", "message"),
    [
        ("verify", "/nonexistent/dir/out.sarif", "does not exist"),
        ("verify", "/", "is a directory"),
        ("lint", "/nonexistent/dir/out.json", "does not exist"),
        ("skill", "/nonexistent/dir/out.json", "does not exist"),
    ],
)
def test_an_unwritable_output_is_refused_before_any_work(
    tmp_path: Path, command: str, output: str, message: str
) -> None:
    target = copy_reference(tmp_path)
    args = {
        "verify": ("verify", str(target), "-o", output),
        "lint": ("lint", str(target), "-o", output),
        "skill": ("skill", "check", "skills/relational-db-agent", "--no-run", "-o", output),
    }[command]
    started = time.monotonic()
    proc = rda(*args, cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 2  # the error and its hint
    assert "rda: import" not in proc.stderr  # refused before any stage ran
    assert time.monotonic() - started < 5


def test_verify_defaults_to_the_current_directory(tmp_path: Path) -> None:
    target = copy_reference(tmp_path)
    proc = rda("verify", "--stages", "static", "--format", "json", "-q", cwd=target)
    assert proc.returncode == 0, proc.stderr
    assert Path(json.loads(proc.stdout)["target"]) == target.resolve()


def test_fail_on_warning_makes_a_warning_exit_1(tmp_path: Path) -> None:
    target = copy_reference(tmp_path)
    patch(  # a JSON column is RDA204, a warning
        target,
        "taskapi/models.py",
        'sa_column=Column(JSONB, nullable=False, server_default="[]")',
        'sa_column=Column(JSON, nullable=False, server_default="[]")',
    )
    patch(
        target,
        "taskapi/models.py",
        "from sqlalchemy import Column",
        "from sqlalchemy import JSON, Column",
    )
    default = rda("verify", str(target), "--stages", "static", "-q")
    assert default.returncode == 0 and "RDA204" in default.stdout
    strict = rda("verify", str(target), "--stages", "static", "-q", "--fail-on", "warning")
    assert strict.returncode == 1
    lint = rda("lint", str(target), "--fail-on", "warning")
    assert lint.returncode == 1 and "RDA204" in lint.stdout


def test_verify_help_says_which_sandbox_runs_the_code() -> None:
    proc = rda("verify", "--help")
    text = " ".join(proc.stdout.split())
    assert "bubblewrap" in text and "audit-hook only" in text
    assert "130 interrupted" in text
