"""Run ``rda verify`` on the skill's layers, all in one run, and point its findings at the blocks.

Every layer is written under one temporary folder and handed to a single ``rda verify --jobs``
child process (one server start, one fork server, several targets in parallel), exactly as a
user runs it. A finding in a file a block gave comes back at that block's line of its document;
a finding in a file the scaffold added, or in no file, at the layer's first block.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from verifier.findings import Finding
from verifier.skill import codes
from verifier.skill.layers import Layer

DEFAULT_JOBS = 2
RUN_TIMEOUT = 900.0  # seconds for the whole rda verify run
REPORTED = ("error", "warning")  # a taught pattern is clean: warnings count too


def verify_layers(
    layers: Sequence[Layer], db: str = "auto", jobs: int | None = None
) -> Iterator[Finding]:
    """Findings (``SKL406``) for every layer ``rda verify`` does not pass."""
    if not layers:
        return
    with tempfile.TemporaryDirectory(prefix="rda-skill-layers-") as tmp:
        roots = [layer.write(Path(tmp)) for layer in layers]
        command = [
            sys.executable,
            "-m",
            "verifier",
            "verify",
            *map(str, roots),
            "--jobs",
            str(jobs or min(len(roots), DEFAULT_JOBS)),
            "--db",
            db,
            "--format",
            "json",
            "--quiet",
        ]
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DATABASE_URL")}
        try:
            result = subprocess.run(
                command,
                cwd=tmp,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=RUN_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            yield _whole_run(layers[0], f"rda verify did not finish within {RUN_TIMEOUT:g} s")
            return
        reports = _reports(result.stdout)
        if reports is None or len(reports) != len(layers):
            tail = (result.stderr or result.stdout).strip()[-1500:]
            yield _whole_run(
                layers[0], f"rda verify exited {result.returncode} without a report: {tail}"
            )
            return
        for layer, root, report in zip(layers, roots, reports, strict=True):
            for found in report.get("findings", []):
                if found.get("severity") in REPORTED:
                    yield _located(layer, root, found)


def _reports(stdout: str) -> list[dict[str, Any]] | None:
    try:
        data = json.loads(stdout)
    except json.JSONDecodeError:
        return None
    if isinstance(data, dict) and isinstance(data.get("reports"), list):
        return data["reports"]
    return [data] if isinstance(data, dict) and "findings" in data else None


def _relative(path: object, root: Path) -> str | None:
    """A report's file as a path in the layer (contract findings name it absolutely)."""
    if not isinstance(path, str) or not path:
        return None
    candidate = Path(path)
    if not candidate.is_absolute() and (root.parent / candidate).exists():
        candidate = root.parent / candidate  # relative to the run's folder (its cwd)
    if candidate.is_absolute():
        for base in (root, root.resolve()):
            if candidate.is_relative_to(base):
                return candidate.relative_to(base).as_posix()
    return Path(path).as_posix()


def _located(layer: Layer, root: Path, found: dict[str, Any]) -> Finding:
    """The verifier's finding, at the line of the block that holds it."""
    path, line = _relative(found.get("file"), root), found.get("line")
    member = layer.member(path)
    if member is not None and isinstance(line, int):
        doc_line = member.example.line + member.offset + line - 1
        where = f"{path}:{line}"
    else:
        doc_line = layer.line
        added = path is not None and member is None
        where = f"{path} (added by the check)" if added else "the layer"
    code, stage = found.get("code", "?"), found.get("stage", "?")
    return Finding(
        codes.LAYER_REJECTED,
        f"layer '{layer.name}': rda verify reports {code} ({stage} stage) in {where}: "
        f"{found.get('message', '')}",
        file=layer.doc,
        line=doc_line,
        fix=found.get("fix") or "fix the example until rda verify passes on its layer",
        details={
            "rule": code,
            "layer": layer.name,
            "stage": stage,
            "layer_file": path,
            "layer_line": line,
            "skill_ref": found.get("skill_ref"),
        },
    )


def _whole_run(layer: Layer, message: str) -> Finding:
    return Finding(
        codes.LAYER_REJECTED,
        message,
        file=layer.doc,
        line=layer.line,
        fix="write the layer's blocks out (`rda skill assemble DIR --doc DOC --layer NAME "
        "--out FOLDER`) and run `rda verify FOLDER` to see why",
    )
