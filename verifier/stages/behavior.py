"""Stage 4, behavior: the contract's checks run against the target's own code.

``--contract taskapi`` (the default for a Task API layer) runs the built-in checks of
``verifier.contracts.taskapi``; ``--contract none`` skips this stage; a path runs the user's own
pytest contract (``verifier.contracts.pytest_contract``) with the project's fixtures.
"""

from __future__ import annotations

from verifier.stages.context import StageContext


def run(ctx: StageContext) -> str:
    contract = ctx.target.contract
    if contract == "none":
        return "skipped"
    if contract == "taskapi":
        from verifier.contracts.taskapi.run import run as run_taskapi

        run_taskapi(ctx)
        return "passed"
    from verifier.contracts.pytest_contract import run as run_pytest

    run_pytest(ctx, contract)
    return "passed"
