"""The committed sample workspace, graded once per run on a copy (the original stays clean).

``workspace/`` holds hand-made outputs of evals 1-3 of the skill, both configurations, two runs
each: correct layers in two styles, and known mistakes (an unindexed foreign key, ambiguous
foreign keys, a module that does not import, one that hangs at import, naive timestamps, JSON
instead of JSONB, credentials in the code, a run that wrote no Python at all).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.once import once_per_run
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


@pytest.fixture(scope="session")
def graded(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> EvalResult:
    """The sample graded here, two runs at a time.

    Once per run, whichever xdist worker asks first (``tests.once``), not once per module: every
    module using it only reads what it wrote (grading.json, the benchmark files), and a grading
    takes several seconds.
    """

    def build(folder: Path) -> dict[str, object]:
        result = grade_sample(folder, database_spec(pytestconfig), jobs=2)
        return {"benchmark": result.benchmark, "written": [str(path) for path in result.written]}

    _, built = once_per_run(pytestconfig, tmp_path_factory, "graded", build)
    return EvalResult(built["benchmark"], [Path(path) for path in built["written"]])
