"""ruff findings the code contradicts are dropped; the rest stay, in the same files."""

from __future__ import annotations

from pathlib import Path

from tests.lint.helpers import lint_tree

MODELS = {
    "app/__init__.py": "",
    "app/models/__init__.py": "from .hero import Hero\nfrom .team import Team\nimport json\n",
    "app/models/team.py": """
        from sqlmodel import Field, Relationship, SQLModel


        class Team(SQLModel, table=True):
            id: int | None = Field(default=None, primary_key=True)
            heroes: list["Hero"] = Relationship(back_populates="team")
            rivals: list["Rival"] = Relationship()
    """,
    "app/models/hero.py": """
        from typing import Optional

        from sqlmodel import Field, Relationship, SQLModel


        class Hero(SQLModel, table=True):
            id: int | None = Field(default=None, primary_key=True)
            team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
            team: Optional["Team"] = Relationship(back_populates="heroes")
            note: "Team" = "x"
    """,
}


def test_forward_references_to_models_and_re_exports_are_not_reported(
    tmp_path: Path, monkeypatch
) -> None:
    found = lint_tree(tmp_path, MODELS, monkeypatch)
    assert found == [
        ("app/models/__init__.py", 3, "F401"),  # not a module of the package: still unused
        ("app/models/hero.py", 11, "F821"),  # not a relationship annotation
        ("app/models/team.py", 8, "F821"),  # `Rival` is no model of the project: a typo
    ]


def test_env_py_project_imports_and_revision_template_imports(tmp_path: Path, monkeypatch) -> None:
    files = {
        **MODELS,
        "migrations/env.py": """
            import os
            from alembic import context
            from sqlmodel import SQLModel

            from app.models import Hero, Team

            config = context.config
            target_metadata = SQLModel.metadata
        """,
        "migrations/versions/0001_x.py": """
            from alembic import op
            import sqlalchemy as sa
            import sqlmodel
            import datetime

            revision = "0001"
            down_revision = None


            def upgrade() -> None:
                op.execute("SELECT 1")


            def downgrade() -> None:
                op.execute("SELECT 1")
        """,
    }
    found = [f for f in lint_tree(tmp_path, files, monkeypatch) if f[0].startswith("migrations")]
    assert found == [
        ("migrations/env.py", 2, "F401"),  # `os` is a library import: removable
        ("migrations/versions/0001_x.py", 5, "F401"),  # not a template import
    ]
