"""The schema of a target's models, read inside the sandbox (``rda erd TARGET``).

The target is found as ``rda verify`` finds it (``[tool.rda]`` manifest or discovery), copied
into a lane of a fresh sandbox, and one child runs the ``erd`` job
(``verifier.stages.erd_schema``): it imports the models and emits their tables. No database is
needed: the child gets a URL that leads nowhere, which is all a models module may read at
import. Whatever keeps the models from importing is an error of the target (exit 2 with what
the child reported), never a traceback here.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from verifier.errors import InternalError, UsageError

NOWHERE_URL = "postgresql+asyncpg://rda@localhost:9/rda_erd"  # never connected to


def schema_of_target(path: Path, timeout: float = 60.0) -> dict[str, Any]:
    from verifier.sandbox.runner import Limits, Sandbox, run_child, scrubbed_environment
    from verifier.verify.pipeline import COPY_IGNORE, child_findings
    from verifier.verify.target import load_target

    target = load_target(path, contract="none")
    limits = Limits(timeout=timeout, import_timeout=timeout)
    with Sandbox() as sandbox:
        lane_dir = sandbox.lane_dir()
        workdir = lane_dir / "target"
        shutil.copytree(target.path, workdir, ignore=COPY_IGNORE, symlinks=True)
        home = lane_dir / "home"
        home.mkdir()
        sandbox.hand_over(lane_dir)
        config = {
            "target": target.spec.to_dict() | {"root": str(workdir), "contract": "none"},
            "stages": ["erd"],
            "silent_stages": [],
            "databases": {"main": NOWHERE_URL, "migrations": NOWHERE_URL},
        }
        env = scrubbed_environment({target.spec.database_url_env: NOWHERE_URL}, home)
        result = run_child(config, sandbox=sandbox, workdir=workdir, env=env, limits=limits)
    log = result.log
    if log.internal_error is not None:
        raise InternalError(log.internal_error["summary"], log.internal_error.get("traceback"))
    if log.schema is not None:
        return {"title": target.path.resolve().name, "tables": log.schema["tables"]}
    problems = [f"{f.file}:{f.line}: {f.message}" if f.file else f.message for f in log.findings]
    problems += [f.message for f in child_findings(result, limits)]
    raise UsageError(
        f"could not read the models of {path}: " + ("; ".join(problems) or "no schema reported"),
        "rda verify " + str(path) + " --stages import says more; or draw the spec: rda erd SPEC",
    )
