"""``--shard k/n`` and ``rda eval merge``: one eval split over the jobs of a CI matrix.

Shard *k* of *n* takes every *n*-th run (in eval, configuration, run order, starting at the
*k*-th), so shards stay balanced whatever the layout. Each writes ``shard-k-of-n.json``: a
``benchmark.json`` of its runs with ``metadata.shard``. Merging checks that the shards are one
set (same skill, same *n*, each *k* once, no run twice) and rebuilds the benchmark from the
runs of all of them, exactly as one unsharded eval would have.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from verifier.errors import UsageError

SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
T = TypeVar("T")


def parse_shard(text: str) -> tuple[int, int]:
    match = SHARD.match(text)
    if not match:
        raise UsageError(f"--shard {text!r} is not k/n", "for example --shard 1/4")
    k, n = int(match.group(1)), int(match.group(2))
    if n < 1 or not 1 <= k <= n:
        raise UsageError(f"--shard {text}: k must be between 1 and n", "for example --shard 1/4")
    return k, n


def select_shard(items: Sequence[T], shard: tuple[int, int]) -> list[T]:
    k, n = shard
    return [item for index, item in enumerate(items) if index % n == k - 1]


def shard_file_name(shard: tuple[int, int]) -> str:
    return f"shard-{shard[0]}-of-{shard[1]}.json"


def read_shards(paths: Sequence[Path]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The runs of every shard file, and the metadata they share; ``UsageError`` when the
    files are not one complete set."""
    if not paths:
        raise UsageError("give the shard files to merge", "rda eval merge shard-*.json")
    seen: dict[int, Path] = {}
    total: int | None = None
    skill: tuple[str, str] | None = None
    runs: list[dict[str, Any]] = []
    keys: set[tuple[int, str, int]] = set()
    metadata: dict[str, Any] = {}
    for path in paths:
        data = _load(path)
        meta = data["metadata"]
        k, n = parse_shard(str(meta.get("shard", "")))
        if total is not None and n != total:
            raise UsageError(f"{path} is shard {k}/{n}, the others are of {total}")
        total = n
        if k in seen:
            raise UsageError(f"{path} and {seen[k]} are both shard {k}/{n}")
        seen[k] = path
        this_skill = (meta.get("skill_name"), meta.get("skill_path"))
        if skill is not None and this_skill != skill:
            raise UsageError(f"{path} grades skill {this_skill[0]!r}, the others {skill[0]!r}")
        skill = this_skill  # type: ignore[assignment]
        metadata = meta
        for run in data["runs"]:
            key = (run["eval_id"], run["configuration"], run["run_number"])
            if key in keys:
                raise UsageError(f"{path}: run {key} is in another shard too")
            keys.add(key)
            runs.append(run)
    assert total is not None
    missing = sorted(set(range(1, total + 1)) - set(seen))
    if missing:
        raise UsageError(
            f"shard(s) {', '.join(f'{k}/{total}' for k in missing)} missing",
            "merge the files of every shard of the run",
        )
    return runs, metadata


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("metadata"), dict)
        or not isinstance(data.get("runs"), list)
    ):
        raise UsageError(f"{path} is not a benchmark file (metadata and runs)")
    if "shard" not in data["metadata"]:
        raise UsageError(f"{path} is not a shard (no metadata.shard)", "rda eval --shard k/n")
    return data
