"""An expensive result built once per test run, shared by the pytest-xdist workers.

A session-scoped fixture runs once in every worker that needs it; ``once_per_run`` makes the
first worker to ask build it, in a folder of the run's own temporary root, and the others read
the JSON it left there. The lock is held while building, so a worker asking meanwhile waits for
the result instead of building it a second time. Without xdist it simply builds, in a fresh
temporary folder (the root above the base temp is then shared by every run: nothing is read
from it).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock


def once_per_run(
    config: pytest.Config,
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    build: Callable[[Path], Any],
) -> tuple[Path, Any]:
    """``(folder, build(folder))``, ``build`` run once in the run; its result must be JSON."""
    if not hasattr(config, "workerinput"):  # not an xdist worker
        folder = tmp_path_factory.mktemp(name)
        return folder, build(folder)
    root = tmp_path_factory.getbasetemp().parent  # the run's own, above every worker's
    folder = root / name
    done = root / f"{name}.json"
    with FileLock(str(root / f"{name}.lock")):
        if done.is_file():
            return folder, json.loads(done.read_text(encoding="utf-8"))
        shutil.rmtree(folder, ignore_errors=True)  # a build that failed in another worker
        folder.mkdir()
        result = build(folder)
        partial = done.with_suffix(".partial")
        partial.write_text(json.dumps(result), encoding="utf-8")
        partial.replace(done)
        return folder, result
