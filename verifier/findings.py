"""The one shape every check reports in, static or dynamic.

A ``Finding`` carries what an agent needs to fix the code in one step: where (file, line, col),
what (code, message), how (fix) and where the skill teaches it (skill_ref). Keeping this module
free of heavy imports lets the lint path, the sandbox children and the reporters share it.

Nothing ``rda lint`` imports defines a dataclass: importing ``dataclasses`` (``inspect`` with it)
and generating the methods of its 26 records was about a quarter of a one-file run's imports
(``-X importtime``, interleaved: 117 -> 91 ms). Its records are ``verifier.records.Record``s
instead, and it does not import ``typing`` either (see that module).
"""

from __future__ import annotations

from enum import StrEnum

from verifier.records import Record, setfield

TYPE_CHECKING = False
if TYPE_CHECKING:
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


class Finding(Record):
    """One problem found in the target, in the shape of DESIGN.md section 3.

    Immutable and equal field by field, like a frozen dataclass; ``details`` left out is a fresh
    dict per finding (so a finding cannot be hashed: ``details`` is a dict).
    """

    __slots__ = _FIELDS

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
        setfield(self, "code", code)
        setfield(self, "message", message)
        setfield(self, "severity", severity)
        setfield(self, "file", file)
        setfield(self, "line", line)
        setfield(self, "col", col)
        setfield(self, "stage", stage)
        setfield(self, "fix", fix)
        setfield(self, "skill_ref", skill_ref)
        setfield(self, "details", {} if details is None else details)

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
