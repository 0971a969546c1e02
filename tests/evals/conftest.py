"""The committed sample workspace, graded once per module on a copy (the original stays clean).

``workspace/`` holds hand-made outputs of evals 1-3 of the skill, both configurations, two runs
each: correct layers in two styles, and known mistakes (an unindexed foreign key, ambiguous
foreign keys, a module that does not import, one that hangs at import, naive timestamps, JSON
instead of JSONB, credentials in the code, a run that wrote no Python at all).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from verifier.evals.evaluate import EvalRequest, EvalResult, evaluate
from verifier.sandbox.runner import Limits

HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "workspace"
SKILL = HERE.parents[1] / "skills" / "relational-db-agent"
# Short budgets: one sample run hangs at import on purpose.
LIMITS = Limits(timeout=30.0, check_timeout=10.0, import_timeout=4.0)


def database_spec(config: pytest.Config) -> str:
    import os

    return config.getoption("rda_db") or os.environ.get("RDA_DATABASE_URL") or "embedded"


def copy_sample(dest: Path) -> Path:
    target = dest / "workspace"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def grade_sample(dest: Path, db: str, **options: object) -> EvalResult:
    workspace = copy_sample(dest)
    request = EvalRequest(
        workspace=workspace, skill=SKILL, db=db, limits=LIMITS, progress=False, **options
    )
    return evaluate(request)


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> EvalResult:
    """The sample graded here, two runs at a time."""
    return grade_sample(tmp_path_factory.mktemp("graded"), database_spec(pytestconfig), jobs=2)
