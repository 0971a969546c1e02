"""The Claude Code wiring: the project hook, the plugin's hook, the plugin manifest, the command.

The hooks are run the way Claude Code runs them: the configured command string through a shell,
with a PostToolUse JSON object on stdin. Exit 2 puts stderr in front of Claude; exit 0 is silent.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .helpers import REFERENCE, ROOT

SETTINGS = ROOT / ".claude" / "settings.json"
PLUGIN_HOOKS = ROOT / "hooks" / "hooks.json"
PLUGIN = ROOT / ".claude-plugin" / "plugin.json"
COMMAND = ROOT / ".claude" / "commands" / "verify-db.md"

EXPIRING_SESSIONS = """\
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

engine = create_async_engine("postgresql+asyncpg://localhost/app", pool_pre_ping=True)


async def get_session():
    async with AsyncSession(engine) as session:
        yield session
"""
REFERENCE_FILES = sorted(
    [
        *(REFERENCE / "taskapi").glob("*.py"),
        REFERENCE / "alembic" / "env.py",
        REFERENCE / "alembic.ini",
    ]
)


def post_tool_use(file_path: Path, tool: str = "Write") -> str:
    """What Claude Code sends a PostToolUse hook after Write/Edit."""
    return json.dumps(
        {
            "session_id": "test",
            "transcript_path": "/tmp/transcript.jsonl",
            "cwd": str(file_path.parent),
            "hook_event_name": "PostToolUse",
            "tool_name": tool,
            "tool_input": {"file_path": str(file_path), "content": file_path.read_text()},
            "tool_response": {"filePath": str(file_path), "success": True},
        }
    )


def only_hook(config: dict) -> tuple[str, dict]:
    [group] = config["PostToolUse"]
    [hook] = group["hooks"]
    assert hook["type"] == "command"
    return group["matcher"], hook


def run_hook(
    command: str, stdin: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    base = dict(os.environ)
    # the interpreter running the tests is the one rda is installed in
    base["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{base.get('PATH', '')}"
    return subprocess.run(
        ["bash", "-c", command],
        input=stdin,
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        timeout=60,
    )


@pytest.fixture
def wrong_file(tmp_path: Path) -> Path:
    path = tmp_path / "database.py"
    path.write_text(EXPIRING_SESSIONS)
    return path


def test_project_settings_run_rda_lint_after_write_and_edit() -> None:
    matcher, hook = only_hook(json.loads(SETTINGS.read_text())["hooks"])
    assert matcher == "Write|Edit"
    assert hook["command"] == "rda lint --claude-hook"


def test_project_hook_blocks_on_expire_on_commit(wrong_file: Path) -> None:
    _, hook = only_hook(json.loads(SETTINGS.read_text())["hooks"])
    result = run_hook(hook["command"], post_tool_use(wrong_file))
    assert result.returncode == 2, result.stderr
    assert "RDA104" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("path", REFERENCE_FILES, ids=lambda p: p.relative_to(REFERENCE).as_posix())
def test_project_hook_is_silent_on_the_reference_implementation(path: Path) -> None:
    _, hook = only_hook(json.loads(SETTINGS.read_text())["hooks"])
    result = run_hook(hook["command"], post_tool_use(path, tool="Edit"))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_plugin_hook_config_shape() -> None:
    config = json.loads(PLUGIN_HOOKS.read_text())
    assert config["description"]
    matcher, hook = only_hook(config["hooks"])
    assert matcher == "Write|Edit"
    assert "${CLAUDE_PLUGIN_ROOT}" in hook["command"]
    assert "rda lint --claude-hook" in hook["command"]


def test_plugin_hook_blocks_with_rda_installed(wrong_file: Path) -> None:
    _, hook = only_hook(json.loads(PLUGIN_HOOKS.read_text())["hooks"])
    result = run_hook(hook["command"], post_tool_use(wrong_file), {"CLAUDE_PLUGIN_ROOT": str(ROOT)})
    assert result.returncode == 2 and "RDA104" in result.stderr


def test_plugin_hook_without_rda_says_how_to_install_it_and_lets_the_edit_through(
    wrong_file: Path,
) -> None:
    """Without rda on PATH the hook cannot lint: one line saying how to install it, exit 0.

    Exit 2 would block every edit Claude makes in a project that has not installed rda yet.
    """
    _, hook = only_hook(json.loads(PLUGIN_HOOKS.read_text())["hooks"])
    result = subprocess.run(
        ["/bin/bash", "-c", hook["command"]],
        input=post_tool_use(wrong_file),
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "CLAUDE_PLUGIN_ROOT": str(ROOT), "HOME": "/tmp"},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert "rda is not installed" in line and f'pip install "{ROOT}"' in line


def test_plugin_manifest() -> None:
    manifest = json.loads(PLUGIN.read_text())
    assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", manifest["name"])
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert manifest["description"]
    for path in manifest.get("commands", []):
        assert path.startswith("./") and (ROOT / path).is_file(), path
    # both skills, each a folder with its SKILL.md
    skills = manifest["skills"]
    assert {Path(p).name for p in skills} == {"relational-db-agent", "building-with-sqlmodel-async"}
    for path in skills:
        assert path.startswith("./") and (ROOT / path / "SKILL.md").is_file(), path
    assert PLUGIN_HOOKS.is_file() and "hooks" not in manifest  # loaded from hooks/ by default


def test_verify_db_command() -> None:
    text = COMMAND.read_text()
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["description"]
    assert "Bash(rda verify:*)" in front["allowed-tools"]
    body = text.split("---\n", 2)[2]
    assert "rda verify $ARGUMENTS" in body and "skill_ref" in body
