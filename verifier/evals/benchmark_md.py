"""``benchmark.md``: the benchmark for people, laid out as skill-creator's (a summary table of
pass rate, time and tokens with the delta), then per eval and per finding code."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from verifier.evals.benchmark import configurations, failures_per_code
from verifier.evals.stats import summary_stats


def render_markdown(benchmark: dict[str, Any]) -> str:
    meta = benchmark["metadata"]
    summary = benchmark["run_summary"]
    runs = benchmark["runs"]
    configs = configurations(runs)
    labels = [c.replace("_", " ").title() for c in configs]
    delta = summary.get("delta", {})
    lines = [
        f"# Skill Benchmark: {meta['skill_name']}",
        "",
        f"**Model**: {meta['executor_model']}",
        f"**Grader**: {meta.get('grader', 'rda verify')}",
        f"**Date**: {meta['timestamp']}",
        f"**Evals**: {', '.join(map(str, meta['evals_run']))} "
        f"({meta['runs_per_configuration']} runs each per configuration)",
        "",
        "## Summary",
        "",
        "| Metric | " + " | ".join(labels) + " | Delta |",
        "|--------|" + "|".join("---" for _ in labels) + "|-------|",
    ]

    def cells(metric: str, fmt: str) -> str:
        out = []
        for config in configs:
            stats = summary[config][metric]
            out.append(fmt.format(stats["mean"], stats["stddev"]))
        return " | ".join(out)

    lines.append(
        f"| Pass Rate | {cells('pass_rate', '{0:.0%} ± {1:.0%}')} | {delta.get('pass_rate')} |"
    )
    lines.append(
        f"| Time | {cells('time_seconds', '{0:.1f}s ± {1:.1f}s')} | {delta.get('time_seconds')}s |"
    )
    lines.append(f"| Tokens | {cells('tokens', '{0:.0f} ± {1:.0f}')} | {delta.get('tokens')} |")

    lines += ["", "## Per eval", "", "| Eval | " + " | ".join(labels) + " |"]
    lines.append("|------|" + "|".join("---" for _ in labels) + "|")
    rates: dict[tuple[int, str], list[float]] = defaultdict(list)
    names: dict[int, str] = {}
    for r in runs:
        rates[(r["eval_id"], r["configuration"])].append(r["result"]["pass_rate"])
        names[r["eval_id"]] = r.get("eval_name") or f"eval {r['eval_id']}"
    for eval_id in sorted(names):
        row = []
        for config in configs:
            values = rates.get((eval_id, config))
            if not values:
                row.append("—")
                continue
            stats = summary_stats(values)
            row.append(f"{stats['mean']:.0%} ± {stats['stddev']:.0%} ({len(values)} runs)")
        lines.append(f"| {eval_id}: {names[eval_id]} | " + " | ".join(row) + " |")

    table = failures_per_code(runs)
    if table:
        lines += ["", "## Runs failing per finding code", ""]
        lines.append("| Code | " + " | ".join(labels) + " |")
        lines.append("|------|" + "|".join("---" for _ in labels) + "|")
        for code, by in table.items():
            lines.append(f"| {code} | " + " | ".join(str(by.get(c, 0)) for c in configs) + " |")

    if benchmark.get("notes"):
        lines += ["", "## Notes", ""]
        lines += [f"- {note}" for note in benchmark["notes"]]
    return "\n".join(lines) + "\n"
