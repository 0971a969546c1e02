"""``rda lint --claude-hook`` honours Claude Code's PostToolUse contract.

Exit 0 and silence when there is nothing to say; exit 2 with the findings on stderr (what
Claude reads); exit 1 with one line for rda's own failures, which never blocks the agent.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.lint.helpers import run_cli


def _payload(file_path: str | None, cwd: Path, tool: str = "Write") -> str:
    tool_input = {"content": "..."} | ({"file_path": file_path} if file_path is not None else {})
    return json.dumps(
        {
            "session_id": "abc",
            "hook_event_name": "PostToolUse",
            "tool_name": tool,
            "tool_input": tool_input,
            "cwd": str(cwd),
        }
    )


def _hook(stdin: str, cwd: Path):
    return run_cli("lint", "--claude-hook", cwd=cwd, stdin=stdin)


def test_findings_exit_2_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "crud.py"
    path.write_text(
        "from sqlmodel.ext.asyncio.session import AsyncSession\n\n\n"
        "async def save(session: AsyncSession) -> None:\n    session.commit()\n",
        encoding="utf-8",
    )
    result = _hook(_payload(str(path), tmp_path), tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "rda lint found 1 problem in crud.py" in result.stderr
    assert "RDA101" in result.stderr and "fix: write `await session.commit()`" in result.stderr


def test_relative_path_resolves_against_cwd(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(
        "from datetime import datetime\nfrom sqlmodel import Field, SQLModel\n\n\n"
        "class T(SQLModel, table=True):\n"
        "    id: int | None = Field(default=None, primary_key=True)\n"
        "    at: datetime = Field(default_factory=datetime.utcnow)\n",
        encoding="utf-8",
    )
    result = _hook(_payload("m.py", tmp_path, tool="Edit"), Path("/"))
    assert result.returncode == 2 and "RDA201" in result.stderr


def test_clean_non_python_missing_and_absent_files_are_silent(tmp_path: Path) -> None:
    clean = tmp_path / "ok.py"
    clean.write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("# hi\n", encoding="utf-8")
    for payload in (
        _payload(str(clean), tmp_path),
        _payload(str(tmp_path / "README.md"), tmp_path),
        _payload(str(tmp_path / "deleted.py"), tmp_path),
        _payload(None, tmp_path),
        json.dumps({"tool_name": "Bash", "tool_input": {"command": "ls"}}),
    ):
        result = _hook(payload, tmp_path)
        assert (result.returncode, result.stdout, result.stderr) == (0, "", ""), payload


def test_input_that_is_not_a_hook_event_is_a_usage_error(tmp_path: Path) -> None:
    for text in ("{not json", "[1, 2]"):
        result = _hook(text, tmp_path)
        assert result.returncode == 2, text
        assert result.stderr.count("\n") == 1 and "rda lint PATH" in result.stderr


def test_internal_error_exits_1_with_one_line(tmp_path: Path) -> None:
    broken_config = tmp_path / "proj"
    broken_config.mkdir()
    (broken_config / "rda.toml").write_text("[lint]\nselect = 3\n", encoding="utf-8")
    (broken_config / "x.py").write_text("x = 1\n", encoding="utf-8")
    result = _hook(_payload(str(broken_config / "x.py"), broken_config), broken_config)
    assert result.returncode == 1 and result.stderr.count("\n") == 1
