"""Where the runs are: skill-creator's workspace layout.

``WORKSPACE/eval-<id>/<configuration>/run-<k>/outputs/`` (``with_skill``, ``without_skill``,
or any other configuration name such as ``old_skill``), or the single-run form
``WORKSPACE/eval-<id>/<configuration>/outputs/``. An eval folder may carry another name when
its ``eval_metadata.json`` gives the ``eval_id`` (skill-creator suggests descriptive names).
Each run's ``grading.json`` goes beside its ``outputs/``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from verifier.errors import UsageError

EVAL_DIR = re.compile(r"eval-(\d+)$")
RUN_DIR = re.compile(r"run-(\d+)$")
METADATA_FILE = "eval_metadata.json"
OUTPUTS = "outputs"


class RunIdentity:
    """What names one run: its eval, configuration and number. A base for the records that
    carry those three fields (a run's folder, its verification job, its outcome)."""

    eval_id: int
    configuration: str
    run_number: int

    @property
    def key(self) -> tuple[int, str, int]:
        return (self.eval_id, self.configuration, self.run_number)

    @property
    def label(self) -> str:
        return f"eval-{self.eval_id}/{self.configuration}/run-{self.run_number}"


@dataclass(frozen=True)
class RunDir(RunIdentity):
    eval_id: int
    configuration: str
    run_number: int
    path: Path  # the run's folder: outputs/, timing.json, grading.json
    eval_dir: Path  # the eval's folder (eval_metadata.json)

    @property
    def outputs(self) -> Path:
        return self.path / OUTPUTS


def eval_id_of(folder: Path) -> int | None:
    """The eval an ``eval-*`` folder holds: its metadata's ``eval_id``, else its name's."""
    metadata = folder / METADATA_FILE
    if metadata.is_file():
        try:
            value = json.loads(metadata.read_text(encoding="utf-8")).get("eval_id")
        except (OSError, ValueError, AttributeError):
            value = None
        if type(value) is int:
            return value
    match = EVAL_DIR.match(folder.name)
    return int(match.group(1)) if match else None


def eval_name_of(folder: Path) -> str | None:
    """The ``eval_name`` skill-creator's ``eval_metadata.json`` gives the eval, if any."""
    try:
        value = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8")).get("eval_name")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and value.strip() else None


def discover_runs(workspace: Path) -> list[RunDir]:
    """Every run in the workspace, ordered by eval, configuration and run number."""
    if not workspace.is_dir():
        raise UsageError(f"{workspace} is not a folder", "give the workspace holding eval-<id>/")
    runs: list[RunDir] = []
    seen: dict[int, Path] = {}
    for folder in sorted(p for p in workspace.iterdir() if p.is_dir()):
        eval_id = eval_id_of(folder)
        if eval_id is None:
            continue
        if eval_id in seen:
            raise UsageError(f"{folder.name} and {seen[eval_id].name} both hold eval {eval_id}")
        seen[eval_id] = folder
        for config in sorted(p for p in folder.iterdir() if p.is_dir()):
            runs += _config_runs(eval_id, config)
    if not runs:
        iterations = sorted(p.name for p in workspace.glob("iteration-*") if p.is_dir())
        hint = (
            f"give one iteration, e.g. {workspace / iterations[-1]}"
            if iterations
            else "the layout is eval-<id>/<configuration>/run-<k>/outputs/"
        )
        raise UsageError(f"no runs found in {workspace}", hint)
    return sorted(runs, key=lambda r: r.key)


def _config_runs(eval_id: int, config: Path) -> list[RunDir]:
    numbered = [
        RunDir(eval_id, config.name, int(m.group(1)), run, config.parent)
        for run in config.iterdir()
        if run.is_dir() and (m := RUN_DIR.match(run.name))
    ]
    if numbered:
        return numbered
    if (config / OUTPUTS).is_dir():
        return [RunDir(eval_id, config.name, 1, config, config.parent)]
    return []
