"""How fast ``--db docker`` is, and what its podman stand-in costs where no Docker engine runs.

Prints (medians over --runs where repeated):

- the local image's root filesystem tarball: cold build (in a scratch cache) and a warm run
  (inputs checked, cached tarball reused);
- ``rda_podman.py up``: cold (fresh storage: image import plus API service) and warm (same
  session: image and service reused), and ``down``;
- ``DockerProvider.start()`` until the container's PostgreSQL answers, ``close()``;
- create + drop of a database in the container, against the 60 ms goal of the embedded server;
- ratios: cold/warm ``up``, container start against the 3.2 s measured when the podman path was
  first tried, create + drop against the goal.

With a Docker engine answering (``DOCKER_HOST`` or the default socket) the podman figures are
skipped and the provider runs on that engine with ``RDA_DOCKER_IMAGE`` (or the default image).

    python bench/docker_speed.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from verifier.db.docker import DockerProvider  # noqa: E402

TOOL = REPO / "tools" / "podman" / "rda_podman.py"
GOAL_MS = 60.0
FIRST_MEASURED_START_S = 3.2


def tool(*args: str, env: dict[str, str] | None = None) -> tuple[float, str]:
    clock = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(TOOL), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    elapsed = time.perf_counter() - clock
    if result.returncode != 0:
        raise SystemExit(f"rda_podman.py {' '.join(args)} failed: {result.stderr}")
    return elapsed, result.stdout


def median_of(runs: int, action: Callable[[], float]) -> float:
    return statistics.median(action() for _ in range(runs))


def engine_answers() -> bool:
    import docker

    try:
        client = docker.from_env(timeout=5)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


def bench_image() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "RDA_PODMAN_CACHE": scratch}
        cold, _ = tool("image", env=env)
        warm, _ = tool("image", env=env)
    print(f"image tarball      cold {cold:6.2f} s   warm {warm:6.2f} s   (process included)")


def bench_provider(runs: int) -> None:
    starts, closes, cycles = [], [], []
    for _ in range(runs):
        provider = DockerProvider()
        clock = time.perf_counter()
        provider.start()
        starts.append(time.perf_counter() - clock)

        def create_and_drop(provider: DockerProvider = provider) -> float:
            clock = time.perf_counter()
            provider.drop_database(provider.create_database())
            return (time.perf_counter() - clock) * 1000

        cycles.append(median_of(10, create_and_drop))
        clock = time.perf_counter()
        provider.close()
        closes.append(time.perf_counter() - clock)
    start, close, cycle = (statistics.median(v) for v in (starts, closes, cycles))
    print(f"provider start     {start:6.2f} s   (median of {runs}; min {min(starts):.2f} s)")
    print(f"provider close     {close:6.2f} s")
    print(f"create + drop      {cycle:6.1f} ms  (median)")
    first = FIRST_MEASURED_START_S
    print(f"ratio start / first measured {first} s   {start / first:5.2f}")
    print(f"ratio create+drop / {GOAL_MS:.0f} ms goal      {cycle / GOAL_MS:5.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    if engine_answers():
        print(f"a Docker engine answers: provider only, image {DockerProvider().image}")
        bench_provider(args.runs)
        return 0

    bench_image()
    session = f"bench-{os.getpid()}"
    cold, out = tool("up", "--session", session, "--owner-pid", str(os.getpid()), "--json")
    try:
        warm = median_of(args.runs, lambda: tool("up", "--session", session, "--json")[0])
        print(
            f"up                 cold {cold:6.2f} s   warm {warm:6.2f} s   ratio {cold / warm:.1f}"
        )
        os.environ.update(json.loads(out)["env"])
        bench_provider(args.runs)
    finally:
        down, _ = tool("down", "--session", session)
    print(f"down               {down:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
