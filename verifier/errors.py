"""Errors that are the user's or the machine's problem, never the target's.

Each carries a message and a hint saying what to do; the CLI prints both and exits 2. Anything
that is the target's fault is a ``Finding`` instead, so the two can never be confused.
"""

from __future__ import annotations


class RdaError(Exception):
    """Base class: ``rda`` reports it in one or two lines and exits with ``exit_code``."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def render(self) -> str:
        return f"rda: error: {self.message}" + (f"\n  hint: {self.hint}" if self.hint else "")


class UsageError(RdaError):
    """Bad arguments, a missing path, an unreadable configuration."""


class InfrastructureError(RdaError):
    """The database server or the machine failed: not a finding about the target."""


class InternalError(RdaError):
    """rda's own code failed: a bug of ours, never a finding about the target."""

    def __init__(self, message: str, details: str | None = None) -> None:
        super().__init__(
            message,
            "this is a bug in rda, not a finding about your code; please report it with the "
            "command you ran (RDA_DEBUG=1 prints the traceback)",
        )
        self.details = details

    def render(self) -> str:
        import os

        text = f"rda: internal error: {self.message}\n  hint: {self.hint}"
        if self.details and os.environ.get("RDA_DEBUG"):
            text += "\n" + self.details.rstrip()
        return text
