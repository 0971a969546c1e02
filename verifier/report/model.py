"""What a run of ``rda lint`` or ``rda verify`` produced, independent of how it is printed.

Plain classes, not dataclasses: see ``verifier.findings``.
"""

from __future__ import annotations

from verifier.findings import Finding, Severity

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

REPORT_SCHEMA_VERSION = "1"


class StageResult:
    """One stage's outcome: ``status`` is passed, failed, skipped or error."""

    __slots__ = ("name", "note", "seconds", "status")

    def __init__(
        self, name: str, status: str, seconds: float = 0.0, note: str | None = None
    ) -> None:
        self.name = name
        self.status = status
        self.seconds = seconds
        self.note = note


class Report:
    """Findings of one target plus what it takes to trust them (timings, tool versions)."""

    __slots__ = (
        "assumptions",
        "findings",
        "root",
        "sandbox",
        "seconds",
        "stages",
        "target",
        "tool",
        "tool_versions",
    )

    def __init__(
        self,
        tool: str,  # "lint" or "verify"
        target: str,
        findings: list[Finding] | None = None,
        stages: list[StageResult] | None = None,
        assumptions: list[str] | None = None,
        tool_versions: dict[str, str] | None = None,
        seconds: float = 0.0,
        sandbox: dict[str, str] | None = None,
        root: str | None = None,
    ) -> None:
        self.tool = tool
        self.target = target
        self.findings: list[Finding] = [] if findings is None else findings
        self.stages: list[StageResult] = [] if stages is None else stages
        self.assumptions: list[str] = [] if assumptions is None else assumptions
        self.tool_versions: dict[str, str] = {} if tool_versions is None else tool_versions
        self.seconds = seconds
        # How the target's code ran: "isolation" (bubblewrap or the audit hook alone, and what
        # it could not cut) and "database_role" (a role of its own, or the --db URL's).
        self.sandbox: dict[str, str] = {} if sandbox is None else sandbox
        # The folder finding files are relative to (a verify report: the target's root), or
        # None when they are as given on the command line. Renderers show them from the cwd.
        self.root = root

    def replace(self, **changes: Any) -> Report:
        """A copy with ``changes`` to some fields (the others shared, not copied)."""
        values = {name: getattr(self, name) for name in Report.__slots__}
        values.update(changes)
        return Report(**values)

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
