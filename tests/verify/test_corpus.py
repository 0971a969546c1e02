"""Layers nobody here wrote: correct Task API layers in six other styles, and their mutants.

Each layer under ``tests/corpus/`` satisfies the contract in an idiom the reference does not use
(see its README): a models package with ``TYPE_CHECKING`` imports, ``session.begin()`` blocks,
repository classes, a unit-of-work ``get_session`` that commits after ``yield``, mixins on a
``MetaData`` of their own, settings from the environment; JSONB declared four ways, trees by
``recursion_depth``, a recursive CTE and level-by-level loads; the stock ``alembic init -t
async`` env.py, one built from ``POSTGRES_*`` parts, one reading a settings object. Every one
must pass ``rda verify`` with zero findings of any severity, and a one-patch mutant of several
of them must give exactly its code: the verifier is calibrated on foreign code, both ways.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reference_copies import patch
from verifier.report.model import Report
from verifier.stages import STAGE_ORDER

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
LAYERS = sorted(p.name for p in CORPUS.iterdir() if (p / "README.md").is_file())
BEHAVIOR = ("import", "schema", "behavior")


def copy_layer(name: str, dest: Path) -> Path:
    target = dest / name
    shutil.copytree(CORPUS / name, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_the_corpus_has_six_styles() -> None:
    assert len(LAYERS) >= 6, LAYERS


@pytest.mark.parametrize("layer", LAYERS)
def test_layer_passes_with_zero_findings(
    layer: str, tmp_path: Path, verify: Callable[..., Report]
) -> None:
    report = verify(copy_layer(layer, tmp_path), stages=STAGE_ORDER)
    assert report.findings == [], "\n".join(
        f"{f.code} {f.severity} {f.file}:{f.line} {f.message}" for f in report.findings
    )
    statuses = {s.name: s.status for s in report.stages}
    assert statuses["behavior"] == "passed"
    assert all(status in ("passed", "skipped") for status in statuses.values()), statuses


@dataclass(frozen=True)
class Mutant:
    layer: str
    expected: set[str]
    stages: tuple[str, ...]
    file: str
    old: str
    new: str

    def apply(self, root: Path) -> None:
        patch(root, self.file, self.old, self.new)


MUTANTS = {
    "pkg_split: tree loaded three levels deep": Mutant(
        "pkg_split",
        {"RDA706"},
        BEHAVIOR,
        "app/crud.py",
        "SUBTASK_TREE_DEPTH = 10",
        "SUBTASK_TREE_DEPTH = 3",
    ),
    "pkg_split: postgresql:// left to the sync driver": Mutant(
        "pkg_split",
        {"RDA605"},
        BEHAVIOR,
        "app/db.py",
        'url = "postgresql+asyncpg://" + url[len(scheme) :]',
        'url = "postgresql://" + url[len(scheme) :]',
    ),
    "uow: sslmode kept for asyncpg": Mutant(
        "uow",
        {"RDA606"},
        BEHAVIOR,
        "tasktracker/database.py",
        '("ssl" if key == "sslmode" else key, value)',
        "(key, value)",
    ),
    "uow: a query per task in the tree": Mutant(
        "uow",
        {"RDA707"},
        BEHAVIOR,
        "tasktracker/crud.py",
        "children = await _attach_live_children(session, level)",
        "children = [c for n in level for c in await _attach_live_children(session, [n])]",
    ),
    "repository: joinedload of a collection without unique()": Mutant(
        "repository",
        {"RDA303"},
        BEHAVIOR,
        "taskboard/repositories.py",
        "return list(result.unique().all())",
        "return list(result.all())",
    ),
    "mixins: naive timestamps by default": Mutant(
        "mixins",
        {"RDA201"},
        ("import", "schema"),
        "tracker/base.py",
        "return datetime.now(UTC)",
        "return datetime.now(UTC).replace(tzinfo=None)",
    ),
    "begin_blocks: downgrade forgets the enum types": Mutant(
        "begin_blocks",
        {"RDA804", "RDA805"},
        ("migrations",),
        "alembic/versions/0001_create_task_tables.py",
        '    op.execute("DROP TYPE task_priority")\n',
        "",
    ),
    "begin_blocks: a model column the migration lacks": Mutant(
        "begin_blocks",
        {"RDA803"},
        ("migrations",),
        "tasks/models.py",
        "    name: str = Field(max_length=200)\n    description: str | None = None\n",
        "    name: str = Field(max_length=200)\n    description: str | None = None\n"
        "    archived: bool = False\n",
    ),
    "settings_env: the settings it needs are not given": Mutant(
        "settings_env",
        {"RDA701"},
        ("import",),
        "pyproject.toml",
        'APP_NAME = "taskapi"\nSECRET_KEY = "rda-verify-only-not-a-real-secret"\n',
        "",
    ),
}


@pytest.mark.parametrize("name", list(MUTANTS))
def test_mutant_of_a_foreign_layer_gives_its_code(
    name: str, tmp_path: Path, verify: Callable[..., Report]
) -> None:
    mutant = MUTANTS[name]
    root = copy_layer(mutant.layer, tmp_path)
    mutant.apply(root)
    report = verify(root, stages=mutant.stages, check_timeout=10)
    assert {f.code for f in report.findings} == mutant.expected, "\n".join(
        f"{f.code} {f.file}:{f.line} {f.message}" for f in report.findings
    )
    assert report.exit_code == 1


def test_missing_settings_are_named(tmp_path: Path, verify: Callable[..., Report]) -> None:
    mutant = MUTANTS["settings_env: the settings it needs are not given"]
    root = copy_layer(mutant.layer, tmp_path)
    mutant.apply(root)
    (found,) = verify(root, stages=("import",)).findings
    assert "APP_NAME" in found.message and "SECRET_KEY" in found.message
    assert "[tool.rda.env]" in found.message
