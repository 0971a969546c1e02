"""``rda eval``: grade a skill's generations by executing them (skill-creator's workspace)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

DESCRIPTION = """\
Grade the outputs of a skill's evals by running rda verify on each, in skill-creator's files.

  rda eval WORKSPACE --skill DIR          grade the runs already in WORKSPACE
  rda eval run WORKSPACE --skill DIR --agent CMD
                                          produce the runs first, then grade them
  rda eval merge SHARD.json... [-o DIR]   one benchmark from the shards of a CI matrix

WORKSPACE holds eval-<id>/<configuration>/run-<k>/outputs/ (or .../<configuration>/outputs/
for one run), the ids those of DIR/evals/evals.json. Each expectation is graded from the run's
rda verify report through its 'checks' entry in evals.json (null: needs a human grader). Each
run gets grading.json and verify.json; the benchmark goes to benchmark.json, benchmark.md and
benchmark.html (skill-creator's schema: its viewer and scripts read them).

'rda eval run' runs CMD once per eval, configuration and run in a fresh folder, the prompt on
stdin, the skill installed under .claude/skills/ for with_skill and absent for without_skill,
the eval's input files copied in; what it leaves (but .claude/) becomes the run's outputs/,
its time timing.json, its output transcript.md.

Exit codes: 0 graded (1 with --fail-under when the first configuration's mean pass rate is
below it), 2 usage, infrastructure or internal error, 130 interrupted. A run whose outputs do
not import, crash or hang is a failed run, never an error of rda eval.
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="grade a skill's eval outputs by executing them (skill-creator workspace)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="[run|merge] PATH",
        help="WORKSPACE; or 'run' WORKSPACE; or 'merge' and the shard files",
    )
    parser.add_argument(
        "--skill", type=Path, metavar="DIR", help="the skill folder whose evals/evals.json grades"
    )
    parser.add_argument(
        "--output",
        "-o",
        type=Path,
        default=None,
        metavar="DIR",
        help="where the benchmark files go (default: the workspace; merge: the current folder)",
    )
    parser.add_argument(
        "--evals", default=None, metavar="IDS", help="comma-separated eval ids (default: all)"
    )
    parser.add_argument(
        "--db",
        default="auto",
        metavar="auto|embedded|docker|URL",
        help="where databases come from (default auto); with --scheduler, as each worker sees it",
    )
    parser.add_argument(
        "--jobs", "-j", type=int, default=1, help="runs verified at once on this machine"
    )
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="seconds one run's code may run in all"
    )
    parser.add_argument(
        "--model", default="unknown", help="the executor model, recorded in the benchmark"
    )
    parser.add_argument(
        "--fail-under",
        type=float,
        default=None,
        metavar="RATE",
        help="exit 1 when the first configuration's mean pass rate is below RATE (0-1)",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    scale = parser.add_argument_group("scale-out")
    scale.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="verify on a Dask distributed cluster (tcp://host:8786); each worker starts its "
        "own database (--db)",
    )
    scale.add_argument(
        "--retries",
        type=int,
        default=2,
        help="times a run lost with its worker is submitted again (default 2)",
    )
    scale.add_argument(
        "--shard", default=None, metavar="K/N", help="grade every N-th run from the K-th only"
    )
    agent = parser.add_argument_group("rda eval run")
    agent.add_argument(
        "--agent",
        default=None,
        metavar="CMD",
        help="the agent command, prompt on stdin (e.g. 'claude -p --permission-mode acceptEdits')",
    )
    agent.add_argument("--runs", type=int, default=1, help="runs per eval and configuration")
    agent.add_argument(
        "--agent-timeout",
        type=float,
        default=900.0,
        metavar="S",
        help="seconds one agent run may take before it is killed (default 900)",
    )
    agent.add_argument(
        "--configurations",
        default="with_skill,without_skill",
        metavar="LIST",
        help="which configurations to run (default with_skill,without_skill)",
    )
    agent.add_argument(
        "--overwrite", action="store_true", help="replace runs that exist in the workspace"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from verifier.errors import UsageError

    action, rest = args.paths[0], args.paths[1:]
    if action == "merge":
        return _merge(args, [Path(p) for p in rest])
    if action == "run":
        if len(rest) != 1:
            raise UsageError("rda eval run takes one WORKSPACE", "rda eval run WS --skill DIR ...")
        return _grade(args, Path(rest[0]), produce=True)
    if rest:
        raise UsageError(
            f"rda eval takes one WORKSPACE, got {len(args.paths)} paths",
            "rda eval WORKSPACE --skill DIR (or 'rda eval run' / 'rda eval merge')",
        )
    return _grade(args, Path(action), produce=False)


def _request(args: argparse.Namespace, workspace: Path) -> Any:
    from verifier.errors import UsageError
    from verifier.evals.evaluate import EvalRequest
    from verifier.evals.shards import parse_shard
    from verifier.sandbox.runner import Limits

    if args.skill is None:
        raise UsageError("--skill DIR is required", "the skill folder holding evals/evals.json")
    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    if args.retries < 0:
        raise UsageError("--retries must be 0 or more")
    only = None
    if args.evals:
        try:
            only = frozenset(int(v) for v in args.evals.split(",") if v.strip())
        except ValueError:
            raise UsageError(f"--evals {args.evals!r}: give comma-separated ids") from None
    return EvalRequest(
        workspace=workspace,
        skill=args.skill,
        db=args.db,
        jobs=args.jobs,
        scheduler=args.scheduler,
        shard=parse_shard(args.shard) if args.shard else None,
        output=args.output,
        limits=Limits(timeout=args.timeout, check_timeout=min(20.0, args.timeout)),
        retries=args.retries,
        executor_model=args.model,
        progress=not args.quiet,
        only=only,
    )


def _grade(args: argparse.Namespace, workspace: Path, produce: bool) -> int:
    from verifier.errors import UsageError
    from verifier.evals.evaluate import evaluate

    request = _request(args, workspace)
    if produce:
        from verifier.evals.agent import AgentRequest, produce_runs

        if not args.agent:
            raise UsageError("rda eval run needs --agent CMD", "e.g. --agent 'claude -p'")
        produce_runs(
            AgentRequest(
                workspace=workspace,
                skill=args.skill,
                command=args.agent,
                runs=args.runs,
                timeout=args.agent_timeout,
                configurations=tuple(c.strip() for c in args.configurations.split(",") if c),
                jobs=args.jobs,
                overwrite=args.overwrite,
                only=request.only,
                progress=not args.quiet,
            )
        )
    elif args.agent:
        raise UsageError("--agent belongs to 'rda eval run'", "rda eval run WS --skill DIR --agent")
    result = evaluate(request)
    return _summarise(result.benchmark, result.written, args.fail_under)


def _merge(args: argparse.Namespace, shards: list[Path]) -> int:
    from verifier.evals.benchmark import build_benchmark
    from verifier.evals.evaluate import write_benchmark
    from verifier.evals.shards import read_shards

    runs, metadata = read_shards(shards)
    output = args.output or Path(".")
    output.mkdir(parents=True, exist_ok=True)
    benchmark = build_benchmark(
        runs,
        metadata.get("skill_name", "unknown"),
        metadata.get("skill_path", ""),
        metadata.get("executor_model", "unknown"),
    )
    return _summarise(benchmark, write_benchmark(benchmark, output), args.fail_under)


def _summarise(benchmark: dict[str, Any], written: list[Path], fail_under: float | None) -> int:
    summary = benchmark["run_summary"]
    configs = [c for c in summary if c != "delta"]
    for config in configs:
        rate = summary[config]["pass_rate"]
        print(f"{config}: pass rate {rate['mean']:.1%} ± {rate['stddev']:.1%}")
    if len(configs) > 1:
        print(f"delta: {summary['delta']['pass_rate']}")
    for path in written:
        print(f"wrote {path}")
    if fail_under is not None and configs:
        return int(summary[configs[0]]["pass_rate"]["mean"] < fail_under)
    return 0
