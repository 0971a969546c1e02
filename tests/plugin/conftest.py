"""Fixtures for the Claude Code plugin checks: the pinned Claude Code, a HOME, a plugin copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from .claude_code import ClaudeCode, install
from .helpers import copy_plugin


@pytest.fixture(scope="session")
def claude() -> ClaudeCode:
    return install()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def plugin_copy(tmp_path: Path) -> Path:
    return copy_plugin(tmp_path / "plugin")
