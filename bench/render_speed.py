"""How fast ``rda render`` and ``rda erd`` are as whole processes, beside their goals.

1. ``rda render templates/examples/taskapi.yaml --out DIR`` into an empty folder (the first
   render: every file written, ruff run over them) and into the same folder again (nothing
   changes): goal median <= 1 s each;
2. ``rda erd templates/examples/taskapi.yaml`` (Mermaid to stdout): goal median <= 0.5 s;
3. ``python -c "import pydantic"`` and ``python -c pass`` as the floor the first two stand on,
   and the import floor of ``rda erd SPEC``: PyYAML, pydantic's ``BaseModel`` and ``Field``,
   and ``importlib.metadata`` (pydantic's plugin loader imports it when it builds the first
   validator). Whatever ``erd`` takes beyond that line is rda's own code and its models.

Every figure is a process started from scratch and timed around ``subprocess.run``; medians
over ``--runs`` runs, the commands taken in turn (round-robin) so that load from other work on
the machine hits them alike. A render whose spec is unchanged needs no database, and neither
path imports SQLAlchemy (checked here with ``-X importtime``).

With ``PYTHONDONTWRITEBYTECODE`` set, rda's modules are compiled from source in every run
unless a ``__pycache__`` is already there (the output says which); an installed rda has one.

Run: ``python bench/render_speed.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "templates" / "examples" / "taskapi.yaml"
GOALS = {"render (first)": 1.0, "render (again)": 1.0, "erd": 0.5}
ERD_FLOOR = "import yaml, importlib.metadata; from pydantic import BaseModel, Field"


def timed(command: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, env=env, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr.decode()[-2000:]}")
    return seconds


def imports_sqlalchemy(command: list[str]) -> bool:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *command[1:]], capture_output=True, env=env
    )
    return any(
        line.split("|")[-1].strip() == "sqlalchemy"
        for line in result.stderr.decode().splitlines()
        if "|" in line
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    python = sys.executable
    scratch = Path(tempfile.mkdtemp(prefix="rda-bench-render-"))
    again = scratch / "again"
    render = [python, "-m", "verifier", "render", str(SPEC), "-q", "--out"]
    subprocess.run([*render, str(again)], check=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    commands = {
        "python -c pass": lambda i: [python, "-c", "pass"],
        "import pydantic": lambda i: [python, "-c", "import pydantic"],
        "erd import floor": lambda i: [python, "-c", ERD_FLOOR],
        "render (first)": lambda i: [*render, str(scratch / f"first-{i}")],
        "render (again)": lambda i: [*render, str(again)],
        "erd": lambda i: [python, "-m", "verifier", "erd", str(SPEC)],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    try:
        for i in range(args.runs):
            for name, make in commands.items():
                times[name].append(timed(make(i)))
        print(f"{'command':<18} {'median':>8} {'min':>8} {'goal':>6}  ratio")
        for name, values in times.items():
            median = statistics.median(values)
            goal = GOALS.get(name)
            ratio = f"{median / goal:.2f} of goal" if goal else ""
            goal_text = f"{goal:.2f}" if goal else "-"
            print(f"{name:<18} {median:8.3f} {min(values):8.3f} {goal_text:>6}  {ratio}")
        above = statistics.median(times["erd"]) - statistics.median(times["erd import floor"])
        print(f"erd above its import floor: {above:.3f} s (rda's own modules and models)")
        for name in ("render (again)", "erd"):
            uses = imports_sqlalchemy(commands[name](0))
            print(f"{name} imports sqlalchemy: {'yes' if uses else 'no'}")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"load average while measuring: {load:.2f} on {os.cpu_count()} cores")
        if os.environ.get("PYTHONDONTWRITEBYTECODE"):
            cached = any((REPO / "verifier" / "render" / "__pycache__").glob("spec.*.pyc"))
            state = "present" if cached else "absent: compiled from source in every run"
            print(f"PYTHONDONTWRITEBYTECODE is set; rda's bytecode cache {state}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
