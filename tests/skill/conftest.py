"""Fixtures for the skill checks (the helpers they use live in ``helpers.py``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from verifier.report.model import Report

from .helpers import SKILL, copy_skill, static_check


@pytest.fixture
def skill_copy(tmp_path: Path) -> Path:
    return copy_skill(SKILL, tmp_path)


@pytest.fixture
def check() -> Callable[[Path], Report]:
    return static_check
