"""The capstone the skill teaches is a real project: the reference implementation's code, passing
the reference implementation's own tests, its own tests, and ``rda verify`` with the contract."""

from __future__ import annotations

import ast
import configparser
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from verifier.db.base import DatabaseProvider
from verifier.errors import UsageError
from verifier.skill.assemble import assemble_project

from .helpers import REFERENCE, SKILL

# The capstone teaches these files exactly as the reference implementation has them.
SAME_CODE = (
    "taskapi/__init__.py",
    "taskapi/models.py",
    "taskapi/errors.py",
    "taskapi/database.py",
    "taskapi/crud.py",
    "alembic/env.py",
    "alembic/versions/0001_initial.py",
)
PROJECT_FILES = {
    *SAME_CODE,
    "pyproject.toml",
    "alembic.ini",
    "alembic/script.py.mako",
    "tests/conftest.py",
    "tests/test_contract.py",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("capstone") / "taskapi-project"
    assemble_project(SKILL, out)
    return out


def code_without_docstrings(source: str) -> str:
    """The module's AST with every docstring removed: the code, not its prose."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                if isinstance(body[0].value.value, str):
                    node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def test_assembled_files(project: Path) -> None:
    written = {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()}
    assert written == PROJECT_FILES
    for name in written:
        first = (project / name).read_text().splitlines()[0]
        assert not first.startswith(("# file:", "; file:")), f"marker left in {name}"
    manifest = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["rda"]
    assert manifest["contract"] == "taskapi"
    assert manifest["crud"] == "taskapi.crud"


@pytest.mark.parametrize("name", SAME_CODE)
def test_capstone_teaches_the_reference_code(project: Path, name: str) -> None:
    taught = (project / name).read_text()
    reference = (REFERENCE / name).read_text()
    assert code_without_docstrings(taught) == code_without_docstrings(reference), (
        f"the capstone's {name} differs from reference_impl/{name}: update "
        "references/capstone-task-api.md to teach the reference code"
    )


def test_capstone_alembic_files_match_the_reference(project: Path) -> None:
    assert (project / "alembic/script.py.mako").read_text() == (
        REFERENCE / "alembic/script.py.mako"
    ).read_text()
    taught = configparser.ConfigParser(interpolation=None)
    reference = configparser.ConfigParser(interpolation=None)
    taught.read(project / "alembic.ini")
    reference.read(REFERENCE / "alembic.ini")
    assert {s: dict(taught[s]) for s in taught} == {s: dict(reference[s]) for s in reference}
    assert "sqlalchemy.url" not in taught["alembic"]


def run_pytest(project: Path, tests: str, env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DATABASE_URL")}
    env.update(env_extra, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", ".", tests],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_assembled_project_imports_its_own_package(project: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import taskapi.crud, taskapi.models; print(taskapi.__file__)"],
        cwd=project,
        env={**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, "PYTHONPATH": "."},
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(result.stdout.strip()).resolve().is_relative_to(project.resolve())


def test_assembled_project_passes_its_own_tests(
    project: Path, rda_provider: DatabaseProvider
) -> None:
    database = rda_provider.create_database()
    try:
        result = run_pytest(project, "tests", {"DATABASE_URL": database.async_url})
    finally:
        rda_provider.drop_database(database)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout


def test_assembled_project_passes_the_reference_tests(project: Path, tmp_path: Path) -> None:
    """The reference implementation's own test suite, run against the skill's code."""
    import shutil

    tests = project / "reference_tests"
    shutil.copytree(REFERENCE / "tests", tests, ignore=shutil.ignore_patterns("__pycache__"))
    try:
        # taskapi_testing finds alembic.ini from its own folder's parent: the assembled project
        result = run_pytest(project, "reference_tests", {})
    finally:
        shutil.rmtree(tests)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and " failed" not in result.stdout


def test_assembled_project_is_rda_lint_clean(project: Path) -> None:
    """Linted as one project: env.py, the models and the tests see each other."""
    result = subprocess.run(
        [sys.executable, "-m", "verifier", "lint", str(project)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_assembled_project_passes_rda_verify_with_the_taskapi_contract(project: Path) -> None:
    """The acceptance: the capstone, assembled, passes every stage of ``rda verify``."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DATABASE_URL")}
    command = [sys.executable, "-m", "verifier", "verify", str(project)]
    result = subprocess.run(
        [*command, "--contract", "taskapi", "--format", "json", "--quiet"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(result.stdout)
    assert result.returncode == 0, [f["code"] + " " + f["message"] for f in report["findings"]]
    assert report["findings"] == []
    assert {s["name"]: s["status"] for s in report["stages"]} == {
        "static": "passed",
        "import": "passed",
        "schema": "passed",
        "behavior": "passed",
        "migrations": "passed",
    }


def test_assembling_into_a_used_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(UsageError, match="not empty"):
        assemble_project(SKILL, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_a_reference_without_file_examples_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no '# file:' examples"):
        assemble_project(SKILL, tmp_path / "out", doc="references/quiz.md")
