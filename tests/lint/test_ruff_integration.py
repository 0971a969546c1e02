"""ruff's curated rules in the same report: mapped, deduplicated, run once per invocation."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from verifier import skill_refs
from verifier.errors import InfrastructureError
from verifier.lint import lint_source, ruff_runner
from verifier.lint.runner import lint_paths
from verifier.lint.selection import RUFF_DEFAULT


def test_ruff_findings_are_findings_with_skill_refs() -> None:
    source = "from datetime import datetime\n\n\ndef stamp():\n    return datetime.now()\n"
    found = {f.code: f for f in lint_source(source, "stamp.py")}
    dtz = found["DTZ005"]
    assert dtz.line == 5 and dtz.col == 12 and dtz.stage == "static"
    assert dtz.skill_ref == skill_refs.MODELS_TIMESTAMPS
    assert dtz.details["url"].startswith("https://docs.astral.sh/ruff/rules/")


def test_curated_selection_and_fastapi_depends_is_not_b008() -> None:
    assert {"F", "E9", "B", "ASYNC", "DTZ", "S608"} <= set(RUFF_DEFAULT)
    source = (
        "from fastapi import Depends\n\n\n"
        "async def endpoint(session=Depends(get_session), x=make()):\n    return session, x\n"
    )
    codes = [f.code for f in lint_source(source, "api.py")]
    assert codes.count("B008") == 1  # make() is; Depends() is not


def test_rda602_supersedes_s608_on_the_same_line() -> None:
    source = (
        "from sqlalchemy import text\n\n\n"
        "def query(name):\n"
        "    return text(f\"SELECT * FROM task WHERE title = '{name}'\")\n"
    )
    codes = [f.code for f in lint_source(source, "q.py")]
    assert "RDA602" in codes and "S608" not in codes
    ddl = (
        "from alembic import op\n\n\n"
        "def upgrade(t):\n    op.execute(f'CREATE INDEX ix ON {t} (id)')\n"
    )
    assert [f.code for f in lint_source(ddl, "m.py")] == ["RDA602"]


def test_noqa_for_ruff_codes_and_rda_codes_on_one_line() -> None:
    source = "import os  # noqa: F401\nimport sys  # noqa: RDA101\n"
    assert [f.code for f in lint_source(source, "x.py")] == ["F401"]


def test_select_reaches_ruff_and_unknown_ruff_selector_is_a_usage_error() -> None:
    from verifier.errors import UsageError

    source = "import os\nfrom datetime import datetime\nx = datetime.now()\n"
    assert [f.code for f in lint_source(source, "x.py", select=["DTZ"])] == ["DTZ005"]
    with pytest.raises(UsageError, match="ruff rejected"):
        lint_source(source, "x.py", select=["ZZZ9"])


def test_ruff_runs_once_per_invocation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(5):
        (tmp_path / f"m{index}.py").write_text("import os\n", encoding="utf-8")
    calls = []
    real = ruff_runner.RuffJob.__init__

    def counting(self, cmd, stdin=None):
        calls.append(cmd)
        real(self, cmd, stdin)

    monkeypatch.setattr(ruff_runner.RuffJob, "__init__", counting)
    report = lint_paths([tmp_path])
    assert len(calls) == 1
    assert sorted(f.code for f in report.findings) == ["F401"] * 5


def _environment_of_a_ruff_process() -> list[bytes]:
    """The environment of a ruff process rda starts, read while ruff waits for its stdin.

    Read once the child has become ruff: just after the start it may still be the forked
    copy of this process, or be inside ``execve`` with no environment yet."""
    binary = ruff_runner.ruff_binary()
    cmd = [binary, "check", "--isolated", "--no-cache", "--exit-zero"]
    job = ruff_runner.RuffJob([*cmd, "--output-format", "json", "-"], stdin="x = 1\n")
    proc = Path(f"/proc/{job.proc.pid}")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            environ = (proc / "environ").read_bytes()
            if environ and os.path.realpath(proc / "exe") == os.path.realpath(binary):
                return environ.split(b"\0")
            time.sleep(0.005)
        pytest.fail("the ruff process did not start within 30 s")
    finally:
        assert job.items() == []


def test_ruff_runs_on_one_thread_unless_the_user_sized_its_pool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ruff runs beside the rule pass, which uses the cores: its thread pool is one thread,
    unless the user set ``RAYON_NUM_THREADS`` (then theirs is kept)."""
    monkeypatch.delenv("RAYON_NUM_THREADS", raising=False)
    assert b"RAYON_NUM_THREADS=1" in _environment_of_a_ruff_process()
    monkeypatch.setenv("RAYON_NUM_THREADS", "3")
    environment = _environment_of_a_ruff_process()
    assert b"RAYON_NUM_THREADS=3" in environment
    assert b"RAYON_NUM_THREADS=1" not in environment


def _printing(text: str) -> list[str]:
    """A command that prints ``text`` as ruff would print its JSON (it stands in for ruff)."""
    return [sys.executable, "-c", f"import sys; sys.stdout.write({text!r})"]


@pytest.mark.parametrize("printed", ["[]", "[]\n", ""])
def test_ruff_finding_nothing_gives_no_items(printed: str) -> None:
    assert ruff_runner.RuffJob(_printing(printed)).items() == []


def test_ruff_s_items_are_read_from_its_json() -> None:
    job = ruff_runner.RuffJob(_printing('[{"code": "F401", "filename": "a.py"}]'))
    assert job.items() == [{"code": "F401", "filename": "a.py"}]


@pytest.mark.parametrize(
    ("printed", "message"),
    [("not json", "ruff printed invalid JSON"), ('{"code": "F401"}', "not a list")],
)
def test_ruff_printing_what_is_no_list_of_findings_is_an_infrastructure_error(
    printed: str, message: str
) -> None:
    with pytest.raises(InfrastructureError, match=message):
        ruff_runner.RuffJob(_printing(printed)).items()
