"""Catalogue and orders."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import Column, DateTime
from sqlmodel import Field, Relationship, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Category(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    parent_id: int | None = Field(default=None, foreign_key="category.id", index=True)

    parent: Optional["Category"] = Relationship(
        back_populates="children",
        sa_relationship_kwargs={"remote_side": "Category.id"},
    )
    children: list["Category"] = Relationship(back_populates="parent")


class Tag(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True, index=True)
    label: str


class Order(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(default="open", index=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )

    lines: list["OrderLine"] = Relationship(back_populates="order")


class OrderLine(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    product: str
    price: Decimal = Field(max_digits=10, decimal_places=2)

    order: Order = Relationship(back_populates="lines")
