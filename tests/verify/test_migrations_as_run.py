"""Alembic runs the way a developer runs it, whatever the shape of the target's env.py.

The common real env.py files: the one ``alembic init -t async`` writes, with the URL put into
the config by ``set_main_option`` (configparser interpolation: the URL must hold no ``%``);
one that imports the models under another module name than the manifest's (in one interpreter
that would define every table twice); and both when the migrations share a child with the other
stages (``--jobs``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.reference_copies import patch
from verifier.report.model import Report
from verifier.sandbox.runner import Limits, Sandbox
from verifier.verify.pipeline import Options, verify_target
from verifier.verify.target import load_target

from .test_mutants import MUTANTS

ALL = ("import", "schema", "behavior", "migrations")


def stock_async_env(target: Path) -> None:
    """The reference's env.py rewritten the way `alembic init -t async` plus one line does it."""
    patch(target, "alembic/env.py", "import asyncio\n", "import asyncio\nimport os\n")
    patch(
        target,
        "alembic/env.py",
        "config = context.config\n",
        "config = context.config\n"
        'config.set_main_option("sqlalchemy.url", os.environ["DATABASE_URL"])\n',
    )
    patch(
        target,
        "alembic/env.py",
        "    engine = create_async_engine(migration_url(), poolclass=pool.NullPool)",
        "    engine = async_engine_from_config(\n"
        "        config.get_section(config.config_ini_section, {}),\n"
        '        prefix="sqlalchemy.",\n'
        "        poolclass=pool.NullPool,\n"
        "    )",
    )
    patch(
        target,
        "alembic/env.py",
        "from sqlalchemy.ext.asyncio import create_async_engine",
        "from sqlalchemy.ext.asyncio import async_engine_from_config",
    )
    patch(
        target,
        "alembic/env.py",
        "        url=migration_url(),",
        '        url=config.get_main_option("sqlalchemy.url"),',
    )


def models_under_another_name(target: Path) -> None:
    """env.py puts the package folder on sys.path and imports the models file as `models`."""
    patch(
        target,
        "alembic/env.py",
        "config = context.config\n",
        "config = context.config\n"
        "import sys  # noqa: E402\n"
        "from pathlib import Path  # noqa: E402\n\n"
        'sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "taskapi"))\n'
        "import models as same_file  # noqa: E402, F401\n",
    )


def in_one_child(
    target: Path, provider: object, sandbox: Sandbox, stages: tuple[str, ...] = ALL
) -> Report:
    options = Options(stages, Limits(timeout=60), split_migrations=False, sandbox=sandbox)
    return verify_target(load_target(target), provider, options)  # type: ignore[arg-type]


@pytest.mark.parametrize("lanes", ["two children", "one child"])
def test_the_stock_async_env_with_set_main_option_migrates(
    lanes: str,
    reference_copy: Path,
    verify: Callable[..., Report],
    rda_provider: object,
    rda_sandbox: Sandbox,
) -> None:
    stock_async_env(reference_copy)
    report = (
        verify(reference_copy)
        if lanes == "two children"
        else in_one_child(reference_copy, rda_provider, rda_sandbox)
    )
    assert report.findings == [], [f.message for f in report.findings]
    assert {s.name: s.status for s in report.stages}["migrations"] == "passed"


@pytest.mark.parametrize("lanes", ["two children", "one child"])
def test_models_imported_under_another_name_are_one_module(
    lanes: str,
    reference_copy: Path,
    verify: Callable[..., Report],
    rda_provider: object,
    rda_sandbox: Sandbox,
) -> None:
    models_under_another_name(reference_copy)
    report = (
        verify(reference_copy)
        if lanes == "two children"
        else in_one_child(reference_copy, rda_provider, rda_sandbox)
    )
    assert report.findings == [], [f.message for f in report.findings]


def test_drift_behind_such_an_env_is_still_found(
    reference_copy: Path, verify: Callable[..., Report]
) -> None:
    models_under_another_name(reference_copy)
    stock_async_env(reference_copy)
    MUTANTS["model column missing from the migration"].apply(reference_copy)
    report = verify(reference_copy, stages=("import", "migrations"))
    assert {f.code for f in report.findings} == {"RDA803"}
    (drift,) = report.findings
    assert "archived" in drift.message
