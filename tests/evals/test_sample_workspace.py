"""The sample workspace graded end to end: grading.json and benchmark figures, exactly.

The expected figures follow from the hand-made outputs (see conftest), and the benchmark's
``run_summary`` is recomputed here from the ``grading.json`` files the way skill-creator's
``aggregate_benchmark.py`` is documented to (``references/schemas.md``): per configuration the
runs' ``summary.pass_rate``, ``timing.total_duration_seconds`` and ``timing.json``'s
``total_tokens``; mean, sample standard deviation, min, max rounded to 4 places; the delta the
first configuration (by folder name) minus the second, as "+0.50"/"+13.0"/"+1700".
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from verifier.evals.evaluate import EvalResult

# (eval, configuration, run) -> (expectations passed, error-level codes)
EXPECTED = {
    (1, "with_skill", 1): ([True, True, True, True], {}),
    (1, "with_skill", 2): ([True, False, True, True], {"RDA202": 1}),
    (1, "without_skill", 1): ([False, True, False, False], {"RDA207": 1, "RDA702": 1}),
    (1, "without_skill", 2): ([False, True, True, False], {"F401": 1, "RDA701": 1}),
    (2, "with_skill", 1): ([True, True, True, True], {}),
    (2, "with_skill", 2): ([True, True, True, True], {}),
    (2, "without_skill", 1): ([False, False, False, True], {"RDA601": 1}),
    (2, "without_skill", 2): ([False, True, True, False], {"RDA605": 1, "RDA713": 1}),
    (3, "with_skill", 1): ([True, True, True, True], {}),
    (3, "with_skill", 2): ([False, True, True, True], {"RDA201": 1}),
    (3, "without_skill", 1): ([False, False, False, True], {"RDA201": 1, "RDA202": 1}),
    (3, "without_skill", 2): ([False, False, False, False], {}),
}


def gradings(workspace: Path) -> dict[tuple[int, str, int], dict[str, Any]]:
    found = {}
    for path in workspace.glob("eval-*/*/run-*/grading.json"):
        run, config, eval_dir = path.parent.name, path.parent.parent.name, path.parents[2].name
        key = (int(eval_dir.split("-")[1]), config, int(run.split("-")[1]))
        found[key] = json.loads(path.read_text())
    return found


def workspace_of(graded: EvalResult) -> Path:
    return graded.written[0].parent


def test_every_run_is_graded_as_expected(graded: EvalResult) -> None:
    found = gradings(workspace_of(graded))
    assert set(found) == set(EXPECTED)
    for key, (passed, codes) in EXPECTED.items():
        grading = found[key]
        assert [e["passed"] for e in grading["expectations"]] == passed, key
        assert grading["verify"]["codes"] == codes, key
        total = len(passed)
        assert grading["summary"] == {
            "passed": sum(passed),
            "failed": total - sum(passed),
            "total": total,
            "pass_rate": round(sum(passed) / total, 4),
        }, key
        for entry in grading["expectations"]:
            assert set(entry) >= {"text", "passed", "evidence"} and entry["evidence"]


def test_evidence_says_why(graded: EvalResult) -> None:
    found = gradings(workspace_of(graded))
    hung = found[(2, "without_skill", 2)]["expectations"][3]
    assert "not shown: no RDA701" in hung["evidence"] and "import: failed" in hung["evidence"]
    unindexed = found[(1, "with_skill", 2)]["expectations"][1]
    assert unindexed["evidence"].startswith("RDA202 at app/models.py:")
    assert unindexed["findings"][0]["skill_ref"] == (
        "references/models-indexing.md#index-every-foreign-key"
    )
    empty = found[(3, "without_skill", 2)]
    assert {e["evidence"] for e in empty["expectations"]} == {
        "not verified: outputs/ holds no Python file"
    }
    assert empty["user_notes_summary"]["uncertainties"] == [
        "not verified: outputs/ holds no Python file"
    ]


def test_benchmark_figures(graded: EvalResult) -> None:
    benchmark = graded.benchmark
    assert benchmark["metadata"]["evals_run"] == [1, 2, 3]
    assert benchmark["metadata"]["runs_per_configuration"] == 2
    assert len(benchmark["runs"]) == 12
    summary = benchmark["run_summary"]
    # with_skill: 1, .75, 1, 1, 1, .75; without_skill: .25, .5, .25, .5, .25, 0
    assert summary["with_skill"]["pass_rate"] == {
        "mean": 0.9167,
        "stddev": 0.1291,
        "min": 0.75,
        "max": 1.0,
    }
    assert summary["without_skill"]["pass_rate"] == {
        "mean": 0.2917,
        "stddev": 0.1882,
        "min": 0.0,
        "max": 0.5,
    }
    assert summary["delta"]["pass_rate"] == "+0.62"
    runs = benchmark["runs"]
    assert [(r["configuration"], r["eval_id"], r["run_number"]) for r in runs][:3] == [
        ("with_skill", 1, 1),
        ("with_skill", 1, 2),
        ("with_skill", 2, 1),
    ]
    first = runs[0]
    assert first["eval_name"] == "L02 design and normalization"
    assert set(first["result"]) >= {"pass_rate", "passed", "failed", "total", "time_seconds"}
    assert any("could not be verified" in note for note in benchmark["notes"])
    on_disk = json.loads((workspace_of(graded) / "benchmark.json").read_text())
    assert on_disk == benchmark


def _stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {"mean": 0.0, "stddev": 0.0, "min": 0.0, "max": 0.0}
    mean = sum(values) / len(values)
    var = sum((v - mean) ** 2 for v in values) / (len(values) - 1) if len(values) > 1 else 0.0
    return {
        "mean": round(mean, 4),
        "stddev": round(math.sqrt(var), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
    }


def skill_creator_run_summary(workspace: Path) -> dict[str, Any]:
    """skill-creator's aggregation, from its documented schema, over our grading.json files."""
    per_config: dict[str, list[dict[str, float]]] = {}
    for eval_dir in sorted(workspace.glob("eval-*")):
        for config_dir in sorted(p for p in eval_dir.iterdir() if p.is_dir()):
            for run_dir in sorted(config_dir.glob("run-*")):
                grading = json.loads((run_dir / "grading.json").read_text())
                seconds = grading.get("timing", {}).get("total_duration_seconds", 0.0)
                tokens = 0
                timing = run_dir / "timing.json"
                if timing.exists():
                    tokens = json.loads(timing.read_text()).get("total_tokens", 0)
                per_config.setdefault(config_dir.name, []).append(
                    {
                        "pass_rate": grading["summary"]["pass_rate"],
                        "time": seconds,
                        "tokens": tokens,
                    }
                )
    summary: dict[str, Any] = {}
    for config, runs in per_config.items():
        summary[config] = {
            "pass_rate": _stats([r["pass_rate"] for r in runs]),
            "time_seconds": _stats([r["time"] for r in runs]),
            "tokens": _stats([r["tokens"] for r in runs]),
        }
    names = list(per_config)
    a, b = summary[names[0]], summary[names[1]]
    summary["delta"] = {
        "pass_rate": f"{a['pass_rate']['mean'] - b['pass_rate']['mean']:+.2f}",
        "time_seconds": f"{a['time_seconds']['mean'] - b['time_seconds']['mean']:+.1f}",
        "tokens": f"{a['tokens']['mean'] - b['tokens']['mean']:+.0f}",
    }
    return summary


def test_skill_creator_aggregation_gives_the_same_run_summary(graded: EvalResult) -> None:
    assert skill_creator_run_summary(workspace_of(graded)) == graded.benchmark["run_summary"]


def test_benchmark_markdown(graded: EvalResult) -> None:
    text = (workspace_of(graded) / "benchmark.md").read_text()
    assert text.startswith("# Skill Benchmark: relational-db-agent")
    assert "| Pass Rate | 92% ± 13% | 29% ± 19% | +0.62 |" in text
    assert "| RDA202 | 1 | 1 |" in text
    assert "| 2: L03 engine and pooling | 100% ± 0% (2 runs) | 38% ± 18% (2 runs) |" in text
