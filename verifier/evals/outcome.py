"""What verifying one run asks for (``RunJob``) and what it gives back (``RunOutcome``).

Both are plain data, so they travel to a Dask worker and back as they are. An outcome holds the
``rda verify`` JSON report of the run's outputs, or, when there was nothing to verify (no
``outputs/``, no Python file, a manifest the agent wrote that cannot be read), why not: that is
a failed run, graded as such, never a crashed eval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verifier.evals.workspace import RunIdentity
from verifier.sandbox.runner import Limits

MAX_SHIPPED_BYTES = 20 * 1024 * 1024  # outputs sent to a remote worker, at most


@dataclass(frozen=True)
class RunJob(RunIdentity):
    eval_id: int
    configuration: str
    run_number: int
    outputs: str  # the run's outputs/ folder, as the workspace has it
    contract: str | None
    stages: tuple[str, ...]
    limits: Limits = field(default_factory=Limits)
    # For workers that do not share the workspace's file system: outputs/ and a contract file
    # travel with the job, relative path -> bytes.
    shipped: dict[str, bytes] | None = None
    shipped_contract: dict[str, bytes] | None = None


@dataclass
class RunOutcome(RunIdentity):
    eval_id: int
    configuration: str
    run_number: int
    report: dict[str, Any] | None = None
    error: str | None = None  # why the outputs could not be verified (a failed run)
    seconds: float = 0.0  # the verification's wall-clock time
    worker: str | None = None
    attempts: int = 1


def outputs_problem(outputs: Path) -> str | None:
    """Why ``outputs`` cannot be verified at all, or None."""
    if not outputs.is_dir():
        return "the run has no outputs/ folder"
    if not any(p.is_file() for p in outputs.rglob("*.py")):
        return "outputs/ holds no Python file"
    return None


def pack(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (a run's outputs), relative path -> bytes, for shipping."""
    files: dict[str, bytes] = {}
    total = 0
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            data = path.read_bytes()
            total += len(data)
            if total > MAX_SHIPPED_BYTES:
                from verifier.errors import UsageError

                raise UsageError(
                    f"{folder} holds more than {MAX_SHIPPED_BYTES // 2**20} MiB: too much to send "
                    "to a worker",
                    "remove generated files from outputs/, or run without --scheduler",
                )
            files[path.relative_to(folder).as_posix()] = data
    return files


def unpack(files: dict[str, bytes], folder: Path) -> None:
    for relative, data in files.items():
        path = folder / relative
        if ".." in Path(relative).parts or Path(relative).is_absolute():
            continue  # never outside the folder
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
