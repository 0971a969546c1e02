"""The ``rda-lint`` hook of ``.pre-commit-hooks.yaml`` works through pre-commit itself.

pre-commit installs the hook from a git repository and runs it on a sample project, from a
``.pre-commit-config.yaml`` naming the repository and revision, as a user's would. The
repository is a snapshot of the installable part of this working tree (uncommitted and untracked
files included, ignored ones left out). Both runs share one pre-commit home, so the second
reuses the hook environment the first installed, as it does for a user (``pre-commit try-repo``
installs into a throwaway store on every call: two installs).

Installing the hook is pre-commit's own: a virtualenv, then ``pip install .`` in it, which
resolves and installs every dependency the package declares, through pip's own configuration
and cache; pip compiles no bytecode ahead (``PIP_NO_COMPILE``: a third of the install's CPU,
and the imports compile what runs).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.lint.helpers import REPO

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "rda tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "rda tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00+00:00",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
# What installing the hook needs: the package and its metadata (not the tests, skill, docs).
_INSTALLED = ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml", "verifier")
BROKEN = """\
from sqlmodel.ext.asyncio.session import AsyncSession


async def save(session: AsyncSession, obj: object) -> None:
    session.add(obj)
    session.commit()
"""


def _pre_commit() -> str | None:
    beside = Path(sys.executable).with_name("pre-commit")
    return str(beside) if beside.exists() else shutil.which("pre-commit")


def _git(*args: str, cwd: Path) -> str:
    env = {**os.environ, **_GIT_ENV}
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def _snapshot(target: Path) -> Path:
    """This working tree as a one-commit git repository at ``target``."""
    listed = _git(
        "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *_INSTALLED, cwd=REPO
    )
    target.mkdir(parents=True)
    for name in sorted(set(filter(None, listed.split("\0")))):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    _git("init", "-q", "-b", "main", cwd=target)
    _git("add", "-A", cwd=target)
    _git("commit", "-q", "-m", "snapshot", cwd=target)
    return target


def _sample(path: Path, source: str) -> Path:
    path.mkdir()
    (path / "db.py").write_text(source, encoding="utf-8")
    _git("init", "-q", "-b", "main", cwd=path)
    _git("add", "-A", cwd=path)
    return path


def test_the_hook_manifest_runs_rda_lint() -> None:
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "rda-lint"
    assert hook["entry"] == "rda lint" and hook["language"] == "python"
    assert hook["require_serial"] is True  # one run sees models and their users together


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _snapshot(tmp_path_factory.mktemp("pre-commit") / "repo")


@pytest.mark.skipif(
    _pre_commit() is None, reason="pre-commit is not installed (pip install pre-commit)"
)
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_pre_commit_runs_the_hook_reports_and_then_passes(hook_repo: Path, tmp_path: Path) -> None:
    revision = _git("rev-parse", "HEAD", cwd=hook_repo).strip()
    config = tmp_path / "pre-commit-config.yaml"
    config.write_text(
        yaml.safe_dump(
            {"repos": [{"repo": str(hook_repo), "rev": revision, "hooks": [{"id": "rda-lint"}]}]}
        ),
        encoding="utf-8",
    )
    env = {
        **os.environ,
        **_GIT_ENV,
        "PRE_COMMIT_HOME": str(tmp_path / "home"),
        "PIP_NO_COMPILE": "1",  # the hook's `pip install .`: no bytecode compiled ahead
    }
    env.pop("RDA_DATABASE_URL", None)
    command = [_pre_commit() or "pre-commit", "run", "--config", str(config), "--all-files"]

    sample = _sample(tmp_path / "broken", BROKEN)
    failed = subprocess.run(
        command, cwd=sample, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "RDA101" in failed.stdout and "db.py" in failed.stdout
    assert "6:5" in failed.stdout  # the line of the un-awaited commit
    assert "Installing environment" in failed.stdout + failed.stderr

    fixed = _sample(
        tmp_path / "fixed", BROKEN.replace("    session.commit()", "    await session.commit()")
    )
    passed = subprocess.run(
        command, cwd=fixed, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
    assert "Installing environment" not in passed.stdout + passed.stderr  # the first one's
