"""How long does the migrations stage take on the reference implementation, and where?

Runs ``verifier.stages.migrations.run`` on a copy of ``reference_impl/`` in a child interpreter
(as the sandboxed child does), stamping each event as it arrives on the pipe, and prints the
median over N runs of: each check, the whole stage, and squawk on the offline SQL (which runs
in the verifier). Ratios: the stage against the 2.5 s goal of a whole warm ``rda verify``, and
the stairway (3 alembic commands per revision) against one ``upgrade head``.

Run: ``python bench/migrations_stage_speed.py [--runs N] [--db embedded|URL]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "reference_impl"
WARM_VERIFY_GOAL = 2.5  # seconds, for all stages of `rda verify` on the reference


def run_once(target: Path, databases: dict[str, str]) -> tuple[dict[str, float], str, float]:
    """Seconds per check, the offline SQL, and the child's wall-clock time."""
    read_fd, write_fd = os.pipe()
    spec = {
        "root": str(target),
        "models": "taskapi.models",
        "database": "taskapi.database",
        "crud": "taskapi.crud",
        "alembic_ini": "alembic.ini",
    }
    config_file = target.parent / "child-config.json"
    config_file.write_text(
        json.dumps(
            {
                "target": spec,
                "databases": databases,
                "event_fd": write_fd,
                "stages": ["import", "migrations"],
                "silent_stages": ["import"],
            }
        ),
        encoding="utf-8",
    )
    started = time.perf_counter()
    proc = subprocess.Popen(  # the verifier's own sandboxed child, as rda verify runs it
        [sys.executable, "-m", "verifier.sandbox.child", str(config_file)],
        cwd=target,
        env={**os.environ, "DATABASE_URL": databases["main"]},
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    seconds: dict[str, float] = {}
    current, since, sql, status = None, 0.0, "", None
    with os.fdopen(read_fd, encoding="utf-8") as pipe:
        for line in pipe:
            now = time.perf_counter()
            event = json.loads(line)
            done = event["event"] == "stage" and event.get("status") != "start"
            if (event["event"] == "check" or done) and current is not None:
                seconds[current] = now - since
            if event["event"] == "check":
                current, since = event["name"], now
            elif event["event"] == "offline_sql":
                sql = event["sql"]
            elif done and event["name"] == "migrations":
                status = event["status"]
                seconds["(stage)"] = float(event["seconds"])
    proc.wait()
    if status != "passed":
        sys.exit(f"the reference did not pass the migrations stage (status {status})")
    return seconds, sql, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", default="embedded", help="embedded (default) or a URL")
    args = parser.parse_args()

    from verifier.db import get_provider
    from verifier.stages.squawk import lint_sql

    provider = get_provider(args.db)
    provider.start()
    work = Path(tempfile.mkdtemp(prefix="rda-bench-migrations-"))
    samples: dict[str, list[float]] = defaultdict(list)
    squawk_seconds: list[float] = []
    try:
        target = work / "target"
        shutil.copytree(REFERENCE, target, ignore=shutil.ignore_patterns("__pycache__", "tests"))
        for _ in range(args.runs):
            main_db, migrations_db = provider.create_database(), provider.create_database()
            try:
                databases = {"main": main_db.async_url, "migrations": migrations_db.async_url}
                seconds, sql, wall = run_once(target, databases)
            finally:
                provider.drop_database(main_db)
                provider.drop_database(migrations_db)
            for name, value in seconds.items():
                samples[name].append(value)
            samples["(child wall clock)"].append(wall)
            t0 = time.perf_counter()
            assert lint_sql(sql) == []
            squawk_seconds.append(time.perf_counter() - t0)
    finally:
        provider.close()
        shutil.rmtree(work, ignore_errors=True)

    median = {name: statistics.median(values) for name, values in samples.items()}
    print(f"migrations stage on reference_impl, {os.cpu_count()} cores, median of {args.runs}")
    for name, value in median.items():
        if name.startswith("("):
            continue
        print(f"  {name:28} {value * 1000:7.0f} ms")
    stage = median["(stage)"]
    print(f"  {'whole stage':28} {stage * 1000:7.0f} ms")
    print(f"  {'child incl. interpreter':28} {median['(child wall clock)'] * 1000:7.0f} ms")
    squawk = statistics.median(squawk_seconds)
    print(f"  {'squawk on the offline SQL':28} {squawk * 1000:7.0f} ms (in the verifier)")
    print(
        f"ratio: stage / warm verify goal ({WARM_VERIFY_GOAL:.1f} s) = "
        f"{stage / WARM_VERIFY_GOAL:.2f}"
    )
    upgrade = median.get("upgrade from empty")
    if upgrade:
        print(f"ratio: stairway / upgrade head = {median['stairway'] / upgrade:.2f}")


if __name__ == "__main__":
    main()
