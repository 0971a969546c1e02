"""``rda skill ...`` from the command line: the real skills pass, broken ones fail with the reason,
bad input is a clear message with exit code 2."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from verifier.cli import main

from .helpers import EXPERTISE, REFERENCE, SKILL, copy_skill, replace_in

LINK = Path(__file__).resolve().parents[2] / ".claude" / "skills" / "relational-db-agent"


def rda(*args: str) -> int:
    return main(list(args))


@pytest.mark.parametrize("skill", [SKILL, EXPERTISE], ids=["skill", "expertise"])
def test_real_skills_pass_the_full_check(skill: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # runnable examples included, on the default database (RDA_DATABASE_URL, else embedded)
    code = rda("skill", "check", str(skill))
    out = capsys.readouterr().out
    assert code == 0, out
    assert "All checks passed" in out
    assert "runnable    passed" in out or skill.resolve() != SKILL.resolve()
    assert "layers      passed" in out  # the complete examples pass rda verify


def test_the_skill_checks_through_its_dot_claude_link(capsys: pytest.CaptureFixture[str]) -> None:
    """Read through the link, the skill is still valid (its name is the link's folder name).

    The examples it holds are the skill's own, run and verified by the test above.
    """
    code = rda("skill", "check", str(LINK), "--no-run")
    out = capsys.readouterr().out
    assert code == 0, out
    assert "All checks passed" in out


def test_the_link_in_dot_claude_is_the_skill() -> None:
    assert LINK.is_symlink()
    assert LINK.resolve() == SKILL.resolve()


def test_broken_copy_fails_with_the_reasons(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = copy_skill(SKILL, tmp_path)
    replace_in(broken / "SKILL.md", "name: relational-db-agent", "name: Relational_DB")
    replace_in(broken / "SKILL.md", "(references/testing.md)", "(references/tests.md)")
    code = rda("skill", "check", str(broken), "--no-run")
    out = capsys.readouterr().out
    assert code == 1
    lines = out.splitlines()

    def reported(code: str, message: str) -> bool:
        return any(code in line and message in line for line in lines)

    assert reported("SKL103", "name 'Relational_DB' must be lowercase")
    assert reported("SKL201", "link 'references/tests.md': references/tests.md does not exist")
    assert "fix: " in out
    assert "runnable    skipped" in out


def test_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = copy_skill(SKILL, tmp_path)
    replace_in(broken / "references" / "sessions.md", "## Expire on commit", "## Expiry")
    output = tmp_path / "report.json"
    code = rda("skill", "check", str(broken), "--no-run", "--format", "json", "-o", str(output))
    assert code == 1 and capsys.readouterr().out == ""
    report = json.loads(output.read_text())
    assert report["tool"] == "skill" and report["exit_code"] == 1
    found = {(f["code"], f["file"]) for f in report["findings"]}
    assert ("SKL501", "references/sessions.md") in found  # the skill_ref lost its heading
    assert ("SKL202", "references/quiz.md") in found  # and so did a link to it
    assert {s["name"] for s in report["stages"]} >= {"frontmatter", "examples", "skill-refs"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("skill", "check", "/nonexistent/skill"), "/nonexistent/skill does not exist"),
        (("skill", "package", "/nonexistent/skill"), "/nonexistent/skill does not exist"),
        (("skill", "check", str(SKILL), "--db", "nonsense"), "unknown database 'nonsense'"),
        (("skill", "assemble", str(SKILL), "--out", str(SKILL)), "is not empty"),
    ],
)
def test_bad_input_is_exit_2_with_a_message(
    args: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert rda(*args) == 2
    err = capsys.readouterr().err
    assert err.startswith("rda: error: ") and message in err
    assert "Traceback" not in err


def test_a_file_instead_of_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "SKILL.md"
    file.write_text("---\nname: x\n---\n")
    assert rda("skill", "check", str(file)) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_a_folder_without_skill_md_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    assert rda("skill", "check", str(tmp_path / "empty"), "--no-run") == 1
    out = capsys.readouterr().out
    assert "SKL101" in out and "the folder has no SKILL.md" in out


def test_package_and_assemble_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert rda("skill", "package", str(SKILL), "--out", str(tmp_path)) == 0
    archive = tmp_path / "relational-db-agent.skill"
    with zipfile.ZipFile(archive) as zf:
        assert "relational-db-agent/SKILL.md" in zf.namelist()
    assert rda("skill", "assemble", str(SKILL), "--out", str(tmp_path / "project")) == 0
    out = capsys.readouterr().out
    assert f"wrote {archive}" in out
    assert "taskapi/crud.py" in out and (tmp_path / "project" / "pyproject.toml").exists()


def test_sync_refreshes_the_capstone_from_the_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = copy_skill(SKILL, tmp_path)
    capstone = copy / "references" / "capstone-task-api.md"
    replace_in(capstone, "class TaskApiError(Exception):", "class TaskApiError(RuntimeError):")
    own_tests = capstone.read_text().split("# file: tests/conftest.py", 1)[1]

    assert rda("skill", "sync", str(copy), "--from", str(REFERENCE)) == 0
    assert "rda skill sync: updated taskapi/errors.py" in capsys.readouterr().out
    text = capstone.read_text()
    assert "class TaskApiError(Exception):" in text
    assert text.split("# file: tests/conftest.py", 1)[1] == own_tests  # its own tests stay

    assert rda("skill", "sync", str(copy), "--from", str(REFERENCE)) == 0
    assert "already teaches" in capsys.readouterr().out
