"""Values of a column's type for the round trip: written, then compared with what reads back."""

from __future__ import annotations

import datetime as dt
import decimal
import typing
import uuid
from typing import Any


def json_shape(annotation: Any, column: Any) -> str:
    """Whether a JSON column holds a list or an object: from the field's type, else its default.

    ``list[str]`` / ``dict[str, Any]`` (also inside ``Optional``) decide; without a usable
    annotation the server default's text does (``'[]'::jsonb``, ``"[]"``, ``text("'[]'")``).
    """
    for candidate in (annotation, *typing.get_args(annotation)):
        origin = typing.get_origin(candidate) or candidate
        if origin in (list, tuple, set):
            return "list"
        if origin is dict:
            return "object"
    default = getattr(column.server_default, "arg", None)
    text = getattr(default, "text", default)  # a TextClause keeps its SQL in .text
    return "list" if isinstance(text, str) and text.lstrip("'\"").startswith("[") else "object"


def _enum_member(annotation: Any) -> Any:
    import enum

    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
            return next(iter(candidate), None)
    return None


def sample_value(column: Any, annotation: Any = None, seq: int = 0) -> tuple[bool, Any]:
    """A value of the column's type (``(False, None)`` when no sensible value is known).

    ``seq`` tells the rows of one table apart, so that unique columns take several rows.
    """
    from sqlalchemy import types as t
    from sqlalchemy.dialects import postgresql as pg

    member = _enum_member(annotation)
    if member is not None:  # an enum stored as VARCHAR (or a native enum): a real member
        return True, member
    kind = column.type
    while isinstance(kind, t.TypeDecorator):  # SQLModel's AutoString and datetime types
        kind = kind.impl_instance
    if isinstance(kind, t.Enum):
        if kind.enum_class is not None:
            return True, next(iter(kind.enum_class))
        return True, kind.enums[0]
    if isinstance(kind, (pg.JSONB, t.JSON)):
        shape = json_shape(annotation, column)
        return True, (["rda", "x"] if shape == "list" else {"rda": [1, "x"], "n": 2})
    if isinstance(kind, t.Boolean):
        return True, True
    if isinstance(kind, t.Integer):
        return True, 7 + seq
    if isinstance(kind, t.Numeric):
        return True, (1.5 if isinstance(kind, t.Float) else decimal.Decimal("1.5"))
    if isinstance(kind, t.DateTime):
        now = dt.datetime.now(dt.UTC).replace(microsecond=123456)
        return True, (now if kind.timezone else now.replace(tzinfo=None))
    if isinstance(kind, t.Date):
        return True, dt.date(2026, 1, 2) + dt.timedelta(days=seq)
    if isinstance(kind, t.Time):
        return True, dt.time(12, 30)
    if isinstance(kind, t.Interval):
        return True, dt.timedelta(minutes=5)
    if isinstance(kind, t.Uuid):
        return True, uuid.uuid4()
    if isinstance(kind, t.LargeBinary):
        return True, b"rda"
    if isinstance(kind, t.String):
        length = getattr(kind, "length", None) or 16
        return True, f"rda{seq}-value"[:length]
    if isinstance(kind, t.ARRAY):
        return True, []
    return False, None
