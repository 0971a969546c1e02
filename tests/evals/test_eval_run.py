"""``rda eval run`` with a stand-in agent: a script that reads the prompt on stdin and writes a
layer, a right one when the skill is installed under .claude/skills/, a wrong one otherwise."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.evals.conftest import SKILL, database_spec
from verifier.cli import main

AGENT = """
import pathlib, sys, time
prompt = sys.stdin.read()
here = pathlib.Path.cwd()
skilled = (here / ".claude" / "skills" / "relational-db-agent" / "SKILL.md").is_file()
assert not (here / ".claude" / "skills" / "relational-db-agent" / "evals").exists()
if "HANG" in pathlib.Path(sys.argv[1]).read_text():
    time.sleep(60)
(here / "app").mkdir()
(here / "app" / "__init__.py").write_text("")
imports = "from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine"
lines = ["import os", "", imports, ""]
if skilled:
    lines += [
        'raw = os.environ["DATABASE_URL"]',
        'url = raw.replace("postgres://", "postgresql+asyncpg://", 1).replace(',
        '    "postgresql://", "postgresql+asyncpg://", 1',
        ")",
        "engine = create_async_engine(url, pool_pre_ping=True)",
    ]
else:
    lines.append('engine = create_async_engine("postgresql+asyncpg://u:pw@db/app")')
lines += [
    "factory = async_sessionmaker(engine, expire_on_commit=False)",
    "",
    "",
    "async def get_session():",
    "    async with factory() as session:",
    "        yield session",
]
(here / "app" / "database.py").write_text("\\n".join(lines) + "\\n")
print("prompt had", len(prompt), "characters; skill installed:", skilled)
"""


@pytest.fixture
def agent(tmp_path: Path) -> tuple[str, Path]:
    script = tmp_path / "agent.py"
    script.write_text(AGENT)
    mode = tmp_path / "mode"
    mode.write_text("normal")
    return f"{sys.executable} {script} {mode}", mode


def test_eval_run_produces_grades_and_times(
    agent: tuple[str, Path], tmp_path: Path, pytestconfig: pytest.Config, capsys: Any
) -> None:
    command, _ = agent
    workspace = tmp_path / "ws"
    code = main(
        [
            "eval", "run", str(workspace), "--skill", str(SKILL), "--agent", command,
            "--runs", "2", "--evals", "2", "--jobs", "2", "--quiet",
            "--db", database_spec(pytestconfig),
        ]
    )  # fmt: skip
    assert code == 0
    runs = sorted(workspace.glob("eval-2/*/run-*"))
    assert [f"{r.parent.name}/{r.name}" for r in runs] == [
        "with_skill/run-1",
        "with_skill/run-2",
        "without_skill/run-1",
        "without_skill/run-2",
    ]
    for run in runs:
        timing = json.loads((run / "timing.json").read_text())
        assert timing["total_duration_seconds"] > 0
        assert set(timing) >= {"duration_ms", "executor_start", "executor_end"}
        assert not (run / "outputs" / ".claude").exists()
        transcript = (run / "transcript.md").read_text()
        assert "## Eval Prompt\n\nOur hosting provider" in transcript and ": exit 0" in transcript
        grading = json.loads((run / "grading.json").read_text())
        assert grading["timing"]["executor_duration_seconds"] == round(
            timing["executor_duration_seconds"], 3
        )
    metadata = json.loads((workspace / "eval-2" / "eval_metadata.json").read_text())
    assert metadata["eval_id"] == 2 and metadata["prompt"].startswith("Our hosting provider")
    benchmark = json.loads((workspace / "benchmark.json").read_text())
    summary = benchmark["run_summary"]
    assert summary["with_skill"]["pass_rate"]["mean"] == 1.0
    # without the skill: credentials in the URL (RDA601) and no pool_pre_ping (RDA604)
    assert summary["without_skill"]["pass_rate"]["mean"] == 0.5
    assert summary["delta"]["pass_rate"] == "+0.50"
    assert summary["with_skill"]["time_seconds"]["mean"] > 0
    # run again into the same workspace: refused unless --overwrite
    again = ["eval", "run", str(workspace), "--skill", str(SKILL), "--agent", command]
    assert main([*again, "--evals", "2", "--quiet"]) == 2
    assert "--overwrite" in capsys.readouterr().err


def test_an_agent_that_hangs_is_killed_and_its_run_fails(
    agent: tuple[str, Path], tmp_path: Path, pytestconfig: pytest.Config
) -> None:
    command, mode = agent
    mode.write_text("HANG")
    workspace = tmp_path / "ws"
    code = main(
        [
            "eval", "run", str(workspace), "--skill", str(SKILL), "--agent", command,
            "--evals", "3", "--configurations", "without_skill", "--agent-timeout", "1",
            "--quiet", "--db", database_spec(pytestconfig),
        ]
    )  # fmt: skip
    assert code == 0
    run = workspace / "eval-3" / "without_skill" / "run-1"
    assert "timed out after 1 s" in (run / "transcript.md").read_text()
    grading = json.loads((run / "grading.json").read_text())
    assert grading["summary"]["passed"] == 0
    assert grading["expectations"][0]["evidence"] == "not verified: outputs/ holds no Python file"


def test_bad_agent_commands_are_usage_errors(tmp_path: Path, capsys: Any) -> None:
    base = ["eval", "run", str(tmp_path / "ws"), "--skill", str(SKILL)]
    assert main(base) == 2
    assert "needs --agent" in capsys.readouterr().err
    assert main([*base, "--agent", "no-such-agent-command -p"]) == 2
    assert "is not a command on PATH" in capsys.readouterr().err
    assert main([*base, "--agent", "true", "--configurations", "old_skill"]) == 2
    assert "unknown configuration(s) old_skill" in capsys.readouterr().err
