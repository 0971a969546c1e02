"""The seeds' wrong snippets (copied verbatim into fixtures/seeds) raise exactly their codes.

Each fixture names its source section and the codes it must produce (``# expect: ...``,
repeated codes counted). Together they cover the forms DESIGN.md section 9 lists as wrong on
today's libraries: ``AsyncSession(engine)`` keeping ``expire_on_commit``,
``sessionmaker(class_=AsyncSession)``, ``session.execute`` on a SQLModel session and
``default_factory=datetime.utcnow``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.lint.helpers import rda
from verifier.lint.runner import lint_paths

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
FIXTURES = sorted(SEEDS.glob("*.py"))


def _expected(path: Path) -> list[str]:
    match = re.search(r"^# expect: (.*)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, f"{path.name} has no '# expect:' line"
    return sorted(match.group(1).split())


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_seed_snippet_raises_its_codes(path: Path) -> None:
    found = sorted(f.code for f in rda(path.read_text(encoding="utf-8"), path.name))
    assert found == _expected(path)


def test_the_four_named_seed_mistakes_are_covered() -> None:
    expected = {p.name: _expected(p) for p in FIXTURES}
    assert "RDA104" in expected["seed003_get_session.py"]  # AsyncSession(engine)
    assert "RDA103" in expected["seed002_setup.py"]  # sessionmaker(class_=AsyncSession)
    assert "RDA108" in expected["seed002_read_operations.py"]  # session.execute
    assert "RDA201" in expected["seed003_task_model.py"]  # default_factory=datetime.utcnow


def test_seed_002_with_its_own_sqlalchemy_import_is_not_rda108() -> None:
    # In seed 002 AsyncSession comes from sqlalchemy.ext.asyncio, where execute() is the API.
    source = "from sqlalchemy.ext.asyncio import AsyncSession\n" + (
        SEEDS / "seed002_read_operations.py"
    ).read_text(encoding="utf-8")
    assert "RDA108" not in [f.code for f in rda(source)]


def test_seed_n_plus_one_is_found_across_files(tmp_path: Path) -> None:
    """seed 003's 'The Problem' block (top-level await) with its models in another file."""
    (tmp_path / "models.py").write_text(
        (SEEDS / "seed003_foreign_keys.py").read_text(encoding="utf-8")
        + "\n\nclass Worker(SQLModel, table=True):\n"
        + "    id: int | None = Field(default=None, primary_key=True)\n"
        + "    name: str\n",
        encoding="utf-8",
    )
    (tmp_path / "problem.py").write_text(
        "# BAD: N+1 queries - each task.assignee triggers a query\n"
        "tasks = (await session.exec(select(Task))).all()\n"
        "for task in tasks:\n"
        "    print(task.assignee.name)  # N additional queries!\n",
        encoding="utf-8",
    )
    report = lint_paths([tmp_path], options=None)
    found = [
        (f.file.rsplit("/", 1)[-1], f.code, f.line)
        for f in report.findings
        if f.code.startswith("RDA3")
    ]
    assert ("problem.py", "RDA301", 4) in found
