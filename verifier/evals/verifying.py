"""Verify runs in this process: one database provider and one sandbox for every run.

The pipeline is called in-process (``verify_target``), as ``rda verify --jobs`` does for its
targets: the server starts once and the sandbox's fork server is shared, so a run costs its
own checks only (a subprocess per run would pay the interpreter, the imports and the provider's
connection each time). The target's code still runs only in sandboxed children. A Dask worker
holds one ``Verifier`` of its own (``verifier.evals.cluster``).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from pathlib import Path
from types import TracebackType

from verifier.errors import UsageError
from verifier.evals.outcome import RunJob, RunOutcome, outputs_problem, unpack

OnDone = Callable[[RunOutcome], None]


class Verifier:
    """A started provider and sandbox; ``verify(job)`` may be called from several threads."""

    def __init__(self, db: str = "auto", parallel: int = 1) -> None:
        self.db = db
        self.parallel = parallel
        self._provider: object | None = None
        self._gate: object | None = None
        self._sandbox: object | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> Verifier:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _started(self) -> tuple[object, object]:
        """The gate and sandbox, started on the first run that needs a database."""
        with self._lock:
            if self._gate is None:
                from verifier.db import get_provider
                from verifier.verify.pipeline import ProviderGate, sandbox_for

                provider = get_provider(self.db)
                self._provider = provider
                provider.start()
                gate = ProviderGate(provider)
                self._sandbox = sandbox_for(gate).start()
                self._gate = gate
            return self._gate, self._sandbox

    def verify(self, job: RunJob) -> RunOutcome:
        """Verify one run's outputs (shipped with the job, or on this file system)."""
        if job.shipped is None:
            return self._verify_at(job, Path(job.outputs))
        scratch = Path(tempfile.mkdtemp(prefix="rda-eval-"))
        try:
            outputs = scratch / "outputs"
            outputs.mkdir()
            unpack(job.shipped, outputs)
            contract = job.contract
            if job.shipped_contract is not None and contract is not None:
                unpack(job.shipped_contract, scratch / "contract")
                contract = str(scratch / "contract" / Path(contract).name)
            return self._verify_at(replace(job, contract=contract), outputs)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _verify_at(self, job: RunJob, outputs: Path) -> RunOutcome:
        from verifier.stages import DYNAMIC_STAGES
        from verifier.verify.pipeline import Options, verify_target
        from verifier.verify.target import load_target

        started = time.perf_counter()
        outcome = RunOutcome(job.eval_id, job.configuration, job.run_number)
        outcome.error = outputs_problem(outputs)
        if outcome.error is None:
            try:
                target = load_target(outputs, job.contract)
            except UsageError as exc:  # the agent's manifest, say: the run's fault
                outcome.error = f"the outputs could not be verified: {exc.message}"
            else:
                gate, sandbox = (None, None)
                if any(s in DYNAMIC_STAGES for s in job.stages):
                    gate, sandbox = self._started()
                options = Options(
                    stages=job.stages,
                    limits=job.limits,
                    split_migrations=self.parallel == 1,
                    sandbox=sandbox,  # type: ignore[arg-type]
                )
                report = verify_target(target, gate, options)  # type: ignore[arg-type]
                data = report.to_dict()
                data["target"] = job.outputs
                outcome.report = data
        outcome.seconds = time.perf_counter() - started
        return outcome

    def close(self) -> None:
        sandbox, provider = self._sandbox, self._provider
        self._sandbox = self._provider = self._gate = None
        if sandbox is not None:
            sandbox.close()  # type: ignore[attr-defined]
        if provider is not None:
            provider.close()  # type: ignore[attr-defined]


def run_local(
    jobs: Iterable[RunJob], db: str, parallel: int, on_done: OnDone | None = None
) -> list[RunOutcome]:
    """Verify every job, ``parallel`` at a time on one server; on an interrupt, stop at once."""
    jobs = list(jobs)
    outcomes: list[RunOutcome] = []
    with Verifier(db, parallel) as verifier:
        pool = ThreadPoolExecutor(max_workers=parallel)
        pending: set[Future[RunOutcome]] = {pool.submit(verifier.verify, job) for job in jobs}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    outcome = future.result()
                    outcomes.append(outcome)
                    if on_done is not None:
                        on_done(outcome)
        except BaseException:
            for future in pending:
                future.cancel()
            verifier.close()  # the sandbox's children die with it
            raise
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
    return outcomes
