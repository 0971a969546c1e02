"""How fast ``rda eval`` grades: 30 runs with ``--jobs 2``, then on a 2-worker Dask cluster.

The workspace is made from the committed sample (``tests/evals/workspace``): evals 1-3, both
configurations, five runs each (the sample's outputs repeated), leaving out the run that hangs
at import on purpose (it would only measure the import timeout). Prints, for each path, the
wall-clock time, runs per second, the mean verification time of one run, and the pass rates,
which must be the same on both paths.

    python bench/eval_speed.py [--runs-per-cell 5] [--db auto|embedded|URL]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from verifier.evals.evaluate import EvalRequest, evaluate  # noqa: E402
from verifier.sandbox.runner import Limits  # noqa: E402

SAMPLE = ROOT / "tests" / "evals" / "workspace"
SKILL = ROOT / "skills" / "relational-db-agent"
HANGS = ("eval-2", "without_skill", "run-2")


def make_workspace(dest: Path, per_cell: int) -> Path:
    workspace = dest / "workspace"
    for eval_dir in sorted(SAMPLE.glob("eval-*")):
        for config in sorted(p for p in eval_dir.iterdir() if p.is_dir()):
            sources = [
                r / "outputs"
                for r in sorted(config.glob("run-*"))
                if (eval_dir.name, config.name, r.name) != HANGS
            ]
            for k in range(1, per_cell + 1):
                source = sources[(k - 1) % len(sources)]
                target = workspace / eval_dir.name / config.name / f"run-{k}" / "outputs"
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    return workspace


def measure(label: str, workspace: Path, **options: object) -> dict[str, object]:
    request = EvalRequest(
        workspace=workspace,
        skill=SKILL,
        limits=Limits(timeout=60.0, check_timeout=20.0, import_timeout=10.0),
        progress=False,
        **options,  # type: ignore[arg-type]
    )
    started = time.perf_counter()
    result = evaluate(request)
    wall = time.perf_counter() - started
    runs = result.benchmark["runs"]
    verify = [r["result"]["time_seconds"] for r in runs]
    summary = result.benchmark["run_summary"]
    print(
        f"{label:<28} {len(runs)} runs in {wall:6.2f} s = {len(runs) / wall:5.2f} runs/s; "
        f"one run's verification {statistics.mean(verify):.2f} s mean, "
        f"{max(verify):.2f} s max; pass rate with_skill "
        f"{summary['with_skill']['pass_rate']['mean']:.4f}, without_skill "
        f"{summary['without_skill']['pass_rate']['mean']:.4f}"
    )
    return {k: v["pass_rate"] for k, v in summary.items() if k != "delta"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs-per-cell", type=int, default=5)
    parser.add_argument("--db", default="auto")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rda-eval-bench-") as tmp:
        local = make_workspace(Path(tmp) / "local", args.runs_per_cell)
        rates_local = measure("--jobs 2 (one process)", local, db=args.db, jobs=2)

        from distributed import LocalCluster

        started = time.perf_counter()
        with LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            print(f"{'LocalCluster start':<28} {time.perf_counter() - started:6.2f} s")
            remote = make_workspace(Path(tmp) / "cluster", args.runs_per_cell)
            rates_cluster = measure(
                "LocalCluster, 2 workers", remote, db=args.db, scheduler=cluster
            )
            again = make_workspace(Path(tmp) / "warm", args.runs_per_cell)
            measure("LocalCluster, warm workers", again, db=args.db, scheduler=cluster)
    same = "same" if rates_local == rates_cluster else "DIFFERENT"
    print(f"pass rates on both paths: {same}")
    return 0 if same == "same" else 1


if __name__ == "__main__":
    sys.exit(main())
