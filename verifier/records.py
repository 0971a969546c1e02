"""``Record``: the one base of the small immutable records ``rda lint`` passes around.

A record is what a frozen dataclass or a ``typing.NamedTuple`` would be: its fields, equality and
a hash field by field, a ``repr`` that names them, ``replace`` for a changed copy, pickling (the
forked AST pass sends facts and findings between its processes) and positional ``match``
patterns. A subclass writes a typed ``__init__`` whose parameters are its fields, stores each
with ``setfield`` and lists them in ``__slots__``; everything else comes from that list of
fields.

Why not those two: ``dataclasses`` imports ``inspect`` and generates code for each class (see
``verifier.findings``); ``typing`` costs a one-file run about 5 ms to import, and each
``NamedTuple`` class about 1 ms more to create (it compiles every annotation). A one-file
``rda lint`` is short enough (about 0.14 s as a whole process) for these to count, so nothing on
its path imports ``typing`` (``TYPE_CHECKING = False`` stands in for it, the form mypy, pyright
and ruff read as true) and its records are built on this class.

This module imports nothing of the project: every layer, down to ``verifier.findings``, may use it.
"""

from __future__ import annotations

from operator import attrgetter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, Self

#: How a record's ``__init__`` stores a field: plain assignment is refused, as on a frozen
#: dataclass, so that a record's hash cannot change while it is in a set or a dict.
setfield = object.__setattr__


class Record:
    """Base class: a subclass's fields are its own ``__init__``'s parameters, in their order,
    and its ``__slots__`` holds exactly them; ``__init__`` stores each with ``setfield``."""

    __slots__ = ()
    _fields: tuple[str, ...]
    _values: Callable[[Any], tuple[Any, ...]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        code = getattr(cls.__dict__.get("__init__"), "__code__", None)
        fields = () if code is None else code.co_varnames[1 : code.co_argcount]
        slots = cls.__dict__.get("__slots__", ())
        if code is None or code.co_kwonlyargcount or sorted(fields) != sorted(slots):
            raise TypeError(
                f"{cls.__name__}: a record's __slots__ are its __init__'s positional parameters"
            )
        # attrgetter of one name gives the value, not a 1-tuple
        if len(fields) < 2:
            raise TypeError(f"{cls.__name__}: a record has at least two fields")
        cls._fields = fields
        cls.__match_args__ = fields
        cls._values = attrgetter(*fields)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r} of a {type(self).__name__}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r} of a {type(self).__name__}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values(self) == other._values(other)  # type: ignore[attr-defined]
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values(self))  # a TypeError when a field holds a dict or a list

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={value!r}"
            for name, value in zip(self._fields, self._values(self), strict=True)
        )
        return f"{type(self).__qualname__}({shown})"

    def __reduce__(self) -> tuple[type[Self], tuple[Any, ...]]:
        return type(self), self._values(self)  # pickle and copy go through __init__

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` to some fields."""
        # each field's change, or its value when unchanged (map calls pop in C: this is hot)
        values = tuple(map(changes.pop, self._fields, self._values(self)))
        if changes:
            raise TypeError(f"{type(self).__name__} has no field {next(iter(changes))!r}")
        return type(self)(*values)
