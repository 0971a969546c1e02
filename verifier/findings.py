"""The one shape every check reports in, static or dynamic.

A ``Finding`` carries what an agent needs to fix the code in one step: where (file, line, col),
what (code, message), how (fix) and where the skill teaches it (skill_ref). Keeping this module
free of heavy imports lets the lint path, the sandbox children and the reporters share it.

Nothing ``rda lint`` imports defines a dataclass: importing ``dataclasses`` (``inspect`` with it)
and generating the methods of its 26 records was about a quarter of a one-file run's imports
(``-X importtime``, interleaved: 117 -> 91 ms). They are NamedTuples or plain classes instead.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How bad a finding is: only ``error`` findings make ``rda`` exit 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


_FIELDS = (
    "code",
    "message",
    "severity",
    "file",
    "line",
    "col",
    "stage",
    "fix",
    "skill_ref",
    "details",
)


class Finding:
    """One problem found in the target, in the shape of DESIGN.md section 3.

    Immutable and equal field by field, like a frozen dataclass; ``details`` left out is a fresh
    dict per finding.
    """

    __slots__ = _FIELDS
    __match_args__ = _FIELDS

    code: str
    message: str
    severity: Severity
    file: str | None
    line: int | None
    col: int | None
    stage: str
    fix: str | None
    skill_ref: str | None
    details: dict[str, Any]

    def __init__(
        self,
        code: str,
        message: str,
        severity: Severity = Severity.ERROR,
        file: str | None = None,
        line: int | None = None,
        col: int | None = None,
        stage: str = "static",
        fix: str | None = None,
        skill_ref: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        init = object.__setattr__
        init(self, "code", code)
        init(self, "message", message)
        init(self, "severity", severity)
        init(self, "file", file)
        init(self, "line", line)
        init(self, "col", col)
        init(self, "stage", stage)
        init(self, "fix", fix)
        init(self, "skill_ref", skill_ref)
        init(self, "details", {} if details is None else details)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def _values(self) -> tuple[Any, ...]:
        return (
            self.code,
            self.message,
            self.severity,
            self.file,
            self.line,
            self.col,
            self.stage,
            self.fix,
            self.skill_ref,
            self.details,
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()  # type: ignore[attr-defined]
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())  # a TypeError, as ``details`` is a dict

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in _FIELDS)
        return f"{type(self).__qualname__}({shown})"

    def __reduce__(self) -> tuple[type[Finding], tuple[Any, ...]]:
        return type(self), self._values()  # pickle and copy go through __init__

    def replace(self, **changes: Any) -> Finding:
        """A copy with ``changes`` to some fields."""
        values = dict(zip(_FIELDS, self._values(), strict=True))
        values.update(changes)
        return type(self)(**values)

    def to_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in _FIELDS}
        data["severity"] = str(self.severity)
        data["details"] = _copied(self.details)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        known = {k: data[k] for k in _FIELDS if k in data}
        known["severity"] = Severity(known.get("severity", "error"))
        return cls(**known)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file or "", self.line or 0, self.col or 0, self.code)


def _copied(value: Any) -> Any:
    """``value`` with its dicts, lists and tuples copied all the way down."""
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copied(v) for v in value]
    if type(value) is tuple:
        return tuple(_copied(v) for v in value)
    return value
