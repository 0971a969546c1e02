"""Code examples are linted: wrong ones must be marked and must fire, all others must be clean."""

from __future__ import annotations

from pathlib import Path

from verifier.skill import codes
from verifier.skill.examples import check_examples, check_markers, parse_example
from verifier.skill.markdown import CodeBlock

from .helpers import cached_lint, findings, replace_in, static_check

SESSION_FACTORY_FIX = (
    "SessionLocal = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)"
)


def test_an_unmarked_wrong_example_is_reported_with_the_rule(skill_copy: Path) -> None:
    # the session factory example, silently turned into the mistake it warns about
    replace_in(
        skill_copy / "references" / "sessions.md",
        SESSION_FACTORY_FIX,
        "SessionLocal = async_sessionmaker(engine, class_=AsyncSession)",
    )
    report = static_check(skill_copy)
    [finding] = report.findings
    assert finding.code == codes.EXAMPLE_NOT_CLEAN
    assert finding.details["rule"] == "RDA104"
    assert finding.file == "references/sessions.md"
    line = (skill_copy / "references" / "sessions.md").read_text().splitlines()[finding.line - 1]
    assert "async_sessionmaker(engine, class_=AsyncSession)" in line
    assert "mark it '# expect: RDA104'" in finding.message
    assert report.exit_code == 1


def test_a_marked_example_that_does_not_fire(skill_copy: Path) -> None:
    # the RDA201 example "fixed" without removing its marker
    replace_in(
        skill_copy / "references" / "models-indexing.md",
        "created_at: datetime = Field(default_factory=datetime.utcnow)",
        "created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))",
    )
    replace_in(
        skill_copy / "references" / "models-indexing.md",
        "# expect: RDA201\nfrom datetime import datetime\n",
        "# expect: RDA201\nfrom datetime import UTC, datetime\n",
    )
    [finding] = findings(static_check(skill_copy), codes.EXPECTATION_UNMET)
    assert finding.file == "references/models-indexing.md"
    assert "expected RDA201 but the linter did not report it" in finding.message
    assert finding.details == {"expected": ["RDA201"], "reported": []}


def test_a_marked_example_that_also_reports_another_rule(skill_copy: Path) -> None:
    replace_in(
        skill_copy / "references" / "models-indexing.md",
        "    created_at: datetime = Field(default_factory=datetime.utcnow)\n",
        "    created_at: datetime = Field(default_factory=datetime.utcnow)\n"
        '    owner_id: int = Field(foreign_key="worker.id")\n',
    )
    [finding] = findings(static_check(skill_copy), codes.EXPECTATION_UNMET)
    assert "the linter also reported RDA202" in finding.message
    assert finding.details["reported"] == ["RDA201", "RDA202"]


def test_markers_are_read_from_the_top_of_the_block() -> None:
    block = CodeBlock(
        "python",
        "# file: app/database.py\n# a comment\n# expect: RDA104, RDA106\n# runnable\n"
        "import os\n# expect: RDA999\n",
        7,
    )
    example = parse_example("SKILL.md", block)
    assert example.file == "app/database.py"
    assert example.expect == ("RDA104", "RDA106")  # the marker below the code is not one
    assert example.runnable and example.problems == ()


def test_malformed_markers() -> None:
    examples = [
        parse_example("a.md", CodeBlock("python", "# expect: sessions\nx = 1\n", 3)),
        parse_example("a.md", CodeBlock("python", "# file: ../outside.py\nx = 1\n", 9)),
        parse_example("a.md", CodeBlock("bash", "# expect: RDA104\nrda lint .\n", 12)),
        parse_example("a.md", CodeBlock("toml", "# runnable\n[tool.rda]\n", 20)),
    ]
    found = [(f.code, f.line, f.message) for f in check_markers(examples)]
    assert [(code, line) for code, line, _ in found] == [
        (codes.MARKER_INVALID, 3),
        (codes.MARKER_INVALID, 9),
        (codes.MARKER_INVALID, 12),
        (codes.MARKER_INVALID, 20),
    ]
    assert "needs finding codes such as RDA104" in found[0][2]
    assert "relative path in the project" in found[1][2]
    assert "never linted" in found[2][2]
    assert "not Python" in found[3][2]


def test_alembic_ini_and_mako_examples_are_linted_by_their_file_name() -> None:
    credentials = CodeBlock(
        "ini",
        "# file: alembic.ini\n[alembic]\nscript_location = alembic\n"
        "sqlalchemy.url = postgresql+asyncpg://app:pw@db/app\n",
        5,
    )
    mako = CodeBlock("mako", "# file: alembic/script.py.mako\nfrom alembic import op\n", 40)
    plain_ini = CodeBlock("ini", "[alembic]\nsqlalchemy.url = postgresql://app:pw@db/app\n", 60)
    examples = [parse_example("m.md", block) for block in (credentials, mako, plain_ini)]
    reported = {(f.details["rule"], f.line) for f in check_examples(examples, cached_lint)}
    # an ini block without '# file: alembic.ini' is documentation only: not linted
    assert {rule for rule, _ in reported} == {"RDA505", "RDA503"}


def test_clean_python_example_stays_silent() -> None:
    code = (
        "from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine\n"
        "from sqlmodel.ext.asyncio.session import AsyncSession\n\n"
        'engine = create_async_engine("postgresql+asyncpg://localhost/app", pool_pre_ping=True)\n'
        f"{SESSION_FACTORY_FIX}\n"
    )
    example = parse_example("x.md", CodeBlock("python", code, 1))
    assert list(check_examples([example], cached_lint)) == []
