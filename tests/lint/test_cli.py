"""``rda lint``, ``rda rules`` and ``rda rule`` as processes: exit codes, formats, bad input."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.lint.helpers import run_cli

BAD = (
    "from sqlmodel.ext.asyncio.session import AsyncSession\n\n\n"
    "async def save(session: AsyncSession) -> None:\n    session.commit()\n"
)
CLEAN = (
    "from sqlmodel.ext.asyncio.session import AsyncSession\n\n\n"
    "async def save(session: AsyncSession) -> None:\n    await session.commit()\n"
)


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "bad.py").write_text(BAD, encoding="utf-8")
    (tmp_path / "clean.py").write_text(CLEAN, encoding="utf-8")
    return tmp_path


def test_exit_codes_clean_findings_and_usage(files: Path) -> None:
    clean = run_cli("lint", "clean.py", cwd=files)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "All checks passed" in clean.stdout
    bad = run_cli("lint", "bad.py", cwd=files)
    assert bad.returncode == 1
    assert "bad.py\n" in bad.stdout and "RDA101" in bad.stdout
    assert "fix: write `await session.commit()`" in bad.stdout
    assert "see: references/sessions.md#await-every-database-call" in bad.stdout
    missing = run_cli("lint", "nope.py", cwd=files)
    assert missing.returncode == 2 and "nope.py: no such file or directory" in missing.stderr
    assert "Traceback" not in missing.stderr
    option = run_cli("lint", "--frobnicate", cwd=files)
    assert option.returncode == 2 and "unrecognized arguments" in option.stderr
    selector = run_cli("lint", "--select", "RDA999", "bad.py", cwd=files)
    assert selector.returncode == 2 and "RDA999" in selector.stderr


def test_warnings_alone_exit_zero(tmp_path: Path) -> None:
    (tmp_path / "engine.py").write_text(
        "from sqlalchemy.ext.asyncio import create_async_engine\n"
        'engine = create_async_engine("postgresql+asyncpg://app@db/app")\n',
        encoding="utf-8",
    )
    result = run_cli("lint", "engine.py", cwd=tmp_path)
    assert result.returncode == 0 and "RDA604" in result.stdout and "1 warning" in result.stdout


def test_unparsable_undecodable_empty_and_large_files(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def f(:\n    pass\n", encoding="utf-8")
    (tmp_path / "latin.py").write_bytes(b'x = "\xe9t\xe9"\n')
    (tmp_path / "empty.py").write_text("", encoding="utf-8")
    (tmp_path / "big.py").write_text("x = 1\n" * 400, encoding="utf-8")
    (tmp_path / "rda.toml").write_text("[lint]\nmax-file-size = 1000\n", encoding="utf-8")
    result = run_cli("lint", "--format", "json", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    by_file = {(f["file"], f["code"]): f for f in report["findings"]}
    assert by_file[("broken.py", "RDA000")]["line"] == 1
    assert "syntax error" in by_file[("broken.py", "RDA000")]["message"]
    assert "not valid UTF-8" in by_file[("latin.py", "RDA000")]["message"]
    assert by_file[("big.py", "RDA000")]["severity"] == "warning"
    assert not any(f["file"] == "empty.py" for f in report["findings"])
    assert not any(f["code"] == "invalid-syntax" for f in report["findings"])  # RDA000 covers it


def test_symlink_loops(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "ok.py").write_text(CLEAN, encoding="utf-8")
    os.symlink(tmp_path / "pkg", tmp_path / "pkg" / "again")
    (tmp_path / "pkg" / "loop_a").symlink_to(tmp_path / "pkg" / "loop_b")
    (tmp_path / "pkg" / "loop_b.py").symlink_to(tmp_path / "pkg" / "loop_a")
    walked = run_cli("lint", "--format", "json", "pkg", cwd=tmp_path)
    assert walked.returncode == 0, walked.stdout + walked.stderr
    report = json.loads(walked.stdout)
    assert "1 file(s)" in report["stages"][0]["note"]  # ok.py once; pkg/again not followed
    assert any("loop_b.py: broken or looping symbolic link" in n for n in report["assumptions"])
    os.symlink(tmp_path / "a", tmp_path / "b")
    os.symlink(tmp_path / "b", tmp_path / "a")
    direct = run_cli("lint", "a", cwd=tmp_path)
    assert direct.returncode == 2 and "symbolic link loop" in direct.stderr


def test_not_a_python_file_and_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    assert run_cli("lint", "notes.txt", cwd=tmp_path).returncode == 2
    (tmp_path / "empty").mkdir()
    result = run_cli("lint", "empty", cwd=tmp_path)
    assert result.returncode == 0 and "no Python files found" in result.stdout


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit", "github"])
def test_machine_formats(files: Path, fmt: str) -> None:
    result = run_cli("lint", "--format", fmt, "bad.py", cwd=files)
    assert result.returncode == 1
    out = result.stdout
    if fmt == "json":
        data = json.loads(out)
        assert data["tool"] == "lint" and data["findings"][0]["code"] == "RDA101"
        assert data["tool_versions"]["ruff"] != "unknown"
    elif fmt == "sarif":
        data = json.loads(out)
        assert data["version"] == "2.1.0"
        assert data["runs"][0]["results"][0]["ruleId"] == "RDA101"
    elif fmt == "junit":
        root = ET.fromstring(out)
        assert root.get("failures") == "1"
    else:
        assert out.startswith("::error file=bad.py,line=5,col=5,title=RDA101::")


def test_output_file(files: Path) -> None:
    result = run_cli("lint", "--format", "json", "-o", "report.json", "bad.py", cwd=files)
    assert result.returncode == 1 and result.stdout == ""
    assert json.loads((files / "report.json").read_text(encoding="utf-8"))["exit_code"] == 1


def test_rules_and_rule() -> None:
    listing = run_cli("rules")
    assert listing.returncode == 0
    assert sum(1 for line in listing.stdout.splitlines() if line.startswith("RDA")) >= 31
    one = run_cli("rule", "rda104")
    assert one.returncode == 0
    assert one.stdout.startswith("# expire-on-commit-not-disabled (RDA104)")
    assert (
        "## Use instead" in one.stdout and "references/sessions.md#expire-on-commit" in one.stdout
    )
    unknown = run_cli("rule", "RDA999")
    assert unknown.returncode == 2 and "unknown rule RDA999" in unknown.stderr
    ruff_rule = run_cli("rule", "DTZ005")
    assert ruff_rule.returncode == 0 and "call-datetime-now-without-tzinfo" in ruff_rule.stdout
    data = json.loads(run_cli("rules", "--format", "json").stdout)
    assert {"code", "name", "summary", "severity", "skill_ref"} <= set(data[0])
