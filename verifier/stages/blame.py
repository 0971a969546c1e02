"""Whose fault an exception is: the target's (a finding) or the verifier's (an internal error).

A dynamic stage runs the target's code and the verifier's own around it. An exception that
reaches a stage's generic handler is the target's when its traceback (or the chain of exceptions
it was raised ``from``) passes through a frame of the target's files, or when it is of a kind
only the target's definitions can cause: the database or SQLAlchemy refusing the target's
schema or queries, a model's validation, the sandbox refusing an operation. Anything else was
raised by the verifier's own code (a ``TypeError`` in a helper, a ``KeyError`` in a check) and
must never be reported against the target: the child reports it as an internal error and
``rda`` exits 2.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path

import verifier

VERIFIER_DIR = str(Path(verifier.__file__).resolve().parent)
# Exceptions whose cause is the target's schema, models or queries, wherever they are raised.
TARGET_KINDS = (
    ("sqlalchemy.exc", "SQLAlchemyError"),
    ("pydantic", "ValidationError"),
    ("asyncpg", "PostgresError"),
    ("alembic.util.exc", "CommandError"),
    ("verifier.sandbox.guard", "SandboxRefusal"),
)


@dataclass(frozen=True, slots=True)
class OwnFrame:
    """The innermost frame of the verifier's own code in a traceback."""

    file: str  # relative to the package's parent: verifier/stages/schema.py
    line: int | None
    function: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} in {self.function}"


def _is_target_kind(exc: BaseException) -> bool:
    import sys

    for module, name in TARGET_KINDS:
        loaded = sys.modules.get(module)
        kind = getattr(loaded, name, None) if loaded is not None else None
        if isinstance(kind, type) and isinstance(exc, kind):
            return True
    return False


def _in_target(filename: str, root: Path) -> bool:
    try:
        return Path(filename).resolve().is_relative_to(root)
    except (OSError, ValueError):
        return False


def caused_by_target(exc: BaseException, root: Path) -> bool:
    """Whether ``exc`` is the target's fault (see the module docstring)."""
    resolved = root.resolve()
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, (SystemExit, MemoryError)) or _is_target_kind(seen):
            return True
        frames = traceback.extract_tb(seen.__traceback__)
        if any(_in_target(frame.filename, resolved) for frame in frames):
            return True
        if isinstance(seen, SyntaxError) and seen.filename and _in_target(seen.filename, resolved):
            return True
        seen = seen.__cause__
    return False


def own_frame(exc: BaseException) -> OwnFrame | None:
    """Where in the verifier's code ``exc`` was raised (innermost frame of ours)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        try:
            path = Path(frame.filename).resolve()
        except (OSError, ValueError):
            continue
        if path.is_relative_to(VERIFIER_DIR):
            rel = path.relative_to(Path(VERIFIER_DIR).parent).as_posix()
            return OwnFrame(rel, frame.lineno, frame.name)
    return None


class VerifierFault(Exception):
    """The verifier's own code failed inside a stage: never a finding about the target."""

    def __init__(self, stage: str, exc: BaseException) -> None:
        from verifier.stages.context import describe

        self.stage = stage
        self.error = describe(exc)
        self.where = own_frame(exc)
        self.traceback = "".join(traceback.format_exception(exc))
        super().__init__(self.summary)

    @property
    def summary(self) -> str:
        where = f" ({self.where})" if self.where else ""
        return f"the {self.stage} stage failed in rda's own code: {self.error}{where}"
