"""What a name can hold, in the words every analysis module shares.

A ``Binding`` is the abstract type of a name or attribute: an AsyncSession (with its flavor,
which decides between ``exec`` and ``execute``), an engine, a connection, a session factory, a
``get_session`` provider, or an instance of one of the project's own classes (``OBJECT``, with
the class it is an instance of). It sits at the bottom of the analysis layers so that the
project index (which stores the bindings of module globals and class attributes) and the
per-function inference (which computes them) can both speak of it without importing each other.
It is a ``Record``, not a frozen dataclass: see ``verifier.records``.
"""

from __future__ import annotations

from verifier.records import Record, setfield

SESSION = "session"
ENGINE = "engine"
CONNECTION = "connection"
FACTORY = "factory"
SYNC_SESSION = "sync_session"
SYNC_ENGINE = "sync_engine"
SYNC_FACTORY = "sync_factory"
ALIAS = "session_alias"
PROVIDER = "provider"
OBJECT = "object"  # an instance of a class of the project: ``cls`` says which

SQLMODEL = "sqlmodel"
SQLALCHEMY = "sqlalchemy"
UNKNOWN = "unknown"


class Binding(Record):
    """What a name holds: ``kind`` (session, engine, ...), the session ``flavor``, and for
    ``OBJECT`` the key of the project class (``ClassInfo.key``)."""

    __slots__ = ("cls", "flavor", "kind")
    kind: str
    flavor: str
    cls: str | None

    def __init__(self, kind: str, flavor: str = UNKNOWN, cls: str | None = None) -> None:
        setfield(self, "kind", kind)
        setfield(self, "flavor", flavor)
        setfield(self, "cls", cls)


def describe(binding: Binding) -> str:
    """Human words for a binding, used in messages."""
    if binding.kind == SESSION:
        return {
            SQLMODEL: "SQLModel AsyncSession",
            SQLALCHEMY: "SQLAlchemy AsyncSession",
        }.get(binding.flavor, "AsyncSession")
    return {
        ENGINE: "AsyncEngine",
        CONNECTION: "AsyncConnection",
        FACTORY: "async session factory",
    }.get(binding.kind, binding.kind)
