"""``timing.json``: how long a run's agent took, in skill-creator's timing schema.

skill-creator saves ``total_tokens``, ``duration_ms`` and ``total_duration_seconds`` from a
subagent's notification, and optionally ``executor_start``/``executor_end``/
``executor_duration_seconds``; ``rda eval run`` writes the same keys for the agent it ran
(no tokens: a command does not report them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

TIMING_FILE = "timing.json"


@dataclass(frozen=True)
class AgentTiming:
    seconds: float = 0.0  # the executor's (agent's) wall-clock time; 0.0 when unknown
    tokens: int = 0


def read_timing(run_dir: Path) -> AgentTiming:
    """The run's ``timing.json`` as far as it can be read (zeros when absent or unreadable)."""
    path = run_dir / TIMING_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return AgentTiming()
    if not isinstance(data, dict):
        return AgentTiming()
    seconds = _number(data.get("executor_duration_seconds")) or _number(
        data.get("total_duration_seconds")
    )
    if not seconds and _number(data.get("duration_ms")):
        seconds = _number(data.get("duration_ms")) / 1000
    return AgentTiming(seconds, int(_number(data.get("total_tokens"))))


def write_timing(run_dir: Path, started: datetime, ended: datetime) -> None:
    seconds = (ended - started).total_seconds()
    data = {
        "duration_ms": round(seconds * 1000),
        "total_duration_seconds": round(seconds, 3),
        "executor_start": _stamp(started),
        "executor_end": _stamp(ended),
        "executor_duration_seconds": round(seconds, 3),
    }
    (run_dir / TIMING_FILE).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return float(value)
