"""Fixtures for the skill checks (the helpers they use live in ``helpers.py``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.once import once_per_run
from verifier.db.base import DatabaseProvider
from verifier.report.model import Report
from verifier.report.render import render
from verifier.skill.check import check_skill

from .helpers import SKILL, break_where_only_running_sees, cached_lint, copy_skill, static_check


@pytest.fixture
def skill_copy(tmp_path: Path) -> Path:
    return copy_skill(SKILL, tmp_path)


@pytest.fixture
def check() -> Callable[[Path], Report]:
    return static_check


@dataclass(frozen=True)
class BrokenCheck:
    """The full check (runnable examples run, layers verified) of a copy broken for it."""

    skill: Path
    report: dict[str, Any]  # as ``rda skill check --format json`` writes it


@pytest.fixture(scope="session")
def broken_check(
    pytestconfig: pytest.Config,
    tmp_path_factory: pytest.TempPathFactory,
    rda_provider: DatabaseProvider,
) -> BrokenCheck:
    """One full check of a copy with the three breakages of ``break_where_only_running_sees``.

    The runnable and the layer tests each read their findings from it, and that there is no
    other: a full check runs every runnable example and verifies every layer (a dozen ``rda
    verify`` runs), too costly to repeat for each breakage. Once per run, whichever worker.
    """

    def build(folder: Path) -> dict[str, Any]:
        broken = copy_skill(SKILL, folder)
        break_where_only_running_sees(broken)
        report = check_skill(broken, lint=cached_lint, provider=rda_provider)
        return {"skill": str(broken), "report": json.loads(render(report, "json"))}

    _, built = once_per_run(pytestconfig, tmp_path_factory, "broken-skill", build)
    return BrokenCheck(Path(built["skill"]), built["report"])
