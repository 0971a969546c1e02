"""What a dynamic stage gets to work with inside the sandboxed child."""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from verifier.findings import Finding, Severity
from verifier.sandbox.events import EventWriter
from verifier.stages import BEHAVIOR_PARTS


@dataclass
class TargetSpec:
    """Where the target's parts are, from its manifest or from discovery (JSON-serializable)."""

    root: str
    # A dotted module name, or several (a models package of many modules, several crud modules).
    models: str | list[str] | None = None
    database: str | None = None
    crud: str | list[str] | None = None
    alembic_ini: str | None = None
    contract: str = "none"
    database_url_env: str = "DATABASE_URL"
    env: dict[str, str] = field(default_factory=dict)  # [tool.rda.env]: templates
    dotenv: dict[str, str] = field(default_factory=dict)  # the target's .env, as read
    # A pytest contract outside the target is copied into the sandbox; this is where it was.
    contract_origin: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def model_modules(self) -> list[str]:
        """Every models module the manifest or discovery names, in order."""
        return module_names(self.models)

    def crud_modules(self) -> list[str]:
        """Every crud module the manifest or discovery names, in order."""
        return module_names(self.crud)


def module_names(value: str | list[str] | None) -> list[str]:
    """A manifest's ``models``/``crud`` value as a list of dotted names."""
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


@dataclass
class StageContext:
    """Shared state of one child run: the target, its databases, what earlier stages loaded."""

    target: TargetSpec
    databases: dict[str, str]  # role ("main", "migrations") -> asyncpg URL
    writer: EventWriter
    check_timeout: float = 20.0
    relay_port: int | None = None  # the loopback port leading to the database socket
    modules: dict[str, ModuleType] = field(default_factory=dict)
    failed_checks: int = 0
    # What earlier stages laid down for later ones: "imported", "schema" (built on "main").
    built: set[str] = field(default_factory=set)
    # The parts of the behavior stage this child runs (``verifier.stages.BEHAVIOR_PARTS``).
    behavior_parts: tuple[str, ...] = BEHAVIOR_PARTS

    @property
    def root(self) -> Path:
        return Path(self.target.root)

    def report(self, finding: Finding) -> None:
        self.failed_checks += finding.severity is Severity.ERROR
        self.writer.finding(finding)

    def check_started(self, name: str) -> None:
        self.writer.emit("check", name=name)

    def relative(self, path: str | None) -> str | None:
        """A file path as the user knows it: relative to the target's root."""
        if not path:
            return None
        try:
            return (
                os.path.relpath(path, self.root) if Path(path).is_relative_to(self.root) else None
            )
        except ValueError:
            return None

    def location_of(self, exc: BaseException) -> tuple[str | None, int | None]:
        """The innermost frame of an exception's traceback that is in the target's own files."""
        frames = traceback.extract_tb(exc.__traceback__)
        for frame in reversed(frames):
            rel = self.relative(frame.filename)
            if rel is not None:
                return rel, frame.lineno
        if isinstance(exc, SyntaxError) and exc.filename:
            return self.relative(exc.filename), exc.lineno
        return None, None

    def location_of_object(self, obj: object) -> tuple[str | None, int | None]:
        """File and line of a class or function defined in the target (for schema findings)."""
        file, first, _last = self.span_of_object(obj)
        return file, first

    def span_of_object(self, obj: object) -> tuple[str | None, int | None, int | None]:
        """File, first and last line of a class or function defined in the target."""
        import inspect

        try:
            file = inspect.getsourcefile(obj)  # type: ignore[arg-type]
            lines, first = inspect.getsourcelines(obj)  # type: ignore[arg-type]
        except (TypeError, OSError):
            return None, None, None
        return self.relative(file), first, first + len(lines) - 1


def describe(exc: BaseException) -> str:
    """One line naming an exception the way a developer would search for it."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    name = type(exc).__qualname__
    return f"{name}: {text}" if text else name


def import_module(ctx: StageContext, dotted: str) -> ModuleType:
    """Import one of the target's modules once per child (sys.path already holds the root)."""
    if dotted not in ctx.modules:
        import importlib

        ctx.modules[dotted] = importlib.import_module(dotted)
    return ctx.modules[dotted]
