"""What a run of ``rda lint`` or ``rda verify`` produced, independent of how it is printed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from verifier.findings import Finding, Severity

REPORT_SCHEMA_VERSION = "1"


@dataclass(slots=True)
class StageResult:
    """One stage's outcome: ``status`` is passed, failed, skipped or error."""

    name: str
    status: str
    seconds: float = 0.0
    note: str | None = None


@dataclass(slots=True)
class Report:
    """Findings of one target plus what it takes to trust them (timings, tool versions)."""

    tool: str  # "lint" or "verify"
    target: str
    findings: list[Finding] = field(default_factory=list)
    stages: list[StageResult] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    tool_versions: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    # How the target's code ran: "isolation" (bubblewrap or the audit hook alone, and what it
    # could not cut) and "database_role" (a role of its own, or the --db URL's).
    sandbox: dict[str, str] = field(default_factory=dict)
    # The folder finding files are relative to (a verify report: the target's root), or None
    # when they are as given on the command line. Renderers show them from the cwd.
    root: str | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": REPORT_SCHEMA_VERSION,
            "tool": self.tool,
            "target": self.target,
            "exit_code": self.exit_code,
            "seconds": round(self.seconds, 4),
            "stages": [
                {"name": s.name, "status": s.status, "seconds": round(s.seconds, 4), "note": s.note}
                for s in self.stages
            ],
            "assumptions": list(self.assumptions),
            "sandbox": dict(self.sandbox),
            "tool_versions": dict(self.tool_versions),
            "findings": [f.to_dict() for f in sorted(self.findings, key=Finding.sort_key)],
        }
