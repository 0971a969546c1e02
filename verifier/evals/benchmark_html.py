"""``benchmark.html``: the benchmark as one self-contained page (no network).

Pass rate per eval and configuration with its spread (mean ± sample standard deviation over
the runs), runs failing per finding code, and time per run, each as an inline SVG chart with
its figures printed beside the bars; then every run's expectations with their evidence.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape
from typing import Any

from verifier.evals.benchmark import configurations, failures_per_code
from verifier.evals.stats import summary_stats
from verifier.report.html import bar_chart, page, table

KNOWN_CLASSES = ("with_skill", "without_skill")
COLORS = {"with_skill": "#2f6fde", "without_skill": "#e0a10b", "other": "#8a63d2"}  # as the CSS


def css_class(config: str) -> str:
    return config if config in KNOWN_CLASSES else "other"


def render_benchmark_html(benchmark: dict[str, Any]) -> str:
    meta = benchmark["metadata"]
    runs = benchmark["runs"]
    summary = benchmark["run_summary"]
    configs = configurations(runs)
    legend = "".join(
        f'<span style="background:{COLORS[css_class(c)]}"></span>{escape(c)}' for c in configs
    )
    body = [
        f"<h1>Skill benchmark: {escape(meta['skill_name'])}</h1>",
        f'<p class="meta">{escape(meta["timestamp"])} · graded by '
        f"{escape(str(meta.get('grader', 'rda verify')))} · evals "
        f"{escape(', '.join(map(str, meta['evals_run'])))} · "
        f"{meta['runs_per_configuration']} run(s) per configuration</p>",
        "<h2>Summary</h2>",
        _summary_table(summary, configs),
        '<h2>Pass rate per eval and configuration</h2><p class="legend">' + legend + "</p>",
        _pass_rates(runs, configs),
        "<h2>Runs failing per finding code</h2>",
        _failures(runs, configs),
        "<h2>Time per run</h2>",
        _times(runs),
    ]
    if benchmark.get("notes"):
        body.append("<h2>Notes</h2><ul>")
        body += [f"<li>{escape(n)}</li>" for n in benchmark["notes"]]
        body.append("</ul>")
    body.append("<h2>Runs</h2>")
    body += [_run_details(r) for r in runs]
    return page(f"Skill benchmark: {meta['skill_name']}", "\n".join(body))


def _summary_table(summary: dict[str, Any], configs: list[str]) -> str:
    rows = []
    for config in configs:
        s = summary[config]
        rows.append(
            (
                config,
                _rate(s["pass_rate"]),
                f"{s['time_seconds']['mean']:.1f} s ± {s['time_seconds']['stddev']:.1f} s",
                f"{s['tokens']['mean']:.0f} ± {s['tokens']['stddev']:.0f}",
            )
        )
    delta = summary.get("delta", {})
    rows.append(
        (
            "delta",
            str(delta.get("pass_rate", "")),
            f"{delta.get('time_seconds', '')} s",
            str(delta.get("tokens", "")),
        )
    )
    return table(("configuration", "pass rate", "time", "tokens"), rows)


def _rate(stats: dict[str, float]) -> str:
    return (
        f"{stats['mean']:.0%} ± {stats['stddev']:.0%} "
        f"(min {stats['min']:.0%}, max {stats['max']:.0%})"
    )


def _pass_rates(runs: list[dict[str, Any]], configs: list[str]) -> str:
    cells: dict[tuple[int, str], list[float]] = defaultdict(list)
    names: dict[int, str] = {}
    for r in runs:
        cells[(r["eval_id"], r["configuration"])].append(r["result"]["pass_rate"])
        names[r["eval_id"]] = r.get("eval_name") or f"eval {r['eval_id']}"
    rows = []
    for eval_id in sorted(names):
        for config in configs:
            values = cells.get((eval_id, config))
            if not values:
                continue
            stats = summary_stats(values)
            label = f"{eval_id}: {names[eval_id][:28]} · {config}"
            text = f"{stats['mean']:.0%} ± {stats['stddev']:.0%} (n={len(values)})"
            rows.append((label, stats["mean"], stats["stddev"], css_class(config), text))
    return bar_chart(rows, 1.0, "pass rate per eval and configuration")


def _failures(runs: list[dict[str, Any]], configs: list[str]) -> str:
    table_ = failures_per_code(runs)
    if not table_:
        return "<p>No run has an error-level finding.</p>"
    rows = []
    for code, by in table_.items():
        for config in configs:
            count = by.get(config, 0)
            total = sum(1 for r in runs if r["configuration"] == config)
            rows.append(
                (
                    f"{code} · {config}",
                    float(count),
                    0.0,
                    css_class(config),
                    f"{count} of {total} runs",
                )
            )
    most = max(row[1] for row in rows)
    return bar_chart(rows, most, "runs failing per finding code")


def _times(runs: list[dict[str, Any]]) -> str:
    rows = [
        (
            f"eval-{r['eval_id']} {r['configuration']} run-{r['run_number']}",
            float(r["result"]["time_seconds"]),
            0.0,
            css_class(r["configuration"]),
            f"{r['result']['time_seconds']:.2f} s",
        )
        for r in runs
    ]
    most = max((row[1] for row in rows), default=0.0)
    return bar_chart(rows, most, "time per run")


def _run_details(run: dict[str, Any]) -> str:
    result = run["result"]
    title = (
        f"eval-{run['eval_id']} · {run['configuration']} · run-{run['run_number']}: "
        f"{result['passed']}/{result['total']} ({result['pass_rate']:.0%})"
    )
    rows = [
        (
            '<span class="passed">passed</span>'
            if e["passed"]
            else '<span class="failed">failed</span>',
            escape(e["text"]),
            escape(e.get("evidence", "")),
        )
        for e in run["expectations"]
    ]
    return (
        f"<details><summary>{escape(title)}</summary>"
        + table(("", "expectation", "evidence"), rows, raw=True)
        + "</details>"
    )
