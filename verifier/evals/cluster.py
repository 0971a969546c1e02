"""``rda eval --scheduler ADDRESS``: the verifications as tasks on a Dask ``distributed`` cluster.

Each worker holds one ``Verifier`` (a worker plugin): its own database provider, started on its
first run (``--db``: the worker machine's embedded server by default, or a shared server's
URL), and its own sandbox. A run's outputs travel with its task, so the workers need not see
the workspace's file system. When a worker dies under a run, the scheduler hands the run to
another worker; a run that still cannot finish (Dask's ``KilledWorker`` once its own retries
are spent, or a worker whose database failed) is submitted again, ``retries`` times at most,
before the eval stops with exit 2. Runs are graded as their results arrive.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from verifier.errors import InfrastructureError, UsageError
from verifier.evals.outcome import RunJob, RunOutcome, pack
from verifier.evals.verifying import OnDone, Verifier

PLUGIN_NAME = "rda-eval-verifier"


class VerifierPlugin(WorkerPlugin):
    """One ``Verifier`` per worker process, closed with the worker."""

    name = PLUGIN_NAME
    idempotent = True  # a second eval on the same cluster reuses the workers' verifiers

    def __init__(self, db: str, threads: int = 1) -> None:
        self.db = db
        self.threads = threads
        self._verifier: Verifier | None = None
        self._lock: threading.Lock | None = None

    def setup(self, worker: Any) -> None:
        self._lock = threading.Lock()
        self._verifier = None

    def verifier(self) -> Verifier:
        assert self._lock is not None, "the plugin was not set up on a worker"
        with self._lock:
            if self._verifier is None:
                self._verifier = Verifier(self.db, self.threads)
            return self._verifier

    def teardown(self, worker: Any) -> None:
        if self._verifier is not None:
            self._verifier.close()


class _Failed:
    """A worker-side failure that is the worker's, not the run's (sent back, then retried)."""

    def __init__(self, message: str) -> None:
        self.message = message


def verify_on_worker(job: RunJob) -> RunOutcome | _Failed:
    """The task: verify one run with the worker's verifier."""
    from distributed import get_worker

    worker = get_worker()
    plugin = worker.plugins[PLUGIN_NAME]
    try:
        outcome = plugin.verifier().verify(job)
    except InfrastructureError as exc:
        return _Failed(f"{worker.address}: {exc.message}")
    outcome.worker = worker.address
    return outcome


def shipped(job: RunJob) -> RunJob:
    """The job with its outputs (and contract file) packed into it."""
    outputs = Path(job.outputs)
    files = pack(outputs) if outputs.is_dir() else None
    contract = None
    if job.contract not in (None, "taskapi", "none"):
        path = Path(str(job.contract))
        if path.is_dir():
            contract = {f"{path.name}/{k}": v for k, v in pack(path).items()}
        elif path.is_file():
            contract = {path.name: path.read_bytes()}
    if files is None:  # nothing to send: the worker reports the missing outputs/
        return replace(job, shipped={}, outputs=str(outputs / "missing"))
    return replace(job, shipped=files, shipped_contract=contract)


def run_on_cluster(
    jobs: Iterable[RunJob],
    address: str | Any,
    db: str,
    retries: int = 2,
    on_done: OnDone | None = None,
) -> list[RunOutcome]:
    """Verify every job on the cluster at ``address`` (or a ``LocalCluster`` object)."""
    from distributed import Client, KilledWorker, as_completed

    jobs = list(jobs)
    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(
            f"cannot reach the Dask scheduler at {address}: {exc}",
            "start one (dask scheduler, dask worker ADDRESS) or drop --scheduler",
        ) from None
    outcomes: list[RunOutcome] = []
    try:
        client.register_plugin(VerifierPlugin(db))
        attempts: dict[tuple[int, str, int], int] = {}
        token = uuid.uuid4().hex[:8]  # two evals on one cluster never share a task key

        def submit(job: RunJob) -> Any:
            attempt = attempts.get(job.key, 0) + 1
            attempts[job.key] = attempt
            key = f"rda-eval-{token}-{job.eval_id}-{job.configuration}-{job.run_number}-{attempt}"
            return client.submit(verify_on_worker, shipped(job), key=key, pure=False)

        by_key: dict[str, RunJob] = {}
        first = []
        for job in jobs:
            future = submit(job)
            by_key[future.key] = job
            first.append(future)
        pending = as_completed(first)
        for future in pending:
            job = by_key.pop(future.key)
            try:
                result = future.result()
            except KilledWorker as exc:
                result = _Failed(f"its worker died: {exc}")
            if isinstance(result, _Failed):
                if attempts[job.key] > retries:
                    raise InfrastructureError(
                        f"{job.label} failed {attempts[job.key]} times on the cluster: "
                        f"{result.message}",
                        "check the workers (their logs, their database) and run again",
                    )
                again = submit(job)
                by_key[again.key] = job
                pending.add(again)
                continue
            result.attempts = attempts[job.key]
            outcomes.append(result)
            if on_done is not None:
                on_done(result)
    finally:
        client.close()
    return outcomes
