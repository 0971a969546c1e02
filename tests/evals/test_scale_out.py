"""The same sample through a real Dask ``LocalCluster`` (2 worker processes) and through two
shards + ``rda eval merge`` gives the same benchmark.json as one local eval (times aside)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.evals.conftest import database_spec, grade_sample
from verifier.cli import main
from verifier.errors import UsageError
from verifier.evals.evaluate import EvalResult
from verifier.evals.shards import parse_shard, select_shard

distributed = pytest.importorskip("distributed")


def comparable(benchmark: dict[str, Any]) -> dict[str, Any]:
    """The benchmark without what differs from run to run: times and the timestamp."""
    data = json.loads(json.dumps(benchmark))
    data["metadata"].pop("timestamp")
    data["metadata"].pop("shard", None)
    for run in data["runs"]:
        run["result"].pop("time_seconds")
    for name in data["run_summary"]:
        data["run_summary"][name].pop("time_seconds")
    return data


@pytest.fixture(scope="module")
def cluster() -> Any:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as local:
        yield local


def test_dask_path_gives_the_same_benchmark(
    graded: EvalResult, cluster: Any, tmp_path: Path, pytestconfig: pytest.Config
) -> None:
    on_cluster = grade_sample(tmp_path, database_spec(pytestconfig), scheduler=cluster)
    assert comparable(on_cluster.benchmark) == comparable(graded.benchmark)


def test_a_run_lost_with_its_worker_is_verified_again(
    graded: EvalResult, cluster: Any, tmp_path: Path, pytestconfig: pytest.Config
) -> None:
    workspace = tmp_path / "workspace"
    with distributed.Client(cluster) as client:
        pids = client.run(os.getpid)
    victim = sorted(pids.values())[0]
    killed = threading.Event()

    def kill_when_a_run_is_graded() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if workspace.exists() and any(workspace.glob("eval-*/*/run-*/grading.json")):
                os.kill(victim, signal.SIGKILL)
                killed.set()
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_when_a_run_is_graded, daemon=True)
    killer.start()
    result = grade_sample(
        tmp_path, database_spec(pytestconfig), scheduler=cluster.scheduler_address
    )
    killer.join()
    assert killed.is_set()
    assert comparable(result.benchmark) == comparable(graded.benchmark)


def test_two_shards_and_merge_give_the_same_benchmark(
    graded: EvalResult, tmp_path: Path, pytestconfig: pytest.Config, capsys: Any
) -> None:
    shards = tmp_path / "shards"
    db = database_spec(pytestconfig)
    first = grade_sample(tmp_path / "a", db, shard=(1, 2), output=shards, jobs=2)
    second = grade_sample(tmp_path / "b", db, shard=(2, 2), output=shards, jobs=2)
    assert len(first.benchmark["runs"]) == len(second.benchmark["runs"]) == 6
    assert first.benchmark["metadata"]["shard"] == "1/2"
    merged = tmp_path / "merged"
    files = [str(shards / "shard-1-of-2.json"), str(shards / "shard-2-of-2.json")]
    assert main(["eval", "merge", *files, "--output", str(merged)]) == 0
    benchmark = json.loads((merged / "benchmark.json").read_text())
    assert comparable(benchmark) == comparable(graded.benchmark)
    assert (merged / "benchmark.md").is_file() and (merged / "benchmark.html").is_file()
    assert "delta: +0.62" in capsys.readouterr().out


def test_merge_refuses_an_incomplete_or_doubled_set(tmp_path: Path, capsys: Any) -> None:
    shard = {"metadata": {"shard": "1/2", "skill_name": "s", "skill_path": "p"}, "runs": []}
    path = tmp_path / "shard-1-of-2.json"
    path.write_text(json.dumps(shard))
    assert main(["eval", "merge", str(path)]) == 2
    assert "shard(s) 2/2 missing" in capsys.readouterr().err
    assert main(["eval", "merge", str(path), str(path)]) == 2
    assert "are both shard 1/2" in capsys.readouterr().err


def test_shard_selection() -> None:
    assert parse_shard("2/3") == (2, 3)
    for bad in ("0/2", "3/2", "a/b", "1"):
        with pytest.raises(UsageError):
            parse_shard(bad)
    items = list(range(7))
    shards = [select_shard(items, (k, 3)) for k in (1, 2, 3)]
    assert sorted(i for shard in shards for i in shard) == items and shards[0] == [0, 3, 6]
