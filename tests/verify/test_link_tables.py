"""The schema stage on tables that hold one row per parent: link tables and one-to-one keys.

A link model keyed by its two foreign keys (SQLModel's many-to-many pattern) and a profile
whose foreign key is unique are correct, and the round trip must be silent on them: its two
rows per table point at different parents.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from verifier.report.model import Report

MODELS = """\
from sqlmodel import Field, Relationship, SQLModel


class Membership(SQLModel, table=True):
    organization_id: int = Field(foreign_key="organization.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True, index=True)
    role: str = Field(default="member", max_length=20)


class Organization(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    members: list["Member"] = Relationship(back_populates="organizations", link_model=Membership)


class Member(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    organizations: list[Organization] = Relationship(
        back_populates="members", link_model=Membership
    )
    profile: "Profile" = Relationship(back_populates="member")


class Profile(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", unique=True)
    bio: str = Field(default="", max_length=500)
    member: Member = Relationship(back_populates="profile")
"""


def test_link_tables_and_one_to_one_keys_round_trip_silently(
    tmp_path: Path, verify: Callable[..., Report]
) -> None:
    (tmp_path / "orgs").mkdir()
    (tmp_path / "orgs" / "__init__.py").write_text("")
    (tmp_path / "orgs" / "models.py").write_text(MODELS)
    report = verify(tmp_path, ("import", "schema"))
    assert report.findings == [], [f"{f.code} {f.message}" for f in report.findings]
    assert [s.status for s in report.stages] == ["passed", "passed"]
