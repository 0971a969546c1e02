"""The interfaces other parts of rda call: ``lint_source``, ``lint_paths``, ``all_rules``."""

from __future__ import annotations

from pathlib import Path

from verifier.findings import Finding, Severity
from verifier.lint import lint_paths, lint_source
from verifier.report.model import Report
from verifier.rules import all_rules, get_rule

EXPECT_RDA104 = """\
# expect: RDA104
from sqlmodel.ext.asyncio.session import AsyncSession


async def get_session():
    async with AsyncSession(engine) as session:
        yield session
"""


def test_lint_source_returns_shared_findings() -> None:
    findings = lint_source(EXPECT_RDA104)
    assert all(isinstance(f, Finding) for f in findings)
    rda = [f for f in findings if f.code.startswith("RDA")]
    assert [f.code for f in rda] == ["RDA104"]
    assert rda[0].file == "<snippet>.py" and rda[0].severity is Severity.ERROR
    assert rda[0].skill_ref == "references/sessions.md#expire-on-commit"


def test_lint_source_select_and_ignore() -> None:
    assert lint_source(EXPECT_RDA104, select=["RDA2"]) == []
    assert [f.code for f in lint_source(EXPECT_RDA104, ignore=["RDA104", "F"])] == []


def test_lint_source_syntax_error_is_one_rda000() -> None:
    findings = lint_source("def broken(:\n")
    assert [f.code for f in findings] == ["RDA000"]


def test_lint_source_non_python_names() -> None:
    ini = "[alembic]\nsqlalchemy.url = postgresql://app:pw@db/app\n"
    assert [f.code for f in lint_source(ini, "alembic.ini")] == ["RDA505"]


def test_rda505_leaves_alembic_inits_placeholder_alone() -> None:
    """`alembic init` writes `driver://user:pass@...`: no dialect, no secret."""
    ini = "[alembic]\nsqlalchemy.url = driver://user:pass@localhost/dbname\n"
    assert lint_source(ini, "alembic.ini") == []
    real = "[alembic]\nsqlalchemy.url = postgresql+asyncpg://user:pass@localhost/dbname\n"
    assert [f.code for f in lint_source(real, "alembic.ini")] == ["RDA505"]


def test_lint_paths_returns_report(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(EXPECT_RDA104, encoding="utf-8")
    report = lint_paths([tmp_path / "a.py"])
    assert isinstance(report, Report) and report.tool == "lint"
    assert report.exit_code == 1 and report.stages[0].name == "static"
    assert report.tool_versions["relational-db-agent"] and report.tool_versions["ruff"]


def test_all_rules_maps_codes_to_documented_rules() -> None:
    rules = all_rules()
    assert list(rules) == sorted(rules)
    assert get_rule("rda101") is rules["RDA101"]
    required = {"RDA101", "RDA104", "RDA105", "RDA201", "RDA202", "RDA301", "RDA302", "RDA401"}
    required |= {"RDA404", "RDA501", "RDA502", "RDA503", "RDA504", "RDA505", "RDA601", "RDA602"}
    assert required <= set(rules)


def test_parallel_rule_pass_finds_the_same(tmp_path: Path) -> None:
    from verifier.lint.runner import Options
    from verifier.lint.runner import lint_paths as run

    seeds = Path(__file__).parent / "fixtures" / "seeds"
    for index, seed in enumerate(sorted(seeds.glob("*.py")) * 3):
        (tmp_path / f"m{index}.py").write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
    serial = run([tmp_path], options=Options(ruff=False, jobs=1))
    parallel = run([tmp_path], options=Options(ruff=False, jobs=2))
    assert len(serial.findings) > 30
    assert [f.to_dict() for f in serial.findings] == [f.to_dict() for f in parallel.findings]


REVISION_WITH_FK = """
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "bookmarks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
    )
{index}

def downgrade() -> None:
    op.drop_table("bookmarks")
"""


def test_rda202_sees_a_revisions_create_index() -> None:
    indexed = REVISION_WITH_FK.format(
        index='    op.create_index("ix_bookmarks_owner_id", "bookmarks", ["owner_id"])\n'
    )
    assert [f.code for f in lint_source(indexed, "versions/0002.py", select=["RDA"])] == []
    bare = REVISION_WITH_FK.format(index="")
    (found,) = lint_source(bare, "versions/0002.py", select=["RDA"])
    assert found.code == "RDA202" and "op.create_index" in (found.fix or "")
    assert not found.details.get("fixable")  # --fix must not add index=True to a revision
