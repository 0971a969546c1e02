"""``verifier.records.Record`` behaves as the NamedTuples and frozen dataclasses it replaced.

Every record the lint path defines is checked the same way, with made-up field values: equal and
hashed field by field, a ``repr`` naming the fields in ``__init__``'s order, ``replace``,
pickling (the forked rule pass sends results through ``pickle``), positional ``match``, and no
assignment. The base refuses a subclass whose ``__slots__`` are not its ``__init__``'s
parameters, since every generated method relies on that list.
"""

from __future__ import annotations

import copy
import pickle

import pytest

from verifier.findings import Finding
from verifier.lint import runner  # noqa: F401 - imports every record of the lint path
from verifier.records import Record, setfield
from verifier.rules import all_rules
from verifier.rules.analysis import indexing  # noqa: F401 - and of the analysis
from verifier.rules.base import Edit

all_rules()  # the rule modules, in case one defines a record of its own


def _records() -> list[type[Record]]:
    found: list[type[Record]] = []
    pending = list(Record.__subclasses__())
    while pending:
        cls = pending.pop()
        if cls.__module__.startswith("verifier."):
            found.append(cls)
        pending += cls.__subclasses__()
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


RECORDS = _records()


def _sample(cls: type[Record], tag: str = "v") -> Record:
    return cls(*(f"{tag}{i}" for i in range(len(cls._fields))))


def test_the_lint_path_defines_its_records_on_the_base() -> None:
    names = {cls.__qualname__ for cls in RECORDS}
    assert {"Finding", "SourceFile", "Selection", "Binding", "Value", "Edit", "Violation"} <= names


@pytest.mark.parametrize("cls", RECORDS, ids=lambda cls: cls.__qualname__)
def test_a_record_is_a_frozen_value(cls: type[Record]) -> None:
    record = _sample(cls)
    fields = cls._fields
    assert tuple(getattr(record, name) for name in fields) == tuple(
        f"v{i}" for i in range(len(fields))
    )
    assert record == _sample(cls) and hash(record) == hash(_sample(cls))
    assert record != _sample(cls, "w") and record != tuple(record._values(record))
    assert (
        repr(record)
        == f"{cls.__qualname__}("
        + ", ".join(f"{name}='v{i}'" for i, name in enumerate(fields))
        + ")"
    )
    changed = record.replace(**{fields[-1]: "new"})
    assert getattr(changed, fields[-1]) == "new" and getattr(record, fields[-1]) != "new"
    assert changed.replace(**{fields[-1]: f"v{len(fields) - 1}"}) == record
    with pytest.raises(TypeError, match="no field 'nonsense'"):
        record.replace(nonsense=1)
    assert pickle.loads(pickle.dumps(record, pickle.HIGHEST_PROTOCOL)) == record
    assert copy.copy(record) == record and copy.deepcopy(record) == record
    with pytest.raises(AttributeError):
        setattr(record, fields[0], "other")
    with pytest.raises(AttributeError):
        delattr(record, fields[0])
    with pytest.raises(AttributeError):
        record.unknown = 1  # type: ignore[attr-defined]
    assert not hasattr(record, "__dict__")
    match record:
        case cls(first, second):  # type: ignore[misc]
            assert (first, second) == ("v0", "v1")
        case _:
            pytest.fail("no positional match")


def test_defaults_and_the_finding_s_fresh_details() -> None:
    one, two = Finding("RDA101", "m"), Finding("RDA101", "m")
    assert one == two and one.details is not two.details
    with pytest.raises(TypeError):
        hash(one)  # details is a dict, as on the frozen dataclass it was
    assert sorted([Edit(5, 6, "b"), Edit(1, 2, "a")], key=lambda e: e.start)[0] == Edit(1, 2, "a")


def _define(slots: tuple[str, ...], init_source: str | None) -> type[Record]:
    body: dict[str, object] = {"__slots__": slots}
    if init_source is not None:
        namespace: dict[str, object] = {"setfield": setfield}
        exec(init_source, namespace)
        body["__init__"] = namespace["__init__"]
    return type("Bad", (Record,), body)


@pytest.mark.parametrize(
    ("slots", "init_source"),
    [
        (("a", "b"), "def __init__(self, a, c): pass"),  # a slot that is no parameter
        (("a", "b"), "def __init__(self, a, b, c=1): pass"),  # a parameter that is no slot
        (("a", "b"), "def __init__(self, a, *, b): pass"),  # pickling passes fields by position
        (("a",), "def __init__(self, a): pass"),  # attrgetter of one name is no tuple
        (("a", "b"), None),  # no __init__ of its own: no fields to read
    ],
)
def test_the_base_refuses_a_record_it_could_not_serve(
    slots: tuple[str, ...], init_source: str | None
) -> None:
    with pytest.raises(TypeError):
        _define(slots, init_source)


def test_a_well_formed_definition_is_accepted() -> None:
    cls = _define(
        ("b", "a"), "def __init__(self, a, b):\n setfield(self, 'a', a)\n setfield(self, 'b', b)"
    )
    assert cls._fields == ("a", "b") and repr(cls(1, 2)) == "Bad(a=1, b=2)"
