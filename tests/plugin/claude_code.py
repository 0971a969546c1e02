"""The pinned Claude Code, installed from npm once into a cache and run with a HOME of its own.

The plugin is checked by the program that loads it: `claude plugin validate`, `plugin details`,
`plugin install` and `plugin eval`'s case loader all work offline. The npm package is about
360 MB, so it is installed once per machine into ``$RDA_NPM_CACHE`` (default: the user cache
dir, ``relational-db-agent/claude-code/<version>``), under a file lock so that parallel test
runs share one install, into a scratch folder renamed into place only when complete. Without
node/npm, or without a reachable registry, the tests that need it skip and say why.

Claude Code writes its settings, plugin cache and telemetry under HOME: every run gets a HOME
of its own, no credentials from the environment, and telemetry and updates turned off.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import platformdirs
import pytest
from filelock import FileLock

VERSION = "2.1.328"
PACKAGE = f"@anthropic-ai/claude-code@{VERSION}"
INSTALL_TIMEOUT = 900
RUN_TIMEOUT = 120
# npm's words for a registry it could not reach or that does not have the package.
UNREACHABLE = (
    "ENOTFOUND",
    "EAI_AGAIN",
    "ECONNREFUSED",
    "ECONNRESET",
    "ETIMEDOUT",
    "ENETUNREACH",
    "EHOSTUNREACH",
    "E404",
    "E403",
    "network",
    "proxy",
)
QUIET = {
    "DISABLE_TELEMETRY": "1",
    "DISABLE_AUTOUPDATER": "1",
    "DISABLE_ERROR_REPORTING": "1",
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
}


def cache_dir() -> Path:
    configured = os.environ.get("RDA_NPM_CACHE")
    default = platformdirs.user_cache_dir("relational-db-agent")
    base = Path(configured) if configured else Path(default)
    return base / "claude-code" / VERSION


@dataclass(frozen=True)
class ClaudeCode:
    """The installed binary; `run` gives every call the HOME it is told to use."""

    binary: Path

    def run(
        self, *args: str, home: Path, cwd: Path | None = None, timeout: float = RUN_TIMEOUT
    ) -> subprocess.CompletedProcess[str]:
        home.mkdir(parents=True, exist_ok=True)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "TMPDIR": os.environ.get("TMPDIR", "/tmp"),
            "LANG": "C.UTF-8",
            "NO_COLOR": "1",
            **QUIET,
        }
        return subprocess.run(
            [str(self.binary), *args],
            cwd=cwd,
            env={k: str(v) for k, v in env.items()},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def _installed(prefix: Path) -> Path | None:
    binary = prefix / "node_modules" / ".bin" / "claude"
    if not binary.exists():
        return None
    try:
        version = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=60, env=_bare_env()
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    return binary if version.startswith(VERSION) else None


def _bare_env() -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/nonexistent", **QUIET}


def install() -> ClaudeCode:
    """The pinned Claude Code from the cache, installing it first when it is not there."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        pytest.skip(
            f"Claude Code's plugin checks need {' and '.join(missing)} "
            "(apt-get install nodejs npm) to install it from the npm registry"
        )
    prefix = cache_dir()
    prefix.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(prefix) + ".lock", timeout=INSTALL_TIMEOUT + 60):
        binary = _installed(prefix)
        if binary is None:
            binary = _npm_install(prefix)
    return ClaudeCode(binary)


def _npm_install(prefix: Path) -> Path:
    scratch = prefix.with_name(f"{prefix.name}.partial-{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    command = [
        "npm",
        "install",
        "--prefix",
        str(scratch),
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        PACKAGE,
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
    except subprocess.TimeoutExpired:
        shutil.rmtree(scratch, ignore_errors=True)
        pytest.skip(f"npm install {PACKAGE} took over {INSTALL_TIMEOUT} s (registry unreachable?)")
    if result.returncode != 0:
        shutil.rmtree(scratch, ignore_errors=True)
        output = (result.stderr + result.stdout).strip()
        lines = output.splitlines()
        telling = [line for line in lines if any(word in line for word in UNREACHABLE)]
        if telling:
            pytest.skip(f"the npm registry did not give {PACKAGE}: {telling[0].strip()}")
        pytest.fail(f"npm install {PACKAGE} failed: {output[-2000:]}")
    shutil.rmtree(prefix, ignore_errors=True)
    os.replace(scratch, prefix)
    binary = _installed(prefix)
    if binary is None:
        pytest.fail(f"npm installed {PACKAGE} into {prefix}, but its claude does not run")
    return binary
