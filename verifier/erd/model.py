"""The ERD as data: tables, their columns and keys, and the relations between tables.

A relation is one foreign key, read as "each ``child`` row refers to at most one ``parent``
row": the parent side is *exactly one* when the key is required and *zero or one* when it is
nullable; the child side is *zero or more*, or *zero or one* when the key's columns are unique
(a one-to-one). A many-to-many shows as its link table with two relations, which is what the
database holds.

The four records are ``NamedTuple``s, not frozen dataclasses: as immutable, equal by value and
hashable, and an eighth of the cost to define (a frozen, slotted dataclass compiles half a dozen
methods when its module is imported, over 1 ms a record, and ``rda erd SPEC`` has a 0.5 s goal).
"""

from __future__ import annotations

from typing import NamedTuple


class ErdColumn(NamedTuple):
    name: str
    type: str
    nullable: bool = False
    primary_key: bool = False
    foreign_key: str | None = None  # "table.column" it refers to
    unique: bool = False  # unique on its own (constraint or unique index)

    @property
    def markers(self) -> list[str]:
        keys = []
        if self.primary_key:
            keys.append("PK")
        if self.foreign_key:
            keys.append("FK")
        if self.unique and not self.primary_key:
            keys.append("UK")
        return keys


class ErdTable(NamedTuple):
    name: str
    columns: tuple[ErdColumn, ...]
    unique_groups: tuple[tuple[str, ...], ...] = ()  # composite unique constraints

    def column(self, name: str) -> ErdColumn | None:
        return next((c for c in self.columns if c.name == name), None)


class ErdRelation(NamedTuple):
    child: str  # the table holding the foreign key
    parent: str  # the table it refers to
    columns: tuple[str, ...]
    required: bool  # the key is NOT NULL: the parent side is exactly one
    one_to_one: bool = False  # the key's columns are unique: the child side is zero or one
    label: str = ""

    @property
    def parent_side(self) -> str:
        return "exactly one" if self.required else "zero or one"

    @property
    def child_side(self) -> str:
        return "zero or one" if self.one_to_one else "zero or more"


class Erd(NamedTuple):
    title: str
    tables: tuple[ErdTable, ...] = ()
    relations: tuple[ErdRelation, ...] = ()

    def table(self, name: str) -> ErdTable | None:
        return next((t for t in self.tables if t.name == name), None)
