"""The one shape every check reports in, static or dynamic.

A ``Finding`` carries what an agent needs to fix the code in one step: where (file, line, col),
what (code, message), how (fix) and where the skill teaches it (skill_ref). Keeping this module
free of heavy imports lets the lint path, the sandbox children and the reporters share it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How bad a finding is: only ``error`` findings make ``rda`` exit 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in the target, in the shape of DESIGN.md section 3."""

    code: str
    message: str
    severity: Severity = Severity.ERROR
    file: str | None = None
    line: int | None = None
    col: int | None = None
    stage: str = "static"
    fix: str | None = None
    skill_ref: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        known["severity"] = Severity(known.get("severity", "error"))
        return cls(**known)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file or "", self.line or 0, self.col or 0, self.code)
