"""``rda eval``'s work: a workspace's runs verified, graded, and aggregated into a benchmark.

Every run is verified (here, ``jobs`` at a time, or on a Dask cluster) and graded as soon as its
result arrives: ``grading.json`` and ``verify.json`` (the full report) land beside its
``outputs/``, so an interrupted eval loses nothing graded. Then ``benchmark.json``,
``benchmark.md`` and ``benchmark.html`` are written (or, for one shard, ``shard-k-of-n.json``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verifier.errors import UsageError
from verifier.evals.benchmark import build_benchmark, run_entry
from verifier.evals.evalset import EvalSet, load_eval_set
from verifier.evals.grading import GRADING_FILE, REPORT_FILE, grade_run
from verifier.evals.outcome import RunJob, RunOutcome
from verifier.evals.progress import RunProgress
from verifier.evals.shards import select_shard, shard_file_name
from verifier.evals.timing import read_timing
from verifier.evals.workspace import RunDir, discover_runs, eval_name_of
from verifier.sandbox.runner import Limits

BENCHMARK_FILES = ("benchmark.json", "benchmark.md", "benchmark.html")


@dataclass
class EvalRequest:
    workspace: Path
    skill: Path
    db: str = "auto"
    jobs: int = 1
    scheduler: str | Any | None = None  # an address, or a distributed cluster object
    shard: tuple[int, int] | None = None
    output: Path | None = None  # where the benchmark goes (default: the workspace)
    limits: Limits = field(default_factory=Limits)
    retries: int = 2
    executor_model: str = "unknown"
    progress: bool = True
    only: frozenset[int] | None = None  # eval ids to grade (default: every eval with runs)


@dataclass
class EvalResult:
    benchmark: dict[str, Any]
    written: list[Path]


def plan_runs(request: EvalRequest, evalset: EvalSet) -> list[RunDir]:
    """The runs this request grades; ``UsageError`` for runs of evals the skill does not have."""
    runs = discover_runs(request.workspace)
    if request.only is not None:
        runs = [r for r in runs if r.eval_id in request.only]
        if not runs:
            raise UsageError(f"no runs of eval(s) {sorted(request.only)} in {request.workspace}")
    unknown = sorted({r.eval_id for r in runs} - set(evalset.cases))
    if unknown:
        raise UsageError(
            f"the workspace has runs of eval(s) {', '.join(map(str, unknown))}, which "
            f"{evalset.skill_dir / 'evals' / 'evals.json'} does not define",
            "give the skill whose evals produced this workspace (--skill)",
        )
    for eval_id in sorted({r.eval_id for r in runs}):
        contract = evalset.cases[eval_id].settings.contract
        if contract not in (None, "taskapi", "none") and not Path(contract).exists():
            raise UsageError(f"eval {eval_id}: its verify contract {contract} does not exist")
    if request.shard is not None:
        runs = select_shard(runs, request.shard)
    return runs


def job_for(run: RunDir, evalset: EvalSet, limits: Limits) -> RunJob:
    settings = evalset.cases[run.eval_id].settings
    return RunJob(
        eval_id=run.eval_id,
        configuration=run.configuration,
        run_number=run.run_number,
        outputs=str(run.outputs),
        contract=settings.contract,
        stages=settings.stages,
        limits=limits,
    )


def evaluate(request: EvalRequest) -> EvalResult:
    if request.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    evalset = load_eval_set(request.skill)
    runs = plan_runs(request, evalset)
    output = request.output or request.workspace
    output.mkdir(parents=True, exist_ok=True)
    by_key = {run.key: run for run in runs}
    entries: list[dict[str, Any]] = []
    jobs = [job_for(run, evalset, request.limits) for run in runs]

    with RunProgress(len(jobs), request.progress) as progress:

        def on_done(outcome: RunOutcome) -> None:
            run = by_key[outcome.key]
            entry = record(run, outcome, evalset)
            entries.append(entry)
            label = f"eval-{run.eval_id}/{run.configuration}/run-{run.run_number}"
            progress.advance(label, f"{entry['result']['pass_rate']:.0%}")

        if request.scheduler is not None:
            try:
                from verifier.evals.cluster import run_on_cluster
            except ModuleNotFoundError as exc:
                if exc.name != "distributed" and not str(exc.name).startswith("distributed."):
                    raise
                raise UsageError(
                    "--scheduler needs Dask's distributed, which is not installed",
                    'pip install "relational-db-agent[dask]"',
                ) from None

            run_on_cluster(jobs, request.scheduler, request.db, request.retries, on_done)
        else:
            from verifier.evals.verifying import run_local

            run_local(jobs, request.db, request.jobs, on_done)

    benchmark = build_benchmark(
        entries, evalset.skill_name, str(evalset.skill_dir), request.executor_model
    )
    if request.shard is not None:
        benchmark["metadata"]["shard"] = f"{request.shard[0]}/{request.shard[1]}"
        path = output / shard_file_name(request.shard)
        write_json(path, benchmark)
        return EvalResult(benchmark, [path])
    return EvalResult(benchmark, write_benchmark(benchmark, output))


def record(run: RunDir, outcome: RunOutcome, evalset: EvalSet) -> dict[str, Any]:
    """Grade one run, write its files, and return its ``runs[]`` entry."""
    case = evalset.cases[run.eval_id]
    timing = read_timing(run.path)
    grading = grade_run(case, outcome, run.outputs, timing)
    write_json(run.path / GRADING_FILE, grading)
    write_json(run.path / REPORT_FILE, outcome.report or {"error": outcome.error})
    name = eval_name_of(run.eval_dir) or case.name
    return run_entry(
        run.eval_id, name, run.configuration, run.run_number, grading, tokens=timing.tokens
    )


def write_benchmark(benchmark: dict[str, Any], output: Path) -> list[Path]:
    from verifier.evals.benchmark_html import render_benchmark_html
    from verifier.evals.benchmark_md import render_markdown

    json_path, md_path, html_path = (output / name for name in BENCHMARK_FILES)
    write_json(json_path, benchmark)
    md_path.write_text(render_markdown(benchmark), encoding="utf-8")
    html_path.write_text(render_benchmark_html(benchmark), encoding="utf-8")
    return [json_path, md_path, html_path]


def write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
