"""``rda eval run``: produce each run's outputs by running an agent command, then grade them.

For each eval, configuration and run: a fresh folder outside the workspace (the agent sees no
other run), the eval's input files copied in at their paths, and for ``with_skill`` the skill
installed at ``.claude/skills/<name>/`` (without its ``evals/``: the agent must not read the
checks that grade it). The command gets the eval's prompt on stdin (``claude -p`` reads it
there) and runs in its own process group, killed whole at the timeout. What it leaves, but
``.claude/``, becomes ``outputs/``; its time goes to ``timing.json``, its output to
``transcript.md`` (the viewer reads the prompt from there), the eval's prompt and expectations
to ``eval_metadata.json``. A run that crashes or times out is kept and graded like any other.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from verifier.errors import UsageError
from verifier.evals.evalset import EvalCase, load_eval_set
from verifier.evals.progress import RunProgress
from verifier.evals.timing import write_timing
from verifier.evals.workspace import METADATA_FILE, OUTPUTS

CONFIGURATIONS = ("with_skill", "without_skill")
SKILL_HOME = Path(".claude") / "skills"
NOT_INSTALLED = ("evals", "__pycache__", "*.pyc", ".pytest_cache", ".ruff_cache")
NOT_OUTPUT = (".claude", "__pycache__", "*.pyc", ".pytest_cache", ".ruff_cache", ".git")
TRANSCRIPT_CHARS = 200_000  # of the agent's output kept in transcript.md


@dataclass(frozen=True)
class AgentRequest:
    workspace: Path
    skill: Path
    command: str
    runs: int = 1
    timeout: float = 900.0
    configurations: tuple[str, ...] = CONFIGURATIONS
    jobs: int = 1
    overwrite: bool = False
    only: frozenset[int] | None = None
    progress: bool = True


@dataclass(frozen=True)
class AgentRun:
    case: EvalCase
    configuration: str
    run_number: int
    run_dir: Path


def produce_runs(request: AgentRequest) -> list[Path]:
    """Run the agent for every eval, configuration and run; return the run folders."""
    evalset = load_eval_set(request.skill)
    argv = _command(request.command)
    if request.runs < 1:
        raise UsageError("--runs must be at least 1")
    if request.timeout <= 0:
        raise UsageError("--agent-timeout must be positive")
    unknown = [c for c in request.configurations if c not in CONFIGURATIONS]
    if unknown or not request.configurations:
        raise UsageError(
            f"unknown configuration(s) {', '.join(unknown) or '(none)'}",
            f"choose from {','.join(CONFIGURATIONS)}",
        )
    cases = [
        case
        for eval_id, case in sorted(evalset.cases.items())
        if request.only is None or eval_id in request.only
    ]
    if not cases:
        raise UsageError(f"no eval of the skill has the id(s) {sorted(request.only or [])}")
    for case in cases:
        missing = [f for f in case.files if not (evalset.skill_dir / f).is_file()]
        if missing:
            raise UsageError(f"eval {case.id}: input file(s) {', '.join(missing)} missing")
    planned = [
        AgentRun(case, config, k, request.workspace / f"eval-{case.id}" / config / f"run-{k}")
        for case in cases
        for config in request.configurations
        for k in range(1, request.runs + 1)
    ]
    existing = [r.run_dir for r in planned if r.run_dir.exists()]
    if existing and not request.overwrite:
        raise UsageError(
            f"{existing[0]} exists ({len(existing)} run(s) would be replaced)",
            "use a new workspace (skill-creator: iteration-<n+1>/) or --overwrite",
        )
    for case in cases:
        _write_metadata(request.workspace / f"eval-{case.id}", case)
    with (
        RunProgress(len(planned), request.progress, desc="rda eval run") as progress,
        ThreadPoolExecutor(max_workers=max(request.jobs, 1)) as pool,
    ):
        futures = {
            pool.submit(
                run_agent, planned_run, argv, evalset.skill_dir, evalset.skill_name, request
            ): planned_run
            for planned_run in planned
        }
        for future in as_completed(futures):
            status = future.result()
            done = futures[future]
            progress.advance(
                f"eval-{done.case.id}/{done.configuration}/run-{done.run_number}", status
            )
    return [r.run_dir for r in planned]


def _command(command: str) -> list[str]:
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise UsageError(f"--agent {command!r} cannot be split into words: {exc}") from None
    if not argv:
        raise UsageError("--agent is empty", "e.g. --agent 'claude -p'")
    if shutil.which(argv[0]) is None:
        raise UsageError(f"--agent: {argv[0]} is not a command on PATH (nor an executable file)")
    return argv


def _write_metadata(eval_dir: Path, case: EvalCase) -> None:
    import json

    eval_dir.mkdir(parents=True, exist_ok=True)
    metadata = {
        "eval_id": case.id,
        "eval_name": case.name,
        "prompt": case.prompt,
        "assertions": list(case.expectations),
    }
    (eval_dir / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")


def run_agent(
    planned: AgentRun, argv: list[str], skill_dir: Path, skill_name: str, request: AgentRequest
) -> str:
    """One agent run, from a fresh folder to the run's files; returns how it ended."""
    work = Path(tempfile.mkdtemp(prefix="rda-agent-"))
    try:
        for name in planned.case.files:
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(skill_dir / name, work / name)
        if planned.configuration == "with_skill":
            shutil.copytree(
                skill_dir,
                work / SKILL_HOME / skill_name,
                ignore=shutil.ignore_patterns(*NOT_INSTALLED),
            )
        started = datetime.now(UTC)
        stdout, stderr, status = _execute(argv, work, planned.case.prompt, request.timeout)
        ended = datetime.now(UTC)
        run_dir = planned.run_dir
        if run_dir.exists():
            shutil.rmtree(run_dir)
        run_dir.mkdir(parents=True)
        shutil.copytree(work, run_dir / OUTPUTS, ignore=shutil.ignore_patterns(*NOT_OUTPUT))
        write_timing(run_dir, started, ended)
        _write_transcript(run_dir, planned, argv, stdout, stderr, status)
        return status
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _execute(argv: list[str], cwd: Path, prompt: str, timeout: float) -> tuple[str, str, str]:
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: killed whole at the timeout
    )
    try:
        out, err = proc.communicate(prompt.encode("utf-8"), timeout=timeout)
        status = f"exit {proc.returncode}"
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, err = proc.communicate()
        status = f"timed out after {timeout:g} s"
    except BaseException:
        _kill_group(proc)
        proc.wait()
        raise
    finally:
        _kill_group(proc)  # what it left running in the background dies with the run
    return (
        out.decode("utf-8", "replace")[-TRANSCRIPT_CHARS:],
        err.decode("utf-8", "replace")[-TRANSCRIPT_CHARS:],
        status,
    )


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _write_transcript(
    run_dir: Path,
    planned: AgentRun,
    argv: list[str],
    stdout: str,
    stderr: str,
    status: str,
) -> None:
    text = (
        f"# eval {planned.case.id} · {planned.configuration} · run {planned.run_number}\n\n"
        f"## Eval Prompt\n\n{planned.case.prompt}\n\n"
        f"## Agent\n\n`{shlex.join(argv)}`: {status}\n\n"
        f"## Output\n\n```text\n{stdout.rstrip()}\n```\n\n"
        f"## Errors\n\n```text\n{stderr.rstrip()}\n```\n"
    )
    (run_dir / "transcript.md").write_text(text, encoding="utf-8")
