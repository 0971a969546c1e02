"""Shared pieces of the ``rda render`` / ``rda erd`` tests.

Rendering is fast (no database); ``rda verify`` and the rendered tests are not, so each
example is rendered, tested and verified once per session (``rendered_example``) and the
tests read what that produced.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from verifier.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "templates" / "examples"
EXAMPLE_NAMES = ("taskapi", "chat", "multitenant")
CONTRACTS = {"taskapi": "taskapi"}


def rda(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``rda ARGS`` in a process of its own (exit code, stdout, stderr as a user sees them)."""
    return subprocess.run(
        [sys.executable, "-m", "verifier", *args],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=600,
    )


def rda_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``rda ARGS`` in this process (fast, for commands that need no database)."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@dataclass
class Verified:
    code: int
    report: dict[str, object]

    @property
    def findings(self) -> list[dict[str, object]]:
        return list(self.report.get("findings", []))  # type: ignore[call-overload]


def verify(layer: Path, contract: str | None = None) -> Verified:
    args = ["verify", str(layer), "--format", "json"]
    if contract:
        args += ["--contract", contract]
    result = rda(*args)
    assert result.returncode in (0, 1), result.stderr
    return Verified(result.returncode, json.loads(result.stdout))


def run_rendered_tests(layer: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x"],
        cwd=layer,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=600,
    )


@pytest.fixture(scope="session")
def rendered_example(tmp_path_factory: pytest.TempPathFactory):
    """``rendered_example(name)``: the example rendered into a folder of its own, once."""
    cache: dict[str, Path] = {}

    def render(name: str) -> Path:
        if name not in cache:
            out = tmp_path_factory.mktemp(f"layer-{name}")
            result = rda("render", str(EXAMPLES / f"{name}.yaml"), "--out", str(out), "-q")
            assert result.returncode == 0, result.stdout + result.stderr
            cache[name] = out
        return cache[name]

    return render
