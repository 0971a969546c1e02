"""``rda lint`` on realistic projects finds exactly the findings marked in them.

Each folder of ``tests/lint/realistic`` is a small project; its ``*.py`` files mark every
expected finding on its line (``# expect: RDA101`` or ``# expect: RDA107, F401``). The lint
runs as users run it, ``rda lint .`` from the project's folder, with ruff, and must report
every marked code at its line and nothing else. ``--fix`` on a copy must leave every import of
the migration environments, revisions and models packages in place.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from tests.lint.helpers import run_cli

CORPUS = Path(__file__).parent / "realistic"
PROJECTS = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
_EXPECT = re.compile(r"#\s*expect:\s*([A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)\s*$")


def expected(project: Path) -> Counter[tuple[str, int, str]]:
    found: Counter[tuple[str, int, str]] = Counter()
    for path in sorted(project.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = _EXPECT.search(line)
            if match:
                for code in match.group(1).split(","):
                    found[(path.relative_to(project).as_posix(), number, code.strip())] += 1
    return found


def lint_json(project: Path, *args: str) -> dict:
    result = run_cli("lint", ".", "--format", "json", *args, cwd=project)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_the_corpus_covers_the_shapes() -> None:
    assert PROJECTS == ["heroes_fastapi", "inventory_worker", "shop_repositories"]
    codes = Counter(code for p in PROJECTS for (_, _, code) in expected(CORPUS / p).elements())
    # the misses that must be found: own coroutines and sessions through `or`, base classes,
    # while-loop walks, helpers' objects, @asynccontextmanager get_session
    assert codes["RDA101"] >= 5 and codes["RDA108"] >= 2
    assert {"RDA107", "RDA213", "RDA301", "RDA302", "RDA405", "RDA103"} <= set(codes)


@pytest.mark.parametrize("name", PROJECTS)
def test_lint_finds_exactly_the_marked_findings(name: str) -> None:
    project = CORPUS / name
    report = lint_json(project)
    found = Counter((f["file"], f["line"], f["code"]) for f in report["findings"])
    want = expected(project)
    missing = sorted((want - found).elements())
    unexpected = sorted((found - want).elements())
    messages = {(f["file"], f["line"], f["code"]): f["message"] for f in report["findings"]}
    assert not missing, f"expected but not reported: {missing}"
    assert not unexpected, "reported but not expected:\n" + "\n".join(
        f"  {key}: {messages[key]}" for key in unexpected
    )


def _imports(path: Path) -> list[str]:
    return [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith(("import ", "from "))
    ]


def _protected(project: Path) -> list[Path]:
    return sorted(
        [
            *project.rglob("env.py"),
            *project.rglob("versions/*.py"),
            *project.rglob("models/__init__.py"),
            *project.rglob("repositories/__init__.py"),
        ]
    )


@pytest.mark.parametrize("name", ["heroes_fastapi", "shop_repositories"])
def test_fix_keeps_every_model_and_template_import(tmp_path: Path, name: str) -> None:
    project = tmp_path / name
    shutil.copytree(CORPUS / name, project)
    protected = _protected(project)
    assert len(protected) >= 3
    before = {p: _imports(p) for p in protected}
    report = lint_json(project, "--fix")
    for path, imports in before.items():
        assert _imports(path) == imports, f"--fix changed the imports of {path.name}"
    notes = report["assumptions"]
    applied = [n for n in notes if n.startswith("--fix applied")]
    assert applied and re.match(r"--fix applied \d+ fix\(es\): .*RDA101 x\d", applied[0]), notes
    again = lint_json(project)
    assert not [f for f in again["findings"] if f["code"] in ("RDA502", "F401", "F821")]
    assert not [f for f in again["findings"] if f["code"] == "RDA101"]  # the awaits were added


def test_fix_withholds_removing_an_import_of_the_models(tmp_path: Path) -> None:
    project = tmp_path / "heroes_fastapi"
    shutil.copytree(CORPUS / "heroes_fastapi", project)
    script = project / "scripts" / "create_tables.py"
    script.parent.mkdir()
    script.write_text(
        "import asyncio\nimport os\n\nfrom sqlmodel import SQLModel\n\n"
        "from app import models\nfrom app.core.db import engine\n\n\n"
        "async def main() -> None:\n"
        "    async with engine.begin() as conn:\n"
        "        await conn.run_sync(SQLModel.metadata.create_all)\n\n\n"
        "asyncio.run(main())\n",
        encoding="utf-8",
    )
    report = lint_json(project, "--fix")
    text = script.read_text(encoding="utf-8")
    assert "import os\n" not in text  # an ordinary unused import: removed
    assert "from app import models\n" in text  # registers the tables: kept
    [left] = [f for f in report["findings"] if f["file"] == "scripts/create_tables.py"]
    assert left["code"] == "F401" and left["line"] == 5
    assert left["details"].get("fix_withheld") and not left["details"].get("fixable")
    assert any(
        n.startswith("fix not applied: scripts/create_tables.py:5 F401")
        for n in report["assumptions"]
    ), report["assumptions"]
