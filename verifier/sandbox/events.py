"""The line protocol between a sandboxed child and the verifier.

The child writes one JSON object per line to a dedicated pipe (never stdout, which the target
may use): ``{"event": "stage", "name": ..., "status": "start"}``, ``{"event": "finding", ...}``,
``{"event": "stage", "name": ..., "status": "passed"|"failed"|"skipped", "seconds": ...}``.
The parent keeps what arrived even when the child dies mid-stage, so a crash is pinned to the
stage that was running.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import IO, Any

from verifier.findings import Finding


class EventWriter:
    """Child side: writes events to the inherited pipe, flushing each line at once."""

    def __init__(self, fd: int) -> None:
        self._stream: IO[str] = os.fdopen(fd, "w", buffering=1, encoding="utf-8")

    def emit(self, event: str, **data: Any) -> None:
        self._stream.write(json.dumps({"event": event, **data}, default=str) + "\n")
        self._stream.flush()

    def finding(self, finding: Finding) -> None:
        self.emit("finding", **finding.to_dict())

    def stage_start(self, name: str) -> float:
        self.emit("stage", name=name, status="start")
        return time.perf_counter()

    def stage_end(self, name: str, status: str, started: float, note: str | None = None) -> None:
        seconds = time.perf_counter() - started
        self.emit("stage", name=name, status=status, seconds=seconds, note=note)


@dataclass
class ChildLog:
    """Parent side: everything the child reported, in order."""

    findings: list[Finding] = field(default_factory=list)
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    running: str | None = None
    check: str | None = None  # the check running last (names what hung or crashed)
    check_started: float | None = None  # when it started (time.monotonic())
    notes: list[str] = field(default_factory=list)
    offline_sql: str | None = None
    revision_files: dict[str, str] = field(default_factory=dict)  # revision id -> file
    # rda's own code failed in the child: {"stage", "summary", "traceback"} (exit 2, no finding)
    internal_error: dict[str, str] | None = None
    schema: dict[str, Any] | None = None  # the ``erd`` job's tables (``rda erd TARGET``)
    done: bool = False

    def feed(self, line: str) -> None:
        try:
            data = json.loads(line)
        except ValueError:
            return  # a target that scribbles on our pipe gains nothing
        if not isinstance(data, dict):
            return
        kind = data.pop("event", None)
        if kind == "finding":
            try:
                self.findings.append(Finding.from_dict(data))
            except (TypeError, ValueError):
                return
        elif kind == "stage" and isinstance(data.get("name"), str):
            name = data["name"]
            if data.get("status") == "start":
                self.running = name
                self.stages[name] = {
                    "status": "running",
                    "seconds": 0.0,
                    "started": time.time(),
                    "started_monotonic": time.monotonic(),
                }
            else:
                self.stages[name] = {
                    "status": str(data.get("status")),
                    "seconds": float(data.get("seconds") or 0.0),
                    "note": data.get("note"),
                }
                if self.running == name:
                    self.running = None
                    self.check = None
        elif kind == "check":
            self.check = str(data.get("name"))
            self.check_started = time.monotonic()
        elif kind == "note":
            self.notes.append(str(data.get("text")))
        elif kind == "offline_sql" and isinstance(data.get("sql"), str):
            self.offline_sql = data["sql"]
            files = data.get("revision_files")
            if isinstance(files, dict):
                self.revision_files = {str(k): str(v) for k, v in files.items()}
        elif kind == "internal_error" and self.internal_error is None:
            self.internal_error = {
                k: str(data.get(k, "")) for k in ("stage", "summary", "traceback")
            }
        elif kind == "schema" and isinstance(data.get("tables"), list):
            self.schema = data
        elif kind == "done":
            self.done = True
