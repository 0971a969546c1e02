"""Stage 4, behavior: the target's own code run against the throwaway database.

Two parts, both against the target's own session factory and functions:
- the contract, when there is one: ``taskapi`` runs the built-in checks of
  ``verifier.contracts.taskapi``, a path runs the user's own pytest contract
  (``verifier.contracts.pytest_contract``); ``none`` runs no contract;
- the generic checks (``verifier.contracts.generic``), on every layer with a crud module,
  with or without a contract: a contract adds checks, it replaces none of them.

A child runs the parts ``ctx.behavior_parts`` names: both, or one when the verify pipeline
gives the other to a second child (``verifier.verify.pipeline.plan_lanes``).
"""

from __future__ import annotations

from verifier.stages.context import StageContext


def run(ctx: StageContext) -> str:
    contract = ctx.target.contract if "contract" in ctx.behavior_parts else "none"
    ran_contract = contract != "none"
    if contract == "taskapi":
        from verifier.contracts.taskapi.run import run as run_taskapi

        run_taskapi(ctx)
    elif ran_contract:
        from verifier.contracts.pytest_contract import run as run_pytest

        run_pytest(ctx, contract)
    from verifier.contracts.generic.run import run as run_generic

    ran_generic = "generic" in ctx.behavior_parts and run_generic(ctx)
    return "passed" if ran_contract or ran_generic else "skipped"
