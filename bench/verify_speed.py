"""How fast is ``rda verify``? Whole processes, as a user runs them.

Prints, each beside its goal and the ratio to it:
- cold: full verify of the reference implementation with no server running (median of N);
- warm: the same after ``rda db start`` (median of N);
- jobs: ``--jobs 2`` over 20 copies of the reference implementation;
where the time goes per stage (from the JSON report of a warm run), the same warm figure for
every layer of the style corpus (``tests/corpus``), what the sandbox costs: a warm run with
bubblewrap against one with the audit hook alone (``RDA_SANDBOX=audit-hook``), and the chat
example (``examples/chat``, warm, with its contract and with ``--contract none``) with the cost
of the generic behaviour checks (``verifier.contracts.generic``) on it and on the reference;
and how fast the machine was (``python -c pass``, before and after), to read them against.

Uses its own data directory (``RDA_DATA_DIR``) so it never stops a server someone else uses.
Run: ``python bench/verify_speed.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "reference_impl"
CORPUS = ROOT / "tests" / "corpus"
CHAT = ROOT / "examples" / "chat"
GOALS = {"cold": 5.0, "warm": 2.5, "jobs": 30.0, "sandbox": 0.1, "chat": 3.0, "generic": 0.5}
GENERIC_NOTE = re.compile(r"^generic checks: .* called, .* skipped \((?P<seconds>[0-9.]+) s\)$")


def rda(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "verifier", *args],
        env=env,
        text=True,
        capture_output=True,
        check=False,
    )
    if check and proc.returncode not in (0, 1):
        sys.exit(f"rda {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


def timed(*args: str, env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    proc = rda(*args, env=env)
    return time.perf_counter() - started, proc


def line(name: str, seconds: float, detail: str = "") -> None:
    goal = GOALS[name.split()[0]]
    verdict = "ok" if seconds <= goal else "OVER"
    print(
        f"{name:7} {seconds:7.2f} s   goal ≤ {goal:.1f} s   ratio {seconds / goal:4.2f}  {verdict}"
        f"  {detail}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--copies", type=int, default=20)
    args = parser.parse_args()
    # Under /var/tmp and traversable: as root the server runs as its own system user.
    work = Path(tempfile.mkdtemp(prefix="rda-bench-", dir="/var/tmp"))
    work.chmod(0o755)
    env = dict(os.environ, RDA_DATA_DIR=str(work / "pgdata"))
    env.pop("RDA_DATABASE_URL", None)
    try:
        started_at = interpreter_start()
        rda("db", "start", env=env)  # initdb once: not part of any figure
        target = str(REFERENCE)
        cold = []
        for _ in range(args.runs):
            rda("db", "stop", env=env)
            seconds, proc = timed("verify", target, "--db", "embedded", "-q", env=env)
            if proc.returncode != 0:
                sys.exit(f"the reference implementation did not verify clean:\n{proc.stdout}")
            cold.append(seconds)
        rda("db", "start", env=env)
        warm = []
        for _ in range(args.runs):
            seconds, _ = timed("verify", target, "--db", "embedded", "-q", env=env)
            warm.append(seconds)
        _, proc = timed("verify", target, "--db", "embedded", "-q", "--format", "json", env=env)
        stages = json.loads(proc.stdout)["stages"]
        corpus = {}
        for layer in sorted(p for p in CORPUS.iterdir() if (p / "README.md").is_file()):
            runs = []
            for _ in range(max(3, args.runs // 2)):
                seconds, proc = timed("verify", str(layer), "--db", "embedded", "-q", env=env)
                if proc.returncode != 0:
                    sys.exit(f"corpus layer {layer.name} did not verify clean:\n{proc.stdout}")
                runs.append(seconds)
            corpus[layer.name] = statistics.median(runs)
        # The sandbox's cost: runs with bubblewrap and with the audit hook alone, interleaved so
        # that the machine's drift (large on a shared 2-core host) falls on both alike.
        hook_only = dict(env, RDA_SANDBOX="audit-hook")
        walled, bare = [], []
        for _ in range(args.runs):
            seconds, _ = timed("verify", target, "--db", "embedded", "-q", env=env)
            walled.append(seconds)
            seconds, _ = timed("verify", target, "--db", "embedded", "-q", env=hook_only)
            bare.append(seconds)
        chat, chat_none, generic_chat = [], [], []
        for _ in range(args.runs):
            seconds, proc = timed("verify", str(CHAT), "--db", "embedded", "-q", env=env)
            if proc.returncode != 0:
                sys.exit(f"examples/chat did not verify clean:\n{proc.stdout}")
            chat.append(seconds)
            seconds, proc = timed(
                "verify",
                str(CHAT),
                "--db",
                "embedded",
                "--contract",
                "none",
                "--format",
                "json",
                env=env,
            )
            chat_none.append(seconds)
            generic_chat.append(generic_seconds(proc.stdout))
        _, proc = timed("verify", target, "--db", "embedded", "--format", "json", env=env)
        generic_reference = generic_seconds(proc.stdout)
        copies = []
        for i in range(args.copies):
            dest = work / f"copy{i}"
            shutil.copytree(REFERENCE, dest, ignore=shutil.ignore_patterns("__pycache__"))
            copies.append(str(dest))
        jobs, proc = timed(
            "verify", *copies, "--jobs", "2", "--db", "embedded", "-q", "--format", "json", env=env
        )
        if proc.returncode != 0:
            sys.exit(f"--jobs 2 over {args.copies} copies reported findings:\n{proc.stdout[:2000]}")
        print(f"rda verify on reference_impl, {os.cpu_count()} cores, runs={args.runs}")
        print(
            f"machine speed: bare interpreter start-up {started_at:.3f} s before the runs, "
            f"{interpreter_start():.3f} s after (every figure moves with it on a shared host)"
        )
        line("cold", statistics.median(cold), f"(runs: {', '.join(f'{s:.2f}' for s in cold)})")
        line("warm", statistics.median(warm), f"(runs: {', '.join(f'{s:.2f}' for s in warm)})")
        line("jobs", jobs, f"(--jobs 2 over {args.copies} copies, {jobs / args.copies:.2f} s each)")
        print("where the time goes (warm run, per stage):")
        for stage in stages:
            print(f"  {stage['name']:10} {stage['seconds']:6.2f} s  {stage['status']}")
        print("style corpus, warm (median):")
        for layer, seconds in corpus.items():
            line("warm", seconds, f"({layer})")
        cost = statistics.median(a - b for a, b in zip(walled, bare, strict=True))
        line(
            "sandbox",
            max(cost, 0.0),
            f"(median of {args.runs} paired runs: bubblewrap {statistics.median(walled):.2f} s, "
            f"audit hook alone {statistics.median(bare):.2f} s; raw difference {cost:+.2f} s)",
        )
        line("chat", statistics.median(chat), "(examples/chat, warm, with its contract)")
        line("chat", statistics.median(chat_none), "(examples/chat, warm, --contract none)")
        line(
            "generic",
            statistics.median(generic_chat),
            f"(the generic checks inside the behavior stage of examples/chat; on reference_impl "
            f"{generic_reference:.2f} s)",
        )
    finally:
        rda("db", "stop", env=env, check=False)
        shutil.rmtree(work, ignore_errors=True)


def interpreter_start(runs: int = 7) -> float:
    """Median seconds of ``python -c pass``: how fast the machine is right now."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def generic_seconds(report_json: str) -> float:
    """The generic checks' own time, from the note they leave in a JSON report."""
    for note in json.loads(report_json)["assumptions"]:
        match = GENERIC_NOTE.match(note)
        if match:
            return float(match.group("seconds"))
    sys.exit("the report carries no note of the generic checks")


if __name__ == "__main__":
    main()
