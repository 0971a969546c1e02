"""A stage that two children share shows as one: one result in the report, one progress line.

``plan_lanes`` may split the behavior stage over a target's two children (the contract in one,
the generic checks in the other). Each child reports its part as the stage; the user sees the
stage once: running when the first part starts, done when the last part ends, with the status
of the two together (a failed part fails the stage).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable

from verifier.report.model import StageResult

# The status of a stage from the statuses of its parts, the first that any part has.
PRECEDENCE = ("failed", "passed", "skipped", "not run")


def merged_status(statuses: Iterable[str]) -> str:
    found = list(statuses)
    return next((s for s in PRECEDENCE if s in found), found[0])


def merge_split_stages(results: list[StageResult]) -> list[StageResult]:
    """One result per stage name: the parts' status together, the longer time, and the notes
    of the parts that have that status (a skipped part's reason does not explain a failure).

    The parts ran at the same time in two children, so the stage took as long as its longer
    part.
    """
    by_name: dict[str, list[StageResult]] = {}
    for result in results:
        by_name.setdefault(result.name, []).append(result)
    merged = []
    for name, parts in by_name.items():
        if len(parts) == 1:
            merged.append(parts[0])
            continue
        status = merged_status(p.status for p in parts)
        notes = [p.note for p in parts if p.note and p.status == status]
        merged.append(
            StageResult(
                name,
                status,
                max(p.seconds for p in parts),
                "; ".join(dict.fromkeys(notes)) or None,
            )
        )
    return merged


class SharedProgress:
    """Progress lines of one target's children, a shared stage said once (thread-safe)."""

    def __init__(self, progress: Callable[[str, str, str], None], stages: Iterable[str]) -> None:
        self._progress = progress
        self._parts = Counter(stages)  # how many children report each stage
        self._started: set[str] = set()
        self._ended: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def __call__(self, target: str, stage: str, status: str) -> None:
        with self._lock:
            if status == "running":
                if stage in self._started:
                    return
                self._started.add(stage)
            else:
                ended = self._ended.setdefault(stage, [])
                ended.append(status)
                if len(ended) < self._parts[stage]:
                    return
                status = merged_status(ended)
        self._progress(target, stage, status)
