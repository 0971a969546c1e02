"""Helpers for the lint tests: lint a snippet with the RDA rules only, or run the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from verifier.findings import Finding
from verifier.lint.runner import Options, lint_paths, lint_source

REPO = Path(__file__).resolve().parents[2]


def rda(source: str, filename: str = "example.py", **kwargs) -> list[Finding]:
    """RDA findings for a dedented snippet (ruff left out: these tests are about our rules)."""
    return lint_source(textwrap.dedent(source), filename, ruff=False, **kwargs)


def codes(source: str, filename: str = "example.py") -> list[str]:
    return sorted(f.code for f in rda(source, filename))


def lint_tree(
    root: Path, files: dict[str, str], monkeypatch, ruff: bool = True, jobs: int | None = None
) -> list[tuple[str, int, str]]:
    """Write ``files`` (name -> dedented source) under ``root`` and lint it from there, with
    ``jobs`` processes (None: as ``rda lint`` decides): (file, line, code) of every finding,
    sorted."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    monkeypatch.chdir(root)
    report = lint_paths([Path(".")], options=Options(ruff=ruff, jobs=jobs))
    return sorted((f.file or "", f.line or 0, f.code) for f in report.findings)


def run_cli(
    *args: str, cwd: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess:
    """``rda ARGS`` as a real process, the way users and hooks run it."""
    env = {k: v for k, v in os.environ.items() if k != "RDA_DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "verifier", *args],
        cwd=cwd or REPO,
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
