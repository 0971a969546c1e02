"""Reporting tables kept as SQLModel classes (a later addition to the project)."""

from __future__ import annotations

from typing import Optional

from sqlmodel import Field, Relationship, SQLModel


class Region(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str

    depots: list[Depot] = Relationship(back_populates="region")  # expect: RDA213


class Depot(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    region_id: int | None = Field(default=None, foreign_key="region.id", index=True)

    region: Optional[Region] = Relationship(back_populates="depots")  # expect: RDA213
