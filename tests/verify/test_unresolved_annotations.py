"""A relationship annotation that does not resolve: RDA702 gives the annotation's fix, not the
foreign_keys/back_populates advice meant for ambiguous joins."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from verifier import skill_refs
from verifier.report.model import Report

MODELS = """\
{future}
from sqlmodel import Field, Relationship, SQLModel


class Team(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    heroes: {heroes} = Relationship(back_populates="team")


class Hero(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    team: "Team" = Relationship(back_populates="heroes")
"""


def layer(root: Path, future: str, heroes: str) -> Path:
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(MODELS.format(future=future, heroes=heroes))
    return root


def test_a_future_import_gets_the_annotation_fix(
    tmp_path: Path, verify: Callable[..., Report]
) -> None:
    report = verify(
        layer(tmp_path, "from __future__ import annotations", "list[Hero]"), ("import",)
    )
    (found,) = [f for f in report.findings if f.code == "RDA702"]
    assert found.skill_ref == skill_refs.RELATIONSHIPS_ANNOTATIONS
    assert "from __future__ import annotations" in (found.fix or "")


def test_a_name_no_module_defines_gets_the_annotation_fix(
    tmp_path: Path, verify: Callable[..., Report]
) -> None:
    report = verify(layer(tmp_path, "", 'list["Heroes"]'), ("import",))
    (found,) = [f for f in report.findings if f.code == "RDA702"]
    assert "failed to locate a name" in found.message
    assert found.skill_ref == skill_refs.RELATIONSHIPS_ANNOTATIONS


def test_an_ambiguous_join_keeps_the_foreign_keys_advice(
    tmp_path: Path, verify: Callable[..., Report]
) -> None:
    root = tmp_path
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(
        "from sqlmodel import Field, Relationship, SQLModel\n\n\n"
        "class Person(SQLModel, table=True):\n"
        "    id: int | None = Field(default=None, primary_key=True)\n\n\n"
        "class Loan(SQLModel, table=True):\n"
        "    id: int | None = Field(default=None, primary_key=True)\n"
        '    lender_id: int = Field(foreign_key="person.id", index=True)\n'
        '    borrower_id: int = Field(foreign_key="person.id", index=True)\n'
        "    lender: Person = Relationship()\n"
    )
    report = verify(root, ("import",))
    (found,) = [f for f in report.findings if f.code == "RDA702"]
    assert found.skill_ref != skill_refs.RELATIONSHIPS_ANNOTATIONS
