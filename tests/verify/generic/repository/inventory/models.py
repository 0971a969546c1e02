from datetime import UTC, datetime
from typing import Optional

from sqlmodel import Field, Relationship, SQLModel


def utc_now() -> datetime:
    return datetime.now(UTC)


class Warehouse(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=8, unique=True)

    items: list["Item"] = Relationship(back_populates="warehouse")


class Item(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    warehouse_id: int = Field(foreign_key="warehouse.id", index=True)
    sku: str = Field(max_length=32, unique=True)
    quantity: int = 0
    updated_at: datetime = Field(default_factory=utc_now)

    warehouse: Optional["Warehouse"] = Relationship(back_populates="items")


class Movement(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    delta: int
    created_at: datetime = Field(default_factory=utc_now)
