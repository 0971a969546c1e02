"""``benchmark.json`` in skill-creator's schema, from the graded runs.

``metadata`` (skill, timestamp, ``evals_run``, ``runs_per_configuration``), ``runs[]`` (one per
graded run: ``eval_id``, ``eval_name``, ``configuration``, ``run_number``, ``result`` with
``pass_rate``/``passed``/``failed``/``total``/``time_seconds``/``tokens``/``errors``,
``expectations``, ``notes``), ``run_summary`` (per configuration ``pass_rate``,
``time_seconds`` and ``tokens`` as mean/stddev/min/max, and ``delta``: the first configuration
in name order minus the second, ``with_skill`` minus ``without_skill``) and ``notes`` (what the
figures alone hide). The benchmark is built from ``runs[]`` alone, so shards merge by
concatenating theirs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any

from verifier.evals.stats import signed, summary_stats

FLAKY_STDDEV = 0.25  # an eval's pass rate spread over its runs worth a note


def run_entry(
    eval_id: int,
    eval_name: str,
    configuration: str,
    run_number: int,
    grading: dict[str, Any],
    tokens: int = 0,
) -> dict[str, Any]:
    """One ``runs[]`` entry from a run's grading."""
    summary = grading["summary"]
    verify = grading.get("verify", {})
    notes = grading.get("user_notes_summary", {})
    return {
        "eval_id": eval_id,
        "eval_name": eval_name,
        "configuration": configuration,
        "run_number": run_number,
        "result": {
            "pass_rate": summary["pass_rate"],
            "passed": summary["passed"],
            "failed": summary["failed"],
            "total": summary["total"],
            "time_seconds": grading.get("timing", {}).get("total_duration_seconds", 0.0),
            "tokens": tokens,
            "tool_calls": 0,
            "errors": sum(verify.get("codes", {}).values()),
        },
        "expectations": grading["expectations"],
        "notes": [*notes.get("uncertainties", []), *notes.get("needs_review", [])],
        "verify": verify,
    }


def configurations(runs: list[dict[str, Any]]) -> list[str]:
    return sorted({r["configuration"] for r in runs})


def run_summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for config in configurations(runs):
        mine = [r["result"] for r in runs if r["configuration"] == config]
        summary[config] = {
            "pass_rate": summary_stats([r["pass_rate"] for r in mine]),
            "time_seconds": summary_stats([r["time_seconds"] for r in mine]),
            "tokens": summary_stats([r["tokens"] for r in mine]),
        }
    names = configurations(runs)
    primary = summary.get(names[0], {}) if names else {}
    baseline = summary.get(names[1], {}) if len(names) > 1 else {}

    def mean(side: dict[str, Any], metric: str) -> float:
        return float(side.get(metric, {}).get("mean", 0.0))

    summary["delta"] = {
        "pass_rate": signed(mean(primary, "pass_rate") - mean(baseline, "pass_rate"), 2),
        "time_seconds": signed(mean(primary, "time_seconds") - mean(baseline, "time_seconds"), 1),
        "tokens": signed(mean(primary, "tokens") - mean(baseline, "tokens"), 0),
    }
    return summary


def sort_runs(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(runs, key=lambda r: (r["configuration"], r["eval_id"], r["run_number"]))


def build_benchmark(
    runs: list[dict[str, Any]],
    skill_name: str,
    skill_path: str,
    executor_model: str = "unknown",
    timestamp: datetime | None = None,
) -> dict[str, Any]:
    from verifier import __version__

    runs = sort_runs(runs)
    per_cell = Counter((r["eval_id"], r["configuration"]) for r in runs)
    moment = timestamp or datetime.now(UTC)
    return {
        "metadata": {
            "skill_name": skill_name,
            "skill_path": skill_path,
            "executor_model": executor_model,
            "analyzer_model": "none (graded by execution)",
            "grader": f"rda verify {__version__}",
            "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "evals_run": sorted({r["eval_id"] for r in runs}),
            "runs_per_configuration": max(per_cell.values(), default=0),
        },
        "runs": runs,
        "run_summary": run_summary(runs),
        "notes": benchmark_notes(runs),
    }


def benchmark_notes(runs: list[dict[str, Any]]) -> list[str]:
    """The analyst's observations that follow from the figures (skill-creator's ``notes``)."""
    notes: list[str] = []
    configs = configurations(runs)
    unverified = [r for r in runs if r.get("verify", {}).get("error")]
    if unverified:
        reasons = Counter(r["verify"]["error"] for r in unverified)
        notes.append(
            f"{len(unverified)} run(s) could not be verified: "
            + "; ".join(f"{why} ({n})" for why, n in reasons.most_common())
        )
    if len(configs) > 1:
        outcomes: dict[tuple[int, str], set[bool]] = defaultdict(set)
        seen_in: dict[tuple[int, str], set[str]] = defaultdict(set)
        for r in runs:
            for e in r["expectations"]:
                outcomes[(r["eval_id"], e["text"])].add(e["passed"])
                seen_in[(r["eval_id"], e["text"])].add(r["configuration"])
        for (eval_id, text), results in sorted(outcomes.items()):
            if results == {True} and seen_in[(eval_id, text)] == set(configs):
                notes.append(
                    f"Eval {eval_id}: '{text}' passes in every run of every configuration: "
                    "it does not tell them apart"
                )
    cells: dict[tuple[int, str], list[float]] = defaultdict(list)
    for r in runs:
        cells[(r["eval_id"], r["configuration"])].append(r["result"]["pass_rate"])
    for (eval_id, config), rates in sorted(cells.items()):
        spread = summary_stats(rates)
        if spread["stddev"] > FLAKY_STDDEV:
            notes.append(
                f"Eval {eval_id} {config} varies between runs ({spread['mean']:.0%} ± "
                f"{spread['stddev']:.0%}): flaky or model-dependent"
            )
    for config in configs:
        failing = Counter(
            code for r in runs if r["configuration"] == config for code in r["verify"]["codes"]
        )
        if failing:
            top = ", ".join(f"{code} ({n} runs)" for code, n in failing.most_common(5))
            notes.append(f"{config}: error-level findings most often {top}")
    return notes


def failures_per_code(runs: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Code -> configuration -> number of runs with an error-level finding of that code."""
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in runs:
        for code in r.get("verify", {}).get("codes", {}):
            table[code][r["configuration"]] += 1
    return {code: dict(by) for code, by in sorted(table.items())}
