"""RDA214: SQLModel's ``Field(regex=...)`` / ``Field(pattern=...)`` in every style of model code,
and the forms that do validate (``StringConstraints``, ``field_validator``, Pydantic's own
``Field``) left alone. RDA209 keeps the other validation-only keywords: one defect, one finding.

The behaviour the rule describes is measured, not assumed: the last tests run the fired forms
on the installed SQLModel.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.lint.helpers import codes, rda

EMAIL = r"^[^@\s]+@[^@\s]+$"


@pytest.mark.parametrize("keyword", ["regex", "pattern"])
def test_fires_on_a_non_table_schema(keyword: str) -> None:
    source = f"""
    from sqlmodel import Field, SQLModel


    class UserCreate(SQLModel):
        email: str = Field(max_length=320, {keyword}=r"{EMAIL}")
    """
    [finding] = rda(source)
    assert finding.code == "RDA214"
    assert finding.skill_ref == "references/models-indexing.md#string-patterns"
    assert "StringConstraints" in (finding.fix or "")
    assert "`UserCreate`" in finding.message
    assert finding.line == 6 and finding.col == 40  # at the keyword


@pytest.mark.parametrize("keyword", ["regex", "pattern"])
def test_fires_once_on_a_table_model_where_rda209_stays_silent(keyword: str) -> None:
    source = f"""
    import sqlmodel


    class User(sqlmodel.SQLModel, table=True):
        id: int | None = sqlmodel.Field(default=None, primary_key=True)
        email: str = sqlmodel.Field({keyword}=r"{EMAIL}", unique=True, index=True)
    """
    assert codes(source) == ["RDA214"]


def test_a_table_model_with_both_kinds_gives_one_finding_each() -> None:
    source = """
    from sqlmodel import Field, SQLModel


    class Task(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        code: str = Field(regex=r"^T-[0-9]+$", min_length=3)
    """
    assert codes(source) == ["RDA209", "RDA214"]


def test_messages_say_what_each_form_does() -> None:
    head = "from sqlmodel import Field, SQLModel\nclass A(SQLModel):\n    x: str = "
    crash = rda(head + 'Field(pattern="a")\n')
    ignored = rda(head + 'Field(regex="a")\n')
    assert "TypeError" in crash[0].message
    assert "never checked" in ignored[0].message


def test_fires_through_an_alias_a_base_class_and_annotated() -> None:
    source = """
    from typing import Annotated

    from sqlmodel import Field as F, SQLModel


    class UserBase(SQLModel):
        handle: Annotated[str, F(regex="^[a-z]+$")]


    class UserPublic(UserBase):
        display: str = F(default="", pattern="^.+$")
    """
    assert codes(source) == ["RDA214", "RDA214"]


def test_fires_on_a_shared_module_level_field() -> None:
    source = """
    from sqlmodel import Field, SQLModel

    SLUG = Field(max_length=80, regex="^[a-z0-9-]+$")


    class Project(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        slug: str = SLUG
    """
    assert codes(source) == ["RDA214"]


def test_fires_in_a_snippet_without_imports_inside_a_sqlmodel_class() -> None:
    source = """
    class Signup(SQLModel):
        email: str = Field(regex="@")
    """
    assert codes(source) == ["RDA214"]


def test_fires_on_a_subclass_of_a_model_from_another_module(tmp_path: Path) -> None:
    from verifier.lint.runner import Options, lint_paths

    (tmp_path / "base.py").write_text(
        "from sqlmodel import SQLModel\n\n\nclass Base(SQLModel):\n    pass\n"
    )
    (tmp_path / "schemas.py").write_text(
        "from base import Base\n\n\nclass Item(Base):\n    sku: str = Field(regex='^[A-Z]+$')\n"
    )
    report = lint_paths([tmp_path], options=Options(ruff=False))
    assert [(f.code, f.file.rsplit("/", 1)[-1]) for f in report.findings] == [
        ("RDA214", "schemas.py")
    ]


def test_silent_on_string_constraints() -> None:
    source = f"""
    from typing import Annotated

    from pydantic import StringConstraints
    from sqlmodel import Field, SQLModel

    Email = Annotated[str, StringConstraints(pattern=r"{EMAIL}", max_length=320)]


    class UserCreate(SQLModel):
        email: Email


    class User(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        email: Email = Field(unique=True, index=True)
    """
    assert codes(source) == []


def test_silent_on_a_field_validator() -> None:
    source = """
    import re

    from pydantic import field_validator
    from sqlmodel import Field, SQLModel


    class UserCreate(SQLModel):
        email: str = Field(max_length=320)

        @field_validator("email")
        @classmethod
        def email_has_an_at(cls, value: str) -> str:
            if not re.fullmatch(r"[^@\\s]+@[^@\\s]+", value):
                raise ValueError("not an email address")
            return value
    """
    assert codes(source) == []


def test_silent_on_pydantic_field_and_pydantic_models() -> None:
    source = f"""
    from pydantic import BaseModel, Field
    import pydantic


    class Login(BaseModel):
        email: str = Field(pattern=r"{EMAIL}")


    class Signup(BaseModel):
        email: str = pydantic.Field(pattern=r"{EMAIL}")
    """
    assert codes(source) == []


def test_silent_on_other_field_functions_and_other_regex_arguments() -> None:
    source = """
    import re

    from dataclasses import field
    from sqlmodel import Field, SQLModel, col, select


    class Tag(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        name: str = Field(max_length=50)


    def named_like(pattern: str):
        return select(Tag).where(col(Tag.name).regexp_match(pattern))


    CHECK = re.compile(pattern="x") if False else None
    items: list[str] = field(default_factory=list)
    """
    assert codes(source) == []


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60
    )


def test_sqlmodel_field_pattern_raises_at_class_definition() -> None:
    """What the rule says of ``pattern``, on the installed SQLModel."""
    result = _run(
        """
        from sqlmodel import Field, SQLModel

        class A(SQLModel):
            email: str = Field(pattern="@")
        """
    )
    assert result.returncode != 0
    assert "unexpected keyword argument 'pattern'" in result.stderr


def test_sqlmodel_field_regex_is_never_enforced_and_string_constraints_is() -> None:
    """What the rule says of ``regex`` and of its fix, on the installed SQLModel."""
    result = _run(
        """
        from typing import Annotated

        from pydantic import StringConstraints, ValidationError
        from sqlmodel import Field, SQLModel

        class WithRegex(SQLModel):
            email: str = Field(regex="@")

        class WithConstraints(SQLModel):
            email: Annotated[str, StringConstraints(pattern="@")]

        class Table(SQLModel, table=True):
            id: int | None = Field(default=None, primary_key=True)
            email: str = Field(regex="@")

        assert WithRegex(email="nope").email == "nope"
        assert Table.model_validate({"email": "nope"}).email == "nope"
        try:
            WithConstraints(email="nope")
        except ValidationError:
            print("constraints enforced")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "constraints enforced"
